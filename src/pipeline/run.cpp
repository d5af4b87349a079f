#include "pipeline/run.h"

#include <chrono>
#include <iostream>

#include "core/error.h"
#include "features/inception_v3.h"
#include "output/labels_csv.h"
#include "pipeline/clip_features.h"
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

// The keypoint extractor lands with its own issue; until then asking for it
// fails before any work starts rather than writing anything partial.
void require_available_extractors(const RunOptions& options) {
  if (options.write_keypoints) {
    throw Error(ErrorKind::kUnavailable,
                "--write-keypoints: MediaPipe Holistic keypoint extraction is not available yet "
                "in this version of signprep");
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
  prepare_output_dir(options.output_dir);
  require_available_extractors(options);

  const auto start = std::chrono::steady_clock::now();
  // One process runs every clip until the worker processes land, so the
  // network gets the --workers threads.
  features::InceptionV3 net =
      features::InceptionV3::load(iv3_weights_path(options), {options.batch_size, options.workers});
  RunSummary summary;
  std::vector<output::LabelRow> labels;
  for (const std::filesystem::path& video : videos) {
    const std::filesystem::path npz = npz_path(video, options);
    try {
      create_parent(npz);
      const ClipOutcome outcome = write_clip_features(video, npz, options, net);
      if (outcome.warning)
        std::cerr << "signprep: warning: " << video.string() << ": " << *outcome.warning
                  << " (kept the frames before it)\n";
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
                        *options.label_gloss(), *options.label_cat(), false});
    }
  }
  if (!labels.empty()) output::write_labels_csv(options.labels_path(), labels, options.append);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace signprep::pipeline
