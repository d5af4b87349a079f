#include "nn/ops/expected_values.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

OpTester resize_tester(Shape in, Floats data, int out_h, int out_w, bool align, bool half) {
  OpTester t(OpType::kResizeBilinear);
  const int channels = in[3];
  t.input(std::move(in), std::move(data));
  t.ints({2}, {out_h, out_w});
  t.output({1, out_h, out_w, channels});
  t.op.align_corners = align;
  t.op.half_pixel_centers = half;
  return t;
}

TEST(ResizeBilinear, UpscaleNeitherMode) {
  expect_near(resize_tester({1, 2, 3, 2}, pattern(12, 1), 4, 5, false, false).run(),
              kResizeUpPlain);
}

TEST(ResizeBilinear, UpscaleAlignCorners) {
  expect_near(resize_tester({1, 2, 3, 2}, pattern(12, 1), 4, 5, true, false).run(),
              kResizeUpAlignCorners);
}

TEST(ResizeBilinear, UpscaleHalfPixelCenters) {
  expect_near(resize_tester({1, 2, 3, 2}, pattern(12, 1), 4, 5, false, true).run(),
              kResizeUpHalfPixel);
}

TEST(ResizeBilinear, DownscaleOddSizes) {
  expect_near(resize_tester({1, 5, 7, 1}, pattern(35, 2), 3, 4, false, true).run(),
              kResizeDownHalfPixel);
  expect_near(resize_tester({1, 5, 7, 1}, pattern(35, 2), 3, 4, true, false).run(),
              kResizeDownAlignCorners);
}

TEST(ResizeBilinear, HalfPixelDoublingByHand) {
  // 1x2 -> 1x4 with half-pixel centres: sources -0.25, 0.25, 0.75, 1.25;
  // the first reads the edge (clamped), the last clamps its upper neighbour.
  expect_near(resize_tester({1, 1, 2, 1}, {0, 4}, 1, 4, false, true).run(), {0, 1, 3, 4});
  // Without half-pixel centres: sources 0, 0.5, 1, 1.5.
  expect_near(resize_tester({1, 1, 2, 1}, {0, 4}, 1, 4, false, false).run(), {0, 2, 4, 4});
  // align_corners: sources 0, 1/3, 2/3, 1.
  expect_near(resize_tester({1, 1, 2, 1}, {0, 3}, 1, 4, true, false).run(), {0, 1, 2, 3});
}

TEST(ResizeBilinear, AlignCornersWithOneOutputPixel) {
  // out = 1 keeps scale = in / out: source 0.
  expect_near(resize_tester({1, 2, 2, 1}, {1, 2, 3, 4}, 1, 1, true, false).run(), {1});
}

TEST(ResizeBilinear, RejectsBothModesAndSizeMismatch) {
  OpTester t = resize_tester({1, 2, 2, 1}, pattern(4), 4, 4, true, true);
  t.op.label = "RESIZE_BILINEAR #6";
  EXPECT_INVALID(t, "align_corners and half_pixel_centers are both set");

  OpTester u(OpType::kResizeBilinear);
  u.input({1, 2, 2, 1}, pattern(4));
  u.ints({2}, {4, 4});
  u.output({1, 4, 3, 1});
  EXPECT_INVALID(u, "output shape [1,4,3,1] does not match the computed [1,4,4,1]");

  OpTester v(OpType::kResizeBilinear);
  v.input({1, 2, 2, 1}, pattern(4));
  v.input({2}, {4, 4});
  v.output({1, 4, 4, 1});
  EXPECT_INVALID(v, "size is not an integer tensor");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
