#include "landmarks/roi.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace signprep::landmarks {
namespace {

// MediaPipe's NormalizeRadians: into [-pi, pi).
float normalize_radians(float angle) {
  return static_cast<float>(angle -
                            2 * std::numbers::pi *
                                std::floor((angle + std::numbers::pi) / (2 * std::numbers::pi)));
}

// ImageToTensorCalculator's PadRoi: grows the ROI to the tensor's aspect
// ratio and reports the growth as padding of the tensor.
LetterboxPadding pad_to_aspect_ratio(int tensor_width, int tensor_height, image::RotatedRect& roi) {
  if (!(roi.width > 0 && roi.height > 0)) {
    throw std::invalid_argument("crop_to_tensor: the region of interest is empty");
  }
  const float tensor_aspect = static_cast<float>(tensor_height) / static_cast<float>(tensor_width);
  const float roi_aspect = roi.height / roi.width;
  if (tensor_aspect > roi_aspect) {
    const float vertical = (1.0f - roi_aspect / tensor_aspect) / 2.0f;
    roi.height = roi.width * tensor_aspect;
    return {0.0f, vertical, 0.0f, vertical};
  }
  const float horizontal = (1.0f - tensor_aspect / roi_aspect) / 2.0f;
  roi.width = roi.height / tensor_aspect;
  return {horizontal, 0.0f, horizontal, 0.0f};
}

}  // namespace

NormalizedRect rect_from_alignment_points(Point2 center, Point2 scale_point, float target_angle,
                                          ImageSize image) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float x0 = center.x * width, y0 = center.y * height;
  const float x1 = scale_point.x * width, y1 = scale_point.y * height;
  const float box_size = std::sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)) * 2.0f;
  // DetectionsToRectsCalculator::ComputeRotation (y grows downwards).
  const float rotation = normalize_radians(target_angle - std::atan2(-(y1 - y0), x1 - x0));
  return {x0 / width, y0 / height, box_size / width, box_size / height, rotation};
}

NormalizedRect scale_rect(const NormalizedRect& rect, ImageSize image, float scale_x, float scale_y,
                          bool square_long) {
  NormalizedRect out = rect;
  if (square_long) {
    const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
    const float long_side = std::max(rect.width * width, rect.height * height);
    out.width = long_side / width;
    out.height = long_side / height;
  }
  out.width *= scale_x;
  out.height *= scale_y;
  return out;
}

LetterboxPadding crop_to_tensor(const image::ImageView& frame, const NormalizedRect* roi,
                                const TensorInput& input, std::span<float> tensor, float shift_px) {
  const auto width = static_cast<float>(frame.width), height = static_cast<float>(frame.height);
  image::RotatedRect rect{0.5f * width, 0.5f * height, width, height, 0.0f};
  if (roi != nullptr) {
    rect = {roi->x_center * width + shift_px, roi->y_center * height + shift_px, roi->width * width,
            roi->height * height, roi->rotation};
  }
  LetterboxPadding padding{};
  if (input.keep_aspect_ratio) padding = pad_to_aspect_ratio(input.width, input.height, rect);
  image::crop_to_tensor(frame, rect, input.width, input.height, input.range, input.border, tensor);
  return padding;
}

void remove_letterbox(Detection& detection, const LetterboxPadding& padding) {
  const float left = padding[0], top = padding[1];
  const float x_scale = 1.0f - padding[0] - padding[2], y_scale = 1.0f - padding[1] - padding[3];
  detection.xmin = (detection.xmin - left) / x_scale;
  detection.ymin = (detection.ymin - top) / y_scale;
  detection.width /= x_scale;
  detection.height /= y_scale;
  for (Point2& p : detection.keypoints) p = {(p.x - left) / x_scale, (p.y - top) / y_scale};
}

void remove_letterbox(std::span<Landmark> landmarks, const LetterboxPadding& padding) {
  const float left = padding[0], top = padding[1];
  const float x_scale = 1.0f - padding[0] - padding[2], y_scale = 1.0f - padding[1] - padding[3];
  for (Landmark& l : landmarks) {
    l.x = (l.x - left) / x_scale;
    l.y = (l.y - top) / y_scale;
    l.z /= x_scale;  // z is in the units of x
  }
}

