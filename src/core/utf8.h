// UTF-8 encoding of one code point, shared by the readers that decode JSON
// \u escapes and numpy's UTF-32 strings.
#pragma once

#include <string>

namespace signprep {

// Appends `code` (at most 0x10FFFF; the caller refuses surrogates) as UTF-8.
void append_utf8(std::string& out, char32_t code);

}  // namespace signprep
