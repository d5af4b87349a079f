#include "output/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace signprep::output {
namespace {

void append_escaped_string(std::string& out, const std::string& utf8) {
  out += '"';
  for (std::size_t i = 0; i < utf8.size();) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    char32_t code = byte;
    std::size_t length = 1;
    if (byte >= 0x80) {
      length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
      code = byte & (0x7F >> length);
      for (std::size_t k = 1; k < length && i + k < utf8.size(); ++k) {
        code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
      }
    }
    i += length;
    char escape[16];
    switch (code) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (code >= 0x20 && code < 0x7F) {
      out += static_cast<char>(code);
    } else if (code < 0x10000) {
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(code));
      out += escape;
    } else {  // outside the BMP: a UTF-16 surrogate pair, as Python writes it
      const char32_t v = code - 0x10000;
      std::snprintf(escape, sizeof escape, "\\u%04x\\u%04x",
                    static_cast<unsigned>(0xD800 + (v >> 10)),
                    static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
      out += escape;
    }
  }
  out += '"';
}

}  // namespace

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  // Shortest round-trip digits in scientific form: "d.ddde±XX".
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string scientific(buffer, end);
  const std::size_t e = scientific.find('e');
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  std::string mantissa = scientific.substr(0, e);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string text;
  if (exponent < -4 || exponent >= 16) {
    text = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    char exponent_text[16];
    std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    text += exponent_text;
  } else if (exponent < 0) {
    text = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else {
    const auto integer_digits = static_cast<std::size_t>(exponent + 1);
    if (digits.size() <= integer_digits) {
      text = digits + std::string(integer_digits - digits.size(), '0') + ".0";
    } else {
      text = digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
    }
  }
  return negative ? "-" + text : text;
}

std::string dump_json(const JsonValue& value) {
  struct Printer {
    std::string& out;
    void operator()(std::nullptr_t) const { out += "null"; }
    void operator()(bool v) const { out += v ? "true" : "false"; }
    void operator()(std::int64_t v) const { out += std::to_string(v); }
    void operator()(double v) const {
      // Python writes NaN and Infinity, which are not JSON: strict readers
      // (JSON.parse, signprep validate, jq) refuse the whole file. Every
      // number signprep writes is validated or measured, so one here is a bug.
      if (!std::isfinite(v)) {
        throw std::invalid_argument("dump_json: " + python_float_repr(v) + " is not a JSON number");
      }
      out += python_float_repr(v);
    }
    void operator()(const std::string& v) const { append_escaped_string(out, v); }
    void operator()(const JsonValue::Array& items) const {
      out += '[';
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += dump_json(items[i]);
      }
      out += ']';
    }
    void operator()(const JsonValue::Object& members) const {
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out += ", ";
        append_escaped_string(out, members[i].first);
        out += ": ";
        out += dump_json(members[i].second);
      }
      out += '}';
    }
  };
  std::string out;
  std::visit(Printer{out}, value.variant());
  return out;
}

}  // namespace signprep::output
