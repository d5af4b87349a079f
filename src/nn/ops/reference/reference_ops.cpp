// The one table of reference kernels, keyed by OpType. Adding an operator:
// a file <builtin>.cpp with validate_<builtin>/run_<builtin>, a line in
// kernels.h, a row here, and the file in sources.cmake.
#include "nn/ops/reference/reference_ops.h"

#include <array>
#include <string>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

struct Kernel {
  OpType type;
  const char* name;  // TFLite builtin or MediaPipe custom op name
  ValidateFn validate;
  RunFn run;
};

constexpr std::array kKernels = {
    Kernel{OpType::kAdd, "ADD", validate_add, run_add},
    Kernel{OpType::kAveragePool2d, "AVERAGE_POOL_2D", validate_average_pool_2d,
           run_average_pool_2d},
    Kernel{OpType::kConcatenation, "CONCATENATION", validate_concatenation, run_concatenation},
    Kernel{OpType::kConv2d, "CONV_2D", validate_conv_2d, run_conv_2d},
    Kernel{OpType::kDepthToSpace, "DEPTH_TO_SPACE", validate_depth_to_space, run_depth_to_space},
    Kernel{OpType::kDepthwiseConv2d, "DEPTHWISE_CONV_2D", validate_depthwise_conv_2d,
           run_depthwise_conv_2d},
    Kernel{OpType::kFullyConnected, "FULLY_CONNECTED", validate_fully_connected,
           run_fully_connected},
    Kernel{OpType::kHardSwish, "HARD_SWISH", validate_hard_swish, run_hard_swish},
    Kernel{OpType::kLogistic, "LOGISTIC", validate_logistic, run_logistic},
    Kernel{OpType::kMaxPool2d, "MAX_POOL_2D", validate_max_pool_2d, run_max_pool_2d},
    Kernel{OpType::kMean, "MEAN", validate_mean, run_mean},
    Kernel{OpType::kMul, "MUL", validate_mul, run_mul},
    Kernel{OpType::kPad, "PAD", validate_pad, run_pad},
    Kernel{OpType::kPrelu, "PRELU", validate_prelu, run_prelu},
    Kernel{OpType::kRelu, "RELU", validate_relu, run_relu},
    Kernel{OpType::kReshape, "RESHAPE", validate_reshape, run_reshape},
    Kernel{OpType::kResizeBilinear, "RESIZE_BILINEAR", validate_resize_bilinear,
           run_resize_bilinear},
    Kernel{OpType::kStridedSlice, "STRIDED_SLICE", validate_strided_slice, run_strided_slice},
    Kernel{OpType::kConvolution2DTransposeBias, "Convolution2DTransposeBias",
           validate_convolution_2d_transpose_bias, run_convolution_2d_transpose_bias},
    Kernel{OpType::kLandmarks2TransformMatrix, "Landmarks2TransformMatrix",
           validate_landmarks_to_transform_matrix, run_landmarks_to_transform_matrix},
    Kernel{OpType::kTransformLandmarks, "TransformLandmarks", validate_transform_landmarks,
           run_transform_landmarks},
    Kernel{OpType::kTransformTensorBilinear, "TransformTensorBilinear",
           validate_transform_tensor_bilinear, run_transform_tensor_bilinear},
};

const Kernel* find_kernel(OpType type) {
  for (const Kernel& kernel : kKernels) {
    if (kernel.type == type) return &kernel;
  }
  return nullptr;
}

// Every tensor index names a tensor (-1 only for an absent optional input),
// so the kernels' checks may look tensors up freely.
void check_indices(const ModelDef& model, const OpDef& op) {
  const int count = static_cast<int>(model.tensors.size());
  for (int index : op.inputs) {
    if (index < -1 || index >= count) {
      fail(model, op, "input tensor index " + std::to_string(index) + " is out of range");
    }
  }
  for (int index : op.outputs) {
    if (index < 0 || index >= count) {
      fail(model, op, "output tensor index " + std::to_string(index) + " is out of range");
    }
  }
}

}  // namespace

void validate_op(const ModelDef& model, const OpDef& op) {
  const Kernel* kernel = find_kernel(op.type);
  if (kernel == nullptr) {
    fail(model, op, "no reference kernel for op type " + std::to_string(static_cast<int>(op.type)));
  }
  check_indices(model, op);
  kernel->validate(model, op);
}

void run_op(const ModelDef& model, const OpDef& op, std::span<const float* const> inputs,
            std::span<float* const> outputs) {
  const Kernel* kernel = find_kernel(op.type);
  if (kernel == nullptr) {
    fail(model, op, "no reference kernel for op type " + std::to_string(static_cast<int>(op.type)));
  }
  kernel->run(model, op, inputs, outputs);
}

}  // namespace signprep::nn::reference
