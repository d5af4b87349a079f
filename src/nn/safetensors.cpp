#include "nn/safetensors.h"

#include <bit>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "nn/tflite/fp16.h"

namespace signprep::nn {
namespace {

// The safetensors library refuses headers above 100 MB; so do we, before
// trusting a length read from the file.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

// Bytes per element of each dtype the format defines.
std::size_t dtype_size(std::string_view dtype) {
  static constexpr std::pair<std::string_view, std::size_t> kSizes[] = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1},
      {"U16", 2},  {"I16", 2}, {"F16", 2}, {"BF16", 2},    {"U32", 4},
      {"I32", 4},  {"F32", 4}, {"U64", 8}, {"I64", 8},     {"F64", 8}};
  for (const auto& [name, size] : kSizes) {
    if (name == dtype) return size;
  }
  return 0;
}

std::uint64_t read_le64(std::span<const std::byte> bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | std::to_integer<std::uint64_t>(bytes[i]);
  return value;
}

// The header is a small, fixed JSON shape: {"name": {"dtype": "F32",
// "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"key":
// "value", ...}}. This parser accepts exactly that, byte range checked.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& file, std::size_t data_size)
      : text_(text), file_(file), data_size_(data_size) {}

  std::map<std::string, SafetensorsFile::Entry, std::less<>> parse() {
    std::map<std::string, SafetensorsFile::Entry, std::less<>> entries;
    expect('{');
    if (!consume('}')) {
      do {
        std::string key = parse_string();
        expect(':');
        if (key == "__metadata__") {
          skip_metadata();
        } else {
          SafetensorsFile::Entry entry = parse_entry(key);
          if (!entries.emplace(key, std::move(entry)).second) fail("tensor " + key + " twice");
        }
      } while (consume(','));
      expect('}');
    }
    skip_space();
    if (position_ != text_.size()) fail("unexpected text after the header object");
    return entries;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::kModel, file_ + ": corrupt safetensors header (byte " +
                                       std::to_string(8 + position_) + "): " + problem);
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

  char next_char() {
    if (position_ >= text_.size()) fail("unterminated string");
    return text_[position_++];
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

  // A \u escape, joining a UTF-16 surrogate pair into one code point.
  unsigned parse_unicode_escape() {
    const unsigned high = parse_hex4();
    if (high < 0xD800 || high > 0xDFFF) return high;
    if (high > 0xDBFF || next_char() != '\\' || next_char() != 'u') fail("lone surrogate");
    const unsigned low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate");
    return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    for (char c = next_char(); c != '"'; c = next_char()) {
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escaped = next_char();
      switch (escaped) {
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

  std::uint64_t parse_integer() {
    skip_space();
    const std::size_t start = position_;
    std::uint64_t value = 0;
    while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
      const auto digit = static_cast<std::uint64_t>(text_[position_++] - '0');
      if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) fail("number too big");
      value = value * 10 + digit;
    }
    if (position_ == start) fail("expected a non-negative integer");
    return value;
  }

  std::vector<std::uint64_t> parse_integer_array() {
    std::vector<std::uint64_t> values;
    expect('[');
    if (consume(']')) return values;
    do {
      if (values.size() >= 64) fail("too many dimensions");
      values.push_back(parse_integer());
    } while (consume(','));
    expect(']');
    return values;
  }

  void skip_metadata() {
    expect('{');
    if (consume('}')) return;
    do {
      parse_string();
      expect(':');
      parse_string();
    } while (consume(','));
    expect('}');
  }

  SafetensorsFile::Entry parse_entry(const std::string& name) {
    SafetensorsFile::Entry entry;
    bool has_dtype = false, has_shape = false, has_offsets = false;
    std::vector<std::uint64_t> shape, offsets;
    expect('{');
    do {
      const std::string field = parse_string();
      expect(':');
      if (field == "dtype" && !has_dtype) {
        entry.dtype = parse_string();
        has_dtype = true;
      } else if (field == "shape" && !has_shape) {
        shape = parse_integer_array();
        has_shape = true;
      } else if (field == "data_offsets" && !has_offsets) {
        offsets = parse_integer_array();
        has_offsets = true;
      } else {
        fail("tensor " + name + ": unexpected or repeated field \"" + field + "\"");
      }
    } while (consume(','));
    expect('}');
    if (!has_dtype || !has_shape || !has_offsets) {
      fail("tensor " + name + " needs dtype, shape and data_offsets");
    }
    check_range(name, entry, shape, offsets);
    return entry;
  }

  // The byte range must hold exactly shape's element count of dtype and lie
  // inside the data section.
  void check_range(const std::string& name, SafetensorsFile::Entry& entry,
                   const std::vector<std::uint64_t>& shape,
                   const std::vector<std::uint64_t>& offsets) {
    const std::size_t element_size = dtype_size(entry.dtype);
    if (element_size == 0) fail("tensor " + name + ": unknown dtype " + entry.dtype);
    if (offsets.size() != 2 || offsets[0] > offsets[1]) {
      fail("tensor " + name + ": data_offsets must be [begin, end] with begin <= end");
    }
    if (offsets[1] > data_size_) {
      fail("tensor " + name + ": data ends at byte " + std::to_string(offsets[1]) +
           " of a data section of " + std::to_string(data_size_) + " bytes (file truncated?)");
    }
    std::uint64_t bytes = element_size;
    for (std::uint64_t d : shape) {
      if (d != 0 && bytes > data_size_ / d) fail("tensor " + name + ": shape too big for the file");
      bytes *= d;
      entry.shape.push_back(static_cast<std::int64_t>(d));
    }
    if (bytes != offsets[1] - offsets[0]) {
      fail("tensor " + name + ": " + std::to_string(offsets[1] - offsets[0]) +
           " bytes for a shape needing " + std::to_string(bytes));
    }
    entry.begin = static_cast<std::size_t>(offsets[0]);
    entry.end = static_cast<std::size_t>(offsets[1]);
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t data_size_;
  std::size_t position_ = 0;
};

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorKind::kModel,
                path.string() + ": cannot open: " +
                    (std::filesystem::exists(path) ? "not readable" : "no such file"));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::vector<std::byte> bytes(size > 0 ? static_cast<std::size_t>(size) : 0);
  if (size < 0 || !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    throw Error(ErrorKind::kModel, path.string() + ": read error");
  }
  return bytes;
}

}  // namespace

