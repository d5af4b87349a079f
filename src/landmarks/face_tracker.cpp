#include "landmarks/face_tracker.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "landmarks/face_refinement_maps.h"
#include "landmarks/landmark_decoding.h"
#include "landmarks/model_file.h"
#include "landmarks/ssd_decoding.h"

namespace signprep::landmarks {
namespace {

// face_detection_short_range.pbtxt (FaceDetectionOptions) and the generic
// face_detection.pbtxt it configures: ImageToTensorCalculator (keep aspect
// ratio, [-1, 1], BORDER_ZERO), SsdAnchorsCalculator,
// TensorsToDetectionsCalculator (16 coords, 6 keypoints, min_score_thresh
// 0.5: Holistic's min_detection_confidence does not reach this graph),
// NonMaxSuppressionCalculator (WEIGHTED, IoU 0.3).
constexpr int kDetectorSize = 128;
const TensorInput kDetectorInput{
    kDetectorSize, kDetectorSize, true, {-1.0f, 1.0f}, image::BorderMode::kZero};
SsdAnchorOptions detector_anchor_options() {
  return {kDetectorSize, kDetectorSize, 0.1484375f, 0.75f, 0.5f, 0.5f, {8, 16, 16, 16}};
}
constexpr DetectionDecodeOptions kDetectorDecode{16, 6, 128.0f, 128.0f, 128.0f, 128.0f, 100, 0.5f};
constexpr float kDetectorNmsIou = 0.3f;

// face_landmark_gpu.pbtxt: ImageToTensorCalculator 192x192 in [0, 1], aspect
// ratio not kept, border mode unspecified (the GPU path replicates edges);
// TensorsToFloatsCalculator (SIGMOID) then ThresholdingCalculator 0.5 on the
// face flag.
constexpr int kLandmarkSize = 192;
const TensorInput kLandmarkInput{
    kLandmarkSize, kLandmarkSize, false, {0.0f, 1.0f}, image::BorderMode::kReplicate};
constexpr float kFacePresenceThreshold = 0.5f;

// face_landmark_with_attention.tflite's outputs, in the order
// tensors_to_face_landmarks_with_attention.pbtxt splits them.
enum Output { kMesh, kLips, kLeftEye, kRightEye, kLeftIris, kRightIris, kFaceFlag };
// face_landmark.tflite's (tensors_to_face_landmarks.pbtxt): mesh, face flag.
enum PlainOutput { kPlainMesh, kPlainFaceFlag };

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

bool has_area(const NormalizedRect& rect) {
  return rect.width > 0 && rect.height > 0;
}

// DetectionProjectionCalculator (after the detector's letterbox): keypoints
// map from the ROI crop to the frame; the box becomes the axis-aligned box of
// its projected corners.
void project_to_image(Detection& detection, const NormalizedRect& roi) {
  std::vector<Landmark> points;
  for (const Point2& p : detection.keypoints) points.push_back({p.x, p.y});
  const float x1 = detection.xmin + detection.width, y1 = detection.ymin + detection.height;
  for (const auto& [x, y] :
       {std::pair{detection.xmin, detection.ymin}, std::pair{x1, detection.ymin}, std::pair{x1, y1},
        std::pair{detection.xmin, y1}}) {
    points.push_back({x, y});
  }
  project_to_image(points, roi);
  for (std::size_t k = 0; k < detection.keypoints.size(); ++k) {
    detection.keypoints[k] = {points[k].x, points[k].y};
  }
  const auto corners = std::span(points).last(4);
  const auto [xmin, xmax] = std::minmax_element(corners.begin(), corners.end(),
                                                [](auto& a, auto& b) { return a.x < b.x; });
  const auto [ymin, ymax] = std::minmax_element(corners.begin(), corners.end(),
                                                [](auto& a, auto& b) { return a.y < b.y; });
  detection.xmin = xmin->x;
  detection.ymin = ymin->y;
  detection.width = xmax->x - xmin->x;
  detection.height = ymax->y - ymin->y;
}

void overwrite_xy(std::span<const Landmark> head, std::span<const int> indices,
                  std::vector<Landmark>& refined, const char* name) {
  if (head.size() != indices.size()) {
    throw std::invalid_argument(std::string("refine_face_landmarks: the ") + name + " head has " +
                                std::to_string(head.size()) + " landmarks, the map " +
                                std::to_string(indices.size()));
  }
  for (std::size_t i = 0; i < head.size(); ++i) {
    Landmark& target = refined[static_cast<std::size_t>(indices[i])];
    target.x = head[i].x;
    target.y = head[i].y;
  }
}

// ZRefinement.assign_average: the mean in double, as GetZAverage sums it.
void assign_average_z(std::span<const int> targets, std::span<const int> sources,
                      std::vector<Landmark>& refined) {
  double sum = 0;
  for (int s : sources) sum += refined[static_cast<std::size_t>(s)].z;
  const auto mean = static_cast<float>(sum / static_cast<double>(sources.size()));
  for (int t : targets) refined[static_cast<std::size_t>(t)].z = mean;
}

}  // namespace

NormalizedRect face_roi_from_pose(std::span<const Landmark> pose_face_landmarks, ImageSize image) {
  const DetectionToRectOptions to_rect{
      .use_keypoints = false, .rotation_start_keypoint = 5, .rotation_end_keypoint = 2};
  const NormalizedRect rect =
      detection_to_rect(landmarks_to_detection(pose_face_landmarks), to_rect, image);
  return transform_rect(rect, image, {.scale_x = 3.0f, .scale_y = 3.0f, .square_long = true});
}

NormalizedRect face_roi_from_detection(const Detection& detection, ImageSize image) {
  const DetectionToRectOptions to_rect{
      .use_keypoints = true, .rotation_start_keypoint = 0, .rotation_end_keypoint = 1};
  const NormalizedRect rect = detection_to_rect(detection, to_rect, image);
  return transform_rect(rect, image,
                        {.scale_x = 2.0f, .scale_y = 2.0f, .shift_y = -0.1f, .square_long = true});
}

NormalizedRect face_roi_from_landmarks(std::span<const Landmark> landmarks, ImageSize image) {
  const DetectionToRectOptions to_rect{
      .use_keypoints = false, .rotation_start_keypoint = 33, .rotation_end_keypoint = 263};
  const NormalizedRect rect = detection_to_rect(landmarks_to_detection(landmarks), to_rect, image);
  return transform_rect(rect, image, {.scale_x = 1.5f, .scale_y = 1.5f, .square_long = true});
}

std::vector<Landmark> refine_face_landmarks(const FaceModelLandmarks& heads) {
  namespace maps = face_refinement;
  if (heads.mesh.size() != static_cast<std::size_t>(maps::kMeshCount)) {
    throw std::invalid_argument("refine_face_landmarks: the mesh head has " +
                                std::to_string(heads.mesh.size()) + " landmarks, not 468");
  }
  // Refinement 0: the mesh onto 0..467, z copied; visibility and presence 0.
  std::vector<Landmark> refined(static_cast<std::size_t>(maps::kRefinedCount));
  for (std::size_t i = 0; i < heads.mesh.size(); ++i) {
    refined[i] = {heads.mesh[i].x, heads.mesh[i].y, heads.mesh[i].z, 0.0f, 0.0f};
  }
  // Refinements 1..3: z none (the mesh's stays).
  overwrite_xy(heads.lips, maps::kLips, refined, "lips");
  overwrite_xy(heads.left_eye, maps::kLeftEye, refined, "left eye");
  overwrite_xy(heads.right_eye, maps::kRightEye, refined, "right eye");
  // Refinements 4 and 5: z assign_average.
  overwrite_xy(heads.left_iris, maps::kLeftIris, refined, "left iris");
  assign_average_z(maps::kLeftIris, maps::kLeftIrisZAverage, refined);
  overwrite_xy(heads.right_iris, maps::kRightIris, refined, "right iris");
  assign_average_z(maps::kRightIris, maps::kRightIrisZAverage, refined);
  return refined;
}

struct FaceTracker::Impl {
  float crop_shift_px;
  bool refine;
  nn::Model detector;
  nn::Model landmark_model;
  std::vector<Anchor> anchors = generate_anchors(detector_anchor_options());
  // PreviousLoopbackCalculator in face_tracking.pbtxt: last frame's face.
  std::optional<std::vector<Landmark>> previous;

