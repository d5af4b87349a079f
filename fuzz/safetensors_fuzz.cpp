// libFuzzer target for the safetensors reader: any input must parse or be a
// signprep::Error, and every tensor of a parsed file must convert or be an
// Error, never crash, hang, leak or read outside the input (built with ASan
// and UBSan). Any other exception escapes and is reported.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "nn/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    const auto file = signprep::nn::SafetensorsFile::parse({bytes, bytes + size}, "fuzz");
    for (const auto& [name, entry] : file.entries()) {
      try {
        file.float32(name);
      } catch (const signprep::Error&) {
        // Not a float tensor.
      }
    }
  } catch (const signprep::Error&) {
    // The expected outcome for a damaged file.
  }
  return 0;
}
