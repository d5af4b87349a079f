// libFuzzer target for the .tflite reader: any input must load or be a
// signprep::Error, never crash, hang, leak or read outside the input (built
// with ASan and UBSan). Any other exception escapes and is reported.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "nn/tflite/tflite_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    signprep::nn::read_tflite(std::span(reinterpret_cast<const std::byte*>(data), size), "fuzz");
  } catch (const signprep::Error&) {
    // The expected outcome for a damaged model.
  }
  return 0;
}
