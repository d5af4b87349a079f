// MediaPipe's TransformTensorBilinear, version 2 (mediapipe/util/tflite/
// operations/transform_tensor_bilinear.cc, namespace v2): crops an NHWC
// feature map through a Landmarks2TransformMatrix output.
//
// Inputs: data [1, H, W, C], matrix [1, 4, 4] row-major. Output [1, oh, ow, C]
// (FlexBuffers options output_height / output_width, which must agree).
// Version 2 shifts to pixel centres: m3 += m0*0.5 + m1*0.5 - 0.5 (likewise
// m7), computed in double and stored back to float. For output (x, y):
//   sx = m0*x + m1*y + m2*0 + m3,  sy = m4*x + m5*y + m6*0 + m7   (float)
// a point with sx < 0, sx > W-1, sy < 0 or sy > H-1 gives 0 in every channel;
// otherwise bilinear between floor and floor+1 (a neighbour past the edge
// reads 0 with weight 0), with MediaPipe's mix of double and float
// arithmetic reproduced. Version 1 (option output_size) is refused.
#include <cmath>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_transform_tensor_bilinear(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 2, 1);
  if (has_option(op, "output_size") || has_option(op, "mode")) {
    fail(model, op,
         "custom options are those of version 1 (output_size/mode), which is not "
         "supported");
  }
  const Shape& in = expect_float_input(model, op, 0, "data", 4).shape;
  if (in[0] != 1) fail(model, op, "data batch " + std::to_string(in[0]) + " is not 1");
  const TensorDef& matrix = expect_float_input(model, op, 1, "matrix");
  if (matrix.element_count() != 16) {
    fail(model, op, "matrix shape " + shape_string(matrix.shape) + ", expected [1,4,4]");
  }
  const Shape& out = output_shape(model, op);
  if (out.size() != 4) fail(model, op, "output shape " + shape_string(out) + " is not 4-d");
  const int out_h = has_option(op, "output_height")
                        ? static_cast<int>(option_int(model, op, "output_height"))
                        : out[1];
  const int out_w = has_option(op, "output_width")
                        ? static_cast<int>(option_int(model, op, "output_width"))
                        : out[2];
  expect_output_shape(model, op, {1, out_h, out_w, in[3]});
}

void run_transform_tensor_bilinear(const ModelDef& model, const OpDef& op, Inputs inputs,
                                   Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& out = output_shape(model, op);
  const int in_h = in[1], in_w = in[2], channels = in[3];
  const float* m = inputs[1];
  float row_x[4] = {m[0], m[1], m[2], m[3]};
  float row_y[4] = {m[4], m[5], m[6], m[7]};
  row_x[3] += row_x[0] * 0.5 + row_x[1] * 0.5 - 0.5;
  row_y[3] += row_y[0] * 0.5 + row_y[1] * 0.5 - 0.5;

  const float* data = inputs[0];
  float* output = outputs[0];
  auto read = [&](int y, int x, int c) -> float {
    if (y < 0 || x < 0 || y >= in_h || x >= in_w) return 0.0f;
    return data[(std::int64_t{y} * in_w + x) * channels + c];
  };
  for (int oy = 0; oy < out[1]; ++oy) {
    for (int ox = 0; ox < out[2]; ++ox) {
      const auto fx = static_cast<float>(ox), fy = static_cast<float>(oy);
      const float sx = row_x[0] * fx + row_x[1] * fy + row_x[2] * 0.0f + row_x[3] * 1.0f;
      const float sy = row_y[0] * fx + row_y[1] * fy + row_y[2] * 0.0f + row_y[3] * 1.0f;
      float* dst = output + (std::int64_t{oy} * out[2] + ox) * channels;
      const bool outside = sx < 0.0f || sx > static_cast<float>(in_w - 1) || sy < 0.0f ||
                           sy > static_cast<float>(in_h - 1);
      if (outside) {
        for (int c = 0; c < channels; ++c) dst[c] = 0.0f;
        continue;
      }
      const float floor_x = std::floor(sx), floor_y = std::floor(sy);
      const int x0 = static_cast<int>(floor_x), y0 = static_cast<int>(floor_y);
      const float right = sx - floor_x;
      const float down = sy - floor_y;
      for (int c = 0; c < channels; ++c) {
        // (1.0 - w) is double; w * q is float, widened for the sum.
        const auto upper =
            static_cast<float>((1.0 - right) * read(y0, x0, c) + right * read(y0, x0 + 1, c));
        const auto lower = static_cast<float>((1.0 - right) * read(y0 + 1, x0, c) +
                                              right * read(y0 + 1, x0 + 1, c));
        dst[c] = static_cast<float>(down * lower + (1.0 - down) * upper);
      }
    }
  }
}

}  // namespace signprep::nn::reference
