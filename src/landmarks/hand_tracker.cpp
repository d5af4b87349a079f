#include "landmarks/hand_tracker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "landmarks/landmark_decoding.h"
#include "landmarks/model_file.h"

namespace signprep::landmarks {
namespace {

constexpr float kUp = std::numbers::pi_v<float> / 2;

// hand_visibility_from_hand_landmarks_from_pose.pbtxt: ThresholdingCalculator
// threshold 0.1 (a double in its options; the float score is widened).
constexpr double kPoseWristVisibilityThreshold = 0.1;

// hand_landmarks_from_pose_to_recrop_roi.pbtxt: RectTransformationCalculator.
constexpr RectTransform kPoseRoiTransform{
    .scale_x = 2.7f, .scale_y = 2.7f, .shift_y = -0.1f, .square_long = true};

// hand_recrop_by_roi_gpu.pbtxt: ImageToTensorCalculator 256x256, aspect ratio
// kept, [0, 1], border mode unspecified (the GPU path replicates edges);
// TensorsToLandmarksCalculator with 2 landmarks; AlignmentPointsRects
// 0 -> 1 at -90 degrees; RectTransformationCalculator.
constexpr int kRecropSize = 256;
const TensorInput kRecropInput{
    kRecropSize, kRecropSize, true, {0.0f, 1.0f}, image::BorderMode::kReplicate};
constexpr int kRecropPointCount = 2;
constexpr RectTransform kRecropRoiTransform{.shift_y = -0.1f, .square_long = true};

// hand_landmarks_to_roi.pbtxt: RectTransformationCalculator.
constexpr RectTransform kLandmarksRoiTransform{
    .scale_x = 2.0f, .scale_y = 2.0f, .shift_y = -0.1f, .square_long = true};

// hand_landmark_gpu.pbtxt (hand_landmark_full.tflite, MODEL_COMPLEXITY 1 as
// hand_landmark_model_loader picks by default): ImageToTensorCalculator
// 224x224, aspect ratio kept, [0, 1], border unspecified;
// TensorsToFloatsCalculator (no sigmoid: the model ends in LOGISTIC) then
// ThresholdingCalculator 0.5; TensorsToLandmarksCalculator normalize_z 0.4.
constexpr int kLandmarkSize = 224;
const TensorInput kLandmarkInput{
    kLandmarkSize, kLandmarkSize, true, {0.0f, 1.0f}, image::BorderMode::kReplicate};
constexpr double kHandPresenceThreshold = 0.5;
constexpr float kNormalizeZ = 0.4f;
// Names of kHandLandmarkOutputsRead's indices.
enum Output { kLandmarks, kHandFlag };
static_assert(kHandLandmarkOutputsRead == std::array<int, 2>{kLandmarks, kHandFlag});

// HandLandmarksToRectCalculator's partial landmarks: the wrist and each
// finger's two lowest joints. Within them, 4 / 6 / 8 are the index, middle
// and ring MCPs that set the rotation (the calculator calls them PIPs).
constexpr std::array<int, 12> kPalmLandmarks = {0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18};
constexpr int kPalmWrist = 0, kPalmIndex = 4, kPalmMiddle = 6, kPalmRing = 8;

// MediaPipe's NormalizeRadians (double arithmetic, as in the calculators).
float normalize_radians(float angle) {
  return static_cast<float>(angle -
                            2 * std::numbers::pi *
                                std::floor((angle + std::numbers::pi) / (2 * std::numbers::pi)));
}

bool has_area(const NormalizedRect& rect) {
  return rect.width > 0 && rect.height > 0;
}

// HandDetectionsFromPoseToRectsCalculator on the keypoints of
// LandmarksToDetection (wrist, pinky, index), in pixels.
NormalizedRect rect_from_pose_keypoints(std::span<const Landmark> wrist_pinky_index,
                                        ImageSize image) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float x_wrist = wrist_pinky_index[0].x * width, y_wrist = wrist_pinky_index[0].y * height;
  const float x_pinky = wrist_pinky_index[1].x * width, y_pinky = wrist_pinky_index[1].y * height;
  const float x_index = wrist_pinky_index[2].x * width, y_index = wrist_pinky_index[2].y * height;
  // The middle finger's base, estimated a third of the way from index to pinky.
  const float x_middle = (2.0f * x_index + x_pinky) / 3.0f;
  const float y_middle = (2.0f * y_index + y_pinky) / 3.0f;
  const float dx = x_middle - x_wrist, dy = y_middle - y_wrist;
  const auto box_size = static_cast<float>(std::sqrt(dx * dx + dy * dy) * 2.0);
  const float rotation = normalize_radians(kUp - std::atan2(-dy, dx));
  return {x_middle / width, y_middle / height, box_size / width, box_size / height, rotation};
}

// HandLandmarksToRectCalculator's ComputeRotation: wrist -> the mean of the
// middle MCP and the index/ring MCPs' midpoint, turned to point up.
float palm_rotation(std::span<const Landmark> palm, ImageSize image) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float x0 = palm[kPalmWrist].x * width, y0 = palm[kPalmWrist].y * height;
  float x1 = (palm[kPalmIndex].x + palm[kPalmRing].x) / 2.0f;
  float y1 = (palm[kPalmIndex].y + palm[kPalmRing].y) / 2.0f;
  x1 = (x1 + palm[kPalmMiddle].x) / 2.0f * width;
  y1 = (y1 + palm[kPalmMiddle].y) / 2.0f * height;
  return normalize_radians(kUp - std::atan2(-(y1 - y0), x1 - x0));
}

