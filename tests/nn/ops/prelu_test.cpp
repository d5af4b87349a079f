#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Prelu, AlphaPerChannelAsInTheModels) {
  // Input [1,2,2,3], alpha [1,1,3] (the models' layout).
  OpTester t(OpType::kPrelu);
  t.input({1, 2, 2, 3}, {-1, -2, -3, 1, 2, 3, -4, 0, 4, 0, -8, -0.5f});
  t.constant({1, 1, 3}, {0.5f, 0.25f, -1});
  t.output({1, 2, 2, 3});
  expect_near(t.run(), {-0.5f, -0.5f, 3, 1, 2, 3, -2, 0, 4, 0, -2, 0.5f});
}

TEST(Prelu, AlphaVectorAndScalar) {
  OpTester t(OpType::kPrelu);
  t.input({1, 1, 2, 2}, {-2, -2, 2, -4});
  t.input({2}, {0.5f, 0.1f});
  t.output({1, 1, 2, 2});
  expect_near(t.run(), {-1, -0.2f, 2, -0.4f});

  OpTester u(OpType::kPrelu);
  u.input({3}, {-2, 0, 2});
  u.input({1}, {0.25f});
  u.output({3});
  expect_near(u.run(), {-0.5f, 0, 2});
}

TEST(Prelu, RejectsAlphaThatDoesNotBroadcast) {
  OpTester t(OpType::kPrelu, "PRELU #9");
  t.input({1, 2, 2, 3}, pattern(12));
  t.input({1, 1, 2}, pattern(2));
  t.output({1, 2, 2, 3});
  EXPECT_INVALID(t, "shapes [1,2,2,3] and [1,1,2] do not broadcast");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
