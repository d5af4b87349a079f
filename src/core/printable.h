// Text for the terminal and the logs. A file name may hold any byte but '/'
// and NUL: printed raw, a newline in one forges a log line of its own and an
// escape sequence drives the terminal. Every printer of paths and messages
// (errors, warnings, progress, the summary) passes them through here.
#pragma once

#include <string>
#include <string_view>

namespace signprep {

// `text` with each control character (U+0000..U+001F and DEL) written as an
// escape: \n, \r, \t, else \xNN (ESC is \x1b). Other bytes are kept as they are.
std::string printable(std::string_view text);

}  // namespace signprep
