// An 8-bit, 3-channel, row-major image with tightly packed rows, and the
// pixel operations other layers need on whole frames.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace signprep::image {

enum class ChannelOrder { kRgb, kBgr };

struct Image {
  int width = 0;
  int height = 0;
  ChannelOrder order = ChannelOrder::kRgb;
  std::vector<std::uint8_t> pixels;  // height * width * 3 bytes

  Image() = default;
  Image(int w, int h, ChannelOrder channel_order = ChannelOrder::kRgb)
      : width(w),
        height(h),
        order(channel_order),
        pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3) {}

  std::size_t row_bytes() const { return static_cast<std::size_t>(width) * 3; }
  std::uint8_t* row(int y) { return pixels.data() + static_cast<std::size_t>(y) * row_bytes(); }
  const std::uint8_t* row(int y) const {
    return pixels.data() + static_cast<std::size_t>(y) * row_bytes();
  }
};

// Rotates clockwise by a multiple of 90 degrees (0, 90, 180 or 270); any other
// angle is a programming error and throws std::invalid_argument.
Image rotate_clockwise(const Image& source, int degrees);

}  // namespace signprep::image
