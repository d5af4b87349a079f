// The parts of TFLite's schema (tensorflow/lite/schema/schema.fbs) that the
// reader uses: field ids of the tables it reads and the enum values it
// checks. Field ids are declaration order; a union field takes two ids (its
// type tag, then its value).
#pragma once

#include <string>

#include "nn/tflite/flatbuffer_view.h"

namespace signprep::nn::detail::schema {

inline constexpr char kFileIdentifier[] = "TFL3";

// table Model
inline constexpr Field kModelVersion{0, "version"};
inline constexpr Field kModelOperatorCodes{1, "operator_codes"};
inline constexpr Field kModelSubgraphs{2, "subgraphs"};
inline constexpr Field kModelBuffers{4, "buffers"};

// table OperatorCode
inline constexpr Field kOpCodeDeprecatedBuiltinCode{0, "deprecated_builtin_code"};
inline constexpr Field kOpCodeCustomCode{1, "custom_code"};
inline constexpr Field kOpCodeBuiltinCode{3, "builtin_code"};

// table SubGraph
inline constexpr Field kSubGraphTensors{0, "tensors"};
inline constexpr Field kSubGraphInputs{1, "inputs"};
inline constexpr Field kSubGraphOutputs{2, "outputs"};
inline constexpr Field kSubGraphOperators{3, "operators"};

// table Tensor
inline constexpr Field kTensorShape{0, "shape"};
inline constexpr Field kTensorType{1, "type"};
inline constexpr Field kTensorBuffer{2, "buffer"};
inline constexpr Field kTensorName{3, "name"};
inline constexpr Field kTensorIsVariable{5, "is_variable"};
inline constexpr Field kTensorSparsity{6, "sparsity"};

// table Buffer. offset/size (> 1) place the data outside the FlatBuffer, for
// models over 2 GB; the offset counts from the start of the file.
inline constexpr Field kBufferData{0, "data"};
inline constexpr Field kBufferOffset{1, "offset"};
inline constexpr Field kBufferSize{2, "size"};

// table Operator
inline constexpr Field kOperatorOpcodeIndex{0, "opcode_index"};
inline constexpr Field kOperatorInputs{1, "inputs"};
inline constexpr Field kOperatorOutputs{2, "outputs"};
inline constexpr Field kOperatorBuiltinOptionsType{3, "builtin_options_type"};
inline constexpr Field kOperatorBuiltinOptions{4, "builtin_options"};
inline constexpr Field kOperatorCustomOptions{5, "custom_options"};
inline constexpr Field kOperatorCustomOptionsFormat{6, "custom_options_format"};
inline constexpr Field kOperatorLargeCustomOptionsOffset{9, "large_custom_options_offset"};
inline constexpr Field kOperatorLargeCustomOptionsSize{10, "large_custom_options_size"};

// table SparsityParameters
inline constexpr Field kSparsityTraversalOrder{0, "traversal_order"};
inline constexpr Field kSparsityBlockMap{1, "block_map"};
inline constexpr Field kSparsityDimMetadata{2, "dim_metadata"};

// table DimensionMetadata
inline constexpr Field kDimFormat{0, "format"};
inline constexpr Field kDimDenseSize{1, "dense_size"};
inline constexpr Field kDimArraySegmentsType{2, "array_segments_type"};
inline constexpr Field kDimArraySegments{3, "array_segments"};
inline constexpr Field kDimArrayIndicesType{4, "array_indices_type"};
inline constexpr Field kDimArrayIndices{5, "array_indices"};

// tables Int32Vector, Uint16Vector, Uint8Vector
inline constexpr Field kIndexVectorValues{0, "values"};

// enum TensorType
enum TensorTypeCode : int {
  kTypeFloat32 = 0,
  kTypeFloat16 = 1,
  kTypeInt32 = 2,
  kTypeUInt8 = 3,
  kTypeInt64 = 4,
  kTypeBool = 6,
  kTypeInt8 = 9,
};

// enum BuiltinOperator (the ones the reader names in code)
enum BuiltinCode : int {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDepthToSpace = 5,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kReshape = 22,
  kResizeBilinear = 23,
  kCustom = 32,
  kPad = 34,
  kMean = 40,
  kStridedSlice = 45,
  kPrelu = 54,
  kHardSwish = 117,
  kDensify = 124,
  // Codes up to here fit the old int8 deprecated_builtin_code; larger ones
  // are only in builtin_code.
  kPlaceholderForGreaterOpCodes = 127,
};

// union BuiltinOptions (tags are 1-based; 0 is NONE)
enum OptionsCode : int {
  kNoOptions = 0,
  kConv2DOptions = 1,
  kDepthwiseConv2DOptions = 2,
  kPool2DOptions = 5,
  kFullyConnectedOptions = 8,
  kConcatenationOptions = 10,
  kAddOptions = 11,
  kResizeBilinearOptions = 15,
  kReshapeOptions = 17,
  kMulOptions = 21,
  kPadOptions = 22,
  kReducerOptions = 27,
  kStridedSliceOptions = 32,
  kDequantizeOptions = 38,
  kHardSwishOptions = 91,
  kDepthToSpaceOptions = 94,
  kDensifyOptions = 99,
};

// enum DimensionType
enum DimensionTypeCode : int { kDimDense = 0, kDimSparseCsr = 1 };

// union SparseIndexVector
enum SparseIndexVectorCode : int { kInt32Vector = 1, kUint16Vector = 2, kUint8Vector = 3 };

// "SOFTMAX" for 25; "builtin operator 250" for codes the table lacks.
std::string builtin_operator_name(int code);
// "FLOAT32", "STRING", ...; "type 99" for unknown codes.
std::string tensor_type_name(int code);

}  // namespace signprep::nn::detail::schema
