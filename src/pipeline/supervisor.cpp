#include "pipeline/supervisor.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "output/atomic_file.h"
#include "output/json_writer.h"

namespace signprep::pipeline {
namespace {

// How long a poll waits before the loop looks at the stop flag again; a
// signal interrupts the wait anyway, so this only bounds a missed wake-up.
constexpr int kPollMilliseconds = 1000;

// How long a worker has, after a stop signal, to finish its current frame
// (a second at most when it is well) before it is killed.
constexpr double kStopGraceSeconds = 30;

double seconds_since(std::chrono::steady_clock::time_point then) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - then).count();
}

// A worker died on `clip`: whatever it was writing goes, the finished files
// of the clip too (the .parquet is written before the .npz, so a death
// between the two would leave a mismatched pair).
void remove_clip_files(const RunOptions& options, const PlannedClip& clip, pid_t worker) {
  const std::filesystem::path npz = options.output_dir / clip.npz(options.flat);
  for (const std::filesystem::path& file : {npz, parquet_beside(npz)}) {
    output::remove_abandoned_temporaries(file, worker);
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
  }
}

}  // namespace

Supervisor::Supervisor(const WorkerSetup& setup, int workers) : setup_(setup), slots_(workers) {
  if (setup.options.cuda_device) start_feature_server();
  for (Slot& slot : slots_) start_worker(slot);
}

// The workers connect to the server as they start: it must listen first.
void Supervisor::start_feature_server() {
  server_ = std::make_unique<WorkerProcess>(setup_, WorkerProcess::Role::kFeatureServer);
  while (server_ && !server_ready_ && !fatal_) poll_server();
  if (fatal_) throw *fatal_;
}

// Waits up to a second for the server's events and handles them.
void Supervisor::poll_server() {
  pollfd fd{server_->events_fd(), POLLIN, 0};
  if (::poll(&fd, 1, kPollMilliseconds) < 0 && errno != EINTR) {
    throw Error(ErrorKind::kOutput,
                std::string("cannot wait for the feature server: ") + std::strerror(errno));
  }
  if (fd.revents != 0) handle_server_events();
}

void Supervisor::handle_server_events() {
  for (WorkerEvent& event : server_->read_events()) {
    switch (event.kind) {
      case WorkerEvent::Kind::kReady:
        server_ready_ = true;
        break;
      case WorkerEvent::Kind::kFatal:
        if (!fatal_) fatal_ = Error(event.error_kind, event.text);
        break;
      case WorkerEvent::Kind::kServerStats:
        server_stats_ = std::move(event.server_stats);
        break;
      default:
        if (progress_) {
          progress_->print(event.text);
        } else {
          std::cerr << printable_line(event.text);
        }
        break;
    }
  }
  if (!server_->ended()) return;
  const WorkerExit& exit = server_->wait();
  if (!server_ready_ && !fatal_) {
    fatal_ = Error(ErrorKind::kDevice,
                   "the feature server " + exit.description + " while loading InceptionV3");
  } else if (!exit.clean && !server_finishing_) {
    const std::string text = "signprep: warning: the feature server " + exit.description +
                             "; the workers compute InceptionV3 on the CPU from here\n";
    if (progress_) progress_->print(text);
  }
  server_.reset();
}

// After the workers: the server ends and reports its statistics.
void Supervisor::finish_feature_server() {
  if (!server_) return;
  server_finishing_ = true;
  server_->finish();
  const auto start = std::chrono::steady_clock::now();
  while (server_) {
    if (seconds_since(start) > kStopGraceSeconds) server_->kill();
    poll_server();
  }
}

void Supervisor::start_worker(Slot& slot) {
  slot = Slot{};
  slot.process = std::make_unique<WorkerProcess>(setup_);
}

bool Supervisor::all_ready() const {
  return std::all_of(slots_.begin(), slots_.end(),
                     [](const Slot& slot) { return slot.process && slot.ready; });
}

bool Supervisor::any_alive() const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [](const Slot& slot) { return slot.process != nullptr; });
}

void Supervisor::wait_until_ready() {
  while (!fatal_ && !all_ready()) poll_once();
  if (fatal_) throw *fatal_;
}

void Supervisor::run(std::deque<std::size_t> queue, Progress& progress,
                     const ResultHandler& on_result, const Heartbeat& heartbeat) {
  queue_ = std::move(queue);
  progress_ = &progress;
  on_result_ = &on_result;
  try {
    while (any_alive()) {
      if (setup_.stop.requested() && !stopping_) begin_stop();
      hand_out();
      poll_once();
      kill_stalled();
      heartbeat();
    }
    finish_feature_server();
  } catch (...) {
    // The supervisor cannot go on (the report cannot be written, say): the
    // workers stop at their next frame rather than being killed mid-write.
    progress_ = nullptr;
    on_result_ = nullptr;
    begin_stop();
    while (any_alive()) {
      poll_once();
      kill_stalled();
    }
    throw;
  }
  progress_ = nullptr;
  on_result_ = nullptr;
  if (fatal_) throw *fatal_;
}

