// The per-clip "occluded" flag written to labels.csv: does a hand cover the
// face for a good part of the clip? Computed from the 78 keypoints after gap
// interpolation; falls back to how much of the body was tracked at all when
// the face rule cannot decide.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "features/keypoints.h"

namespace signprep::features {

struct OcclusionOptions {
  // --occ-vis-thresh: in the visibility fallback, a frame is occluded when the
  // share of its 78 keypoints that are visible is below this.
  double vis_thresh = 0.6;
  // --occ-frame-prop: a clip is occluded when the share of its frames that are
  // occluded is at least this.
  double frame_prop = 0.4;
  // --occ-min-run: ... or when its longest run of consecutive occluded frames
  // is at least this many frames.
  int min_run = 15;
};

// An axis-aligned ellipse in normalised image coordinates.
struct Ellipse {
  double cx = 0.0, cy = 0.0;  // centre
  double ax = 0.0, ay = 0.0;  // semi-axes along x and y, > 0
};

// The face region of frame t, or nothing when fewer than 5 of the 11 face
// keypoints are visible: centred on the bounding box of the visible face
// points, semi-axes half the box's width and height scaled by 1.3, each at
// least 1e-3 (so that a degenerate box still yields a usable ellipse).
std::optional<Ellipse> face_ellipse_of_frame(const KeypointSequence& seq, int t);

// The clip-level decision shared by the hand-over-face rule and the visibility
// fallback: given one 0/1 flag per frame, true when the share of flagged
// frames >= frame_prop or the longest run of consecutive flagged frames >=
// min_run. An empty clip is never occluded.
bool occluded_clip(std::span<const std::uint8_t> frame_flags, const OcclusionOptions& options);

// The clip's occlusion flag. A frame is occluded when a hand (>= 4 of its 21
// points visible) is over the face: a visible fingertip (hand points 4, 8, 12,
// 16, 20) inside the face ellipse, or its palm centre (mean of the visible
// points 5, 9, 13, 17 when at least 2 are, else the visible wrist 0) inside
// the ellipse with both semi-axes scaled by 1.2. "Inside" includes the
// boundary: (dx/ax)^2 + (dy/ay)^2 <= 1. The clip is then judged by
// occluded_clip. When no frame has a face ellipse, or no frame has a hand over
// the face, the flag comes from visibility instead: a frame is occluded when
// its share of visible keypoints < vis_thresh, judged by occluded_clip.
bool is_occluded(const KeypointSequence& seq, const OcclusionOptions& options = {});

}  // namespace signprep::features