void project_to_image(std::span<Landmark> landmarks, const NormalizedRect& roi) {
  const float cos_r = std::cos(roi.rotation), sin_r = std::sin(roi.rotation);
  for (Landmark& l : landmarks) {
    const float x = l.x - 0.5f, y = l.y - 0.5f;
    l.x = (cos_r * x - sin_r * y) * roi.width + roi.x_center;
    l.y = (sin_r * x + cos_r * y) * roi.height + roi.y_center;
    l.z *= roi.width;
  }
}

// ---- Added for the face subgraph (FaceTracker); shared with the hands.

namespace {

// DetectionsToRectsCalculator::NormRectFromKeyPoints.
NormalizedRect keypoints_bounding_rect(std::span<const Point2> keypoints) {
  if (keypoints.size() < 2) {
    throw std::invalid_argument("detection_to_rect: 2 or more keypoints are needed for a rect");
  }
  float xmin = std::numeric_limits<float>::max(), ymin = std::numeric_limits<float>::max();
  float xmax = std::numeric_limits<float>::lowest(), ymax = std::numeric_limits<float>::lowest();
  for (const Point2& p : keypoints) {
    xmin = std::min(xmin, p.x);
    ymin = std::min(ymin, p.y);
    xmax = std::max(xmax, p.x);
    ymax = std::max(ymax, p.y);
  }
  return {(xmin + xmax) / 2, (ymin + ymax) / 2, xmax - xmin, ymax - ymin, 0.0f};
}

// DetectionsToRectsCalculator::ComputeRotation, in pixels (y grows downwards).
float rotation_between(Point2 start, Point2 end, float target_angle, ImageSize image) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float x0 = start.x * width, y0 = start.y * height;
  const float x1 = end.x * width, y1 = end.y * height;
  return normalize_radians(target_angle - std::atan2(-(y1 - y0), x1 - x0));
}

// A point in pixels, turned by `rotation` radians (counter-clockwise in the
// maths sense), as RoiTrackingCalculator aligns points with a rect's axes.
Point2 rotated_pixels(float x, float y, ImageSize image, float cos_a, float sin_a) {
  const float px = x * static_cast<float>(image.width), py = y * static_cast<float>(image.height);
  return {px * cos_a - py * sin_a, px * sin_a + py * cos_a};
}

// RoiTrackingCalculator's RectRequirementsSatisfied.
bool rect_requirements_met(const NormalizedRect& previous, const NormalizedRect& recrop,
                           ImageSize image, const RoiTrackingRequirements& requirements) {
  const float cos_a = std::cos(-recrop.rotation), sin_a = std::sin(-recrop.rotation);
  const Point2 prev_center =
      rotated_pixels(previous.x_center, previous.y_center, image, cos_a, sin_a);
  const Point2 recrop_center =
      rotated_pixels(recrop.x_center, recrop.y_center, image, cos_a, sin_a);
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  const float recrop_width = recrop.width * width, recrop_height = recrop.height * height;
  float rotation_diff = static_cast<float>(previous.rotation / std::numbers::pi * 180.0) -
                        static_cast<float>(recrop.rotation / std::numbers::pi * 180.0);
  if (rotation_diff > 180.0f) rotation_diff -= 360.0f;
  if (rotation_diff < -180.0f) rotation_diff += 360.0f;
  bool met = std::abs(rotation_diff) <= requirements.rotation_degrees;
  met &= std::abs(prev_center.x - recrop_center.x) <= recrop_width * requirements.translation;
  met &= std::abs(prev_center.y - recrop_center.y) <= recrop_height * requirements.translation;
  met &= std::abs(previous.width * width - recrop_width) <= recrop_width * requirements.scale;
  met &= std::abs(previous.height * height - recrop_height) <= recrop_height * requirements.scale;
  return met;
}

