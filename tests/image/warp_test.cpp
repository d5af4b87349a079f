// crop_to_tensor against a direct double-precision evaluation of the
// definition in warp.h (each tensor pixel centre mapped through the rotated
// rectangle, a GL_LINEAR lookup with clamped edges, intensities mapped onto
// the range), on rectangles inside, across and outside the image; and its
// fastest kernel against the portable loop, bit for bit.
#include "image/warp.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace signprep::image {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Random pixels in rows padded with junk bytes, as decoder buffers are, or
// packed tightly (padding 0: the last pixel ends the buffer, so that the
// sanitizer build sees any read past it).
struct TestImage {
  TestImage(int w, int h, std::uint32_t seed, int padding = 5)
      : width(w), height(h), stride(static_cast<std::size_t>(w * 3 + padding)) {
    std::mt19937 random(seed);
    bytes.resize(stride * static_cast<std::size_t>(h));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
  }
  ImageView view(ChannelOrder order) const { return {width, height, order, bytes.data(), stride}; }
  int pixel(int x, int y, int byte) const {
    return bytes[static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x) * 3 +
                 static_cast<std::size_t>(byte)];
  }
  int width, height;
  std::size_t stride;
  std::vector<std::uint8_t> bytes;
};

struct Expected {
  double rgb[3];
  bool on_border;  // within rounding of the image edge, where kZero may go either way
};

Expected reference_pixel(const TestImage& image, ChannelOrder order, const RotatedRect& roi,
                         int dst_width, int dst_height, int i, int j, ValueRange range,
                         BorderMode border) {
  const double u = (i + 0.5) / dst_width - 0.5, v = (j + 0.5) / dst_height - 0.5;
  const double c = std::cos(double{roi.rotation}), s = std::sin(double{roi.rotation});
  const double x = roi.center_x + u * roi.width * c - v * roi.height * s;
  const double y = roi.center_y + u * roi.width * s + v * roi.height * c;
  const double w = image.width, h = image.height;
  Expected e{};
  constexpr double kEdge = 1e-3;
  e.on_border = border == BorderMode::kZero && (std::abs(x) < kEdge || std::abs(y) < kEdge ||
                                                std::abs(x - w) < kEdge || std::abs(y - h) < kEdge);
  if (border == BorderMode::kZero && (x < 0 || y < 0 || x > w || y > h)) {
    for (double& value : e.rgb) value = range.min;
    return e;
  }
  const double sx = x - 0.5, sy = y - 0.5;
  const double fx = std::floor(sx), fy = std::floor(sy);
  const auto clamp = [](double p, int last) {
    return static_cast<int>(std::clamp(p, 0.0, static_cast<double>(last)));
  };
  const int x0 = clamp(fx, image.width - 1), x1 = clamp(fx + 1, image.width - 1);
  const int y0 = clamp(fy, image.height - 1), y1 = clamp(fy + 1, image.height - 1);
  const double wx = sx - fx, wy = sy - fy;
  for (int channel = 0; channel < 3; ++channel) {
    const int byte = order == ChannelOrder::kBgr ? 2 - channel : channel;
    const double top = image.pixel(x0, y0, byte) * (1 - wx) + image.pixel(x1, y0, byte) * wx;
    const double bottom = image.pixel(x0, y1, byte) * (1 - wx) + image.pixel(x1, y1, byte) * wx;
    e.rgb[channel] = (top * (1 - wy) + bottom * wy) / 255 * (range.max - range.min) + range.min;
  }
  return e;
}

// Float positions on images under 300 px stray from the exact ones by under
// 1e-4 px, which moves a bilinear sample by under 255 * 1e-4 = 0.03 of an
// intensity level; float blending adds about 1e-5 of 255. Half a level,
// scaled to the range, leaves room for both and still catches any
// off-by-half-pixel or wrong-weight error (those move samples by many levels
// on random pixels).
constexpr double kLevels = 0.5;

