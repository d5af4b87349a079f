// RESHAPE: a copy; the shape is the output tensor's (the optional shape input,
// with its -1, was resolved by the converter into that static shape).
#include <cstring>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_reshape(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 2, 1);
  const Shape& in = expect_float_input(model, op, 0, "input").shape;
  const Shape& out = output_shape(model, op);
  if (element_count(in) != element_count(out)) {
    fail(model, op, "cannot reshape " + shape_string(in) + " to " + shape_string(out));
  }
}

void run_reshape(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const std::int64_t count = element_count(output_shape(model, op));
  if (inputs[0] != outputs[0]) {
    std::memmove(outputs[0], inputs[0], static_cast<std::size_t>(count) * sizeof(float));
  }
}

}  // namespace signprep::nn::reference
