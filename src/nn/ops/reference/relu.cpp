// RELU: out = x < 0 ? 0 : x (TFLite's form, which keeps NaN and -0).
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_relu(const ModelDef& model, const OpDef& op) {
  expect_unary(model, op);
}

void run_relu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const std::int64_t count = element_count(output_shape(model, op));
  const float* in = inputs[0];
  float* out = outputs[0];
  for (std::int64_t i = 0; i < count; ++i) out[i] = in[i] < 0.0f ? 0.0f : in[i];
}

}  // namespace signprep::nn::reference