void expect_matches_reference(const TestImage& image, ChannelOrder order, const RotatedRect& roi,
                              int dst_width, int dst_height, ValueRange range, BorderMode border) {
  std::vector<float> tensor(static_cast<std::size_t>(dst_width * dst_height * 3));
  crop_to_tensor(image.view(order), roi, dst_width, dst_height, range, border, tensor);
  const double tolerance = kLevels / 255 * (range.max - range.min);
  int compared = 0;
  double worst = 0;
  for (int j = 0; j < dst_height; ++j) {
    for (int i = 0; i < dst_width; ++i) {
      const Expected e =
          reference_pixel(image, order, roi, dst_width, dst_height, i, j, range, border);
      if (e.on_border) continue;
      for (int c = 0; c < 3; ++c) {
        const double got = tensor[static_cast<std::size_t>((j * dst_width + i) * 3 + c)];
        worst = std::max(worst, std::abs(got - e.rgb[c]));
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, dst_width * dst_height * 3 * 9 / 10);
  EXPECT_LE(worst, tolerance) << "roi centre (" << roi.center_x << ", " << roi.center_y << ") size "
                              << roi.width << "x" << roi.height << " rotation " << roi.rotation;
}

TEST(CropToTensor, IdentityCropReturnsThePixels) {
  const TestImage image(31, 17, 1);
  std::vector<float> tensor(31 * 17 * 3);
  crop_to_tensor(image.view(ChannelOrder::kRgb), {15.5f, 8.5f, 31, 17, 0}, 31, 17, {0, 255},
                 BorderMode::kZero, tensor);
  for (int y = 0; y < 17; ++y) {
    for (int x = 0; x < 31; ++x) {
      for (int c = 0; c < 3; ++c) {
        ASSERT_NEAR(tensor[static_cast<std::size_t>((y * 31 + x) * 3 + c)], image.pixel(x, y, c),
                    1e-3);
      }
    }
  }
}

TEST(CropToTensor, BgrSourcesComeOutRgb) {
  const TestImage image(8, 8, 2);
  std::vector<float> rgb(8 * 8 * 3), bgr(8 * 8 * 3);
  const RotatedRect whole{4, 4, 8, 8, 0};
  crop_to_tensor(image.view(ChannelOrder::kRgb), whole, 8, 8, {0, 1}, BorderMode::kZero, rgb);
  crop_to_tensor(image.view(ChannelOrder::kBgr), whole, 8, 8, {0, 1}, BorderMode::kZero, bgr);
  for (std::size_t p = 0; p < rgb.size(); p += 3) {
    EXPECT_EQ(rgb[p], bgr[p + 2]);
    EXPECT_EQ(rgb[p + 1], bgr[p + 1]);
    EXPECT_EQ(rgb[p + 2], bgr[p]);
  }
}

TEST(CropToTensor, MatchesTheDefinitionOnRotatedScaledAndOutlyingRectangles) {
  const TestImage image(257, 143, 3);
  const RotatedRect rects[] = {
      {128.5f, 71.5f, 257, 143, 0},                          // the whole image, resampled
      {100, 70, 60, 60, static_cast<float>(kPi / 6)},        // inside, rotated 30 degrees
      {200, 40, 90, 120, static_cast<float>(-kPi / 3)},      // across two edges
      {10, 130, 150, 150, static_cast<float>(3 * kPi / 4)},  // mostly outside
      {400, -200, 50, 50, 0.3f},                             // entirely outside
      {50.2f, 60.7f, 7.3f, 5.1f, 1.0f},                      // magnified a few pixels
  };
  for (const RotatedRect& roi : rects) {
    for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
      for (ChannelOrder order : {ChannelOrder::kRgb, ChannelOrder::kBgr}) {
        expect_matches_reference(image, order, roi, 96, 80, {-1, 1}, border);
      }
    }
  }
}

TEST(CropToTensor, ReadsNothingPastATightlyPackedImage) {
  const TestImage image(64, 48, 5, /*padding=*/0);
  const RotatedRect rects[] = {{32, 24, 64, 48, 0}, {40, 30, 50, 40, 0.05f}, {60, 44, 9, 9, 0}};
  for (const RotatedRect& roi : rects) {
    for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
      expect_matches_reference(image, ChannelOrder::kRgb, roi, 128, 96, {0, 1}, border);
    }
  }
}

TEST(CropToTensor, HandlesImagesOnePixelWideOrHigh) {
  for (const TestImage& image :
       {TestImage(1, 1, 6, 0), TestImage(1, 5, 7, 0), TestImage(7, 1, 8, 0)}) {
    const RotatedRect roi{0.5f * image.width, 0.5f * image.height, 4, 4, 0.7f};
    for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
      expect_matches_reference(image, ChannelOrder::kRgb, roi, 16, 16, {0, 1}, border);
    }
  }
}

bool cpu_has_avx512() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

std::vector<float> crop(const ImageView& image, const RotatedRect& roi, int width, int height,
                        ValueRange range, BorderMode border, CropKernel kernel) {
  std::vector<float> tensor(static_cast<std::size_t>(width * height * 3));
  crop_to_tensor(image, roi, width, height, range, border, tensor, kernel);
  return tensor;
}

// The same floats to the bit: compared as bytes, so that NaN would count.
void expect_kernels_agree(const ImageView& image, const RotatedRect& roi, int width, int height,
                          ValueRange range, BorderMode border) {
  const std::vector<float> fastest =
      crop(image, roi, width, height, range, border, CropKernel::kFastest);
  const std::vector<float> portable =
      crop(image, roi, width, height, range, border, CropKernel::kPortable);
  ASSERT_EQ(std::memcmp(fastest.data(), portable.data(), fastest.size() * sizeof(float)), 0)
      << image.width << "x" << image.height << " image, roi centre (" << roi.center_x << ", "
      << roi.center_y << ") size " << roi.width << "x" << roi.height << " rotation " << roi.rotation
      << ", tensor " << width << "x" << height
      << (border == BorderMode::kZero ? ", zero border" : ", replicated border");
}

