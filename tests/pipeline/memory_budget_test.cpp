#include "pipeline/memory_budget.h"

#include <gtest/gtest.h>

namespace signprep::pipeline {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

TEST(MemoryBudget, EstimatesAreTheMeasuredPeaksOfTheBranches) {
  RunOptions options;
  options.write_keypoints = true;
  EXPECT_EQ(estimated_worker_memory(options), 152 * kMiB);
  options.write_iv3_features = true;
  EXPECT_EQ(estimated_worker_memory(options), 312 * kMiB);
  options.batch_size = 64;  // the CPU runs frames one at a time: no change
  EXPECT_EQ(estimated_worker_memory(options), 312 * kMiB);
  options.write_keypoints = false;
  EXPECT_EQ(estimated_worker_memory(options), 227 * kMiB);
}

TEST(MemoryBudget, WarnsWithTheWorkerCountThatFits) {
  EXPECT_FALSE(memory_warning(4, 500 * kMiB, 2000 * kMiB));
  const std::optional<std::string> warning = memory_warning(12, 800 * kMiB, 5000 * kMiB);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("12 workers need about 9600 MiB"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("--workers 6 fits"), std::string::npos) << *warning;
  const std::optional<std::string> none_fit = memory_warning(1, 800 * kMiB, 300 * kMiB);
  ASSERT_TRUE(none_fit);
  EXPECT_NE(none_fit->find("smaller --batch-size"), std::string::npos) << *none_fit;
}

TEST(MemoryBudget, ThisMachineReportsSomeMemory) {
  const std::optional<std::int64_t> available = available_memory();
  ASSERT_TRUE(available);  // Linux has /proc/meminfo
  EXPECT_GT(*available, 0);
}

}  // namespace
}  // namespace signprep::pipeline
