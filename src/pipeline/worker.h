// A worker process of a run: a fork of the supervisor that loads the
// extractors once, then processes the clips the supervisor assigns, one at a
// time, and reports back over a pipe. A worker that crashes or is killed (by
// the out-of-memory killer, by a signal) costs only the clip it was on: the
// supervisor sees its pipe close and learns from the exit status why.
//
// Forking rather than starting a new program keeps the plan and the options
// shared without encoding them; the supervisor never loads a model or starts
// an OpenMP thread, so the fork copies a single-threaded process.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "pipeline/output_layout.h"
#include "pipeline/run_options.h"
#include "pipeline/run_report.h"
#include "pipeline/stop_signals.h"

namespace signprep::pipeline {

// What every worker of a run shares; lives as long as the run's workers.
struct WorkerSetup {
  const RunOptions& options;
  const std::vector<PlannedClip>& clips;
  int threads = 1;          // inference threads of each worker's models
  const StopSignals& stop;  // installed before the first fork: workers inherit the handlers
};

// A clip the worker finished, written or failed.
struct ClipResult {
  std::size_t index = 0;  // into WorkerSetup::clips
  VideoRecord record;
};

struct WorkerEvent {
  enum class Kind {
    kReady,        // the extractors are loaded; the worker takes clips
    kFrameKept,    // progress inside the current clip
    kMessage,      // `text`: whole lines for the person watching (warnings, --verbose)
    kClipDone,     // `result`
    kClipStopped,  // a stop signal interrupted the clip; nothing of it was written
    kFatal,        // `error_kind`, `text`: the run cannot go on (a model, an unwritable OUT)
    kServerStats,  // `server_stats`: the feature server's, as it ends
  };
  Kind kind = Kind::kReady;
  std::string text;
  ErrorKind error_kind = ErrorKind::kOutput;
  std::optional<ClipResult> result;
  std::optional<FeatureServerStats> server_stats;
};

// How a worker process ended.
struct WorkerExit {
  bool clean = false;         // exit status 0
  std::string description;    // "exited with status 3", "killed by signal 9 (Killed)"
  std::int64_t peak_rss = 0;  // bytes, the kernel's record of the worker's high-water mark
};

class WorkerProcess {
 public:
  enum class Role {
    kClips,          // processes the clips it is assigned
    kFeatureServer,  // the run's feature server (pipeline/feature_server.h): no clips; it
                     // reports ready, serves until finish(), then sends its statistics
  };
  // Forks the worker; throws Error(kOutput) when the system refuses a process or a pipe.
  explicit WorkerProcess(const WorkerSetup& setup, Role role = Role::kClips);
  // Kills and reaps a worker still running: no process outlives its supervisor.
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Readable when events are waiting or the worker has gone (poll it).
  int events_fd() const { return socket_; }

  // Hands the worker the index-th clip. A worker that has died meanwhile
  // ignores it; its closed events pipe reports the death.
  void assign(std::size_t clip_index);
  // Reads what the pipe holds (call when poll says it is readable) and
  // returns the complete events; at the end of the stream, ended() is true.
  std::vector<WorkerEvent> read_events();
  bool ended() const { return ended_; }

  // SIGTERM: the worker stops its clip at the next frame and exits.
  void stop();
  // No more clips: the worker exits once its current clip is done.
  void finish();
  // SIGKILL, for a worker that no longer answers; its pipe then reports the end.
  void kill();
  // Reaps the process (after ended()); the result is kept for later calls.
  const WorkerExit& wait();

 private:
  pid_t pid_ = -1;
  int socket_ = -1;  // a stream socket: clips go out, events come back
  bool ended_ = false;
  std::string pending_;  // a partial event line
  std::optional<WorkerExit> exit_;
};

}  // namespace signprep::pipeline
