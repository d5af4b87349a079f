#include "pipeline/memory_budget.h"

#include <gtest/gtest.h>

namespace signprep::pipeline {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

TEST(MemoryBudget, EstimatesFollowTheMeasuredPoints) {
  RunOptions keypoints;
  keypoints.write_keypoints = true;
  EXPECT_EQ(estimated_worker_memory(keypoints), 165 * kMiB);
  RunOptions features;
  features.write_iv3_features = true;
  features.batch_size = 32;
  EXPECT_EQ(estimated_worker_memory(features), 747 * kMiB);
  features.batch_size = 48;  // halfway between the points at 32 and 64
  EXPECT_EQ(estimated_worker_memory(features), 890 * kMiB);
  features.batch_size = 128;  // past the last point, on its slope
  EXPECT_EQ(estimated_worker_memory(features), (1033 + 286 * 2) * kMiB);
  features.write_keypoints = true;
  features.batch_size = 1;
  EXPECT_EQ(estimated_worker_memory(features), (289 + 130) * kMiB);
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
