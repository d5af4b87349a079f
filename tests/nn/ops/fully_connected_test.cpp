#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

// weights [3,4]: rows (1,0,0,0), (1,1,1,1), (0.5,-1,0,2)
const Floats kWeights = {1, 0, 0, 0, 1, 1, 1, 1, 0.5f, -1, 0, 2};

TEST(FullyConnected, RowsTimesWeightsPlusBias) {
  OpTester t(OpType::kFullyConnected);
  t.input({2, 4}, {1, 2, 3, 4, -1, 0, 1, -2});
  t.constant({3, 4}, kWeights);
  t.constant({3}, {0.5f, 0, -1});
  t.output({2, 3});
  // row 0: 1+0.5, 10, 0.5-2+8-1; row 1: -1+0.5, -2, -0.5-4-1
  expect_near(t.run(), {1.5f, 10, 5.5f, -0.5f, -2, -5.5f});
}

TEST(FullyConnected, FlattensHigherRankInputWithoutBias) {
  // The hand model feeds [1,1152] rows; here [1,1,2,4] is two rows of 4.
  OpTester t(OpType::kFullyConnected);
  t.input({1, 1, 2, 4}, {1, 2, 3, 4, -1, 0, 1, -2});
  t.constant({3, 4}, kWeights);
  t.output({2, 3});
  expect_near(t.run(), {1, 10, 6.5f, -1, -2, -4.5f});
}

TEST(FullyConnected, KeepNumDimsAndActivation) {
  OpTester t(OpType::kFullyConnected);
  t.input({1, 2, 4}, {1, 2, 3, 4, -1, 0, 1, -2});
  t.constant({3, 4}, kWeights);
  t.absent_input();
  t.output({1, 2, 3});
  t.op.keep_dims = true;
  t.op.activation = Activation::kRelu6;
  expect_near(t.run(), {1, 6, 6, 0, 0, 0});
}

TEST(FullyConnected, RejectsShapes) {
  OpTester t(OpType::kFullyConnected, "FULLY_CONNECTED #2");
  t.input({1, 5}, pattern(5));
  t.constant({3, 4}, kWeights);
  t.output({1, 3});
  EXPECT_INVALID(t, "is not a whole number of rows of 4");

  OpTester u(OpType::kFullyConnected);
  u.input({2, 4}, pattern(8));
  u.constant({3, 4}, kWeights);
  u.output({1, 3});
  EXPECT_INVALID(u, "output shape [1,3] does not match the computed [2,3]");

  OpTester k(OpType::kFullyConnected);
  k.input({4, 2}, pattern(8));
  k.constant({3, 4}, kWeights);
  k.output({4, 3});
  k.op.keep_dims = true;
  EXPECT_INVALID(k, "keep_num_dims needs the input's last dimension to be 4");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
