// The main job: every video under the input, through the requested
// extractors, into the output directory.
#pragma once

#include "pipeline/progress.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

// Shows progress on stderr (options.quiet aside) and keeps
// OUT/run_report.json up to date; a video that cannot be read fails alone.
// Throws Error for problems that stop the whole run: before any video,
// invalid options, no input, clashing outputs, unwritable output, an
// extractor that is not available; during it, an output that cannot be written.
RunSummary run(const RunOptions& options);

}  // namespace signprep::pipeline
