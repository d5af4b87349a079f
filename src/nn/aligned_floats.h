// Float buffers that start on a 64-byte boundary. oneDNN's kernels may write
// a destination with aligned non-temporal stores (vmovntps on AVX-512), which
// fault on malloc's 16-byte alignment; and the memory plan's offsets keep
// tensors 64 bytes apart only when the arena itself starts on a boundary.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

#include "nn/memory_plan.h"

namespace signprep::nn {

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kBoundary{kAlignment * sizeof(float)};

  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kBoundary)); }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, n * sizeof(T), kBoundary); }

  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const noexcept {
    return true;
  }
};

using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;

}  // namespace signprep::nn
