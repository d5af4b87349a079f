#include "pipeline/shard.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "core/error.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

TEST(Shard, ParsesKOfN) {
  const Shard shard = parse_shard("2/8");
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.count, 8);
  EXPECT_EQ(shard.file_name("labels", ".csv"), "labels.shard-2-of-8.csv");
}

TEST(Shard, RefusesWhatIsNotKOfN) {
  for (const char* bad : {"", "3", "0/4", "5/4", "1/0", "a/b", "1/4x", "-1/4", "1//4"}) {
    EXPECT_THROW(parse_shard(bad), Error) << bad;
  }
}

// Every path in exactly one shard, and the shards about even: 3000 names
// that differ in a digit or two, as datasets name their clips.
TEST(Shard, EveryInputInExactlyOneShardAndTheShardsEven) {
  constexpr int kShards = 3;
  constexpr int kPaths = 3000;
  std::map<int, int> sizes;
  for (int i = 0; i < kPaths; ++i) {
    const std::filesystem::path path =
        "signer" + std::to_string(i % 7) + "/clip_" + std::to_string(i) + ".mp4";
    int owners = 0;
    for (int k = 1; k <= kShards; ++k) {
      if (in_shard(path, {k, kShards})) {
        ++owners;
        ++sizes[k];
      }
    }
    EXPECT_EQ(owners, 1) << path;
  }
  // A fair split has a standard deviation of about 26 per shard; 100 is ~4 sigma.
  for (const auto& [k, size] : sizes) EXPECT_NEAR(size, kPaths / kShards, 100) << "shard " << k;
}

TEST(Shard, AFilesShardDependsOnItsPathOnly) {
  EXPECT_EQ(in_shard("a/b.mp4", {2, 5}), in_shard(std::filesystem::path("a") / "b.mp4", {2, 5}));
  EXPECT_TRUE(in_shard("anything.mp4", {1, 1}));
}

const char* environment(const std::map<std::string, std::string>& values, const char* name) {
  const auto found = values.find(name);
  return found == values.end() ? nullptr : found->second.c_str();
}

TEST(Shard, SlurmArrayTaskCountsFromTheArraysFirstIndex) {
  const std::map<std::string, std::string> zero_based = {
      {"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "4"}};
  const auto first = slurm_array_shard([&](const char* n) { return environment(zero_based, n); });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->index, 1);
  EXPECT_EQ(first->count, 4);

  const std::map<std::string, std::string> stepped = {{"SLURM_ARRAY_TASK_ID", "7"},
                                                      {"SLURM_ARRAY_TASK_MIN", "1"},
                                                      {"SLURM_ARRAY_TASK_STEP", "2"},
                                                      {"SLURM_ARRAY_TASK_COUNT", "5"}};
  const auto fourth = slurm_array_shard([&](const char* n) { return environment(stepped, n); });
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->index, 4);
  EXPECT_EQ(fourth->count, 5);
}

TEST(Shard, NoSlurmArrayNoShard) {
  const std::map<std::string, std::string> job_only = {{"SLURM_JOB_ID", "12"}};
  EXPECT_FALSE(slurm_array_shard([&](const char* n) { return environment(job_only, n); }));
}

TEST(Shard, ABrokenSlurmEnvironmentIsAUsageError) {
  const std::map<std::string, std::string> past_the_end = {
      {"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}};
  EXPECT_THROW(slurm_array_shard([&](const char* n) { return environment(past_the_end, n); }),
               Error);
  const std::map<std::string, std::string> not_a_number = {{"SLURM_ARRAY_TASK_ID", "x"},
                                                           {"SLURM_ARRAY_TASK_COUNT", "4"}};
  EXPECT_THROW(slurm_array_shard([&](const char* n) { return environment(not_a_number, n); }),
               Error);
}

std::optional<ScheduledShard> scheduled(const std::map<std::string, std::string>& values,
                                        std::optional<std::int64_t> shard_count) {
  return scheduler_shard([&](const char* n) { return environment(values, n); }, shard_count);
}

TEST(Shard, AKubernetesIndexedJobsIndexCountsFromZero) {
  const std::map<std::string, std::string> pod = {{"JOB_COMPLETION_INDEX", "0"}};
  const auto first = scheduled(pod, 16);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->shard.index, 1);
  EXPECT_EQ(first->shard.count, 16);
  EXPECT_EQ(first->scheduler, "Kubernetes indexed Job");
  const auto last = scheduled({{"JOB_COMPLETION_INDEX", "15"}}, 16);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->shard.index, 16);
}

TEST(Shard, ASlurmArrayIsScheduledToo) {
  const auto task = scheduled({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}, {});
  ASSERT_TRUE(task);
  EXPECT_EQ(task->shard.index, 3);
  EXPECT_EQ(task->scheduler, "Slurm array task");
  EXPECT_FALSE(scheduled({{"SLURM_JOB_ID", "12"}}, {}));
}

// Each would otherwise run every input in every pod, or the wrong 1/N.
TEST(Shard, AnIndexedJobWithoutItsCountOrOutOfRangeIsAUsageError) {
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "0"}}, {}), Error);
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "16"}}, 16), Error);
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "-1"}}, 16), Error);
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "x"}}, 16), Error);
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "0"}}, 0), Error);
  EXPECT_THROW(scheduled({}, 16), Error);
  EXPECT_THROW(scheduled({{"JOB_COMPLETION_INDEX", "0"},
                          {"SLURM_ARRAY_TASK_ID", "0"},
                          {"SLURM_ARRAY_TASK_COUNT", "2"}},
                         2),
               Error);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(MergeShardLabels, SortsTheRowsOfEveryShardByFile) {
  test::TempDir dir;
  write_text(dir.path() / "labels.shard-1-of-2.csv", "file,gloss,cat,occluded\nz.npz,1,1,0\n");
  write_text(dir.path() / "labels.shard-2-of-2.csv",
             "file,gloss,cat,occluded\nb/a.npz,2,3,1\na.npz,1,1,0\n");
  const MergedLabels merged = merge_shard_labels(dir.path());
  EXPECT_EQ(merged.shards, 2);
  EXPECT_EQ(merged.rows, 3);
  EXPECT_EQ(test::read_text(dir.path() / "labels.csv"),
            "file,gloss,cat,occluded\na.npz,1,1,0\nb/a.npz,2,3,1\nz.npz,1,1,0\n");
}

TEST(MergeShardLabels, NamesTheMissingShards) {
  test::TempDir dir;
  write_text(dir.path() / "labels.shard-2-of-4.csv", "file,gloss,cat,occluded\n");
  try {
    merge_shard_labels(dir.path());
    FAIL() << "merged without shards 1, 3, 4";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("shard(s) 1, 3, 4 of 4"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "labels.csv"));
}

TEST(MergeShardLabels, RefusesAFileInTwoShardsAndMixedSplits) {
  test::TempDir dir;
  write_text(dir.path() / "labels.shard-1-of-2.csv", "file,gloss,cat,occluded\na.npz,1,1,0\n");
  write_text(dir.path() / "labels.shard-2-of-2.csv", "file,gloss,cat,occluded\na.npz,1,1,0\n");
  EXPECT_THROW(merge_shard_labels(dir.path()), Error);
  write_text(dir.path() / "labels.shard-1-of-3.csv", "file,gloss,cat,occluded\n");
  EXPECT_THROW(merge_shard_labels(dir.path()), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "labels.csv"));
}

TEST(MergeShardLabels, NoShardFilesIsAnError) {
  test::TempDir dir;
  EXPECT_THROW(merge_shard_labels(dir.path()), Error);
}

}  // namespace
}  // namespace signprep::pipeline
