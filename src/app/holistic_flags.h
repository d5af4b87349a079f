// MediaPipe Holistic's options on the command line (--model-complexity,
// --no-refine-face, --no-smooth-landmarks, --no-segmentation), for every
// command that tracks.
#pragma once

#include "app/flag_parser.h"
#include "pipeline/run_options.h"

namespace signprep::app {

// `settings` holds the defaults when called, and the flags' values after parsing.
void add_holistic_flags(FlagParser& parser, pipeline::HolisticSettings& settings);

}  // namespace signprep::app
