// AVERAGE_POOL_2D and MAX_POOL_2D (they share the window geometry).
#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

OpTester pool_tester(OpType type, Shape in, Floats data, Shape out, int fh, int fw, int sh, int sw,
                     Padding padding) {
  OpTester t(type);
  t.input(std::move(in), std::move(data));
  t.output(std::move(out));
  t.op.filter_h = fh;
  t.op.filter_w = fw;
  t.op.stride_h = sh;
  t.op.stride_w = sw;
  t.op.padding = padding;
  return t;
}

TEST(MaxPool2d, SameOddSizePadsAfter) {
  OpTester t = pool_tester(OpType::kMaxPool2d, {1, 5, 5, 2}, pattern(50), {1, 3, 3, 2}, 2, 2, 2, 2,
                           Padding::kSame);
  expect_near(t.run(), kMaxPool2x2Same);
}

TEST(MaxPool2d, ValidRectangularWindow) {
  OpTester t = pool_tester(OpType::kMaxPool2d, {1, 5, 5, 2}, pattern(50), {1, 2, 4, 2}, 3, 2, 2, 1,
                           Padding::kValid);
  expect_near(t.run(), kMaxPool3x2Valid);
}

TEST(MaxPool2d, AllNegativeWindowIgnoresPadding) {
  // SAME 2x2 stride 2 on 3x3 pads one row and column after: the last
  // window holds one real cell, which must win over the padding.
  OpTester t = pool_tester(OpType::kMaxPool2d, {1, 3, 3, 1}, {-9, -8, -7, -6, -5, -4, -3, -2, -1},
                           {1, 2, 2, 1}, 2, 2, 2, 2, Padding::kSame);
  expect_near(t.run(), {-5, -4, -2, -1});
}

TEST(MaxPool2d, FusedRelu) {
  OpTester t = pool_tester(OpType::kMaxPool2d, {1, 2, 2, 1}, {-4, -3, -2, -1}, {1, 1, 1, 1}, 2, 2,
                           2, 2, Padding::kValid);
  t.op.activation = Activation::kRelu;
  expect_near(t.run(), {0});
}

TEST(AveragePool2d, SameCountsOnlyValidCells) {
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 5, 5, 2}, pattern(50), {1, 3, 3, 2}, 2, 2, 2,
                           2, Padding::kSame);
  expect_near(t.run(), kAvgPool2x2Same);
}

TEST(AveragePool2d, Stride1SamePadsBothSides) {
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 5, 5, 2}, pattern(50), {1, 5, 5, 2}, 3, 3, 1,
                           1, Padding::kSame);
  expect_near(t.run(), kAvgPool3x3Stride1Same);
}

TEST(AveragePool2d, Stride2SameThreeChannels) {
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 6, 7, 3}, pattern(6 * 7 * 3, 3),
                           {1, 3, 4, 3}, 3, 3, 2, 2, Padding::kSame);
  expect_near(t.run(), kAvgPool3x3Stride2Same);
}

TEST(AveragePool2d, GlobalWindowAsInTheModels) {
  // The selfie and hand models average a whole 16x16 map with a 16x16 window.
  Floats data(16 * 16);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i);
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 16, 16, 1}, data, {1, 1, 1, 1}, 16, 16, 16,
                           16, Padding::kValid);
  expect_near(t.run(), {127.5f});
}

TEST(AveragePool2d, CornerOfSamePaddingDividesByFour) {
  // 3x3 window, stride 1, SAME on a 2x2 input: every window covers all four cells.
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 2, 2, 1}, {1, 2, 3, 6}, {1, 2, 2, 1}, 3, 3,
                           1, 1, Padding::kSame);
  expect_near(t.run(), {3, 3, 3, 3});
}

TEST(Pool2d, RejectsWindowLargerThanInput) {
  OpTester t = pool_tester(OpType::kMaxPool2d, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 1, 1, 1}, 3, 3, 1, 1,
                           Padding::kValid);
  EXPECT_INVALID(t, "window is larger than the input");
}

TEST(Pool2d, RejectsZeroWindowAndWrongOutput) {
  OpTester t = pool_tester(OpType::kAveragePool2d, {1, 4, 4, 1}, pattern(16), {1, 2, 2, 1}, 0, 2, 2,
                           2, Padding::kValid);
  EXPECT_INVALID(t, "window 0x2 is not positive");
  OpTester u = pool_tester(OpType::kAveragePool2d, {1, 4, 4, 1}, pattern(16), {1, 2, 2, 2}, 2, 2, 2,
                           2, Padding::kValid);
  EXPECT_INVALID(u, "does not match the computed [1,2,2,1]");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
