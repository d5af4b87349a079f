#include "image/image.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace signprep::image {
namespace {

// Destination (x, y) of source pixel (sx, sy) for a clockwise quarter-turn
// count, in an image of the source's size.
struct QuarterTurn {
  int turns;
  int src_w, src_h;
  std::pair<int, int> map(int sx, int sy) const {
    switch (turns) {
      case 1:
        return {src_h - 1 - sy, sx};
      case 2:
        return {src_w - 1 - sx, src_h - 1 - sy};
      default:
        return {sy, src_w - 1 - sx};  // 3 turns
    }
  }
};

}  // namespace

void rotate_plane_clockwise(const PlaneView& source, int degrees, std::uint8_t* destination,
                            std::ptrdiff_t destination_stride) {
  if (degrees % 90 != 0 || degrees < 0 || degrees >= 360) {
    throw std::invalid_argument("rotate_clockwise: unsupported angle " + std::to_string(degrees));
  }
  const auto element = static_cast<std::size_t>(source.element_bytes);
  if (degrees == 0) {
    for (int y = 0; y < source.height; ++y) {
      std::copy_n(source.data + y * source.stride, element * static_cast<std::size_t>(source.width),
                  destination + y * destination_stride);
    }
    return;
  }
  const QuarterTurn turn{degrees / 90, source.width, source.height};
  for (int sy = 0; sy < source.height; ++sy) {
    const std::uint8_t* src = source.data + sy * source.stride;
    for (int sx = 0; sx < source.width; ++sx) {
      auto [dx, dy] = turn.map(sx, sy);
      std::copy_n(src + element * static_cast<std::size_t>(sx), element,
                  destination + dy * destination_stride + element * static_cast<std::size_t>(dx));
    }
  }
}

Image rotate_clockwise(const ImageView& source, int degrees) {
  const bool swaps = degrees % 180 != 0;
  Image rotated(swaps ? source.height : source.width, swaps ? source.width : source.height,
                source.order);
  rotate_plane_clockwise(
      {source.data, static_cast<std::ptrdiff_t>(source.stride), source.width, source.height, 3},
      degrees, rotated.pixels.data(), static_cast<std::ptrdiff_t>(rotated.row_bytes()));
  return rotated;
}

}  // namespace signprep::image
