#include "landmarks/pose_tracker.h"

#include <cmath>
#include <numbers>
#include <span>
#include <string>

#include "core/error.h"
#include "landmarks/landmark_decoding.h"
#include "landmarks/model_file.h"
#include "landmarks/roi.h"
#include "landmarks/smoothing.h"
#include "landmarks/ssd_decoding.h"

namespace signprep::landmarks {
namespace {

constexpr int kModelLandmarkCount = 39;  // 33 pose + 2 auxiliary + 4 unused
constexpr float kUp = std::numbers::pi_v<float> / 2;

// pose_detection_gpu.pbtxt: ImageToTensorCalculator, SsdAnchorsCalculator,
// TensorsToDetectionsCalculator, NonMaxSuppressionCalculator.
const TensorInput kDetectorInput{224, 224, true, {-1.0f, 1.0f}, image::BorderMode::kZero};
SsdAnchorOptions detector_anchor_options() {
  return {224, 224, 0.1484375f, 0.75f, 0.5f, 0.5f, {8, 16, 32, 32, 32}};
}
constexpr float kDetectorNmsIou = 0.3f;

// pose_landmark_by_roi_gpu.pbtxt: ImageToTensorCalculator (border mode
// unspecified = replicate); RefineLandmarksFromHeatmapCalculator kernel 7,
// its default min_confidence_to_refine 0.5.
const TensorInput kLandmarkInput{256, 256, true, {0.0f, 1.0f}, image::BorderMode::kReplicate};
constexpr int kHeatmapKernel = 7;
constexpr float kHeatmapMinConfidence = 0.5f;

// pose_detection_to_roi.pbtxt and pose_landmarks_to_roi.pbtxt: keypoints
// 0 -> 1 (hips centre -> body size/rotation point) aligned to 90 degrees,
// squared on the long side and scaled by 1.25.
constexpr float kRoiScale = 1.25f;
NormalizedRect roi_from_alignment_points(Point2 center, Point2 scale_point, ImageSize image) {
  return scale_rect(rect_from_alignment_points(center, scale_point, kUp, image), image, kRoiScale,
                    kRoiScale, true);
}

// Names of kPoseLandmarkOutputsRead's indices.
enum LandmarkOutput { kLandmarks = 0, kPoseFlag = 1, kHeatmap = 3, kWorldLandmarks = 4 };
static_assert(kPoseLandmarkOutputsRead ==
              std::array<int, 4>{kLandmarks, kPoseFlag, kHeatmap, kWorldLandmarks});

// tensors_to_pose_landmarks_and_segmentation.pbtxt and
// WorldLandmarkProjectionCalculator: the world output's first 33 of 39
// (x, y, z) triples as they are, visibility and presence copied from the
// landmarks (VisibilityCopyCalculator), x and y turned by the crop's rotation.
std::vector<Landmark> world_landmarks(std::span<const float> raw,
                                      std::span<const Landmark> landmarks,
                                      const NormalizedRect& roi) {
  const float cos_r = std::cos(roi.rotation), sin_r = std::sin(roi.rotation);
  std::vector<Landmark> world(kPoseLandmarkCount);
  for (int i = 0; i < kPoseLandmarkCount; ++i) {
    const float x = raw[3 * i], y = raw[3 * i + 1];
    world[i] = {.x = cos_r * x - sin_r * y,
                .y = sin_r * x + cos_r * y,
                .z = raw[3 * i + 2],
                .visibility = landmarks[i].visibility,
                .presence = landmarks[i].presence};
  }
  return world;
}

const char* landmark_model_file(int model_complexity) {
  switch (model_complexity) {
    case 0:
      return "pose_landmark_lite.tflite";
    case 1:
      return "pose_landmark_full.tflite";
    case 2:
      return "pose_landmark_heavy.tflite";
  }
  throw Error(ErrorKind::kUsage,
              "model_complexity must be 0, 1 or 2, not " + std::to_string(model_complexity));
}

}  // namespace

struct PoseTracker::Impl {
  PoseTrackerOptions options;
  nn::Model detector;
  nn::Model landmark_model;
  std::vector<Anchor> anchors = generate_anchors(detector_anchor_options());
  std::optional<NormalizedRect> tracked_roi;
  PoseLandmarkFiltering filtering{options.smooth_landmarks};

  explicit Impl(const PoseTrackerOptions& o)
      : options(o),
        detector(load_model_file(o.models_dir, "pose_detection.tflite", o.model_options)),
        landmark_model(load_model_file(o.models_dir, landmark_model_file(o.model_complexity),
                                       o.model_options, kPoseLandmarkOutputsRead)) {}

