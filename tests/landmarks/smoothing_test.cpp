// Tests for landmarks/smoothing.h. Expected numbers come from an independent
// Python model of the filters written from the formulas (one-euro filter,
// Casiez et al., typed as MediaPipe types it: low-pass state in float32, the
// rest in float64), run when this test was written:
//
//   alpha(f, fc) = 1 / (1 + (1 / (2 pi fc)) / (1 / f))
//   lowpass:  s = float(float(a * v) + (1 - a) * s), first value passes
//   one-euro: f = 1 / (dt_ns * 1e-9)  (from the second sample on)
//             d = (v - previous raw v) * value_scale * f   (0 at first)
//             ed = lowpass_d(d, alpha(f, derivate_cutoff))
//             out = lowpass_x(v, alpha(f, min_cutoff + beta * |ed|))
// The implementation reproduces these bit for bit, so those tests use EXPECT_EQ.
#include "landmarks/smoothing.h"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace signprep::landmarks {
namespace {

constexpr std::int64_t kFrameUs = 33333;  // the legacy solutions' clock: (k + 1) * 33333 us

Landmark point(float x, float y, float z = 0, float visibility = 0, float presence = 0) {
  return {x, y, z, visibility, presence};
}

TEST(OneEuroFilter, MatchesReferenceWithPoseConfig) {
  OneEuroFilter filter(kPoseLandmarksFilter);
  const double scale = 1.0f / 100.0f;
  const std::array<double, 5> in{10, 12, 11, 15, 15};
  const std::array<double, 5> expected{10, 11.2730865, 11.1729002, 14.2288265, 14.819747};
  for (std::size_t k = 0; k < in.size(); ++k) {
    const auto out = filter.apply((k + 1) * kFrameUs, scale, in[k]);
    EXPECT_EQ(static_cast<float>(out), static_cast<float>(expected[k])) << "step " << k;
  }
}

TEST(OneEuroFilter, RateFollowsTimestamps) {
  OneEuroFilter filter(kPoseAuxiliaryLandmarksFilter);
  const std::array<std::int64_t, 4> t{1000, 51000, 61000, 161000};  // 20, 100 and 10 Hz
  const std::array<double, 4> in{0, 3, 3.5, -2};
  const std::array<double, 4> expected{0, 2.93487382, 3.45015359, -1.92309916};
  for (std::size_t k = 0; k < in.size(); ++k) {
    EXPECT_EQ(static_cast<float>(filter.apply(t[k], 1.0, in[k])), static_cast<float>(expected[k]))
        << "step " << k;
  }
}

TEST(OneEuroFilter, NonIncreasingTimestampPassesValueAndKeepsState) {
  OneEuroFilter a(kPoseLandmarksFilter), b(kPoseLandmarksFilter);
  const double scale = 1.0f / 100.0f;
  a.apply(kFrameUs, scale, 10);
  b.apply(kFrameUs, scale, 10);
  EXPECT_EQ(a.apply(kFrameUs, scale, 99), 99);  // same timestamp: raw value back
  EXPECT_EQ(a.apply(1, scale, 98), 98);         // earlier timestamp too
  EXPECT_EQ(a.apply(2 * kFrameUs, scale, 12), b.apply(2 * kFrameUs, scale, 12));
}

TEST(OneEuroFilter, RejectsBadConfig) {
  EXPECT_THROW(OneEuroFilter({.min_cutoff = 0}), std::invalid_argument);
  EXPECT_THROW(OneEuroFilter({.derivate_cutoff = -1}), std::invalid_argument);
  EXPECT_THROW(OneEuroFilter({.frequency = 0}), std::invalid_argument);
  EXPECT_THROW(LandmarksSmoother({.min_cutoff = 0}), std::invalid_argument);
  EXPECT_THROW(VisibilitySmoother(1.5f), std::invalid_argument);
}

// Two landmarks on a 256x192 image, object scale from a ROI of 0.5 x 0.25:
// (128 + 48) / 2 = 88 pixels.
TEST(LandmarksSmoother, MatchesReferenceInPixels) {
  LandmarksSmoother smoother(kPoseLandmarksFilter);
  const NormalizedRect roi{.x_center = 0.5f, .y_center = 0.5f, .width = 0.5f, .height = 0.25f};
  const std::array<std::array<Landmark, 2>, 3> frames{{
      {point(0.25f, 0.5f, -0.1f), point(0.75f, 0.25f, 0.2f)},
      {point(0.30f, 0.45f, -0.05f), point(0.70f, 0.30f, 0.1f)},
      {point(0.40f, 0.40f, 0.0f), point(0.60f, 0.35f, 0.1f)},
  }};
  const std::array<std::array<float, 6>, 3> expected{{
      {0.25f, 0.5f, -0.100000001f, 0.75f, 0.25f, 0.200000003f},
      {0.29634279f, 0.454759032f, -0.0536572523f, 0.703657269f, 0.295240909f, 0.103797592f},
      {0.397183299f, 0.40298292f, -0.00222275429f, 0.602816701f, 0.34701705f, 0.100173034f},
  }};
  for (std::size_t k = 0; k < frames.size(); ++k) {
    auto lm = frames[k];
    smoother.apply(lm, (k + 1) * kFrameUs, 256, 192, &roi);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(lm[i].x, expected[k][3 * i]) << k << "," << i;
      EXPECT_EQ(lm[i].y, expected[k][3 * i + 1]) << k << "," << i;
      EXPECT_EQ(lm[i].z, expected[k][3 * i + 2]) << k << "," << i;
    }
  }
}

