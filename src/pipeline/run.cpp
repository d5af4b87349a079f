#include "pipeline/run.h"

#include "core/error.h"
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

// The extractors land issue by issue; until one exists, asking for it fails
// before any work starts rather than writing anything partial.
void require_available_extractors(const RunOptions& options) {
  if (options.write_keypoints) {
    throw Error(ErrorKind::kUnavailable,
                "--write-keypoints: MediaPipe Holistic keypoint extraction is not available yet "
                "in this version of signprep");
  }
  throw Error(ErrorKind::kUnavailable,
              "--write-iv3-features: InceptionV3 feature extraction is not available yet in this "
              "version of signprep");
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
  return {};
}

}  // namespace signprep::pipeline