// Random images (1 to 300 pixels a side, packed or padded), rectangles
// anywhere around them at any angle and scale, tensors of any width (whole
// steps of sixteen and remainders), both borders and channel orders.
TEST(CropToTensor, FastestKernelEqualsThePortableLoop) {
  if (!cpu_has_avx512()) GTEST_SKIP() << "no AVX-512 here: both kernels are the portable loop";
  std::mt19937 random(11);
  const auto uniform = [&](double low, double high) {
    return static_cast<float>(std::uniform_real_distribution<double>(low, high)(random));
  };
  const auto integer = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  for (int trial = 0; trial < 400; ++trial) {
    const int w = trial % 10 == 0 ? integer(1, 3) : integer(1, 300);
    const int h = trial % 10 == 1 ? integer(1, 3) : integer(1, 300);
    const TestImage image(w, h, static_cast<std::uint32_t>(trial), trial % 2 == 0 ? 0 : 7);
    const RotatedRect roi{uniform(-w, 2.0 * w), uniform(-h, 2.0 * h), uniform(0.5, 3.0 * w),
                          uniform(0.5, 3.0 * h), uniform(-kPi, kPi)};
    const int width = trial % 3 == 0 ? 16 * integer(1, 16) : integer(1, 70);
    const int height = integer(1, 40);
    const ChannelOrder order = trial % 4 < 2 ? ChannelOrder::kRgb : ChannelOrder::kBgr;
    for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
      expect_kernels_agree(image.view(order), roi, width, height, {-1, 1}, border);
    }
  }
}

// Positions no pixel has: far outside (beyond int range once scaled) and NaN.
TEST(CropToTensor, FastestKernelEqualsThePortableLoopOnWildRectangles) {
  if (!cpu_has_avx512()) GTEST_SKIP() << "no AVX-512 here: both kernels are the portable loop";
  const TestImage image(40, 30, 9, 0);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const RotatedRect rects[] = {
      {1e12f, -1e12f, 1e10f, 1e10f, 0.3f},
      {20, 15, 1e9f, 1e9f, 1.1f},
      {nan, 15, 30, 30, 0},
      {20, 15, 30, 30, nan},
      {-3e9f, 4e9f, 5, 5, -2.0f},
  };
  for (const RotatedRect& roi : rects) {
    for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
      expect_kernels_agree(image.view(ChannelOrder::kRgb), roi, 48, 8, {0, 1}, border);
    }
  }
}

// The image ends where readable memory ends (an inaccessible page after
// its last byte), so that any read past it, which the sanitizers do not
// see in vector gathers, crashes the test.
TEST(CropToTensor, ReadsNothingPastTheImageAtTheEndOfMemory) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mapping =
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  ASSERT_EQ(mprotect(static_cast<std::uint8_t*>(mapping) + page, page, PROT_NONE), 0);
  for (const auto& [w, h] :
       {std::pair{32, 40}, std::pair{17, 5}, std::pair{1, 60}, std::pair{60, 1}}) {
    const TestImage source(w, h, 10, 0);
    std::uint8_t* const end = static_cast<std::uint8_t*>(mapping) + page;
    std::uint8_t* const start = end - source.bytes.size();
    std::memcpy(start, source.bytes.data(), source.bytes.size());
    const ImageView image{w, h, ChannelOrder::kRgb, start, source.stride};
    // Rectangles over the last row and column, and the corner beyond them.
    const RotatedRect rects[] = {{w - 1.0f, h - 1.0f, 6, 6, 0.2f},
                                 {0.5f * w, 0.5f * h, 1.5f * w, 1.5f * h, 0},
                                 {w + 3.0f, h + 3.0f, 8, 8, 0}};
    for (const RotatedRect& roi : rects) {
      for (BorderMode border : {BorderMode::kZero, BorderMode::kReplicate}) {
        expect_kernels_agree(image, roi, 32, 32, {0, 1}, border);
      }
    }
  }
  munmap(mapping, 2 * page);
}

TEST(CropToTensor, RejectsAMismatchedTensor) {
  const TestImage image(4, 4, 4);
  std::vector<float> tensor(10);
  EXPECT_THROW(crop_to_tensor(image.view(ChannelOrder::kRgb), {2, 2, 4, 4, 0}, 4, 4, {0, 1},
                              BorderMode::kZero, tensor),
               std::invalid_argument);
}

}  // namespace
}  // namespace signprep::image
