// MediaPipe Holistic without MediaPipe: the pose, hand and face landmarks of
// each frame of a video, tracked from frame to frame as MediaPipe's legacy
// solution (mediapipe.solutions.holistic) tracks them, on MediaPipe's own
// models (docs/AGREEMENT.md measures the agreement).
//
//   signprep::Holistic holistic({.refine_face_landmarks = true});
//   for (const signprep::RgbView& frame : frames) {
//     const signprep::HolisticLandmarks found = holistic.process(frame);
//     if (found.right_hand) use((*found.right_hand)[8]);  // the index finger's tip
//   }
//
// Thread safety: an object carries one video's tracking state, so it serves
// one thread at a time; distinct objects run in parallel threads. The models
// an object loads are its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "signprep/image.h"

namespace signprep {

struct HolisticOptions {
  // The pose landmark model: 0 lite, 1 full, 2 heavy (MediaPipe's values).
  int model_complexity = 1;
  // MediaPipe's landmark filters across frames (off in static_image_mode).
  bool smooth_landmarks = true;
  // 478 face points (lips, eyes and irises refined by the attention mesh),
  // else the plain mesh's 468.
  bool refine_face_landmarks = true;
  float min_detection_confidence = 0.5f;  // in [0, 1]
  float min_tracking_confidence = 0.5f;   // in [0, 1]
  // Every frame on its own: detection on each, no tracking or smoothing.
  bool static_image_mode = false;
  // The Python tool's preprocessing (what `signprep --write-keypoints` runs):
  // selfie segmentation's landscape model first, every pixel whose mask is
  // <= 0.5 turned black, then Holistic on that composite. Off: Holistic on the
  // frame as given, as MediaPipe's solution runs.
  bool segment_background = false;
  // The MediaPipe models; empty: $SIGNPREP_MODELS_DIR, else the checkout's
  // models/ that scripts/setup fills.
  std::filesystem::path models_dir = {};
  int threads = 1;  // OpenMP threads per model run
};

// Normalised to the frame (x / width, y / height, so values outside [0, 1]
// lie outside it); z as MediaPipe gives it, on about the scale of x.
struct Landmark {
  float x = 0, y = 0, z = 0;
  float visibility = 0;  // the pose's; 0 for hands and face, as in MediaPipe
};

// Each block is absent when it was not found in the frame.
struct HolisticLandmarks {
  std::optional<std::vector<Landmark>> pose;  // 33
  // 33 in metres, origin between the hips, visibility as the pose's
  // (MediaPipe's pose_world_landmarks); present with the pose.
  std::optional<std::vector<Landmark>> pose_world;
  std::optional<std::vector<Landmark>> left_hand;   // 21, the person's left
  std::optional<std::vector<Landmark>> right_hand;  // 21, the person's right
  std::optional<std::vector<Landmark>> face;        // 478 refined, else 468
};

class Holistic {
 public:
  // Loads the models. Throws Error(kModel) naming a model that is missing or
  // corrupt, Error(kUsage) for an option out of range.
  explicit Holistic(const HolisticOptions& options = {});
  Holistic(Holistic&&) noexcept;
  Holistic& operator=(Holistic&&) noexcept;
  ~Holistic();

  // The next frame of the video. Timestamps must increase; without one, the
  // k-th call since construction or reset() (k from 0) is stamped
  // (k + 1) x 33333 us whatever the video's frame times, as MediaPipe's
  // Python solution does, and the smoothing filters run on that clock.
  // Throws Error(kUsage) for a timestamp not after the last one and
  // std::invalid_argument for an empty frame.
  HolisticLandmarks process(const RgbView& frame,
                            std::optional<std::int64_t> timestamp_us = std::nullopt);

  // Forgets the tracking and smoothing state: the next frame starts a video.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep
