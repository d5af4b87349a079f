// The face half of MediaPipe Holistic (FaceLandmarksFromPoseGpu with
// refine_face_landmarks, mediapipe/modules/holistic_landmark/
// face_landmarks_from_pose_gpu.pbtxt): every frame, the face-related pose
// landmarks (0..10) give a re-crop ROI; the short-range face detector runs in
// it and its best detection gives the face ROI; the previous frame's face
// ROI is kept instead while the face moved little (FaceTracking); and
// face_landmark_with_attention predicts 478 landmarks in that ROI, its lips,
// eyes and irises heads refining the mesh. Holistic smooths none of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "image/image.h"
#include "landmarks/pose_tracker.h"
#include "landmarks/roi.h"
#include "landmarks/types.h"
#include "nn/model.h"

namespace signprep::landmarks {

inline constexpr int kFaceLandmarkCount = 478;       // 468 mesh + 10 iris
inline constexpr int kPlainFaceLandmarkCount = 468;  // the mesh alone, without refinement
inline constexpr int kPoseFaceLandmarkCount = 11;    // pose landmarks 0..10

struct FaceTrackerOptions {
  // face_detection_short_range.tflite, face_landmark_with_attention.tflite
  // (or face_landmark.tflite without refinement)
  std::filesystem::path models_dir = "models";
  // MediaPipe's refine_face_landmarks: the attention mesh's 478 points (lips,
  // eyes and irises refined), else the plain mesh's 468.
  bool refine_landmarks = true;
  nn::ModelOptions model_options;
  float crop_shift_px = 0;  // a diagnostic: PoseTrackerOptions::crop_shift_px
};

struct Face {
  // kFaceLandmarkCount (kPlainFaceLandmarkCount without refinement),
  // normalised to the frame
  std::vector<Landmark> landmarks;
};

class FaceTracker {
 public:
  // Throws Error(kModel) when a model is missing or unreadable.
  explicit FaceTracker(const FaceTrackerOptions& options);
  FaceTracker(FaceTracker&&) noexcept;
  FaceTracker& operator=(FaceTracker&&) noexcept;
  ~FaceTracker();

  // One frame of a video, in order: the RGB frame Holistic sees and this
  // frame's (smoothed) pose, of which landmarks 0..10 are used. Returns the
  // face, or nothing when there is no pose, the detector finds no face in
  // the pose's face region, or the landmark model's face score is not above
  // 0.5. Nothing in the face graph depends on time (no smoothing), so the
  // timestamp only keeps the trackers' calls alike.
  std::optional<Face> process(const image::ImageView& frame, const std::optional<Pose>& pose,
                              std::int64_t timestamp_us);

  // Forgets the previous frame's face (a new video).
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- The graph's steps, exposed for tests. Rects are normalised to `image`.

// FaceLandmarksFromPoseToRecropRoi: the pose's face landmarks' bounding box,
// rotated by the right eye (5) -> left eye (2) vector, squared and tripled.
NormalizedRect face_roi_from_pose(std::span<const Landmark> pose_face_landmarks, ImageSize image);

// FaceDetectionFrontDetectionsToRoi: the six face-detector keypoints'
// bounding box, rotated by the right eye (0) -> left eye (1) vector, shifted
// up by a tenth of its height, squared and doubled.
NormalizedRect face_roi_from_detection(const Detection& detection, ImageSize image);

// FaceLandmarksToRoi (holistic_landmark/face_landmarks_to_roi.pbtxt): the
// landmarks' bounding box, rotated by landmark 33 -> 263, squared, x1.5.
NormalizedRect face_roi_from_landmarks(std::span<const Landmark> landmarks, ImageSize image);

// FaceTracking's RoiTrackingCalculator options (face_tracking.pbtxt).
inline constexpr RoiTrackingRequirements kFaceTrackingRequirements{
    .rotation_degrees = 15.0f, .translation = 0.1f, .scale = 0.3f, .recrop_rect_margin = -0.2f};

// The attention model's decoded heads (TensorsToLandmarksCalculator each),
// normalised to the model input: mesh 468 (x, y, z), lips 80, each eye 71,
// each iris 5 (x, y).
struct FaceModelLandmarks {
  std::vector<Landmark> mesh, lips, left_eye, right_eye, left_iris, right_iris;
};

// LandmarksRefinementCalculator as tensors_to_face_landmarks_with_attention
// configures it: the mesh, then each head overwriting x and y at its indices
// (face_refinement_maps.h); z stays the mesh's, except the irises', which is
// the mean z of their eye's contour. Visibility and presence are 0. Throws
// std::invalid_argument when a head has the wrong landmark count.
std::vector<Landmark> refine_face_landmarks(const FaceModelLandmarks& heads);

}  // namespace signprep::landmarks
