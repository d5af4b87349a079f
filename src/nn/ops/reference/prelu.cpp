// PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast against x the TFLite
// way (the models give [1,1,C] for an [N,H,W,C] input). The models' PReLUs
// run on the oneDNN layer's own loop (onednn_kernels.cpp), which keeps bf16
// activations in bf16; this kernel is their reference and takes the rest.
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_prelu(const ModelDef& model, const OpDef& op) {
  expect_broadcast_binary(model, op, "input", "alpha");
}

void run_prelu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  broadcast_binary(input_shape(model, op, 0), inputs[0], input_shape(model, op, 1), inputs[1],
                   output_shape(model, op), outputs[0],
                   [](float v, float a) { return v >= 0.0f ? v : v * a; });
}

}  // namespace signprep::nn::reference
