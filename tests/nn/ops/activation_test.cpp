// RELU, LOGISTIC and HARD_SWISH: element-wise, any shape.
#include <cmath>
#include <limits>

#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

Floats run_unary(OpType type, Shape shape, const Floats& x) {
  OpTester t(type);
  t.input(shape, x);
  t.output(shape);
  return t.run();
}

TEST(Relu, ClampsNegatives) {
  expect_near(run_unary(OpType::kRelu, {1, 1, 2, 3}, {-2, -0.0f, 0, 0.5f, 7, -1e-7f}),
              {0, 0, 0, 0.5f, 7, 0});
}

TEST(Logistic, MatchesFormulaAndCutoffs) {
  const Floats x = {0, 1, -1, 5, -8.5f, -9.5f, 16, 17, -30};
  const Floats out = run_unary(OpType::kLogistic, {3, 3}, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double expected = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    // Absolute: below -9 TFLite's exp(x) is off by a relative exp(x) ~ 1e-4.
    EXPECT_NEAR(out[i], expected, 1e-7 + 2e-7 * expected) << x[i];
  }
  EXPECT_EQ(out[7], 1.0f);             // above the upper cut-off
  EXPECT_EQ(out[5], std::exp(-9.5f));  // below the lower cut-off: exp(x)
  EXPECT_EQ(out[0], 0.5f);
}

TEST(HardSwish, PiecewiseValues) {
  // x * relu6(x + 3) / 6
  expect_near(run_unary(OpType::kHardSwish, {7}, {-4, -3, -1.5f, 0, 1.5f, 3, 4}),
              {0, 0, -0.375f, 0, 1.125f, 3, 4});
}

TEST(Relu, RejectsOutputShapeChange) {
  OpTester t(OpType::kRelu, "RELU #1");
  t.input({2, 3}, pattern(6));
  t.output({3, 2});
  EXPECT_INVALID(t, "output shape [3,2] does not match the computed [2,3]");
}

TEST(Logistic, RejectsIntegerInput) {
  OpTester t(OpType::kLogistic);
  t.ints({2}, {1, 2});
  t.output({2});
  EXPECT_INVALID(t, "input is not a float tensor");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
