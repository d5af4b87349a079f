#include "pipeline/run.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/printable.h"
#include "nn/cpu_precision.h"
#include "output/atomic_file.h"
#include "output/labels_csv.h"
#include "output/run_lock.h"
#include "pipeline/discovery.h"
#include "pipeline/iv3_calibration.h"
#include "pipeline/memory_budget.h"
#include "pipeline/output_layout.h"
#include "pipeline/resume.h"
#include "pipeline/run_report.h"
#include "pipeline/stop_signals.h"
#include "pipeline/supervisor.h"
#include "video/probe.h"

namespace signprep::pipeline {
namespace {

// Throws Error(kOutput) unless files can be written into `dir`: it is a
// directory this process may write, or (when `may_create`) its nearest
// existing ancestor is, so that it can be made.
void require_writable_directory(const std::filesystem::path& dir, bool may_create) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = fs::absolute(dir);
  while (may_create && !fs::exists(existing, ec) && existing != existing.root_path()) {
    existing = existing.parent_path();
  }
  const std::string problem = !fs::exists(existing, ec) ? existing.string() + " does not exist"
                              : !fs::is_directory(existing, ec)
                                  ? existing.string() + " is not a directory"
                              : ::access(existing.c_str(), W_OK | X_OK) != 0
                                  ? existing.string() + ": " + std::strerror(errno)
                                  : "";
  if (problem.empty()) return;
  const bool to_make = may_create && !fs::exists(dir, ec);
  throw Error(ErrorKind::kOutput,
              (to_make ? "cannot create " : "cannot write into ") + dir.string() + ": " + problem);
}

// "out", "out/" and "./out" are one directory.
bool same_directory(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto normal = [](const std::filesystem::path& dir) {
    return (std::filesystem::absolute(dir) / "").lexically_normal();
  };
  return normal(a) == normal(b);
}

// Every place the run writes, checked before any work: a labels path that
// names a directory would otherwise be found only when labels.csv is
// written, after the last video.
void check_output_paths(const RunOptions& options) {
  namespace fs = std::filesystem;
  require_writable_directory(options.output_dir, true);
  std::vector<fs::path> files = {options.report_path()};
  if (options.label_gloss()) files.push_back(options.labels_path());
  for (const fs::path& file : files) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
      throw Error(ErrorKind::kOutput, "cannot write " + file.string() + ": it is a directory");
    }
    // The run makes OUT; any other folder must be there (labels.csv outside OUT).
    const fs::path folder = file.parent_path().empty() ? "." : file.parent_path();
    if (!same_directory(folder, options.output_dir)) require_writable_directory(folder, false);
  }
}

void prepare_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ErrorKind::kOutput, "cannot create " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir)) {
    throw Error(ErrorKind::kOutput, dir.string() + " is not a directory");
  }
}

std::vector<PlannedClip> this_shard(std::vector<PlannedClip> clips,
                                    const std::optional<Shard>& shard) {
  if (shard) {
    std::erase_if(clips, [&](const PlannedClip& clip) { return !in_shard(clip.relative, *shard); });
  }
  return clips;
}

// With --resume, what an earlier run finished, by clip; else nothing. With
// --resume-fast, a clip the last run's report vouches for is not opened
// (its latest record decides); the others are checked in full, so a missing
// or stale report costs time, never a clip. Records are checked as they are
// read, so that a million of them never sit in memory at once.
std::vector<std::optional<FinishedClip>> finished_clips(const std::vector<PlannedClip>& clips,
                                                        const RunOptions& options) {
  std::vector<std::optional<FinishedClip>> finished(clips.size());
  if (!options.resume) return finished;
  if (options.resume_fast) {
    std::unordered_map<std::string, std::size_t> by_input;
    for (std::size_t i = 0; i < clips.size(); ++i) {
      by_input.emplace(clips[i].relative, i);
    }
    for_each_recorded_video(options, [&](const VideoRecord& video) {
      const auto found = by_input.find(video.input.generic_string());
      if (found == by_input.end()) return;
      finished[found->second] = finished_as_recorded(clips[found->second], options, video);
    });
  }
  for (std::size_t i = 0; i < clips.size(); ++i) {
    if (!finished[i]) finished[i] = finished_earlier(clips[i], options);
  }
  return finished;
}

ClipResult resumed_result(std::size_t index, const FinishedClip& finished) {
  ClipResult result;
  result.index = index;
  result.record.status = VideoStatus::kOk;
  result.record.frames = finished.frames;
  result.record.outputs = finished.outputs;
  result.record.bytes = finished.bytes;
  result.record.occluded = finished.occluded;
  result.record.resumed = true;
  return result;
}

