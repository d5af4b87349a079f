// Facts about OpenCV 4.6 (modules/imgproc/src/resize.cpp, cv::hal::resize)
// that this file reproduces; the code is our own.
//
// - Scales are derived as OpenCV does: inv = dst / src, scale = 1 / inv (not
//   src / dst, which can differ in the last bit). A scale is "integer" when it
//   is within DBL_EPSILON of its rounded value.
// - INTER_AREA with both scales >= 1: integer scales take the block-average
//   path, others the area-weight tables. With any scale < 1 it is the
//   bilinear machinery with area-style coefficients on both axes.
// - INTER_LINEAR with both scales exactly 2 is the INTER_AREA 2x2 path.
// - Bilinear arithmetic: float source positions, 11-bit coefficients rounded
//   half to even, int32 horizontal sums, and a vertical pass that drops 4 bits,
//   keeps the high half of each 16x16-bit product and rounds the last 2 bits.
#include "image/resize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "image/pixel_vector.h"

// OpenCV's x86 build rounds every float product before adding it (its
// baseline has no FMA). A fused multiply-add rounds once and changes some
// pixels, so this file is compiled with -ffp-contract=off (CMakeLists.txt).

namespace signprep::image {
namespace {

constexpr int kChannels = 3;
constexpr int kCoefBits = 11;  // OpenCV's INTER_RESIZE_COEF_BITS
constexpr int kCoefOne = 1 << kCoefBits;

// cvRound: to nearest, ties to even (the default floating-point rounding mode).
int round_even(double value) {
  return static_cast<int>(std::lrint(value));
}
int round_even(float value) {
  return static_cast<int>(std::lrintf(value));
}
int floor_int(double value) {
  return static_cast<int>(std::floor(value));
}
int floor_int(float value) {
  return static_cast<int>(std::floor(value));
}

// saturate_cast<uchar>(float) and saturate_cast<short>(float).
std::uint8_t saturate_u8(float value) {
  return static_cast<std::uint8_t>(std::clamp(round_even(value), 0, 255));
}
std::int16_t saturate_s16(float value) {
  return static_cast<std::int16_t>(std::clamp(round_even(value), -32768, 32767));
}

struct AxisScale {
  double inv;    // dst / src: cv::resize's inv_scale
  double scale;  // 1 / inv
  int rounded;   // saturate_cast<int>(scale)
  bool integer;  // scale is (within DBL_EPSILON of) an integer
};

AxisScale axis_scale(int src_size, int dst_size) {
  AxisScale s{};
  s.inv = static_cast<double>(dst_size) / src_size;
  s.scale = 1.0 / s.inv;
  s.rounded = round_even(s.scale);
  s.integer = std::abs(s.scale - s.rounded) < DBL_EPSILON;
  return s;
}

void check_arguments(const ImageView& src, int width, int height, const char* name) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument(std::string(name) + ": destination size " + std::to_string(width) +
                                "x" + std::to_string(height) + " is not positive");
  }
  if (src.width <= 0 || src.height <= 0 || src.data == nullptr) {
    throw std::invalid_argument(std::string(name) + ": empty source image");
  }
}

Image copy_of(const ImageView& src) {
  Image copy(src.width, src.height, src.order);
  for (int y = 0; y < src.height; ++y) std::copy_n(src.row(y), copy.row_bytes(), copy.row(y));
  return copy;
}

// ---------------------------------------------------------------------------
// Integer scale factors (INTER_AREA, and INTER_LINEAR at exactly 2x): the mean
// of each kx * ky block. 2x2 rounds (sum + 2) >> 2; other blocks multiply the
// integer sum by the float 1 / area and round half to even, as OpenCV does.

Image block_average(const ImageView& src, int width, int height, int kx, int ky) {
  Image dst(width, height, src.order);
  const bool two_by_two = kx == 2 && ky == 2;
  const float inv_area = 1.f / static_cast<float>(kx * ky);
  std::vector<std::int64_t> column_sums(static_cast<std::size_t>(src.width) * kChannels);
  for (int dy = 0; dy < height; ++dy) {
    std::fill(column_sums.begin(), column_sums.end(), 0);
    for (int sy = dy * ky; sy < (dy + 1) * ky; ++sy) {
      const std::uint8_t* s = src.row(sy);
      for (std::size_t i = 0; i < column_sums.size(); ++i) column_sums[i] += s[i];
    }
    std::uint8_t* d = dst.row(dy);
    for (int dx = 0; dx < width; ++dx) {
      for (int c = 0; c < kChannels; ++c) {
        std::int64_t sum = 0;
        for (int sx = dx * kx; sx < (dx + 1) * kx; ++sx) sum += column_sums[sx * kChannels + c];
        d[dx * kChannels + c] = two_by_two ? static_cast<std::uint8_t>((sum + 2) >> 2)
                                           : saturate_u8(static_cast<float>(sum) * inv_area);
      }
    }
  }
  return dst;
}

