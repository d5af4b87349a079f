#include <cmath>

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

// One slope per channel against the definition, element by element, with
// the signs mixed and the edge values 0, -0 and NaN among the inputs.
TEST(Prelu, PerChannelEqualsTheDefinition) {
  for (int channels : {4, 8, 16, 12}) {
    const int count = 3 * 5 * channels;
    Floats x = pattern(count, channels);
    for (int i = 0; i < count; i += 2) x[static_cast<std::size_t>(i)] *= -1;
    x[0] = 0.0f;
    x[1] = -0.0f;
    x[2] = std::nanf("");
    const Floats alpha = pattern(channels, 7);
    OpTester t(OpType::kPrelu);
    t.input({1, 3, 5, channels}, x);
    t.constant({1, 1, channels}, alpha);
    t.output({1, 3, 5, channels});
    const Floats out = t.run();
    for (int i = 0; i < count; ++i) {
      const float v = x[static_cast<std::size_t>(i)];
      const float expected = v >= 0 ? v : v * alpha[static_cast<std::size_t>(i % channels)];
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(out[static_cast<std::size_t>(i)])) << i;
      } else {
        EXPECT_EQ(out[static_cast<std::size_t>(i)], expected)
            << "channels " << channels << " at " << i;
      }
    }
  }
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