struct Bounds {
  // The calculator starts its maxima at the smallest positive float.
  float min_x = std::numeric_limits<float>::max(), min_y = std::numeric_limits<float>::max();
  float max_x = std::numeric_limits<float>::min(), max_y = std::numeric_limits<float>::min();
  void add(float x, float y) {
    min_x = std::min(min_x, x);
    min_y = std::min(min_y, y);
    max_x = std::max(max_x, x);
    max_y = std::max(max_y, y);
  }
  float center_x() const { return (max_x + min_x) / 2.0f; }
  float center_y() const { return (max_y + min_y) / 2.0f; }
};

// HandLandmarksToRectCalculator's NormalizedLandmarkListToRect: the palm's
// bounding box along the axes of the rotated hand, in pixels.
NormalizedRect palm_rect(std::span<const Landmark> palm, ImageSize image) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float rotation = palm_rotation(palm, image);
  const float reverse = normalize_radians(-rotation);
  Bounds axis_aligned;
  for (const Landmark& l : palm) axis_aligned.add(l.x, l.y);
  const float center_x = axis_aligned.center_x(), center_y = axis_aligned.center_y();
  Bounds turned;
  for (const Landmark& l : palm) {
    const float x = (l.x - center_x) * width, y = (l.y - center_y) * height;
    turned.add(x * std::cos(reverse) - y * std::sin(reverse),
               x * std::sin(reverse) + y * std::cos(reverse));
  }
  const float turned_x = turned.center_x(), turned_y = turned.center_y();
  const float x = turned_x * std::cos(rotation) - turned_y * std::sin(rotation) + width * center_x;
  const float y = turned_x * std::sin(rotation) + turned_y * std::cos(rotation) + height * center_y;
  return {x / width, y / height, (turned.max_x - turned.min_x) / width,
          (turned.max_y - turned.min_y) / height, rotation};
}

std::vector<Landmark> select(std::span<const Landmark> landmarks, std::span<const int> indices) {
  std::vector<Landmark> selected;
  selected.reserve(indices.size());
  for (int i : indices) selected.push_back(landmarks[static_cast<std::size_t>(i)]);
  return selected;
}

}  // namespace

bool hand_visible_in_pose(const Landmark& pose_wrist) {
  return static_cast<double>(pose_wrist.visibility) > kPoseWristVisibilityThreshold;
}

NormalizedRect hand_roi_from_pose(std::span<const Landmark> wrist_pinky_index, ImageSize image) {
  if (wrist_pinky_index.size() != 3) {
    throw std::invalid_argument("hand_roi_from_pose: needs the wrist, pinky and index landmarks");
  }
  return transform_rect(rect_from_pose_keypoints(wrist_pinky_index, image), image,
                        kPoseRoiTransform);
}

NormalizedRect hand_roi_from_recrop(std::span<const Landmark> recrop_points, ImageSize image) {
  if (recrop_points.size() != kRecropPointCount) {
    throw std::invalid_argument("hand_roi_from_recrop: needs the re-crop model's 2 points");
  }
  const NormalizedRect rect =
      rect_from_alignment_points({recrop_points[0].x, recrop_points[0].y},
                                 {recrop_points[1].x, recrop_points[1].y}, -kUp, image);
  return transform_rect(rect, image, kRecropRoiTransform);
}

NormalizedRect hand_roi_from_landmarks(std::span<const Landmark> landmarks, ImageSize image) {
  if (landmarks.size() != kHandLandmarkCount) {
    throw std::invalid_argument("hand_roi_from_landmarks: needs 21 hand landmarks");
  }
  return transform_rect(palm_rect(select(landmarks, kPalmLandmarks), image), image,
                        kLandmarksRoiTransform);
}

struct HandTracker::Impl {
  // The two sides run the same models one after the other; only the
  // previous frame's landmarks are per side.
  float crop_shift_px;
  nn::Model recrop_model;
  nn::Model landmark_model;
  // PreviousLoopbackCalculator in hand_tracking.pbtxt: last frame's hand.
  std::optional<std::vector<Landmark>> previous_left, previous_right;

