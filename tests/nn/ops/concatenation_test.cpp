#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Concatenation, ThreeInputsAlongAxis1) {
  // The detectors join [1,n,k] anchor tensors along axis 1.
  OpTester t(OpType::kConcatenation);
  t.input({1, 2, 2}, {1, 2, 3, 4});
  t.input({1, 1, 2}, {5, 6});
  t.input({1, 3, 2}, {7, 8, 9, 10, 11, 12});
  t.output({1, 6, 2});
  t.op.axis = 1;
  expect_near(t.run(), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
}

TEST(Concatenation, NegativeAxisIsTheLast) {
  OpTester t(OpType::kConcatenation);
  t.input({2, 2}, {1, 2, 3, 4});
  t.input({2, 1}, {5, 6});
  t.output({2, 3});
  t.op.axis = -1;
  expect_near(t.run(), {1, 2, 5, 3, 4, 6});
}

TEST(Concatenation, AxisZeroAndActivation) {
  OpTester t(OpType::kConcatenation);
  t.input({1, 3}, {-1, 0.5f, 8});
  t.input({1, 3}, {2, -3, 6.5f});
  t.output({2, 3});
  t.op.axis = 0;
  t.op.activation = Activation::kRelu6;
  expect_near(t.run(), {0, 0.5f, 6, 2, 0, 6});
}

TEST(Concatenation, RejectsMismatchAndBadAxis) {
  OpTester t(OpType::kConcatenation, "CONCATENATION #8");
  t.input({1, 2, 2}, pattern(4));
  t.input({1, 2, 3}, pattern(6));
  t.output({1, 4, 2});
  t.op.axis = 1;
  EXPECT_INVALID(t, "input 1 shape [1,2,3] does not match input 0 [1,2,2] outside axis 1");

  OpTester u(OpType::kConcatenation);
  u.input({2, 2}, pattern(4));
  u.output({2, 2});
  u.op.axis = -3;
  EXPECT_INVALID(u, "axis -3 is out of range for rank 2");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
