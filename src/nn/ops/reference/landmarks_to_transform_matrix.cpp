// MediaPipe's Landmarks2TransformMatrix, version 2 (mediapipe/util/tflite/
// operations/landmarks_to_transform_matrix.cc, namespace v2), used by
// face_landmark_with_attention to crop the eye and lip regions.
//
// Input: landmarks [1, N, 3] (x, y, z). Output: [1, 4, 4], a row-major matrix
// mapping crop pixel (x, y, 0, 1) to input coordinates. FlexBuffers options:
//   subset_idxs          landmark indices whose bounding box is the crop
//   left_rotation_idx,   landmarks that set the rotation
//   right_rotation_idx
//   target_rotation_radians  (absent in the models: 0, as FlexBuffers reads a
//                             missing key)
//   output_height, output_width, scale_x, scale_y
//
//   rotation = target - atan2(right.y - left.y, right.x - left.x)
//   rotate the subset's (x, y, 1) by R(rotation); crop size = extent of the
//   rotated box; crop centre = R(-rotation) * (box centre, 1)
//   M = I * T(cx, cy) * R(-rotation) * S(scale_x * width / out_w,
//       scale_y * height / out_h) * T(-out_w / 2, -out_h / 2)
// All in float, with 3x3 / 4x4 products summed k = 0.. in order, as MediaPipe
// does, so that the result matches its kernel to the last bit where libm
// agrees. Version 1 (options input_hw/output_hw/subset) is refused.
#include <array>
#include <cmath>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

using Vec3 = std::array<float, 3>;
using Mat3 = std::array<float, 9>;   // row-major
using Mat4 = std::array<float, 16>;  // row-major

Vec3 multiply(const Mat3& m, const Vec3& v) {
  Vec3 r{};
  for (int row = 0; row < 3; ++row) {
    float sum = 0.0f;
    for (int k = 0; k < 3; ++k) sum += m[row * 3 + k] * v[k];
    r[row] = sum;
  }
  return r;
}

Mat4 multiply(const Mat4& a, const Mat4& b) {
  Mat4 r{};
  for (int row = 0; row < 4; ++row) {
    for (int col = 0; col < 4; ++col) {
      float sum = 0.0f;
      for (int k = 0; k < 4; ++k) sum += a[row * 4 + k] * b[k * 4 + col];
      r[row * 4 + col] = sum;
    }
  }
  return r;
}

Mat3 rotation3(float r) {
  return {std::cos(r), -std::sin(r), 0.0f, std::sin(r), std::cos(r), 0.0f, 0.0f, 0.0f, 1.0f};
}

struct Params {
  std::vector<int> subset;  // flattened subset_idxs
  int left = 0, right = 0;
  float target_rotation = 0.0f;
  int out_h = 0, out_w = 0;
  float scale_x = 0.0f, scale_y = 0.0f;
};

Params read_params(const ModelDef& model, const OpDef& op) {
  if (!has_option(op, "subset_idxs")) {
    fail(model, op, "custom options lack 'subset_idxs' (only version 2 is supported)");
  }
  Params p;
  for (std::int64_t index : option_ints(model, op, "subset_idxs")) {
    p.subset.push_back(static_cast<int>(index));
  }
  p.left = static_cast<int>(option_int(model, op, "left_rotation_idx"));
  p.right = static_cast<int>(option_int(model, op, "right_rotation_idx"));
  if (has_option(op, "target_rotation_radians")) {
    p.target_rotation = static_cast<float>(option_float(model, op, "target_rotation_radians"));
  }
  p.out_h = static_cast<int>(option_int(model, op, "output_height"));
  p.out_w = static_cast<int>(option_int(model, op, "output_width"));
  p.scale_x = static_cast<float>(option_float(model, op, "scale_x"));
  p.scale_y = static_cast<float>(option_float(model, op, "scale_y"));
  return p;
}

}  // namespace

