// HARD_SWISH: out = x * relu6(x + 3) / 6, multiplied before dividing as in
// TFLite's reference kernel (reference/hard_swish.h).
#include <algorithm>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_hard_swish(const ModelDef& model, const OpDef& op) {
  expect_unary(model, op);
}

void run_hard_swish(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const std::int64_t count = element_count(output_shape(model, op));
  const float* in = inputs[0];
  float* out = outputs[0];
  for (std::int64_t i = 0; i < count; ++i) {
    const float x = in[i];
    out[i] = x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
  }
}

}  // namespace signprep::nn::reference
