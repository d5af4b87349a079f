// A bounded reader for the one FlexBuffers shape that TFLite custom options
// use: a root map whose values are scalars, strings or flat vectors of
// numbers. Written from the FlexBuffers format description (FlatBuffers
// "Internals"); anything else (nested maps, vectors of vectors, blobs) is a
// FormatError rather than a guess.
#pragma once

#include <cstddef>
#include <span>

#include "nn/model_def.h"

namespace signprep::nn::detail {

// Decodes `bytes` (a whole FlexBuffer, root at the end) into a FlexMap:
// int/uint/bool -> int64 (bool -> bool), float -> double, string -> string,
// typed or untyped vectors of ints -> vector<int64>, of floats (or floats
// mixed with ints) -> vector<double>. Throws FormatError.
FlexMap parse_flex_map(std::span<const std::byte> bytes);

}  // namespace signprep::nn::detail
