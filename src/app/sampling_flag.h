// --sampling, the target-fps sampling rule, for every command that samples.
#pragma once

#include "app/flag_parser.h"
#include "video/frame_sampler.h"

namespace signprep::app {

// `rule` holds the default when called, and the flag's value after parsing.
void add_sampling_flag(FlagParser& parser, video::SamplingRule& rule);

}  // namespace signprep::app
