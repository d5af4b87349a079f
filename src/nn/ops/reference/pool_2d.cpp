#include "nn/ops/reference/pool_2d.h"

namespace signprep::nn::reference {

void validate_pool_2d(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 1, 1);
  expect_positive(model, op, "stride", op.stride_h, op.stride_w);
  expect_positive(model, op, "window", op.filter_h, op.filter_w);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const int out_h = conv_out_size(op.padding, in[1], op.filter_h, op.stride_h, 1);
  const int out_w = conv_out_size(op.padding, in[2], op.filter_w, op.stride_w, 1);
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
  g.pad_h = conv_pad_before(g.in_h, op.filter_h, op.stride_h, 1, g.out_h);
  g.pad_w = conv_pad_before(g.in_w, op.filter_w, op.stride_w, 1, g.out_w);
  return g;
}

}  // namespace signprep::nn::reference
