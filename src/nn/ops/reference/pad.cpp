// PAD with zeros: constant int paddings [rank, 2] give (before, after) per
// dimension; the output is in + before + after along each.
#include <algorithm>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_pad(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 2, 1);
  const Shape& in = expect_float_input(model, op, 0, "input").shape;
  const std::vector<int> paddings = constant_ints(model, op, 1, "paddings");
  const int rank = static_cast<int>(in.size());
  if (input_shape(model, op, 1) != Shape{rank, 2}) {
    fail(model, op,
         "paddings shape " + shape_string(input_shape(model, op, 1)) + ", expected " +
             shape_string({rank, 2}));
  }
  Shape expected = in;
  for (int d = 0; d < rank; ++d) {
    const int before = paddings[2 * d];
    const int after = paddings[2 * d + 1];
    if (before < 0 || after < 0)
      fail(model, op, "negative padding in dimension " + std::to_string(d));
    expected[d] += before + after;
  }
  expect_output_shape(model, op, expected);
}

void run_pad(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& out = output_shape(model, op);
  const std::vector<std::int64_t>& paddings = input_def(model, op, 1).ints;
  const int rank = static_cast<int>(in.size());
  float* output = outputs[0];
  std::fill(output, output + element_count(out), 0.0f);
  if (rank == 0) {
    output[0] = inputs[0][0];
    return;
  }
  // Copy the input row by row (its last dimension), each to its padded place.
  std::vector<std::int64_t> out_strides(rank, 1);
  for (int d = rank - 1; d > 0; --d) {
    out_strides[d - 1] = out_strides[d] * out[d];
  }
  std::int64_t origin = 0;  // output offset of input element 0
  for (int d = 0; d < rank; ++d) {
    origin += paddings[2 * d] * out_strides[d];
  }
  const int row = in.back();
  const std::int64_t rows = element_count(in) / row;
  std::vector<int> index(rank, 0);  // over all but the last dimension
  const float* input = inputs[0];
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t dst = origin;
    for (int d = 0; d + 1 < rank; ++d) {
      dst += index[d] * out_strides[d];
    }
    std::copy(input + r * row, input + (r + 1) * row, output + dst);
    for (int d = rank - 1; d-- > 0;) {
      if (++index[d] < in[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace signprep::nn::reference
