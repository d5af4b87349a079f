// The detection and landmark decoding steps against hand-computed values of
// MediaPipe's calculators (formulas in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "landmarks/landmark_decoding.h"
#include "landmarks/roi.h"
#include "landmarks/ssd_decoding.h"

namespace signprep::landmarks {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;

TEST(Anchors, PoseDetectorGridMatchesTheModelsBoxCount) {
  // pose_detection.tflite outputs 2254 boxes: 28x28x2 + 14x14x2 + 7x7x6.
  const auto anchors =
      generate_anchors({224, 224, 0.1484375f, 0.75f, 0.5f, 0.5f, {8, 16, 32, 32, 32}});
  ASSERT_EQ(anchors.size(), 2254u);
  EXPECT_FLOAT_EQ(anchors[0].x_center, 0.5f / 28);
  EXPECT_FLOAT_EQ(anchors[1].x_center, 0.5f / 28);  // two anchors per cell
  EXPECT_FLOAT_EQ(anchors[2].x_center, 1.5f / 28);
  EXPECT_FLOAT_EQ(anchors[1568].x_center, 0.5f / 14);  // first of the stride-16 grid
  EXPECT_FLOAT_EQ(anchors[2253].x_center, 6.5f / 7);
  EXPECT_FLOAT_EQ(anchors[2253].y_center, 6.5f / 7);
  EXPECT_FLOAT_EQ(anchors[2253].width, 1.0f);
}

TEST(DecodeDetections, ScalesOffsetsByTheAnchorAndThresholdsTheSigmoidScore) {
  const std::vector<Anchor> anchors = {{0.25f, 0.75f, 1, 1}, {0.5f, 0.5f, 1, 1}};
  // Box: x, y, w, h, then one keypoint (x, y), in input pixels of a 100 px input.
  const std::vector<float> boxes = {10, -20, 30, 40, 5, 5, /*second*/ 0, 0, 10, 10, 0, 0};
  const std::vector<float> scores = {0.0f, -1.0f};  // sigmoid: 0.5, 0.269
  const DetectionDecodeOptions options{6, 1, 100, 100, 100, 100, 100, 0.5f};
  const auto detections = decode_detections(boxes, scores, anchors, options);
  ASSERT_EQ(detections.size(), 1u);
  const Detection& d = detections[0];
  EXPECT_FLOAT_EQ(d.score, 0.5f);
  EXPECT_FLOAT_EQ(d.xmin, 0.35f - 0.15f);  // centre 0.25 + 0.1, width 0.3
  EXPECT_FLOAT_EQ(d.ymin, 0.55f - 0.2f);   // centre 0.75 - 0.2, height 0.4
  EXPECT_FLOAT_EQ(d.width, 0.3f);
  EXPECT_FLOAT_EQ(d.height, 0.4f);
  EXPECT_FLOAT_EQ(d.keypoints[0].x, 0.3f);
  EXPECT_FLOAT_EQ(d.keypoints[0].y, 0.8f);
}

TEST(DecodeDetections, DropsNegativeSizesAndClipsScores) {
  const std::vector<Anchor> anchors = {{0.5f, 0.5f, 1, 1}, {0.5f, 0.5f, 1, 1}};
  const std::vector<float> boxes = {0, 0, -1, 1, 0, 0, 1, 1};
  const std::vector<float> scores = {5.0f, 1000.0f};  // 1000 is clipped to 100: sigmoid ~ 1
  const auto detections =
      decode_detections(boxes, scores, anchors, {4, 0, 10, 10, 10, 10, 100, 0.5f});
  ASSERT_EQ(detections.size(), 1u);
  EXPECT_FLOAT_EQ(detections[0].score, 1.0f);
}

TEST(WeightedNms, AveragesAClusterByScoreAndKeepsTheBestScore) {
  std::vector<Detection> detections = {
      {0.6f, 0.0f, 0.0f, 1.0f, 1.0f, {{0.0f, 0.0f}}},
      {0.9f, 0.1f, 0.0f, 1.0f, 1.0f, {{1.0f, 1.0f}}},  // IoU with the first: 0.9/1.1 > 0.3
      {0.8f, 5.0f, 5.0f, 1.0f, 1.0f, {{5.0f, 5.0f}}},  // far away: its own cluster
  };
  const auto kept = weighted_non_max_suppression(detections, 0.3f);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_FLOAT_EQ(kept[0].xmin, (0.1f * 0.9f + 0.0f * 0.6f) / 1.5f);
  EXPECT_FLOAT_EQ(kept[0].width, (1.1f * 0.9f + 1.0f * 0.6f) / 1.5f - kept[0].xmin);
  EXPECT_FLOAT_EQ(kept[0].keypoints[0].x, 0.9f / 1.5f);
  EXPECT_FLOAT_EQ(kept[1].score, 0.8f);
  EXPECT_FLOAT_EQ(kept[1].xmin, 5.0f);
}

TEST(Roi, AlignmentPointsGiveASquareTurnedSoTheVectorPointsUp) {
  // On a 200x100 image, hips at (100,50) px, size point 20 px to the right:
  // box side 40 px; the vector points at 0 rad, the target is 90 degrees, so
  // the rectangle turns by +90 degrees.
  const NormalizedRect rect =
      rect_from_alignment_points({0.5f, 0.5f}, {0.6f, 0.5f}, kPi / 2, {200, 100});
  EXPECT_FLOAT_EQ(rect.x_center, 0.5f);
  EXPECT_NEAR(rect.width, 40.0f / 200, 1e-6);  // 0.6 * 200 is not exactly 120 in float
  EXPECT_NEAR(rect.height, 40.0f / 100, 1e-6);
  EXPECT_NEAR(rect.rotation, kPi / 2, 1e-6);
  // Pointing up already: no rotation.
  EXPECT_NEAR(rect_from_alignment_points({0.5f, 0.5f}, {0.5f, 0.4f}, kPi / 2, {200, 100}).rotation,
              0, 1e-6);
  // Pointing down: +-pi (normalised into [-pi, pi)).
  EXPECT_NEAR(
      std::abs(
          rect_from_alignment_points({0.5f, 0.5f}, {0.5f, 0.6f}, kPi / 2, {200, 100}).rotation),
      kPi, 1e-6);
}

TEST(Roi, ScaleRectSquaresOnTheLongSideInPixels) {
  const NormalizedRect rect =
      scale_rect({0.5f, 0.5f, 0.1f, 0.4f, 0.3f}, {200, 100}, 1.25f, 1.25f, true);
  // 0.1 x 200 = 20 px wide, 0.4 x 100 = 40 px high -> 40 x 40 px, then x1.25.
  EXPECT_FLOAT_EQ(rect.width, 50.0f / 200);
  EXPECT_FLOAT_EQ(rect.height, 50.0f / 100);
  EXPECT_FLOAT_EQ(rect.rotation, 0.3f);
}

TEST(Roi, CropKeepsAspectRatioByPaddingAndRemovalUndoesIt) {
  image::Image frame(40, 20);
  for (std::size_t i = 0; i < frame.pixels.size(); ++i) frame.pixels[i] = 255;
  std::vector<float> tensor(10 * 10 * 3);
  const LetterboxPadding padding = crop_to_tensor(
      frame.view(), nullptr, {10, 10, true, {0, 1}, image::BorderMode::kZero}, tensor);
  EXPECT_FLOAT_EQ(padding[0], 0.0f);
  EXPECT_FLOAT_EQ(padding[1], 0.25f);  // a 40x20 image in a square: a quarter above and below
  EXPECT_FLOAT_EQ(tensor[0], 0.0f);    // top row: padding (zero border)
  EXPECT_FLOAT_EQ(tensor[5 * 10 * 3], 1.0f);  // middle row: the image
  std::vector<Landmark> landmarks = {{0.5f, 0.25f, 0.1f, 0, 0}};
  remove_letterbox(landmarks, padding);
  EXPECT_FLOAT_EQ(landmarks[0].y, 0.0f);
  EXPECT_FLOAT_EQ(landmarks[0].z, 0.1f);
}

TEST(Roi, ProjectionRotatesAboutTheRoiCentre) {
  std::vector<Landmark> landmarks = {{1.0f, 0.5f, 0.5f, 0, 0}};  // right edge of the ROI
  project_to_image(landmarks, {0.5f, 0.5f, 0.2f, 0.4f, kPi / 2});
  // Turned a quarter clockwise on screen: the right edge goes to the bottom.
  EXPECT_NEAR(landmarks[0].x, 0.5f, 1e-6);
  EXPECT_NEAR(landmarks[0].y, 0.5f + 0.5f * 0.4f, 1e-6);
  EXPECT_FLOAT_EQ(landmarks[0].z, 0.5f * 0.2f);
}

TEST(LandmarkDecoding, NormalisesAndAppliesSigmoidToVisibilityAndPresence) {
  const std::vector<float> raw = {128, 64, 32, 0, 2};
  const auto landmarks = decode_landmarks(raw, 1, 256, 128);
  EXPECT_FLOAT_EQ(landmarks[0].x, 0.5f);
  EXPECT_FLOAT_EQ(landmarks[0].y, 0.5f);
  EXPECT_FLOAT_EQ(landmarks[0].z, 0.125f);
  EXPECT_FLOAT_EQ(landmarks[0].visibility, 0.5f);
  EXPECT_FLOAT_EQ(landmarks[0].presence, 1.0f / (1.0f + std::exp(-2.0f)));
}

TEST(LandmarkDecoding, HeatmapRefinementTakesTheWeightedMeanWhenConfident) {
  // 8x8 heatmap, one channel: two confident cells at columns 3 and 4 of row 2,
  // every other cell sigmoid(-30) ~ 0.
  std::vector<float> heatmap(64, -30.0f);
  heatmap[2 * 8 + 3] = 30.0f;
  heatmap[2 * 8 + 4] = 30.0f;
  std::vector<Landmark> landmarks = {{0.45f, 0.3f, 0, 0, 0}};  // cell (3, 2)
  refine_from_heatmap(landmarks, heatmap, {8, 8, 1}, 7, 0.5f);
  EXPECT_NEAR(landmarks[0].x, 3.5f / 8, 1e-6);
  EXPECT_NEAR(landmarks[0].y, 2.0f / 8, 1e-6);
  // Not confident enough: unchanged.
  std::vector<float> flat(64, -1.0f);
  std::vector<Landmark> unchanged = {{0.45f, 0.3f, 0, 0, 0}};
  refine_from_heatmap(unchanged, flat, {8, 8, 1}, 7, 0.5f);
  EXPECT_FLOAT_EQ(unchanged[0].x, 0.45f);
}

}  // namespace
}  // namespace signprep::landmarks
