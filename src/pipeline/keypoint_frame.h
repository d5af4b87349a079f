// One keypoint frame of the Python tool's layout (features/keypoints.h) from
// Holistic's results for that frame.
#pragma once

#include "features/keypoints.h"
#include "landmarks/holistic.h"

namespace signprep::pipeline {

// Appends a frame to `sequence`: pose landmarks 0..24, left hand, right hand
// and the 11 face-mesh points, x and y clamped to [0,1]. A pose point is
// visible when its visibility >= conf_thresh, a hand or face point when its
// block was found; a missing block stays zeros and not visible.
void append_keypoint_frame(const landmarks::HolisticFrame& frame, double conf_thresh,
                           features::KeypointSequence& sequence);

}  // namespace signprep::pipeline