TEST(LandmarksSmoother, ConstantInputStaysConstant) {
  LandmarksSmoother smoother(kPoseAuxiliaryLandmarksFilter);
  for (int k = 1; k <= 20; ++k) {
    std::vector<Landmark> lm{point(0.3f, 0.6f, -0.2f, 0.9f, 0.8f), point(0.7f, 0.2f, 0.1f)};
    smoother.apply(lm, k * kFrameUs, 256, 256, nullptr);
    EXPECT_FLOAT_EQ(lm[0].x, 0.3f);
    EXPECT_FLOAT_EQ(lm[0].y, 0.6f);
    EXPECT_FLOAT_EQ(lm[0].z, -0.2f);
    EXPECT_FLOAT_EQ(lm[1].x, 0.7f);
    EXPECT_EQ(lm[0].visibility, 0.9f);  // untouched by the coordinate filter
    EXPECT_EQ(lm[0].presence, 0.8f);
  }
}

// Feeds 0.2 then 0.4 for x; returns the smoothed second x.
float second_x(LandmarksSmoother& smoother, std::int64_t t0, const NormalizedRect* roi) {
  std::vector<Landmark> a{point(0.2f, 0.5f), point(0.6f, 0.9f)};
  smoother.apply(a, t0, 100, 100, roi);
  std::vector<Landmark> b{point(0.4f, 0.5f), point(0.6f, 0.9f)};
  smoother.apply(b, t0 + kFrameUs, 100, 100, roi);
  return b[0].x;
}

TEST(LandmarksSmoother, EmptyInputResetsFilters) {
  LandmarksSmoother smoother(kPoseLandmarksFilter);
  const float before = second_x(smoother, kFrameUs, nullptr);
  EXPECT_GT(before, 0.2f);
  EXPECT_LT(before, 0.4f);
  smoother.apply({}, 3 * kFrameUs, 100, 100, nullptr);
  std::vector<Landmark> fresh{point(0.9f, 0.1f), point(0.6f, 0.9f)};
  smoother.apply(fresh, 4 * kFrameUs, 100, 100, nullptr);
  EXPECT_EQ(fresh[0].x, 0.9f);  // first sample after a reset passes unfiltered
  EXPECT_EQ(fresh[0].y, 0.1f);
}

TEST(LandmarksSmoother, LargerObjectIsSmoothedMore) {
  const NormalizedRect small{.width = 0.2f, .height = 0.2f};  // 20 px
  const NormalizedRect large{.width = 2.0f, .height = 2.0f};  // 200 px
  LandmarksSmoother a(kPoseLandmarksFilter), b(kPoseLandmarksFilter);
  const float x_small = second_x(a, kFrameUs, &small);
  const float x_large = second_x(b, kFrameUs, &large);
  // The same 20 px step is a faster motion relative to a small object, so
  // the cutoff rises and the output follows the input more closely.
  EXPECT_GT(x_small, x_large);
  EXPECT_GT(x_large, 0.2f);
  EXPECT_LT(x_small, 0.4f);
}

TEST(LandmarksSmoother, ScaleFromBoundingBoxEqualsEquivalentRoi) {
  // The second frame's landmarks span 20 x 40 px (the first frame's scale
  // does not matter: its derivative is 0); a 0.2 x 0.4 ROI on 100 x 100
  // gives the same object scale, 30 px.
  const NormalizedRect roi{.width = 0.2f, .height = 0.4f};
  LandmarksSmoother a(kPoseLandmarksFilter), b(kPoseLandmarksFilter);
  EXPECT_EQ(second_x(a, kFrameUs, nullptr), second_x(b, kFrameUs, &roi));
}

