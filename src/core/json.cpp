#include "core/json.h"

#include <charconv>
#include <limits>
#include <system_error>

#include "core/utf8.h"

namespace signprep {

void JsonReader::fail(const std::string& problem) const {
  throw JsonError(position_, problem);
}

void JsonReader::skip_space() {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (position_ < text_.size() && is_space(text_[position_])) ++position_;
}

bool JsonReader::consume(char c) {
  skip_space();
  if (position_ < text_.size() && text_[position_] == c) {
    ++position_;
    return true;
  }
  return false;
}

void JsonReader::expect(char c) {
  if (!consume(c)) fail(std::string("expected '") + c + "'");
}

bool JsonReader::at_end() {
  skip_space();
  return position_ == text_.size();
}

bool JsonReader::consume_word(std::string_view word) {
  if (text_.substr(position_, word.size()) != word) return false;
  position_ += word.size();
  return true;
}

char JsonReader::next_char() {
  if (position_ >= text_.size()) fail("unterminated string");
  return text_[position_++];
}

std::size_t JsonReader::skip_digits() {
  const std::size_t first = position_;
  while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
    ++position_;
  }
  return position_ - first;
}

JsonValue JsonReader::read_value(int depth) {
  if (depth > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  skip_space();
  if (position_ >= text_.size()) fail("expected a value");
  const char c = text_[position_];
  if (c == '{') return read_object(depth);
  if (c == '[') return read_array(depth);
  if (c == '"') return read_string();
  if (consume_word("true")) return true;
  if (consume_word("false")) return false;
  if (consume_word("null")) return {};
  if (consume_word("NaN")) return std::numeric_limits<double>::quiet_NaN();
  if (consume_word("Infinity")) return std::numeric_limits<double>::infinity();
  if (consume_word("-Infinity")) return -std::numeric_limits<double>::infinity();
  return read_number();
}

JsonValue JsonReader::read_object(int depth) {
  expect('{');
  JsonValue::Object members;
  if (consume('}')) return members;
  do {
    std::string key = read_string();
    expect(':');
    members.emplace_back(std::move(key), read_value(depth + 1));
  } while (consume(','));
  expect('}');
  return members;
}

JsonValue JsonReader::read_array(int depth) {
  expect('[');
  JsonValue::Array items;
  if (consume(']')) return items;
  do {
    items.push_back(read_value(depth + 1));
  } while (consume(','));
  expect(']');
  return items;
}

// A number as RFC 8259 spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
JsonValue JsonReader::read_number() {
  const std::size_t start = position_;
  const auto at = [this](char c) { return position_ < text_.size() && text_[position_] == c; };
  if (at('-')) ++position_;
  const std::size_t integer_start = position_;
  const std::size_t integer_digits = skip_digits();
  if (integer_digits == 0) fail("expected a value");
  if (integer_digits > 1 && text_[integer_start] == '0') fail("leading zero in a number");
  bool integral = true;
  if (at('.')) {
    ++position_;
    if (skip_digits() == 0) fail("expected digits after '.'");
    integral = false;
  }
  if (at('e') || at('E')) {
    ++position_;
    if (at('+') || at('-')) ++position_;
    if (skip_digits() == 0) fail("expected digits in the exponent");
    integral = false;
  }
  const std::string_view number = text_.substr(start, position_ - start);
  const char* end = number.data() + number.size();
  if (integral) {
    std::int64_t value = 0;
    const auto [stop, ec] = std::from_chars(number.data(), end, value);
    if (ec == std::errc() && stop == end) return value;
    // Beyond int64 Python keeps an exact integer; a double is the closest here.
  }
  double value = 0;
  const auto [stop, ec] = std::from_chars(number.data(), end, value);
  if (ec == std::errc::result_out_of_range) fail("number out of range");
  if (ec != std::errc() || stop != end) fail("malformed number");
  return value;
}

std::uint64_t JsonReader::read_uint64() {
  skip_space();
  const std::size_t start = position_;
  std::uint64_t value = 0;
  while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
    const auto digit = static_cast<std::uint64_t>(text_[position_++] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) fail("number too big");
    value = value * 10 + digit;
  }
  if (position_ == start) fail("expected a non-negative integer");
  if (position_ - start > 1 && text_[start] == '0') fail("leading zero in a number");
  return value;
}

unsigned JsonReader::read_hex4() {
  unsigned value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = next_char();
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) fail("bad \\u escape");
    value = value * 16 + static_cast<unsigned>(digit);
  }
  return value;
}

// A \u escape, joining a UTF-16 surrogate pair into one code point.
unsigned JsonReader::read_unicode_escape() {
  const unsigned high = read_hex4();
  if (high < 0xD800 || high > 0xDFFF) return high;
  if (high > 0xDBFF || next_char() != '\\' || next_char() != 'u') fail("lone surrogate");
  const unsigned low = read_hex4();
  if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate");
  return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
}

std::string JsonReader::read_string() {
  expect('"');
  std::string out;
  for (char c = next_char(); c != '"'; c = next_char()) {
    if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
    if (c != '\\') {
      out += c;
      continue;
    }
    switch (const char escaped = next_char()) {
      case '"':
      case '\\':
      case '/':
        out += escaped;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u':
        append_utf8(out, read_unicode_escape());
        break;
      default:
        fail("bad escape in a string");
    }
  }
  return out;
}

JsonValue parse_json(std::string_view text) {
  JsonReader reader(text);
  JsonValue value = reader.read_value();
  if (!reader.at_end()) reader.fail("unexpected text after the value");
  return value;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (const Object* fields = as_object()) {
    for (const auto& [name, value] : *fields) {
      if (name == key) return &value;
    }
  }
  return nullptr;
}

}  // namespace signprep