// RoiTrackingCalculator's LandmarksRequirementsSatisfied: strictly inside.
bool landmarks_requirements_met(std::span<const Landmark> landmarks, const NormalizedRect& recrop,
                                ImageSize image, float margin) {
  const float cos_a = std::cos(-recrop.rotation), sin_a = std::sin(-recrop.rotation);
  const Point2 center = rotated_pixels(recrop.x_center, recrop.y_center, image, cos_a, sin_a);
  const float half_width = recrop.width * static_cast<float>(image.width) * (1.0f + margin) * 0.5f;
  const float half_height =
      recrop.height * static_cast<float>(image.height) * (1.0f + margin) * 0.5f;
  return std::all_of(landmarks.begin(), landmarks.end(), [&](const Landmark& l) {
    const Point2 p = rotated_pixels(l.x, l.y, image, cos_a, sin_a);
    return center.x - half_width < p.x && p.x < center.x + half_width &&
           center.y - half_height < p.y && p.y < center.y + half_height;
  });
}

}  // namespace

Detection landmarks_to_detection(std::span<const Landmark> landmarks) {
  if (landmarks.empty()) throw std::invalid_argument("landmarks_to_detection: no landmarks");
  // std::numeric_limits<float>::min() (not lowest()) as the calculator has it.
  float xmin = std::numeric_limits<float>::max(), ymin = std::numeric_limits<float>::max();
  float xmax = std::numeric_limits<float>::min(), ymax = std::numeric_limits<float>::min();
  Detection detection;
  detection.keypoints.reserve(landmarks.size());
  for (const Landmark& l : landmarks) {
    xmin = std::min(xmin, l.x);
    xmax = std::max(xmax, l.x);
    ymin = std::min(ymin, l.y);
    ymax = std::max(ymax, l.y);
    detection.keypoints.push_back({l.x, l.y});
  }
  detection.xmin = xmin;
  detection.ymin = ymin;
  detection.width = xmax - xmin;
  detection.height = ymax - ymin;
  return detection;
}

NormalizedRect detection_to_rect(const Detection& detection, const DetectionToRectOptions& options,
                                 ImageSize image) {
  const std::size_t start = static_cast<std::size_t>(options.rotation_start_keypoint);
  const std::size_t end = static_cast<std::size_t>(options.rotation_end_keypoint);
  if (options.rotation_start_keypoint < 0 || options.rotation_end_keypoint < 0 ||
      start >= detection.keypoints.size() || end >= detection.keypoints.size()) {
    throw std::invalid_argument("detection_to_rect: rotation keypoint out of range");
  }
  NormalizedRect rect = options.use_keypoints
                            ? keypoints_bounding_rect(detection.keypoints)
                            : NormalizedRect{detection.xmin + detection.width / 2,
                                             detection.ymin + detection.height / 2, detection.width,
                                             detection.height, 0.0f};
  rect.rotation = rotation_between(detection.keypoints[start], detection.keypoints[end],
                                   options.target_angle, image);
  return rect;
}

NormalizedRect transform_rect(const NormalizedRect& rect, ImageSize image,
                              const RectTransform& transform) {
  const auto width = static_cast<float>(image.width), height = static_cast<float>(image.height);
  NormalizedRect out = rect;
  if (rect.rotation == 0.0f) {
    out.x_center += rect.width * transform.shift_x;
    out.y_center += rect.height * transform.shift_y;
  } else {
    const float cos_r = std::cos(rect.rotation), sin_r = std::sin(rect.rotation);
    const float shift_x = width * rect.width * transform.shift_x;
    const float shift_y = height * rect.height * transform.shift_y;
    out.x_center += (shift_x * cos_r - shift_y * sin_r) / width;
    out.y_center += (shift_x * sin_r + shift_y * cos_r) / height;
  }
  return scale_rect(out, image, transform.scale_x, transform.scale_y, transform.square_long);
}

bool keeps_tracking(std::span<const Landmark> previous_landmarks,
                    const NormalizedRect& previous_rect, const NormalizedRect& recrop_rect,
                    ImageSize image, const RoiTrackingRequirements& requirements) {
  const bool rect_met = rect_requirements_met(previous_rect, recrop_rect, image, requirements);
  const bool landmarks_met = landmarks_requirements_met(previous_landmarks, recrop_rect, image,
                                                        requirements.recrop_rect_margin);
  return rect_met && landmarks_met;
}

}  // namespace signprep::landmarks
