#include "features/occlusion.h"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace signprep::features {
namespace {

constexpr int kMinFacePoints = 5;
constexpr double kFaceScale = 1.3;
constexpr double kMinSemiAxis = 1e-3;
constexpr int kMinHandPoints = 4;
constexpr std::array<int, 5> kFingertips = {4, 8, 12, 16, 20};
constexpr std::array<int, 4> kPalmPoints = {5, 9, 13, 17};  // finger bases (MCP joints)
constexpr int kMinPalmPoints = 2;
constexpr int kWrist = 0;
constexpr double kPalmScale = 1.2;

struct Point {
  double x = 0.0, y = 0.0;
};

// True when p lies in e with both semi-axes scaled by `scale`; the boundary
// ((dx/a)^2 + (dy/b)^2 == 1) counts as inside.
bool inside(const Ellipse& e, Point p, double scale = 1.0) {
  const double dx = (p.x - e.cx) / (e.ax * scale);
  const double dy = (p.y - e.cy) / (e.ay * scale);
  return dx * dx + dy * dy <= 1.0;
}

Point point_of(const KeypointSequence& seq, int t, int k) {
  return {seq.x(t, k), seq.y(t, k)};
}

int visible_count(const KeypointSequence& seq, int t, int begin, int count) {
  int n = 0;
  for (int k = begin; k < begin + count; ++k) n += seq.is_visible(t, k) ? 1 : 0;
  return n;
}

// The palm centre of the hand whose block starts at `hand`: the mean of its
// visible palm points when at least kMinPalmPoints are visible, else the
// wrist if visible, else nothing.
std::optional<Point> palm_centre(const KeypointSequence& seq, int t, int hand) {
  Point sum;
  int n = 0;
  for (int p : kPalmPoints) {
    if (!seq.is_visible(t, hand + p)) continue;
    sum.x += seq.x(t, hand + p);
    sum.y += seq.y(t, hand + p);
    ++n;
  }
  if (n >= kMinPalmPoints) return Point{sum.x / n, sum.y / n};
  if (seq.is_visible(t, hand + kWrist)) return point_of(seq, t, hand + kWrist);
  return std::nullopt;
}

// True when the hand whose block starts at `hand` is tracked well enough
// (kMinHandPoints visible) and a fingertip or its palm centre is over the face.
bool hand_over_face(const KeypointSequence& seq, int t, int hand, const Ellipse& face) {
  if (visible_count(seq, t, hand, kHandPoints) < kMinHandPoints) return false;
  for (int tip : kFingertips) {
    if (seq.is_visible(t, hand + tip) && inside(face, point_of(seq, t, hand + tip))) return true;
  }
  const std::optional<Point> palm = palm_centre(seq, t, hand);
  return palm && inside(face, *palm, kPalmScale);
}

// Per-frame flags of the hand-over-face rule; a frame without a face ellipse
// is not occluded by it.
std::vector<std::uint8_t> hand_over_face_flags(const KeypointSequence& seq) {
  std::vector<std::uint8_t> flags(static_cast<std::size_t>(seq.frames), 0);
  for (int t = 0; t < seq.frames; ++t) {
    const std::optional<Ellipse> face = face_ellipse_of_frame(seq, t);
    if (!face) continue;
    const bool over = hand_over_face(seq, t, kLeftHandBegin, *face) ||
                      hand_over_face(seq, t, kRightHandBegin, *face);
    flags[static_cast<std::size_t>(t)] = over ? 1 : 0;
  }
  return flags;
}

// Per-frame flags of the visibility fallback: the share of visible keypoints
// is below vis_thresh.
std::vector<std::uint8_t> low_visibility_flags(const KeypointSequence& seq, double vis_thresh) {
  std::vector<std::uint8_t> flags(static_cast<std::size_t>(seq.frames), 0);
  for (int t = 0; t < seq.frames; ++t) {
    const double share =
        static_cast<double>(visible_count(seq, t, 0, kKeypointCount)) / kKeypointCount;
    flags[static_cast<std::size_t>(t)] = share < vis_thresh ? 1 : 0;
  }
  return flags;
}

}  // namespace

std::optional<Ellipse> face_ellipse_of_frame(const KeypointSequence& seq, int t) {
  if (visible_count(seq, t, kFaceBegin, kFacePoints) < kMinFacePoints) return std::nullopt;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double min_x = kInf, max_x = -kInf, min_y = kInf, max_y = -kInf;
  for (int k = kFaceBegin; k < kFaceBegin + kFacePoints; ++k) {
    if (!seq.is_visible(t, k)) continue;
    min_x = std::min<double>(min_x, seq.x(t, k));
    max_x = std::max<double>(max_x, seq.x(t, k));
    min_y = std::min<double>(min_y, seq.y(t, k));
    max_y = std::max<double>(max_y, seq.y(t, k));
  }
  return Ellipse{(min_x + max_x) / 2.0, (min_y + max_y) / 2.0,
                 std::max((max_x - min_x) / 2.0 * kFaceScale, kMinSemiAxis),
                 std::max((max_y - min_y) / 2.0 * kFaceScale, kMinSemiAxis)};
}

bool occluded_clip(std::span<const std::uint8_t> frame_flags, const OcclusionOptions& options) {
  if (frame_flags.empty()) return false;
  int flagged = 0, run = 0, longest_run = 0;
  for (std::uint8_t f : frame_flags) {
    run = f != 0 ? run + 1 : 0;
    flagged += f != 0 ? 1 : 0;
    longest_run = std::max(longest_run, run);
  }
  const double share = static_cast<double>(flagged) / static_cast<double>(frame_flags.size());
  return share >= options.frame_prop || longest_run >= options.min_run;
}

bool is_occluded(const KeypointSequence& seq, const OcclusionOptions& options) {
  // An empty clip yields no flags, which occluded_clip judges not occluded.
  // The face rule decides whenever it flags at least one frame (which implies
  // some frame had a face ellipse); otherwise visibility decides.
  const std::vector<std::uint8_t> face_flags = hand_over_face_flags(seq);
  if (std::ranges::any_of(face_flags, [](std::uint8_t f) { return f != 0; })) {
    return occluded_clip(face_flags, options);
  }
  return occluded_clip(low_visibility_flags(seq, options.vis_thresh), options);
}

}  // namespace signprep::features
