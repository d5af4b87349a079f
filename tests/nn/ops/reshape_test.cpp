#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Reshape, CopiesIntoTheOutputShape) {
  OpTester t(OpType::kReshape);
  t.input({1, 2, 2, 3}, pattern(12));
  t.ints({3}, {1, -1, 3});
  t.output({1, 4, 3});
  expect_near(t.run(), pattern(12));
}

TEST(Reshape, WithoutShapeInput) {
  OpTester t(OpType::kReshape);
  t.input({1, 1, 1, 10}, pattern(10, 2));
  t.output({1, 5, 2});
  expect_near(t.run(), pattern(10, 2));
}

TEST(Reshape, RejectsElementCountChange) {
  OpTester t(OpType::kReshape, "RESHAPE #5");
  t.input({1, 2, 3}, pattern(6));
  t.output({1, 7});
  EXPECT_INVALID(t, "cannot reshape [1,2,3] to [1,7]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