TEST(LandmarksSmoother, TinyObjectPassesUnfilteredWithoutState) {
  const NormalizedRect zero{.width = 0, .height = 0};
  LandmarksSmoother smoother(kPoseLandmarksFilter);
  EXPECT_EQ(second_x(smoother, kFrameUs, &zero), 0.4f);
  // The unfiltered frames did not start the filters' clock or history: the
  // next frame is their first sample and passes too.
  std::vector<Landmark> lm{point(0.8f, 0.5f), point(0.6f, 0.9f)};
  const NormalizedRect roi{.width = 0.5f, .height = 0.5f};
  smoother.apply(lm, 3 * kFrameUs, 100, 100, &roi);
  EXPECT_EQ(lm[0].x, 0.8f);
}

TEST(LandmarksSmoother, DisabledValueScalingIgnoresObjectSize) {
  OneEuroConfig config = kPoseWorldLandmarksFilter;
  const NormalizedRect small{.width = 0.2f, .height = 0.2f};
  const NormalizedRect zero{.width = 0, .height = 0};
  LandmarksSmoother a(config), b(config);
  const float x = second_x(a, kFrameUs, &small);
  EXPECT_EQ(x, second_x(b, kFrameUs, &zero));
  EXPECT_LT(x, 0.4f);  // filtered although the ROI is empty
}

TEST(LandmarksSmoother, RejectsChangedCountAndBadImageSize) {
  LandmarksSmoother smoother(kPoseLandmarksFilter);
  std::vector<Landmark> two{point(0.1f, 0.1f), point(0.5f, 0.5f)};
  smoother.apply(two, kFrameUs, 64, 64, nullptr);
  std::vector<Landmark> three(3, point(0.2f, 0.2f));
  EXPECT_THROW(smoother.apply(three, 2 * kFrameUs, 64, 64, nullptr), std::invalid_argument);
  EXPECT_THROW(smoother.apply(two, 2 * kFrameUs, 0, 64, nullptr), std::invalid_argument);
}

TEST(VisibilitySmoother, LowPassNumbers) {
  VisibilitySmoother smoother(kPoseVisibilityAlpha);
  // alpha 0.1 weighs the new value: 0.9, 0.1*0.1 + 0.9*0.9, ...
  const std::array<float, 4> in{0.9f, 0.1f, 0.5f, 0.5f};
  const std::array<float, 4> expected{0.899999976f, 0.819999993f, 0.787999988f, 0.759199977f};
  for (std::size_t k = 0; k < in.size(); ++k) {
    std::vector<Landmark> lm{point(0.1f, 0.2f, 0.3f, in[k], 0.7f)};
    smoother.apply(lm);
    EXPECT_EQ(lm[0].visibility, expected[k]) << "step " << k;
    EXPECT_EQ(lm[0].x, 0.1f);
    EXPECT_EQ(lm[0].presence, 0.7f);  // presence is not smoothed
  }
  smoother.apply({});
  std::vector<Landmark> lm{point(0, 0, 0, 0.2f)};
  smoother.apply(lm);
  EXPECT_EQ(lm[0].visibility, 0.2f);
}

// The image-space one-euro filters restart after a frame without a pose;
// the visibility filters and the world landmarks' one-euro filter, whose
// calculators see no packet on such a frame, keep their state.
TEST(PoseLandmarkFiltering, LostPoseResetsImageCoordinatesOnly) {
  PoseLandmarkFiltering filtering;
  const NormalizedRect roi{.width = 0.5f, .height = 0.5f};
  std::vector<Landmark> lm{point(0.2f, 0.5f, 0, 1.0f), point(0.6f, 0.9f, 0, 1.0f)};
  std::vector<Landmark> aux{point(0.4f, 0.6f, 0, 1.0f), point(0.4f, 0.3f, 0, 1.0f)};
  std::vector<Landmark> world{point(0.1f, -0.2f, 0.3f, 1.0f), point(-0.1f, 0.4f, 0, 1.0f)};
  filtering.apply(lm, aux, world, kFrameUs, 128, 128, &roi);
  filtering.apply({}, {}, {}, 2 * kFrameUs, 128, 128, nullptr);  // no pose
  lm = {point(0.7f, 0.1f, 0, 0.0f), point(0.6f, 0.9f, 0, 0.0f)};
  aux = {point(0.1f, 0.6f, 0, 0.0f), point(0.4f, 0.3f, 0, 0.0f)};
  world = {point(0.5f, -0.2f, 0.3f, 0.0f), point(-0.1f, 0.4f, 0, 0.0f)};
  filtering.apply(lm, aux, world, 3 * kFrameUs, 128, 128, &roi);
  EXPECT_EQ(lm[0].x, 0.7f);  // one-euro restarted
  EXPECT_EQ(aux[0].x, 0.1f);
  EXPECT_GT(world[0].x, 0.1f);  // one-euro kept its state: between the two values
  EXPECT_LT(world[0].x, 0.5f);
  EXPECT_FLOAT_EQ(lm[0].visibility, 0.9f);  // 0.1 * 0 + 0.9 * 1: low-pass kept its state
  EXPECT_FLOAT_EQ(aux[0].visibility, 0.9f);
  EXPECT_FLOAT_EQ(world[0].visibility, 0.9f);
  filtering.reset();
  lm = {point(0.7f, 0.1f, 0, 0.0f), point(0.6f, 0.9f, 0, 0.0f)};
  world = {point(0.5f, -0.2f, 0.3f, 0.0f), point(-0.1f, 0.4f, 0, 0.0f)};
  filtering.apply(lm, aux, world, 4 * kFrameUs, 128, 128, &roi);
  EXPECT_EQ(lm[0].visibility, 0.0f);
  EXPECT_EQ(world[0].x, 0.5f);
}

