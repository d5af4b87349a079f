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

std::array<BlockLayout, 5> LandmarkBlocks::layouts() const {
  const auto pose_points = static_cast<std::size_t>(landmarks::kPoseLandmarkCount);
  const auto hand_points = static_cast<std::size_t>(landmarks::kHandLandmarkCount);
  return {{
      {"pose", "pose_present", pose_points, 4, &LandmarkBlocks::pose,
       &LandmarkBlocks::pose_present},
      {"pose_world", "pose_present", pose_points, 3, &LandmarkBlocks::pose_world,
       &LandmarkBlocks::pose_present},
      {"left_hand", "left_hand_present", hand_points, 3, &LandmarkBlocks::left_hand,
       &LandmarkBlocks::left_hand_present},
      {"right_hand", "right_hand_present", hand_points, 3, &LandmarkBlocks::right_hand,
       &LandmarkBlocks::right_hand_present},
      {"face", "face_present", static_cast<std::size_t>(face_points), 3, &LandmarkBlocks::face,
       &LandmarkBlocks::face_present},
  }};
}

void LandmarkBlocks::add_to(output::NpzWriter& npz) const {
  const std::size_t t = frames();
  const std::size_t t_shape[] = {t};
  std::string_view last_presence;
  for (const BlockLayout& block : layouts()) {
    const std::size_t shape[] = {t, block.points, block.width};
    npz.add_float32(block.name, shape, this->*block.values);
    if (block.presence != last_presence)
      npz.add_bool(block.presence, t_shape, this->*block.present);
    last_presence = block.presence;
  }
}

}  // namespace signprep::pipeline
