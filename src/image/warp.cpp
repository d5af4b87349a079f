#include "image/warp.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#if defined(__x86_64__)
// GCC 12 takes the intrinsics' deliberately undefined start values
// (_mm512_undefined_ps and kin) for uninitialised reads.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

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

#if defined(__x86_64__)
// Permute indices for SixteenPixels::store_interleaved: output element
// 16 v + k is channel (16 v + k) % 3 of pixel (16 v + k) / 3; indices 16-31
// pick from the permute's second vector.
struct Interleaving {
  alignas(64) int first_two[3][16];
  alignas(64) int with_third[3][16];
};
constexpr Interleaving interleaving() {
  Interleaving tables{};
  for (int v = 0; v < 3; ++v) {
    for (int k = 0; k < 16; ++k) {
      const int element = 16 * v + k, pixel = element / 3, c = element % 3;
      tables.first_two[v][k] = c == 1 ? 16 + pixel : pixel;
      tables.with_third[v][k] = c == 2 ? 16 + pixel : k;
    }
  }
  return tables;
}
constexpr Interleaving kInterleaving = interleaving();

// Sixteen tensor pixels at a time on AVX-512, anywhere in the image or
// outside it: each lane does the portable loop's operations in its order
// (edges clamped as clamp_to_edge does, the blend as blend(); warp.cpp is
// built without contraction), so the tensor is the same to the bit. Gathers
// read eight bytes a lane, a pixel and its right neighbour; a step whose
// last read would pass the buffer's end, and an image too large for 32-bit
// offsets, are left to sample_anywhere. About twice the portable loop's
// speed (docs/BENCHMARKS.md).
class SixteenPixels {
 public:
  explicit SixteenPixels(const Sampling& a)
      : a_(a),
        buffer_size_(static_cast<std::int64_t>(a.image.height - 1) *
                         static_cast<std::int64_t>(a.image.stride) +
                     std::int64_t{a.image.width} * 3),
        right_(a.image.width > 1 ? 3 : 0),
        down_(a.image.height > 1 ? static_cast<int>(a.image.stride) : 0) {}

  // Whether gathers can address the whole image.
  bool usable() const { return buffer_size_ + 8 < (std::int64_t{1} << 31); }

  // Samples tensor pixels [begin, begin + 16) of `row` into `out` (the
  // first pixel's R); false, with nothing written, where a lane's read
  // would pass the buffer's end.
  template <ChannelOrder kOrder>
  [[gnu::target("avx512f")]] bool sample(const RowTrace& row, int begin, float* out) const {
    const __m512 i = _mm512_cvtepi32_ps(
        _mm512_add_epi32(_mm512_set1_epi32(begin),
                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
    const __m512 x = _mm512_add_ps(_mm512_set1_ps(row.x), _mm512_mul_ps(i, _mm512_set1_ps(row.dx)));
    const __m512 y = _mm512_add_ps(_mm512_set1_ps(row.y), _mm512_mul_ps(i, _mm512_set1_ps(row.dy)));
    const Clamped sx = clamp(x, a_.image.width), sy = clamp(y, a_.image.height);
    const __m512i offset = _mm512_add_epi32(
        _mm512_mullo_epi32(sy.index, _mm512_set1_epi32(static_cast<int>(a_.image.stride))),
        _mm512_mullo_epi32(sx.index, _mm512_set1_epi32(3)));
    const __m512i bottom = _mm512_add_epi32(offset, _mm512_set1_epi32(down_));
    const __m512i last_read = _mm512_add_epi32(bottom, _mm512_set1_epi32(8));
    if (_mm512_cmpgt_epi32_mask(last_read, _mm512_set1_epi32(static_cast<int>(buffer_size_))) != 0)
      return false;
    const Pair top = pixel_pairs(offset), below = pixel_pairs(bottom);
    __m512 channel[3];
    for (int c = 0; c < 3; ++c) {
      const __m512 tl = byte(top.left, c), tr = byte(top.right, c);
      const __m512 bl = byte(below.left, c), br = byte(below.right, c);
      const __m512 t = _mm512_add_ps(tl, _mm512_mul_ps(sx.weight, _mm512_sub_ps(tr, tl)));
      const __m512 b = _mm512_add_ps(bl, _mm512_mul_ps(sx.weight, _mm512_sub_ps(br, bl)));
      const __m512 value = _mm512_add_ps(t, _mm512_mul_ps(sy.weight, _mm512_sub_ps(b, t)));
      channel[c] = _mm512_add_ps(_mm512_mul_ps(value, _mm512_set1_ps(a_.scale)),
                                 _mm512_set1_ps(a_.range.min));
    }
    if (a_.border == BorderMode::kZero) {
      const __mmask16 outside =
          _mm512_cmp_ps_mask(x, _mm512_set1_ps(-0.5f), _CMP_LT_OQ) |
          _mm512_cmp_ps_mask(y, _mm512_set1_ps(-0.5f), _CMP_LT_OQ) |
          _mm512_cmp_ps_mask(x, _mm512_set1_ps(static_cast<float>(a_.image.width) - 0.5f),
                             _CMP_GT_OQ) |
          _mm512_cmp_ps_mask(y, _mm512_set1_ps(static_cast<float>(a_.image.height) - 0.5f),
                             _CMP_GT_OQ);
      for (__m512& value : channel)
        value = _mm512_mask_blend_ps(outside, value, _mm512_set1_ps(a_.range.min));
    }
    if constexpr (kOrder == ChannelOrder::kBgr) std::swap(channel[0], channel[2]);
    store_interleaved(channel, out);
    return true;
  }

 private:
  struct Clamped {
    __m512i index;
    __m512 weight;
  };

  struct Pair {
    __m512i left, right;
  };

  // Each lane's pixel at `offset` and the one to its right (itself in an
  // image one pixel wide), as words whose low three bytes are the pixel's:
  // one eight-byte read a lane, half the elements of two four-byte gathers.
  [[gnu::target("avx512f")]] Pair pixel_pairs(__m512i offset) const {
    const __m512i low = _mm512_i32gather_epi64(_mm512_castsi512_si256(offset), a_.image.data, 1);
    const __m512i high =
        _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(offset, 1), a_.image.data, 1);
    const unsigned right_shift = 8U * static_cast<unsigned>(right_);
    return {words(low, high),
            words(_mm512_srli_epi64(low, right_shift), _mm512_srli_epi64(high, right_shift))};
  }

  // The low four bytes of each eight-byte lane of `first`, then `second`.
  [[gnu::target("avx512f")]] static __m512i words(__m512i first, __m512i second) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(first)),
                              _mm512_cvtepi64_epi32(second), 1);
  }

  // Byte `c` of each lane's word, as a float.
  [[gnu::target("avx512f")]] static __m512 byte(__m512i word, int c) {
    return _mm512_cvtepi32_ps(
        _mm512_and_si512(_mm512_srli_epi32(word, 8 * c), _mm512_set1_epi32(0xff)));
  }

  // clamp_to_edge on sixteen positions (NaN to 0: ordered compares).
  [[gnu::target("avx512f")]] static Clamped clamp(__m512 p, int size) {
    const __m512 last = _mm512_set1_ps(static_cast<float>(size - 1));
    const __m512 upper = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(p, last, _CMP_LT_OQ), last, p);
    const __m512 clamped =
        _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(p, _mm512_setzero_ps(), _CMP_GT_OQ), upper);
    const __m512i index =
        _mm512_min_epi32(_mm512_cvttps_epi32(clamped), _mm512_set1_epi32(std::max(size - 2, 0)));
    return {index, _mm512_sub_ps(clamped, _mm512_cvtepi32_ps(index))};
  }

  // Writes sixteen pixels' three channels as 48 interleaved floats: each
  // output vector takes its first two channels' values from one permute
  // and the third channel's from another.
  [[gnu::target("avx512f")]] static void store_interleaved(const __m512 (&channel)[3], float* out) {
    for (int v = 0; v < 3; ++v) {
      const __m512 two = _mm512_permutex2var_ps(
          channel[0], _mm512_load_si512(kInterleaving.first_two[v]), channel[1]);
      _mm512_storeu_ps(
          out + 16 * v,
          _mm512_permutex2var_ps(two, _mm512_load_si512(kInterleaving.with_third[v]), channel[2]));
    }
  }

  const Sampling& a_;
  std::int64_t buffer_size_;
  int right_, down_;
};
#endif

