// Turns a TFLite operator's code and options into the OpType and option
// fields of an OpDef: builtin options tables (schema.fbs) for builtins,
// FlexBuffers maps (or, for Convolution2DTransposeBias, a raw C struct) for
// MediaPipe's custom operators.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "nn/model_def.h"
#include "nn/tflite/flatbuffer_view.h"

namespace signprep::nn::detail {

// The OpType of a builtin code; nullopt for operators signprep does not run
// (including DEQUANTIZE and DENSIFY, which the reader folds).
std::optional<OpType> builtin_op_type(int builtin_code);
std::optional<OpType> custom_op_type(std::string_view custom_code);

// Fills op.type's option fields from the operator's builtin_options union.
// Throws FormatError for an options table of another type, an option value
// signprep does not support, or a value out of range (stride 0, ...).
void read_builtin_options(const FbTable& op_table, OpDef& op);

// Fills op.custom_options (and, for Convolution2DTransposeBias, padding and
// strides) from the operator's custom_options bytes.
void read_custom_options(std::span<const std::byte> options, OpDef& op);

}  // namespace signprep::nn::detail
