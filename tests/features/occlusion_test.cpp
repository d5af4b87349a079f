#include "features/occlusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace signprep::features {
namespace {

// Hand-built scenes. The face spans x 0.4..0.6 and y 0.2..0.4, so its ellipse
// is centred at (0.5, 0.3) with semi-axes 0.1 * 1.3 = 0.13 (palm ellipse:
// 0.156). Pose points and "far" hand points sit well away from the face.
constexpr float kCx = 0.5f, kCy = 0.3f;
constexpr float kFarX = 0.1f, kFarY = 0.9f;

// Options for which the visibility fallback can never flag a frame, so that a
// test sees the face rule alone.
OcclusionOptions face_rule_only() {
  OcclusionOptions o;
  o.vis_thresh = 0.0;
  return o;
}

void put(KeypointSequence& seq, int t, int k, float x, float y, bool visible = true) {
  seq.x(t, k) = x;
  seq.y(t, k) = y;
  seq.set_visible(t, k, visible);
}

// The first `visible` face points are visible: the four bbox extremes first,
// then the centre, then points inside the box.
void add_face(KeypointSequence& seq, int t, int visible = kFacePoints) {
  const float pts[kFacePoints][2] = {{0.4f, 0.3f},   {0.6f, 0.3f},   {0.5f, 0.2f},   {0.5f, 0.4f},
                                     {0.5f, 0.3f},   {0.45f, 0.25f}, {0.55f, 0.25f}, {0.45f, 0.35f},
                                     {0.55f, 0.35f}, {0.5f, 0.35f},  {0.5f, 0.25f}};
  for (int i = 0; i < kFacePoints; ++i)
    put(seq, t, kFaceBegin + i, pts[i][0], pts[i][1], i < visible);
}

void add_pose(KeypointSequence& seq, int t) {
  for (int k = kPoseBegin; k < kPoseBegin + kPosePoints; ++k) put(seq, t, k, 0.5f, 0.8f);
}

// All 21 points of the hand block starting at `hand`, visible, far from the face.
void add_far_hand(KeypointSequence& seq, int t, int hand) {
  for (int p = 0; p < kHandPoints; ++p) put(seq, t, hand + p, kFarX, kFarY);
}

// A well-tracked frame (pose, face, both hands far): 78 of 78 visible.
void add_calm_frame(KeypointSequence& seq, int t) {
  add_pose(seq, t);
  add_face(seq, t);
  add_far_hand(seq, t, kLeftHandBegin);
  add_far_hand(seq, t, kRightHandBegin);
}

// A calm frame with the left index fingertip on the face centre.
void add_touching_frame(KeypointSequence& seq, int t) {
  add_calm_frame(seq, t);
  put(seq, t, kLeftHandBegin + 8, kCx, kCy);
}

// A frame with `visible` of its 78 points visible and no face.
void add_frame_with_visible(KeypointSequence& seq, int t, int visible) {
  for (int k = 0; k < kKeypointCount; ++k) put(seq, t, k, kFarX, kFarY, false);
  for (int k = 0; k < visible && k < kFaceBegin; ++k) seq.set_visible(t, k, true);
}

KeypointSequence one_calm_frame() {
  KeypointSequence seq(1);
  add_calm_frame(seq, 0);
  return seq;
}

// ---- face_ellipse_of_frame ----

TEST(OcclusionFaceEllipse, FromBoundingBoxOfVisibleFacePoints) {
  KeypointSequence seq = one_calm_frame();
  const auto e = face_ellipse_of_frame(seq, 0);
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(e->cx, 0.5, 1e-6);
  EXPECT_NEAR(e->cy, 0.3, 1e-6);
  EXPECT_NEAR(e->ax, 0.13, 1e-6);
  EXPECT_NEAR(e->ay, 0.13, 1e-6);
}

TEST(OcclusionFaceEllipse, IgnoresInvisibleFacePoints) {
  KeypointSequence seq(1);
  add_face(seq, 0, 5);
  put(seq, 0, kFaceBegin + 7, 0.95f, 0.95f, false);
  const auto e = face_ellipse_of_frame(seq, 0);
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(e->cx, 0.5, 1e-6);
  EXPECT_NEAR(e->ax, 0.13, 1e-6);
}

TEST(OcclusionFaceEllipse, NeedsFiveVisibleFacePoints) {
  KeypointSequence seq(2);
  add_face(seq, 0, 4);
  add_face(seq, 1, 5);
  EXPECT_FALSE(face_ellipse_of_frame(seq, 0).has_value());
  EXPECT_TRUE(face_ellipse_of_frame(seq, 1).has_value());
}

TEST(OcclusionFaceEllipse, DegenerateBoxGetsMinimumSemiAxes) {
  KeypointSequence seq(2);
  for (int i = 0; i < kFacePoints; ++i) put(seq, 0, kFaceBegin + i, kCx, kCy);  // a point
  for (int i = 0; i < kFacePoints; ++i) {
    put(seq, 1, kFaceBegin + i, 0.4f + 0.02f * static_cast<float>(i), kCy);  // a line
  }
  const auto point = face_ellipse_of_frame(seq, 0);
  ASSERT_TRUE(point.has_value());
  EXPECT_DOUBLE_EQ(point->ax, 1e-3);
  EXPECT_DOUBLE_EQ(point->ay, 1e-3);
  const auto line = face_ellipse_of_frame(seq, 1);
  ASSERT_TRUE(line.has_value());
  EXPECT_NEAR(line->ax, 0.13, 1e-6);
  EXPECT_DOUBLE_EQ(line->ay, 1e-3);
}

// ---- occluded_clip ----

TEST(OccludedClip, EmptyIsNeverOccluded) {
  OcclusionOptions o;
  o.frame_prop = 0.0;
  o.min_run = 0;
  EXPECT_FALSE(occluded_clip({}, o));
}

TEST(OccludedClip, FramePropIsInclusive) {
  OcclusionOptions o;
  o.frame_prop = 0.4;
  o.min_run = 100;
  const std::vector<std::uint8_t> four{1, 0, 1, 0, 1, 0, 1, 0, 0, 0};
  const std::vector<std::uint8_t> three{1, 0, 1, 0, 1, 0, 0, 0, 0, 0};
  EXPECT_TRUE(occluded_clip(four, o));
  EXPECT_FALSE(occluded_clip(three, o));
}

TEST(OccludedClip, MinRunIsInclusive) {
  OcclusionOptions o;
  o.frame_prop = 1.0;
  o.min_run = 3;
  const std::vector<std::uint8_t> run3{0, 1, 1, 1, 0, 0, 0, 0};
  const std::vector<std::uint8_t> runs2{1, 1, 0, 1, 1, 0, 1, 1};  // 6 flagged, longest 2
  EXPECT_TRUE(occluded_clip(run3, o));
  EXPECT_FALSE(occluded_clip(runs2, o));
}

// ---- is_occluded: the face rule ----

TEST(Occlusion, EmptyClipIsNotOccluded) {
  KeypointSequence seq(0);
  OcclusionOptions o;
  o.min_run = 0;
  o.frame_prop = 0.0;
  EXPECT_FALSE(is_occluded(seq, o));
}

TEST(Occlusion, CalmFrameIsNotOccluded) {
  EXPECT_FALSE(is_occluded(one_calm_frame()));
  EXPECT_FALSE(is_occluded(one_calm_frame(), face_rule_only()));
}

TEST(Occlusion, FingertipInsideFaceEllipse) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 8, kCx + 0.12f, kCy);  // (0.12/0.13)^2 < 1
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, FingertipJustOutsideFaceEllipse) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 8, kCx + 0.14f, kCy);  // (0.14/0.13)^2 > 1
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
  KeypointSequence diag = one_calm_frame();
  put(diag, 0, kLeftHandBegin + 20, kCx + 0.1f, kCy + 0.1f);  // 2 * (0.1/0.13)^2 > 1
  EXPECT_FALSE(is_occluded(diag, face_rule_only()));
}

