#include "pipeline/shard.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/fnv1a.h"
#include "output/labels_csv.h"

namespace signprep::pipeline {
namespace {

// Far beyond any cluster; a typo's count is refused.
constexpr std::int64_t kMaxShards = 1'000'000;

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// FNV-1a, 64 bits, then MurmurHash3's finalizer: tiny, the same on every
// machine and compiler (std::hash is neither promised), and the finalizer
// spreads names that differ in one character (clip_0001, clip_0002) evenly
// over the shards, which FNV-1a alone does poorly for small N.
std::uint64_t path_hash(std::string_view text) {
  Fnv1a64 fnv;
  fnv.add(text);
  std::uint64_t hash = fnv.value();
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return hash;
}

}  // namespace

std::string Shard::file_name(std::string_view stem, std::string_view extension) const {
  return std::string(stem) + ".shard-" + std::to_string(index) + "-of-" + std::to_string(count) +
         std::string(extension);
}

Shard parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto usage = [&] {
    return Error(ErrorKind::kUsage,
                 "--shard expects K/N with 1 <= K <= N (as 2/8), not '" + std::string(text) + "'");
  };
  if (slash == std::string_view::npos) throw usage();
  const std::optional<std::int64_t> k = parse_integer(text.substr(0, slash));
  const std::optional<std::int64_t> n = parse_integer(text.substr(slash + 1));
  if (!k || !n || *n < 1 || *k < 1 || *k > *n || *n > kMaxShards) throw usage();
  return {static_cast<int>(*k), static_cast<int>(*n)};
}

std::optional<Shard> slurm_array_shard(const std::function<const char*(const char*)>& getenv) {
  const char* id = getenv("SLURM_ARRAY_TASK_ID");
  const char* count = getenv("SLURM_ARRAY_TASK_COUNT");
  if (id == nullptr || count == nullptr) return std::nullopt;
  const auto variable = [&](const char* name, std::int64_t fallback) {
    const char* text = getenv(name);
    if (text == nullptr) return fallback;
    const std::optional<std::int64_t> value = parse_integer(text);
    if (!value) {
      throw Error(ErrorKind::kUsage,
                  std::string(name) + "='" + text + "' is not an integer (pass --shard K/N)");
    }
    return *value;
  };
  const std::int64_t task = variable("SLURM_ARRAY_TASK_ID", 0);
  const std::int64_t first = variable("SLURM_ARRAY_TASK_MIN", 0);
  const std::int64_t step = variable("SLURM_ARRAY_TASK_STEP", 1);
  const std::int64_t tasks = variable("SLURM_ARRAY_TASK_COUNT", 1);
  if (step < 1 || task < first || (task - first) % step != 0) {
    throw Error(ErrorKind::kUsage, "the Slurm array task " + std::to_string(task) +
                                       " is not on the array's range (pass --shard K/N)");
  }
  return parse_shard(std::to_string((task - first) / step + 1) + "/" + std::to_string(tasks));
}

std::optional<ScheduledShard> scheduler_shard(const std::function<const char*(const char*)>& getenv,
                                              std::optional<std::int64_t> shard_count) {
  const std::optional<Shard> slurm = slurm_array_shard(getenv);
  const char* index = getenv("JOB_COMPLETION_INDEX");
  if (index == nullptr) {
    if (shard_count) {
      throw Error(ErrorKind::kUsage,
                  "--shard-count is a Kubernetes indexed Job's completions, but "
                  "JOB_COMPLETION_INDEX is not set (outside such a Job, pass --shard K/N)");
    }
    if (!slurm) return std::nullopt;
    return ScheduledShard{*slurm, "Slurm array task"};
  }
  if (slurm) {
    throw Error(ErrorKind::kUsage,
                "both a Slurm array task and a Kubernetes indexed Job are in the environment "
                "(SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX): pass --shard K/N");
  }
  if (!shard_count) {
    throw Error(ErrorKind::kUsage,
                "JOB_COMPLETION_INDEX is set (a Kubernetes indexed Job): pass "
                "--shard-count N, the Job's completions, or --shard K/N");
  }
  if (*shard_count < 1 || *shard_count > kMaxShards) {
    throw Error(ErrorKind::kUsage,
                "--shard-count must be between 1 and " + std::to_string(kMaxShards));
  }
  const std::optional<std::int64_t> value = parse_integer(index);
  if (!value || *value < 0 || *value >= *shard_count) {
    throw Error(ErrorKind::kUsage, "JOB_COMPLETION_INDEX='" + std::string(index) +
                                       "' is not an index from 0 to --shard-count - 1 (" +
                                       std::to_string(*shard_count - 1) + ")");
  }
  return ScheduledShard{
      parse_shard(std::to_string(*value + 1) + "/" + std::to_string(*shard_count)),
      "Kubernetes indexed Job"};
}

bool in_shard(const std::filesystem::path& relative, const Shard& shard) {
  return path_hash(relative.generic_string()) % static_cast<std::uint64_t>(shard.count) ==
         static_cast<std::uint64_t>(shard.index - 1);
}

MergedLabels merge_shard_labels(const std::filesystem::path& output_dir) {
  static const std::regex shard_file(R"(labels\.shard-([0-9]+)-of-([0-9]+)\.csv)");
  std::map<int, std::map<int, std::filesystem::path>> by_count;  // N -> K -> file
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(output_dir, ec)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, match, shard_file)) continue;
    by_count[std::stoi(match[2])][std::stoi(match[1])] = entry.path();
  }
  if (ec)
    throw Error(ErrorKind::kInput, "cannot read " + output_dir.string() + ": " + ec.message());
  if (by_count.empty()) {
    throw Error(ErrorKind::kInput, "no labels.shard-K-of-N.csv in " + output_dir.string() +
                                       " (run with --shard first)");
  }
  if (by_count.size() > 1) {
    throw Error(ErrorKind::kInput, output_dir.string() +
                                       " holds shard labels of runs split different ways (N = " +
                                       std::to_string(by_count.begin()->first) + " and " +
                                       std::to_string(std::next(by_count.begin())->first) +
                                       "); remove the stale ones");
  }
  const auto& [count, files] = *by_count.begin();
  std::string missing;
  for (int k = 1; k <= count; ++k) {
    if (!files.contains(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  }
  if (!missing.empty()) {
    throw Error(ErrorKind::kInput, "shard labels missing for shard(s) " + missing + " of " +
                                       std::to_string(count) + " in " + output_dir.string() +
                                       " (has every shard finished?)");
  }
  std::vector<output::LabelRow> rows;
  std::set<std::string> seen;
  for (const auto& [k, path] : files) {
    for (output::LabelRow& row : output::read_labels_csv(path)) {
      if (!seen.insert(row.file).second) {
        throw Error(ErrorKind::kInput, row.file + " has rows in two shard labels files");
      }
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const output::LabelRow& a, const output::LabelRow& b) { return a.file < b.file; });
  output::write_labels_csv(output_dir / "labels.csv", rows, /*append=*/false);
  return {count, static_cast<int>(rows.size())};
}

}  // namespace signprep::pipeline
