// The supervisor's half of a run: a pool of worker processes, one clip
// handed to each at a time, results collected as they come. The only process
// that writes the run's shared files (labels.csv, the report) is the
// supervisor, through the callback it is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/progress.h"
#include "pipeline/worker.h"

namespace signprep::pipeline {

class Supervisor {
 public:
  using ResultHandler = std::function<void(ClipResult)>;
  using Heartbeat = std::function<void()>;

  // Starts `workers` worker processes. With --device cuda, first the run's
  // feature server, and returns once it is ready; throws its error (no GPU,
  // bad weights) when it cannot be.
  Supervisor(const WorkerSetup& setup, int workers);

  // Returns once every worker has loaded its models; throws the first
  // worker's error (a missing model, say) when one could not.
  void wait_until_ready();

  // Runs the clips of `queue` (indices into the setup's clips, first first)
  // until all are done or a stop signal came, and hands each finished clip,
  // written or failed, to `on_result`. A worker that dies fails its clip
  // (with the reason, its files removed) and is replaced; so does a worker
  // that reports no progress on its clip for --stall-timeout seconds, or
  // that does not stop within a grace period of a stop signal (it is
  // killed). Throws the error of
  // a worker that could not go on (an unwritable output) once the others
  // have stopped. `heartbeat` is called about once a second throughout.
  void run(std::deque<std::size_t> queue, Progress& progress, const ResultHandler& on_result,
           const Heartbeat& heartbeat);

  // The highest peak resident memory of a worker so far, in bytes.
  std::int64_t peak_worker_memory() const { return peak_worker_memory_; }
  // The feature server's statistics, once it has ended well at the end of
  // run().
  const std::optional<FeatureServerStats>& feature_server_stats() const { return server_stats_; }

 private:
  struct Slot {
    std::unique_ptr<WorkerProcess> process;
    bool ready = false;
    bool finished = false;  // told there are no more clips
    std::optional<std::size_t> clip;
    // The last sign of life on the clip: its assignment or an event.
    std::chrono::steady_clock::time_point last_progress;
    std::optional<std::string> killed_because;  // set when the supervisor kills it
    // This worker replaces one that died while loading the models: if it
    // dies loading too, the models are to blame, not a stray signal.
    bool replaces_a_failed_load = false;
  };

  void start_worker(Slot& slot);
  void start_feature_server();
  void poll_server();
  void handle_server_events();
  void finish_feature_server();
  void hand_out();
  void begin_stop();
  // Waits up to a second for events of the live workers and handles them.
  void poll_once();
  void handle(Slot& slot, WorkerEvent event);
  void worker_ended(Slot& slot);
  void kill_stalled();
  bool all_ready() const;
  bool any_alive() const;

  const WorkerSetup& setup_;
  std::vector<Slot> slots_;
  std::deque<std::size_t> queue_;  // clips not handed out yet
  // What run() was given; null while the workers load.
  Progress* progress_ = nullptr;
  const ResultHandler* on_result_ = nullptr;
  bool stopping_ = false;
  std::optional<Error> fatal_;
  std::int64_t peak_worker_memory_ = 0;
  std::unique_ptr<WorkerProcess> server_;  // the feature server, while it lives
  bool server_ready_ = false;
  bool server_finishing_ = false;
  std::optional<FeatureServerStats> server_stats_;
};

}  // namespace signprep::pipeline
