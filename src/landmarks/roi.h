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
// `shift_px` moves a given `roi` that many pixels right and down: a
// perturbation for measuring how sensitive tracking is (the trackers'
// crop_shift_px, `signprep landmarks --perturb-crops`).
LetterboxPadding crop_to_tensor(const image::ImageView& frame, const NormalizedRect* roi,
                                const TensorInput& input, std::span<float> tensor,
                                float shift_px = 0.0f);

// DetectionLetterboxRemovalCalculator / LandmarkLetterboxRemovalCalculator.
void remove_letterbox(Detection& detection, const LetterboxPadding& padding);
void remove_letterbox(std::span<Landmark> landmarks, const LetterboxPadding& padding);

// LandmarkProjectionCalculator: from the ROI's frame to the image's.
void project_to_image(std::span<Landmark> landmarks, const NormalizedRect& roi);

// ---- Added for the face subgraph (FaceTracker); shared with the hands.

// LandmarksToDetectionCalculator: a detection whose keypoints are the
// landmarks' (x, y) and whose box encloses them exactly. As in the
// calculator, the running maxima start at the smallest positive float, so a
// box of landmarks all left of (or above) the image reaches to 0.
Detection landmarks_to_detection(std::span<const Landmark> landmarks);

// DetectionsToRectsCalculatorOptions with a rotation vector.
struct DetectionToRectOptions {
  bool use_keypoints = false;  // conversion_mode USE_KEYPOINTS, else the box
  int rotation_start_keypoint = 0, rotation_end_keypoint = 0;
  float target_angle = 0;  // radians, counter-clockwise from the x axis
};

// DetectionsToRectsCalculator (NORM_RECT, first detection): the detection's
// box, or its keypoints' bounding box, rotated so that the vector from the
// start to the end keypoint (in pixels) points at `target_angle`.
NormalizedRect detection_to_rect(const Detection& detection, const DetectionToRectOptions& options,
                                 ImageSize image);

// RectTransformationCalculatorOptions without a rotation change; shifts are
// fractions of the rect's sides along its own (rotated) axes.
struct RectTransform {
  float scale_x = 1, scale_y = 1;
  float shift_x = 0, shift_y = 0;
  bool square_long = false;
};

// RectTransformationCalculator on a NormalizedRect: shift (by the sides
// before squaring), then square on the long side in pixels, then scale.
NormalizedRect transform_rect(const NormalizedRect& rect, ImageSize image,
                              const RectTransform& transform);

// RoiTrackingCalculatorOptions' rect_requirements and landmarks_requirements
// (the holistic graphs set both and no iou_requirements).
struct RoiTrackingRequirements {
  float rotation_degrees = 0;    // most rotation change
  float translation = 0;         // most centre shift, per side of the re-crop rect
  float scale = 0;               // most side change, per side of the re-crop rect
  float recrop_rect_margin = 0;  // re-crop rect grown by this share for the landmark test
};

// RoiTrackingCalculator: whether the previous frame's landmarks rect may
// stand in for this frame's re-crop rect: it differs little from the re-crop
// rect and every previous landmark lies inside the (margin-adjusted) re-crop
// rect, both judged along the re-crop rect's axes in pixels.
bool keeps_tracking(std::span<const Landmark> previous_landmarks,
                    const NormalizedRect& previous_rect, const NormalizedRect& recrop_rect,
                    ImageSize image, const RoiTrackingRequirements& requirements);

}  // namespace signprep::landmarks
