// Follows MediaPipe's landmarks_smoothing_calculator(_utils).cc,
// visibility_smoothing_calculator.cc, util/filtering/one_euro_filter.cc and
// low_pass_filter.cc (see smoothing.h). Types and the order of operations
// mirror those files (float storage in the low-pass filter, double in the
// one-euro filter) so that results match to the bit; the CMake list builds
// this file with -ffp-contract=off for the same reason.
#include "landmarks/smoothing.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace signprep::landmarks {

namespace detail {

// LowPassFilter::Apply: alpha * value in float, the rest in double (MediaPipe
// writes `1.0 - alpha_`), stored back as float.
float LowPassFilter::apply(float value) {
  float result = value;
  if (initialized_) {
    result = static_cast<float>(static_cast<double>(alpha_ * value) +
                                (1.0 - static_cast<double>(alpha_)) * stored_value_);
  }
  initialized_ = true;
  raw_value_ = value;
  stored_value_ = result;
  return result;
}

// LowPassFilter::SetAlpha ignores (logs) an alpha outside [0, 1].
float LowPassFilter::apply_with_alpha(float value, float alpha) {
  if (alpha >= 0.0f && alpha <= 1.0f) alpha_ = alpha;
  return apply(value);
}

}  // namespace detail

namespace {

constexpr double kMinPositive = 0.000001;  // one_euro_filter.cc kEpsilon

double require_positive(float value, const char* name) {
  if (!(value > kMinPositive)) {
    throw std::invalid_argument(std::string("one-euro filter: ") + name + " must be > 1e-6, got " +
                                std::to_string(value));
  }
  return value;
}

}  // namespace

OneEuroFilter::OneEuroFilter(const OneEuroConfig& config)
    : frequency_(require_positive(config.frequency, "frequency")),
      min_cutoff_(require_positive(config.min_cutoff, "min_cutoff")),
      beta_(config.beta),
      derivate_cutoff_(require_positive(config.derivate_cutoff, "derivate_cutoff")),
      x_(static_cast<float>(alpha(min_cutoff_))),
      dx_(static_cast<float>(alpha(derivate_cutoff_))) {}

// OneEuroFilter::GetAlpha, term by term.
double OneEuroFilter::alpha(double cutoff) const {
  const double te = 1.0 / frequency_;
  const double tau = 1.0 / (2 * std::numbers::pi * cutoff);
  return 1.0 / (1.0 + tau / te);
}

// OneEuroFilter::Apply. Timestamps are compared in nanoseconds
// (absl::ToInt64Nanoseconds of the packet's microseconds). The rate is
// re-estimated only when neither timestamp is 0, as MediaPipe does; the
// derivative is taken on the raw values and scaled by `value_scale`.
double OneEuroFilter::apply(std::int64_t timestamp_us, double value_scale, double value) {
  const std::int64_t now_ns = timestamp_us * 1000;
  if (last_time_ns_ && *last_time_ns_ >= now_ns) return value;
  if (last_time_ns_ && *last_time_ns_ != 0 && now_ns != 0) {
    constexpr double kNanosecondsToSeconds = 1e-9;
    frequency_ = 1.0 / (static_cast<double>(now_ns - *last_time_ns_) * kNanosecondsToSeconds);
  }
  last_time_ns_ = now_ns;

  const double dvalue =
      x_.has_last_raw_value() ? (value - x_.last_raw_value()) * value_scale * frequency_ : 0.0;
  const double edvalue =
      dx_.apply_with_alpha(static_cast<float>(dvalue), static_cast<float>(alpha(derivate_cutoff_)));
  const double cutoff = min_cutoff_ + beta_ * std::fabs(edvalue);
  return x_.apply_with_alpha(static_cast<float>(value), static_cast<float>(alpha(cutoff)));
}

