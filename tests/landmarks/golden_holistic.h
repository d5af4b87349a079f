// Reading the golden Holistic files (tests/data/golden/holistic, numpy
// .npz) and summarising differences, for the landmarks tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "landmarks/pose_tracker.h"
#include "output/npz_reader.h"

namespace signprep::landmarks::test_support {

// A golden file, read once with signprep's strict .npz reader.
class GoldenFile {
 public:
  explicit GoldenFile(const std::filesystem::path& path)
      : path_(path), members_(output::read_npz(path)) {}

  const output::NpyArray& operator[](std::string_view key) const {
    for (const output::NpzMember& member : members_) {
      if (member.name == key) return member.array;
    }
    throw std::runtime_error(path_.string() + " has no " + std::string(key));
  }

 private:
  std::filesystem::path path_;
  std::vector<output::NpzMember> members_;
};

// Frame t's pose as Holistic gave it, from a golden file's `pose` [T,33,4]
// (x, y, z, visibility) and `pose_present`; nothing where it found none.
inline std::optional<Pose> golden_pose(std::span<const float> pose,
                                       std::span<const std::uint8_t> present, std::size_t t) {
  if (!present[t]) return std::nullopt;
  Pose result;
  for (std::size_t i = 0; i < kPoseLandmarkCount; ++i) {
    const float* v = &pose[(t * kPoseLandmarkCount + i) * 4];
    result.landmarks.push_back({v[0], v[1], v[2], v[3], 0.0f});
  }
  return result;
}

// numpy's default (linear) percentile, p in [0, 1]; 0 for no values (no
// frame where both found a block: nothing differs), as compare_golden.py.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (rank - static_cast<double>(below)) * (values[above] - values[below]);
}

}  // namespace signprep::landmarks::test_support