// ---------------------------------------------------------------------------
// Non-integer downscale (INTER_AREA): each destination pixel is the
// area-weighted mean of the source pixels its cell covers. Weights are
// floats from double arithmetic; sums are float in OpenCV's order (source
// columns left to right, then source rows top to bottom).

struct AreaTap {
  int dst;
  int src;
  float weight;
};

// OpenCV's computeResizeAreaTab: the taps of each destination index in order.
std::vector<AreaTap> area_taps(int src_size, int dst_size, double scale) {
  std::vector<AreaTap> taps;
  taps.reserve(static_cast<std::size_t>(src_size) + dst_size * 2);
  for (int d = 0; d < dst_size; ++d) {
    const double start = d * scale;
    const double end = start + scale;
    const double cell = std::min(scale, src_size - start);  // the last cell may be cut short
    const int last = std::min(floor_int(end), src_size - 1);
    const int first = std::min(static_cast<int>(std::ceil(start)), last);
    // Slivers under 1e-3 of a pixel are dropped, as OpenCV does.
    if (first - start > 1e-3) {
      taps.push_back({d, first - 1, static_cast<float>((first - start) / cell)});
    }
    for (int s = first; s < last; ++s) taps.push_back({d, s, static_cast<float>(1.0 / cell)});
    if (end - last > 1e-3) {
      taps.push_back(
          {d, last, static_cast<float>(std::min(std::min(end - last, 1.), cell) / cell)});
    }
  }
  return taps;
}

// The x taps grouped by destination pixel, for a filter that keeps each
// pixel's three sums in one vector.
struct AreaColumns {
  std::vector<int> begin;  // taps of pixel d: [begin[d], begin[d + 1])
  std::vector<int> src_offset;
  std::vector<float> weight;
  // Pixels [0, wide_end) never read the row's last source pixel, so their
  // loads may take four bytes.
  int wide_end = 0;
};

AreaColumns area_columns(const std::vector<AreaTap>& taps, int src_size, int dst_size) {
  AreaColumns columns;
  columns.begin.assign(dst_size + 1, 0);
  columns.wide_end = dst_size;
  for (const AreaTap& tap : taps) {
    ++columns.begin[tap.dst + 1];
    columns.src_offset.push_back(tap.src * kChannels);
    columns.weight.push_back(tap.weight);
    if (tap.src == src_size - 1) columns.wide_end = std::min(columns.wide_end, tap.dst);
  }
  for (int d = 0; d < dst_size; ++d) columns.begin[d + 1] += columns.begin[d];
  return columns;
}

// Destination pixel d of one source row weighted horizontally. Each channel's
// sum starts at zero and adds its terms left to right, like OpenCV's buffer;
// the vector lanes do exactly that arithmetic, channel by channel.
template <bool kWide>
detail::Float4 area_filter_pixel(const std::uint8_t* s, const AreaColumns& x, int d) {
  detail::Float4 sum{};
  for (int t = x.begin[d]; t < x.begin[d + 1]; ++t) {
    sum += detail::load_pixel<kWide>(s + x.src_offset[t]) * x.weight[t];
  }
  return sum;
}

void area_filter_row(const std::uint8_t* s, const AreaColumns& x, float* out) {
  const int width = static_cast<int>(x.begin.size()) - 1;
  const int wide_end = std::min(x.wide_end, width - 1);  // the last store is narrow too
  int d = 0;
  for (; d < wide_end; ++d)
    detail::store_pixel<true>(area_filter_pixel<true>(s, x, d), out + d * kChannels);
  for (; d < width; ++d)
    detail::store_pixel<false>(area_filter_pixel<false>(s, x, d), out + d * kChannels);
}

