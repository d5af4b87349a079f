// AVERAGE_POOL_2D: the mean over the window cells that lie inside the input
// (TFLite divides by the count of valid cells, not by the window size), then
// the fused activation (reference/pooling.h). With count_include_pad, the
// divisor is the whole window, as PyTorch's avg_pool2d.
#include "nn/ops/reference/kernels.h"
#include "nn/ops/reference/pool_2d.h"

namespace signprep::nn::reference {

void validate_average_pool_2d(const ModelDef& model, const OpDef& op) {
  validate_pool_2d(model, op);
}

void run_average_pool_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const PoolGeometry g = pool_geometry(model, op);
  const float* input = inputs[0];
  float* output = outputs[0];
  for_each_pool_window(op, g, [&](std::int64_t out, const std::vector<std::int64_t>& window) {
    const float count = static_cast<float>(op.count_include_pad ? op.filter_h * op.filter_w
                                                                : static_cast<int>(window.size()));
    for (int c = 0; c < g.channels; ++c) {
      float total = 0.0f;
      for (std::int64_t cell : window) total += input[cell + c];
      output[out + c] = activate(op.activation, total / count);
    }
  });
}

}  // namespace signprep::nn::reference
