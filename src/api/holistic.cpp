#include "signprep/holistic.h"

#include <string>

#include "api/frames.h"
#include "core/error.h"
#include "landmarks/holistic.h"

namespace signprep {
namespace {

void require_probability(float value, const char* name) {
  if (!(value >= 0 && value <= 1)) {
    throw Error(ErrorKind::kUsage,
                std::string(name) + " must be in [0, 1], not " + std::to_string(value));
  }
}

landmarks::HolisticOptions internal_options(const HolisticOptions& o) {
  require_probability(o.min_detection_confidence, "min_detection_confidence");
  require_probability(o.min_tracking_confidence, "min_tracking_confidence");
  api::require_threads(o.threads);
  landmarks::HolisticOptions internal;
  internal.models_dir = api::models_dir_or_default(o.models_dir);
  internal.min_detection_confidence = o.min_detection_confidence;
  internal.min_tracking_confidence = o.min_tracking_confidence;
  internal.model_complexity = o.model_complexity;
  internal.smooth_landmarks = o.smooth_landmarks;
  internal.refine_face_landmarks = o.refine_face_landmarks;
  internal.segment_background = o.segment_background;
  internal.model_options.threads = o.threads;
  return internal;
}

std::vector<Landmark> public_landmarks(const std::vector<landmarks::Landmark>& block) {
  std::vector<Landmark> points;
  points.reserve(block.size());
  for (const landmarks::Landmark& p : block) points.push_back({p.x, p.y, p.z, p.visibility});
  return points;
}

template <typename Block>
std::optional<std::vector<Landmark>> public_landmarks(const std::optional<Block>& block) {
  if (!block) return std::nullopt;
  return public_landmarks(block->landmarks);
}

}  // namespace

struct Holistic::Impl {
  landmarks::HolisticTracker tracker;
  bool static_image_mode;
  std::int64_t calls = 0;  // since construction or reset(): the solution's clock
  std::optional<std::int64_t> last_timestamp_us;

  explicit Impl(const HolisticOptions& o)
      : tracker(internal_options(o)), static_image_mode(o.static_image_mode) {}
};

Holistic::Holistic(const HolisticOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Holistic::Holistic(Holistic&&) noexcept = default;
Holistic& Holistic::operator=(Holistic&&) noexcept = default;
Holistic::~Holistic() = default;

HolisticLandmarks Holistic::process(const RgbView& frame,
                                    std::optional<std::int64_t> timestamp_us) {
  Impl& s = *impl_;
  const image::ImageView view = api::internal_view(frame);
  // A still image is a video of one frame: nothing tracked, nothing smoothed.
  if (s.static_image_mode) reset();
  const std::int64_t now = timestamp_us.value_or(landmarks::solution_timestamp_us(s.calls));
  if (s.last_timestamp_us && now <= *s.last_timestamp_us) {
    throw Error(ErrorKind::kUsage, "timestamps must increase: " + std::to_string(now) +
                                       " us after " + std::to_string(*s.last_timestamp_us) +
                                       " us (reset() starts a new video)");
  }
  const landmarks::HolisticFrame found = s.tracker.process(view, now);
  s.last_timestamp_us = now;
  ++s.calls;
  std::optional<std::vector<Landmark>> world;
  if (found.pose) world = public_landmarks(found.pose->world_landmarks);
  return {public_landmarks(found.pose), std::move(world), public_landmarks(found.hands.left),
          public_landmarks(found.hands.right), public_landmarks(found.face)};
}

void Holistic::reset() {
  impl_->tracker.reset();
  impl_->calls = 0;
  impl_->last_timestamp_us.reset();
}

}  // namespace signprep