TEST(Occlusion, EveryFingertipCountsButOtherJointsDoNot) {
  for (int tip : {4, 8, 12, 16, 20}) {
    KeypointSequence seq = one_calm_frame();
    put(seq, 0, kRightHandBegin + tip, kCx, kCy);
    EXPECT_TRUE(is_occluded(seq, face_rule_only())) << "tip " << tip;
  }
  for (int joint : {1, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19}) {
    KeypointSequence seq = one_calm_frame();
    put(seq, 0, kRightHandBegin + joint, kCx, kCy);
    EXPECT_FALSE(is_occluded(seq, face_rule_only())) << "joint " << joint;
  }
}

TEST(Occlusion, InvisibleFingertipInsideDoesNotCount) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 8, kCx, kCy, false);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, PalmCentreInsideScaledEllipseButOutsideFaceEllipse) {
  KeypointSequence seq = one_calm_frame();
  for (int p : {5, 9, 13, 17}) put(seq, 0, kLeftHandBegin + p, kCx + 0.15f, kCy);
  // 0.15 > 0.13 (outside the face ellipse) but < 0.156 (inside the palm one).
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
  // A fingertip at the same place is not over the face.
  KeypointSequence tip = one_calm_frame();
  put(tip, 0, kLeftHandBegin + 4, kCx + 0.15f, kCy);
  EXPECT_FALSE(is_occluded(tip, face_rule_only()));
}

