// Temporal smoothing of landmarks, as MediaPipe's LandmarksSmoothingCalculator
// (one-euro filter, mediapipe/calculators/util/landmarks_smoothing_calculator.cc
// and landmarks_smoothing_calculator_utils.cc over
// mediapipe/util/filtering/one_euro_filter.cc and low_pass_filter.cc) and
// VisibilitySmoothingCalculator (low-pass filter,
// mediapipe/calculators/util/visibility_smoothing_calculator.cc) do it, with
// the same float/double arithmetic so that results agree to the bit.
//
// Holistic smooths only the pose: PoseLandmarkFiltering
// (mediapipe/modules/pose_landmark/pose_landmark_filtering.pbtxt) inside
// PoseLandmarkGpu. The hand and face subgraphs of Holistic
// (hand_landmarks_left_and_right_gpu, hand_landmarks_from_pose_gpu,
// face_landmarks_from_pose_gpu) configure no smoothing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "landmarks/types.h"

namespace signprep::landmarks {

// LandmarksSmoothingCalculatorOptions.OneEuroFilter. Fields are float as in
// the .proto (the filter widens them to double, so 0.05 means 0.05f).
struct OneEuroConfig {
  float frequency = 30.0f;  // Hz; used only until two timestamps give a rate
  float min_cutoff = 1.0f;
  float beta = 0.0f;
  float derivate_cutoff = 1.0f;
  float min_allowed_object_scale = 1e-6f;  // pixels; below it landmarks pass unfiltered
  bool disable_value_scaling = false;      // derivative not divided by the object scale
};

// pose_landmark_filtering.pbtxt, the 33 pose landmarks (LandmarksSmoothing
// node in the SwitchContainer fed OBJECT_SCALE_ROI:roi).
inline constexpr OneEuroConfig kPoseLandmarksFilter{
    .min_cutoff = 0.05f, .beta = 80.0f, .derivate_cutoff = 1.0f};
// pose_landmark_filtering.pbtxt, the 2 auxiliary landmarks (they drive the
// next frame's ROI, hence heavier smoothing).
inline constexpr OneEuroConfig kPoseAuxiliaryLandmarksFilter{
    .min_cutoff = 0.01f, .beta = 10.0f, .derivate_cutoff = 1.0f};
// pose_landmark_filtering.pbtxt, pose world landmarks (metres, unscaled).
inline constexpr OneEuroConfig kPoseWorldLandmarksFilter{
    .min_cutoff = 0.1f, .beta = 40.0f, .derivate_cutoff = 1.0f, .disable_value_scaling = true};
// pose_landmark_filtering.pbtxt, VisibilitySmoothingCalculator low_pass_filter
// alpha for the pose, auxiliary and world landmarks alike.
inline constexpr float kPoseVisibilityAlpha = 0.1f;

namespace detail {

// mediapipe/util/filtering/low_pass_filter.cc: exponential smoothing in
// float; `alpha` is the weight of the new value; the first value passes.
class LowPassFilter {
 public:
  explicit LowPassFilter(float alpha) : alpha_(alpha) {}
  float apply(float value);
  // Sets alpha first; like MediaPipe, an alpha outside [0, 1] is ignored.
  float apply_with_alpha(float value, float alpha);
  bool has_last_raw_value() const { return initialized_; }
  float last_raw_value() const { return raw_value_; }

 private:
  float alpha_;
  float raw_value_ = 0, stored_value_ = 0;
  bool initialized_ = false;
};

}  // namespace detail

// mediapipe/util/filtering/one_euro_filter.cc: one scalar signal.
class OneEuroFilter {
 public:
  // Throws std::invalid_argument when frequency, min_cutoff or
  // derivate_cutoff is not above 1e-6 (MediaPipe only logs).
  explicit OneEuroFilter(const OneEuroConfig& config);

  // `value_scale` multiplies the derivative (1 / object scale). A timestamp
  // not after the previous one returns `value` and changes nothing.
  double apply(std::int64_t timestamp_us, double value_scale, double value);

 private:
  double alpha(double cutoff) const;

