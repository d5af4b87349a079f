// What AVERAGE_POOL_2D and MAX_POOL_2D share: the window geometry over an
// NHWC tensor (TFLite's padding, reference/pooling.h) and its validation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "nn/ops/reference/common.h"

namespace signprep::nn::reference {

struct PoolGeometry {
  int batches, in_h, in_w, channels;
  int out_h, out_w;
  int pad_h, pad_w;
};

// One float NHWC input; window and stride positive; output [N, oh, ow, C]
// with oh, ow from the padding mode.
void validate_pool_2d(const ModelDef& model, const OpDef& op);

PoolGeometry pool_geometry(const ModelDef& model, const OpDef& op);

// Calls visit(out_offset, window) for each output cell, where window lists
// the input offsets (one per valid cell, channel 0) the cell covers; cells in
// the padding are left out, as TFLite clips the window to the input.
template <class Visit>
void for_each_pool_window(const OpDef& op, const PoolGeometry& g, Visit visit) {
  std::vector<std::int64_t> window;
  window.reserve(static_cast<std::size_t>(op.filter_h) * static_cast<std::size_t>(op.filter_w));
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      const int y0 = oy * op.stride_h - g.pad_h;
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x0 = ox * op.stride_w - g.pad_w;
        window.clear();
        for (int y = std::max(y0, 0); y < std::min(y0 + op.filter_h, g.in_h); ++y) {
          for (int x = std::max(x0, 0); x < std::min(x0 + op.filter_w, g.in_w); ++x) {
            window.push_back(((std::int64_t{b} * g.in_h + y) * g.in_w + x) * g.channels);
          }
        }
        visit(((std::int64_t{b} * g.out_h + oy) * g.out_w + ox) * g.channels, window);
      }
    }
  }
}

}  // namespace signprep::nn::reference
