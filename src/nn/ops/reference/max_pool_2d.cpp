// MAX_POOL_2D: the maximum over the window cells inside the input (padding
// never wins), then the fused activation (reference/pooling.h).
#include <algorithm>
#include <limits>

#include "nn/ops/reference/kernels.h"
#include "nn/ops/reference/pool_2d.h"

namespace signprep::nn::reference {

void validate_max_pool_2d(const ModelDef& model, const OpDef& op) {
  validate_pool_2d(model, op);
}

void run_max_pool_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const PoolGeometry g = pool_geometry(model, op);
  const float* input = inputs[0];
  float* output = outputs[0];
  for_each_pool_window(op, g, [&](std::int64_t out, const std::vector<std::int64_t>& window) {
    for (int c = 0; c < g.channels; ++c) {
      float max = std::numeric_limits<float>::lowest();
      for (std::int64_t cell : window) max = std::max(max, input[cell + c]);
      output[out + c] = activate(op.activation, max);
    }
  });
}

}  // namespace signprep::nn::reference
