// fp16_to_fp32 on all 65536 inputs against the binary16 definition:
// (-1)^s * 2^(e-15) * (1 + m/1024) for normals, 2^-24 * m for subnormals,
// infinities, and NaNs that keep their payload and come out quiet.
#include "nn/tflite/fp16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>

namespace signprep::nn::detail {
namespace {

TEST(Fp16, EveryValueConvertsExactly) {
  for (std::uint32_t half = 0; half < 0x10000; ++half) {
    const int sign = (half >> 15) & 1, exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff;
    const float got = fp16_to_fp32(static_cast<std::uint16_t>(half));
    ASSERT_EQ(std::signbit(got), sign == 1) << std::hex << half;
    if (exponent == 0x1f && mantissa != 0) {
      const std::uint32_t bits = std::bit_cast<std::uint32_t>(got);
      ASSERT_TRUE(std::isnan(got)) << std::hex << half;
      ASSERT_EQ((bits >> 13) & 0x1ff, static_cast<std::uint32_t>(mantissa & 0x1ff))
          << std::hex << half;
      ASSERT_TRUE(bits & 0x400000) << "quiet " << std::hex << half;
      continue;
    }
    double expected = exponent == 0x1f ? INFINITY
                      : exponent == 0  ? std::ldexp(mantissa, -24)
                                       : std::ldexp(1024 + mantissa, exponent - 25);
    if (sign) expected = -expected;
    ASSERT_EQ(static_cast<double>(got), expected) << std::hex << half;
  }
}

TEST(Fp16, KnownValues) {
  EXPECT_EQ(fp16_to_fp32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_fp32(0xc000), -2.0f);
  EXPECT_EQ(fp16_to_fp32(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_fp32(0x0001), 0x1p-24f);
  EXPECT_EQ(fp16_to_fp32(0x03ff), 0x1.ff8p-15f);  // largest subnormal
  EXPECT_EQ(fp16_to_fp32(0x0400), 0x1p-14f);      // smallest normal
  EXPECT_EQ(fp16_to_fp32(0xfc00), -INFINITY);
  static_assert(fp16_to_fp32(0x3555) == 0x1.554p-2f);  // usable at compile time
}

}  // namespace
}  // namespace signprep::nn::detail