// World landmarks are filtered in metres, unscaled (disable_value_scaling):
// the same step moves them alike whatever the landmarks' spread.
TEST(LandmarksSmoother, WorldLandmarksIgnoreTheObjectScale) {
  LandmarksSmoother narrow(kPoseWorldLandmarksFilter), wide(kPoseWorldLandmarksFilter);
  std::vector<Landmark> a{point(0, 0, 0, 1), point(0.01f, 0.01f, 0, 1)};
  std::vector<Landmark> b{point(0, 0, 0, 1), point(5, 5, 0, 1)};
  narrow.apply_world(a, kFrameUs);
  wide.apply_world(b, kFrameUs);
  a[0].x = b[0].x = 0.2f;
  narrow.apply_world(a, 2 * kFrameUs);
  wide.apply_world(b, 2 * kFrameUs);
  EXPECT_EQ(a[0].x, b[0].x);
  EXPECT_GT(a[0].x, 0.0f);
  EXPECT_LT(a[0].x, 0.2f);
}

// pose_landmark_filtering.pbtxt: ENABLE false turns the 33 landmarks' and
// the world landmarks' filters into no_filter; the auxiliary landmarks,
// which place the next crop, are filtered all the same (MediaPipe with
// smooth_landmarks=False).
TEST(PoseLandmarkFiltering, WithoutSmoothingOnlyTheAuxiliaryLandmarksAreFiltered) {
  PoseLandmarkFiltering smoothing_off(false), smoothing_on(true);
  const NormalizedRect roi{.width = 0.5f, .height = 0.5f};
  for (const auto& [x, visibility] : {std::pair{0.2f, 1.0f}, std::pair{0.5f, 0.0f}}) {
    const std::int64_t time = x == 0.2f ? kFrameUs : 2 * kFrameUs;
    std::vector<Landmark> lm{point(x, 0.5f, 0, visibility)}, aux_off{point(x, 0.6f, 0, visibility)};
    std::vector<Landmark> world{point(x, -0.5f, 0.1f, visibility)};
    std::vector<Landmark> lm_on = lm, aux_on = aux_off, world_on = world;
    smoothing_off.apply(lm, aux_off, world, time, 128, 128, &roi);
    smoothing_on.apply(lm_on, aux_on, world_on, time, 128, 128, &roi);
    EXPECT_EQ(lm[0].x, x);  // unfiltered
    EXPECT_EQ(lm[0].visibility, visibility);
    EXPECT_EQ(world[0].x, x);
    EXPECT_EQ(world[0].visibility, visibility);
    EXPECT_EQ(aux_off[0].x, aux_on[0].x);  // filtered as with smoothing on
    EXPECT_EQ(aux_off[0].visibility, aux_on[0].visibility);
    if (x == 0.5f) {
      EXPECT_NE(world_on[0].x, x);  // the enabled filters moved it
    }
  }
  std::vector<Landmark> lm{point(0.8f, 0.5f, 0, 1.0f)}, aux{point(0.8f, 0.6f, 0, 1.0f)};
  smoothing_off.apply(lm, aux, {}, 3 * kFrameUs, 128, 128, &roi);
  EXPECT_NE(aux[0].x, 0.8f);  // the one-euro filter moved it
}

}  // namespace
}  // namespace signprep::landmarks
