#include "features/gap_interpolation.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace signprep::features {
namespace {

// Sets keypoint k of frame t to (x, y), visible.
void put(KeypointSequence& seq, int t, int k, float x, float y) {
  seq.x(t, k) = x;
  seq.y(t, k) = y;
  seq.set_visible(t, k, true);
}

// The value the spec prescribes for frame i (1..gap) of a gap between a and b.
float lerp_expected(float a, float b, int i, int gap) {
  const double t = static_cast<double>(i) / (gap + 1);
  return static_cast<float>(a + (static_cast<double>(b) - a) * t);
}

TEST(GapInterpolation, EmptyClipIsFine) {
  KeypointSequence seq(0);
  interpolate_gaps(seq, 5);
  EXPECT_EQ(seq.frames, 0);
  EXPECT_TRUE(seq.xy.empty());
  EXPECT_TRUE(seq.visible.empty());
}

TEST(GapInterpolation, AllMissingStaysMissingButIsClipped) {
  KeypointSequence seq(4);
  for (float& v : seq.xy) v = 0.5f;
  seq.x(2, 10) = 1.5f;
  seq.y(1, 77) = -0.25f;
  interpolate_gaps(seq, 5);
  for (auto v : seq.visible) EXPECT_EQ(v, 0);
  EXPECT_FLOAT_EQ(seq.x(2, 10), 1.0f);
  EXPECT_FLOAT_EQ(seq.y(1, 77), 0.0f);
  EXPECT_FLOAT_EQ(seq.x(3, 40), 0.5f);
}

TEST(GapInterpolation, SingleFrameIsOnlyClipped) {
  KeypointSequence seq(1);
  put(seq, 0, 3, 0.25f, 2.0f);
  seq.x(0, 4) = -3.0f;  // invisible
  interpolate_gaps(seq, 5);
  EXPECT_TRUE(seq.is_visible(0, 3));
  EXPECT_FALSE(seq.is_visible(0, 4));
  EXPECT_FLOAT_EQ(seq.x(0, 3), 0.25f);
  EXPECT_FLOAT_EQ(seq.y(0, 3), 1.0f);
  EXPECT_FLOAT_EQ(seq.x(0, 4), 0.0f);
}

TEST(GapInterpolation, GapOfExactlyMaxGapIsFilledLinearly) {
  constexpr int kMaxGap = 3;
  KeypointSequence seq(kMaxGap + 2);
  const int k = 30;
  put(seq, 0, k, 0.1f, 0.9f);
  put(seq, kMaxGap + 1, k, 0.7f, 0.2f);
  seq.x(2, k) = 0.99f;  // stale value inside the gap is overwritten
  interpolate_gaps(seq, kMaxGap);
  for (int i = 1; i <= kMaxGap; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(seq.is_visible(i, k));
    EXPECT_FLOAT_EQ(seq.x(i, k), lerp_expected(0.1f, 0.7f, i, kMaxGap));
    EXPECT_FLOAT_EQ(seq.y(i, k), lerp_expected(0.9f, 0.2f, i, kMaxGap));
  }
  // Spot-check against hand-computed values: t = 1/4, 2/4, 3/4.
  EXPECT_NEAR(seq.x(1, k), 0.25f, 1e-6);
  EXPECT_NEAR(seq.x(2, k), 0.40f, 1e-6);
  EXPECT_NEAR(seq.y(3, k), 0.375f, 1e-6);
  // The endpoints are unchanged.
  EXPECT_FLOAT_EQ(seq.x(0, k), 0.1f);
  EXPECT_FLOAT_EQ(seq.x(kMaxGap + 1, k), 0.7f);
}

TEST(GapInterpolation, GapOfMaxGapPlusOneIsNotFilled) {
  constexpr int kMaxGap = 3;
  KeypointSequence seq(kMaxGap + 3);
  const int k = 30;
  put(seq, 0, k, 0.1f, 0.9f);
  put(seq, kMaxGap + 2, k, 0.7f, 0.2f);
  seq.x(2, k) = 0.33f;
  seq.y(2, k) = 0.44f;
  interpolate_gaps(seq, kMaxGap);
  for (int i = 1; i <= kMaxGap + 1; ++i) EXPECT_FALSE(seq.is_visible(i, k)) << i;
  EXPECT_FLOAT_EQ(seq.x(2, k), 0.33f);
  EXPECT_FLOAT_EQ(seq.y(2, k), 0.44f);
  EXPECT_FLOAT_EQ(seq.x(1, k), 0.0f);
}

TEST(GapInterpolation, SingleFrameGapIsTheMidpoint) {
  KeypointSequence seq(3);
  put(seq, 0, 0, 0.2f, 0.8f);
  put(seq, 2, 0, 0.6f, 0.4f);
  interpolate_gaps(seq, 1);
  EXPECT_TRUE(seq.is_visible(1, 0));
  EXPECT_FLOAT_EQ(seq.x(1, 0), lerp_expected(0.2f, 0.6f, 1, 1));
  EXPECT_NEAR(seq.x(1, 0), 0.4f, 1e-6);
  EXPECT_NEAR(seq.y(1, 0), 0.6f, 1e-6);
}

TEST(GapInterpolation, LeadingAndTrailingGapsAreUntouched) {
  KeypointSequence seq(6);
  const int k = 12;
  seq.x(0, k) = 0.11f;
  seq.y(1, k) = 0.22f;
  put(seq, 2, k, 0.5f, 0.5f);
  put(seq, 3, k, 0.6f, 0.6f);
  seq.x(4, k) = 0.44f;
  seq.y(5, k) = 0.55f;
  interpolate_gaps(seq, 10);
  for (int t : {0, 1, 4, 5}) EXPECT_FALSE(seq.is_visible(t, k)) << t;
  EXPECT_FLOAT_EQ(seq.x(0, k), 0.11f);
  EXPECT_FLOAT_EQ(seq.y(1, k), 0.22f);
  EXPECT_FLOAT_EQ(seq.x(4, k), 0.44f);
  EXPECT_FLOAT_EQ(seq.y(5, k), 0.55f);
}

TEST(GapInterpolation, MaxGapZeroFillsNothingButStillClips) {
  KeypointSequence seq(3);
  put(seq, 0, 5, 0.2f, 1.2f);
  put(seq, 2, 5, 0.6f, 0.4f);
  seq.x(1, 5) = -0.5f;
  interpolate_gaps(seq, 0);
  EXPECT_FALSE(seq.is_visible(1, 5));
  EXPECT_FLOAT_EQ(seq.x(1, 5), 0.0f);
  EXPECT_FLOAT_EQ(seq.y(0, 5), 1.0f);
}

TEST(GapInterpolation, NegativeMaxGapIsAUsageError) {
  KeypointSequence seq(2);
  try {
    interpolate_gaps(seq, -1);
    FAIL() << "expected signprep::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
}

TEST(GapInterpolation, ClipsOutOfRangeValuesVisibleOrNot) {
  KeypointSequence seq(2);
  put(seq, 0, 0, -0.1f, 1.1f);
  put(seq, 1, 0, 1.0f, 0.0f);
  seq.x(0, 1) = 7.0f;   // invisible
  seq.y(1, 1) = -7.0f;  // invisible
  seq.x(1, 2) = 0.5f;   // in range, untouched
  interpolate_gaps(seq, 5);
  EXPECT_FLOAT_EQ(seq.x(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(seq.y(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(seq.x(1, 0), 1.0f);
  EXPECT_FLOAT_EQ(seq.y(1, 0), 0.0f);
  EXPECT_FLOAT_EQ(seq.x(0, 1), 1.0f);
  EXPECT_FLOAT_EQ(seq.y(1, 1), 0.0f);
  EXPECT_FLOAT_EQ(seq.x(1, 2), 0.5f);
  EXPECT_FALSE(seq.is_visible(0, 1));
}

TEST(GapInterpolation, InterpolatesFromUnclippedEndpointsThenClips) {
  // Interpolation uses the tracked endpoint values; clipping comes after.
  KeypointSequence seq(3);
  put(seq, 0, 0, -1.0f, 0.5f);
  put(seq, 2, 0, 1.0f, 0.5f);
  interpolate_gaps(seq, 1);
  EXPECT_FLOAT_EQ(seq.x(1, 0), 0.0f);  // midpoint of -1 and 1, not of 0 and 1
  EXPECT_FLOAT_EQ(seq.x(0, 0), 0.0f);
  KeypointSequence seq2(3);
  put(seq2, 0, 0, -1.0f, 0.5f);
  put(seq2, 2, 0, 2.0f, 0.5f);
  interpolate_gaps(seq2, 1);
  EXPECT_FLOAT_EQ(seq2.x(1, 0), 0.5f);
}

TEST(GapInterpolation, KeypointsAreIndependent) {
  KeypointSequence seq(5);
  // Keypoint 0: gap of 3 frames; keypoint 77: gap of 1 frame; keypoint 40 has
  // its own gap of 2 that must use its own endpoints.
  put(seq, 0, 0, 0.0f, 0.0f);
  put(seq, 4, 0, 0.8f, 0.4f);
  put(seq, 1, 77, 0.9f, 0.1f);
  put(seq, 3, 77, 0.1f, 0.9f);
  put(seq, 0, 40, 0.3f, 0.3f);
  put(seq, 3, 40, 0.6f, 0.9f);
  interpolate_gaps(seq, 2);
  // Keypoint 0's gap (3) exceeds max_gap (2).
  for (int t = 1; t <= 3; ++t) EXPECT_FALSE(seq.is_visible(t, 0)) << t;
  // Keypoint 77: filled at frame 2 only; its leading/trailing frames are not.
  EXPECT_TRUE(seq.is_visible(2, 77));
  EXPECT_NEAR(seq.x(2, 77), 0.5f, 1e-6);
  EXPECT_NEAR(seq.y(2, 77), 0.5f, 1e-6);
  EXPECT_FALSE(seq.is_visible(0, 77));
  EXPECT_FALSE(seq.is_visible(4, 77));
  // Keypoint 40: frames 1 and 2 filled from its own endpoints.
  EXPECT_FLOAT_EQ(seq.x(1, 40), lerp_expected(0.3f, 0.6f, 1, 2));
  EXPECT_FLOAT_EQ(seq.y(2, 40), lerp_expected(0.3f, 0.9f, 2, 2));
  // A neighbouring keypoint with nothing visible is not touched.
  EXPECT_FALSE(seq.is_visible(2, 41));
  EXPECT_FLOAT_EQ(seq.x(2, 41), 0.0f);
}

TEST(GapInterpolation, XAndYAreInterpolatedSeparately) {
  KeypointSequence seq(4);
  put(seq, 0, 9, 0.0f, 0.9f);
  put(seq, 3, 9, 0.9f, 0.9f);  // y constant, x rising
  interpolate_gaps(seq, 2);
  EXPECT_NEAR(seq.x(1, 9), 0.3f, 1e-6);
  EXPECT_NEAR(seq.x(2, 9), 0.6f, 1e-6);
  EXPECT_FLOAT_EQ(seq.y(1, 9), 0.9f);
  EXPECT_FLOAT_EQ(seq.y(2, 9), 0.9f);
}

TEST(GapInterpolation, SeveralGapsOfOneKeypoint) {
  KeypointSequence seq(8);
  put(seq, 0, 2, 0.0f, 0.0f);
  put(seq, 2, 2, 0.2f, 0.2f);  // gap 1: filled
  put(seq, 6, 2, 0.6f, 0.6f);  // gap 3: not filled with max_gap 2
  put(seq, 7, 2, 0.7f, 0.7f);  // no gap
  interpolate_gaps(seq, 2);
  EXPECT_TRUE(seq.is_visible(1, 2));
  EXPECT_NEAR(seq.x(1, 2), 0.1f, 1e-6);
  for (int t = 3; t <= 5; ++t) EXPECT_FALSE(seq.is_visible(t, 2)) << t;
}

}  // namespace
}  // namespace signprep::features
