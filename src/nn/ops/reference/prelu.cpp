// PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast against x the TFLite
// way (the models give [1,1,C] for an [N,H,W,C] input).
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_prelu(const ModelDef& model, const OpDef& op) {
  expect_broadcast_binary(model, op, "input", "alpha");
}

void run_prelu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  broadcast_binary(input_shape(model, op, 0), inputs[0], input_shape(model, op, 1), inputs[1],
                   output_shape(model, op), outputs[0],
                   [](float x, float alpha) { return x >= 0.0f ? x : x * alpha; });
}

}  // namespace signprep::nn::reference
