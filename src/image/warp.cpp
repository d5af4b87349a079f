#include "image/warp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace signprep::image {
namespace {

// Bilinear lookup at a continuous pixel-index position (pixel centres at
// integers), edges clamped like GL_CLAMP_TO_EDGE.
struct BilinearSampler {
  const ImageView& image;
  int red, green, blue;  // byte offsets of R, G, B within a pixel

  void sample(float x, float y, float rgb[3]) const {
    const float fx = std::floor(x), fy = std::floor(y);
    const float wx = x - fx, wy = y - fy;
    const int x0 = clamp_x(static_cast<int>(fx)), x1 = clamp_x(static_cast<int>(fx) + 1);
    const int y0 = clamp_y(static_cast<int>(fy)), y1 = clamp_y(static_cast<int>(fy) + 1);
    const std::uint8_t* top = image.row(y0);
    const std::uint8_t* bottom = image.row(y1);
    const int offsets[3] = {red, green, blue};
    for (int c = 0; c < 3; ++c) {
      const float t =
          top[x0 * 3 + offsets[c]] + wx * (top[x1 * 3 + offsets[c]] - top[x0 * 3 + offsets[c]]);
      const float b = bottom[x0 * 3 + offsets[c]] +
                      wx * (bottom[x1 * 3 + offsets[c]] - bottom[x0 * 3 + offsets[c]]);
      rgb[c] = t + wy * (b - t);
    }
  }
  int clamp_x(int x) const { return std::clamp(x, 0, image.width - 1); }
  int clamp_y(int y) const { return std::clamp(y, 0, image.height - 1); }
};

}  // namespace

void crop_to_tensor(const ImageView& source, const RotatedRect& roi, int dst_width, int dst_height,
                    ValueRange range, BorderMode border, std::span<float> tensor) {
  if (dst_width <= 0 || dst_height <= 0 ||
      tensor.size() !=
          static_cast<std::size_t>(dst_width) * static_cast<std::size_t>(dst_height) * 3) {
    throw std::invalid_argument("crop_to_tensor: the tensor does not match the requested size");
  }
  if (source.width <= 0 || source.height <= 0) {
    throw std::invalid_argument("crop_to_tensor: empty source image");
  }
  const bool bgr = source.order == ChannelOrder::kBgr;
  const BilinearSampler sampler{source, bgr ? 2 : 0, 1, bgr ? 0 : 2};
  const float scale = (range.max - range.min) / 255.0f;
  const float cos_r = std::cos(roi.rotation), sin_r = std::sin(roi.rotation);
  // The tensor's unit square, centred, maps onto the rectangle: its x axis
  // runs along (cos, sin), its y axis along (-sin, cos).
  const float ux_x = roi.width * cos_r, ux_y = roi.width * sin_r;
  const float vy_x = -roi.height * sin_r, vy_y = roi.height * cos_r;
  float* out = tensor.data();
  for (int j = 0; j < dst_height; ++j) {
    const float v = (static_cast<float>(j) + 0.5f) / static_cast<float>(dst_height) - 0.5f;
    for (int i = 0; i < dst_width; ++i, out += 3) {
      const float u = (static_cast<float>(i) + 0.5f) / static_cast<float>(dst_width) - 0.5f;
      const float x = roi.center_x + u * ux_x + v * vy_x;
      const float y = roi.center_y + u * ux_y + v * vy_y;
      const bool outside = x < 0 || y < 0 || x > static_cast<float>(source.width) ||
                           y > static_cast<float>(source.height);
      if (border == BorderMode::kZero && outside) {
        out[0] = out[1] = out[2] = range.min;
        continue;
      }
      float rgb[3];
      sampler.sample(x - 0.5f, y - 0.5f, rgb);
      for (int c = 0; c < 3; ++c) out[c] = rgb[c] * scale + range.min;
    }
  }
}

}  // namespace signprep::image
