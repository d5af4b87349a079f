#include "nn/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace signprep::nn {
namespace {

std::size_t aligned(std::size_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

bool lifetimes_overlap(const TensorLifetime& a, const TensorLifetime& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<TensorLifetime>& tensors) {
  std::vector<std::size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return tensors[a].size > tensors[b].size; });

  MemoryPlan plan{std::vector<std::size_t>(tensors.size(), 0), 0};
  std::vector<std::size_t> placed;
  for (std::size_t t : order) {
    // Ranges taken by placed tensors that live at the same time, by offset.
    std::vector<std::pair<std::size_t, std::size_t>> taken;
    for (std::size_t other : placed) {
      if (lifetimes_overlap(tensors[t], tensors[other])) {
        taken.emplace_back(plan.offsets[other], plan.offsets[other] + tensors[other].size);
      }
    }
    std::sort(taken.begin(), taken.end());
    std::size_t offset = 0;
    for (const auto& [begin, end] : taken) {
      if (offset + tensors[t].size <= begin) break;
      offset = std::max(offset, aligned(end));
    }
    plan.offsets[t] = offset;
    plan.arena_size = std::max(plan.arena_size, aligned(offset + tensors[t].size));
    placed.push_back(t);
  }
  return plan;
}

}  // namespace signprep::nn
