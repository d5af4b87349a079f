// Regions of interest: deriving them from detections and landmarks, cropping
// them into model inputs, and mapping model outputs back onto the image. Each
// function follows the MediaPipe calculator named in its comment.
#pragma once

#include <array>
#include <span>

#include "image/image.h"
#include "image/warp.h"
#include "landmarks/types.h"

namespace signprep::landmarks {

struct ImageSize {
  int width = 0, height = 0;
};

// AlignmentPointsRectsCalculator: a square (in pixels) centred on `center`,
// its side twice the distance to `scale_point`, rotated so that the vector
// center -> scale_point points at `target_angle` (radians, counter-clockwise
// from the x axis; MediaPipe's graphs use 90 degrees: "up").
NormalizedRect rect_from_alignment_points(Point2 center, Point2 scale_point, float target_angle,
                                          ImageSize image);

// RectTransformationCalculator without shift: optionally squared on its
// longer side (in pixels), then scaled.
NormalizedRect scale_rect(const NormalizedRect& rect, ImageSize image, float scale_x, float scale_y,
                          bool square_long);

// Letterbox padding of a model input as fractions of its width/height:
// {left, top, right, bottom}.
using LetterboxPadding = std::array<float, 4>;

// ImageToTensorCalculatorOptions.
struct TensorInput {
  int width = 0, height = 0;
  bool keep_aspect_ratio = false;
  image::ValueRange range;
  image::BorderMode border = image::BorderMode::kReplicate;
};

// ImageToTensorCalculator: crops `roi` (the whole image when null), widened
// or heightened to the tensor's aspect ratio when it keeps the aspect ratio,
// into `tensor` (height x width x 3); returns the padding that added.
LetterboxPadding crop_to_tensor(const image::ImageView& frame, const NormalizedRect* roi,
                                const TensorInput& input, std::span<float> tensor);

// DetectionLetterboxRemovalCalculator / LandmarkLetterboxRemovalCalculator.
void remove_letterbox(Detection& detection, const LetterboxPadding& padding);
void remove_letterbox(std::span<Landmark> landmarks, const LetterboxPadding& padding);

// LandmarkProjectionCalculator: from the ROI's frame to the image's.
void project_to_image(std::span<Landmark> landmarks, const NormalizedRect& roi);

}  // namespace signprep::landmarks
