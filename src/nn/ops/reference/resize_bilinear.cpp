// RESIZE_BILINEAR as TFLite's reference kernel (reference/resize_bilinear.h):
// scale = in / out, or (in - 1) / (out - 1) with align_corners (when out > 1);
// the source coordinate is out * scale, or (out + 0.5) * scale - 0.5 with
// half_pixel_centers; its neighbours are max(floor, 0) and min(ceil, in - 1),
// and the weights use the distance from the clamped lower neighbour, so a
// coordinate below 0 reads the edge row only.
#include <algorithm>
#include <cmath>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

struct Sample {
  float at;    // source coordinate
  int lo, hi;  // neighbouring rows or columns
};

Sample sample(int out, float scale, bool half_pixel_centers, int in_size) {
  Sample s{};
  s.at = half_pixel_centers ? (static_cast<float>(out) + 0.5f) * scale - 0.5f
                            : static_cast<float>(out) * scale;
  s.lo = std::max(static_cast<int>(std::floor(s.at)), 0);
  s.hi = std::min(static_cast<int>(std::ceil(s.at)), in_size - 1);
  return s;
}

float scale_for(int in, int out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

}  // namespace

void validate_resize_bilinear(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 2, 1);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const std::vector<int> size = constant_ints(model, op, 1, "size");
  if (size.size() != 2)
    fail(model, op, "size has " + std::to_string(size.size()) + " values, expected 2");
  if (size[0] <= 0 || size[1] <= 0)
    fail(model, op, "size " + shape_string(size) + " is not positive");
  if (op.align_corners && op.half_pixel_centers) {
    fail(model, op, "align_corners and half_pixel_centers are both set");
  }
  expect_output_shape(model, op, {in[0], size[0], size[1], in[3]});
}

void run_resize_bilinear(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& out = output_shape(model, op);
  const int in_h = in[1], in_w = in[2], depth = in[3];
  const float scale_y = scale_for(in_h, out[1], op.align_corners);
  const float scale_x = scale_for(in_w, out[2], op.align_corners);
  const float* input = inputs[0];
  float* output = outputs[0];
  auto at = [&](int b, int y, int x) {
    return input + ((std::int64_t{b} * in_h + y) * in_w + x) * depth;
  };
  for (int b = 0; b < out[0]; ++b) {
    for (int oy = 0; oy < out[1]; ++oy) {
      const Sample sy = sample(oy, scale_y, op.half_pixel_centers, in_h);
      const float dy = sy.at - static_cast<float>(sy.lo);
      for (int ox = 0; ox < out[2]; ++ox) {
        const Sample sx = sample(ox, scale_x, op.half_pixel_centers, in_w);
        const float dx = sx.at - static_cast<float>(sx.lo);
        const float* p00 = at(b, sy.lo, sx.lo);
        const float* p10 = at(b, sy.hi, sx.lo);
        const float* p01 = at(b, sy.lo, sx.hi);
        const float* p11 = at(b, sy.hi, sx.hi);
        float* dst = output + ((std::int64_t{b} * out[1] + oy) * out[2] + ox) * depth;
        for (int c = 0; c < depth; ++c) {
          // TFLite's term order and grouping: ((value * wy) * wx), summed left to right.
          dst[c] = p00[c] * (1 - dy) * (1 - dx) + p10[c] * dy * (1 - dx) + p01[c] * (1 - dy) * dx +
                   p11[c] * dy * dx;
        }
      }
    }
  }
}

}  // namespace signprep::nn::reference
