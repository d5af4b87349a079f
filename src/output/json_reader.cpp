#include "output/json_reader.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace signprep::output {
namespace {

// Deeper nesting is refused rather than recursed into: the text may be hostile.
constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  JsonValue parse_document() {
    JsonValue value = parse_value(0);
    skip_space();
    if (position_ != text_.size()) fail("unexpected text after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::kInput,
                "invalid JSON at byte " + std::to_string(position_) + ": " + problem);
  }

  void skip_space() {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (position_ < text_.size() && is_space(text_[position_])) ++position_;
  }

  bool consume(char c) {
    skip_space();
    if (position_ < text_.size() && text_[position_] == c) {
      ++position_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }

  bool consume_word(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  char next_char() {
    if (position_ >= text_.size()) fail("unterminated string");
    return text_[position_++];
  }

  JsonValue parse_value(int depth) {
    if (depth > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    skip_space();
    if (position_ >= text_.size()) fail("expected a value");
    const char c = text_[position_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return parse_string();
    if (consume_word("true")) return true;
    if (consume_word("false")) return false;
    if (consume_word("null")) return {};
    if (consume_word("NaN")) return std::numeric_limits<double>::quiet_NaN();
    if (consume_word("Infinity")) return std::numeric_limits<double>::infinity();
    if (consume_word("-Infinity")) return -std::numeric_limits<double>::infinity();
    return parse_number();
  }

  JsonValue parse_object(int depth) {
    expect('{');
    JsonValue::Object members;
    if (consume('}')) return members;
    do {
      skip_space();
      std::string key = parse_string();
      expect(':');
      members.emplace_back(std::move(key), parse_value(depth + 1));
    } while (consume(','));
    expect('}');
    return members;
  }

  JsonValue parse_array(int depth) {
    expect('[');
    JsonValue::Array items;
    if (consume(']')) return items;
    do {
      items.push_back(parse_value(depth + 1));
    } while (consume(','));
    expect(']');
    return items;
  }

  // The span of a number as RFC 8259 spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string_view number_text(bool& integral) {
    const std::size_t start = position_;
    const auto digits = [this] {
      const std::size_t first = position_;
      while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
        ++position_;
      }
      return position_ - first;
    };
    const auto at = [this](char c) { return position_ < text_.size() && text_[position_] == c; };
    if (at('-')) ++position_;
    const std::size_t integer_start = position_;
    const std::size_t integer_digits = digits();
    if (integer_digits == 0) fail("expected a value");
    if (integer_digits > 1 && text_[integer_start] == '0') fail("leading zero in a number");
    integral = true;
    if (at('.')) {
      ++position_;
      if (digits() == 0) fail("expected digits after '.'");
      integral = false;
    }
    if (at('e') || at('E')) {
      ++position_;
      if (at('+') || at('-')) ++position_;
      if (digits() == 0) fail("expected digits in the exponent");
      integral = false;
    }
    return text_.substr(start, position_ - start);
  }

  JsonValue parse_number() {
    bool integral = false;
    const std::string_view number = number_text(integral);
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

  unsigned parse_hex4() {
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
  unsigned parse_unicode_escape() {
    const unsigned high = parse_hex4();
    if (high < 0xD800 || high > 0xDFFF) return high;
    if (high > 0xDBFF || next_char() != '\\' || next_char() != 'u') fail("lone surrogate");
    const unsigned low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate");
    return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string parse_string() {
    if (next_char() != '"') fail("expected a string");
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
          append_utf8(out, parse_unicode_escape());
          break;
        default:
          fail("bad escape in a string");
      }
    }
    return out;
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

}  // namespace

JsonValue parse_json(std::string_view text) {
  return Parser(text).parse_document();
}

}  // namespace signprep::output
