// .npy arrays and .npz archives as numpy writes them (format version 1.0,
// little-endian, C order; members deflated like numpy.savez_compressed), so
// that `numpy.load` reads back exactly the dtypes and shapes given here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::output {

// The bytes of a .npy file: header for `descr` (a numpy dtype string such as
// "<f4") and `shape`, then `data` as given.
std::vector<std::byte> encode_npy(std::string_view descr, std::span<const std::size_t> shape,
                                  std::span<const std::byte> data);

// A single float32 .npy file, written atomically; throws Error(kOutput).
void write_npy_float32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                       std::span<const float> values);

class NpzWriter {
 public:
  // Members appear in the archive in the order they are added; each is
  // copied, so the caller's buffers need not outlive the writer.
  void add_float32(std::string_view name, std::span<const std::size_t> shape,
                   std::span<const float> values);
  void add_int64(std::string_view name, std::span<const std::size_t> shape,
                 std::span<const std::int64_t> values);
  // Bytes 0/1 stored as numpy bool.
  void add_bool(std::string_view name, std::span<const std::size_t> shape,
                std::span<const std::uint8_t> values);
  // A 0-d numpy unicode array ("<U{n}") holding a UTF-8 string.
  void add_unicode_scalar(std::string_view name, std::string_view utf8);

  // Writes the archive atomically (temporary file + rename); throws Error(kOutput).
  void write(const std::filesystem::path& path) const;

 private:
  void add_member(std::string_view name, std::string_view descr, std::span<const std::size_t> shape,
                  std::span<const std::byte> data);

  struct Member {
    std::string file_name;  // "<name>.npy"
    std::vector<std::byte> npy;
  };
  std::vector<Member> members_;
};

}  // namespace signprep::output
