// libFuzzer target for the .npy decoder and the JSON parser behind
// `signprep validate` and the .npz reader: any input must decode or be a
// signprep::Error, and what decodes must convert (or be an Error) without
// reading outside the input; a unicode scalar is parsed as JSON, as validate
// parses meta. Any other exception escapes and is reported.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "core/json.h"
#include "output/npz_reader.h"

namespace {

// Each conversion throws for any dtype but its own; that is expected here.
template <typename Convert>
void try_convert(Convert convert) {
  try {
    convert();
  } catch (const signprep::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    const signprep::output::NpyArray array = signprep::output::decode_npy({bytes, size}, "fuzz");
    try_convert([&] { array.float32_values(); });
    try_convert([&] { array.int64_values(); });
    try_convert([&] { array.bool_values(); });
    try_convert([&] { signprep::parse_json(array.unicode_scalar()); });
  } catch (const signprep::Error&) {
    // The expected outcome for a damaged array.
  }
  return 0;
}
