// DEPTHWISE_CONV_2D: NHWC input [N,H,W,C], filter [1, kh, kw, C*m], optional
// bias [C*m]; output channel oc = ic*m + k reads input channel ic only, as
// TFLite's reference kernel (reference/depthwiseconv_float.h). The multiplier
// m comes from the filter's channel count; the option must agree when set.
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_depthwise_conv_2d(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 3, 1);
  expect_positive(model, op, "stride", op.stride_h, op.stride_w);
  expect_positive(model, op, "dilation", op.dilation_h, op.dilation_w);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const TensorDef& filter = expect_float_input(model, op, 1, "filter", 4);
  if (!filter.is_constant) fail(model, op, "filter is not constant");
  const int out_c = filter.shape[3];
  if (filter.shape[0] != 1 || out_c % in[3] != 0) {
    fail(model, op,
         "filter " + shape_string(filter.shape) + " does not fit " + std::to_string(in[3]) +
             " input channels (expected [1,kh,kw,C*m])");
  }
  if (op.depth_multiplier != 0 && op.depth_multiplier * in[3] != out_c) {
    fail(model, op,
         "depth_multiplier " + std::to_string(op.depth_multiplier) + " does not match filter " +
             shape_string(filter.shape) + " for " + std::to_string(in[3]) + " input channels");
  }
  expect_conv_output(model, op, in, filter.shape[1], filter.shape[2], out_c);
}

void run_depthwise_conv_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const auto [batches, in_h, in_w, in_c, kh, kw, out_h, out_w, out_c, pad_h, pad_w] =
      conv_geometry(model, op);
  const int multiplier = out_c / in_c;
  const float* input = inputs[0];
  const float* weights = inputs[1];
  const float* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  float* output = outputs[0];

  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * op.stride_h - pad_h;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * op.stride_w - pad_w;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < multiplier; ++m) {
            const int oc = ic * multiplier + m;
            float total = 0.0f;
            for (int fy = 0; fy < kh; ++fy) {
              const int iy = in_y0 + op.dilation_h * fy;
              if (iy < 0 || iy >= in_h) continue;
              for (int fx = 0; fx < kw; ++fx) {
                const int ix = in_x0 + op.dilation_w * fx;
                if (ix < 0 || ix >= in_w) continue;
                total += input[((std::int64_t{b} * in_h + iy) * in_w + ix) * in_c + ic] *
                         weights[(std::int64_t{fy} * kw + fx) * out_c + oc];
              }
            }
            const float bias_value = bias != nullptr ? bias[oc] : 0.0f;
            output[((std::int64_t{b} * out_h + oy) * out_w + ox) * out_c + oc] =
                activate(op.activation, total + bias_value);
          }
        }
      }
    }
  }
}

}  // namespace signprep::nn::reference
