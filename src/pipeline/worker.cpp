#include "pipeline/worker.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <new>
#include <sstream>

#include "core/json.h"
#include "output/json_writer.h"
#include "pipeline/clip.h"
#include "pipeline/feature_link.h"
#include "pipeline/feature_server.h"

namespace signprep::pipeline {
namespace {

// The worker's end of its socket, whatever number fork gave it.
constexpr int kWorkerSocket = 3;

[[noreturn]] void system_failure(const std::string& what) {
  throw Error(ErrorKind::kOutput, "cannot " + what + ": " + std::strerror(errno));
}

// ---- The protocol: one JSON object per line from the worker; one clip index
// per line to it.

const char* status_name(VideoStatus status) {
  return status == VideoStatus::kOk ? "ok" : "failed";
}

std::string encode(const WorkerEvent& event) {
  using Kind = WorkerEvent::Kind;
  JsonValue::Object object;
  switch (event.kind) {
    case Kind::kReady:
      object = {{"event", "ready"}};
      break;
    case Kind::kFrameKept:
      object = {{"event", "frame"}};
      break;
    case Kind::kMessage:
      object = {{"event", "message"}, {"text", event.text}};
      break;
    case Kind::kClipStopped:
      object = {{"event", "stopped"}};
      break;
    case Kind::kFatal:
      object = {
          {"event", "fatal"}, {"kind", static_cast<int>(event.error_kind)}, {"text", event.text}};
      break;
    case Kind::kServerStats:
      object = {{"event", "server_stats"}, {"stats", feature_server_json(*event.server_stats)}};
      break;
    case Kind::kClipDone: {
      const ClipResult& result = *event.result;
      const VideoRecord& record = result.record;
      JsonValue::Array outputs;
      for (const auto& output : record.outputs) outputs.emplace_back(output.string());
      JsonValue::Array bytes;
      for (const std::uintmax_t size : record.bytes) {
        bytes.emplace_back(static_cast<std::int64_t>(size));
      }
      object = {{"event", "done"},
                {"index", static_cast<std::int64_t>(result.index)},
                {"status", status_name(record.status)},
                {"frames", record.frames},
                {"seconds", record.seconds},
                {"outputs", std::move(outputs)},
                {"error", record.error},
                {"warning", record.warning ? JsonValue(*record.warning) : JsonValue()},
                {"occluded", record.occluded},
                {"bytes", std::move(bytes)}};
      break;
    }
  }
  return output::dump_json(JsonValue(std::move(object))) + "\n";
}

// Reads the fields of one event object; a malformed line is a bug in
// signprep, reported as such.
class EventFields {
 public:
  explicit EventFields(const JsonValue& value) : value_(value) {
    if (value.as_object() == nullptr) fail("not an object");
  }
  const JsonValue& get(const std::string& key) const {
    const JsonValue* value = value_.find(key);
    if (value == nullptr) fail("no \"" + key + "\"");
    return *value;
  }
  const std::string& text(const std::string& key) const { return typed(get(key).as_string(), key); }
  std::int64_t integer(const std::string& key) const { return typed(get(key).as_int(), key); }
  bool flag(const std::string& key) const { return typed(get(key).as_bool(), key); }
  double number(const std::string& key) const {
    const JsonValue& value = get(key);
    if (const std::int64_t* i = value.as_int()) return static_cast<double>(*i);
    return typed(value.as_double(), key);
  }
  const JsonValue::Array& array(const std::string& key) const {
    return typed(get(key).as_array(), key);
  }

