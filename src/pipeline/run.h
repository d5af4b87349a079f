// The main job: every video under the input, through the requested
// extractors, into the output directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/run_options.h"

namespace signprep::pipeline {

struct VideoFailure {
  std::filesystem::path video;
  std::string reason;
};

struct RunSummary {
  int succeeded = 0;
  std::vector<VideoFailure> failed;
  double seconds = 0;
};

// Throws Error for problems that stop the whole run before any video is
// processed: invalid options, no input, unwritable output, an extractor that
// is not available.
RunSummary run(const RunOptions& options);

}  // namespace signprep::pipeline
