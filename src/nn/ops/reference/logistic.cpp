// LOGISTIC: out = 1 / (1 + exp(-x)), with the cut-offs of TFLite's reference
// kernel (reference/logistic.h): 1 above 16.619047 (where the float result is
// 1 anyway) and exp(x) below -9 (where 1 + exp(-x) loses exp(x)'s precision).
#include <cmath>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

float logistic(float x) {
  constexpr float kCutoffUpper = 16.619047164916992188f;
  constexpr float kCutoffLower = -9.0f;
  if (x > kCutoffUpper) return 1.0f;
  if (x < kCutoffLower) return std::exp(x);
  return 1.0f / (1.0f + std::exp(-x));
}

}  // namespace

void validate_logistic(const ModelDef& model, const OpDef& op) {
  expect_unary(model, op);
}

void run_logistic(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const std::int64_t count = element_count(output_shape(model, op));
  const float* in = inputs[0];
  float* out = outputs[0];
  for (std::int64_t i = 0; i < count; ++i) out[i] = logistic(in[i]);
}

}  // namespace signprep::nn::reference