 private:
  template <typename T>
  static const T& typed(const T* value, const std::string& key) {
    if (value == nullptr) fail("\"" + key + "\" has the wrong type");
    return *value;
  }
  [[noreturn]] static void fail(const std::string& problem) {
    throw std::logic_error("worker event: " + problem);
  }
  const JsonValue& value_;
};

ClipResult decode_result(const EventFields& fields) {
  ClipResult result;
  result.index = static_cast<std::size_t>(fields.integer("index"));
  VideoRecord& record = result.record;
  record.status = fields.text("status") == "ok" ? VideoStatus::kOk : VideoStatus::kFailed;
  record.frames = fields.integer("frames");
  record.seconds = fields.number("seconds");
  for (const JsonValue& output : fields.array("outputs")) {
    if (const std::string* path = output.as_string()) record.outputs.emplace_back(*path);
  }
  record.error = fields.text("error");
  if (!fields.get("warning").is_null()) record.warning = fields.text("warning");
  record.occluded = fields.flag("occluded");
  for (const JsonValue& size : fields.array("bytes")) {
    if (const std::int64_t* value = size.as_int()) {
      record.bytes.push_back(static_cast<std::uintmax_t>(*value));
    }
  }
  return result;
}

FeatureServerStats decode_server_stats(const EventFields& fields) {
  FeatureServerStats stats;
  stats.device = fields.text("device");
  stats.frames = fields.integer("frames");
  stats.batches = fields.integer("batches");
  stats.batch_size = static_cast<int>(fields.integer("batch_size"));
  stats.busy_seconds = fields.number("busy_seconds");
  stats.serving_seconds = fields.number("serving_seconds");
  return stats;
}

WorkerEvent decode(std::string_view line) {
  using Kind = WorkerEvent::Kind;
  const JsonValue value = parse_json(line);
  const EventFields fields(value);
  const std::string& name = fields.text("event");
  WorkerEvent event;
  if (name == "ready") {
    event.kind = Kind::kReady;
  } else if (name == "frame") {
    event.kind = Kind::kFrameKept;
  } else if (name == "message") {
    event.kind = Kind::kMessage;
    event.text = fields.text("text");
  } else if (name == "stopped") {
    event.kind = Kind::kClipStopped;
  } else if (name == "fatal") {
    event.kind = Kind::kFatal;
    event.error_kind = static_cast<ErrorKind>(fields.integer("kind"));
    event.text = fields.text("text");
  } else if (name == "server_stats") {
    event.kind = Kind::kServerStats;
    event.server_stats = decode_server_stats(EventFields(fields.get("stats")));
  } else if (name == "done") {
    event.kind = Kind::kClipDone;
    event.result = decode_result(fields);
  } else {
    throw std::logic_error("worker event: unknown \"" + name + "\"");
  }
  return event;
}

// Writes all of `text`; false when the peer is gone. MSG_NOSIGNAL: a closed
// peer is an error return, not a SIGPIPE.
bool send_all(int socket, std::string_view text) {
  while (!text.empty()) {
    const ssize_t sent = ::send(socket, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// ---- The worker's side.

class SupervisorLink {
 public:
  // A supervisor that has gone cannot take results: the worker ends (it
  // holds no temporary file at any point where it sends).
  void send(const WorkerEvent& event) const {
    if (!send_all(kWorkerSocket, encode(event))) std::_Exit(1);
  }
  void send(WorkerEvent::Kind kind, std::string text = {}) const {
    WorkerEvent event;
    event.kind = kind;
    event.text = std::move(text);
    send(event);
  }

  // The next clip index, or nothing once the supervisor has no more.
  std::optional<std::size_t> next_clip() {
    for (;;) {
      if (const std::size_t end = buffer_.find('\n'); end != std::string::npos) {
        const std::size_t index = std::stoull(buffer_.substr(0, end));
        buffer_.erase(0, end + 1);
        return index;
      }
      char chunk[256];
      const ssize_t got = ::read(kWorkerSocket, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

 private:
  std::string buffer_;
};

// --verbose: where a clip's time went.
std::string stage_seconds(const std::filesystem::path& video, const ClipOutcome& outcome,
                          const Extractors& extractors,
                          const landmarks::HolisticStageSeconds& holistic_before) {
  const ClipStageSeconds& s = outcome.seconds;
  std::ostringstream line;
  line << std::fixed << std::setprecision(3) << "signprep: " << video.string() << ": "
       << outcome.frames_kept << " frames; seconds: decode " << s.decode;
  if (extractors.holistic) {
    const landmarks::HolisticStageSeconds& h = extractors.holistic->stage_seconds();
    line << ", resize " << s.resize << ", segmentation "
         << h.segmentation - holistic_before.segmentation << ", pose "
         << h.pose - holistic_before.pose << ", hands " << h.hands - holistic_before.hands
         << ", face " << h.face - holistic_before.face << ", postprocess " << s.postprocess;
  }
  if (extractors.iv3) line << ", inceptionv3 " << s.inception;
  // Within the stages above, not one of them: what the networks took alone.
  line << ", writing " << s.writing << "; inference " << s.inference << "\n";
  return line.str();
}

void create_parent(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw Error(ErrorKind::kOutput,
                "cannot create " + file.parent_path().string() + ": " + ec.message());
  }
}

// Test hooks that make a run's workers fail as real ones do, at the first
// kept frame of the video named in the variable: SIGNPREP_TEST_CRASH_ON=NAME
// kills the worker with SIGKILL (as the out-of-memory killer would);
// SIGNPREP_TEST_HANG_ON=NAME stops it there for good, deaf to SIGTERM (as a
// decoder stuck in a system call would); SIGNPREP_TEST_BAD_ALLOC_ON=NAME
// throws std::bad_alloc (as an allocation the memory limit refuses would).
// Tests use them to check that a run survives its workers.
bool test_hook_names(const char* variable, const std::filesystem::path& video) {
  const char* name = std::getenv(variable);
  return name != nullptr && video.filename() == name;
}

// A test hook for a worker killed while it loads the models:
// SIGNPREP_TEST_CRASH_LOADING=DIR has each worker, before loading, take one
// file out of DIR (the files are tokens: each is removed by one worker only)
// and, if it got one, kill itself with SIGKILL.
void crash_loading_if_asked() {
  const char* tokens = std::getenv("SIGNPREP_TEST_CRASH_LOADING");
  if (tokens == nullptr) return;
  std::error_code ignored;
  for (const auto& token : std::filesystem::directory_iterator(tokens, ignored)) {
    if (std::filesystem::remove(token.path(), ignored)) std::raise(SIGKILL);
  }
}

// One assigned clip. A bad video costs only itself (a failed result);
// anything else (an unwritable output) propagates and ends the worker.
// Returns false when a stop signal interrupted the clip.
bool run_assigned(const WorkerSetup& setup, std::size_t index, Extractors& extractors,
                  const SupervisorLink& link) {
  const auto start = std::chrono::steady_clock::now();
  const PlannedClip& clip = setup.clips.at(index);
  const RunOptions& options = setup.options;
  const std::filesystem::path video = clip.video(options.input);
  const bool crash = test_hook_names("SIGNPREP_TEST_CRASH_ON", video);
  const bool hang = test_hook_names("SIGNPREP_TEST_HANG_ON", video);
  const bool bad_alloc = test_hook_names("SIGNPREP_TEST_BAD_ALLOC_ON", video);
  ClipResult result;
  result.index = index;
  VideoRecord& record = result.record;
  try {
    const std::filesystem::path npz = options.output_dir / clip.npz(options.flat);
    create_parent(npz);
    const landmarks::HolisticStageSeconds holistic_before =
        extractors.holistic ? extractors.holistic->stage_seconds()
                            : landmarks::HolisticStageSeconds{};
    const ClipOutcome outcome = process_clip(video, npz, options, extractors, [&] {
      if (crash) std::raise(SIGKILL);
      while (hang) ::pause();
      if (bad_alloc) throw std::bad_alloc();
      if (setup.stop.requested()) throw StopRequested{};
      link.send(WorkerEvent::Kind::kFrameKept);
    });
    if (outcome.warning) {
      link.send(WorkerEvent::Kind::kMessage, "signprep: warning: " + video.string() + ": " +
                                                 *outcome.warning +
                                                 "; every frame that decoded was used\n");
    }
    if (options.verbose) {
      link.send(WorkerEvent::Kind::kMessage,
                stage_seconds(video, outcome, extractors, holistic_before));
    }
    record.status = VideoStatus::kOk;
    record.frames = outcome.frames_kept;
    for (const std::filesystem::path& file : outcome.files) {
      record.outputs.push_back(file.lexically_relative(options.output_dir));
      // Measured here, so that the supervisor's cost per clip stays a
      // message; a size that cannot be read (0) makes --resume-fast rerun it.
      std::error_code unknown;
      const std::uintmax_t size = std::filesystem::file_size(file, unknown);
      record.bytes.push_back(unknown ? 0 : size);
    }
    record.warning = outcome.warning;
    record.occluded = outcome.occluded;
  } catch (const StopRequested&) {
    link.send(WorkerEvent::Kind::kClipStopped);
    return false;
  } catch (const std::bad_alloc&) {
    // This clip needed more memory than the worker may take (a long clip at a
    // large size, a cgroup limit): the clip fails, the worker goes on.
    record.status = VideoStatus::kFailed;
    record.error = video.string() + ": out of memory (an allocation failed)";
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kDevice && setup.options.cuda_device) {
      // The feature server has gone: this clip's features with it. The
      // worker goes on with InceptionV3 on the CPU.
      record.error = video.string() + ": " + error.what();
      record.status = VideoStatus::kFailed;
      extractors.iv3 = load_cpu_inception(setup.options, setup.threads, extractors.inference);
      link.send(WorkerEvent::Kind::kMessage,
                "signprep: warning: a worker lost the feature server; it computes InceptionV3 "
                "on the CPU from here\n");
    } else {
      if (error.kind() != ErrorKind::kInput) throw;
      record.status = VideoStatus::kFailed;
      record.error = error.what();
    }
  }
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WorkerEvent done;
  done.kind = WorkerEvent::Kind::kClipDone;
  done.result = std::move(result);
  link.send(done);
  return true;
}

// The feature server's life: an error while loading is the run's (serve()
// reports it; no GPU: nothing is written); a GPU failure later is a warning,
// and the workers carry on without it.
int serve_features(const WorkerSetup& setup, const SupervisorLink& link) {
  FeatureServer server(setup.options,
                       feature_server_address(::getppid(), *setup.options.cuda_device));
  link.send(WorkerEvent::Kind::kReady);
  try {
    WorkerEvent stats;
    stats.kind = WorkerEvent::Kind::kServerStats;
    stats.server_stats = server.serve(kWorkerSocket, setup.stop);
    link.send(stats);
    return 0;
  } catch (const Error& error) {
    link.send(WorkerEvent::Kind::kMessage,
              "signprep: warning: the feature server stopped: " + std::string(error.what()) +
                  "; the workers compute InceptionV3 on the CPU from here\n");
    return 1;
  }
}

int serve(const WorkerSetup& setup, WorkerProcess::Role role) {
  SupervisorLink link;
  try {
    if (role == WorkerProcess::Role::kFeatureServer) return serve_features(setup, link);
    crash_loading_if_asked();
    Extractors extractors = load_extractors(setup.options, setup.threads);
    link.send(WorkerEvent::Kind::kReady);
    while (const std::optional<std::size_t> index = link.next_clip()) {
      if (!run_assigned(setup, *index, extractors, link)) break;
    }
    return 0;
  } catch (const Error& error) {
    WorkerEvent fatal;
    fatal.kind = WorkerEvent::Kind::kFatal;
    fatal.error_kind = error.kind();
    fatal.text = error.what();
    link.send(fatal);
  } catch (const std::exception& error) {
    link.send(WorkerEvent::Kind::kFatal, std::string("internal error: ") + error.what());
  }
  return 1;
}

// The child's first steps after fork: its socket at a known number and no
// other descriptor of the supervisor (another worker's socket held open here
// would hide that worker's end from the supervisor).
void become_worker(int socket, pid_t supervisor) {
  const int high = ::fcntl(socket, F_DUPFD, 64);
  if (high < 0 || ::dup2(high, kWorkerSocket) < 0) std::_Exit(1);
  ::close_range(kWorkerSocket + 1, ~0U, 0);
  // The supervisor's death (even by SIGKILL) stops the worker like a stop
  // signal: it ends its clip cleanly, leaving no temporary file.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != supervisor) std::_Exit(1);
  // Its own process group: a terminal's Ctrl-C reaches the supervisor only,
  // which stops the workers itself.
  ::setpgid(0, 0);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    std::string text =
        "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    if (signal == SIGKILL)
      text += "; if memory ran out (the kernel's OOM killer sends it), try fewer --workers";
    return text;
  }
  return "ended with status " + std::to_string(status);
}

}  // namespace

WorkerProcess::WorkerProcess(const WorkerSetup& setup, Role role) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    system_failure("create a worker's socket");
  }
  const pid_t supervisor = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    const int err = errno;
    ::close(sockets[0]);
    ::close(sockets[1]);
    errno = err;
    system_failure("start a worker process");
  }
  if (pid_ == 0) {
    ::close(sockets[0]);
    become_worker(sockets[1], supervisor);
    // _Exit: the supervisor's objects copied into this process (its report,
    // its progress bar) must not run their destructors here.
    std::_Exit(serve(setup, role));
  }
  ::close(sockets[1]);
  socket_ = sockets[0];
  ::setpgid(pid_, pid_);  // as the child does, whichever runs first
}

WorkerProcess::~WorkerProcess() {
  if (!exit_) {
    kill();
    wait();
  }
  if (socket_ >= 0) ::close(socket_);
}

void WorkerProcess::assign(std::size_t clip_index) {
  send_all(socket_, std::to_string(clip_index) + "\n");
}

std::vector<WorkerEvent> WorkerProcess::read_events() {
  std::vector<WorkerEvent> events;
  char chunk[65536];
  const ssize_t got = ::read(socket_, chunk, sizeof chunk);
  if (got < 0 && errno == EINTR) return events;
  if (got <= 0) {
    ended_ = true;
    return events;
  }
  pending_.append(chunk, static_cast<std::size_t>(got));
  std::size_t start = 0;
  for (std::size_t end; (end = pending_.find('\n', start)) != std::string::npos; start = end + 1) {
    events.push_back(decode(std::string_view(pending_).substr(start, end - start)));
  }
  pending_.erase(0, start);
  return events;
}

void WorkerProcess::stop() {
  if (!exit_) ::kill(pid_, SIGTERM);
}

void WorkerProcess::kill() {
  if (!exit_) ::kill(pid_, SIGKILL);
}

void WorkerProcess::finish() {
  ::shutdown(socket_, SHUT_WR);
}

const WorkerExit& WorkerProcess::wait() {
  if (exit_) return *exit_;
  int status = 0;
  rusage usage{};
  while (::wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  WorkerExit exit;
  exit.clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  exit.description = describe_exit(status);
  exit.peak_rss = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux counts kilobytes
  exit_ = std::move(exit);
  return *exit_;
}

}  // namespace signprep::pipeline
