// MUL: out = act(a * b), with TFLite broadcasting (shapes aligned on the last
// dimension, size-1 dimensions repeated).
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_mul(const ModelDef& model, const OpDef& op) {
  expect_broadcast_binary(model, op, "first operand", "second operand");
}

void run_mul(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Activation act = op.activation;
  broadcast_binary(input_shape(model, op, 0), inputs[0], input_shape(model, op, 1), inputs[1],
                   output_shape(model, op), outputs[0],
                   [act](float a, float b) { return activate(act, a * b); });
}

}  // namespace signprep::nn::reference
