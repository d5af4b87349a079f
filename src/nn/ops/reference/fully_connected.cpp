// FULLY_CONNECTED: weights [out, in] (TFLite's default weights format), an
// optional bias [out]; the input is read as rows of `in` values. The output is
// [rows, out], or with keep_num_dims the input's shape with its last dimension
// replaced by `out` (reference/fully_connected.h).
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_fully_connected(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 3, 1);
  const Shape& in = expect_float_input(model, op, 0, "input").shape;
  const TensorDef& weights = expect_float_input(model, op, 1, "weights", 2);
  if (!weights.is_constant) fail(model, op, "weights are not constant");
  const int units = weights.shape[0], depth = weights.shape[1];
  if (has_input(op, 2)) expect_constant_floats(model, op, 2, "bias", {units});
  const std::int64_t count = element_count(in);
  if (in.empty() || count % depth != 0) {
    fail(model, op,
         "input " + shape_string(in) + " is not a whole number of rows of " +
             std::to_string(depth) + " (weights " + shape_string(weights.shape) + ")");
  }
  Shape expected;
  if (op.keep_dims) {
    if (in.back() != depth) {
      fail(model, op,
           "keep_num_dims needs the input's last dimension to be " + std::to_string(depth) +
               ", input is " + shape_string(in));
    }
    expected = in;
    expected.back() = units;
  } else {
    expected = {static_cast<int>(count / depth), units};
  }
  expect_output_shape(model, op, expected);
}

void run_fully_connected(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& weights_shape = input_shape(model, op, 1);
  const int units = weights_shape[0], depth = weights_shape[1];
  const std::int64_t rows = element_count(input_shape(model, op, 0)) / depth;
  const float* input = inputs[0];
  const float* weights = inputs[1];
  const float* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  float* output = outputs[0];
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = input + r * depth;
    for (int u = 0; u < units; ++u) {
      const float* w = weights + std::int64_t{u} * depth;
      float total = 0.0f;
      for (int d = 0; d < depth; ++d) total += row[d] * w[d];
      const float bias_value = bias != nullptr ? bias[u] : 0.0f;
      output[r * units + u] = activate(op.activation, total + bias_value);
    }
  }
}

}  // namespace signprep::nn::reference