TEST(Occlusion, PalmCentreOutsideScaledEllipse) {
  KeypointSequence seq = one_calm_frame();
  for (int p : {5, 9, 13, 17}) put(seq, 0, kLeftHandBegin + p, kCx, kCy + 0.17f);  // > 0.156
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, PalmCentreIsTheMeanOfVisiblePalmPointsOnly) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 5, kCx + 0.14f, kCy);
  put(seq, 0, kLeftHandBegin + 9, kCx + 0.16f, kCy);         // alone: outside 0.156
  put(seq, 0, kLeftHandBegin + 13, kCx + 0.4f, kCy, false);  // would pull the mean out
  put(seq, 0, kLeftHandBegin + 17, kCx + 0.4f, kCy, false);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));  // mean 0.15
}

TEST(Occlusion, WristFallbackWhenFewerThanTwoPalmPoints) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 9, kCx, kCy, false);
  put(seq, 0, kLeftHandBegin + 13, kCx, kCy, false);
  put(seq, 0, kLeftHandBegin + 17, kCx, kCy, false);
  // Palm point 5 stays visible but far; the wrist is inside the palm ellipse.
  put(seq, 0, kLeftHandBegin + 0, kCx + 0.15f, kCy);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, InvisibleWristIsNoPalmCentre) {
  KeypointSequence seq = one_calm_frame();
  for (int p : {9, 13, 17}) put(seq, 0, kLeftHandBegin + p, kCx, kCy, false);
  put(seq, 0, kLeftHandBegin + 0, kCx, kCy, false);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, WristIgnoredWhenTwoPalmPointsVisible) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kLeftHandBegin + 13, kCx, kCy, false);
  put(seq, 0, kLeftHandBegin + 17, kCx, kCy, false);
  // Palm points 5 and 9 stay visible and far; the wrist on the face is unused.
  put(seq, 0, kLeftHandBegin + 0, kCx, kCy);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, HandWithThreeVisiblePointsIsIgnored) {
  KeypointSequence seq(1);
  add_pose(seq, 0);
  add_face(seq, 0);
  for (int tip : {4, 8, 12}) put(seq, 0, kLeftHandBegin + tip, kCx, kCy);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
  put(seq, 0, kLeftHandBegin + 16, kCx, kCy);  // a fourth visible point
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, FaceWithFourVisiblePointsHasNoEllipse) {
  KeypointSequence seq = one_calm_frame();
  add_face(seq, 0, 4);
  put(seq, 0, kLeftHandBegin + 8, kCx, kCy);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
  add_face(seq, 0, 5);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, PointOnTheEllipseBoundaryCountsAsInside) {
  // Face box x 0..0.3125, y constant: centre x 0.15625, semi-axis x
  // 0.15625 * 1.3, which rounds to exactly 0.203125, so a fingertip at
  // x = 0.359375 on the centre line gives (dx/a)^2 == 1 exactly.
  KeypointSequence seq = one_calm_frame();
  for (int i = 0; i < kFacePoints; ++i) put(seq, 0, kFaceBegin + i, i == 0 ? 0.0f : 0.3125f, kCy);
  const auto e = face_ellipse_of_frame(seq, 0);
  ASSERT_TRUE(e.has_value());
  ASSERT_EQ(e->cx, 0.15625);
  ASSERT_EQ(e->ax, 0.203125);
  put(seq, 0, kLeftHandBegin + 8, 0.359375f, kCy);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
  put(seq, 0, kLeftHandBegin + 8, std::nextafter(0.359375f, 1.0f), kCy);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, DegenerateFaceUsesMinimumSemiAxis) {
  KeypointSequence seq = one_calm_frame();
  for (int i = 0; i < kFacePoints; ++i) put(seq, 0, kFaceBegin + i, kCx, kCy);
  put(seq, 0, kLeftHandBegin + 8, kCx + 0.0009f, kCy);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
  put(seq, 0, kLeftHandBegin + 8, kCx + 0.0011f, kCy);
  EXPECT_FALSE(is_occluded(seq, face_rule_only()));
}

