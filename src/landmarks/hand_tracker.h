// The hand half of MediaPipe Holistic (HandLandmarksLeftAndRightGpu,
// mediapipe/modules/holistic_landmark/hand_landmarks_left_and_right_gpu.pbtxt,
// one HandLandmarksFromPoseGpu per side): hands are found from the pose, not
// by palm detection. Every frame, per side, the pose's wrist, pinky and index
// landmarks give a search ROI when the pose wrist is visible; hand_recrop
// refines it to a re-crop ROI; the previous frame's hand ROI is kept instead
// while the hand moved little (HandTracking); and hand_landmark_full predicts
// 21 landmarks in that ROI, kept when its hand flag passes 0.5. Holistic
// smooths none of it (no LandmarksSmoothing node in these graphs).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "image/image.h"
#include "landmarks/pose_tracker.h"
#include "landmarks/roi.h"
#include "landmarks/types.h"
#include "nn/model.h"

namespace signprep::landmarks {

inline constexpr int kHandLandmarkCount = 21;

// hand_landmark_full's outputs that Holistic reads, the only ones the tracker
// computes (nn::ModelOptions::outputs_read): landmarks and hand flag; not the
// handedness (Holistic names the hands from the pose) nor the world landmarks.
inline constexpr std::array<int, 2> kHandLandmarkOutputsRead = {0, 1};

// SplitNormalizedLandmarkListCalculator nodes of
// hand_landmarks_left_and_right_gpu.pbtxt: the pose's wrist, pinky and index
// of each side, in that order. "Left" is the person's left (LEFT_WRIST, 15).
inline constexpr std::array<int, 3> kLeftHandPoseLandmarks = {15, 17, 19};
inline constexpr std::array<int, 3> kRightHandPoseLandmarks = {16, 18, 20};

struct HandTrackerOptions {
  std::filesystem::path models_dir = "models";  // hand_recrop.tflite, hand_landmark_full.tflite
  nn::ModelOptions model_options;
  float crop_shift_px = 0;  // a diagnostic: PoseTrackerOptions::crop_shift_px
};

struct Hand {
  std::vector<Landmark> landmarks;  // kHandLandmarkCount, normalised to the frame
};

struct Hands {
  std::optional<Hand> left, right;  // the person's left and right hand
};

class HandTracker {
 public:
  // Throws Error(kModel) when a model is missing or unreadable.
  explicit HandTracker(const HandTrackerOptions& options);
  HandTracker(HandTracker&&) noexcept;
  HandTracker& operator=(HandTracker&&) noexcept;
  ~HandTracker();

  // One frame of a video, in order: the RGB frame Holistic sees and this
  // frame's (smoothed) pose, of which landmarks 15..20 are used. Each hand is
  // nothing when there is no pose, its pose wrist is not visible, or the
  // landmark model's hand flag is not above 0.5. Nothing in the hand graphs
  // depends on time, so the timestamp only keeps the trackers' calls alike.
  // Throws std::invalid_argument when the pose has fewer than 21 landmarks.
  Hands process(const image::ImageView& frame, const std::optional<Pose>& pose,
                std::int64_t timestamp_us);

  // Forgets the previous frame's hands (a new video).
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- The graph's steps, exposed for tests. Rects are normalised to `image`.

// HandVisibilityFromHandLandmarksFromPose: the pose wrist's visibility above
// 0.1 (ThresholdingCalculator) lets the side's hand graph run this frame.
bool hand_visible_in_pose(const Landmark& pose_wrist);

// HandLandmarksFromPoseToRecropRoi: a square centred on the estimated middle
// finger base ((2 index + pinky) / 3), side twice its distance to the wrist,
// turned so that wrist -> middle points up; shifted a tenth of its side
// towards the fingers, squared and scaled by 2.7. `wrist_pinky_index` are
// the three pose landmarks in that order.
NormalizedRect hand_roi_from_pose(std::span<const Landmark> wrist_pinky_index, ImageSize image);

// HandRecropByRoiGpu after the model: its two points (in frame coordinates)
// give a square centred on the first, side twice the distance to the second,
// turned so that first -> second points down; then shifted a tenth of its
// side towards the fingers (square, scale 1).
NormalizedRect hand_roi_from_recrop(std::span<const Landmark> recrop_points, ImageSize image);

// HandLandmarksToRoi (holistic_landmark/hand_landmarks_to_roi.pbtxt): the
// box of the wrist and the fingers' two lowest joints (landmarks 0-3, 5, 6,
// 9, 10, 13, 14, 17, 18), turned so that the vector from the wrist to the
// index/middle/ring knuckles (5, 9, 13) points up
// (HandLandmarksToRectCalculator); shifted a tenth up, squared, doubled.
NormalizedRect hand_roi_from_landmarks(std::span<const Landmark> landmarks, ImageSize image);

// HandTracking's RoiTrackingCalculator options (hand_tracking.pbtxt).
inline constexpr RoiTrackingRequirements kHandTrackingRequirements{
    .rotation_degrees = 40.0f, .translation = 0.2f, .scale = 0.4f, .recrop_rect_margin = -0.1f};

}  // namespace signprep::landmarks
