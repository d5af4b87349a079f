// MediaPipe's version-2 custom ops of face_landmark_with_attention:
// Landmarks2TransformMatrix, TransformLandmarks, TransformTensorBilinear.
#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

// Six landmarks (x, y, z), as in gen_expected.py.
const Floats kLandmarks = {10, 20, 1, 30, 25, 2, 12, 40, 0.5f, 33, 44, -1, 20, 30, 0, 5, 5, 3};

OpTester matrix_tester(FlexMap options) {
  OpTester t(OpType::kLandmarks2TransformMatrix, "Landmarks2TransformMatrix #192");
  t.input({1, 6, 3}, kLandmarks);
  t.output({1, 4, 4});
  t.op.custom_options = std::move(options);
  return t;
}

FlexMap matrix_options() {
  return {{"subset_idxs", std::vector<std::int64_t>{0, 1, 2, 3, 4}},
          {"left_rotation_idx", std::int64_t{0}},
          {"right_rotation_idx", std::int64_t{1}},
          {"output_height", std::int64_t{16}},
          {"output_width", std::int64_t{24}},
          {"scale_x", 1.5},
          {"scale_y", 2.0}};
}

TEST(Landmarks2TransformMatrix, MatchesTheMatrixAlgebra) {
  expect_near(matrix_tester(matrix_options()).run(), kLandmarksToMatrix, 2e-6f);
}

TEST(Landmarks2TransformMatrix, OddSubsetAndTargetRotation) {
  FlexMap options = matrix_options();
  options["subset_idxs"] = std::vector<std::int64_t>{0, 3, 2};
  options["left_rotation_idx"] = std::int64_t{2};
  options["right_rotation_idx"] = std::int64_t{3};
  options["target_rotation_radians"] = 0.5;
  options["output_height"] = std::int64_t{8};
  options["output_width"] = std::int64_t{8};
  options["scale_x"] = std::int64_t{1};  // an int where a float is expected
  options["scale_y"] = 1.0;
  expect_near(matrix_tester(options).run(), kLandmarksToMatrixTarget, 2e-6f);
}

TEST(Landmarks2TransformMatrix, RejectsBadOptions) {
  FlexMap v1 = {{"subset", std::vector<std::int64_t>{0, 1}}};
  EXPECT_INVALID(matrix_tester(v1), "lack 'subset_idxs' (only version 2 is supported)");

  FlexMap missing = matrix_options();
  missing.erase("scale_y");
  EXPECT_INVALID(matrix_tester(missing), "custom option 'scale_y' is missing");

  FlexMap outside = matrix_options();
  outside["subset_idxs"] = std::vector<std::int64_t>{0, 6};
  EXPECT_INVALID(matrix_tester(outside), "subset index 6 is outside the 6 landmarks");

  FlexMap typed = matrix_options();
  typed["output_width"] = std::string("24");
  EXPECT_INVALID(matrix_tester(typed), "'output_width' is a string, expected an integer");

  FlexMap zero = matrix_options();
  zero["output_height"] = std::int64_t{0};
  EXPECT_INVALID(matrix_tester(zero), "output size 0x24 is not positive");
}

// Row-major [1,4,4]: x' = 2x + 0.5y + 3, y' = -x + y - 1.
const Floats kMatrix = {2, 0.5f, 7, 3, -1, 1, 9, -1, 0, 0, 1, 0, 0, 0, 0, 1};

TEST(TransformLandmarks, TwoDimensional) {
  OpTester t(OpType::kTransformLandmarks);
  t.input({1, 3, 2}, {0, 0, 1, 2, -2, 4});
  t.input({1, 4, 4}, kMatrix);
  t.output({1, 3, 2});
  expect_near(t.run(), {3, -1, 6, 0, 1, 5});
}

TEST(TransformLandmarks, ThreeDimensionalKeepsZ) {
  OpTester t(OpType::kTransformLandmarks);
  t.input({1, 2, 3}, {1, 2, 5, -2, 4, -7});
  t.input({1, 4, 4}, kMatrix);
  t.output({1, 2, 3});
  expect_near(t.run(), {6, 0, 5, 1, 5, -7});
}

TEST(TransformLandmarks, RejectsVersion1AndBadShapes) {
  OpTester t(OpType::kTransformLandmarks, "TransformLandmarks #200");
  t.input({1, 1, 3, 2}, pattern(6));
  t.input({1, 4, 4}, kMatrix);
  t.output({1, 1, 3, 2});
  EXPECT_INVALID(t, "version 1, with rank-4 landmarks, is not supported");

  OpTester d(OpType::kTransformLandmarks);
  d.input({1, 3, 4}, pattern(12));
  d.input({1, 4, 4}, kMatrix);
  d.output({1, 3, 4});
  EXPECT_INVALID(d, "expected [1,N,2] or [1,N,3]");

  OpTester m(OpType::kTransformLandmarks);
  m.input({1, 3, 2}, pattern(6));
  m.input({1, 3, 3}, pattern(9));
  m.output({1, 3, 2});
  EXPECT_INVALID(m, "matrix shape [1,3,3], expected [1,4,4]");
}

OpTester tensor_tester(const Floats& matrix, int out_h, int out_w) {
  OpTester t(OpType::kTransformTensorBilinear, "TransformTensorBilinear #201");
  t.input({1, 6, 7, 2}, pattern(6 * 7 * 2, 5));
  t.input({1, 4, 4}, matrix);
  t.output({1, out_h, out_w, 2});
  t.op.custom_options = {{"output_height", std::int64_t{out_h}},
                         {"output_width", std::int64_t{out_w}}};
  return t;
}

TEST(TransformTensorBilinear, RotatedScaledCrop) {
  expect_near(tensor_tester(kTransformTensorMatrix, 5, 4).run(), kTransformTensor);
}

TEST(TransformTensorBilinear, ZoomWithOutOfBoundsZeros) {
  const Floats out = tensor_tester(kTransformTensorZoomMatrix, 6, 7).run();
  expect_near(out, kTransformTensorZoom);
  EXPECT_EQ(out[0], 0.0f);  // x = 0 maps to -0.875: outside
}

TEST(TransformTensorBilinear, IdentityMatrixCopies) {
  // The pixel-centre shift cancels for a unit scale: output = input.
  const Floats identity = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  expect_near(tensor_tester(identity, 6, 7).run(), pattern(6 * 7 * 2, 5));
}

TEST(TransformTensorBilinear, RejectsVersion1AndSizeMismatch) {
  OpTester t = tensor_tester(kTransformTensorMatrix, 5, 4);
  t.op.custom_options = {{"output_size", std::vector<std::int64_t>{5, 4}}};
  EXPECT_INVALID(t, "version 1 (output_size/mode), which is not supported");

  OpTester u = tensor_tester(kTransformTensorMatrix, 5, 4);
  u.op.custom_options["output_height"] = std::int64_t{6};
  EXPECT_INVALID(u, "output shape [1,5,4,2] does not match the computed [1,6,4,2]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
