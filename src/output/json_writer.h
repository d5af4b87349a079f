// A JSON value that prints exactly as Python's json.dumps does with default
// arguments (", " and ": " separators, keys in insertion order, non-ASCII
// escaped, floats as repr()), so signprep's meta strings match the Python tool's.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace signprep::output {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() : value_(nullptr) {}
  JsonValue(bool v) : value_(v) {}
  JsonValue(int v) : value_(static_cast<std::int64_t>(v)) {}
  JsonValue(std::int64_t v) : value_(v) {}
  JsonValue(double v) : value_(v) {}
  JsonValue(const char* v) : value_(std::string(v)) {}
  JsonValue(std::string v) : value_(std::move(v)) {}
  JsonValue(Array v) : value_(std::move(v)) {}
  JsonValue(Object v) : value_(std::move(v)) {}

  std::string dump() const;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> value_;
};

// Python's repr() of a float: shortest round-trip digits, ".0" on integral
// values, exponent form below 1e-4 and from 1e16 on.
std::string python_float_repr(double value);

}  // namespace signprep::output
