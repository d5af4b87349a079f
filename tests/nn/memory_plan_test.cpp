#include "nn/memory_plan.h"

#include <gtest/gtest.h>

namespace signprep::nn {
namespace {

bool overlap(std::size_t a, std::size_t a_size, std::size_t b, std::size_t b_size) {
  return a < b + b_size && b < a + a_size;
}

TEST(MemoryPlan, TensorsAliveTogetherNeverShareMemory) {
  // A chain with a skip connection: t0 lives until op 3.
  const std::vector<TensorLifetime> tensors = {
      {100, 0, 3}, {50, 1, 2}, {70, 2, 3}, {100, 3, 4}, {10, 4, 4}};
  const MemoryPlan plan = plan_memory(tensors);
  for (std::size_t a = 0; a < tensors.size(); ++a) {
    EXPECT_EQ(plan.offsets[a] % kAlignment, 0u);
    EXPECT_LE(plan.offsets[a] + tensors[a].size, plan.arena_size);
    for (std::size_t b = a + 1; b < tensors.size(); ++b) {
      const bool live_together =
          tensors[a].first_op <= tensors[b].last_op && tensors[b].first_op <= tensors[a].last_op;
      if (live_together) {
        EXPECT_FALSE(overlap(plan.offsets[a], tensors[a].size, plan.offsets[b], tensors[b].size))
            << a << " and " << b;
      }
    }
  }
}

TEST(MemoryPlan, TensorsAliveApartReuseMemory) {
  const std::vector<TensorLifetime> chain = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}, {64, 3, 3}};
  // Two buffers suffice for a chain: each op reads one and writes the other.
  EXPECT_EQ(plan_memory(chain).arena_size, 128u);
}

TEST(MemoryPlan, EmptyModelNeedsNoArena) {
  EXPECT_EQ(plan_memory({}).arena_size, 0u);
}

}  // namespace
}  // namespace signprep::nn
