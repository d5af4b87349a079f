#include "image/warp.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "image/pixel_vector.h"

namespace signprep::image {
namespace {

using detail::Float4;
using detail::load_pixel;
using detail::store_pixel;

// Where one tensor row samples the image: the position (in pixel-index
// coordinates, pixel centres at integers) of its first pixel and the step
// from one tensor pixel to the next.
struct RowTrace {
  float x, y;
  float dx, dy;

  struct Position {
    float x, y;
  };
  Position at(int i) const {
    return {x + static_cast<float>(i) * dx, y + static_cast<float>(i) * dy};
  }
};

// What every sample of one crop shares: the image, the value range and
// border mode asked for, and the factor from bytes to the range.
struct Sampling {
  const ImageView& image;
  ValueRange range;
  BorderMode border;
  float scale;  // (range.max - range.min) / 255
};

// Bilinear blend of the 2x2 block whose top-left pixel starts at `top`
// (`bottom` is the row below, `right` bytes to the right column), mapped
// onto the range, as R, G, B and a spare lane.
template <ChannelOrder kOrder, bool kWide>
inline Float4 blend(const std::uint8_t* top, const std::uint8_t* bottom, int right, float wx,
                    float wy, const Sampling& a) {
  const Float4 top_left = load_pixel<kWide>(top), top_right = load_pixel<kWide>(top + right);
  const Float4 bottom_left = load_pixel<kWide>(bottom);
  const Float4 bottom_right = load_pixel<kWide>(bottom + right);
  const Float4 t = top_left + wx * (top_right - top_left);
  const Float4 b = bottom_left + wx * (bottom_right - bottom_left);
  const Float4 value = (t + wy * (b - t)) * a.scale + a.range.min;
  if constexpr (kOrder == ChannelOrder::kBgr)
    return __builtin_shufflevector(value, value, 2, 1, 0, 3);
  return value;
}

// Tensor pixels [begin, end) of a row, each of whose 2x2 sampling blocks,
// and the byte after it, lies inside the image: no clamping, and truncation
// is floor because positions are non-negative.
template <ChannelOrder kOrder>
void sample_interior(const RowTrace& row, int begin, int end, const Sampling& a, float* row_out) {
  const auto sample = [&](int i) {
    const auto [x, y] = row.at(i);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const std::uint8_t* top = a.image.row(y0) + static_cast<std::size_t>(x0) * 3;
    return blend<kOrder, true>(top, top + a.image.stride, 3, x - static_cast<float>(x0),
                               y - static_cast<float>(y0), a);
  };
  float* out = row_out + static_cast<std::size_t>(begin) * 3;
  for (int i = begin; i + 1 < end; ++i, out += 3) store_pixel<true>(sample(i), out);
  store_pixel<false>(sample(end - 1), out);
}

// The top-left pixel index of a sample's 2x2 block and its weight on the
// next pixel, with edges clamped like GL_CLAMP_TO_EDGE: the position is
// clamped to the outermost pixel centres (NaN goes to 0), and the block
// kept inside the image, so that the last centre is the block's far pixel
// at weight 1 (exactly that pixel's value: a + 1 * (b - a) == b for bytes).
struct EdgeSample {
  int index;
  float weight;
};

inline EdgeSample clamp_to_edge(float p, int size) {
  const float last = static_cast<float>(size - 1);
  const float clamped = p > 0 ? (p < last ? p : last) : 0.0f;
  const int index = std::min(static_cast<int>(clamped), std::max(size - 2, 0));
  return {index, clamped - static_cast<float>(index)};
}

// Tensor pixels [begin, end) of a row, anywhere: samples outside the image
// read 0 (kZero) or the nearest edge pixel (kReplicate).
template <ChannelOrder kOrder>
void sample_anywhere(const RowTrace& row, int begin, int end, const Sampling& a, float* row_out) {
  const float right_edge = static_cast<float>(a.image.width) - 0.5f;
  const float bottom_edge = static_cast<float>(a.image.height) - 0.5f;
  const int right = a.image.width > 1 ? 3 : 0;
  const std::size_t down = a.image.height > 1 ? a.image.stride : 0;
  const std::size_t buffer_size = static_cast<std::size_t>(a.image.height - 1) * a.image.stride +
                                  static_cast<std::size_t>(a.image.width) * 3;
  float* out = row_out + static_cast<std::size_t>(begin) * 3;
  for (int i = begin; i < end; ++i, out += 3) {
    const auto [x, y] = row.at(i);
    // The sample's pixel-edge coordinates are x + 0.5, y + 0.5.
    if (a.border == BorderMode::kZero &&
        (x < -0.5f || y < -0.5f || x > right_edge || y > bottom_edge)) {
      out[0] = out[1] = out[2] = a.range.min;
      continue;
    }
    const EdgeSample sx = clamp_to_edge(x, a.image.width), sy = clamp_to_edge(y, a.image.height);
    const std::size_t offset = static_cast<std::size_t>(sy.index) * a.image.stride +
                               static_cast<std::size_t>(sx.index) * 3;
    const std::uint8_t* top = a.image.data + offset;
    // Four-byte loads, unless the block's last pixel ends the buffer.
    const bool wide = offset + down + static_cast<std::size_t>(right) + 4 <= buffer_size;
    store_pixel<false>(wide ? blend<kOrder, true>(top, top + down, right, sx.weight, sy.weight, a)
                            : blend<kOrder, false>(top, top + down, right, sx.weight, sy.weight, a),
                       out);
  }
}

struct PixelSpan {
  int begin = 0, end = 0;
};

// The tensor pixels of a row whose samples can take the interior path: their
// 2x2 block and a column to spare (for the wide loads) inside the image.
// Positions are linear in i, so solving each bound for i gives the span; one
// pixel is dropped at each end and the ends are checked again, so that float
// rounding never lets a sample reach past the limits.
PixelSpan interior_span(const RowTrace& row, int width, const ImageView& image) {
  constexpr float kMargin = 1e-2f;
  const float x_limit = static_cast<float>(image.width - 2) - kMargin;
  const float y_limit = static_cast<float>(image.height - 1) - kMargin;
  double low = 0, high = width;
  const auto bound = [&](float start, float step, float limit) {
    if (step == 0) {
      if (!(start >= 0 && start < limit)) high = low;
      return;
    }
    const double a = -start / double{step}, b = (limit - start) / double{step};
    low = std::max(low, std::min(a, b));
    high = std::min(high, std::max(a, b));
  };
  bound(row.x, row.dx, x_limit);
  bound(row.y, row.dy, y_limit);
  if (!(high - low > 2)) return {};
  const PixelSpan span{static_cast<int>(std::ceil(low)) + 1,
                       static_cast<int>(std::floor(high)) - 1};
  const auto inside = [&](int i) {
    const auto [x, y] = row.at(i);
    return x >= 0 && y >= 0 && x < x_limit && y < y_limit;
  };
  if (span.begin >= span.end || !inside(span.begin) || !inside(span.end - 1)) return {};
  return span;
}

template <ChannelOrder kOrder>
void crop(const RotatedRect& roi, int dst_width, int dst_height, const Sampling& a, float* out) {
  const float cos_r = std::cos(roi.rotation), sin_r = std::sin(roi.rotation);
  // The tensor's unit square, centred, maps onto the rectangle: its x axis
  // runs along (cos, sin), its y axis along (-sin, cos).
  const float ux_x = roi.width * cos_r, ux_y = roi.width * sin_r;
  const float vy_x = -roi.height * sin_r, vy_y = roi.height * cos_r;
  const float du = 1.0f / static_cast<float>(dst_width);
  const float u0 = 0.5f * du - 0.5f;
  for (int j = 0; j < dst_height; ++j, out += static_cast<std::size_t>(dst_width) * 3) {
    const float v = (static_cast<float>(j) + 0.5f) / static_cast<float>(dst_height) - 0.5f;
    // Tensor pixel centres sample at pixel-index coordinates (centre - 0.5).
    const RowTrace row{roi.center_x + u0 * ux_x + v * vy_x - 0.5f,
                       roi.center_y + u0 * ux_y + v * vy_y - 0.5f, du * ux_x, du * ux_y};
    const PixelSpan interior = interior_span(row, dst_width, a.image);
    if (interior.begin < interior.end) {
      sample_anywhere<kOrder>(row, 0, interior.begin, a, out);
      sample_interior<kOrder>(row, interior.begin, interior.end, a, out);
      sample_anywhere<kOrder>(row, interior.end, dst_width, a, out);
    } else {
      sample_anywhere<kOrder>(row, 0, dst_width, a, out);
    }
  }
}

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
  const Sampling sampling{source, range, border, (range.max - range.min) / 255.0f};
  if (source.order == ChannelOrder::kBgr) {
    crop<ChannelOrder::kBgr>(roi, dst_width, dst_height, sampling, tensor.data());
  } else {
    crop<ChannelOrder::kRgb>(roi, dst_width, dst_height, sampling, tensor.data());
  }
}

}  // namespace signprep::image
