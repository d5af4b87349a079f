// DEPTH_TO_SPACE: [N,H,W,C*b*b] -> [N,H*b,W*b,C] in TFLite's DCR order: output
// (y, x, c) reads input (y/b, x/b, ((y%b)*b + x%b)*C + c)
// (reference/depth_to_space.h).
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_depth_to_space(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 1, 1);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const int block = op.block_size;
  if (block <= 0) fail(model, op, "block_size " + std::to_string(block) + " is not positive");
  if (in[3] % (block * block) != 0) {
    fail(model, op,
         "input channels " + std::to_string(in[3]) + " are not a multiple of " +
             std::to_string(block * block));
  }
  expect_output_shape(model, op, {in[0], in[1] * block, in[2] * block, in[3] / (block * block)});
}

void run_depth_to_space(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& out = output_shape(model, op);
  const int block = op.block_size;
  const float* input = inputs[0];
  float* output = outputs[0];
  for (int b = 0; b < out[0]; ++b) {
    for (int y = 0; y < out[1]; ++y) {
      for (int x = 0; x < out[2]; ++x) {
        const std::int64_t in_base =
            ((std::int64_t{b} * in[1] + y / block) * in[2] + x / block) * in[3] +
            std::int64_t{(y % block) * block + x % block} * out[3];
        float* dst = output + ((std::int64_t{b} * out[1] + y) * out[2] + x) * out[3];
        for (int c = 0; c < out[3]; ++c) dst[c] = input[in_base + c];
      }
    }
  }
}

}  // namespace signprep::nn::reference
