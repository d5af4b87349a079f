#include "output/npz_reader.h"

#include <zip.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "core/error.h"
#include "core/little_endian.h"
#include "core/utf8.h"

namespace signprep::output {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the .npy reader takes little-endian bytes as native values");

constexpr std::string_view kMagic = "\x93NUMPY";
// Members are read in chunks and refused beyond this size, so a hostile entry
// (a deflate bomb, a lying size field) cannot exhaust memory.
constexpr std::size_t kMaxMemberBytes = std::size_t{2} << 30;
constexpr std::size_t kReadChunk = std::size_t{1} << 20;

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw Error(ErrorKind::kInput, source + ": " + problem);
}

// The item size of a simple numpy dtype string ("<f4", "|b1", "<U12"), or
// nullopt for what this reader does not take (structured, object, datetime).
std::optional<std::size_t> descr_item_size(std::string_view descr) {
  constexpr std::string_view kByteOrders = "<>|=";
  constexpr std::string_view kKinds = "biufcSUV";
  if (descr.size() < 3 || kByteOrders.find(descr[0]) == std::string_view::npos ||
      kKinds.find(descr[1]) == std::string_view::npos || descr.size() > 10) {
    return std::nullopt;
  }
  std::size_t count = 0;
  for (char c : descr.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + static_cast<std::size_t>(c - '0');
  }
  if (count == 0) return std::nullopt;
  return descr[1] == 'U' ? count * 4 : count;  // numpy's unicode is UTF-32
}