TEST(Occlusion, FramePropExactlyMet) {
  OcclusionOptions o;  // frame_prop 0.4
  o.min_run = 100;
  KeypointSequence met(10), short_of(10);
  for (int t = 0; t < 10; ++t) {
    if (t % 2 == 0 && t < 8) {
      add_touching_frame(met, t);
    } else {
      add_calm_frame(met, t);
    }
    if (t % 2 == 0 && t < 6) {
      add_touching_frame(short_of, t);
    } else {
      add_calm_frame(short_of, t);
    }
  }
  EXPECT_TRUE(is_occluded(met, o));        // 4 of 10
  EXPECT_FALSE(is_occluded(short_of, o));  // 3 of 10
}

TEST(Occlusion, MinRunExactlyMetVersusOneShort) {
  OcclusionOptions o;
  o.frame_prop = 1.0;
  o.min_run = 5;
  KeypointSequence met(20), short_of(20);
  for (int t = 0; t < 20; ++t) {
    if (t >= 3 && t <= 7) {
      add_touching_frame(met, t);
    } else {
      add_calm_frame(met, t);
    }
    if ((t >= 3 && t <= 6) || (t >= 10 && t <= 13)) {
      add_touching_frame(short_of, t);
    } else {
      add_calm_frame(short_of, t);
    }
  }
  EXPECT_TRUE(is_occluded(met, o));        // run of 5
  EXPECT_FALSE(is_occluded(short_of, o));  // two runs of 4
}

TEST(Occlusion, DefaultMinRunOfFifteen) {
  KeypointSequence seq(100);
  for (int t = 0; t < 100; ++t) {
    if (t >= 50 && t < 65) {
      add_touching_frame(seq, t);
    } else {
      add_calm_frame(seq, t);
    }
  }
  EXPECT_TRUE(is_occluded(seq));  // 15 frames = 0.15 of the clip, but a run of 15
  add_calm_frame(seq, 64);
  EXPECT_FALSE(is_occluded(seq));  // run of 14
}

