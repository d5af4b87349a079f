#include "output/npy_reader.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "core/error.h"

namespace signprep::output {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& why) {
  throw Error(ErrorKind::kInput, path.string() + ": " + why);
}

std::vector<std::size_t> parse_shape(const std::string& tuple, const std::filesystem::path& path) {
  std::vector<std::size_t> shape;
  std::stringstream items(tuple);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.find_first_not_of(" ") == std::string::npos) continue;
    try {
      shape.push_back(std::stoull(item));
    } catch (const std::exception&) {
      fail(path, "bad shape (" + tuple + ")");
    }
  }
  return shape;
}

}  // namespace

NpyFloat32 read_npy_float32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(path, "not a .npy file");
  const int major = static_cast<unsigned char>(bytes[6]);
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3) fail(path, "unsupported .npy version " + std::to_string(major));
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  }
  const std::size_t data_start = 8 + length_bytes + header_length;
  if (data_start > bytes.size()) fail(path, "truncated header");
  const std::string header = bytes.substr(8 + length_bytes, header_length);

  std::smatch match;
  if (!std::regex_search(header, match, std::regex("'descr':\\s*'([^']*)'")) ||
      (match[1] != "<f4" && match[1] != "=f4")) {
    fail(path, "not float32 (expected descr '<f4')");
  }
  if (header.find("'fortran_order': False") == std::string::npos) fail(path, "not C order");
  if (!std::regex_search(header, match, std::regex("'shape':\\s*\\(([^)]*)\\)"))) {
    fail(path, "no shape in header");
  }
  NpyFloat32 array{parse_shape(match[1], path), {}};
  std::size_t count = 1;
  for (std::size_t d : array.shape) count *= d;
  if (bytes.size() - data_start != count * sizeof(float)) {
    fail(path, "holds " + std::to_string(bytes.size() - data_start) + " data bytes, shape needs " +
                   std::to_string(count * sizeof(float)));
  }
  array.values.resize(count);
  std::memcpy(array.values.data(), bytes.data() + data_start, count * sizeof(float));
  return array;
}

}  // namespace signprep::output