// The .npy header is a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 156), }
// padded with spaces and a newline. This parser takes exactly that: the
// three keys once each, in any order, quoted strings, True/False, and a
// tuple of non-negative integers.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  NpyArray parse() {
    NpyArray array;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = parse_string();
      expect(':');
      if (key == "descr" && !has_descr) {
        array.descr = parse_descr();
        has_descr = true;
      } else if (key == "fortran_order" && !has_order) {
        if (parse_bool()) fail("Fortran-order arrays are not supported");
        has_order = true;
      } else if (key == "shape" && !has_shape) {
        array.shape = parse_shape();
        has_shape = true;
      } else {
        fail("unexpected or repeated key '" + key + "'");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (position_ != text_.size()) fail("unexpected text after the dict");
    if (!has_descr || !has_order || !has_shape) {
      fail("the header lacks descr, fortran_order or shape");
    }
    return array;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    output::fail(source_, "bad .npy header: " + problem);
  }

  void skip_space() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\n')) {
      ++position_;
    }
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

  std::string parse_string() {
    skip_space();
    if (position_ >= text_.size() || (text_[position_] != '\'' && text_[position_] != '"')) {
      fail("expected a quoted string");
    }
    const char quote = text_[position_++];
    const std::size_t end = text_.find(quote, position_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(position_, end - position_));
    position_ = end + 1;
    return value;
  }

  std::string parse_descr() {
    skip_space();
    if (position_ < text_.size() && text_[position_] == '[')
      fail("structured dtypes are not supported");
    std::string descr = parse_string();
    if (!descr_item_size(descr)) fail("unsupported dtype '" + descr + "'");
    return descr;
  }

  bool parse_bool() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::string_view spelled(word);
      if (text_.substr(position_, spelled.size()) == spelled) {
        position_ += spelled.size();
        return value;
      }
    }
    fail("expected True or False");
  }

  std::size_t parse_dimension() {
    skip_space();
    const std::size_t start = position_;
    std::size_t value = 0;
    while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
      const auto digit = static_cast<std::size_t>(text_[position_++] - '0');
      if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("dimension too big");
      value = value * 10 + digit;
    }
    if (position_ == start) fail("expected a non-negative integer in the shape");
    return value;
  }

  // "()", "(5,)", "(3, 4)" or "(3, 4,)": Python needs the comma after a lone item.
  std::vector<std::size_t> parse_shape() {
    std::vector<std::size_t> shape;
    expect('(');
    if (consume(')')) return shape;
    for (;;) {
      if (shape.size() >= 32) fail("more than 32 dimensions");
      shape.push_back(parse_dimension());
      const bool comma = consume(',');
      if (consume(')')) {
        if (shape.size() == 1 && !comma) fail("shape (n) is not a tuple");
        return shape;
      }
      if (!comma) fail("expected ',' or ')' in the shape");
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t position_ = 0;
};

// The values of `array` as T, when its dtype is `descr`.
template <typename T>
std::vector<T> values_as(const NpyArray& array, std::string_view descr) {
  if (array.descr != descr) {
    throw Error(ErrorKind::kInput,
                "array of dtype " + array.descr + " read as " + std::string(descr));
  }
  std::vector<T> values(array.element_count());
  // memcpy with the null pointer of an empty vector is undefined, even for 0 bytes.
  if (!values.empty()) std::memcpy(values.data(), array.data.data(), values.size() * sizeof(T));
  return values;
}

struct ZipDiscarder {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

std::string zip_code_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

using ZipFile = std::unique_ptr<zip_file_t, ZipFileCloser>;

ZipFile open_entry(zip_t* archive, zip_uint64_t index, const std::string& source) {
  ZipFile file(zip_fopen_index(archive, index, 0));
  if (!file) fail(source, std::string("cannot open (") + zip_strerror(archive) + ")");
  return file;
}

// Appends up to `count` more bytes of the entry to `bytes`; returns how many
// came (0 at its end).
std::size_t append_read(zip_file_t* file, std::vector<std::byte>& bytes, std::size_t count,
                        const std::string& source) {
  const std::size_t filled = bytes.size();
  bytes.resize(filled + count);
  const zip_int64_t read = zip_fread(file, bytes.data() + filled, count);
  if (read < 0) fail(source, std::string("cannot read (") + zip_file_strerror(file) + ")");
  bytes.resize(filled + static_cast<std::size_t>(read));
  return static_cast<std::size_t>(read);
}

// One entry's uncompressed bytes; libzip checks the CRC when the end is read.
std::vector<std::byte> read_entry(zip_t* archive, zip_uint64_t index, const zip_stat_t& stat,
                                  const std::string& source) {
  const ZipFile file = open_entry(archive, index, source);
  std::vector<std::byte> bytes;
  // The first chunk fits the size the entry states (and one byte more, to
  // see the end): a small member does not cost a zeroed megabyte.
  std::size_t chunk =
      (stat.valid & ZIP_STAT_SIZE)
          ? static_cast<std::size_t>(std::min<zip_uint64_t>(stat.size + 1, kReadChunk))
          : kReadChunk;
  for (;;) {
    if (bytes.size() >= kMaxMemberBytes) fail(source, "larger than the 2 GiB this reader takes");
    if (append_read(file.get(), bytes, chunk, source) == 0) break;
    chunk = kReadChunk;
  }
  if ((stat.valid & ZIP_STAT_SIZE) && bytes.size() != stat.size) {
    fail(source, "holds " + std::to_string(bytes.size()) + " bytes, its zip entry says " +
                     std::to_string(stat.size));
  }
  return bytes;
}

}  // namespace

std::size_t NpyArray::element_count() const {
  std::size_t count = 1;
  for (std::size_t dimension : shape) count *= dimension;
  return count;
}

std::size_t NpyArray::item_size() const {
  return descr_item_size(descr).value_or(0);
}

std::vector<float> NpyArray::float32_values() const {
  return values_as<float>(*this, "<f4");
}

std::vector<std::int64_t> NpyArray::int64_values() const {
  return values_as<std::int64_t>(*this, "<i8");
}

std::vector<std::uint8_t> NpyArray::bool_values() const {
  return values_as<std::uint8_t>(*this, "|b1");
}

std::string NpyArray::unicode_scalar() const {
  if (descr.size() < 3 || descr.compare(0, 2, "<U") != 0 || !shape.empty()) {
    throw Error(ErrorKind::kInput, "array of dtype " + descr + " and " +
                                       std::to_string(shape.size()) +
                                       " dimensions read as a unicode scalar");
  }
  std::vector<char32_t> code_points(data.size() / 4);
  if (!code_points.empty()) std::memcpy(code_points.data(), data.data(), code_points.size() * 4);
  while (!code_points.empty() && code_points.back() == U'\0') code_points.pop_back();
  std::string utf8;
  for (char32_t code : code_points) {
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      throw Error(ErrorKind::kInput, "unicode array holds an invalid code point");
    }
    append_utf8(utf8, code);
  }
  return utf8;
}

