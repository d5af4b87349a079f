// Private to image/: one 8-bit RGB pixel as a vector of four floats (R, G, B
// and a spare lane), so that per-pixel arithmetic is one vector operation
// per step instead of three scalar ones. GCC/Clang vector extensions: SSE2
// on x86-64, NEON on ARM, from one piece of code. The lanes do exactly the
// scalar operations, so results are bit-identical to per-channel code.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace signprep::image::detail {

using Float4 = float __attribute__((vector_size(16)));

// `kWide` loads four bytes at once; the caller guarantees that the spare
// byte (the next pixel's first) is inside the buffer.
template <bool kWide>
inline Float4 load_pixel(const std::uint8_t* pixel) {
  std::uint32_t word;
  if constexpr (kWide) {
    std::memcpy(&word, pixel, 4);
  } else {  // in registers: a 3-byte memcpy goes through the stack
    word = pixel[0] | (std::uint32_t{pixel[1]} << 8) | (std::uint32_t{pixel[2]} << 16);
  }
#if defined(__SSE2__)
  // GCC builds the generic conversion below through the stack, which stalls
  // on store forwarding; these three instructions are what it should be.
  const __m128i zero = _mm_setzero_si128();
  const __m128i bytes = _mm_cvtsi32_si128(static_cast<int>(word));
  return _mm_cvtepi32_ps(_mm_unpacklo_epi16(_mm_unpacklo_epi8(bytes, zero), zero));
#else
  return Float4{static_cast<float>(word & 0xff), static_cast<float>((word >> 8) & 0xff),
                static_cast<float>((word >> 16) & 0xff), static_cast<float>(word >> 24)};
#endif
}

// Writes R, G, B, and with kWide also the spare lane over the next pixel's
// first value, which the caller writes afterwards.
template <bool kWide>
inline void store_pixel(const Float4& value, float* out) {
  std::memcpy(out, &value, (kWide ? 4 : 3) * sizeof(float));
}

}  // namespace signprep::image::detail
