#include "nn/ops/reference/pool_2d.h"

namespace signprep::nn::reference {

void validate_pool_2d(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 1, 1);
  expect_positive(model, op, "stride", op.stride_h, op.stride_w);
  expect_positive(model, op, "window", op.filter_h, op.filter_w);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const int out_h = window_output_size(op.padding, in[1], op.filter_h, op.stride_h);
  const int out_w = window_output_size(op.padding, in[2], op.filter_w, op.stride_w);
  if (out_h <= 0 || out_w <= 0) fail(model, op, "the window is larger than the input");
  expect_output_shape(model, op, {in[0], out_h, out_w, in[3]});
}

PoolGeometry pool_geometry(const ModelDef& model, const OpDef& op) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& out = output_shape(model, op);
  PoolGeometry g{};
  g.batches = in[0];
  g.in_h = in[1];
  g.in_w = in[2];
  g.channels = in[3];
  g.out_h = out[1];
  g.out_w = out[2];
  g.pad_h = axis_padding(op.padding, g.in_h, g.out_h, op.filter_h, op.stride_h).before;
  g.pad_w = axis_padding(op.padding, g.in_w, g.out_w, op.filter_w, op.stride_w).before;
  return g;
}

}  // namespace signprep::nn::reference
