// JSON text exactly as Python's json.dumps writes it with default arguments
// (", " and ": " separators, keys in insertion order, non-ASCII escaped,
// floats as repr()), so signprep's meta strings match the Python tool's. The
// value type and the parser are core/json.h's.
#pragma once

#include <string>

#include "core/json.h"

namespace signprep::output {

// `value` as Python's json.dumps(value) prints it, except that a NaN or
// infinite number, which Python writes as NaN / Infinity and JSON has not,
// throws std::invalid_argument.
std::string dump_json(const JsonValue& value);

// Python's repr() of a float: shortest round-trip digits, ".0" on integral
// values, exponent form below 1e-4 and from 1e16 on.
std::string python_float_repr(double value);

}  // namespace signprep::output
