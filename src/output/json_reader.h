// Parses JSON text, such as the `meta` string of a clip's .npz, into a
// JsonValue. Strict RFC 8259 plus the NaN, Infinity and -Infinity that
// Python's json module writes and reads; object keys keep their order.
#pragma once

#include <string_view>

#include "output/json_writer.h"

namespace signprep::output {

// Throws Error(kInput) naming the byte offset and the problem when `text` is
// not one JSON value (surrounded by whitespace only).
JsonValue parse_json(std::string_view text);

}  // namespace signprep::output
