// Gap interpolation: the post-processing the Python tool applies to a clip's
// keypoints after the last frame, before the occlusion flag and the outputs.
#pragma once

#include "features/keypoints.h"

namespace signprep::features {

// Fills short tracking drop-outs and clips every coordinate to [0, 1].
//
// Per keypoint, a run of 1..max_gap frames in which the point is not visible,
// with a visible frame on both sides (values a before, b after), is filled
// linearly, for x and y separately: frame i of the run (i = 1..gap) gets
// a + (b - a) * i / (gap + 1) and is marked visible. The endpoint values are
// the tracked ones, before clipping. Longer runs, and runs at the start or end
// of the clip, keep their values and stay invisible. Then ALL coordinates,
// visible or not, are clipped to [0, 1] (a NaN stays NaN, as with numpy.clip).
//
// max_gap 0 disables the filling (the clipping still happens); a negative
// max_gap throws signprep::Error(ErrorKind::kUsage). The sequence must have the
// sizes its constructor gives (xy: frames * kDimsPerFrame, visible:
// frames * kKeypointCount).
void interpolate_gaps(KeypointSequence& seq, int max_gap);

}  // namespace signprep::features
