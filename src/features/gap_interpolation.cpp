#include "features/gap_interpolation.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace signprep::features {
namespace {

// Fills frames first+1 .. last-1 of keypoint k linearly between its values at
// the visible frames first and last, and marks them visible.
void fill_gap(KeypointSequence& seq, int k, int first, int last) {
  const int steps = last - first;  // gap + 1
  const double ax = seq.x(first, k), bx = seq.x(last, k);
  const double ay = seq.y(first, k), by = seq.y(last, k);
  for (int i = 1; i < steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    seq.x(first + i, k) = static_cast<float>(ax + (bx - ax) * t);
    seq.y(first + i, k) = static_cast<float>(ay + (by - ay) * t);
    seq.set_visible(first + i, k, true);
  }
}

// Fills every gap of 1..max_gap frames of keypoint k that has a visible frame
// on both sides.
void interpolate_keypoint(KeypointSequence& seq, int k, int max_gap) {
  int previous_visible = -1;
  for (int t = 0; t < seq.frames; ++t) {
    if (!seq.is_visible(t, k)) continue;
    const int gap = t - previous_visible - 1;
    if (previous_visible >= 0 && gap >= 1 && gap <= max_gap) fill_gap(seq, k, previous_visible, t);
    previous_visible = t;
  }
}

// Clips every coordinate, visible or not, to [0, 1].
void clip_unit(KeypointSequence& seq) {
  for (float& v : seq.xy) v = std::clamp(v, 0.0f, 1.0f);
}

}  // namespace

void interpolate_gaps(KeypointSequence& seq, int max_gap) {
  if (max_gap < 0) {
    throw Error(ErrorKind::kUsage,
                "interpolation max gap must be >= 0, got " + std::to_string(max_gap));
  }
  if (max_gap > 0) {
    for (int k = 0; k < kKeypointCount; ++k) interpolate_keypoint(seq, k, max_gap);
  }
  clip_unit(seq);
}

}  // namespace signprep::features
