// libFuzzer target for the Parquet reader behind `signprep validate`: any
// input must decode or be a signprep::Error, without reading outside the
// input. Any other exception escapes and is reported.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "output/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    signprep::output::decode_keypoints_parquet({reinterpret_cast<const std::byte*>(data), size});
  } catch (const signprep::Error&) {
    // The expected outcome for a damaged file.
  }
  return 0;
}
