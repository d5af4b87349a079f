// The hand subgraphs: each ROI step against hand-computed values of
// MediaPipe's calculators, the pose-wrist gate, and HandTracker end to end
// against MediaPipe's own Holistic (fed the golden pose, so that only the
// hand half is measured), including the left/right mapping and the gate on
// real frames.
#include "landmarks/hand_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "golden_holistic.h"
#include "image/resize.h"
#include "landmarks/segmentation.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::landmarks {
namespace {

using test_support::golden_pose;
using test_support::GoldenFile;
using test_support::percentile;

constexpr float kPi = std::numbers::pi_v<float>;
constexpr ImageSize kSquare{256, 256};

// ---- the pose-wrist gate and the sides

TEST(HandVisibleInPose, NeedsWristVisibilityAboveATenth) {
  EXPECT_FALSE(hand_visible_in_pose({.visibility = 0.0f}));
  EXPECT_FALSE(hand_visible_in_pose({.visibility = 0.0999f}));
  // The threshold is a double: 0.1f, widened, lies just above it.
  EXPECT_TRUE(hand_visible_in_pose({.visibility = 0.1f}));
  EXPECT_TRUE(hand_visible_in_pose({.visibility = 0.9f}));
}

TEST(HandPoseLandmarks, LeftIsThePersonsLeftWristPinkyIndex) {
  // BlazePose: 15/16 wrists, 17/18 pinkies, 19/20 index fingers; odd = left.
  EXPECT_EQ(kLeftHandPoseLandmarks, (std::array<int, 3>{15, 17, 19}));
  EXPECT_EQ(kRightHandPoseLandmarks, (std::array<int, 3>{16, 18, 20}));
}

// ---- HandLandmarksFromPoseToRecropRoi

// Wrist below, index and pinky above it, so that (2 index + pinky) / 3 lies
// straight above the wrist at (0.5, 0.5).
std::vector<Landmark> upright_wrist_pinky_index() {
  return {{0.5f, 0.6f}, {0.47f, 0.5f}, {0.515f, 0.5f}};
}

TEST(HandRoiFromPose, CentresOnTheMiddleFingerAndExpandsTwicePointSevenFold) {
  const NormalizedRect roi = hand_roi_from_pose(upright_wrist_pinky_index(), kSquare);
  // Side 2 x 0.1 = 0.2, shifted up by 0.1 x 0.2, then x2.7.
  EXPECT_NEAR(roi.x_center, 0.5f, 1e-6f);
  EXPECT_NEAR(roi.y_center, 0.48f, 1e-6f);
  EXPECT_NEAR(roi.width, 0.54f, 1e-5f);
  EXPECT_NEAR(roi.height, 0.54f, 1e-5f);
  EXPECT_NEAR(roi.rotation, 0.0f, 1e-6f);
}

TEST(HandRoiFromPose, SizesInPixelsOnANonSquareImage) {
  // 256x128: the wrist-middle distance is 0.1 x 128 = 12.8 px, the box 25.6 px.
  const NormalizedRect roi = hand_roi_from_pose(upright_wrist_pinky_index(), {256, 128});
  EXPECT_NEAR(roi.width, 2.7f * 25.6f / 256, 1e-5f);
  EXPECT_NEAR(roi.height, 2.7f * 25.6f / 128, 1e-5f);
  EXPECT_NEAR(roi.y_center, 0.5f - 0.1f * 25.6f / 128, 1e-6f);
}

TEST(HandRoiFromPose, TurnsAndShiftsTowardsTheFingers) {
  // Fingers to the right of the wrist: turned 90 degrees clockwise, and the
  // "up" shift moves the centre right.
  const std::vector<Landmark> pointing_right = {{0.4f, 0.5f}, {0.5f, 0.53f}, {0.5f, 0.485f}};
  const NormalizedRect roi = hand_roi_from_pose(pointing_right, kSquare);
  EXPECT_NEAR(roi.rotation, kPi / 2, 1e-6f);
  EXPECT_NEAR(roi.x_center, 0.5f + 0.02f, 1e-6f);
  EXPECT_NEAR(roi.y_center, 0.5f, 1e-6f);
  EXPECT_NEAR(roi.width, 0.54f, 1e-5f);
}

TEST(HandRoiFromPose, NeedsThreeLandmarks) {
  std::vector<Landmark> two = upright_wrist_pinky_index();
  two.pop_back();
  EXPECT_THROW(hand_roi_from_pose(two, kSquare), std::invalid_argument);
}

// ---- HandRecropByRoi's rect

TEST(HandRoiFromRecrop, SecondPointBelowTheFirstMeansUpright) {
  const std::vector<Landmark> points = {{0.5f, 0.5f}, {0.5f, 0.6f}};
  const NormalizedRect roi = hand_roi_from_recrop(points, kSquare);
  EXPECT_NEAR(roi.x_center, 0.5f, 1e-6f);
  EXPECT_NEAR(roi.y_center, 0.48f, 1e-6f);  // shifted up by a tenth of 0.2
  EXPECT_NEAR(roi.width, 0.2f, 1e-6f);
  EXPECT_NEAR(roi.height, 0.2f, 1e-6f);
  EXPECT_NEAR(roi.rotation, 0.0f, 1e-6f);
}

TEST(HandRoiFromRecrop, SecondPointLeftOfTheFirstTurnsClockwise) {
  // The wrist side is on the left: fingers point right, 90 degrees clockwise.
  const std::vector<Landmark> points = {{0.5f, 0.5f}, {0.45f, 0.5f}};
  const NormalizedRect roi = hand_roi_from_recrop(points, kSquare);
  EXPECT_NEAR(roi.rotation, kPi / 2, 1e-6f);
  EXPECT_NEAR(roi.x_center, 0.51f, 1e-6f);
  EXPECT_NEAR(roi.width, 0.1f, 1e-6f);
}

// ---- HandLandmarksToRoi

// An upright hand: wrist at (0.5, 0.7), the palm's joints inside x 0.4..0.6,
// y 0.5..0.7, the MCPs 5 / 9 / 13 level with each other; fingertips (4, 8,
// 12, 16, 20) and the DIPs far above, where they must not count.
std::vector<Landmark> upright_hand() {
  std::vector<Landmark> hand(21, Landmark{0.5f, 0.05f});
  hand[0] = {0.5f, 0.7f};
  hand[1] = {0.4f, 0.65f};
  hand[2] = {0.42f, 0.6f};
  hand[3] = {0.43f, 0.55f};
  hand[5] = {0.45f, 0.55f};
  hand[6] = {0.45f, 0.5f};
  hand[9] = {0.5f, 0.55f};
  hand[10] = {0.5f, 0.5f};
  hand[13] = {0.55f, 0.55f};
  hand[14] = {0.55f, 0.5f};
  hand[17] = {0.6f, 0.57f};
  hand[18] = {0.6f, 0.52f};
  return hand;
}

TEST(HandRoiFromLandmarks, BoxesThePalmJointsOnlyShiftedUpAndDoubled) {
  const NormalizedRect roi = hand_roi_from_landmarks(upright_hand(), kSquare);
  // Box x 0.4..0.6, y 0.5..0.7; shifted up by 0.1 x 0.2; squared; doubled.
  EXPECT_NEAR(roi.rotation, 0.0f, 1e-6f);
  EXPECT_NEAR(roi.x_center, 0.5f, 1e-6f);
  EXPECT_NEAR(roi.y_center, 0.58f, 1e-6f);
  EXPECT_NEAR(roi.width, 0.4f, 1e-6f);
  EXPECT_NEAR(roi.height, 0.4f, 1e-6f);
}

TEST(HandRoiFromLandmarks, TurnsWithTheWristToKnucklesVector) {
  // The same hand turned 90 degrees clockwise about the image centre,
  // fingers to the right: the rect turns with it, its box measured along the
  // hand's own axes and shifted towards the fingers (+x).
  std::vector<Landmark> hand = upright_hand();
  for (Landmark& l : hand) l = {1.0f - l.y, l.x};
  const NormalizedRect roi = hand_roi_from_landmarks(hand, kSquare);
  EXPECT_NEAR(roi.rotation, kPi / 2, 1e-6f);
  EXPECT_NEAR(roi.x_center, 0.42f, 1e-6f);
  EXPECT_NEAR(roi.y_center, 0.5f, 1e-6f);
  EXPECT_NEAR(roi.width, 0.4f, 1e-5f);
}

TEST(HandRoiFromLandmarks, NeedsTwentyOneLandmarks) {
  std::vector<Landmark> hand = upright_hand();
  hand.pop_back();
  EXPECT_THROW(hand_roi_from_landmarks(hand, kSquare), std::invalid_argument);
}

TEST(HandTrackingRequirements, AreHandTrackingPbtxts) {
  EXPECT_FLOAT_EQ(kHandTrackingRequirements.rotation_degrees, 40.0f);
  EXPECT_FLOAT_EQ(kHandTrackingRequirements.translation, 0.2f);
  EXPECT_FLOAT_EQ(kHandTrackingRequirements.scale, 0.4f);
  EXPECT_FLOAT_EQ(kHandTrackingRequirements.recrop_rect_margin, -0.1f);
  // A hand that moved by 0.15 of its re-crop rect is still tracked (its
  // fingertips brought in, as the landmarks must lie in the re-crop rect).
  std::vector<Landmark> hand = upright_hand();
  for (int tip : {4, 7, 8, 11, 12, 15, 16, 19, 20}) hand[tip] = {0.5f, 0.45f};
  const NormalizedRect previous = hand_roi_from_landmarks(hand, kSquare);
  NormalizedRect recrop = previous;
  recrop.x_center += 0.15f * recrop.width;
  EXPECT_TRUE(keeps_tracking(hand, previous, recrop, kSquare, kHandTrackingRequirements));
  recrop.x_center += 0.1f * recrop.width;
  EXPECT_FALSE(keeps_tracking(hand, previous, recrop, kSquare, kHandTrackingRequirements));
}

// ---- HandTracker

const std::filesystem::path kModels = SIGNPREP_MODELS_DIR;

HandTrackerOptions models_in(const std::filesystem::path& dir) {
  HandTrackerOptions options;
  options.models_dir = dir;
  return options;
}

bool models_present() {
  return std::filesystem::exists(kModels / "hand_recrop.tflite") &&
         std::filesystem::exists(kModels / "hand_landmark_full.tflite") &&
         std::filesystem::exists(kModels / "selfie_segmentation_landscape.tflite");
}

TEST(HandTracker, NeedsAPoseWithHandLandmarks) {
  if (!models_present()) GTEST_SKIP() << "models/ not set up (scripts/setup)";
  HandTracker tracker(models_in(kModels));
  const image::Image black(256, 256);
  const Hands none = tracker.process(black.view(), std::nullopt, 33333);
  EXPECT_FALSE(none.left);
  EXPECT_FALSE(none.right);
  EXPECT_THROW(tracker.process(black.view(), Pose{std::vector<Landmark>(20), {}}, 66666),
               std::invalid_argument);
}

TEST(HandTracker, MissingModelIsAModelError) {
  EXPECT_THROW(HandTracker(models_in("/nonexistent")), Error);
}

// ---- against MediaPipe's Holistic (golden files of the sample clips)

struct Golden {
  std::vector<std::int64_t> timestamps_ms;
  std::vector<float> pose;  // [T,33,4]: x, y, z, visibility
  std::vector<std::uint8_t> pose_present;
  std::vector<float> left, right;  // [T,21,3]
  std::vector<std::uint8_t> left_present, right_present;
};

Golden load_golden(const std::string& clip) {
  const std::filesystem::path path = std::filesystem::path(SIGNPREP_GOLDEN_DIR) / (clip + ".npz");
  const GoldenFile file(path);
  return {file["timestamps_ms"].int64_values(),    file["pose"].float32_values(),
          file["pose_present"].bool_values(),      file["left_hand"].float32_values(),
          file["right_hand"].float32_values(),     file["left_hand_present"].bool_values(),
          file["right_hand_present"].bool_values()};
}

struct Agreement {
  int frames = 0, same_presence = 0, both = 0;
  std::vector<double> deltas;  // |dx| and |dy| where both found the hand
  double presence() const { return double(same_presence) / frames; }
};

void compare_side(const std::optional<Hand>& hand, bool golden_present, const float* golden,
                  Agreement& agreement) {
  ++agreement.frames;
  agreement.same_presence += hand.has_value() == golden_present ? 1 : 0;
  if (!hand || !golden_present) return;
  ++agreement.both;
  for (std::size_t i = 0; i < kHandLandmarkCount; ++i) {
    const Landmark& l = hand->landmarks[i];
    agreement.deltas.push_back(std::abs(double(l.x) - golden[i * 3]));
    agreement.deltas.push_back(std::abs(double(l.y) - golden[i * 3 + 1]));
  }
}

// The keypoint branch's frames: 30 fps, 256x256 INTER_AREA, segmentation
// composite, as the golden files were made.
class CompositeFrames {
 public:
  explicit CompositeFrames(const std::string& clip)
      : segmenter_(kModels / "selfie_segmentation_landscape.tflite"),
        reader_(std::filesystem::path(SIGNPREP_SAMPLES_DIR) / (clip + ".mp4")),
        sampler_(30.0) {}