TEST(Occlusion, RightHandCountsToo) {
  KeypointSequence seq = one_calm_frame();
  put(seq, 0, kRightHandBegin + 12, kCx, kCy + 0.05f);
  EXPECT_TRUE(is_occluded(seq, face_rule_only()));
}

// ---- is_occluded: the visibility fallback ----

TEST(Occlusion, NoFaceFallsBackToVisibility) {
  // Pose + one hand = 46 of 78 visible = 0.59 < 0.6; a fingertip where a face
  // would be changes nothing without a face.
  KeypointSequence seq(1);
  add_pose(seq, 0);
  add_far_hand(seq, 0, kLeftHandBegin);
  put(seq, 0, kLeftHandBegin + 8, kCx, kCy);
  EXPECT_TRUE(is_occluded(seq));
  // Pose + both hands = 67 of 78 visible: not occluded.
  add_far_hand(seq, 0, kRightHandBegin);
  EXPECT_FALSE(is_occluded(seq));
}

TEST(Occlusion, VisibilityThresholdIsStrict) {
  OcclusionOptions o;
  o.vis_thresh = 0.5;
  KeypointSequence at(1), below(1);
  add_frame_with_visible(at, 0, 39);     // 39/78 = 0.5: not below
  add_frame_with_visible(below, 0, 38);  // below
  EXPECT_FALSE(is_occluded(at, o));
  EXPECT_TRUE(is_occluded(below, o));
}

TEST(Occlusion, VisibilityFallbackUsesFramePropAndMinRun) {
  OcclusionOptions o;  // vis_thresh 0.6 -> 46 visible is low, 47 is not
  o.frame_prop = 0.4;
  o.min_run = 3;
  KeypointSequence prop(10), prop_short(10), run(10);
  for (int t = 0; t < 10; ++t) {
    add_frame_with_visible(prop, t, t % 2 == 0 && t < 8 ? 46 : 47);        // 4 of 10, runs 1
    add_frame_with_visible(prop_short, t, t % 2 == 0 && t < 6 ? 46 : 47);  // 3 of 10
    add_frame_with_visible(run, t, t >= 4 && t <= 6 ? 0 : 60);             // run of 3
  }
  EXPECT_TRUE(is_occluded(prop, o));
  EXPECT_FALSE(is_occluded(prop_short, o));
  o.frame_prop = 1.0;
  EXPECT_TRUE(is_occluded(run, o));
  o.min_run = 4;
  EXPECT_FALSE(is_occluded(run, o));
}

TEST(Occlusion, FaceRuleDecidesWhenItFlagsAnyFrame) {
  OcclusionOptions o;
  o.vis_thresh = 0.99;  // 78 of 78 visible is fine, anything less is "low"
  o.min_run = 100;
  // Every frame has one hand point hidden, so visibility alone would flag all.
  KeypointSequence seq(10);
  for (int t = 0; t < 10; ++t) {
    add_calm_frame(seq, t);
    seq.set_visible(t, kRightHandBegin + 1, false);
  }
  EXPECT_TRUE(is_occluded(seq, o));  // no hand over the face: visibility decides
  put(seq, 3, kLeftHandBegin + 8, kCx, kCy);
  EXPECT_FALSE(is_occluded(seq, o));  // the face rule flags 1 of 10 and decides
}

TEST(Occlusion, FramesWithoutFaceAreNotFlaggedByTheFaceRule) {
  OcclusionOptions o;
  o.frame_prop = 0.5;
  o.min_run = 100;
  // Frame 0 has a face and a touching hand; frame 1 has no face at all and
  // low visibility. The face rule flags 1 of 2 frames (0.5): occluded.
  KeypointSequence seq(2);
  add_touching_frame(seq, 0);
  add_frame_with_visible(seq, 1, 10);
  EXPECT_TRUE(is_occluded(seq, o));
  o.frame_prop = 0.6;
  EXPECT_FALSE(is_occluded(seq, o));
}

}  // namespace
}  // namespace signprep::features