// Opening every input's header to read its duration takes about a
// millisecond a file: worth it for a tail that would leave cores idle, not
// for a million clips, where one clip's tail is lost in the whole.
constexpr std::size_t kDurationProbeLimit = 20000;

// The clips to run, longest first (by the duration their header states, else
// by file size), so that a long clip does not start last and hold up the end
// while the other workers idle. Clips of unknown length go first.
std::deque<std::size_t> longest_first(const std::vector<PlannedClip>& clips,
                                      const std::vector<std::optional<FinishedClip>>& finished,
                                      const std::filesystem::path& input) {
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < clips.size(); ++i) {
    if (!finished[i]) todo.push_back(i);
  }
  const bool by_duration = todo.size() <= kDurationProbeLimit;
  std::vector<std::pair<double, std::size_t>> weighed;
  weighed.reserve(todo.size());
  for (const std::size_t i : todo) {
    std::optional<double> weight;
    if (by_duration) {
      weight = video::header_duration_seconds(clips[i].video(input));
    } else {
      std::error_code unknown;
      const std::uintmax_t size = std::filesystem::file_size(clips[i].video(input), unknown);
      if (!unknown) weight = static_cast<double>(size);
    }
    weighed.emplace_back(weight.value_or(std::numeric_limits<double>::infinity()), i);
  }
  std::stable_sort(weighed.begin(), weighed.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::deque<std::size_t> order;
  for (const auto& [weight, index] : weighed) order.push_back(index);
  return order;
}

// Inference threads per worker: the cores shared out, so that a run with
// fewer clips than --workers still uses them all.
int threads_per_worker(int workers) {
  return std::max(1, usable_cores() / std::max(1, workers));
}

// Per clip, in input order: its occlusion flag when it has a labels row (a
// written clip with an id given), kNoLabel otherwise. A flag a clip, not a
// row: the rows are made at the end, once.
constexpr std::int8_t kNoLabel = -1;

void write_labels(const RunOptions& options, const std::vector<PlannedClip>& clips,
                  const std::vector<std::int8_t>& occluded_by_clip) {
  std::vector<output::LabelRow> rows;
  for (std::size_t i = 0; i < clips.size(); ++i) {
    if (occluded_by_clip[i] == kNoLabel) continue;
    rows.push_back(output::LabelRow{clips[i].npz(options.flat).generic_string(),
                                    *options.label_gloss(), *options.label_cat(),
                                    occluded_by_clip[i] == 1});
  }
  // A shard writes its file even without rows, so merge-labels sees it finished.
  if (!rows.empty() || (options.shard && options.label_gloss())) {
    output::write_labels_csv(options.labels_path(), rows, options.append);
  }
}

void warn_if_memory_is_short(const RunOptions& options, int workers) {
  const std::optional<std::int64_t> available = available_memory();
  if (!available) return;
  if (auto warning = memory_warning(workers, estimated_worker_memory(options), *available)) {
    std::cerr << *warning;
  }
}

// "signprep: InceptionV3 on NVIDIA H100 ... (cuda:0), fp32, batch 64, ...:
// 1234 frames in 25 batches (77% full); GPU busy 12.3 s of 40.1 s (31%)"
std::string feature_server_line(const FeatureServerStats& stats) {
  const double batches = static_cast<double>(stats.batches);
  char line[512];
  std::snprintf(line, sizeof line,
                "signprep: InceptionV3 on %s: %lld frames in %lld batches (%.0f%% full); GPU "
                "busy %.1f s of %.1f s (%.0f%%)\n",
                stats.device.c_str(), static_cast<long long>(stats.frames),
                static_cast<long long>(stats.batches),
                batches > 0 ? 100.0 * double(stats.frames) / (batches * stats.batch_size) : 0.0,
                stats.busy_seconds, stats.serving_seconds,
                stats.serving_seconds > 0 ? 100 * stats.busy_seconds / stats.serving_seconds : 0.0);
  return line;
}

// A run killed outright (SIGKILL, the OOM killer) leaves the files it was
// writing as hidden temporaries. Those of the files this run writes go, one
// scan per directory; only this shard's own names, so that another shard's
// writes, perhaps on another machine, are never touched.
void remove_what_killed_runs_left(const RunOptions& options, const std::vector<PlannedClip>& clips,
                                  const std::deque<std::size_t>& todo) {
  std::map<std::filesystem::path, std::set<std::string, std::less<>>> by_directory;
  const auto add = [&](const std::filesystem::path& file) {
    by_directory[file.parent_path()].insert(file.filename().string());
  };
  add(options.report_path());
  add(options.journal_path());
  add(options.labels_path());
  for (const std::size_t index : todo) {
    const std::filesystem::path npz = options.output_dir / clips.at(index).npz(options.flat);
    add(npz);
    add(parquet_beside(npz));
  }
  for (const auto& [directory, names] : by_directory) {
    output::remove_orphaned_temporaries(directory, names);
  }
}

