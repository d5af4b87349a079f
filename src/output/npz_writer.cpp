#include "output/npz_writer.h"

#include <zip.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "core/error.h"
#include "output/atomic_file.h"

namespace signprep::output {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the .npy writer stores native bytes as little-endian");

// numpy aligns the data after the header to 64 bytes (numpy/lib/format.py ARRAY_ALIGN).
constexpr std::size_t kArrayAlign = 64;
// Magic, then format version 1.0 (the NUL needs the explicit length).
constexpr std::string_view kMagic("\x93NUMPY\x01\x00", 8);

std::string shape_tuple(std::span<const std::size_t> shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += std::to_string(shape[i]);
    text += shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : "");
  }
  return text + ")";
}

std::size_t element_count(std::span<const std::size_t> shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

void check_count(std::string_view name, std::span<const std::size_t> shape, std::size_t count) {
  if (element_count(shape) != count) {
    throw std::invalid_argument("npz member " + std::string(name) + ": " + std::to_string(count) +
                                " values do not fill shape " + shape_tuple(shape));
  }
}

// UTF-8 to the UTF-32LE code units numpy stores for "<U" arrays.
std::vector<char32_t> utf32_of(std::string_view utf8) {
  std::vector<char32_t> code_points;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (lead >= 0x80 && lead < 0xC0) throw std::invalid_argument("npz: invalid UTF-8 text");
    if (i + length > utf8.size()) throw std::invalid_argument("npz: truncated UTF-8 text");
    char32_t value = length == 1 ? lead : lead & (0x7F >> length);
    for (int k = 1; k < length; ++k) {
      value = (value << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    code_points.push_back(value);
    i += length;
  }
  return code_points;
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipSourceFreer {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};

[[noreturn]] void fail_zip(const std::filesystem::path& path, const std::string& what,
                           zip_error_t* error) {
  throw Error(ErrorKind::kOutput, "cannot write " + path.string() + ": " + what + " (" +
                                      zip_error_strerror(error) + ")");
}

// Reads back the whole archive that libzip wrote into an in-memory source.
std::vector<std::byte> source_bytes(zip_source_t* source, const std::filesystem::path& path) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_source_stat(source, &stat) < 0 || zip_source_open(source) < 0) {
    fail_zip(path, "reading the archive back", zip_source_error(source));
  }
  std::vector<std::byte> bytes(stat.size);
  const zip_int64_t read = zip_source_read(source, bytes.data(), bytes.size());
  zip_source_close(source);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    fail_zip(path, "reading the archive back", zip_source_error(source));
  }
  return bytes;
}

// numpy's zipfile members carry the DOS epoch as their time stamp.
constexpr zip_uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;

}  // namespace

std::vector<std::byte> encode_npy(std::string_view descr, std::span<const std::size_t> shape,
                                  std::span<const std::byte> data) {
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape_tuple(shape) + ", }";
  const std::size_t unpadded = kMagic.size() + 2 + header.size() + 1;
  header.append((kArrayAlign - unpadded % kArrayAlign) % kArrayAlign, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) throw std::invalid_argument("npy header too long");

  std::vector<std::byte> npy(kMagic.size() + 2 + header.size() + data.size());
  std::byte* out = npy.data();
  out = std::copy_n(reinterpret_cast<const std::byte*>(kMagic.data()), kMagic.size(), out);
  *out++ = static_cast<std::byte>(header.size() & 0xFF);
  *out++ = static_cast<std::byte>(header.size() >> 8);
  out = std::copy_n(reinterpret_cast<const std::byte*>(header.data()), header.size(), out);
  std::copy(data.begin(), data.end(), out);
  return npy;
}

void write_npy_float32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                       std::span<const float> values) {
  check_count(path.string(), shape, values.size());
  write_file_atomically(path, encode_npy("<f4", shape, std::as_bytes(values)));
}

void NpzWriter::add_member(std::string_view name, std::string_view descr,
                           std::span<const std::size_t> shape, std::span<const std::byte> data) {
  members_.push_back({std::string(name) + ".npy", encode_npy(descr, shape, data)});
}

void NpzWriter::add_float32(std::string_view name, std::span<const std::size_t> shape,
                            std::span<const float> values) {
  check_count(name, shape, values.size());
  add_member(name, "<f4", shape, std::as_bytes(values));
}

void NpzWriter::add_int64(std::string_view name, std::span<const std::size_t> shape,
                          std::span<const std::int64_t> values) {
  check_count(name, shape, values.size());
  add_member(name, "<i8", shape, std::as_bytes(values));
}

void NpzWriter::add_bool(std::string_view name, std::span<const std::size_t> shape,
                         std::span<const std::uint8_t> values) {
  check_count(name, shape, values.size());
  if (std::any_of(values.begin(), values.end(), [](std::uint8_t v) { return v > 1; })) {
    throw std::invalid_argument("npz member " + std::string(name) + ": bool values must be 0 or 1");
  }
  add_member(name, "|b1", shape, std::as_bytes(values));
}

void NpzWriter::add_unicode_scalar(std::string_view name, std::string_view utf8) {
  const std::vector<char32_t> code_points = utf32_of(utf8);
  // numpy gives the empty string the itemsize of one character.
  const std::size_t length = std::max<std::size_t>(code_points.size(), 1);
  std::vector<char32_t> padded(length, U'\0');
  std::copy(code_points.begin(), code_points.end(), padded.begin());
  add_member(name, "<U" + std::to_string(length), {}, std::as_bytes(std::span(padded)));
}

void NpzWriter::write(const std::filesystem::path& path) const {
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, ZipSourceFreer> buffer(
      zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) fail_zip(path, "creating the archive", &error);
  std::unique_ptr<zip_t, ZipCloser> archive(
      zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
  if (!archive) fail_zip(path, "creating the archive", &error);
  // The archive now owns the buffer's reference and drops it on close; take a
  // second one so the written bytes can be read back afterwards.
  zip_source_keep(buffer.get());

  for (const Member& member : members_) {
    zip_source_t* content =
        zip_source_buffer(archive.get(), member.npy.data(), member.npy.size(), 0);
    const zip_int64_t index =
        content == nullptr
            ? -1
            : zip_file_add(archive.get(), member.file_name.c_str(), content, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (content != nullptr) zip_source_free(content);
      fail_zip(path, "adding " + member.file_name, zip_get_error(archive.get()));
    }
    const auto entry = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive.get(), entry, ZIP_CM_DEFLATE, 0) < 0 ||
        zip_file_set_dostime(archive.get(), entry, 0, kDosDate1980, 0) < 0) {
      fail_zip(path, "setting up " + member.file_name, zip_get_error(archive.get()));
    }
  }
  if (zip_close(archive.get()) < 0) fail_zip(path, "compressing", zip_get_error(archive.get()));
  archive.release();  // zip_close freed it
  write_file_atomically(path, source_bytes(buffer.get(), path));
}

}  // namespace signprep::output
