#include "output/npy_reader.h"

#include <fstream>
#include <iterator>
#include <string>

#include "core/error.h"
#include "output/npz_reader.h"

namespace signprep::output {

NpyFloat32 read_npy_float32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kInput, path.string() + ": cannot open");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorKind::kInput, path.string() + ": cannot read");
  NpyArray array = decode_npy(std::as_bytes(std::span(bytes)), path.string());
  if (array.descr != "<f4") {
    throw Error(ErrorKind::kInput,
                path.string() + ": dtype " + array.descr + ", expected float32 ('<f4')");
  }
  std::vector<float> values = array.float32_values();
  return {std::move(array.shape), std::move(values)};
}

}  // namespace signprep::output
