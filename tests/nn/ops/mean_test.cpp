#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

// [1,2,3,2]: value = 10*h + w + 100*c
const Floats kInput = {0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112};

TEST(Mean, SpatialAxesKeepDims) {
  OpTester t(OpType::kMean);
  t.input({1, 2, 3, 2}, kInput);
  t.ints({2}, {1, 2});
  t.output({1, 1, 1, 2});
  t.op.keep_dims = true;
  expect_near(t.run(), {6, 106});
}

TEST(Mean, SpatialAxesDropped) {
  // hand_landmark_full: [1,7,7,1152] -> [1,1152].
  OpTester t(OpType::kMean);
  t.input({1, 2, 3, 2}, kInput);
  t.ints({2}, {2, 1});
  t.output({1, 2});
  expect_near(t.run(), {6, 106});
}

TEST(Mean, NegativeAndRepeatedAxes) {
  OpTester t(OpType::kMean);
  t.input({1, 2, 3, 2}, kInput);
  t.ints({3}, {-1, 3, -2});
  t.output({1, 2});
  // mean over w and c of row h: (0+1+2)/3 + 50 = 51 and 61.
  expect_near(t.run(), {51, 61});
}

TEST(Mean, AllAxesToScalar) {
  OpTester t(OpType::kMean);
  t.input({2, 2}, {1, 2, 3, 6});
  t.ints({2}, {0, 1});
  t.output({});
  expect_near(t.run(), {3});
}

TEST(Mean, RejectsAxisOutOfRangeAndWrongOutput) {
  OpTester t(OpType::kMean, "MEAN #2");
  t.input({1, 2, 3, 2}, kInput);
  t.ints({1}, {4});
  t.output({1, 2, 3});
  EXPECT_INVALID(t, "axis 4 is out of range for rank 4");

  OpTester u(OpType::kMean);
  u.input({1, 2, 3, 2}, kInput);
  u.ints({2}, {1, 2});
  u.output({1, 2});
  u.op.keep_dims = true;
  EXPECT_INVALID(u, "does not match the computed [1,1,1,2]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
