// Helpers shared by the .tflite reader tests: the models directory, file
// bytes, and an fp16 encoder that is independent of the reader's decoder.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace signprep::test {

inline std::filesystem::path model_path(const std::string& name) {
  return std::filesystem::path(SIGNPREP_MODELS_DIR) / (name + ".tflite");
}

inline std::vector<std::byte> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": missing (run scripts/setup)");
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::byte> bytes(chars.size());
  if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// The binary16 bits of a float that is exactly a half value (finite): the
// inverse of the reader's decoding, written from the format's definition.
inline std::uint16_t exact_half_bits(float value) {
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  const float magnitude = std::fabs(value);
  if (magnitude == 0) return sign;
  int exponent = 0;
  const float fraction = std::frexp(magnitude, &exponent);  // magnitude = fraction * 2^exponent
  const int biased = exponent + 14;                         // half: (1 + m/1024) * 2^(biased - 15)
  if (biased >= 1) {
    const float mantissa = (fraction * 2 - 1) * 1024;
    if (biased > 30 || mantissa != std::floor(mantissa)) throw std::invalid_argument("not a half");
    return static_cast<std::uint16_t>(sign | biased << 10 | static_cast<int>(mantissa));
  }
  const float mantissa = std::ldexp(magnitude, 24);  // subnormal: m * 2^-24
  if (mantissa != std::floor(mantissa)) throw std::invalid_argument("not a half");
  return static_cast<std::uint16_t>(sign | static_cast<int>(mantissa));
}

inline std::vector<std::byte> half_bytes(std::span<const float> values) {
  std::vector<std::byte> bytes(values.size() * 2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint16_t bits = exact_half_bits(values[i]);
    std::memcpy(bytes.data() + 2 * i, &bits, 2);
  }
  return bytes;
}

inline bool contains(std::span<const std::byte> haystack, std::span<const std::byte> needle) {
  const std::boyer_moore_horspool_searcher searcher(needle.begin(), needle.end());
  return std::search(haystack.begin(), haystack.end(), searcher) != haystack.end();
}

}  // namespace signprep::test
