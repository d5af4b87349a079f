#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(Pad, SpatialAndChannelPaddingInEveryDimension) {
  // [1,2,2,1] padded by H (1,0), W (0,2), C (0,1):
  OpTester t(OpType::kPad);
  t.input({1, 2, 2, 1}, {1, 2, 3, 4});
  t.ints({4, 2}, {0, 0, 1, 0, 0, 2, 0, 1});
  t.output({1, 3, 4, 2});
  expect_near(t.run(), {0, 0, 0, 0, 0, 0, 0, 0,    // padded row
                        1, 0, 2, 0, 0, 0, 0, 0,    // row 0
                        3, 0, 4, 0, 0, 0, 0, 0});  // row 1
}

TEST(Pad, ChannelPaddingAsInTheDetectors) {
  // face_detection pads [1,h,w,c] channels at the end.
  OpTester t(OpType::kPad);
  t.input({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  t.ints({4, 2}, {0, 0, 0, 0, 0, 0, 0, 2});
  t.output({1, 1, 2, 5});
  expect_near(t.run(), {1, 2, 3, 0, 0, 4, 5, 6, 0, 0});
}

TEST(Pad, RankTwoBothSides) {
  OpTester t(OpType::kPad);
  t.input({1, 3}, {1, 2, 3});
  t.ints({2, 2}, {1, 1, 2, 0});
  t.output({3, 5});
  expect_near(t.run(), {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0});
}

TEST(Pad, RejectsNegativeOrMalformedPaddings) {
  OpTester t(OpType::kPad, "PAD #0");
  t.input({1, 3}, pattern(3));
  t.ints({2, 2}, {0, 0, -1, 0});
  t.output({1, 2});
  EXPECT_INVALID(t, "negative padding in dimension 1");

  OpTester u(OpType::kPad);
  u.input({1, 3}, pattern(3));
  u.ints({4}, {0, 0, 1, 1});
  u.output({1, 5});
  EXPECT_INVALID(u, "paddings shape [4], expected [2,2]");

  OpTester v(OpType::kPad);
  v.input({1, 3}, pattern(3));
  v.input({2, 2}, {0, 0, 1, 1});
  v.output({1, 5});
  EXPECT_INVALID(v, "paddings is not an integer tensor");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
