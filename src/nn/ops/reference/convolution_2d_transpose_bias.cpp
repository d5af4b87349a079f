// MediaPipe's Convolution2DTransposeBias (mediapipe/util/tflite/operations/
// transpose_conv_bias.cc): TFLite's TRANSPOSE_CONV with a bias and without the
// output-shape input. Inputs: NHWC data [N,H,W,I], weights OHWI [O,kh,kw,I],
// bias [O]. Options: its custom_options are not FlexBuffers but a raw
// TfLiteTransposeConvParams {padding, stride_width, stride_height}, which the
// reader puts in OpDef::padding / stride_w / stride_h.
//
//   total_pad = SAME ? max(0, k - (in - 1) % stride - 1) : 0   (per axis)
//   out       = stride * (in - 1) + k - total_pad
//   pad       = total_pad / 2
// The output starts at the bias and each input cell scatters
// in * weights[o, fy, fx, i] into output (y*stride - pad + fy,
// x*stride - pad + fx), skipping positions outside the output.
#include <algorithm>

#include "nn/ops/reference/kernels.h"
#include "nn/padding.h"

namespace signprep::nn::reference {
namespace {

int transposed_out_size(Padding padding, int in, int filter, int stride) {
  return stride * (in - 1) + filter - transposed_total_padding(padding, in, filter, stride);
}

}  // namespace

void validate_convolution_2d_transpose_bias(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 3, 3, 1);
  expect_positive(model, op, "stride", op.stride_h, op.stride_w);
  const Shape& in = expect_float_input(model, op, 0, "input", 4).shape;
  const TensorDef& weights = expect_float_input(model, op, 1, "weights", 4);
  if (!weights.is_constant) fail(model, op, "weights are not constant");
  if (weights.shape[3] != in[3]) {
    fail(model, op,
         "weights " + shape_string(weights.shape) + " do not match the " + std::to_string(in[3]) +
             " input channels (expected OHWI)");
  }
  const int out_c = weights.shape[0], kh = weights.shape[1], kw = weights.shape[2];
  expect_constant_floats(model, op, 2, "bias", {out_c});
  expect_output_shape(model, op,
                      {in[0], transposed_out_size(op.padding, in[1], kh, op.stride_h),
                       transposed_out_size(op.padding, in[2], kw, op.stride_w), out_c});
}

void run_convolution_2d_transpose_bias(const ModelDef& model, const OpDef& op, Inputs inputs,
                                       Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& w = input_shape(model, op, 1);
  const Shape& out = output_shape(model, op);
  const int in_h = in[1], in_w = in[2], in_c = in[3];
  const int out_h = out[1], out_w = out[2], out_c = out[3];
  const int kh = w[1], kw = w[2];
  const int pad_h = transposed_total_padding(op.padding, in_h, kh, op.stride_h) / 2;
  const int pad_w = transposed_total_padding(op.padding, in_w, kw, op.stride_w) / 2;
  const float* input = inputs[0];
  const float* weights = inputs[1];
  const float* bias = inputs[2];
  float* output = outputs[0];

  for (int b = 0; b < in[0]; ++b) {
    float* image = output + std::int64_t{b} * out_h * out_w * out_c;
    for (std::int64_t cell = 0; cell < std::int64_t{out_h} * out_w; ++cell) {
      std::copy(bias, bias + out_c, image + cell * out_c);
    }
    // MediaPipe's loop order (input y, x, channel, filter y, x, output
    // channel), which fixes the order in which overlapping taps add up.
    for (int iy = 0; iy < in_h; ++iy) {
      for (int ix = 0; ix < in_w; ++ix) {
        const float* pixel = input + ((std::int64_t{b} * in_h + iy) * in_w + ix) * in_c;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int fy = 0; fy < kh; ++fy) {
            const int oy = iy * op.stride_h - pad_h + fy;
            if (oy < 0 || oy >= out_h) continue;
            for (int fx = 0; fx < kw; ++fx) {
              const int ox = ix * op.stride_w - pad_w + fx;
              if (ox < 0 || ox >= out_w) continue;
              float* dst = image + (std::int64_t{oy} * out_w + ox) * out_c;
              for (int oc = 0; oc < out_c; ++oc) {
                dst[oc] +=
                    pixel[ic] * weights[((std::int64_t{oc} * kh + fy) * kw + fx) * in_c + ic];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace signprep::nn::reference
