// The keypoint branch of the Python tool on one keypoint frame: selfie
// segmentation (landscape model), background blacked out where the mask is
// <= 0.5, then MediaPipe Holistic's trackers on the composite; without
// segment_background, MediaPipe Holistic alone on the frame. State carries
// from frame to frame, so one HolisticTracker follows one video.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "image/image.h"
#include "landmarks/face_tracker.h"
#include "landmarks/hand_tracker.h"
#include "landmarks/pose_tracker.h"
#include "nn/model.h"

namespace signprep::landmarks {

struct HolisticOptions {
  std::filesystem::path models_dir = "models";
  // Holistic's min_detection_confidence and min_tracking_confidence; the
  // Python tool passes its conf_thresh to both.
  float min_detection_confidence = 0.5f;
  float min_tracking_confidence = 0.5f;
  // MediaPipe Holistic's own options, with its defaults (the Python tool's).
  int model_complexity = 1;  // the pose landmark model: PoseTrackerOptions
  bool smooth_landmarks = true;
  bool refine_face_landmarks = true;  // 478 face points, else 468
  // The Python tool's selfie-segmentation composite before Holistic.
  bool segment_background = true;
  nn::ModelOptions model_options;
  float crop_shift_px = 0;  // passed to every tracker (PoseTrackerOptions says why)
};

struct HolisticFrame {
  // Share of pixels the segmentation kept (1 without segment_background).
  float foreground_fraction = 1;
  std::optional<Pose> pose;
  Hands hands;  // the person's left and right hand
  std::optional<Face> face;
};

// MediaPipe's legacy Python solutions stamp the k-th process() call (k from
// 0) with (k + 1) x 33333 us whatever the video's frame times, and their
// smoothing filters run on that clock; so did the Python tool.
constexpr std::int64_t solution_timestamp_us(std::int64_t call_index) {
  return (call_index + 1) * 33333;
}

// Wall time spent in each stage since the tracker was made, in seconds.
struct HolisticStageSeconds {
  double segmentation = 0, pose = 0, hands = 0, face = 0;
};

class HolisticTracker {
 public:
  // Throws Error(kModel) when a model is missing or unreadable.
  explicit HolisticTracker(const HolisticOptions& options);
  HolisticTracker(HolisticTracker&&) noexcept;
  HolisticTracker& operator=(HolisticTracker&&) noexcept;
  ~HolisticTracker();

  // `frame` is the RGB keypoint frame (out_size x out_size); frames of one
  // video in order, timestamps increasing.
  HolisticFrame process(const image::ImageView& frame, std::int64_t timestamp_us);

  // Forgets all tracking and smoothing state (a new video).
  void reset();

  const HolisticStageSeconds& stage_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep::landmarks
