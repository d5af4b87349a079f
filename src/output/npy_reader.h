// Reads float32 .npy files (format 1.0-3.0, little-endian, C order; parsed
// by output/npz_reader.h), the inputs of `signprep model-run` and the golden
// tensors of the tests.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace signprep::output {

struct NpyFloat32 {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

// Throws Error(kInput) naming the file when it is not a little-endian, C-order
// float32 .npy or is truncated.
NpyFloat32 read_npy_float32(const std::filesystem::path& path);

}  // namespace signprep::output
