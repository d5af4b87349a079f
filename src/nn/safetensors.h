// Reads safetensors files, the weights format of Hugging Face and timm: an
// 8-byte little-endian header length, a JSON header mapping each tensor name
// to its dtype, shape and byte range, then the raw little-endian data.
//
// The reader is strict: the header must be a JSON object of exactly that
// form, every byte range must lie inside the data and match its dtype and
// shape, and names must be unique. A damaged file is an Error(kModel) naming
// the file and the problem, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::nn {

class SafetensorsFile {
 public:
  struct Entry {
    std::string dtype;  // safetensors' name: "F32", "F16", "BF16", "I64", ...
    std::vector<std::int64_t> shape;
    std::size_t begin = 0, end = 0;  // byte range inside the data section
  };

  // `bytes` is the whole file; `name` (usually the path) prefixes every message.
  static SafetensorsFile parse(std::vector<std::byte> bytes, std::string name);
  // Reads the file; a missing or unreadable file is Error(kModel) too.
  static SafetensorsFile load(const std::filesystem::path& path);

  const std::string& name() const { return name_; }
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  // The entry of `tensor`; throws Error(kModel) "<file>: no tensor <tensor>".
  const Entry& entry(std::string_view tensor) const;
  // The values of `tensor` as float32: F32 as stored, F16 and BF16 widened
  // (exactly: both are subsets of float32). Throws Error(kModel) for a
  // missing tensor or any other dtype.
  std::vector<float> float32(std::string_view tensor) const;

 private:
  SafetensorsFile(std::vector<std::byte> bytes, std::string name);
  std::span<const std::byte> data(const Entry& entry) const;

  std::vector<std::byte> bytes_;
  std::string name_;
  std::size_t data_start_ = 0;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace signprep::nn
