#include "pipeline/run.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "output/labels_csv.h"
#include "pipeline/clip.h"
#include "pipeline/discovery.h"
#include "pipeline/output_layout.h"
#include "pipeline/run_report.h"
#include "pipeline/stop_signals.h"

namespace signprep::pipeline {
namespace {

void prepare_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ErrorKind::kOutput, "cannot create " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir)) {
    throw Error(ErrorKind::kOutput, dir.string() + " is not a directory");
  }
}

void create_parent(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw Error(ErrorKind::kOutput,
                "cannot create " + file.parent_path().string() + ": " + ec.message());
  }
}

// The extractors the options ask for, loaded once for the whole run. One
// process runs every clip until the worker processes land, so every model
// gets the --workers threads (on 2 cores, Holistic's models run a clip in 0.8x
// the wall time of one thread, for 1.55x the CPU time: worker processes with
// one thread each will use the cores better).
Extractors load_extractors(const RunOptions& options) {
  Extractors extractors;
  if (options.write_keypoints) {
    landmarks::HolisticOptions holistic;
    holistic.models_dir = models_dir_path(options);
    holistic.min_detection_confidence = static_cast<float>(options.conf_thresh);
    holistic.min_tracking_confidence = static_cast<float>(options.conf_thresh);
    holistic.model_options.threads = options.workers;
    extractors.holistic.emplace(holistic);
  }
  if (options.write_iv3_features) {
    extractors.iv3.emplace(features::InceptionV3::load(iv3_weights_path(options),
                                                       {options.batch_size, options.workers}));
  }
  return extractors;
}

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
  line << ", writing " << s.writing << "\n";
  return line.str();
}

// A run's result for one video: its report entry and its labels' flag.
struct ClipRun {
  VideoRecord record;
  bool occluded = false;
};

// The report entry of a clip written to the output directory.
VideoRecord written_record(const PlannedClip& clip, const ClipOutcome& outcome,
                           const std::filesystem::path& output_dir) {
  VideoRecord record;
  record.input = clip.relative;
  record.status = VideoStatus::kOk;
  record.frames = outcome.frames_kept;
  for (const std::filesystem::path& file : outcome.files) {
    record.outputs.push_back(file.lexically_relative(output_dir));
  }
  record.warning = outcome.warning;
  return record;
}

// One planned clip through the extractors. A bad video costs only itself (a
// failed record); anything else (an unwritable output) stops the run.
ClipRun run_clip(const PlannedClip& clip, const RunOptions& options, Extractors& extractors,
                 Progress& progress, const StopSignals& stop) {
  const auto start = std::chrono::steady_clock::now();
  const std::filesystem::path npz = options.output_dir / clip.npz;
  ClipRun run;
  try {
    create_parent(npz);
    const landmarks::HolisticStageSeconds holistic_before =
        extractors.holistic ? extractors.holistic->stage_seconds()
                            : landmarks::HolisticStageSeconds{};
    const ClipOutcome outcome = process_clip(clip.video, npz, options, extractors, [&] {
      progress.frame_kept();
      if (stop.requested()) throw StopRequested{};
    });
    if (outcome.warning) {
      progress.print("signprep: warning: " + clip.video.string() + ": " + *outcome.warning +
                     " (kept the frames before it)\n");
    }
    if (options.verbose) {
      progress.print(stage_seconds(clip.video, outcome, extractors, holistic_before));
    }
    run.record = written_record(clip, outcome, options.output_dir);
    run.occluded = outcome.occluded;
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kInput) throw;
    progress.print("signprep: failed: " + std::string(error.what()) + "\n");
    run.record.input = clip.relative;
    run.record.status = VideoStatus::kFailed;
    run.record.error = error.what();
  }
  run.record.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

RunSummary summarize(const std::vector<VideoRecord>& videos, double seconds) {
  RunSummary summary;
  summary.seconds = seconds;
  for (const VideoRecord& video : videos) {
    if (video.status == VideoStatus::kOk) ++summary.succeeded;
    if (video.status == VideoStatus::kFailed) summary.failed.push_back({video.input, video.error});
    if (video.status == VideoStatus::kPending) ++summary.not_run;
  }
  return summary;
}

std::vector<std::filesystem::path> relative_inputs(const std::vector<PlannedClip>& clips) {
  std::vector<std::filesystem::path> inputs;
  inputs.reserve(clips.size());
  for (const PlannedClip& clip : clips) inputs.push_back(clip.relative);
  return inputs;
}

}  // namespace

RunSummary run(const RunOptions& options) {
  validate(options);
  if (!options.write_keypoints && !options.write_iv3_features) {
    throw Error(ErrorKind::kUsage,
                "nothing to do: pass --write-keypoints and/or --write-iv3-features");
  }
  const std::vector<std::filesystem::path> videos = discover_videos(options.input);
  if (videos.empty()) {
    throw Error(ErrorKind::kInput,
                "no videos (.mp4 .mov .avi .mkv .webm) found under " + options.input.string());
  }
  const std::vector<PlannedClip> clips = plan_outputs(videos, options.input, options.flat);
  const auto start = std::chrono::steady_clock::now();
  // Models first: a missing or corrupt one stops the run before anything is created.
  Extractors extractors = load_extractors(options);
  prepare_output_dir(options.output_dir);
  RunReport report(options, relative_inputs(clips));
  Progress progress(static_cast<int>(clips.size()), progress_style(options.quiet), std::cerr);
  std::vector<output::LabelRow> labels;
  const StopSignals stop;
  for (std::size_t i = 0; i < clips.size() && !stop.requested(); ++i) {
    ClipRun clip;
    try {
      clip = run_clip(clips[i], options, extractors, progress, stop);
    } catch (const StopRequested&) {
      break;  // the clip stays pending in the report; nothing of it was written
    }
    const bool ok = clip.record.status == VideoStatus::kOk;
    progress.video_finished(!ok);
    if (ok && options.label_gloss()) {
      // The occlusion flag needs keypoints: 0 in a features-only run.
      labels.push_back({clips[i].npz.generic_string(), *options.label_gloss(), *options.label_cat(),
                        clip.occluded});
    }
    report.record(i, std::move(clip.record));
  }
  if (!labels.empty()) output::write_labels_csv(options.labels_path(), labels, options.append);
  report.finish();
  progress.finish();
  RunSummary summary =
      summarize(report.videos(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  summary.stopped = stop.requested();
  return summary;
}

}  // namespace signprep::pipeline
