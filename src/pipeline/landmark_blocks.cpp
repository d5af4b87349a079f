#include "pipeline/landmark_blocks.h"

#include <limits>

namespace signprep::pipeline {
namespace {

enum class Values { kXyz, kXyzVisibility };

// One block of one frame: its points' values, or NaN for each when absent.
void add_block(const std::vector<landmarks::Landmark>* block, int count, Values values,
               std::vector<float>& out, std::vector<std::uint8_t>* present) {
  if (present != nullptr) present->push_back(block != nullptr ? 1 : 0);
  const std::size_t width = values == Values::kXyzVisibility ? 4 : 3;
  if (block == nullptr) {
    out.insert(out.end(), static_cast<std::size_t>(count) * width,
               std::numeric_limits<float>::quiet_NaN());
    return;
  }
  for (const landmarks::Landmark& l : *block) {
    out.insert(out.end(), {l.x, l.y, l.z});
    if (values == Values::kXyzVisibility) out.push_back(l.visibility);
  }
}

}  // namespace

int face_point_count(const HolisticSettings& settings) {
  return settings.refine_face ? landmarks::kFaceLandmarkCount : landmarks::kPlainFaceLandmarkCount;
}

void LandmarkBlocks::add(const landmarks::HolisticFrame& frame) {
  const auto* pose_landmarks = frame.pose ? &frame.pose->landmarks : nullptr;
  const auto* world = frame.pose ? &frame.pose->world_landmarks : nullptr;
  add_block(pose_landmarks, landmarks::kPoseLandmarkCount, Values::kXyzVisibility, pose,
            &pose_present);
  add_block(world, landmarks::kPoseLandmarkCount, Values::kXyz, pose_world, nullptr);
  add_block(frame.hands.left ? &frame.hands.left->landmarks : nullptr,
            landmarks::kHandLandmarkCount, Values::kXyz, left_hand, &left_hand_present);
  add_block(frame.hands.right ? &frame.hands.right->landmarks : nullptr,
            landmarks::kHandLandmarkCount, Values::kXyz, right_hand, &right_hand_present);
  add_block(frame.face ? &frame.face->landmarks : nullptr, face_points, Values::kXyz, face,
            &face_present);
}

void LandmarkBlocks::add_to(output::NpzWriter& npz) const {
  const std::size_t t = frames();
  const std::size_t t_shape[] = {t};
  const std::size_t pose_shape[] = {t, landmarks::kPoseLandmarkCount, 4};
  const std::size_t world_shape[] = {t, landmarks::kPoseLandmarkCount, 3};
  const std::size_t hand_shape[] = {t, landmarks::kHandLandmarkCount, 3};
  const std::size_t face_shape[] = {t, static_cast<std::size_t>(face_points), 3};
  npz.add_float32("pose", pose_shape, pose);
  npz.add_bool("pose_present", t_shape, pose_present);
  npz.add_float32("pose_world", world_shape, pose_world);
  npz.add_float32("left_hand", hand_shape, left_hand);
  npz.add_bool("left_hand_present", t_shape, left_hand_present);
  npz.add_float32("right_hand", hand_shape, right_hand);
  npz.add_bool("right_hand_present", t_shape, right_hand_present);
  npz.add_float32("face", face_shape, face);
  npz.add_bool("face_present", t_shape, face_present);
}

}  // namespace signprep::pipeline
