#include "landmarks/holistic.h"

#include "core/timed.h"
#include "landmarks/segmentation.h"

namespace signprep::landmarks {

struct HolisticTracker::Impl {
  std::optional<SelfieSegmenter> segmenter;  // with segment_background
  PoseTracker pose;
  HandTracker hands;
  FaceTracker face;
  HolisticStageSeconds seconds;

  explicit Impl(const HolisticOptions& o)
      : pose(PoseTrackerOptions{o.models_dir, o.model_complexity, o.min_detection_confidence,
                                o.min_tracking_confidence, o.smooth_landmarks, o.model_options,
                                o.crop_shift_px}),
        hands(HandTrackerOptions{o.models_dir, o.model_options, o.crop_shift_px}),
        face(FaceTrackerOptions{o.models_dir, o.refine_face_landmarks, o.model_options,
                                o.crop_shift_px}) {
    if (o.segment_background) {
      segmenter.emplace(o.models_dir / "selfie_segmentation_landscape.tflite", o.model_options);
    }
  }
};

HolisticTracker::HolisticTracker(const HolisticOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
HolisticTracker::HolisticTracker(HolisticTracker&&) noexcept = default;
HolisticTracker& HolisticTracker::operator=(HolisticTracker&&) noexcept = default;
HolisticTracker::~HolisticTracker() = default;

HolisticFrame HolisticTracker::process(const image::ImageView& frame, std::int64_t timestamp_us) {
  Impl& s = *impl_;
  HolisticFrame result;
  Composite composite;
  image::ImageView composite_view = frame;
  if (s.segmenter) {
    composite = timed(s.seconds.segmentation,
                      [&] { return composite_foreground(frame, s.segmenter->segment(frame)); });
    result.foreground_fraction = composite.foreground_fraction;
    composite_view = composite.image.view();
  }
  result.pose = timed(s.seconds.pose, [&] { return s.pose.process(composite_view, timestamp_us); });
  // holistic_landmark_gpu.pbtxt: the hand and face subgraphs follow the pose
  // (its wrists, pinkies and indices; its landmarks 0..10) on the same image.
  result.hands = timed(s.seconds.hands,
                       [&] { return s.hands.process(composite_view, result.pose, timestamp_us); });
  result.face = timed(s.seconds.face,
                      [&] { return s.face.process(composite_view, result.pose, timestamp_us); });
  return result;
}

const HolisticStageSeconds& HolisticTracker::stage_seconds() const {
  return impl_->seconds;
}

void HolisticTracker::reset() {
  if (impl_->segmenter) impl_->segmenter->reset();
  impl_->pose.reset();
  impl_->hands.reset();
  impl_->face.reset();
}

}  // namespace signprep::landmarks
