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

Image rotate_clockwise(const ImageView& source, int degrees) {
  if (degrees % 90 != 0 || degrees < 0 || degrees >= 360) {
    throw std::invalid_argument("rotate_clockwise: unsupported angle " + std::to_string(degrees));
  }
  if (degrees == 0) {
    Image copy(source.width, source.height, source.order);
    for (int y = 0; y < source.height; ++y) {
      std::copy_n(source.row(y), copy.row_bytes(), copy.row(y));
    }
    return copy;
  }
  const QuarterTurn turn{degrees / 90, source.width, source.height};
  const bool swaps = turn.turns % 2 == 1;
  Image rotated(swaps ? source.height : source.width, swaps ? source.width : source.height,
                source.order);
  for (int sy = 0; sy < source.height; ++sy) {
    const std::uint8_t* src = source.row(sy);
    for (int sx = 0; sx < source.width; ++sx) {
      auto [dx, dy] = turn.map(sx, sy);
      std::copy_n(src + 3 * sx, 3, rotated.row(dy) + 3 * dx);
    }
  }
  return rotated;
}

}  // namespace signprep::image