void validate_landmarks_to_transform_matrix(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 1, 1);
  const Shape& in = expect_float_input(model, op, 0, "landmarks", 3).shape;
  if (in[0] != 1 || in[2] != 3) {
    fail(model, op, "landmarks shape " + shape_string(in) + ", expected [1,N,3]");
  }
  const Params p = read_params(model, op);
  const int count = in[1];
  auto check_index = [&](int index, const std::string& what) {
    if (index < 0 || index >= count) {
      fail(model, op,
           what + " " + std::to_string(index) + " is outside the " + std::to_string(count) +
               " landmarks");
    }
  };
  if (p.subset.empty()) fail(model, op, "subset_idxs is empty");
  for (int index : p.subset) check_index(index, "subset index");
  check_index(p.left, "left_rotation_idx");
  check_index(p.right, "right_rotation_idx");
  if (p.out_h <= 0 || p.out_w <= 0) {
    fail(model, op,
         "output size " + std::to_string(p.out_h) + "x" + std::to_string(p.out_w) +
             " is not positive");
  }
  if (!(p.scale_x > 0.0f) || !(p.scale_y > 0.0f)) fail(model, op, "scale_x/scale_y not positive");
  expect_output_shape(model, op, {1, 4, 4});
}

void run_landmarks_to_transform_matrix(const ModelDef& model, const OpDef& op, Inputs inputs,
                                       Outputs outputs) {
  const Params p = read_params(model, op);
  const float* landmarks = inputs[0];
  auto x_of = [&](int i) { return landmarks[i * 3]; };
  auto y_of = [&](int i) { return landmarks[i * 3 + 1]; };

  const float rotation =
      p.target_rotation - std::atan2(y_of(p.right) - y_of(p.left), x_of(p.right) - x_of(p.left));

  // Bounding box of the subset in the rotated frame.
  const Mat3 rotate = rotation3(rotation);
  Vec3 lo{}, hi{};
  for (std::size_t k = 0; k < p.subset.size(); ++k) {
    const Vec3 v = multiply(rotate, {x_of(p.subset[k]), y_of(p.subset[k]), 1.0f});
    if (k == 0) {
      lo = hi = v;
      continue;
    }
    if (hi[0] < v[0]) hi[0] = v[0];
    if (hi[1] < v[1]) hi[1] = v[1];
    if (lo[0] > v[0]) lo[0] = v[0];
    if (lo[1] > v[1]) lo[1] = v[1];
  }
  const float crop_w = hi[0] - lo[0];
  const float crop_h = hi[1] - lo[1];
  Vec3 centre = lo;  // its third component is the 1 of the rotated (x, y, 1)
  centre[0] = (centre[0] + hi[0]) / 2;
  centre[1] = (centre[1] + hi[1]) / 2;
  centre = multiply(rotation3(-rotation), centre);

  const float r = -rotation;
  const float scale_x = p.scale_x * crop_w / static_cast<float>(p.out_w);
  const float scale_y = p.scale_y * crop_h / static_cast<float>(p.out_h);
  const auto shift_x = static_cast<float>(-1.0 * (p.out_w / 2.0));
  const auto shift_y = static_cast<float>(-1.0 * (p.out_h / 2.0));
  // clang-format off
  Mat4 m = {1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 0,  0, 0, 0, 1};
  m = multiply(m, {1, 0, 0, centre[0],  0, 1, 0, centre[1],  0, 0, 1, 0,  0, 0, 0, 1});
  m = multiply(m, {std::cos(r), -std::sin(r), 0, 0,  std::sin(r), std::cos(r), 0, 0,
                   0, 0, 1, 0,  0, 0, 0, 1});
  m = multiply(m, {scale_x, 0, 0, 0,  0, scale_y, 0, 0,  0, 0, 1, 0,  0, 0, 0, 1});
  m = multiply(m, {1, 0, 0, shift_x,  0, 1, 0, shift_y,  0, 0, 1, 0,  0, 0, 0, 1});
  // clang-format on
  std::copy(m.begin(), m.end(), outputs[0]);
}

}  // namespace signprep::nn::reference
