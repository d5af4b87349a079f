// Places the intermediate tensors of a model in one arena so that tensors
// alive at the same time never overlap: planned once at load, so running a
// model allocates nothing.
#pragma once

#include <cstddef>
#include <vector>

namespace signprep::nn {

struct TensorLifetime {
  std::size_t size = 0;  // in floats
  int first_op = 0;      // op that writes it
  int last_op = 0;       // last op that reads it (first_op when none does)
};

struct MemoryPlan {
  std::vector<std::size_t> offsets;  // in floats, one per lifetime, aligned to kAlignment
  std::size_t arena_size = 0;        // in floats
};

// Offsets are multiples of this many floats (64 bytes, a cache line and an
// AVX-512 register).
inline constexpr std::size_t kAlignment = 16;

// Greedy by decreasing size: each tensor takes the lowest offset that clashes
// with no already placed tensor whose lifetime overlaps its own.
MemoryPlan plan_memory(const std::vector<TensorLifetime>& tensors);

}  // namespace signprep::nn
