// The benchmark programs' command lines, parsed as signprep's own
// (app/flag_parser.h): an unknown flag or a malformed value is an error, not
// a default silently kept, and --help prints the table.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/flag_parser.h"
#include "core/error.h"

namespace signprep::bench {

// The `count` positional arguments that follow the program name; exits 0
// after --help, 2 with the message for a usage error.
inline std::vector<std::string> parse_flags_or_exit(const app::FlagParser& parser, int argc,
                                                    char** argv, std::size_t count) {
  try {
    const auto positional = parser.parse(std::vector<std::string>(argv + 1, argv + argc));
    if (!positional) std::exit(0);
    if (positional->size() != count) {
      throw Error(ErrorKind::kUsage,
                  "expected " + std::to_string(count) + " positional argument(s) (see --help)");
    }
    return *positional;
  } catch (const Error& error) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], error.what());
    std::exit(2);
  }
}

}  // namespace signprep::bench
