// JSON values and the one strict JSON parser of signprep: RFC 8259 plus the
// NaN, Infinity and -Infinity that Python's json module writes and reads.
// parse_json builds a JsonValue (object keys keep their order); JsonReader is
// the same parser read piece by piece, for formats whose JSON has a fixed
// shape (the safetensors header) and is checked as it is read.
// output/json_writer.h prints a JsonValue as Python's json.dumps does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"

namespace signprep {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;
  using Variant =
      std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object>;

  JsonValue() : value_(nullptr) {}
  JsonValue(bool v) : value_(v) {}
  JsonValue(int v) : value_(static_cast<std::int64_t>(v)) {}
  JsonValue(std::int64_t v) : value_(v) {}
  JsonValue(double v) : value_(v) {}
  JsonValue(const char* v) : value_(std::string(v)) {}
  JsonValue(std::string v) : value_(std::move(v)) {}
  JsonValue(Array v) : value_(std::move(v)) {}
  JsonValue(Object v) : value_(std::move(v)) {}

  // Read access: the held value, or nullptr when it is of another type.
  const bool* as_bool() const { return std::get_if<bool>(&value_); }
  const std::int64_t* as_int() const { return std::get_if<std::int64_t>(&value_); }
  const double* as_double() const { return std::get_if<double>(&value_); }
  const std::string* as_string() const { return std::get_if<std::string>(&value_); }
  const Array* as_array() const { return std::get_if<Array>(&value_); }
  const Object* as_object() const { return std::get_if<Object>(&value_); }
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_number() const { return as_int() != nullptr || as_double() != nullptr; }
  // An object's member named `key` (the first, should there be several), or
  // nullptr when there is none or this is not an object.
  const JsonValue* find(std::string_view key) const;
  // The whole value, for visitors such as output::dump_json.
  const Variant& variant() const { return value_; }

 private:
  Variant value_;
};

// A parse failure: Error(kInput) "invalid JSON at byte <offset>: <problem>",
// with the parts kept for readers that report them in their own words.
class JsonError : public Error {
 public:
  JsonError(std::size_t offset, const std::string& problem)
      : Error(ErrorKind::kInput, "invalid JSON at byte " + std::to_string(offset) + ": " + problem),
        offset_(offset),
        problem_(problem) {}
  std::size_t offset() const { return offset_; }
  const std::string& problem() const { return problem_; }

 private:
  std::size_t offset_;
  std::string problem_;
};

// Reads JSON text from the front. Every read skips the whitespace before
// it; every failure is a JsonError at the current byte.
class JsonReader {
 public:
  // Deeper nesting is refused rather than recursed into: the text may be hostile.
  static constexpr int kMaxDepth = 64;

  explicit JsonReader(std::string_view text) : text_(text) {}

  std::size_t position() const { return position_; }
  [[noreturn]] void fail(const std::string& problem) const;

  // True, past `c`, when `c` is next; else false, nothing read.
  bool consume(char c);
  // `c`, or fail "expected '<c>'".
  void expect(char c);
  // True when only whitespace is left.
  bool at_end();

  // A string, its escapes (surrogate pairs included) decoded to UTF-8.
  std::string read_string();
  // A non-negative integer that fits 64 bits, digits only ("4.0" reads 4).
  std::uint64_t read_uint64();
  // Any value, nested at most kMaxDepth levels below `depth`.
  JsonValue read_value(int depth = 0);

 private:
  void skip_space();
  bool consume_word(std::string_view word);
  char next_char();
  std::size_t skip_digits();
  JsonValue read_object(int depth);
  JsonValue read_array(int depth);
  JsonValue read_number();
  unsigned read_hex4();
  unsigned read_unicode_escape();

  std::string_view text_;
  std::size_t position_ = 0;
};

// `text` as one JSON value surrounded by whitespace only; else JsonError.
JsonValue parse_json(std::string_view text);

}  // namespace signprep