// sum = w * row (a destination row's first tap) or sum += w * row, four
// floats at a time: GCC leaves the plain loop scalar.
void add_weighted_row(std::span<const float> row, float w, bool first_tap, std::span<float> sum) {
  std::size_t i = 0;
  for (; i + 4 <= row.size(); i += 4) {
    detail::Float4 r, acc{};
    std::memcpy(&r, &row[i], sizeof r);
    if (!first_tap) std::memcpy(&acc, &sum[i], sizeof acc);
    acc = first_tap ? w * r : acc + w * r;
    std::memcpy(&sum[i], &acc, sizeof acc);
  }
  for (; i < row.size(); ++i) sum[i] = first_tap ? w * row[i] : sum[i] + w * row[i];
}

Image area_weighted(const ImageView& src, int width, int height, const AxisScale& sx,
                    const AxisScale& sy) {
  Image dst(width, height, src.order);
  const AreaColumns x = area_columns(area_taps(src.width, width, sx.scale), src.width, width);
  const std::vector<AreaTap> y_taps = area_taps(src.height, height, sy.scale);
  const std::size_t row_size = static_cast<std::size_t>(width) * kChannels;
  std::vector<float> filtered(row_size), sum(row_size);
  int filtered_row = -1;  // a source row on a cell boundary serves two destination rows
  for (std::size_t k = 0; k < y_taps.size(); ++k) {
    const AreaTap& tap = y_taps[k];
    if (tap.src != filtered_row) {
      area_filter_row(src.row(tap.src), x, filtered.data());
      filtered_row = tap.src;
    }
    const bool first_tap = k == 0 || y_taps[k - 1].dst != tap.dst;
    add_weighted_row(filtered, tap.weight, first_tap, sum);
    if (k + 1 == y_taps.size() || y_taps[k + 1].dst != tap.dst) {
      std::uint8_t* d = dst.row(tap.dst);
      for (std::size_t i = 0; i < row_size; ++i) d[i] = saturate_u8(sum[i]);
    }
  }
  return dst;
}

// ---------------------------------------------------------------------------
// Bilinear in fixed point (INTER_LINEAR, and INTER_AREA when enlarging).

struct LinearAxis {
  std::vector<int> first;  // first source index of each destination index
  std::vector<std::int16_t> w0, w1;
  // x only: from this destination index on, the source is the last pixel
  // alone (OpenCV's xmax). The y axis is not clamped: rows are clipped instead.
  int edge_from = 0;
};

// A source position as integer part and float fraction.
struct Position {
  int index;
  float frac;
};

// Half-pixel centres: (d + 0.5) * scale - 0.5, rounded to float.
Position centre_position(int d, const AxisScale& s) {
  const float f = static_cast<float>((d + 0.5) * s.scale - 0.5);
  const int index = floor_int(f);
  return {index, f - static_cast<float>(index)};
}

// INTER_AREA when enlarging: the weight of the next pixel is the part of the
// destination cell past the source pixel's right edge.
Position area_position(int d, const AxisScale& s) {
  const int index = floor_int(d * s.scale);
  float f = static_cast<float>((d + 1) - (index + 1) * s.inv);
  f = f <= 0 ? 0.f : f - static_cast<float>(floor_int(f));
  return {index, f};
}

LinearAxis linear_axis(int src_size, int dst_size, const AxisScale& s, bool area_mode,
                       bool clamp_edges) {
  LinearAxis axis;
  axis.first.resize(dst_size);
  axis.w0.resize(dst_size);
  axis.w1.resize(dst_size);
  axis.edge_from = dst_size;
  for (int d = 0; d < dst_size; ++d) {
    Position p = area_mode ? area_position(d, s) : centre_position(d, s);
    if (clamp_edges && p.index < 0) p = {0, 0.f};
    if (clamp_edges && p.index >= src_size - 1) {
      axis.edge_from = std::min(axis.edge_from, d);
      p = {src_size - 1, 0.f};
    }
    axis.first[d] = p.index;
    axis.w0[d] = saturate_s16((1.f - p.frac) * kCoefOne);
    axis.w1[d] = saturate_s16(p.frac * kCoefOne);
  }
  return axis;
}