// The report's inputs: the clips, then the directories that could not be
// read, each relative to the input directory.
std::vector<std::string> relative_inputs(const std::vector<PlannedClip>& clips,
                                         const std::vector<UnreadableDirectory>& unreadable,
                                         const std::filesystem::path& input) {
  std::vector<std::string> inputs;
  inputs.reserve(clips.size() + unreadable.size());
  for (const PlannedClip& clip : clips) inputs.push_back(clip.relative);
  for (const UnreadableDirectory& directory : unreadable) {
    inputs.push_back(directory.path.lexically_relative(input).generic_string());
  }
  return inputs;
}

// The options with every CPU precision decided (pipeline/precision_choice.h),
// before anything is read or forked: meta, --resume and the report see what
// runs, never "auto".
struct DecidedOptions {
  RunOptions options;
  std::vector<std::string> warnings;  // auto fell back to fp32
  std::string bf16_hint;              // AMX here, yet fp32 runs: what bf16 would gain
};

DecidedOptions decide_precisions(const RunOptions& requested) {
  DecidedOptions decided{requested, {}, {}};
  const bool iv3_on_cpu = requested.write_iv3_features && !requested.cuda_device;
  if (!iv3_on_cpu && !requested.write_keypoints) return decided;
  nn::Bf16Support support = nn::probe_bf16_support();
  // Without AMX, bf16 runs only where it measures faster than fp32 here.
  const auto bf16_considered = [](PrecisionRequest request) {
    return request == PrecisionRequest::kBf16 || request == PrecisionRequest::kAuto;
  };
  if (!support.uses_amx &&
      ((iv3_on_cpu && bf16_considered(requested.iv3_precision)) ||
       (requested.write_keypoints && requested.keypoint_precision == PrecisionRequest::kBf16))) {
    support.measured_speedup = nn::measure_bf16_speedup();
  }
  const bool int8_asked = requested.iv3_precision == PrecisionRequest::kInt8;
  const nn::Int8Support int8_support = int8_asked ? nn::probe_int8_support() : nn::Int8Support{};
  std::vector<std::string> fp32_flags;
  const auto decide = [&](PrecisionRequest& request, const char* flag, const AutoPolicy& policy) {
    const PrecisionDecision decision =
        decide_cpu_precision(request, flag, support, policy, int8_support);
    request = decision.decided;
    if (!decision.warning.empty()) decided.warnings.push_back(decision.warning);
    if (request == PrecisionRequest::kFp32) fp32_flags.push_back(std::string(flag) + " bf16");
  };
  if (iv3_on_cpu) decide(decided.options.iv3_precision, "--iv3-precision", kAutoTakesBf16);
  if (iv3_on_cpu && decided.options.iv3_precision == PrecisionRequest::kInt8) {
    LoadedIv3Calibration calibration =
        load_iv3_calibration(iv3_calibration_path(requested), iv3_weights_path(requested));
    decided.options.iv3_activation_ranges = std::move(calibration.ranges);
    decided.options.iv3_calibration_fnv1a64 = std::move(calibration.file_fnv1a64);
  }
  if (requested.write_keypoints) {
    decide(decided.options.keypoint_precision, "--keypoint-precision", kKeypointAutoKeepsFp32);
  }
  if (support.uses_amx && !fp32_flags.empty()) {
    char speedup[32];
    std::snprintf(speedup, sizeof speedup, "%.1fx", nn::measure_bf16_speedup());
    decided.bf16_hint =
        "this CPU runs bf16 on AMX (" + support.implementation + "): a probe convolution ran " +
        speedup + " faster than in fp32; " + fp32_flags.front() +
        (fp32_flags.size() > 1 ? " and " + fp32_flags[1] : "") + " use it (README: \"Precision\")";
  }
  return decided;
}

std::string unreadable_reason(const UnreadableDirectory& directory) {
  return "cannot list the directory " + directory.path.string() + " (" + directory.reason +
         "): the videos in it were not processed";
}

// " (cannot list: a (Permission denied), b (...))", or nothing.
std::string unreadable_note(const std::vector<UnreadableDirectory>& unreadable) {
  std::string note;
  for (const UnreadableDirectory& directory : unreadable) {
    note += (note.empty() ? " (cannot list: " : ", ") + directory.path.string() + " (" +
            directory.reason + ")";
  }
  return note.empty() ? note : note + ")";
}