  // The next kept frame and its stored timestamp, or nothing at the end.
  std::optional<image::Image> next(std::int64_t& timestamp_ms) {
    while (reader_.next_frame()) {
      if (!sampler_.keep(reader_.timestamp_ms())) continue;
      timestamp_ms = video::FrameSampler::stored_timestamp(reader_.timestamp_ms());
      const image::Image frame = image::resize_area(reader_.to_rgb().view(), 256, 256);
      return composite_foreground(frame.view(), segmenter_.segment(frame.view())).image;
    }
    return std::nullopt;
  }

 private:
  SelfieSegmenter segmenter_;
  video::VideoReader reader_;
  video::FrameSampler sampler_;
};

struct ClipAgreement {
  Agreement left, right;
};

ClipAgreement run_clip(const std::string& clip, const Golden& golden) {
  CompositeFrames frames(clip);
  HandTracker tracker(models_in(kModels));
  ClipAgreement a;
  std::size_t t = 0;
  std::int64_t timestamp_ms = 0;
  while (const std::optional<image::Image> frame = frames.next(timestamp_ms)) {
    EXPECT_EQ(timestamp_ms, golden.timestamps_ms.at(t));
    const Hands hands =
        tracker.process(frame->view(), golden_pose(golden.pose, golden.pose_present, t),
                        static_cast<std::int64_t>(t + 1) * 33333);
    compare_side(hands.left, golden.left_present[t] != 0, &golden.left[t * 63], a.left);
    compare_side(hands.right, golden.right_present[t] != 0, &golden.right[t * 63], a.right);
    ++t;
  }
  EXPECT_EQ(t, golden.timestamps_ms.size());
  return a;
}

void report(const std::string& clip, const char* side, const Agreement& a) {
  std::cout << clip << " " << side << ": " << a.frames << " frames, " << a.both
            << " with both, presence agreement " << a.presence() << "; |dx|,|dy| median "
            << percentile(a.deltas, 0.5) << " p95 " << percentile(a.deltas, 0.95) << " max "
            << percentile(a.deltas, 1.0) << "\n";
}

void expect_within_issue_bounds(const Agreement& a) {
  EXPECT_GE(a.presence(), 0.97);
  EXPECT_LE(percentile(a.deltas, 0.5), 0.005);
  EXPECT_LE(percentile(a.deltas, 0.95), 0.02);
}

class AgainstMediaPipe : public ::testing::TestWithParam<std::string> {};

TEST_P(AgainstMediaPipe, HandsMatchTheGoldenHolisticGivenItsPose) {
  if (!models_present()) GTEST_SKIP() << "models/ not set up (scripts/setup)";
  const Golden golden = load_golden(GetParam());
  const ClipAgreement a = run_clip(GetParam(), golden);
  report(GetParam(), "left", a.left);
  report(GetParam(), "right", a.right);
  // Issue 5's bounds for each hand block.
  expect_within_issue_bounds(a.left);
  expect_within_issue_bounds(a.right);
  // Given MediaPipe's own pose, signprep reproduces its hands to float
  // rounding (medians ~1e-6). These tighter bounds keep it so.
  for (const Agreement* side : {&a.left, &a.right}) {
    EXPECT_EQ(side->same_presence, side->frames);
    EXPECT_LE(percentile(side->deltas, 0.5), 1e-4);
    EXPECT_LE(percentile(side->deltas, 0.95), 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Clips, AgainstMediaPipe,
                         ::testing::Values("wave_webcam_540x720p30", "webcam_man_480p15",
                                           "numbers_20_90_144p12"));

// The first frame of webcam_man_480p15 on which the golden output has both
// hands apart (frame 74; on the frames before, MediaPipe's two hands overlap),
// reached by tracking the frames before it with the golden poses: the left
// result lies on the golden left hand, and hiding one pose wrist on that
// frame drops only that side's hand.
class OneFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!models_present()) GTEST_SKIP() << "models/ not set up (scripts/setup)";
    golden_ = load_golden("webcam_man_480p15");
    CompositeFrames frames("webcam_man_480p15");
    std::int64_t timestamp_ms = 0;
    while (std::optional<image::Image> frame = frames.next(timestamp_ms)) {
      frames_.push_back(std::move(*frame));
      const std::size_t t = frames_.size() - 1;
      if (golden_.left_present[t] && golden_.right_present[t] &&
          mean_distance(&golden_.left[t * 63], &golden_.right[t * 63]) > 0.07) {
        return;
      }
    }
    FAIL() << "no frame with both hands apart";
  }

