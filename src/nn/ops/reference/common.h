// Helpers shared by the reference kernels (private to nn/ops/reference/):
// errors that name the op, operand checks for validate, TFLite's padding and
// fused-activation rules, broadcasting index math and custom-option access.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nn/model_def.h"
#include "nn/padding.h"

namespace signprep::nn::reference {

using Shape = std::vector<int>;
using Inputs = std::span<const float* const>;
using Outputs = std::span<float* const>;

// ---- Errors -----------------------------------------------------------------

// Throws Error(kModel) "<model>: <op.label>: <problem>".
[[noreturn]] void fail(const ModelDef& model, const OpDef& op, const std::string& problem);

// "[1,2,3]" for messages.
std::string shape_string(const Shape& shape);

// ---- Operand access (run_op may use these once validate_op has passed) -----

inline const TensorDef& input_def(const ModelDef& model, const OpDef& op, int i) {
  return model.tensors[static_cast<std::size_t>(op.inputs[static_cast<std::size_t>(i)])];
}
inline const TensorDef& output_def(const ModelDef& model, const OpDef& op, int i = 0) {
  return model.tensors[static_cast<std::size_t>(op.outputs[static_cast<std::size_t>(i)])];
}
inline const Shape& input_shape(const ModelDef& model, const OpDef& op, int i) {
  return input_def(model, op, i).shape;
}
inline const Shape& output_shape(const ModelDef& model, const OpDef& op, int i = 0) {
  return output_def(model, op, i).shape;
}
inline bool has_input(const OpDef& op, int i) {
  return i < static_cast<int>(op.inputs.size()) && op.inputs[static_cast<std::size_t>(i)] >= 0;
}

std::int64_t element_count(const Shape& shape);

// ---- Checks for validate ----------------------------------------------------

// Between `min` and `max` inputs, exactly `outputs` outputs.
void expect_arity(const ModelDef& model, const OpDef& op, int min_inputs, int max_inputs,
                  int outputs);

// Input `i` is present and holds float32 data (an activation, or a constant
// with its values decoded); `rank` < 0 accepts any rank. Returns its def.
const TensorDef& expect_float_input(const ModelDef& model, const OpDef& op, int i, const char* what,
                                    int rank = -1);

// Input `i` is a constant float tensor of exactly `shape`.
const TensorDef& expect_constant_floats(const ModelDef& model, const OpDef& op, int i,
                                        const char* what, const Shape& shape);

// Input `i` is a constant int32/int64 tensor; returns its values as ints.
std::vector<int> constant_ints(const ModelDef& model, const OpDef& op, int i, const char* what);

// The output is float32 and its shape is `expected`.
void expect_output_shape(const ModelDef& model, const OpDef& op, const Shape& expected,
                         int output = 0);

// One float input and an output of the same shape (RELU, LOGISTIC, ...).
void expect_unary(const ModelDef& model, const OpDef& op);

// Two float inputs whose TFLite broadcast shape is the output's (ADD, MUL,
// PRELU).
void expect_broadcast_binary(const ModelDef& model, const OpDef& op, const char* first,
                             const char* second);

// Stride, dilation and window sizes are positive.
void expect_positive(const ModelDef& model, const OpDef& op, const char* what, int a, int b);

// ---- TFLite's padding: nn/padding.h ------------------------------------------

// A checked CONV_2D or DEPTHWISE_CONV_2D (NHWC input and output, filter
// [_, kh, kw, _]): its sizes, and the padding before the first row and column.
struct ConvGeometry {
  int batches, in_h, in_w, in_c;
  int kh, kw;
  int out_h, out_w, out_c;
  int pad_h, pad_w;
};
ConvGeometry conv_geometry(const ModelDef& model, const OpDef& op);

// What CONV_2D and DEPTHWISE_CONV_2D check after their filter: an optional
// constant bias [out_c] and an output [N, oh, ow, out_c] from the padding mode.
void expect_conv_output(const ModelDef& model, const OpDef& op, const Shape& in, int kh, int kw,
                        int out_c);

// ---- Fused activation -------------------------------------------------------

// TFLite clamps RELU/RELU_N1_TO_1/RELU6 as min(max(x, lo), hi).
inline float activate(Activation activation, float x);

// ---- Broadcasting (TFLite aligns shapes on their last dimension) ------------

// The broadcast shape of `a` and `b`; false when some dimension pair is
// neither equal nor 1.
bool broadcast_shape(const Shape& a, const Shape& b, Shape* out);

// Element strides of `in` seen through `out`'s dimensions: 0 where `in` is
// broadcast (missing leading dimension or size 1).
std::vector<std::int64_t> broadcast_strides(const Shape& in, const Shape& out);

// out[i] = f(a[ia], b[ib]) over `out_shape` with broadcasting.
template <class F>
void broadcast_binary(const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
                      const Shape& out_shape, float* out, F f);

// ---- MediaPipe custom options (FlexBuffers map, decoded by the reader) ------

bool has_option(const OpDef& op, const std::string& key);
std::int64_t option_int(const ModelDef& model, const OpDef& op, const std::string& key);
// Accepts an integer or a float value (FlexBuffers' AsFloat converts ints).
double option_float(const ModelDef& model, const OpDef& op, const std::string& key);
std::vector<std::int64_t> option_ints(const ModelDef& model, const OpDef& op,
                                      const std::string& key);

// ---- Inline definitions -----------------------------------------------------

inline float activate(Activation activation, float x) {
  auto clamp = [x](float lo, float hi) {
    const float above = x < lo ? lo : x;
    return above > hi ? hi : above;
  };
  switch (activation) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return x < 0.0f ? 0.0f : x;
    case Activation::kReluN1To1:
      return clamp(-1.0f, 1.0f);
    case Activation::kRelu6:
      return clamp(0.0f, 6.0f);
    case Activation::kTanh:
      return std::tanh(x);
  }
  return x;
}

template <class F>
void broadcast_binary(const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
                      const Shape& out_shape, float* out, F f) {
  const std::int64_t count = element_count(out_shape);
  if (a_shape == out_shape && b_shape == out_shape) {
    for (std::int64_t i = 0; i < count; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  const std::vector<std::int64_t> a_strides = broadcast_strides(a_shape, out_shape);
  const std::vector<std::int64_t> b_strides = broadcast_strides(b_shape, out_shape);
  const std::size_t rank = out_shape.size();
  std::vector<int> index(rank, 0);
  std::int64_t ia = 0, ib = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    out[i] = f(a[ia], b[ib]);
    // Odometer step over the output index, moving both input offsets along.
    for (std::size_t d = rank; d-- > 0;) {
      ia += a_strides[d];
      ib += b_strides[d];
      if (++index[d] < out_shape[d]) break;
      ia -= a_strides[d] * out_shape[d];
      ib -= b_strides[d] * out_shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace signprep::nn::reference
