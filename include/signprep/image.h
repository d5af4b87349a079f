// Frames as the API takes and gives them: 8-bit RGB, row-major, channels
// interleaved (a NumPy uint8 array [height, width, 3]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace signprep {

// Pixels the caller owns; a call reads them while it runs and keeps nothing.
struct RgbView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;  // bytes from one row to the next, >= width * 3
};

// Pixels the API hands over, rows tightly packed: height * width * 3 bytes.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  RgbView view() const {
    return {pixels.data(), width, height, static_cast<std::size_t>(width) * 3};
  }
};

}  // namespace signprep
