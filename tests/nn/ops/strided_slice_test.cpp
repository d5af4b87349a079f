#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

// Input [3,4]: value = 10*row + col.
const Floats kGrid = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};

OpTester slice_tester(std::vector<std::int64_t> begin, std::vector<std::int64_t> end,
                      std::vector<std::int64_t> strides, Shape out) {
  OpTester t(OpType::kStridedSlice);
  t.input({3, 4}, kGrid);
  t.ints({2}, std::move(begin));
  t.ints({2}, std::move(end));
  t.ints({2}, std::move(strides));
  t.output(std::move(out));
  return t;
}

TEST(StridedSlice, ChannelHalfAsInHandRecrop) {
  OpTester t(OpType::kStridedSlice);
  t.input({1, 2, 2, 4}, pattern(16));
  t.ints({4}, {0, 0, 0, 0});
  t.ints({4}, {1, 2, 2, 2});
  t.ints({4}, {1, 1, 1, 1});
  t.output({1, 2, 2, 2});
  const Floats x = pattern(16);
  expect_near(t.run(), {x[0], x[1], x[4], x[5], x[8], x[9], x[12], x[13]});
}

TEST(StridedSlice, StridesAndNegativeIndices) {
  // rows 0 and 2, columns 1 .. 3 (end -1 = 3).
  expect_near(slice_tester({0, 1}, {3, -1}, {2, 1}, {2, 2}).run(), {1, 2, 21, 22});
}

TEST(StridedSlice, BeginAndEndMasks) {
  // begin_mask on rows (from 0), end_mask on columns (to the end).
  OpTester t = slice_tester({2, 1}, {2, 2}, {1, 2}, {2, 2});
  t.op.begin_mask = 1;
  t.op.end_mask = 2;
  expect_near(t.run(), {1, 3, 11, 13});
}

TEST(StridedSlice, NegativeStrideReverses) {
  // Rows reversed via begin/end masks, columns 3 down to 1.
  OpTester t = slice_tester({0, 3}, {0, 0}, {-1, -1}, {3, 3});
  t.op.begin_mask = 1;
  t.op.end_mask = 1;
  expect_near(t.run(), {23, 22, 21, 13, 12, 11, 3, 2, 1});
}

TEST(StridedSlice, ShrinkAxisDropsTheDimension) {
  // Row -2 (= 1), all columns with end clamped from 100.
  OpTester t = slice_tester({-2, 0}, {0, 100}, {1, 1}, {4});
  t.op.shrink_axis_mask = 1;
  expect_near(t.run(), {10, 11, 12, 13});
}

TEST(StridedSlice, OffsetMakesEndRelative) {
  // offset: end = begin + end -> rows 1..2, columns 1..2.
  OpTester t = slice_tester({1, 1}, {2, 2}, {1, 1}, {2, 2});
  t.op.offset = true;
  expect_near(t.run(), {11, 12, 21, 22});
}

TEST(StridedSlice, ClampsOutOfRangeBounds) {
  expect_near(slice_tester({-10, 2}, {10, 10}, {1, 1}, {3, 2}).run(), {2, 3, 12, 13, 22, 23});
}

TEST(StridedSlice, RejectsUnsupportedAndInconsistent) {
  OpTester t = slice_tester({0, 0}, {3, 4}, {1, 1}, {3, 4});
  t.op.label = "STRIDED_SLICE #3";
  t.op.ellipsis_mask = 1;
  EXPECT_INVALID(t, "ellipsis_mask 1 / new_axis_mask 0 are not supported");

  OpTester z = slice_tester({0, 0}, {3, 4}, {1, 0}, {3, 4});
  EXPECT_INVALID(z, "stride of dimension 1 is 0");

  OpTester o = slice_tester({0, 0}, {3, 4}, {1, 2}, {3, 4});
  EXPECT_INVALID(o, "output shape [3,4] does not match the computed [3,2]");

  OpTester r(OpType::kStridedSlice);
  r.input({3, 4}, kGrid);
  r.ints({1}, {0});
  r.ints({1}, {1});
  r.ints({1}, {1});
  r.output({1, 4});
  EXPECT_INVALID(r, "begin/end/strides have 1/1/1 values for an input of rank 2");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
