// CONCATENATION: inputs of one rank, equal except along `axis` (negative
// counts from the end), joined along it; then the fused activation. (TFLite
// itself refuses a fused activation here; applying it is the only meaning it
// could have.)
#include <algorithm>
#include <cstring>
#include <limits>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

int normalized_axis(const OpDef& op, int rank) {
  return op.axis < 0 ? op.axis + rank : op.axis;
}

}  // namespace

void validate_concatenation(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, std::numeric_limits<int>::max(), 1);
  const Shape& first = expect_float_input(model, op, 0, "input 0").shape;
  const int rank = static_cast<int>(first.size());
  const int axis = normalized_axis(op, rank);
  if (axis < 0 || axis >= rank) {
    fail(model, op,
         "axis " + std::to_string(op.axis) + " is out of range for rank " + std::to_string(rank));
  }
  Shape expected = first;
  for (int i = 1; i < static_cast<int>(op.inputs.size()); ++i) {
    const std::string what = "input " + std::to_string(i);
    const Shape& shape = expect_float_input(model, op, i, what.c_str(), rank).shape;
    for (int d = 0; d < rank; ++d) {
      if (d != axis && shape[d] != first[d]) {
        fail(model, op,
             what + " shape " + shape_string(shape) + " does not match input 0 " +
                 shape_string(first) + " outside axis " + std::to_string(axis));
      }
    }
    expected[axis] += shape[axis];
  }
  expect_output_shape(model, op, expected);
}

void run_concatenation(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& out = output_shape(model, op);
  const int axis = normalized_axis(op, static_cast<int>(out.size()));
  // Each input contributes `outer` contiguous blocks of axis_size * inner.
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= out[d];
  for (int d = axis + 1; d < static_cast<int>(out.size()); ++d) inner *= out[d];
  const std::int64_t out_block = out[axis] * inner;
  std::int64_t offset = 0;  // where this input's block starts inside an output block
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::int64_t block = input_shape(model, op, static_cast<int>(i))[axis] * inner;
    for (std::int64_t o = 0; o < outer; ++o) {
      std::memcpy(outputs[0] + o * out_block + offset, inputs[i] + o * block,
                  static_cast<std::size_t>(block) * sizeof(float));
    }
    offset += block;
  }
  if (op.activation != Activation::kNone) {
    float* data = outputs[0];
    const std::int64_t count = element_count(out);
    for (std::int64_t k = 0; k < count; ++k) data[k] = activate(op.activation, data[k]);
  }
}

}  // namespace signprep::nn::reference
