// An 8-bit, 3-channel, row-major image with tightly packed rows, and the
// pixel operations other layers need on whole frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace signprep::image {

enum class ChannelOrder { kRgb, kBgr };

// Read-only pixels of a 3-channel image whose rows may be padded (decoder
// and converter buffers are).
struct ImageView {
  int width = 0;
  int height = 0;
  ChannelOrder order = ChannelOrder::kRgb;
  const std::uint8_t* data = nullptr;
  std::size_t stride = 0;  // bytes from one row to the next, >= width * 3

  const std::uint8_t* row(int y) const { return data + static_cast<std::size_t>(y) * stride; }
};

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
  ImageView view() const { return {width, height, order, pixels.data(), row_bytes()}; }
};

// A tightly packed copy rotated clockwise by a multiple of 90 degrees (0, 90,
// 180 or 270); any other angle is a programming error and throws
// std::invalid_argument.
Image rotate_clockwise(const ImageView& source, int degrees);

// One plane of any picture: `width` x `height` elements of `element_bytes`
// each (a video plane's pixel: 1 or 2 bytes for a planar component, 2 or 4
// for interleaved chroma), rows `stride` bytes apart.
struct PlaneView {
  const std::uint8_t* data = nullptr;
  std::ptrdiff_t stride = 0;
  int width = 0;
  int height = 0;
  int element_bytes = 1;
};

// Writes `source` rotated clockwise by 0, 90, 180 or 270 degrees into
// `destination`, which holds the rotated size (width and height swapped for
// 90 and 270), rows `destination_stride` bytes apart. Throws
// std::invalid_argument for any other angle.
void rotate_plane_clockwise(const PlaneView& source, int degrees, std::uint8_t* destination,
                            std::ptrdiff_t destination_stride);

}  // namespace signprep::image
