#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(DepthToSpace, DcrOrder) {
  // [1,1,2,8] block 2 -> [1,2,4,2]: input channel ((y%2)*2 + x%2)*2 + c.
  Floats in(16);
  for (int i = 0; i < 16; ++i) in[static_cast<std::size_t>(i)] = static_cast<float>(i);
  OpTester t(OpType::kDepthToSpace);
  t.input({1, 1, 2, 8}, in);
  t.output({1, 2, 4, 2});
  t.op.block_size = 2;
  // Pixel (0,0) channels 0..7 = 0..7; pixel (0,1) = 8..15.
  expect_near(t.run(), {0, 1, 2, 3, 8, 9, 10, 11,  //
                        4, 5, 6, 7, 12, 13, 14, 15});
}

TEST(DepthToSpace, BlockThreeOneChannel) {
  Floats in(9);
  for (int i = 0; i < 9; ++i) in[static_cast<std::size_t>(i)] = static_cast<float>(i);
  OpTester t(OpType::kDepthToSpace);
  t.input({1, 1, 1, 9}, in);
  t.output({1, 3, 3, 1});
  t.op.block_size = 3;
  expect_near(t.run(), in);
}

TEST(DepthToSpace, RejectsChannelsNotDivisible) {
  OpTester t(OpType::kDepthToSpace, "DEPTH_TO_SPACE #1");
  t.input({1, 2, 2, 6}, pattern(24));
  t.output({1, 4, 4, 1});
  t.op.block_size = 2;
  EXPECT_INVALID(t, "input channels 6 are not a multiple of 4");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