template <ChannelOrder kOrder>
void crop(const RotatedRect& roi, int dst_width, int dst_height, const Sampling& a,
          CropKernel kernel, float* out) {
  const float cos_r = std::cos(roi.rotation), sin_r = std::sin(roi.rotation);
  // The tensor's unit square, centred, maps onto the rectangle: its x axis
  // runs along (cos, sin), its y axis along (-sin, cos).
  const float ux_x = roi.width * cos_r, ux_y = roi.width * sin_r;
  const float vy_x = -roi.height * sin_r, vy_y = roi.height * cos_r;
  const float du = 1.0f / static_cast<float>(dst_width);
  const float u0 = 0.5f * du - 0.5f;
#if defined(__x86_64__)
  const SixteenPixels sixteen(a);
  const bool vectors =
      kernel == CropKernel::kFastest && sixteen.usable() && __builtin_cpu_supports("avx512f");
#else
  static_cast<void>(kernel);
#endif
  for (int j = 0; j < dst_height; ++j, out += static_cast<std::size_t>(dst_width) * 3) {
    const float v = (static_cast<float>(j) + 0.5f) / static_cast<float>(dst_height) - 0.5f;
    // Tensor pixel centres sample at pixel-index coordinates (centre - 0.5).
    const RowTrace row{roi.center_x + u0 * ux_x + v * vy_x - 0.5f,
                       roi.center_y + u0 * ux_y + v * vy_y - 0.5f, du * ux_x, du * ux_y};
#if defined(__x86_64__)
    if (vectors) {
      int i = 0;
      for (; i + 16 <= dst_width; i += 16) {
        if (!sixteen.sample<kOrder>(row, i, out + static_cast<std::size_t>(i) * 3))
          sample_anywhere<kOrder>(row, i, i + 16, a, out);
      }
      sample_anywhere<kOrder>(row, i, dst_width, a, out);
      continue;
    }
#endif
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
                    ValueRange range, BorderMode border, std::span<float> tensor,
                    CropKernel kernel) {
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
    crop<ChannelOrder::kBgr>(roi, dst_width, dst_height, sampling, kernel, tensor.data());
  } else {
    crop<ChannelOrder::kRgb>(roi, dst_width, dst_height, sampling, kernel, tensor.data());
  }
}

}  // namespace signprep::image