SafetensorsFile::SafetensorsFile(std::vector<std::byte> bytes, std::string name)
    : bytes_(std::move(bytes)), name_(std::move(name)) {}

SafetensorsFile SafetensorsFile::parse(std::vector<std::byte> bytes, std::string name) {
  SafetensorsFile file(std::move(bytes), std::move(name));
  const std::span<const std::byte> all(file.bytes_);
  if (all.size() < 8) {
    throw Error(ErrorKind::kModel, file.name_ + ": not a safetensors file (" +
                                       std::to_string(all.size()) +
                                       " bytes, shorter than the "
                                       "8-byte header length)");
  }
  const std::uint64_t header_size = read_le64(all);
  if (header_size > kMaxHeaderBytes || header_size > all.size() - 8) {
    throw Error(ErrorKind::kModel,
                file.name_ + ": not a safetensors file, or truncated: its first 8 bytes give a " +
                    std::to_string(header_size) + "-byte header in a " +
                    std::to_string(all.size()) + "-byte file");
  }
  file.data_start_ = 8 + static_cast<std::size_t>(header_size);
  const std::string_view header(reinterpret_cast<const char*>(all.data()) + 8,
                                static_cast<std::size_t>(header_size));
  file.entries_ = HeaderParser(header, file.name_, all.size() - file.data_start_).parse();
  return file;
}

SafetensorsFile SafetensorsFile::load(const std::filesystem::path& path) {
  return parse(read_file(path), path.string());
}

const SafetensorsFile::Entry& SafetensorsFile::entry(std::string_view tensor) const {
  const auto found = entries_.find(tensor);
  if (found == entries_.end()) {
    throw Error(ErrorKind::kModel, name_ + ": no tensor " + std::string(tensor));
  }
  return found->second;
}

std::span<const std::byte> SafetensorsFile::data(const Entry& entry) const {
  return std::span(bytes_).subspan(data_start_ + entry.begin, entry.end - entry.begin);
}

std::vector<float> SafetensorsFile::float32(std::string_view tensor) const {
  const Entry& e = entry(tensor);
  const std::span<const std::byte> bytes = data(e);
  const auto word = [&](std::size_t i, std::size_t size) {
    std::uint32_t value = 0;
    for (std::size_t b = size; b-- > 0;) {
      value = (value << 8) | std::to_integer<std::uint32_t>(bytes[i * size + b]);
    }
    return value;
  };
  std::vector<float> values;
  if (e.dtype == "F32") {
    values.resize(bytes.size() / 4);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::bit_cast<float>(word(i, 4));
  } else if (e.dtype == "F16") {
    values.resize(bytes.size() / 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = detail::fp16_to_fp32(static_cast<std::uint16_t>(word(i, 2)));
    }
  } else if (e.dtype == "BF16") {
    // bfloat16 is the top half of a float32.
    values.resize(bytes.size() / 2);
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = std::bit_cast<float>(word(i, 2) << 16);
  } else {
    throw Error(ErrorKind::kModel, name_ + ": tensor " + std::string(tensor) + " has dtype " +
                                       e.dtype + "; expected F32, F16 or BF16");
  }
  return values;
}

}  // namespace signprep::nn
