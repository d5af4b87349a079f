#include "pipeline/run.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/error.h"
#include "output/labels_csv.h"
#include "pipeline/clip.h"
#include "pipeline/discovery.h"

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

// OUT_DIR/<path of the video below the input directory>.npz, so that clips of
// the same name in different folders do not overwrite each other; a single
// input file gives OUT_DIR/<name>.npz.
std::filesystem::path npz_path(const std::filesystem::path& video, const RunOptions& options) {
  const bool single_file = !std::filesystem::is_directory(options.input);
  std::filesystem::path relative =
      single_file ? video.filename() : video.lexically_relative(options.input);
  return options.output_dir / relative.replace_extension(".npz");
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
// process runs every clip until the worker processes land, so InceptionV3
// gets the --workers threads; MediaPipe's small models run fastest on one
// (more threads cost more in synchronisation than they save).
Extractors load_extractors(const RunOptions& options) {
  Extractors extractors;
  if (options.write_keypoints) {
    landmarks::HolisticOptions holistic;
    holistic.models_dir = models_dir_path(options);
    holistic.min_detection_confidence = static_cast<float>(options.conf_thresh);
    holistic.min_tracking_confidence = static_cast<float>(options.conf_thresh);
    extractors.holistic.emplace(holistic);
  }
  if (options.write_iv3_features) {
    extractors.iv3.emplace(features::InceptionV3::load(iv3_weights_path(options),
                                                       {options.batch_size, options.workers}));
  }
  return extractors;
}

// --verbose: where a clip's time went.
void print_stage_seconds(const std::filesystem::path& video, const ClipOutcome& outcome,
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
  std::cerr << line.str();
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
  const auto start = std::chrono::steady_clock::now();
  // Models first: a missing or corrupt one stops the run before anything is created.
  Extractors extractors = load_extractors(options);
  prepare_output_dir(options.output_dir);
  RunSummary summary;
  std::vector<output::LabelRow> labels;
  for (const std::filesystem::path& video : videos) {
    const std::filesystem::path npz = npz_path(video, options);
    bool occluded = false;
    try {
      create_parent(npz);
      const landmarks::HolisticStageSeconds holistic_before =
          extractors.holistic ? extractors.holistic->stage_seconds()
                              : landmarks::HolisticStageSeconds{};
      const ClipOutcome outcome = process_clip(video, npz, options, extractors);
      if (outcome.warning)
        std::cerr << "signprep: warning: " << video.string() << ": " << *outcome.warning
                  << " (kept the frames before it)\n";
      if (options.verbose) print_stage_seconds(video, outcome, extractors, holistic_before);
      occluded = outcome.occluded;
    } catch (const Error& error) {
      // A bad video costs only itself; an unwritable output stops the run.
      if (error.kind() != ErrorKind::kInput) throw;
      summary.failed.push_back({video, error.what()});
      continue;
    }
    ++summary.succeeded;
    if (options.label_gloss()) {
      // The occlusion flag needs keypoints: 0 in a features-only run.
      labels.push_back({npz.lexically_relative(options.output_dir).generic_string(),
                        *options.label_gloss(), *options.label_cat(), occluded});
    }
  }
  if (!labels.empty()) output::write_labels_csv(options.labels_path(), labels, options.append);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace signprep::pipeline
