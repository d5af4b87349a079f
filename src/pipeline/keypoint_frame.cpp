#include "pipeline/keypoint_frame.h"

#include <algorithm>
#include <array>

namespace signprep::pipeline {
namespace {

using features::KeypointSequence;
using landmarks::Landmark;

void set_point(KeypointSequence& sequence, int t, int k, const Landmark& landmark, bool visible) {
  sequence.x(t, k) = std::clamp(landmark.x, 0.0f, 1.0f);
  sequence.y(t, k) = std::clamp(landmark.y, 0.0f, 1.0f);
  sequence.set_visible(t, k, visible);
}

// A hand or face block: every listed landmark, visible because found.
template <typename Indices>
void set_block(KeypointSequence& sequence, int t, int first, const std::vector<Landmark>& landmarks,
               const Indices& indices) {
  int k = first;
  for (int index : indices)
    set_point(sequence, t, k++, landmarks.at(static_cast<std::size_t>(index)), true);
}

// A hand block keeps all 21 landmarks, in order.
constexpr std::array<int, features::kHandPoints> kAllHandPoints = [] {
  std::array<int, features::kHandPoints> indices{};
  for (int i = 0; i < features::kHandPoints; ++i) indices[static_cast<std::size_t>(i)] = i;
  return indices;
}();

}  // namespace

void append_keypoint_frame(const landmarks::HolisticFrame& frame, double conf_thresh,
                           KeypointSequence& sequence) {
  const int t = sequence.frames++;
  sequence.xy.resize(static_cast<std::size_t>(sequence.frames) * features::kDimsPerFrame, 0.0f);
  sequence.visible.resize(static_cast<std::size_t>(sequence.frames) * features::kKeypointCount, 0);
  if (frame.pose) {
    for (int i = 0; i < features::kPosePoints; ++i) {
      const Landmark& l = frame.pose->landmarks.at(static_cast<std::size_t>(i));
      // The Python tool compares the visibility, widened to a Python float.
      set_point(sequence, t, features::kPoseBegin + i, l,
                static_cast<double>(l.visibility) >= conf_thresh);
    }
  }
  if (frame.hands.left)
    set_block(sequence, t, features::kLeftHandBegin, frame.hands.left->landmarks, kAllHandPoints);
  if (frame.hands.right)
    set_block(sequence, t, features::kRightHandBegin, frame.hands.right->landmarks, kAllHandPoints);
  if (frame.face)
    set_block(sequence, t, features::kFaceBegin, frame.face->landmarks, features::kFaceMeshIndices);
}

}  // namespace signprep::pipeline
