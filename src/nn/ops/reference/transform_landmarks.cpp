// MediaPipe's TransformLandmarks, version 2 (mediapipe/util/tflite/operations/
// transform_landmarks.cc, namespace v2): maps crop-space landmarks back to the
// input with a Landmarks2TransformMatrix output.
//
// Inputs: landmarks [1, N, D] with D = 2 or 3 (version 2 takes D from the
// output's last dimension and has no options), matrix [1, 4, 4] row-major.
// Output: same shape as the landmarks;
//   x' = m0*x + m1*y + m2*0 + m3*1,  y' = m4*x + m5*y + m6*0 + m7*1
// summed left to right in float, z copied unchanged. Version 1 (rank-4
// landmarks with a `scale` option) is refused.
#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {

void validate_transform_landmarks(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 2, 2, 1);
  const TensorDef& landmarks = expect_float_input(model, op, 0, "landmarks");
  if (landmarks.shape.size() != 3) {
    fail(model, op,
         "landmarks shape " + shape_string(landmarks.shape) +
             " is not [1,N,D] (version 1, with rank-4 landmarks, is not supported)");
  }
  if (landmarks.shape[0] != 1 || (landmarks.shape[2] != 2 && landmarks.shape[2] != 3)) {
    fail(model, op,
         "landmarks shape " + shape_string(landmarks.shape) + ", expected [1,N,2] or [1,N,3]");
  }
  const TensorDef& matrix = expect_float_input(model, op, 1, "matrix");
  if (matrix.element_count() != 16) {
    fail(model, op, "matrix shape " + shape_string(matrix.shape) + ", expected [1,4,4]");
  }
  expect_output_shape(model, op, landmarks.shape);
}

void run_transform_landmarks(const ModelDef& model, const OpDef& op, Inputs inputs,
                             Outputs outputs) {
  const Shape& shape = output_shape(model, op);
  const int count = shape[1], dims = shape[2];
  const float* m = inputs[1];
  const float* in = inputs[0];
  float* out = outputs[0];
  for (int i = 0; i < count; ++i) {
    const float x = in[i * dims], y = in[i * dims + 1];
    // The (x, y, 0, 1) dot products of MediaPipe's DotProduct, term by term.
    const float tx = m[0] * x + m[1] * y + m[2] * 0.0f + m[3] * 1.0f;
    const float ty = m[4] * x + m[5] * y + m[6] * 0.0f + m[7] * 1.0f;
    out[i * dims] = tx;
    out[i * dims + 1] = ty;
    if (dims == 3) out[i * dims + 2] = in[i * dims + 2];
  }
}

}  // namespace signprep::nn::reference
