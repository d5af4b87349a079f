#include "pipeline/memory_budget.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace signprep::pipeline {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

// Peak RSS of one worker by branch, the largest over the 13 shared test
// clips (up to 1080p60) at --target-fps 15 (2026-12-07, docs/BENCHMARKS.md,
// "Memory per worker" and "Weights freed as they are packed").
// InceptionV3 runs one frame at a time on the CPU, so --batch-size does not
// change it.
constexpr std::int64_t kKeypointsMiB = 152;
constexpr std::int64_t kInceptionMiB = 227;
constexpr std::int64_t kBothMiB = 312;

std::optional<std::int64_t> meminfo_available() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kilobytes = 0;
  std::string unit;
  while (meminfo >> key >> kilobytes >> unit) {
    if (key == "MemAvailable:") return kilobytes * 1024;
  }
  return std::nullopt;
}

// cgroup v2: the limit left to this process's group (memory.max less
// memory.current); nothing without a limit.
std::optional<std::int64_t> cgroup_available() {
  std::ifstream membership("/proc/self/cgroup");
  std::string line;
  while (std::getline(membership, line)) {
    if (!line.starts_with("0::")) continue;
    const std::string dir = "/sys/fs/cgroup" + line.substr(3);
    std::ifstream max_file(dir + "/memory.max");
    std::ifstream current_file(dir + "/memory.current");
    std::string max;
    std::int64_t current = 0;
    if (!(max_file >> max) || max == "max" || !(current_file >> current)) return std::nullopt;
    std::int64_t limit = 0;
    if (!(std::istringstream(max) >> limit)) return std::nullopt;
    return std::max<std::int64_t>(0, limit - current);
  }
  return std::nullopt;
}

}  // namespace

// With --device cuda the network lives in the feature server, not in the
// workers (which hold a few MiB of shared frames).
std::int64_t estimated_worker_memory(const RunOptions& options) {
  const bool inception_here = options.write_iv3_features && !options.cuda_device;
  if (options.write_keypoints && inception_here) return kBothMiB * kMiB;
  if (inception_here) return kInceptionMiB * kMiB;
  return options.write_keypoints ? kKeypointsMiB * kMiB : 0;
}

std::optional<std::int64_t> available_memory() {
  const std::optional<std::int64_t> machine = meminfo_available();
  const std::optional<std::int64_t> group = cgroup_available();
  if (machine && group) return std::min(*machine, *group);
  return machine ? machine : group;
}

std::optional<std::string> memory_warning(int workers, std::int64_t per_worker,
                                          std::int64_t available) {
  if (per_worker <= 0 || workers * per_worker <= available) return std::nullopt;
  const std::int64_t fits = available / per_worker;
  return "signprep: warning: " + std::to_string(workers) + " workers need about " +
         std::to_string(workers * per_worker / kMiB) + " MiB (" +
         std::to_string(per_worker / kMiB) + " MiB each) but " + std::to_string(available / kMiB) +
         " MiB are available; " +
         (fits >= 1 ? "--workers " + std::to_string(fits) + " fits"
                    : "even one worker may not fit (try a smaller --batch-size)") +
         ", more may swap or be killed\n";
}

}  // namespace signprep::pipeline
