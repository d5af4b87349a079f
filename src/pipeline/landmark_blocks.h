// Holistic's whole output, frame by frame, as arrays: what `--keypoints
// full` adds to a clip's .npz, what `signprep landmarks` writes, and what the
// ISLR Parquet's rows hold. Blocks are the raw per-frame results (no gap
// interpolation); a block not found in a frame is NaN there, never zeros.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "landmarks/holistic.h"
#include "output/npz_writer.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

// 478 face points with refinement, 468 without.
int face_point_count(const HolisticSettings& settings);

struct LandmarkBlocks;

// A block's .npz member: [T, points, width] float32, and the [T] bool member
// saying in which frames it was found.
struct BlockLayout {
  std::string_view name;
  std::string_view presence;
  std::size_t points;
  std::size_t width;
  std::vector<float> LandmarkBlocks::*values;
  std::vector<std::uint8_t> LandmarkBlocks::*present;
};

struct LandmarkBlocks {
  explicit LandmarkBlocks(int face_point_count) : face_points(face_point_count) {}

  int face_points;
  std::vector<float> pose;        // [T,33,4]: x, y, z, visibility (normalised to the frame)
  std::vector<float> pose_world;  // [T,33,3]: x, y, z in metres, origin between the hips
  std::vector<std::uint8_t> pose_present;
  std::vector<float> left_hand, right_hand;  // [T,21,3]: x, y, z (the person's sides)
  std::vector<std::uint8_t> left_hand_present, right_hand_present;
  std::vector<float> face;  // [T,face_points,3]: x, y, z
  std::vector<std::uint8_t> face_present;

  std::size_t frames() const { return pose_present.size(); }
  void add(const landmarks::HolisticFrame& frame);
  // The blocks in add_to()'s order, each followed there by its presence
  // member unless an earlier block shares it (pose_world pose's).
  std::array<BlockLayout, 5> layouts() const;
  // The .npz members add_to() writes, in its order.
  static constexpr std::array<std::string_view, 9> kMemberNames = {
      "pose",       "pose_present",       "pose_world", "left_hand",   "left_hand_present",
      "right_hand", "right_hand_present", "face",       "face_present"};
  void add_to(output::NpzWriter& npz) const;
};

}  // namespace signprep::pipeline
