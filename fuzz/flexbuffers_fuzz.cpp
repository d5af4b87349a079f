// libFuzzer target for the FlexBuffers reader behind MediaPipe's custom
// operator options (no seed model small enough reaches it through
// tflite_reader_fuzz): any input must decode or be a FormatError.
#include <cstddef>
#include <cstdint>
#include <span>

#include "nn/tflite/flatbuffer_view.h"
#include "nn/tflite/flexbuffers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    signprep::nn::detail::parse_flex_map(std::span(reinterpret_cast<const std::byte*>(data), size));
  } catch (const signprep::nn::detail::FormatError&) {
    // The expected outcome for a damaged options blob.
  }
  return 0;
}
