// Pose tracking as MediaPipe Holistic runs it (PoseLandmarkGpu,
// model_complexity 1): detect a pose only when none is tracked, crop the pose
// ROI, run pose_landmark_full, keep the pose while its presence score passes
// min_tracking_confidence, smooth the landmarks, and derive the next frame's
// ROI from the smoothed auxiliary landmarks.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "image/image.h"
#include "landmarks/types.h"
#include "nn/model.h"

namespace signprep::landmarks {

inline constexpr int kPoseLandmarkCount = 33;

// pose_landmark_full's outputs that Holistic reads, the only ones the tracker
// computes (nn::ModelOptions::outputs_read): landmarks, pose flag, heatmap
// and world landmarks; not the segmentation mask (enable_segmentation is off
// in the Python tool).
inline constexpr std::array<int, 4> kPoseLandmarkOutputsRead = {0, 1, 3, 4};

struct PoseTrackerOptions {
  // pose_detection.tflite and the landmark model of model_complexity
  std::filesystem::path models_dir = "models";
  // MediaPipe's model_complexity: 0 pose_landmark_lite, 1 pose_landmark_full,
  // 2 pose_landmark_heavy (the same outputs, larger networks).
  int model_complexity = 1;
  float min_detection_confidence = 0.5f;
  float min_tracking_confidence = 0.5f;
  bool smooth_landmarks = true;
  nn::ModelOptions model_options;
  // Moves every crop of a tracked region this many pixels right and down:
  // a perturbation far below a pixel shows how sensitive a clip's tracking
  // is (`signprep landmarks --perturb-crops`). 0 in every real run.
  float crop_shift_px = 0;
};

struct Pose {
  std::vector<Landmark> landmarks;  // kPoseLandmarkCount, normalised to the frame
  // kPoseLandmarkCount in metres, origin between the hips, axes turned with
  // the pose's crop (MediaPipe's pose_world_landmarks); visibility as
  // `landmarks`'.
  std::vector<Landmark> world_landmarks;
};

class PoseTracker {
 public:
  // Throws Error(kModel) when a model is missing or unreadable.
  explicit PoseTracker(const PoseTrackerOptions& options);
  PoseTracker(PoseTracker&&) noexcept;
  PoseTracker& operator=(PoseTracker&&) noexcept;
  ~PoseTracker();

  // One frame of a video, in order; `timestamp_us` must increase. The frame
  // is RGB. Returns the pose, or nothing when no pose was found.
  std::optional<Pose> process(const image::ImageView& frame, std::int64_t timestamp_us);

  // Forgets the tracked pose and the filters' state (a new video).
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep::landmarks
