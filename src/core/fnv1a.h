// FNV-1a, 64 bits: a tiny hash that is the same on every machine and
// compiler (std::hash is neither promised), fed piece by piece. Not for
// security: it names content (a shard's paths, a weights file), no more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace signprep {

class Fnv1a64 {
 public:
  void add(std::span<const std::byte> bytes) {
    for (const std::byte b : bytes) mix(static_cast<unsigned char>(b));
  }
  void add(std::string_view text) {
    for (const char c : text) mix(static_cast<unsigned char>(c));
  }
  std::uint64_t value() const { return hash_; }

 private:
  void mix(unsigned char c) {
    hash_ ^= c;
    hash_ *= 1099511628211ull;
  }
  std::uint64_t hash_ = 14695981039346656037ull;
};

}  // namespace signprep