  // PoseDetectionGpu, then the first detection through PoseDetectionToRoi.
  std::optional<NormalizedRect> detect(const image::ImageView& frame) {
    const LetterboxPadding padding =
        crop_to_tensor(frame, nullptr, kDetectorInput, detector.input(0));
    detector.run();
    const DetectionDecodeOptions decode{12,  4,   224,    224,
                                        224, 224, 100.0f, options.min_detection_confidence};
    std::vector<Detection> detections = weighted_non_max_suppression(
        decode_detections(detector.output(0), detector.output(1), anchors, decode),
        kDetectorNmsIou);
    if (detections.empty()) return std::nullopt;
    Detection& best = detections.front();
    remove_letterbox(best, padding);
    return roi_from_alignment_points(best.keypoints[0], best.keypoints[1],
                                     {frame.width, frame.height});
  }

  // PoseLandmarkByRoiGpu: all 39 landmarks in frame coordinates and the 33
  // world landmarks, or nothing when the pose-presence score does not pass
  // min_tracking_confidence (ThresholdingCalculator).
  std::optional<Pose> landmarks_in(const image::ImageView& frame, const NormalizedRect& roi) {
    const LetterboxPadding padding =
        crop_to_tensor(frame, &roi, kLandmarkInput, landmark_model.input(0), options.crop_shift_px);
    landmark_model.run();
    if (!(landmark_model.output(kPoseFlag)[0] > options.min_tracking_confidence)) {
      return std::nullopt;
    }
    std::vector<Landmark> landmarks =
        decode_landmarks(landmark_model.output(kLandmarks), kModelLandmarkCount,
                         kLandmarkInput.width, kLandmarkInput.height);
    std::vector<Landmark> world =
        world_landmarks(landmark_model.output(kWorldLandmarks), landmarks, roi);
    refine_from_heatmap(landmarks, landmark_model.output(kHeatmap), {64, 64, kModelLandmarkCount},
                        kHeatmapKernel, kHeatmapMinConfidence);
    remove_letterbox(landmarks, padding);
    project_to_image(landmarks, roi);
    return Pose{std::move(landmarks), std::move(world)};
  }

  std::optional<Pose> process(const image::ImageView& frame, std::int64_t timestamp_us) {
    std::optional<NormalizedRect> roi = tracked_roi;
    tracked_roi.reset();
    if (!roi) roi = detect(frame);
    std::optional<Pose> pose;
    if (roi) pose = landmarks_in(frame, *roi);
    if (!pose) {
      filtering.apply({}, {}, {}, timestamp_us, frame.width, frame.height, nullptr);
      return std::nullopt;
    }
    std::vector<Landmark>& all = pose->landmarks;
    std::vector<Landmark> auxiliary(all.begin() + kPoseLandmarkCount,
                                    all.begin() + kPoseLandmarkCount + 2);
    all.resize(kPoseLandmarkCount);
    const ImageSize size{frame.width, frame.height};
    // pose_landmark_filtering.pbtxt scales its filters by the ROI of the
    // unfiltered auxiliary landmarks (AlignmentPointsRects, no margin).
    const NormalizedRect scale_roi = rect_from_alignment_points(
        {auxiliary[0].x, auxiliary[0].y}, {auxiliary[1].x, auxiliary[1].y}, kUp, size);
    filtering.apply(all, auxiliary, pose->world_landmarks, timestamp_us, frame.width, frame.height,
                    &scale_roi);
    // PoseLandmarksToRoi on the smoothed auxiliary landmarks, for the next frame.
    tracked_roi = roi_from_alignment_points({auxiliary[0].x, auxiliary[0].y},
                                            {auxiliary[1].x, auxiliary[1].y}, size);
    return pose;
  }
};

PoseTracker::PoseTracker(const PoseTrackerOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
PoseTracker::PoseTracker(PoseTracker&&) noexcept = default;
PoseTracker& PoseTracker::operator=(PoseTracker&&) noexcept = default;
PoseTracker::~PoseTracker() = default;

std::optional<Pose> PoseTracker::process(const image::ImageView& frame, std::int64_t timestamp_us) {
  return impl_->process(frame, timestamp_us);
}

void PoseTracker::reset() {
  impl_->tracked_roi.reset();
  impl_->filtering.reset();
}

}  // namespace signprep::landmarks
