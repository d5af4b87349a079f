// The parsed form of a .tflite model that the executor runs: tensors with
// static shapes and constant data already in float32, and operators with the
// options signprep supports. Internal to nn/: the landmark code uses
// nn/model.h.
//
// The loader folds the weight-preparation operators away: DEQUANTIZE
// (float16 -> float32) and DENSIFY (TFLite's sparse format -> dense) outputs
// become constant tensors, so `ops` holds only operators that compute on
// activations.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace signprep::nn {

enum class TensorType { kFloat32, kFloat16, kInt32, kInt64, kInt8, kUInt8, kBool };

struct TensorDef {
  std::string name;
  std::vector<int> shape;  // static; NHWC for 4-d activations
  TensorType type = TensorType::kFloat32;
  // Constant data (weights, biases, shapes, paddings), decoded once at load:
  // float tensors (fp32, or fp16 folded) in `values`, int32/int64 tensors in
  // `ints`. Both empty for activations.
  std::vector<float> values;
  std::vector<std::int64_t> ints;
  bool is_constant = false;

  std::int64_t element_count() const {
    std::int64_t n = 1;
    for (int d : shape) n *= d;
    return n;
  }
};

enum class OpType {
  kAdd,
  kAveragePool2d,
  kConcatenation,
  kConv2d,
  kDepthToSpace,
  kDepthwiseConv2d,
  kFullyConnected,
  kHardSwish,
  kLogistic,
  kMaxPool2d,
  kMean,
  kMul,
  kPad,
  kPrelu,
  kRelu,
  kReshape,
  kResizeBilinear,
  kStridedSlice,
  // MediaPipe custom operators
  kConvolution2DTransposeBias,
  kLandmarks2TransformMatrix,
  kTransformLandmarks,
  kTransformTensorBilinear,
};

// TFLite's ActivationFunctionType values that these models use.
enum class Activation { kNone, kRelu, kReluN1To1, kRelu6, kTanh };
enum class Padding { kSame, kValid };

// A decoded FlexBuffers value (MediaPipe's custom ops keep their options in a
// FlexBuffers map).
using FlexValue = std::variant<std::int64_t, double, bool, std::string, std::vector<std::int64_t>,
                               std::vector<double>>;
using FlexMap = std::map<std::string, FlexValue>;

struct OpDef {
  OpType type = OpType::kAdd;
  std::string label;        // for messages: "CONV_2D #12" (index in the model's operator list)
  std::vector<int> inputs;  // tensor indices; -1 for an absent optional input
  std::vector<int> outputs;

  // Options; each op reads the fields its TFLite options table has.
  Activation activation = Activation::kNone;  // fused activation
  Padding padding = Padding::kSame;
  int stride_w = 1, stride_h = 1;
  int dilation_w = 1, dilation_h = 1;
  int depth_multiplier = 1;
  int filter_w = 1, filter_h = 1;  // pooling window
  // AVERAGE_POOL_2D divides by filter_h * filter_w, padding cells included
  // (PyTorch's avg_pool2d default, for graphs built from PyTorch models);
  // TFLite's models leave it false and divide by the cells inside the input.
  bool count_include_pad = false;
  int axis = 0;                                            // CONCATENATION
  bool keep_dims = false;                                  // MEAN, FULLY_CONNECTED
  bool align_corners = false, half_pixel_centers = false;  // RESIZE_BILINEAR
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;  // STRIDED_SLICE
  int block_size = 1;   // DEPTH_TO_SPACE
  FlexMap custom_options;
};

struct ModelDef {
  std::string name;  // for messages, e.g. "pose_landmark_full"
  std::vector<TensorDef> tensors;
  std::vector<OpDef> ops;  // in execution order
  std::vector<int> inputs;
  std::vector<int> outputs;
};

}  // namespace signprep::nn
