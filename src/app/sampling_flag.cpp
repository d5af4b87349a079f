#include "app/sampling_flag.h"

#include <string>

#include "core/error.h"

namespace signprep::app {

void add_sampling_flag(FlagParser& parser, video::SamplingRule& rule) {
  parser.add("--sampling", "RULE",
             "on-slot (a frame on a slot is always kept) or python (the Python tool's "
             "float arithmetic, which drops some of them: its frames, exactly); default " +
                 std::string(video::sampling_rule_name(rule)),
             [&rule](std::string_view text) {
               const auto parsed = video::parse_sampling_rule(text);
               if (!parsed) {
                 throw Error(ErrorKind::kUsage, "--sampling: '" + std::string(text) +
                                                    "' is not a rule (on-slot or python)");
               }
               rule = *parsed;
             });
}

}  // namespace signprep::app
