// One run at a time on what it writes: a lock file in OUT (one per shard, so
// that the tasks of a Slurm array share OUT side by side). A second run finds
// it held and stops with a message naming the holder; a lock whose holder is
// gone never blocks the next run.
//
// What it relies on: creating the file with O_CREAT | O_EXCL, which is atomic
// on local file systems and on NFS v3 and later (not flock, which some
// network file systems ignore or fake). The holder writes its pid, host and
// start time into the file and refreshes its modification time while it runs
// (refresh(), every kRefreshSeconds). A lock counts as left behind when its
// host is this one and its pid is gone, or, whatever its host, when it has
// not been refreshed for kStaleSeconds (a run on another node that died, or a
// suspended one). Taking over such a lock renames it away first, so that of
// two runs that find it stale at once only one gets it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace signprep::output {

class RunLock {
 public:
  static constexpr int kRefreshSeconds = 30;
  static constexpr int kStaleSeconds = 300;

  // Throws Error(kOutput) naming the holder (pid, host, start time) when
  // another live run holds it, or naming the path when it cannot be created.
  static RunLock acquire(const std::filesystem::path& path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  // Removes the lock, in the process that took it only (a forked worker
  // that copied this object leaves it alone).
  ~RunLock();

  // Touches the lock when kRefreshSeconds have passed since the last time;
  // cheap to call every second.
  void refresh();

 private:
  RunLock(std::filesystem::path path, int owner_pid);
  std::filesystem::path path_;
  int owner_pid_ = -1;  // -1: moved from
  std::chrono::steady_clock::time_point refreshed_;
};

}  // namespace signprep::output
