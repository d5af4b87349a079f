// TFLite's padding modes as numbers (tensorflow/lite/kernels/padding.h), for
// every executor of a ModelDef: the reference kernels, oneDNN's, the CUDA
// backend, and graphs built in code.
#pragma once

#include <algorithm>

#include "nn/model_def.h"

namespace signprep::nn {

// Output size of a window sweep along one axis: SAME ceil(in / stride);
// VALID ceil((in - effective_filter + 1) / stride).
inline int window_output_size(Padding padding, int in, int filter, int stride, int dilation = 1) {
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  const int effective = (filter - 1) * dilation + 1;
  return (in + stride - effective) / stride;
}

// Cells of padding before and after one axis: SAME pads max((out-1)*stride
// + effective_filter - in, 0), the odd cell after; VALID pads nothing.
struct AxisPadding {
  int before = 0;
  int after = 0;
};
inline AxisPadding axis_padding(Padding padding, int in, int out, int filter, int stride,
                                int dilation = 1) {
  if (padding == Padding::kValid) return {};
  const int effective = (filter - 1) * dilation + 1;
  const int total = std::max((out - 1) * stride + effective - in, 0);
  return {total / 2, total - total / 2};
}

// MediaPipe's Convolution2DTransposeBias (transpose_conv_bias.cc) crops its
// output by this many cells along one axis, half before: SAME
// max(0, filter - (in - 1) % stride - 1), VALID nothing.
inline int transposed_total_padding(Padding padding, int in, int filter, int stride) {
  if (padding != Padding::kSame) return 0;
  return std::max(0, filter - (in - 1) % stride - 1);
}

}  // namespace signprep::nn
