#include "pipeline/memory_budget.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace signprep::pipeline {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

// Peak RSS of one worker running InceptionV3 alone, by --batch-size (measured
// on the bundled sample, 2026-11-27). Between the points it grows linearly;
// beyond the last by the last step's slope.
constexpr std::array<std::pair<int, std::int64_t>, 4> kInceptionMiB = {
    {{1, 289}, {8, 532}, {32, 747}, {64, 1033}}};
// Holistic's models and frames: alone, and on top of InceptionV3.
constexpr std::int64_t kKeypointsAloneMiB = 165;
constexpr std::int64_t kKeypointsAddedMiB = 130;

std::int64_t inception_mib(int batch) {
  const auto above = std::find_if(kInceptionMiB.begin(), kInceptionMiB.end(),
                                  [batch](const auto& point) { return point.first >= batch; });
  if (above == kInceptionMiB.begin()) return above->second;
  const auto [b1, m1] = above == kInceptionMiB.end() ? kInceptionMiB.end()[-2] : above[-1];
  const auto [b2, m2] = above == kInceptionMiB.end() ? kInceptionMiB.end()[-1] : above[0];
  return m1 + (m2 - m1) * (batch - b1) / (b2 - b1);
}

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

std::int64_t estimated_worker_memory(const RunOptions& options) {
  std::int64_t mib = 0;
  if (options.write_iv3_features) mib += inception_mib(options.batch_size);
  if (options.write_keypoints) {
    mib += options.write_iv3_features ? kKeypointsAddedMiB : kKeypointsAloneMiB;
  }
  return mib * kMiB;
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
