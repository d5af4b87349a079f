// MEAN over constant axes (negative allowed, repeats ignored), keeping the
// reduced dimensions as 1 when keep_dims. As TFLite's reference reduction:
// float sums accumulated in input order, then divided by the number of
// elements reduced into each output.
#include <algorithm>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

// reduced[d] is true for each axis the mean runs over.
std::vector<bool> reduced_axes(const ModelDef& model, const OpDef& op, int rank) {
  std::vector<bool> reduced(rank, false);
  for (int axis : constant_ints(model, op, 1, "axes")) {
    if (axis < -rank || axis >= rank) {
      fail(model, op,
           "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    }
    reduced[axis < 0 ? axis + rank : axis] = true;
  }
  return reduced;
}

}  // namespace

void validate_mean(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 2, 1);
  const Shape& in = expect_float_input(model, op, 0, "input").shape;
  const std::vector<bool> reduced = reduced_axes(model, op, static_cast<int>(in.size()));
  Shape expected;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d]) {
      expected.push_back(in[d]);
    } else if (op.keep_dims) {
      expected.push_back(1);
    }
  }
  expect_output_shape(model, op, expected);
}

void run_mean(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const int rank = static_cast<int>(in.size());
  const std::vector<bool> reduced = reduced_axes(model, op, rank);
  // The output offset of each input element: the input index with reduced
  // axes dropped, in the kept axes' row-major order.
  Shape kept(in);
  std::int64_t reduced_count = 1;
  for (int d = 0; d < rank; ++d) {
    if (reduced[d]) {
      kept[d] = 1;
      reduced_count *= in[d];
    }
  }
  const std::vector<std::int64_t> out_strides = broadcast_strides(kept, in);
  const std::int64_t out_count = element_count(kept);
  float* output = outputs[0];
  std::fill(output, output + out_count, 0.0f);

  const float* input = inputs[0];
  const std::int64_t count = element_count(in);
  std::vector<int> index(rank, 0);
  std::int64_t out = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    output[out] += input[i];
    for (int d = rank; d-- > 0;) {
      out += out_strides[d];
      if (++index[d] < in[d]) break;
      out -= out_strides[d] * in[d];
      index[d] = 0;
    }
  }
  const float divisor = static_cast<float>(reduced_count);
  for (std::int64_t k = 0; k < out_count; ++k) output[k] /= divisor;
}

}  // namespace signprep::nn::reference