namespace {

// A .npy image's header, from its first bytes (the data may be missing): the
// array without data, where the data starts and how many bytes the dtype and
// shape need. Throws Error(kInput) for a bad magic, version or header.
struct NpyLayout {
  NpyArray array;
  std::size_t data_start = 0;
  std::size_t data_bytes = 0;
};

// The fixed start of a .npy image (magic, version, header length): where
// its header starts and how long it is. At most 12 bytes are read.
struct NpyPreamble {
  std::size_t header_start = 0;
  std::size_t header_length = 0;
};
constexpr std::size_t kMaxPreambleBytes = 12;

NpyPreamble read_npy_preamble(std::span<const std::byte> npy, const std::string& source) {
  if (npy.size() < kMagic.size() + 2 ||
      std::string_view(reinterpret_cast<const char*>(npy.data()), kMagic.size()) != kMagic) {
    fail(source, "not a .npy array (bad magic)");
  }
  const auto major = std::to_integer<int>(npy[6]);
  const auto minor = std::to_integer<int>(npy[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail(source, "unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
  }
  // Version 1.0 stores the header length in 2 bytes, later versions in 4.
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_start = 8 + length_bytes;
  if (npy.size() < header_start) fail(source, "truncated .npy header");
  return {header_start, read_little_endian<std::size_t>(npy.subspan(8, length_bytes))};
}

NpyLayout parse_npy_layout(std::span<const std::byte> npy, const std::string& source) {
  const auto [header_start, header_length] = read_npy_preamble(npy, source);
  if (header_length > npy.size() - header_start) fail(source, "truncated .npy header");
  const std::string_view header(reinterpret_cast<const char*>(npy.data()) + header_start,
                                header_length);
  NpyLayout layout{HeaderParser(header, source).parse(), header_start + header_length, 0};
  std::size_t bytes = layout.array.item_size();
  for (std::size_t dimension : layout.array.shape) {
    if (dimension != 0 && bytes > std::numeric_limits<std::size_t>::max() / dimension) {
      fail(source, "shape too large");
    }
    bytes *= dimension;
  }
  layout.data_bytes = bytes;
  return layout;
}

void check_data_size(const NpyLayout& layout, std::size_t image_size, const std::string& source) {
  const std::size_t stored = image_size - layout.data_start;
  if (stored != layout.data_bytes) {
    fail(source, "holds " + std::to_string(stored) + " data bytes, dtype " + layout.array.descr +
                     " and shape need " + std::to_string(layout.data_bytes));
  }
}

// The longest .npy header a member may have before listing gives up on it
// (numpy pads headers to 64 bytes; a few KiB is already absurd).
constexpr std::size_t kMaxListedHeaderBytes = std::size_t{1} << 16;

// An open archive and its members' names and sizes, checked as read_npz and
// list_npz both need them.
class NpzArchive {
 public:
  explicit NpzArchive(const std::filesystem::path& path) : file_(path.string()) {
    int code = 0;
    archive_.reset(zip_open(file_.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!archive_) fail(file_, "not a readable zip archive (" + zip_code_message(code) + ")");
  }

  zip_uint64_t size() const {
    return static_cast<zip_uint64_t>(zip_get_num_entries(archive_.get(), 0));
  }

  // Entry i's stat, its name ending in ".npy".
  zip_stat_t stat(zip_uint64_t i) const {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_.get(), i, 0, &stat) < 0 || !(stat.valid & ZIP_STAT_NAME)) {
      fail(file_, "zip entry " + std::to_string(i) + " is unreadable (" +
                      zip_strerror(archive_.get()) + ")");
    }
    const std::string_view entry = stat.name;
    if (entry.size() <= 4 || !entry.ends_with(".npy")) {
      fail(file_, "zip entry '" + std::string(entry) + "' is not a .npy member");
    }
    return stat;
  }

  static std::string member_name(const zip_stat_t& stat) {
    const std::string_view entry = stat.name;
    return std::string(entry.substr(0, entry.size() - 4));
  }
  std::string source(const zip_stat_t& stat) const { return file_ + ": " + stat.name; }

  NpyArray read_whole(zip_uint64_t i, const zip_stat_t& stat) const {
    return decode_npy(read_entry(archive_.get(), i, stat, source(stat)), source(stat));
  }

  // Only the .npy header: dtype and shape, the data's size matched to the
  // entry's size, the data itself not read.
  NpzEntry read_header(zip_uint64_t i, const zip_stat_t& stat) const {
    const std::string where = source(stat);
    if (!(stat.valid & ZIP_STAT_SIZE)) fail(where, "its zip entry has no size");
    const ZipFile file = open_entry(archive_.get(), i, where);
    std::vector<std::byte> head;
    const auto read_to = [&](std::size_t size) {
      while (head.size() < size && append_read(file.get(), head, size - head.size(), where) > 0) {
      }
    };
    // The fixed part gives the header's length; then the header itself.
    read_to(kMaxPreambleBytes);
    const NpyPreamble preamble = read_npy_preamble(head, where);
    if (preamble.header_length > kMaxListedHeaderBytes) fail(where, ".npy header too long");
    read_to(preamble.header_start + preamble.header_length);
    NpyLayout layout = parse_npy_layout(head, where);
    check_data_size(layout, static_cast<std::size_t>(stat.size), where);
    return {member_name(stat), std::move(layout.array.descr), std::move(layout.array.shape)};
  }

 private:
  std::string file_;
  std::unique_ptr<zip_t, ZipDiscarder> archive_;
};

}  // namespace

NpyArray decode_npy(std::span<const std::byte> npy, const std::string& source) {
  NpyLayout layout = parse_npy_layout(npy, source);
  check_data_size(layout, npy.size(), source);
  const auto data = npy.subspan(layout.data_start);
  layout.array.data.assign(data.begin(), data.end());
  return std::move(layout.array);
}

std::vector<NpzMember> read_npz(const std::filesystem::path& path) {
  const NpzArchive archive(path);
  std::vector<NpzMember> members;
  for (zip_uint64_t i = 0; i < archive.size(); ++i) {
    const zip_stat_t stat = archive.stat(i);
    members.push_back({NpzArchive::member_name(stat), archive.read_whole(i, stat)});
  }
  return members;
}

NpzListing list_npz(const std::filesystem::path& path, std::span<const std::string> load) {
  const NpzArchive archive(path);
  NpzListing listing;
  for (zip_uint64_t i = 0; i < archive.size(); ++i) {
    const zip_stat_t stat = archive.stat(i);
    const std::string name = NpzArchive::member_name(stat);
    if (std::find(load.begin(), load.end(), name) != load.end()) {
      NpyArray array = archive.read_whole(i, stat);
      listing.entries.push_back({name, array.descr, array.shape});
      listing.loaded.push_back({name, std::move(array)});
    } else {
      listing.entries.push_back(archive.read_header(i, stat));
    }
  }
  return listing;
}

}  // namespace signprep::output
