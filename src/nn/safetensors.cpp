#include "nn/safetensors.h"

#include <bit>
#include <fstream>

#include "core/error.h"
#include "core/json.h"
#include "core/little_endian.h"
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

// The header is a small, fixed JSON shape: {"name": {"dtype": "F32",
// "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"key":
// "value", ...}}. This parser reads exactly that with core's JSON reader,
// checking each piece as it comes (so a hostile header is refused early),
// byte range checked.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& file, std::size_t data_size)
      : json_(text), file_(file), data_size_(data_size) {}

  std::map<std::string, SafetensorsFile::Entry, std::less<>> parse() {
    try {
      return parse_header();
    } catch (const JsonError& error) {
      throw Error(ErrorKind::kModel, file_ + ": corrupt safetensors header (byte " +
                                         std::to_string(8 + error.offset()) +
                                         "): " + error.problem());
    }
  }

 private:
  std::map<std::string, SafetensorsFile::Entry, std::less<>> parse_header() {
    std::map<std::string, SafetensorsFile::Entry, std::less<>> entries;
    json_.expect('{');
    if (!json_.consume('}')) {
      do {
        std::string key = json_.read_string();
        json_.expect(':');
        if (key == "__metadata__") {
          skip_metadata();
        } else {
          SafetensorsFile::Entry entry = parse_entry(key);
          if (!entries.emplace(key, std::move(entry)).second) fail("tensor " + key + " twice");
        }
      } while (json_.consume(','));
      json_.expect('}');
    }
    if (!json_.at_end()) fail("unexpected text after the header object");
    return entries;
  }

  [[noreturn]] void fail(const std::string& problem) const { json_.fail(problem); }

  std::vector<std::uint64_t> parse_integer_array() {
    std::vector<std::uint64_t> values;
    json_.expect('[');
    if (json_.consume(']')) return values;
    do {
      if (values.size() >= 64) fail("too many dimensions");
      values.push_back(json_.read_uint64());
    } while (json_.consume(','));
    json_.expect(']');
    return values;
  }

  void skip_metadata() {
    json_.expect('{');
    if (json_.consume('}')) return;
    do {
      json_.read_string();
      json_.expect(':');
      json_.read_string();
    } while (json_.consume(','));
    json_.expect('}');
  }

  SafetensorsFile::Entry parse_entry(const std::string& name) {
    SafetensorsFile::Entry entry;
    bool has_dtype = false, has_shape = false, has_offsets = false;
    std::vector<std::uint64_t> shape, offsets;
    json_.expect('{');
    do {
      const std::string field = json_.read_string();
      json_.expect(':');
      if (field == "dtype" && !has_dtype) {
        entry.dtype = json_.read_string();
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
    } while (json_.consume(','));
    json_.expect('}');
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

  JsonReader json_;
  const std::string& file_;
  std::size_t data_size_;
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
  const auto header_size = read_little_endian<std::uint64_t>(all.first(8));
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
    return read_little_endian<std::uint32_t>(bytes.subspan(i * size, size));
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
