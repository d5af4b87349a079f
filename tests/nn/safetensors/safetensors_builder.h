// Builds safetensors files in memory for the tests: tensors with any dtype
// name, shape and data, and a way to write the header by hand for damaged
// files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace signprep::test {

struct SafetensorsTensor {
  std::string name;
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;
};

template <class T>
std::vector<std::byte> raw_bytes(const std::vector<T>& values) {
  std::vector<std::byte> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// An 8-byte little-endian length, `header` as given, then `data`.
inline std::vector<std::byte> safetensors_bytes(const std::string& header,
                                                const std::vector<std::byte>& data) {
  std::vector<std::byte> file(8);
  for (int i = 0; i < 8; ++i) file[i] = std::byte((header.size() >> (8 * i)) & 0xFF);
  for (char c : header) file.push_back(std::byte(c));
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

// A well-formed file holding `tensors` in order, data back to back.
inline std::vector<std::byte> safetensors_bytes(const std::vector<SafetensorsTensor>& tensors) {
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  std::vector<std::byte> data;
  for (const SafetensorsTensor& t : tensors) {
    header += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (std::size_t i = 0; i < t.shape.size(); ++i) {
      header += (i ? "," : "") + std::to_string(t.shape[i]);
    }
    header += "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + t.data.size()) + "]}";
    data.insert(data.end(), t.data.begin(), t.data.end());
  }
  header += "}";
  return safetensors_bytes(header, data);
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace signprep::test
