// signprep's resize against OpenCV 4.6: hand-checked cases that pin down the
// conventions here, and bit-for-bit comparisons with cv2.resize on dataset
// frame sizes, edge cases and random sizes (check_resize.py, which drives
// resize_tool).
#include "image/resize.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

namespace signprep::image {
namespace {

// A view of `pixels` (packed rgb24 rows) with `padding` junk bytes after each row.
struct PaddedImage {
  PaddedImage(int w, int h, const std::vector<std::uint8_t>& pixels, std::size_t padding = 7)
      : width(w), height(h), stride(static_cast<std::size_t>(w) * 3 + padding) {
    bytes.assign(stride * static_cast<std::size_t>(h), 0xEE);
    for (int y = 0; y < h; ++y) {
      std::copy_n(pixels.begin() + static_cast<std::ptrdiff_t>(y) * w * 3, w * 3,
                  bytes.begin() + static_cast<std::ptrdiff_t>(y * stride));
    }
  }
  ImageView view(ChannelOrder order = ChannelOrder::kRgb) const {
    return {width, height, order, bytes.data(), stride};
  }
  int width, height;
  std::size_t stride;
  std::vector<std::uint8_t> bytes;
};

// A grey image: each pixel (v, v, v).
std::vector<std::uint8_t> grey(const std::vector<std::uint8_t>& values) {
  std::vector<std::uint8_t> pixels;
  for (std::uint8_t v : values) pixels.insert(pixels.end(), {v, v, v});
  return pixels;
}

std::vector<std::uint8_t> first_channel(const Image& image) {
  std::vector<std::uint8_t> values;
  for (std::size_t i = 0; i < image.pixels.size(); i += 3) values.push_back(image.pixels[i]);
  return values;
}

using Resize = Image (*)(const ImageView&, int, int);

TEST(Resize, SameSizeIsACopyWithoutPadding) {
  std::vector<std::uint8_t> pixels(5 * 4 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 11);
  const PaddedImage src(5, 4, pixels);
  for (Resize resize : {&resize_area, &resize_bilinear}) {
    const Image out = resize(src.view(ChannelOrder::kBgr), 5, 4);
    EXPECT_EQ(out.width, 5);
    EXPECT_EQ(out.height, 4);
    EXPECT_EQ(out.order, ChannelOrder::kBgr);
    EXPECT_EQ(out.pixels, pixels);
  }
}

TEST(Resize, ConstantImagesStayConstant) {
  const std::pair<int, int> sizes[] = {{1920, 1080}, {192, 144}, {1, 1}, {7, 300}, {600, 2}};
  for (auto [w, h] : sizes) {
    const PaddedImage src(w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, 77));
    for (Resize resize : {&resize_area, &resize_bilinear}) {
      for (auto [ow, oh] : {std::pair{256, 256}, std::pair{299, 299}, std::pair{3, 1}}) {
        const Image out = resize(src.view(), ow, oh);
        EXPECT_EQ(out.pixels, std::vector<std::uint8_t>(static_cast<std::size_t>(ow) * oh * 3, 77))
            << w << "x" << h << " -> " << ow << "x" << oh;
      }
    }
  }
}

TEST(Resize, SinglePixelFillsTheDestination) {
  const PaddedImage src(1, 1, {10, 200, 30});
  for (Resize resize : {&resize_area, &resize_bilinear}) {
    const Image out = resize(src.view(), 4, 3);
    for (std::size_t i = 0; i < out.pixels.size(); i += 3) {
      EXPECT_EQ(out.pixels[i], 10);
      EXPECT_EQ(out.pixels[i + 1], 200);
      EXPECT_EQ(out.pixels[i + 2], 30);
    }
  }
}

// OpenCV's 2x2 box rounds half up; other integer blocks divide in float and
// round half to even.
TEST(Resize, IntegerBlocksRoundLikeOpenCv) {
  const PaddedImage two_by_two(2, 2, grey({0, 0, 1, 1}));  // mean 0.5
  EXPECT_EQ(first_channel(resize_area(two_by_two.view(), 1, 1)), std::vector<std::uint8_t>{1});
  EXPECT_EQ(first_channel(resize_bilinear(two_by_two.view(), 1, 1)), std::vector<std::uint8_t>{1});

  const PaddedImage column(1, 4, grey({1, 2, 2, 3}));  // means 1.5 and 2.5
  EXPECT_EQ(first_channel(resize_area(column.view(), 1, 2)), (std::vector<std::uint8_t>{2, 2}));
}

// Half-pixel centres, replicated edges and the fixed-point rounding:
// 0 and 255 enlarged to four pixels sample at -0.25, 0.25, 0.75 and 1.25.
TEST(Resize, BilinearEnlargesWithHalfPixelCentres) {
  const PaddedImage src(2, 1, grey({0, 255}));
  EXPECT_EQ(first_channel(resize_bilinear(src.view(), 4, 1)),
            (std::vector<std::uint8_t>{0, 64, 191, 255}));
}

// INTER_AREA enlarging: pixel boundaries are kept where they fall inside a
// destination pixel, which is otherwise a copy.
TEST(Resize, AreaEnlargesWithAreaCoefficients) {
  const PaddedImage src(2, 1, grey({0, 255}));
  EXPECT_EQ(first_channel(resize_area(src.view(), 4, 1)),
            (std::vector<std::uint8_t>{0, 0, 255, 255}));
  EXPECT_EQ(first_channel(resize_area(src.view(), 3, 1)), (std::vector<std::uint8_t>{0, 128, 255}));
}

TEST(Resize, RejectsEmptySizes) {
  const PaddedImage src(2, 2, grey({1, 2, 3, 4}));
  for (Resize resize : {&resize_area, &resize_bilinear}) {
    EXPECT_THROW(resize(src.view(), 0, 5), std::invalid_argument);
    EXPECT_THROW(resize(src.view(), 5, -1), std::invalid_argument);
    EXPECT_THROW(resize(ImageView{}, 5, 5), std::invalid_argument);
  }
}

// Bit-for-bit against cv2.resize (Debian 12's python3-opencv, OpenCV 4.6).
int check_against_opencv(const std::string& group) {
  return test::run_python("image/check_resize.py", std::string(SIGNPREP_RESIZE_TOOL) + " " + group);
}

TEST(ResizeMatchesOpenCv, DatasetFrameSizes) {
  EXPECT_EQ(check_against_opencv("dataset"), 0);
}
TEST(ResizeMatchesOpenCv, EdgeCases) {
  EXPECT_EQ(check_against_opencv("edges"), 0);
}
TEST(ResizeMatchesOpenCv, RandomSizes) {
  EXPECT_EQ(check_against_opencv("random"), 0);
}

}  // namespace
}  // namespace signprep::image