namespace {

// GetObjectScale(LandmarkList): mean side of the axis-aligned bounding box,
// in the pixel coordinates the filter works in.
float object_scale_from_landmarks(std::span<const Landmark> pixels) {
  const auto [x_min, x_max] = std::ranges::minmax_element(pixels, {}, &Landmark::x);
  const auto [y_min, y_max] = std::ranges::minmax_element(pixels, {}, &Landmark::y);
  const float width = x_max->x - x_min->x;
  const float height = y_max->y - y_min->y;
  return (width + height) / 2.0f;
}

// GetObjectScale(NormalizedRect, width, height).
float object_scale_from_roi(const NormalizedRect& roi, int image_width, int image_height) {
  const float width = roi.width * static_cast<float>(image_width);
  const float height = roi.height * static_cast<float>(image_height);
  return (width + height) / 2.0f;
}

// NormalizedLandmarksToLandmarks: z is scaled by the width, like x.
void to_pixels(std::span<Landmark> landmarks, int image_width, int image_height) {
  const auto w = static_cast<float>(image_width), h = static_cast<float>(image_height);
  for (Landmark& l : landmarks) l.x *= w, l.y *= h, l.z *= w;
}

// LandmarksToNormalizedLandmarks.
void to_normalized(std::span<Landmark> landmarks, int image_width, int image_height) {
  const auto w = static_cast<float>(image_width), h = static_cast<float>(image_height);
  for (Landmark& l : landmarks) l.x /= w, l.y /= h, l.z /= w;
}

}  // namespace

LandmarksSmoother::LandmarksSmoother(const OneEuroConfig& config) : config_(config) {
  static_cast<void>(OneEuroFilter(config));  // validates now rather than at the first frame
}

// InitializeFiltersIfEmpty (RET_CHECK on a changed count).
void LandmarksSmoother::reset() {
  x_.clear();
  y_.clear();
  z_.clear();
}

void LandmarksSmoother::ensure_filters(std::size_t count) {
  if (x_.empty()) {
    x_.assign(count, OneEuroFilter(config_));
    y_.assign(count, OneEuroFilter(config_));
    z_.assign(count, OneEuroFilter(config_));
  } else if (x_.size() != count) {
    throw std::invalid_argument("landmark smoothing: " + std::to_string(count) +
                                " landmarks after " + std::to_string(x_.size()));
  }
}

// OneEuroFilterImpl::Apply: every axis of every landmark separately.
void LandmarksSmoother::apply_world(std::span<Landmark> landmarks, std::int64_t timestamp_us) {
  if (landmarks.empty()) return reset();
  ensure_filters(landmarks.size());
  const std::optional<float> scale = value_scale(landmarks, 0, 0, nullptr);
  if (scale) filter_values(landmarks, timestamp_us, *scale);
}

void LandmarksSmoother::filter_values(std::span<Landmark> values, std::int64_t timestamp_us,
                                      float value_scale) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    Landmark& p = values[i];
    p.x = static_cast<float>(x_[i].apply(timestamp_us, value_scale, p.x));
    p.y = static_cast<float>(y_[i].apply(timestamp_us, value_scale, p.y));
    p.z = static_cast<float>(z_[i].apply(timestamp_us, value_scale, p.z));
  }
}

// OneEuroFilterImpl::Apply's value scale: 1 / object scale, 1 when scaling
// is disabled, nothing when the object is smaller than
// min_allowed_object_scale (landmarks then pass unfiltered and the filters'
// state, last timestamp included, stays as it was).
std::optional<float> LandmarksSmoother::value_scale(std::span<const Landmark> values,
                                                    int image_width, int image_height,
                                                    const NormalizedRect* object_scale_roi) const {
  if (config_.disable_value_scaling) return 1.0f;
  const float scale = object_scale_roi
                          ? object_scale_from_roi(*object_scale_roi, image_width, image_height)
                          : object_scale_from_landmarks(values);
  // MediaPipe keeps min_allowed_object_scale as a double.
  if (static_cast<double>(scale) < static_cast<double>(config_.min_allowed_object_scale)) {
    return std::nullopt;
  }
  return 1.0f / scale;
}

