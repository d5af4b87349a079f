// PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast against x the TFLite
// way (the models give [1,1,C] for an [N,H,W,C] input).
//
// This kernel runs the models' PReLUs: oneDNN 2.6's prelu primitive takes
// 0.9 ns per element on their 8 and 16 channels (5x this kernel), and its
// prelu post-op sends convolutions to a reference implementation.
#include <algorithm>
#include <cstring>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

using Float4 = float __attribute__((vector_size(16)));

// alpha holds one slope per channel of x's last axis, a multiple of four
// channels, and the output is x's shape: the models' form.
bool per_channel(const Shape& x, const Shape& alpha, const Shape& out) {
  return !x.empty() && out == x && !alpha.empty() && alpha.back() == x.back() &&
         x.back() % 4 == 0 &&
         std::all_of(alpha.begin(), alpha.end() - 1, [](int d) { return d == 1; });
}

// Each pixel's channels four at a time (GCC leaves the broadcasting loop
// scalar); the same comparison and product per element.
void prelu_per_channel(const float* x, const float* alpha, std::int64_t channels,
                       std::int64_t count, float* out) {
  for (std::int64_t pixel = 0; pixel < count; pixel += channels) {
    for (std::int64_t c = 0; c < channels; c += 4) {
      Float4 v, a;
      std::memcpy(&v, x + pixel + c, sizeof v);
      std::memcpy(&a, alpha + c, sizeof a);
      const Float4 result = v >= 0.0f ? v : v * a;
      std::memcpy(out + pixel + c, &result, sizeof result);
    }
  }
}

}  // namespace

void validate_prelu(const ModelDef& model, const OpDef& op) {
  expect_broadcast_binary(model, op, "input", "alpha");
}

void run_prelu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& x = input_shape(model, op, 0);
  const Shape& alpha = input_shape(model, op, 1);
  const Shape& out = output_shape(model, op);
  if (per_channel(x, alpha, out)) {
    prelu_per_channel(inputs[0], inputs[1], x.back(), element_count(x), outputs[0]);
    return;
  }
  broadcast_binary(x, inputs[0], alpha, inputs[1], out, outputs[0],
                   [](float v, float a) { return v >= 0.0f ? v : v * a; });
}

}  // namespace signprep::nn::reference
