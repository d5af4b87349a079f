// Reading the golden Holistic files (tests/data/golden/holistic, numpy
// .npz) and summarising differences, for the landmarks tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/npz_reader.h"

namespace signprep::landmarks::test_support {

// One member of a golden file, read with signprep's strict .npz reader.
inline output::NpyArray golden_member(const std::filesystem::path& path, const std::string& key) {
  for (output::NpzMember& member : output::read_npz(path)) {
    if (member.name == key) return std::move(member.array);
  }
  throw std::runtime_error(path.string() + " has no " + key);
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