// LandmarksSmoothingCalculator::Process + OneEuroFilterImpl::Apply. Filters
// are created before the scale check (OneEuroFilterImpl's order). Unfiltered
// landmarks still make the round trip through pixels, as in MediaPipe.
void LandmarksSmoother::apply(std::span<Landmark> landmarks, std::int64_t timestamp_us,
                              int image_width, int image_height,
                              const NormalizedRect* object_scale_roi) {
  if (landmarks.empty()) return reset();
  if (image_width <= 0 || image_height <= 0) {
    throw std::invalid_argument("landmark smoothing: image size must be positive");
  }
  ensure_filters(landmarks.size());
  std::vector<Landmark> pixels(landmarks.begin(), landmarks.end());
  to_pixels(pixels, image_width, image_height);
  const std::optional<float> scale =
      value_scale(pixels, image_width, image_height, object_scale_roi);
  if (scale) filter_values(pixels, timestamp_us, *scale);
  to_normalized(pixels, image_width, image_height);
  std::ranges::copy(pixels, landmarks.begin());
}

VisibilitySmoother::VisibilitySmoother(float alpha) : alpha_(alpha) {
  if (!(alpha >= 0.0f && alpha <= 1.0f)) {
    throw std::invalid_argument("visibility smoothing: alpha must be in [0, 1], got " +
                                std::to_string(alpha));
  }
}

// LowPassVisibilityFilter::ApplyImpl.
void VisibilitySmoother::apply(std::span<Landmark> landmarks) {
  if (landmarks.empty()) return reset();
  if (filters_.empty()) {
    filters_.assign(landmarks.size(), detail::LowPassFilter(alpha_));
  } else if (filters_.size() != landmarks.size()) {
    throw std::invalid_argument("visibility smoothing: " + std::to_string(landmarks.size()) +
                                " landmarks after " + std::to_string(filters_.size()));
  }
  for (std::size_t i = 0; i < landmarks.size(); ++i) {
    landmarks[i].visibility = filters_[i].apply(landmarks[i].visibility);
  }
}

PoseLandmarkFiltering::PoseLandmarkFiltering(bool smooth_landmarks)
    : smooth_landmarks_(smooth_landmarks),
      visibility_(kPoseVisibilityAlpha),
      aux_visibility_(kPoseVisibilityAlpha),
      world_visibility_(kPoseVisibilityAlpha),
      landmarks_(kPoseLandmarksFilter),
      aux_landmarks_(kPoseAuxiliaryLandmarksFilter),
      world_landmarks_(kPoseWorldLandmarksFilter) {}

// pose_landmark_filtering.pbtxt node order: visibility then coordinates, for
// the landmarks, the world landmarks and the auxiliary landmarks (the chains
// share only the "roi" stream, so the order between them does not matter).
// Its ENABLE switches the landmarks' and world landmarks' nodes to
// no_filter, never the auxiliary ones.
void PoseLandmarkFiltering::apply(std::span<Landmark> landmarks, std::span<Landmark> auxiliary,
                                  std::span<Landmark> world, std::int64_t timestamp_us,
                                  int image_width, int image_height,
                                  const NormalizedRect* object_scale_roi) {
  if (smooth_landmarks_) {
    if (!landmarks.empty()) visibility_.apply(landmarks);
    landmarks_.apply(landmarks, timestamp_us, image_width, image_height, object_scale_roi);
    if (!world.empty()) {
      world_visibility_.apply(world);
      world_landmarks_.apply_world(world, timestamp_us);
    }
  }
  if (!auxiliary.empty()) aux_visibility_.apply(auxiliary);
  aux_landmarks_.apply(auxiliary, timestamp_us, image_width, image_height, object_scale_roi);
}

void PoseLandmarkFiltering::reset() {
  visibility_.reset();
  aux_visibility_.reset();
  world_visibility_.reset();
  landmarks_.reset();
  aux_landmarks_.reset();
  world_landmarks_.reset();
}

}  // namespace signprep::landmarks
