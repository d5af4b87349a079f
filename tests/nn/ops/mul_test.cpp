#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Mul, PerChannelScaleOfThirteenChannels) {
  // [1,3,5,13] * [1,1,1,13], as the squeeze-excitation blocks do.
  const Floats x = pattern(3 * 5 * 13);
  const Floats s = pattern(13, 4);
  OpTester t(OpType::kMul);
  t.input({1, 3, 5, 13}, x);
  t.input({1, 1, 1, 13}, s);
  t.output({1, 3, 5, 13});
  Floats expected(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) expected[i] = x[i] * s[i % 13];
  expect_near(t.run(), expected);
}

TEST(Mul, ScalarOperand) {
  // face_landmark_with_attention scales [1,468,3] landmarks by a [1] constant.
  OpTester t(OpType::kMul);
  t.input({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  t.constant({1}, {0.5f});
  t.output({1, 2, 3});
  expect_near(t.run(), {0.5f, 1, 1.5f, 2, 2.5f, 3});
}

TEST(Mul, FiveDimensionalBroadcast) {
  // [2,1,3] * [2,1] -> [2,2,3]: out[i,j,k] = a[i,0,k] * b[j,0].
  OpTester t(OpType::kMul);
  t.input({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  t.input({2, 1}, {10, -1});
  t.output({2, 2, 3});
  expect_near(t.run(), {10, 20, 30, -1, -2, -3, 40, 50, 60, -4, -5, -6});

  OpTester u(OpType::kMul);
  u.input({2, 1, 1, 1, 2}, {1, 2, 3, 4});
  u.input({3, 1, 1}, {1, 10, 100});
  u.output({2, 1, 3, 1, 2});
  expect_near(u.run(), {1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400});
}

TEST(Mul, FusedReluN1To1) {
  OpTester t(OpType::kMul);
  t.input({4}, {-3, -0.5f, 0.5f, 3});
  t.input({4}, {1, 1, 1, 1});
  t.output({4});
  t.op.activation = Activation::kReluN1To1;
  expect_near(t.run(), {-1, -0.5f, 0.5f, 1});
}

TEST(Mul, RejectsShapesThatDoNotBroadcast) {
  OpTester t(OpType::kMul);
  t.input({4, 4}, pattern(16));
  t.input({1, 3}, pattern(3));
  t.output({4, 4});
  EXPECT_INVALID(t, "do not broadcast");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