  explicit Impl(const FaceTrackerOptions& o)
      : crop_shift_px(o.crop_shift_px),
        refine(o.refine_landmarks),
        detector(
            load_model_file(o.models_dir, "face_detection_short_range.tflite", o.model_options)),
        landmark_model(load_model_file(
            o.models_dir,
            o.refine_landmarks ? "face_landmark_with_attention.tflite" : "face_landmark.tflite",
            o.model_options)) {}

  // FaceDetectionShortRangeByRoiGpu: the best detection in `roi`, in frame
  // coordinates (NMS sorts by score; DetectionsToRects takes the first).
  std::optional<Detection> detect(const image::ImageView& frame, const NormalizedRect& roi) {
    const LetterboxPadding padding =
        crop_to_tensor(frame, &roi, kDetectorInput, detector.input(0), crop_shift_px);
    detector.run();
    std::vector<Detection> detections = weighted_non_max_suppression(
        decode_detections(detector.output(0), detector.output(1), anchors, kDetectorDecode),
        kDetectorNmsIou);
    if (detections.empty()) return std::nullopt;
    Detection& best = detections.front();
    remove_letterbox(best, padding);
    project_to_image(best, roi);
    return std::move(best);
  }

  // FaceTracking: last frame's landmarks ROI while RoiTrackingCalculator's
  // requirements hold, else this frame's re-crop ROI.
  NormalizedRect tracking_roi(const std::optional<std::vector<Landmark>>& last,
                              const NormalizedRect& recrop, ImageSize size) const {
    if (!last) return recrop;
    const NormalizedRect last_roi = face_roi_from_landmarks(*last, size);
    return keeps_tracking(*last, last_roi, recrop, size, kFaceTrackingRequirements) ? last_roi
                                                                                    : recrop;
  }

