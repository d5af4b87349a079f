// CONV_2D: NHWC input, OHWI filter [out, kh, kw, in], optional bias [out],
// stride, dilation, SAME/VALID padding and a fused activation, as TFLite's
// reference kernel (reference/conv.h): for each output cell the sum runs over
// filter rows, filter columns, then input channels, skipping taps that fall in
// the padding; the bias is added after the sum.
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_conv_2d(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 3, 1);
  expect_positive(model, op, "stride", op.stride_h, op.stride_w);
  expect_positive(model, op, "dilation", op.dilation_h, op.dilation_w);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const TensorDef& filter = expect_float_input(model, op, 1, "filter", 4);
  if (!filter.is_constant) fail(model, op, "filter is not constant");
  const int out_c = filter.shape[0], kh = filter.shape[1], kw = filter.shape[2];
  if (filter.shape[3] != in[3]) {
    // TFLite would run this as a grouped convolution; no MediaPipe model has one.
    fail(model, op,
         "filter " + shape_string(filter.shape) + " does not match the " + std::to_string(in[3]) +
             " input channels (grouped convolution is not "
             "supported)");
  }
  expect_conv_output(model, op, in, kh, kw, out_c);
}

void run_conv_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const auto [batches, in_h, in_w, in_c, kh, kw, out_h, out_w, out_c, pad_h, pad_w] =
      conv_geometry(model, op);
  const float* input = inputs[0];
  const float* weights = inputs[1];
  const float* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  float* output = outputs[0];

  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * op.stride_h - pad_h;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * op.stride_w - pad_w;
        for (int oc = 0; oc < out_c; ++oc) {
          float total = 0.0f;
          for (int fy = 0; fy < kh; ++fy) {
            const int iy = in_y0 + op.dilation_h * fy;
            if (iy < 0 || iy >= in_h) continue;
            for (int fx = 0; fx < kw; ++fx) {
              const int ix = in_x0 + op.dilation_w * fx;
              if (ix < 0 || ix >= in_w) continue;
              const float* pixel = input + ((std::int64_t{b} * in_h + iy) * in_w + ix) * in_c;
              const float* taps = weights + ((std::int64_t{oc} * kh + fy) * kw + fx) * in_c;
              for (int ic = 0; ic < in_c; ++ic) total += pixel[ic] * taps[ic];
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

}  // namespace signprep::nn::reference
