#include "nn/tflite/op_options.h"

#include <array>
#include <string>

#include "nn/tflite/flexbuffers.h"
#include "nn/tflite/tflite_schema.h"

namespace signprep::nn::detail {
namespace {

using namespace schema;

// Fields of the options tables (schema.fbs), by table.
namespace conv {
constexpr Field kPadding{0, "padding"}, kStrideW{1, "stride_w"}, kStrideH{2, "stride_h"},
    kActivation{3, "fused_activation_function"}, kDilationW{4, "dilation_w_factor"},
    kDilationH{5, "dilation_h_factor"};
}
namespace depthwise {
constexpr Field kPadding{0, "padding"}, kStrideW{1, "stride_w"}, kStrideH{2, "stride_h"},
    kDepthMultiplier{3, "depth_multiplier"}, kActivation{4, "fused_activation_function"},
    kDilationW{5, "dilation_w_factor"}, kDilationH{6, "dilation_h_factor"};
}
namespace pool {
constexpr Field kPadding{0, "padding"}, kStrideW{1, "stride_w"}, kStrideH{2, "stride_h"},
    kFilterW{3, "filter_width"}, kFilterH{4, "filter_height"},
    kActivation{5, "fused_activation_function"};
}
namespace fully_connected {
constexpr Field kActivation{0, "fused_activation_function"}, kWeightsFormat{1, "weights_format"},
    kKeepNumDims{2, "keep_num_dims"};
}
namespace concatenation {
constexpr Field kAxis{0, "axis"}, kActivation{1, "fused_activation_function"};
}
// AddOptions and MulOptions
constexpr Field kBinaryActivation{0, "fused_activation_function"};
namespace resize {  // ids 0 and 1 are the deprecated new_height/new_width
constexpr Field kAlignCorners{2, "align_corners"}, kHalfPixelCenters{3, "half_pixel_centers"};
}
constexpr Field kReducerKeepDims{0, "keep_dims"};
namespace strided_slice {
constexpr Field kBeginMask{0, "begin_mask"}, kEndMask{1, "end_mask"},
    kEllipsisMask{2, "ellipsis_mask"}, kNewAxisMask{3, "new_axis_mask"},
    kShrinkAxisMask{4, "shrink_axis_mask"}, kOffset{5, "offset"};
}
constexpr Field kDepthToSpaceBlockSize{0, "block_size"};

struct BuiltinInfo {
  int code;
  OpType type;
  int options;  // the BuiltinOptions tag the operator's options table has
};

constexpr std::array<BuiltinInfo, 18> kBuiltins = {{
    {kAdd, OpType::kAdd, kAddOptions},
    {kAveragePool2d, OpType::kAveragePool2d, kPool2DOptions},
    {kConcatenation, OpType::kConcatenation, kConcatenationOptions},
    {kConv2d, OpType::kConv2d, kConv2DOptions},
    {kDepthToSpace, OpType::kDepthToSpace, kDepthToSpaceOptions},
    {kDepthwiseConv2d, OpType::kDepthwiseConv2d, kDepthwiseConv2DOptions},
    {kFullyConnected, OpType::kFullyConnected, kFullyConnectedOptions},
    {kHardSwish, OpType::kHardSwish, kHardSwishOptions},
    {kLogistic, OpType::kLogistic, kNoOptions},
    {kMaxPool2d, OpType::kMaxPool2d, kPool2DOptions},
    {kMean, OpType::kMean, kReducerOptions},
    {kMul, OpType::kMul, kMulOptions},
    {kPad, OpType::kPad, kPadOptions},
    {kPrelu, OpType::kPrelu, kNoOptions},
    {kRelu, OpType::kRelu, kNoOptions},
    {kReshape, OpType::kReshape, kReshapeOptions},
    {kResizeBilinear, OpType::kResizeBilinear, kResizeBilinearOptions},
    {kStridedSlice, OpType::kStridedSlice, kStridedSliceOptions},
}};

struct CustomInfo {
  std::string_view name;
  OpType type;
};

constexpr std::array<CustomInfo, 4> kCustoms = {{
    {"Convolution2DTransposeBias", OpType::kConvolution2DTransposeBias},
    {"Landmarks2TransformMatrix", OpType::kLandmarks2TransformMatrix},
    {"TransformLandmarks", OpType::kTransformLandmarks},
    {"TransformTensorBilinear", OpType::kTransformTensorBilinear},
}};

Activation read_activation(const FbTable& options, Field field) {
  const int code = options.scalar<std::int8_t>(field, 0);
  switch (code) {
    case 0:
      return Activation::kNone;
    case 1:
      return Activation::kRelu;
    case 2:
      return Activation::kReluN1To1;
    case 3:
      return Activation::kRelu6;
    case 4:
      return Activation::kTanh;
  }
  format_fail("unsupported fused activation " +
              std::string(code == 5 ? "SIGN_BIT" : std::to_string(code)));
}

Padding read_padding(const FbTable& options, Field field) {
  const int code = options.scalar<std::int8_t>(field, 0);
  if (code == 0) return Padding::kSame;
  if (code == 1) return Padding::kValid;
  format_fail("unknown padding " + std::to_string(code));
}

// Strides, dilations, window sizes and block sizes are counts: at least 1.
int read_count(const FbTable& options, Field field, int default_value) {
  const int value = options.scalar<std::int32_t>(field, default_value);
  if (value < 1) format_fail(std::string(field.name) + " " + std::to_string(value));
  return value;
}

void read_conv(const FbTable& t, OpDef& op) {
  op.padding = read_padding(t, conv::kPadding);
  op.stride_w = read_count(t, conv::kStrideW, 0);
  op.stride_h = read_count(t, conv::kStrideH, 0);
  op.activation = read_activation(t, conv::kActivation);
  op.dilation_w = read_count(t, conv::kDilationW, 1);
  op.dilation_h = read_count(t, conv::kDilationH, 1);
}

void read_depthwise(const FbTable& t, OpDef& op) {
  op.padding = read_padding(t, depthwise::kPadding);
  op.stride_w = read_count(t, depthwise::kStrideW, 0);
  op.stride_h = read_count(t, depthwise::kStrideH, 0);
  // schema.fbs calls depth_multiplier redundant (the shapes say it), and
  // converters may leave it 0; only a negative value is an error.
  op.depth_multiplier = t.scalar<std::int32_t>(depthwise::kDepthMultiplier, 0);
  if (op.depth_multiplier < 0) {
    format_fail("depth_multiplier " + std::to_string(op.depth_multiplier));
  }
  op.activation = read_activation(t, depthwise::kActivation);
  op.dilation_w = read_count(t, depthwise::kDilationW, 1);
  op.dilation_h = read_count(t, depthwise::kDilationH, 1);
}

void read_pool(const FbTable& t, OpDef& op) {
  op.padding = read_padding(t, pool::kPadding);
  op.stride_w = read_count(t, pool::kStrideW, 0);
  op.stride_h = read_count(t, pool::kStrideH, 0);
  op.filter_w = read_count(t, pool::kFilterW, 0);
  op.filter_h = read_count(t, pool::kFilterH, 0);
  op.activation = read_activation(t, pool::kActivation);
}

void read_fully_connected(const FbTable& t, OpDef& op) {
  op.activation = read_activation(t, fully_connected::kActivation);
  // SHUFFLED4x16INT8 is a quantized weight layout; only plain weights are supported.
  const int format = t.scalar<std::int8_t>(fully_connected::kWeightsFormat, 0);
  if (format != 0) format_fail("unsupported weights_format " + std::to_string(format));
  op.keep_dims = t.boolean(fully_connected::kKeepNumDims);
}

void read_strided_slice(const FbTable& t, OpDef& op) {
  op.begin_mask = t.scalar<std::int32_t>(strided_slice::kBeginMask, 0);
  op.end_mask = t.scalar<std::int32_t>(strided_slice::kEndMask, 0);
  op.ellipsis_mask = t.scalar<std::int32_t>(strided_slice::kEllipsisMask, 0);
  op.new_axis_mask = t.scalar<std::int32_t>(strided_slice::kNewAxisMask, 0);
  op.shrink_axis_mask = t.scalar<std::int32_t>(strided_slice::kShrinkAxisMask, 0);
  op.offset = t.boolean(strided_slice::kOffset);
}

void read_options_table(const FbTable& t, OpDef& op) {
  switch (op.type) {
    case OpType::kConv2d:
      return read_conv(t, op);
    case OpType::kDepthwiseConv2d:
      return read_depthwise(t, op);
    case OpType::kAveragePool2d:
    case OpType::kMaxPool2d:
      return read_pool(t, op);
    case OpType::kFullyConnected:
      return read_fully_connected(t, op);
    case OpType::kAdd:
    case OpType::kMul:
      op.activation = read_activation(t, kBinaryActivation);
      return;
    case OpType::kConcatenation:
      op.axis = t.scalar<std::int32_t>(concatenation::kAxis, 0);
      op.activation = read_activation(t, concatenation::kActivation);
      return;
    case OpType::kResizeBilinear:
      op.align_corners = t.boolean(resize::kAlignCorners);
      op.half_pixel_centers = t.boolean(resize::kHalfPixelCenters);
      return;
    case OpType::kMean:
      op.keep_dims = t.boolean(kReducerKeepDims);
      return;
    case OpType::kStridedSlice:
      return read_strided_slice(t, op);
    case OpType::kDepthToSpace:
      op.block_size = read_count(t, kDepthToSpaceBlockSize, 0);
      return;
    default:
      return;  // RESHAPE's new_shape is ignored: the output tensor's shape rules
  }
}

// MediaPipe's Convolution2DTransposeBias keeps its options as the raw bytes
// of TFLite's C struct TfLiteTransposeConvParams (mediapipe/util/tflite/
// operations/transpose_conv_bias.cc reads custom_initial_data as one):
// int32 padding (TfLitePadding: 1 SAME, 2 VALID), int32 stride_width,
// int32 stride_height, possibly followed by newer fields.
void read_transpose_conv_params(std::span<const std::byte> options, OpDef& op) {
  if (options.size() < 12) {
    format_fail("custom options hold " + std::to_string(options.size()) +
                " bytes, TfLiteTransposeConvParams needs 12");
  }
  const FbBuffer buffer(options);
  const auto padding = buffer.load<std::int32_t>(0);
  if (padding != 1 && padding != 2) format_fail("unknown padding " + std::to_string(padding));
  op.padding = padding == 1 ? Padding::kSame : Padding::kValid;
  const auto stride_w = buffer.load<std::int32_t>(4);
  const auto stride_h = buffer.load<std::int32_t>(8);
  if (stride_w < 1 || stride_h < 1) {
    format_fail("strides " + std::to_string(stride_w) + "x" + std::to_string(stride_h));
  }
  op.stride_w = stride_w;
  op.stride_h = stride_h;
}

}  // namespace

std::optional<OpType> builtin_op_type(int builtin_code) {
  for (const BuiltinInfo& info : kBuiltins) {
    if (info.code == builtin_code) return info.type;
  }
  return std::nullopt;
}

std::optional<OpType> custom_op_type(std::string_view custom_code) {
  for (const CustomInfo& info : kCustoms) {
    if (info.name == custom_code) return info.type;
  }
  return std::nullopt;
}

void read_builtin_options(const FbTable& op_table, OpDef& op) {
  int expected = kNoOptions;
  for (const BuiltinInfo& info : kBuiltins) {
    if (info.type == op.type) expected = info.options;
  }
  // A missing table (tag NONE) leaves every option at its schema default.
  const int tag = op_table.union_type(kOperatorBuiltinOptionsType);
  if (tag == kNoOptions) return read_options_table(FbTable(), op);
  if (tag != expected) {
    format_fail("builtin_options has type " + std::to_string(tag) + ", expected " +
                std::to_string(expected));
  }
  read_options_table(op_table.table(kOperatorBuiltinOptions), op);
}

void read_custom_options(std::span<const std::byte> options, OpDef& op) {
  if (op.type == OpType::kConvolution2DTransposeBias) {
    return read_transpose_conv_params(options, op);
  }
  // TransformLandmarks has no options at all.
  if (!options.empty()) {
    op.custom_options = with_context("custom options", [&] { return parse_flex_map(options); });
  }
}

}  // namespace signprep::nn::detail