void Supervisor::hand_out() {
  for (Slot& slot : slots_) {
    if (!slot.process || !slot.ready || slot.clip || slot.finished) continue;
    if (stopping_ || queue_.empty()) {
      slot.process->finish();
      slot.finished = true;
      continue;
    }
    slot.clip = queue_.front();
    queue_.pop_front();
    slot.last_progress = std::chrono::steady_clock::now();
    slot.process->assign(*slot.clip);
  }
}

// The clips in progress stop at their next frame; nothing new starts.
void Supervisor::begin_stop() {
  stopping_ = true;
  for (Slot& slot : slots_) {
    if (!slot.process) continue;
    slot.last_progress = std::chrono::steady_clock::now();  // the grace period starts
    if (slot.clip) slot.process->stop();
    slot.process->finish();
    slot.finished = true;
  }
}

void Supervisor::poll_once() {
  std::vector<pollfd> fds;
  std::vector<Slot*> polled;
  for (Slot& slot : slots_) {
    if (!slot.process) continue;
    fds.push_back({slot.process->events_fd(), POLLIN, 0});
    polled.push_back(&slot);
  }
  if (fds.empty()) return;
  if (server_) fds.push_back({server_->events_fd(), POLLIN, 0});
  if (::poll(fds.data(), fds.size(), kPollMilliseconds) < 0) {
    if (errno == EINTR) return;  // a signal: the caller looks at the stop flag
    throw Error(ErrorKind::kOutput,
                std::string("cannot wait for the workers: ") + std::strerror(errno));
  }
  if (server_ && fds.back().revents != 0) handle_server_events();
  for (std::size_t i = 0; i < polled.size(); ++i) {
    if (fds[i].revents == 0) continue;
    Slot& slot = *polled[i];
    for (WorkerEvent& event : slot.process->read_events()) handle(slot, std::move(event));
    if (slot.process->ended()) worker_ended(slot);
  }
}

void Supervisor::handle(Slot& slot, WorkerEvent event) {
  using Kind = WorkerEvent::Kind;
  slot.last_progress = std::chrono::steady_clock::now();
  switch (event.kind) {
    case Kind::kReady:
      slot.ready = true;
      break;
    case Kind::kFrameKept:
      if (progress_) progress_->frame_kept();
      break;
    case Kind::kMessage:
      if (progress_) progress_->print(event.text);
      break;
    case Kind::kClipStopped:
      slot.clip.reset();  // it stays pending
      break;
    case Kind::kClipDone:
      slot.clip.reset();
      if (on_result_) (*on_result_)(std::move(*event.result));
      break;
    case Kind::kFatal:
      if (!fatal_) fatal_ = Error(event.error_kind, event.text);
      begin_stop();
      break;
    case Kind::kServerStats:
      break;  // the feature server's alone
  }
}

void Supervisor::worker_ended(Slot& slot) {
  const WorkerExit& exit = slot.process->wait();
  peak_worker_memory_ = std::max(peak_worker_memory_, exit.peak_rss);
  // A worker that dies loading (without reporting a model error) may have
  // been killed from outside: a fresh one tries again, and only a second
  // death in a row makes it the models' fault.
  const bool load_again = !slot.ready && !fatal_ && !stopping_ && !slot.replaces_a_failed_load;
  if (!slot.ready && !fatal_ && !load_again) {
    fatal_ =
        Error(ErrorKind::kModel,
              "a worker " + exit.description + " while loading the models" +
                  (slot.replaces_a_failed_load ? ", as did the one before it in its place" : ""));
    begin_stop();
  }
  if (load_again) {
    const std::string warning = "signprep: warning: a worker " + exit.description +
                                " while loading the models; starting another in its place\n";
    if (progress_) {
      progress_->print(warning);
    } else {
      std::cerr << warning;
    }
    slot.process.reset();
    start_worker(slot);
    slot.replaces_a_failed_load = true;
    return;
  }
  if (slot.clip) {
    const PlannedClip& clip = setup_.clips.at(*slot.clip);
    remove_clip_files(setup_.options, clip, slot.process->pid());
    if (on_result_) {
      ClipResult failed;
      failed.index = *slot.clip;
      failed.record.status = VideoStatus::kFailed;
      failed.record.error = clip.video(setup_.options.input).string() +
                            ": the worker processing it " +
                            slot.killed_because.value_or(exit.description);
      (*on_result_)(std::move(failed));
    }
  }
  slot.process.reset();
  if (!stopping_ && !queue_.empty()) start_worker(slot);
}

// A worker busy on a clip that has gone quiet for too long is killed; its
// pipe then closes and worker_ended() fails the clip with the reason.
void Supervisor::kill_stalled() {
  const double timeout = setup_.options.stall_timeout_seconds;
  for (Slot& slot : slots_) {
    if (!slot.process || !slot.clip || slot.killed_because) continue;
    const double quiet = seconds_since(slot.last_progress);
    if (stopping_ && quiet > kStopGraceSeconds) {
      slot.killed_because = "did not stop within " +
                            std::to_string(static_cast<int>(kStopGraceSeconds)) +
                            " s of the stop signal and was killed";
    } else if (!stopping_ && timeout > 0 && quiet > timeout) {
      slot.killed_because = "made no progress for " + output::python_float_repr(timeout) +
                            " s and was killed (a hung decoder or file system?); "
                            "--stall-timeout sets the limit";
    }
    if (slot.killed_because) slot.process->kill();
  }
}

}  // namespace signprep::pipeline