  double frequency_, min_cutoff_, beta_, derivate_cutoff_;
  detail::LowPassFilter x_, dx_;
  std::optional<std::int64_t> last_time_ns_;
};

// LandmarksSmoothingCalculator with NORM_LANDMARKS, IMAGE_SIZE and optional
// OBJECT_SCALE_ROI, one-euro filter: x, y and z of every landmark filtered
// separately in pixels (z scaled by the width, like x); visibility and
// presence pass through.
class LandmarksSmoother {
 public:
  // Throws std::invalid_argument on a bad config (see OneEuroFilter).
  explicit LandmarksSmoother(const OneEuroConfig& config);

  // Smooths `landmarks` (normalised) in place. An empty span resets the
  // filters (the calculator's reaction to a frame without landmarks). The
  // object scale is (roi.width * W + roi.height * H) / 2 when
  // `object_scale_roi` is given, else the mean side of the landmarks' pixel
  // bounding box. Throws std::invalid_argument when the image size is not
  // positive or the landmark count differs from the previous frame's.
  void apply(std::span<Landmark> landmarks, std::int64_t timestamp_us, int image_width,
             int image_height, const NormalizedRect* object_scale_roi);

  // The calculator with LANDMARKS (world landmarks, metres): the values
  // filtered as they are, scaled by their own bounding box unless
  // disable_value_scaling. An empty span resets, as above.
  void apply_world(std::span<Landmark> landmarks, std::int64_t timestamp_us);

  void reset();

 private:
  void ensure_filters(std::size_t count);
  std::optional<float> value_scale(std::span<const Landmark> values, int image_width,
                                   int image_height, const NormalizedRect* object_scale_roi) const;
  void filter_values(std::span<Landmark> values, std::int64_t timestamp_us, float value_scale);

  OneEuroConfig config_;
  std::vector<OneEuroFilter> x_, y_, z_;
};

// VisibilitySmoothingCalculator with a low_pass_filter: smooths visibility
// only (x, y, z and presence untouched).
class VisibilitySmoother {
 public:
  // Throws std::invalid_argument when alpha is outside [0, 1].
  explicit VisibilitySmoother(float alpha);

  // An empty span resets (the calculator's code path). Note that in
  // MediaPipe's graphs this never happens: the calculator has one input
  // stream, and the framework does not call Process() for a timestamp without
  // a packet, so visibility filters keep their state across frames without a
  // pose. Throws std::invalid_argument when the count changes.
  void apply(std::span<Landmark> landmarks);

  void reset() { filters_.clear(); }

 private:
  float alpha_;
  std::vector<detail::LowPassFilter> filters_;
};

// The whole PoseLandmarkFiltering subgraph (pose_landmark_filtering.pbtxt):
// visibility low-pass then one-euro for the pose landmarks, the auxiliary
// landmarks and the world landmarks.
class PoseLandmarkFiltering {
 public:
  // `smooth_landmarks` (Holistic's option, the subgraph's ENABLE) switches
  // the 33 landmarks' and the world landmarks' filters only: the auxiliary
  // landmarks, which place the next frame's crop, are filtered either way.
  explicit PoseLandmarkFiltering(bool smooth_landmarks = true);

  // `landmarks` (33), `auxiliary` (2) and `world` (33) are the unfiltered
  // outputs of PoseLandmarkByRoi, smoothed in place; all empty when there is
  // no pose.
  // `object_scale_roi` is the subgraph's "roi": AlignmentPointsRects of the
  // UNFILTERED auxiliary landmarks (centre auxiliary[0], scale point
  // auxiliary[1], 90 degrees); null only when there is no pose.
  //
  // Without a pose the image-space one-euro filters reset (their calculators
  // also take IMAGE_SIZE, which has a packet every frame) but the visibility
  // filters and the world landmarks' one-euro filter, whose calculators take
  // the landmarks alone, do not (see VisibilitySmoother::apply).
  void apply(std::span<Landmark> landmarks, std::span<Landmark> auxiliary,
             std::span<Landmark> world, std::int64_t timestamp_us, int image_width,
             int image_height, const NormalizedRect* object_scale_roi);

  // A new video: every filter forgets its state.
  void reset();

 private:
  bool smooth_landmarks_;
  VisibilitySmoother visibility_, aux_visibility_, world_visibility_;
  LandmarksSmoother landmarks_, aux_landmarks_, world_landmarks_;
};

}  // namespace signprep::landmarks
