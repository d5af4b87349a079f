#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

OpTester transpose_tester(Shape weights, Floats bias, Shape out, Padding padding) {
  OpTester t(OpType::kConvolution2DTransposeBias);
  t.input({1, 3, 4, 2}, pattern(3 * 4 * 2));
  const int count = weights[0] * weights[1] * weights[2] * weights[3];
  t.constant(weights, pattern(count, weights[1] == 2 ? 1 : 2));
  const int out_c = static_cast<int>(bias.size());
  t.constant({out_c}, std::move(bias));
  t.output(std::move(out));
  t.op.padding = padding;
  t.op.stride_h = t.op.stride_w = 2;
  return t;
}

TEST(Convolution2DTransposeBias, Kernel2Stride2SameAsInTheSelfieModels) {
  // SAME, k = stride: total padding max(0, k - (in-1) % stride - 1) is 0
  // for an even size (W = 4 -> 8, as the models' 128 -> 256) and 1 for an odd
  // one (H = 3 -> 5).
  OpTester t = transpose_tester({3, 2, 2, 2}, {0.5f, -1, 0.25f}, {1, 5, 8, 3}, Padding::kSame);
  expect_near(t.run(), kTransposeConv2x2Stride2Same);
}

TEST(Convolution2DTransposeBias, Kernel3Stride2SameOverlaps) {
  // Total padding 2 for H = 3 (one row cut at each side), 1 for W = 4.
  OpTester t = transpose_tester({2, 3, 3, 2}, {0.5f, -1}, {1, 5, 8, 2}, Padding::kSame);
  expect_near(t.run(), kTransposeConv3x3Stride2Same);
}

TEST(Convolution2DTransposeBias, Kernel3Stride2Valid) {
  OpTester t = transpose_tester({2, 3, 3, 2}, {0.5f, -1}, {1, 7, 9, 2}, Padding::kValid);
  expect_near(t.run(), kTransposeConv3x3Stride2Valid);
}

TEST(Convolution2DTransposeBias, OneInputPixelByHand) {
  // A single input value 2 scatters 2 * w (OHWI, 1 output channel) plus bias.
  OpTester t(OpType::kConvolution2DTransposeBias);
  t.input({1, 1, 1, 1}, {2});
  t.constant({1, 2, 2, 1}, {1, 2, 3, 4});
  t.constant({1}, {0.5f});
  t.output({1, 2, 2, 1});
  t.op.padding = Padding::kValid;
  t.op.stride_h = t.op.stride_w = 2;
  expect_near(t.run(), {2.5f, 4.5f, 6.5f, 8.5f});
}

TEST(Convolution2DTransposeBias, RejectsMismatches) {
  OpTester t = transpose_tester({3, 2, 2, 3}, {0, 0, 0}, {1, 5, 8, 3}, Padding::kSame);
  t.op.label = "Convolution2DTransposeBias #244";
  EXPECT_INVALID(t, "weights [3,2,2,3] do not match the 2 input channels");

  OpTester b = transpose_tester({3, 2, 2, 2}, {0, 0}, {1, 5, 8, 3}, Padding::kSame);
  EXPECT_INVALID(b, "bias shape [2], expected [3]");

  OpTester o = transpose_tester({3, 2, 2, 2}, {0, 0, 0}, {1, 6, 6, 3}, Padding::kSame);
  EXPECT_INVALID(o, "does not match the computed [1,5,8,3]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
