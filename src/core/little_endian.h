// Unsigned integers stored little-endian, whatever the host's byte order.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <stdexcept>

namespace signprep {

// The value of `bytes` (at most sizeof(T) of them) read as a little-endian
// unsigned integer.
template <std::unsigned_integral T>
T read_little_endian(std::span<const std::byte> bytes) {
  if (bytes.size() > sizeof(T)) throw std::invalid_argument("read_little_endian: too many bytes");
  T value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = (value << 8) | std::to_integer<T>(bytes[i]);
  return value;
}

}  // namespace signprep
