// Reads .npy arrays and .npz archives (any zip of .npy members, as numpy.savez
// and savez_compressed write them) strictly: every length and offset comes
// from the file and is checked before use, so a truncated or damaged file is
// an Error, never a crash. Little-endian data in C order, .npy format 1.0-3.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::output {

// One array with its bytes as stored: `data` holds exactly element_count() *
// item_size() bytes.
struct NpyArray {
  std::string descr;  // numpy's dtype string: "<f4", "|b1", "<i8", "<U373", ...
  std::vector<std::size_t> shape;
  std::vector<std::byte> data;

  std::size_t element_count() const;
  std::size_t item_size() const;

  // The values, when the dtype is the one named; else Error(kInput).
  std::vector<float> float32_values() const;       // "<f4"
  std::vector<std::int64_t> int64_values() const;  // "<i8"
  std::vector<std::uint8_t> bool_values() const;   // "|b1", bytes as stored (0/1 when valid)
  // A 0-d unicode array ("<U{n}") as UTF-8, numpy's trailing NULs dropped.
  std::string unicode_scalar() const;
};

struct NpzMember {
  std::string name;  // the archive entry without ".npy"
  NpyArray array;
};

// Parses a whole .npy image. Throws Error(kInput) "<source>: <problem>" for a
// bad magic, version or header, an unsupported dtype, Fortran order, or data
// that does not fill the shape exactly.
NpyArray decode_npy(std::span<const std::byte> npy, const std::string& source);

// A member's name, dtype and shape, without its data.
struct NpzEntry {
  std::string name;
  std::string descr;
  std::vector<std::size_t> shape;
};

struct NpzListing {
  std::vector<NpzEntry> entries;  // every member, in archive order
  std::vector<NpzMember> loaded;  // the members asked for, whole, in archive order
};

// What a .npz holds, cheaply (for --resume over a million clips): the zip
// directory and every member's .npy header are checked as read_npz checks
// them and each member's size must match its dtype and shape, but only the
// members named in `load` are read (and CRC-checked). Same errors as read_npz.
NpzListing list_npz(const std::filesystem::path& path, std::span<const std::string> load = {});

// Every member of a .npz, in archive order. Throws Error(kInput) naming the
// file (and member) when it cannot be opened, is not a valid zip, has an entry
// that is not a .npy, fails its CRC, or holds a bad .npy.
std::vector<NpzMember> read_npz(const std::filesystem::path& path);

}  // namespace signprep::output
