// The `meta` JSON string stored in each clip's .npz.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/run_options.h"

namespace signprep::pipeline {

struct ClipFacts {
  std::string video;      // the input's file name, as the Python tool stores it
  double source_fps = 0;  // average frame rate of the source stream
  std::int64_t frames_decoded = 0;
  std::int64_t frames_kept = 0;
};

// The Python tool's keys first, in its order and formatting (json.dumps), then
// signprep's additions (tool version, source fps, frame counts).
std::string clip_meta_json(const ClipFacts& clip, const RunOptions& options);

}  // namespace signprep::pipeline