  explicit Impl(const HandTrackerOptions& o)
      : crop_shift_px(o.crop_shift_px),
        recrop_model(load_model_file(o.models_dir, "hand_recrop.tflite", o.model_options)),
        landmark_model(load_model_file(o.models_dir, "hand_landmark_full.tflite", o.model_options,
                                       kHandLandmarkOutputsRead)) {}

  // HandRecropByRoiGpu: the re-crop ROI predicted within `roi`.
  NormalizedRect recrop_roi(const image::ImageView& frame, const NormalizedRect& roi) {
    const LetterboxPadding padding =
        crop_to_tensor(frame, &roi, kRecropInput, recrop_model.input(0), crop_shift_px);
    recrop_model.run();
    std::vector<Landmark> points =
        decode_landmarks(recrop_model.output(0), kRecropPointCount, kRecropSize, kRecropSize);
    remove_letterbox(points, padding);
    project_to_image(points, roi);
    return hand_roi_from_recrop(points, {frame.width, frame.height});
  }

  // HandTracking: last frame's landmarks ROI while RoiTrackingCalculator's
  // requirements hold, else this frame's re-crop ROI.
  static NormalizedRect tracking_roi(const std::optional<std::vector<Landmark>>& last,
                                     const NormalizedRect& recrop, ImageSize size) {
    if (!last) return recrop;
    const NormalizedRect last_roi = hand_roi_from_landmarks(*last, size);
    return keeps_tracking(*last, last_roi, recrop, size, kHandTrackingRequirements) ? last_roi
                                                                                    : recrop;
  }

  // HandLandmarkGpu: 21 landmarks in frame coordinates, or nothing when the
  // hand flag does not pass the threshold.
  std::optional<std::vector<Landmark>> landmarks_in(const image::ImageView& frame,
                                                    const NormalizedRect& roi) {
    const LetterboxPadding padding =
        crop_to_tensor(frame, &roi, kLandmarkInput, landmark_model.input(0), crop_shift_px);
    landmark_model.run();
    if (!(static_cast<double>(landmark_model.output(kHandFlag)[0]) > kHandPresenceThreshold)) {
      return std::nullopt;
    }
    std::vector<Landmark> landmarks = decode_landmarks(
        landmark_model.output(kLandmarks), kHandLandmarkCount, kLandmarkSize, kLandmarkSize);
    for (Landmark& l : landmarks) l.z /= kNormalizeZ;
    remove_letterbox(landmarks, padding);
    project_to_image(landmarks, roi);
    return landmarks;
  }

  // HandLandmarksFromPoseGpu for one side; `previous` is that side's state.
  std::optional<Hand> track(const image::ImageView& frame, const std::optional<Pose>& pose,
                            std::span<const int> pose_indices,
                            std::optional<std::vector<Landmark>>& previous) {
    const std::optional<std::vector<Landmark>> last = std::exchange(previous, std::nullopt);
    if (!pose) return std::nullopt;
    const std::vector<Landmark> wrist_pinky_index = select(pose->landmarks, pose_indices);
    // GateCalculator on HandVisibilityFromHandLandmarksFromPose.
    if (!hand_visible_in_pose(wrist_pinky_index[0])) return std::nullopt;
    const ImageSize size{frame.width, frame.height};
    const NormalizedRect pose_roi = hand_roi_from_pose(wrist_pinky_index, size);
    if (!has_area(pose_roi)) return std::nullopt;
    const NormalizedRect recrop = recrop_roi(frame, pose_roi);
    if (!has_area(recrop)) return std::nullopt;
    const NormalizedRect roi = tracking_roi(last, recrop, size);
    std::optional<std::vector<Landmark>> landmarks = landmarks_in(frame, roi);
    if (!landmarks) return std::nullopt;
    previous = *landmarks;
    return Hand{std::move(*landmarks)};
  }

  Hands process(const image::ImageView& frame, const std::optional<Pose>& pose) {
    if (pose && pose->landmarks.size() <= static_cast<std::size_t>(kRightHandPoseLandmarks[2])) {
      throw std::invalid_argument("HandTracker: the pose has fewer than 21 landmarks");
    }
    Hands hands;
    hands.left = track(frame, pose, kLeftHandPoseLandmarks, previous_left);
    hands.right = track(frame, pose, kRightHandPoseLandmarks, previous_right);
    return hands;
  }
};

HandTracker::HandTracker(const HandTrackerOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
HandTracker::HandTracker(HandTracker&&) noexcept = default;
HandTracker& HandTracker::operator=(HandTracker&&) noexcept = default;
HandTracker::~HandTracker() = default;

Hands HandTracker::process(const image::ImageView& frame, const std::optional<Pose>& pose,
                           std::int64_t /*timestamp_us*/) {
  return impl_->process(frame, pose);
}

void HandTracker::reset() {
  impl_->previous_left.reset();
  impl_->previous_right.reset();
}

}  // namespace signprep::landmarks