  // The tracker over the frames before the chosen one, then `pose` on it.
  Hands run(const Pose& pose) {
    HandTracker tracker(models_in(kModels));
    const std::size_t last = frames_.size() - 1;
    for (std::size_t t = 0; t < last; ++t) {
      tracker.process(frames_[t].view(), golden_pose(golden_.pose, golden_.pose_present, t),
                      static_cast<std::int64_t>(t + 1) * 33333);
    }
    return tracker.process(frames_[last].view(), pose, static_cast<std::int64_t>(last + 1) * 33333);
  }

  Pose chosen_pose() const {
    return *golden_pose(golden_.pose, golden_.pose_present, frames_.size() - 1);
  }
  const float* golden_left() const { return &golden_.left[(frames_.size() - 1) * 63]; }
  const float* golden_right() const { return &golden_.right[(frames_.size() - 1) * 63]; }

  // Mean |dx| + |dy| over the 21 landmarks of two hands ([21,3] each).
  static double mean_distance(const float* a, const float* b) {
    double sum = 0;
    for (std::size_t i = 0; i < kHandLandmarkCount; ++i) {
      sum += std::abs(double(a[i * 3]) - b[i * 3]) + std::abs(double(a[i * 3 + 1]) - b[i * 3 + 1]);
    }
    return sum / kHandLandmarkCount;
  }
  static double mean_distance(const Hand& hand, const float* golden) {
    std::vector<float> xyz;
    for (const Landmark& l : hand.landmarks) xyz.insert(xyz.end(), {l.x, l.y, l.z});
    return mean_distance(xyz.data(), golden);
  }

  Golden golden_;
  std::vector<image::Image> frames_;
};

TEST_F(OneFrame, LeftIsTheHandOnThePosesLeftWrist) {
  const Hands hands = run(chosen_pose());
  ASSERT_TRUE(hands.left);
  ASSERT_TRUE(hands.right);
  EXPECT_LT(mean_distance(*hands.left, golden_left()), 1e-3);
  EXPECT_LT(mean_distance(*hands.right, golden_right()), 1e-3);
}

TEST_F(OneFrame, AnInvisibleWristDropsOnlyItsHand) {
  Pose pose = chosen_pose();
  pose.landmarks[15].visibility = 0.05f;
  Hands hands = run(pose);
  EXPECT_FALSE(hands.left);
  EXPECT_TRUE(hands.right);
  pose = chosen_pose();
  pose.landmarks[16].visibility = 0.09f;
  // The pinky and index visibilities do not gate.
  pose.landmarks[17].visibility = pose.landmarks[19].visibility = 0.0f;
  hands = run(pose);
  EXPECT_TRUE(hands.left);
  EXPECT_FALSE(hands.right);
}

}  // namespace
}  // namespace signprep::landmarks
