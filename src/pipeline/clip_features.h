// One clip through the feature branch alone (--write-iv3-features without
// --write-keypoints): decode, sample at --target-fps, InceptionV3 features of
// each kept frame, and the clip's .npz with the features, timestamps and meta.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "features/inception_v3.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

struct ClipOutcome {
  std::int64_t frames_kept = 0;
  // Damage the decoder skipped (the clip is still written from the frames
  // that decoded), as VideoReader::stopped_early says it.
  std::optional<std::string> warning;
};

// Writes `npz` atomically: the features under options.feature_key (float32
// [T, 2048]), timestamps_ms (int64 [T]) and meta. Throws Error(kInput) for a
// video that cannot be read or yields no frame (nothing is written then),
// Error(kOutput) when the file cannot be written.
ClipOutcome write_clip_features(const std::filesystem::path& video,
                                const std::filesystem::path& npz, const RunOptions& options,
                                features::InceptionV3& net);

}  // namespace signprep::pipeline
