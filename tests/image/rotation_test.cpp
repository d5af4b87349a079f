// rotate_plane_clockwise against the definition of a clockwise quarter turn
// (the pixel at column x, row y of a W x H picture goes to column H-1-y,
// row x), on a plane of 2-byte elements (a 10-bit video plane) with odd
// sides and padded rows, and rotate_clockwise as its 3-byte case.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "image/image.h"

namespace signprep::image {
namespace {

constexpr int kWidth = 5, kHeight = 3, kElement = 2, kPadding = 6;

// Element (x, y) holds the bytes {x, y}: every element is distinct.
std::vector<std::uint8_t> labelled_plane(std::ptrdiff_t stride) {
  std::vector<std::uint8_t> plane(static_cast<std::size_t>(stride * kHeight), 0xEE);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      plane[static_cast<std::size_t>(y * stride + x * kElement)] = static_cast<std::uint8_t>(x);
      plane[static_cast<std::size_t>(y * stride + x * kElement + 1)] = static_cast<std::uint8_t>(y);
    }
  }
  return plane;
}

// Where element (x, y) of a kWidth x kHeight picture lands after `turns`
// clockwise quarter turns, one turn at a time: in a W x H picture (x, y)
// goes to (H-1-y, x), and the picture becomes H x W.
std::pair<int, int> destination_of(int turns, int x, int y) {
  int height = kHeight, width = kWidth;
  for (int t = 0; t < turns; ++t) {
    const int turned_x = height - 1 - y, turned_y = x;
    x = turned_x;
    y = turned_y;
    std::swap(width, height);
  }
  return {x, y};
}

class PlaneRotation : public ::testing::TestWithParam<int> {};

TEST_P(PlaneRotation, MovesEveryElementWhereTheTurnTakesIt) {
  const int degrees = GetParam(), turns = degrees / 90;
  constexpr std::ptrdiff_t kStride = kWidth * kElement + kPadding;
  const std::vector<std::uint8_t> source = labelled_plane(kStride);
  const bool swaps = turns % 2 == 1;
  const int width = swaps ? kHeight : kWidth, height = swaps ? kWidth : kHeight;
  const std::ptrdiff_t stride = width * kElement + kPadding;
  std::vector<std::uint8_t> rotated(static_cast<std::size_t>(stride * height), 0xEE);
  rotate_plane_clockwise({source.data(), kStride, kWidth, kHeight, kElement}, degrees,
                         rotated.data(), stride);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const auto [dx, dy] = destination_of(turns, x, y);
      const auto at = static_cast<std::size_t>(dy * stride + dx * kElement);
      EXPECT_EQ(rotated[at], x) << degrees << " degrees, source " << x << "," << y;
      EXPECT_EQ(rotated[at + 1], y) << degrees << " degrees, source " << x << "," << y;
    }
  }
  // The rows' padding is left alone.
  for (int dy = 0; dy < height; ++dy) {
    EXPECT_EQ(rotated[static_cast<std::size_t>(dy * stride + width * kElement)], 0xEE);
  }
}

INSTANTIATE_TEST_SUITE_P(Angles, PlaneRotation, ::testing::Values(0, 90, 180, 270));

TEST(PlaneRotation, RefusesOtherAngles) {
  std::vector<std::uint8_t> pixels(4);
  EXPECT_THROW(rotate_plane_clockwise({pixels.data(), 2, 2, 2, 1}, 45, pixels.data(), 2),
               std::invalid_argument);
}

TEST(RotateClockwise, TurnsAnRgbPictureAQuarterClockwise) {
  // 2 x 1: red then blue; a clockwise quarter turn puts red on top.
  const std::vector<std::uint8_t> pixels = {255, 0, 0, 0, 0, 255};
  const Image turned = rotate_clockwise({2, 1, ChannelOrder::kRgb, pixels.data(), 6}, 90);
  ASSERT_EQ(turned.width, 1);
  ASSERT_EQ(turned.height, 2);
  EXPECT_EQ(turned.pixels, (std::vector<std::uint8_t>{255, 0, 0, 0, 0, 255}));
  const Image back = rotate_clockwise(turned.view(), 270);
  EXPECT_EQ(back.pixels, pixels);
}

}  // namespace
}  // namespace signprep::image
