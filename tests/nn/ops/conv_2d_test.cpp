#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

// Input [1,5,7,3] (odd H and W), filter [2,3,3,3] OHWI, bias [2], as in
// gen_expected.py.
OpTester conv_tester(Shape out, bool with_bias = true) {
  OpTester t(OpType::kConv2d, "CONV_2D #12");
  t.input({1, 5, 7, 3}, pattern(5 * 7 * 3));
  t.constant({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3, 1));
  if (with_bias) t.constant({2}, {0.5f, -0.25f});
  t.output(std::move(out));
  return t;
}

TEST(Conv2d, SameStride1) {
  OpTester t = conv_tester({1, 5, 7, 2});
  t.op.padding = Padding::kSame;
  expect_near(t.run(), kConvSameStride1);
}

TEST(Conv2d, SameStride2PadsAfterWhenOdd) {
  OpTester t = conv_tester({1, 3, 4, 2});
  t.op.padding = Padding::kSame;
  t.op.stride_h = t.op.stride_w = 2;
  expect_near(t.run(), kConvSameStride2);
}

TEST(Conv2d, ValidStride2) {
  OpTester t = conv_tester({1, 2, 3, 2});
  t.op.padding = Padding::kValid;
  t.op.stride_h = t.op.stride_w = 2;
  expect_near(t.run(), kConvValidStride2);
}

TEST(Conv2d, SameDilation2x1WithRelu6) {
  OpTester t = conv_tester({1, 5, 7, 2});
  t.op.padding = Padding::kSame;
  t.op.dilation_h = 2;
  t.op.activation = Activation::kRelu6;
  expect_near(t.run(), kConvSameDilation2x1Relu6);
}

TEST(Conv2d, ValidUnequalStridesWithoutBias) {
  OpTester t = conv_tester({1, 1, 5, 2}, /*with_bias=*/false);
  t.op.padding = Padding::kValid;
  t.op.stride_h = 3;
  expect_near(t.run(), kConvValidStride3x1NoBias);
}

TEST(Conv2d, AbsentBiasIndex) {
  OpTester t(OpType::kConv2d);
  t.input({1, 5, 7, 3}, pattern(5 * 7 * 3));
  t.constant({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3, 1));
  t.absent_input();
  t.output({1, 1, 5, 2});
  t.op.padding = Padding::kValid;
  t.op.stride_h = 3;
  expect_near(t.run(), kConvValidStride3x1NoBias);
}

TEST(Conv2d, PointwiseThirteenChannelsWithRelu) {
  OpTester t(OpType::kConv2d);
  t.input({1, 3, 3, 13}, pattern(3 * 3 * 13, 2));
  t.constant({4, 1, 1, 13}, pattern(4 * 13, 3));
  t.constant({4}, pattern(4, 5));
  t.output({1, 3, 3, 4});
  t.op.padding = Padding::kValid;
  t.op.activation = Activation::kRelu;
  expect_near(t.run(), kConv1x1Channels13Relu);
}

TEST(Conv2d, FusedActivationsClampTheSum) {
  // 1x1 conv of one channel with weight 1 and bias 0: out = act(x).
  const Floats x = {-3.0f, -0.5f, 0.25f, 2.0f, 7.0f};
  auto run_with = [&](Activation act) {
    OpTester t(OpType::kConv2d);
    t.input({1, 1, 5, 1}, x);
    t.constant({1, 1, 1, 1}, {1.0f});
    t.constant({1}, {0.0f});
    t.output({1, 1, 5, 1});
    t.op.activation = act;
    return t.run();
  };
  expect_near(run_with(Activation::kNone), x);
  expect_near(run_with(Activation::kRelu), {0.0f, 0.0f, 0.25f, 2.0f, 7.0f});
  expect_near(run_with(Activation::kReluN1To1), {-1.0f, -0.5f, 0.25f, 1.0f, 1.0f});
  expect_near(run_with(Activation::kRelu6), {0.0f, 0.0f, 0.25f, 2.0f, 6.0f});
  expect_near(run_with(Activation::kTanh), {std::tanh(-3.0f), std::tanh(-0.5f), std::tanh(0.25f),
                                            std::tanh(2.0f), std::tanh(7.0f)});
}

TEST(Conv2d, RejectsChannelMismatch) {
  OpTester t(OpType::kConv2d, "CONV_2D #3");
  t.input({1, 5, 7, 3}, pattern(5 * 7 * 3));
  t.constant({2, 3, 3, 4}, pattern(2 * 3 * 3 * 4));
  t.constant({2}, {0.0f, 0.0f});
  t.output({1, 5, 7, 2});
  EXPECT_INVALID(t, "grouped convolution is not supported");
}

TEST(Conv2d, RejectsNonConstantFilter) {
  OpTester t(OpType::kConv2d);
  t.input({1, 5, 7, 3}, pattern(5 * 7 * 3));
  t.input({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3));
  t.output({1, 5, 7, 2});
  EXPECT_INVALID(t, "filter is not constant");
}

TEST(Conv2d, RejectsWrongBiasShape) {
  OpTester t(OpType::kConv2d);
  t.input({1, 5, 7, 3}, pattern(5 * 7 * 3));
  t.constant({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3));
  t.constant({3}, {0.0f, 0.0f, 0.0f});
  t.output({1, 5, 7, 2});
  EXPECT_INVALID(t, "bias shape [3], expected [2]");
}

TEST(Conv2d, RejectsWrongOutputShape) {
  OpTester t = conv_tester({1, 5, 7, 2});
  t.op.stride_w = 2;
  EXPECT_INVALID(t, "output shape [1,5,7,2] does not match the computed [1,5,4,2]");
}

TEST(Conv2d, RejectsBadStrideAndRank) {
  OpTester t = conv_tester({1, 5, 7, 2});
  t.op.stride_h = 0;
  EXPECT_INVALID(t, "stride 0x1 is not positive");
  OpTester r(OpType::kConv2d);
  r.input({5, 7, 3}, pattern(5 * 7 * 3));
  r.constant({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3));
  r.output({1, 5, 7, 2});
  EXPECT_INVALID(r, "input has rank 3");
}

TEST(Conv2d, RejectsConstantWithMissingValues) {
  OpTester t = conv_tester({1, 5, 7, 2});
  t.model.tensors[1].values.pop_back();
  EXPECT_INVALID(t, "filter is constant but holds 53 values");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