  // FaceLandmarkGpu, WITH_ATTENTION when refining: 478 (else 468)
  // landmarks in frame coordinates, or nothing when the face flag does not
  // pass the threshold.
  std::optional<std::vector<Landmark>> landmarks_in(const image::ImageView& frame,
                                                    const NormalizedRect& roi) {
    crop_to_tensor(frame, &roi, kLandmarkInput, landmark_model.input(0), crop_shift_px);
    landmark_model.run();
    const int flag = refine ? static_cast<int>(kFaceFlag) : static_cast<int>(kPlainFaceFlag);
    if (!(sigmoid(landmark_model.output(flag)[0]) > kFacePresenceThreshold)) {
      return std::nullopt;
    }
    std::vector<Landmark> landmarks =
        refine ? refine_face_landmarks(decode_heads())
               : decode_landmarks(landmark_model.output(kPlainMesh),
                                  static_cast<int>(face_refinement::kMeshCount), kLandmarkSize,
                                  kLandmarkSize);
    project_to_image(landmarks, roi);
    return landmarks;
  }

  // TensorsToLandmarksCalculator per head (tensors_to_face_landmarks_with_attention.pbtxt).
  FaceModelLandmarks decode_heads() const {
    const auto decode = [this](Output output, std::size_t count) {
      return decode_landmarks(landmark_model.output(output), static_cast<int>(count), kLandmarkSize,
                              kLandmarkSize);
    };
    namespace maps = face_refinement;
    return {decode(kMesh, maps::kMeshCount),           decode(kLips, maps::kLips.size()),
            decode(kLeftEye, maps::kLeftEye.size()),   decode(kRightEye, maps::kRightEye.size()),
            decode(kLeftIris, maps::kLeftIris.size()), decode(kRightIris, maps::kRightIris.size())};
  }

  std::optional<Face> process(const image::ImageView& frame, const std::optional<Pose>& pose) {
    const std::optional<std::vector<Landmark>> last = std::exchange(previous, std::nullopt);
    if (!pose) return std::nullopt;
    if (pose->landmarks.size() < static_cast<std::size_t>(kPoseFaceLandmarkCount)) {
      throw std::invalid_argument("FaceTracker: the pose has fewer than 11 landmarks");
    }
    const ImageSize size{frame.width, frame.height};
    // SplitNormalizedLandmarkListCalculator in holistic_landmark_gpu.pbtxt: 0..10.
    const auto pose_face = std::span(pose->landmarks).first(kPoseFaceLandmarkCount);
    const NormalizedRect pose_roi = face_roi_from_pose(pose_face, size);
    if (!has_area(pose_roi)) return std::nullopt;
    const std::optional<Detection> detection = detect(frame, pose_roi);
    if (!detection) return std::nullopt;
    const NormalizedRect roi = tracking_roi(last, face_roi_from_detection(*detection, size), size);
    if (!has_area(roi)) return std::nullopt;
    std::optional<std::vector<Landmark>> landmarks = landmarks_in(frame, roi);
    if (!landmarks) return std::nullopt;
    previous = *landmarks;
    return Face{std::move(*landmarks)};
  }
};

FaceTracker::FaceTracker(const FaceTrackerOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
FaceTracker::FaceTracker(FaceTracker&&) noexcept = default;
FaceTracker& FaceTracker::operator=(FaceTracker&&) noexcept = default;
FaceTracker::~FaceTracker() = default;

std::optional<Face> FaceTracker::process(const image::ImageView& frame,
                                         const std::optional<Pose>& pose,
                                         std::int64_t /*timestamp_us*/) {
  return impl_->process(frame, pose);
}

void FaceTracker::reset() {
  impl_->previous.reset();
}

}  // namespace signprep::landmarks