// OpenCV's HResizeLinear: a source row weighted into 11-bit fixed point
// (22-bit sums). Its vertical pass only ever uses those sums shifted right by
// 4 bits, which fit in 16 bits, so that is what is kept.
void linear_filter_row(const std::uint8_t* s, const LinearAxis& x, std::int16_t* out) {
  const int width = static_cast<int>(x.first.size());
  const int* first = x.first.data();
  const std::int16_t* w0 = x.w0.data();
  const std::int16_t* w1 = x.w1.data();
  for (int d = 0; d < x.edge_from; ++d) {
    const std::uint8_t* p = s + first[d] * kChannels;
    for (int c = 0; c < kChannels; ++c) {
      out[d * kChannels + c] =
          static_cast<std::int16_t>((p[c] * w0[d] + p[c + kChannels] * w1[d]) >> 4);
    }
  }
  for (int d = x.edge_from; d < width; ++d) {
    const std::uint8_t* p = s + first[d] * kChannels;
    for (int c = 0; c < kChannels; ++c) {
      out[d * kChannels + c] = static_cast<std::int16_t>((p[c] * kCoefOne) >> 4);
    }
  }
}

// OpenCV's vertical pass for 8-bit output, written to match its SIMD kernel
// (and the scalar code written to match that): each product keeps its high
// 16 bits, and (sum + 2) >> 2 rounds the last two.
std::uint8_t linear_blend(std::int16_t top, std::int16_t bottom, std::int16_t w0, std::int16_t w1) {
  const int sum = ((w0 * top) >> 16) + ((w1 * bottom) >> 16);
  return static_cast<std::uint8_t>(std::clamp((sum + 2) >> 2, 0, 255));
}

// The last two horizontally filtered rows: consecutive destination rows mostly
// share their source rows.
class FilteredRows {
 public:
  FilteredRows(const ImageView& src, const LinearAxis& x) : src_(src), x_(x) {
    for (Slot& slot : slots_) slot.values.resize(x.first.size() * kChannels);
  }

  // The filtered source row `row`, computed unless cached, never evicting `keep`.
  const std::int16_t* get(int row, int keep) {
    for (Slot& slot : slots_) {
      if (slot.row == row) return slot.values.data();
    }
    Slot& slot = slots_[0].row == keep ? slots_[1] : slots_[0];
    slot.row = row;
    linear_filter_row(src_.row(row), x_, slot.values.data());
    return slot.values.data();
  }

 private:
  struct Slot {
    int row = -1;
    std::vector<std::int16_t> values;
  };
  const ImageView& src_;
  const LinearAxis& x_;
  Slot slots_[2];
};

Image linear_resize(const ImageView& src, int width, int height, const AxisScale& sx,
                    const AxisScale& sy, bool area_mode) {
  Image dst(width, height, src.order);
  const LinearAxis x = linear_axis(src.width, width, sx, area_mode, /*clamp_edges=*/true);
  const LinearAxis y = linear_axis(src.height, height, sy, area_mode, /*clamp_edges=*/false);
  FilteredRows rows(src, x);
  const auto clip_row = [&](int row) { return std::clamp(row, 0, src.height - 1); };
  const std::size_t row_size = static_cast<std::size_t>(width) * kChannels;
  for (int dy = 0; dy < height; ++dy) {
    const int r0 = clip_row(y.first[dy]);
    const int r1 = clip_row(y.first[dy] + 1);
    const std::int16_t* top = rows.get(r0, r1);
    const std::int16_t* bottom = rows.get(r1, r0);
    const std::int16_t w0 = y.w0[dy], w1 = y.w1[dy];
    std::uint8_t* d = dst.row(dy);
    for (std::size_t i = 0; i < row_size; ++i) d[i] = linear_blend(top[i], bottom[i], w0, w1);
  }
  return dst;
}

}  // namespace

Image resize_area(const ImageView& src, int width, int height) {
  check_arguments(src, width, height, "resize_area");
  if (width == src.width && height == src.height) return copy_of(src);
  const AxisScale sx = axis_scale(src.width, width);
  const AxisScale sy = axis_scale(src.height, height);
  if (sx.scale >= 1 && sy.scale >= 1) {
    if (sx.integer && sy.integer) return block_average(src, width, height, sx.rounded, sy.rounded);
    return area_weighted(src, width, height, sx, sy);
  }
  return linear_resize(src, width, height, sx, sy, /*area_mode=*/true);
}

Image resize_bilinear(const ImageView& src, int width, int height) {
  check_arguments(src, width, height, "resize_bilinear");
  if (width == src.width && height == src.height) return copy_of(src);
  const AxisScale sx = axis_scale(src.width, width);
  const AxisScale sy = axis_scale(src.height, height);
  if (sx.integer && sy.integer && sx.rounded == 2 && sy.rounded == 2) {
    return block_average(src, width, height, 2, 2);
  }
  return linear_resize(src, width, height, sx, sy, /*area_mode=*/false);
}

}  // namespace signprep::image
