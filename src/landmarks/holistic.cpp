#include "landmarks/holistic.h"

#include "landmarks/segmentation.h"

namespace signprep::landmarks {

struct HolisticTracker::Impl {
  SelfieSegmenter segmenter;
  PoseTracker pose;

  explicit Impl(const HolisticOptions& o)
      : segmenter(o.models_dir / "selfie_segmentation_landscape.tflite", o.model_options),
        pose(PoseTrackerOptions{o.models_dir, o.min_detection_confidence, o.min_tracking_confidence,
                                true, o.model_options}) {}
};

HolisticTracker::HolisticTracker(const HolisticOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
HolisticTracker::HolisticTracker(HolisticTracker&&) noexcept = default;
HolisticTracker& HolisticTracker::operator=(HolisticTracker&&) noexcept = default;
HolisticTracker::~HolisticTracker() = default;

HolisticFrame HolisticTracker::process(const image::ImageView& frame, std::int64_t timestamp_us) {
  const Composite composite = composite_foreground(frame, impl_->segmenter.segment(frame));
  HolisticFrame result;
  result.foreground_fraction = composite.foreground_fraction;
  result.pose = impl_->pose.process(composite.image.view(), timestamp_us);
  return result;
}

void HolisticTracker::reset() {
  impl_->segmenter.reset();
  impl_->pose.reset();
}

}  // namespace signprep::landmarks