// A directory that could not be read is a failure of the run, like a video
// that could not be: said at once, in the report, the summary and the exit
// code. Its records follow the clips' (from index `first`).
void record_unreadable(const std::vector<UnreadableDirectory>& unreadable, std::size_t first,
                       RunReport& report) {
  for (std::size_t i = 0; i < unreadable.size(); ++i) {
    VideoRecord record;
    record.status = VideoStatus::kFailed;
    record.error = unreadable_reason(unreadable[i]);
    std::cerr << "signprep: failed: " << printable(record.error) << "\n";
    report.record(first + i, std::move(record));
  }
}

}  // namespace

RunSummary run(const RunOptions& requested) {
  validate(requested);
  const DecidedOptions decided = decide_precisions(requested);
  for (const std::string& warning : decided.warnings) {
    std::cerr << "signprep: warning: " << warning << "\n";
  }
  const RunOptions& options = decided.options;
  if (!options.write_keypoints && !options.write_iv3_features) {
    throw Error(ErrorKind::kUsage,
                "nothing to do: pass --write-keypoints and/or --write-iv3-features");
  }
  check_output_paths(options);
  DiscoveredVideos found = discover_videos(options.input, options.output_dir);
  if (found.videos.empty()) {
    throw Error(ErrorKind::kInput, "no videos (.mp4 .mov .avi .mkv .webm) found under " +
                                       options.input.string() + unreadable_note(found.unreadable));
  }
  // Planned over all inputs: two that clash clash in any shard.
  const std::vector<PlannedClip> clips =
      this_shard(plan_outputs(found.videos, options.input, options.flat), options.shard);
  // The plan holds the paths now: a second copy of every input's path was a
  // sixth of what the supervisor holds per input (docs/BENCHMARKS.md, issue 25).
  std::vector<std::string>().swap(found.videos);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::optional<FinishedClip>> finished = finished_clips(clips, options);
  std::deque<std::size_t> todo = longest_first(clips, finished, options.input);
  // Before the first fork: the workers inherit the handlers.
  const StopSignals stop;
  const int workers = std::min<int>(options.workers, static_cast<int>(todo.size()));
  const WorkerSetup setup{options, clips, threads_per_worker(workers), stop};
  std::optional<Supervisor> supervisor;
  if (!todo.empty()) {
    warn_if_memory_is_short(options, workers);
    supervisor.emplace(setup, workers);
    // Models first: a missing or corrupt one stops the run before anything is created.
    supervisor->wait_until_ready();
  }
  prepare_output_dir(options.output_dir);
  output::RunLock lock = output::RunLock::acquire(options.lock_path());
  remove_what_killed_runs_left(options, clips, todo);
  RunReport report(options, relative_inputs(clips, found.unreadable, options.input));
  record_unreadable(found.unreadable, clips.size(), report);
  // By clip, so that labels.csv lists them in input order whichever finished first.
  std::vector<std::int8_t> labels(clips.size(), kNoLabel);
  auto keep = [&](ClipResult result) {
    if (result.record.status == VideoStatus::kOk && options.label_gloss()) {
      // The occlusion flag needs keypoints: 0 in a features-only run.
      labels.at(result.index) = result.record.occluded ? 1 : 0;
    }
    report.record(result.index, std::move(result.record));
  };
  for (std::size_t i = 0; i < clips.size(); ++i) {
    if (finished[i]) keep(resumed_result(i, *finished[i]));
  }
  // The report's journal holds them now.
  std::vector<std::optional<FinishedClip>>().swap(finished);
  Progress progress(static_cast<int>(todo.size()), progress_style(options.quiet), std::cerr);
  if (supervisor) {
    supervisor->run(
        std::move(todo), progress,
        [&](ClipResult result) {
          const bool ok = result.record.status == VideoStatus::kOk;
          if (!ok) progress.print("signprep: failed: " + result.record.error + "\n");
          progress.video_finished(!ok);
          keep(std::move(result));
        },
        [&lock] { lock.refresh(); });
  }
  write_labels(options, clips, labels);
  const std::int64_t peak_worker_memory = supervisor ? supervisor->peak_worker_memory() : 0;
  const std::optional<FeatureServerStats> server =
      supervisor ? supervisor->feature_server_stats() : std::nullopt;
  report.finish(peak_worker_memory, server);
  progress.finish();
  if (server && !options.quiet) std::cerr << feature_server_line(*server);
  RunSummary summary = report.summary(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  summary.stopped = stop.requested();
  summary.peak_worker_memory = peak_worker_memory;
  summary.hint = decided.bf16_hint;
  return summary;
}

}  // namespace signprep::pipeline
