#include "landmarks/holistic.h"

#include "landmarks/segmentation.h"

namespace signprep::landmarks {

struct HolisticTracker::Impl {
  SelfieSegmenter segmenter;
  PoseTracker pose;
  FaceTracker face;

  explicit Impl(const HolisticOptions& o)
      : segmenter(o.models_dir / "selfie_segmentation_landscape.tflite", o.model_options),
        pose(PoseTrackerOptions{o.models_dir, o.min_detection_confidence, o.min_tracking_confidence,
                                true, o.model_options}),
        face(FaceTrackerOptions{o.models_dir, o.model_options}) {}
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
  const image::ImageView composite_view = composite.image.view();
  result.pose = impl_->pose.process(composite_view, timestamp_us);
  // holistic_landmark_gpu.pbtxt: the face subgraph follows the pose (its
  // landmarks 0..10) on the same image.
  result.face = impl_->face.process(composite_view, result.pose, timestamp_us);
  return result;
}

void HolisticTracker::reset() {
  impl_->segmenter.reset();
  impl_->pose.reset();
  impl_->face.reset();
}

}  // namespace signprep::landmarks
