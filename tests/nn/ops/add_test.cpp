#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Add, SameShape) {
  OpTester t(OpType::kAdd);
  t.input({1, 2, 3, 1}, {1, 2, 3, 4, 5, 6});
  t.input({1, 2, 3, 1}, {0.5f, -2, 0, 1, -10, 2});
  t.output({1, 2, 3, 1});
  expect_near(t.run(), {1.5f, 0, 3, 5, -5, 8});
}

TEST(Add, EachFusedActivation) {
  const Floats a = {-4, -1.5f, -0.25f, 0.5f, 3, 9};
  const Floats b(6, 0.0f);
  auto run_with = [&](Activation act) {
    OpTester t(OpType::kAdd);
    t.input({6}, a);
    t.input({6}, b);
    t.output({6});
    t.op.activation = act;
    return t.run();
  };
  expect_near(run_with(Activation::kNone), a);
  expect_near(run_with(Activation::kRelu), {0, 0, 0, 0.5f, 3, 9});
  expect_near(run_with(Activation::kReluN1To1), {-1, -1, -0.25f, 0.5f, 1, 1});
  expect_near(run_with(Activation::kRelu6), {0, 0, 0, 0.5f, 3, 6});
  Floats tanh_a;
  for (float v : a) tanh_a.push_back(std::tanh(v));
  expect_near(run_with(Activation::kTanh), tanh_a);
}

TEST(Add, BroadcastsPerChannel) {
  // [1,2,2,3] + [1,1,1,3]: the bias-like pattern of the selfie models.
  OpTester t(OpType::kAdd);
  t.input({1, 2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  t.input({1, 1, 1, 3}, {100, 200, 300});
  t.output({1, 2, 2, 3});
  expect_near(t.run(), {100, 201, 302, 103, 204, 305, 106, 207, 308, 109, 210, 311});
}

TEST(Add, BroadcastsBothWaysAndAcrossRanks) {
  // [2,1] + [3] -> [2,3]; and the first operand broadcast: [3] + [2,3].
  OpTester t(OpType::kAdd);
  t.input({2, 1}, {10, 20});
  t.input({3}, {1, 2, 3});
  t.output({2, 3});
  expect_near(t.run(), {11, 12, 13, 21, 22, 23});

  OpTester u(OpType::kAdd);
  u.input({3}, {1, 2, 3});
  u.input({2, 3}, {10, 20, 30, 40, 50, 60});
  u.output({2, 3});
  expect_near(u.run(), {11, 22, 33, 41, 52, 63});
}

TEST(Add, RejectsShapesThatDoNotBroadcast) {
  OpTester t(OpType::kAdd, "ADD #4");
  t.input({1, 2, 3}, pattern(6));
  t.input({1, 2, 2}, pattern(4));
  t.output({1, 2, 3});
  EXPECT_INVALID(t, "shapes [1,2,3] and [1,2,2] do not broadcast");
}

TEST(Add, RejectsOutputOfWrongShape) {
  OpTester t(OpType::kAdd);
  t.input({1, 2, 3}, pattern(6));
  t.input({3}, pattern(3));
  t.output({2, 3});
  EXPECT_INVALID(t, "output shape [2,3] does not match the computed [1,2,3]");
}

TEST(Add, RejectsWrongArity) {
  OpTester t(OpType::kAdd);
  t.input({3}, pattern(3));
  t.output({3});
  EXPECT_INVALID(t, "has 1 inputs, expected 2");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
