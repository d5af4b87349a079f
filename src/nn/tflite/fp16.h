// IEEE 754 binary16 -> binary32, exactly: every half value (normal,
// subnormal, zero, infinity, NaN with its payload) has an exact float32
// counterpart, so the conversion never rounds. Bit-identical to the
// hardware conversion for all 65536 inputs (checked in fp16_test.cpp).
#pragma once

#include <bit>
#include <cstdint>

namespace signprep::nn::detail {

constexpr float fp16_to_fp32(std::uint16_t half) {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1fu;
  const std::uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32 (an integer
    // below 2^10 times a power of two).
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(magnitude) | sign);
  }
  if (exponent == 0x1f) {
    // Infinity, or NaN with its payload; a signaling NaN comes out quiet, as
    // IEEE 754 conversions (and x86's vcvtph2ps) make it.
    const std::uint32_t quiet = mantissa != 0 ? 0x400000u : 0;
    return std::bit_cast<float>(sign | 0x7f800000u | quiet | (mantissa << 13));
  }
  // Normal: rebias the exponent (15 -> 127).
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

}  // namespace signprep::nn::detail
