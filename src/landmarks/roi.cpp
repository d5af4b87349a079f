#include "landmarks/roi.h"

#include <algorithm>
#include <cmath>
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
                                const TensorInput& input, std::span<float> tensor) {
  const auto width = static_cast<float>(frame.width), height = static_cast<float>(frame.height);
  image::RotatedRect rect{0.5f * width, 0.5f * height, width, height, 0.0f};
  if (roi != nullptr) {
    rect = {roi->x_center * width, roi->y_center * height, roi->width * width, roi->height * height,
            roi->rotation};
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

}  // namespace signprep::landmarks
