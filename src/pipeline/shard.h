// Shards for clusters: `--shard K/N` runs a fixed 1/N of the inputs, chosen
// by a hash of each input's path below the input directory, so that a file's
// shard never changes when files are added elsewhere, and N jobs (a Slurm
// array, a Kubernetes indexed Job) share one output directory without
// coordination. Each shard writes its own labels file; merge_shard_labels
// joins them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace signprep::pipeline {

struct Shard {
  int index = 1;  // K, from 1
  int count = 1;  // N

  // "labels.shard-K-of-N.csv" / "run_report.shard-K-of-N.json": `name` with the shard before its
  // extension.
  std::string file_name(std::string_view stem, std::string_view extension) const;
};

// "K/N" with 1 <= K <= N; else Error(kUsage) saying what is expected.
Shard parse_shard(std::string_view text);

// The shard of a Slurm array task: SLURM_ARRAY_TASK_ID counted from
// SLURM_ARRAY_TASK_MIN (arrays start at 0 or 1, or anywhere) in steps of
// SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT. Nothing when not in an
// array; Error(kUsage) when the variables do not make a shard. `getenv` is
// the environment to read (std::getenv in the program).
std::optional<Shard> slurm_array_shard(const std::function<const char*(const char*)>& getenv);

// The shard a scheduler gave this process, and which scheduler.
struct ScheduledShard {
  Shard shard;
  std::string_view scheduler;  // "Slurm array task", "Kubernetes indexed Job"
};

// The shard of a Slurm array task (above) or of a Kubernetes indexed Job's
// pod: JOB_COMPLETION_INDEX (from 0) of `shard_count` (--shard-count, the
// Job's completions, which Kubernetes does not put in the environment).
// Nothing when neither is there. Error(kUsage) when the variables do not
// make a shard, when both schedulers' are set, when JOB_COMPLETION_INDEX
// comes without `shard_count` (every pod would run every input), and when
// `shard_count` comes without JOB_COMPLETION_INDEX.
std::optional<ScheduledShard> scheduler_shard(const std::function<const char*(const char*)>& getenv,
                                              std::optional<std::int64_t> shard_count);

// Whether the input at `relative` (its path below the input directory)
// belongs to `shard`: a 64-bit hash of the path's generic form (FNV-1a,
// MurmurHash3's finalizer), modulo N. Fixed forever: changing it would move
// files between the shards of runs already under way.
bool in_shard(const std::filesystem::path& relative, const Shard& shard);

struct MergedLabels {
  int shards = 0;  // files merged
  int rows = 0;
};

// Merges OUT_DIR's labels.shard-K-of-N.csv files into OUT_DIR/labels.csv
// (replaced atomically), rows sorted by file. Throws Error(kInput) when there
// are none, when they disagree on N, when a shard's file is missing (listing
// which), or when two rows name one file.
MergedLabels merge_shard_labels(const std::filesystem::path& output_dir);

}  // namespace signprep::pipeline
