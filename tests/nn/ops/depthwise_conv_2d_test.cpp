#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(DepthwiseConv2d, Multiplier2SameStride2) {
  OpTester t(OpType::kDepthwiseConv2d);
  t.input({1, 5, 6, 3}, pattern(5 * 6 * 3));
  t.constant({1, 3, 3, 6}, pattern(3 * 3 * 6, 4));
  t.constant({6}, pattern(6, 6));
  t.output({1, 3, 3, 6});
  t.op.padding = Padding::kSame;
  t.op.stride_h = t.op.stride_w = 2;
  t.op.depth_multiplier = 2;
  expect_near(t.run(), kDepthwiseMult2SameStride2);
}

TEST(DepthwiseConv2d, Kernel5x5ValidWithoutBias) {
  OpTester t(OpType::kDepthwiseConv2d);
  t.input({1, 7, 6, 3}, pattern(7 * 6 * 3));
  t.constant({1, 5, 5, 3}, pattern(5 * 5 * 3, 7));
  t.output({1, 3, 2, 3});
  t.op.padding = Padding::kValid;
  expect_near(t.run(), kDepthwise5x5Valid);
}

TEST(DepthwiseConv2d, ThirteenChannelsSameWithRelu6) {
  OpTester t(OpType::kDepthwiseConv2d);
  t.input({1, 4, 5, 13}, pattern(4 * 5 * 13, 8));
  t.constant({1, 3, 3, 13}, pattern(3 * 3 * 13, 9));
  t.constant({13}, pattern(13, 10));
  t.output({1, 4, 5, 13});
  t.op.activation = Activation::kRelu6;
  expect_near(t.run(), kDepthwiseChannels13Relu6);
}

TEST(DepthwiseConv2d, DilationSkipsRows) {
  // One channel, 3x1 filter [1,1,1] with dilation 2 over a 5x1 column, VALID:
  // out[y] = x[y] + x[y+2] + x[y+4].
  OpTester t(OpType::kDepthwiseConv2d);
  t.input({1, 5, 1, 1}, {1, 2, 4, 8, 16});
  t.constant({1, 3, 1, 1}, {1, 1, 1});
  t.output({1, 1, 1, 1});
  t.op.padding = Padding::kValid;
  t.op.dilation_h = 2;
  expect_near(t.run(), {21});
}

TEST(DepthwiseConv2d, RejectsMultiplierMismatch) {
  OpTester t(OpType::kDepthwiseConv2d, "DEPTHWISE_CONV_2D #7");
  t.input({1, 5, 6, 3}, pattern(5 * 6 * 3));
  t.constant({1, 3, 3, 6}, pattern(3 * 3 * 6));
  t.output({1, 5, 6, 6});
  t.op.depth_multiplier = 3;
  EXPECT_INVALID(t, "depth_multiplier 3 does not match filter [1,3,3,6]");
}

TEST(DepthwiseConv2d, RejectsFilterNotOneHWC) {
  OpTester t(OpType::kDepthwiseConv2d);
  t.input({1, 5, 6, 3}, pattern(5 * 6 * 3));
  t.constant({2, 3, 3, 3}, pattern(2 * 3 * 3 * 3));
  t.output({1, 5, 6, 3});
  EXPECT_INVALID(t, "expected [1,kh,kw,C*m]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
