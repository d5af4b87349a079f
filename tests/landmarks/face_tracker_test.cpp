// The face subgraph: the refinement maps and rules, each ROI step against
// hand-computed values of MediaPipe's calculators, RoiTrackingCalculator's
// requirements, and FaceTracker end to end against MediaPipe's own Holistic
// (fed the golden pose, so that only the face half is measured).
#include "landmarks/face_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <numbers>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "golden_holistic.h"
#include "image/resize.h"
#include "landmarks/face_refinement_maps.h"
#include "landmarks/roi.h"
#include "landmarks/segmentation.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::landmarks {
namespace {

using test_support::golden_pose;
using test_support::GoldenFile;
using test_support::percentile;

namespace maps = face_refinement;
constexpr float kPi = std::numbers::pi_v<float>;
constexpr ImageSize kSquare{256, 256};

// ---- the refinement maps and rules

TEST(FaceRefinementMaps, CoverEveryRefinedLandmarkOnceBesidesTheMesh) {
  std::multiset<int> heads;
  heads.insert(maps::kLips.begin(), maps::kLips.end());
  heads.insert(maps::kLeftEye.begin(), maps::kLeftEye.end());
  heads.insert(maps::kRightEye.begin(), maps::kRightEye.end());
  // Lips and eyes refine distinct mesh points; the irises add 468..477.
  EXPECT_EQ(std::set<int>(heads.begin(), heads.end()).size(), 80u + 71u + 71u);
  EXPECT_LT(*heads.rbegin(), maps::kMeshCount);
  std::vector<int> irises(maps::kLeftIris.begin(), maps::kLeftIris.end());
  irises.insert(irises.end(), maps::kRightIris.begin(), maps::kRightIris.end());
  std::vector<int> expected(10);
  std::iota(expected.begin(), expected.end(), maps::kMeshCount);
  EXPECT_EQ(irises, expected);
}

TEST(FaceRefinementMaps, IrisDepthComesFromTheEyeContours) {
  // The pbtxt's indexes_for_average repeat the eyes' first two groups.
  EXPECT_TRUE(std::equal(maps::kLeftIrisZAverage.begin(), maps::kLeftIrisZAverage.end(),
                         maps::kLeftEye.begin()));
  EXPECT_TRUE(std::equal(maps::kRightIrisZAverage.begin(), maps::kRightIrisZAverage.end(),
                         maps::kRightEye.begin()));
  // Spot checks against the pbtxt: mouth corners, eye corners, eyebrow ends.
  EXPECT_EQ(maps::kLips[0], 61);
  EXPECT_EQ(maps::kLips[10], 291);
  EXPECT_EQ(maps::kLips[79], 407);
  EXPECT_EQ(maps::kLeftEye[8], 133);
  EXPECT_EQ(maps::kLeftEye[70], 193);
  EXPECT_EQ(maps::kRightEye[8], 362);
  EXPECT_EQ(maps::kRightEye[70], 417);
}

std::vector<Landmark> head(std::size_t count, float x0, bool with_z) {
  std::vector<Landmark> landmarks(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto f = static_cast<float>(i);
    landmarks[i] = {x0 + f, -f, with_z ? 0.5f * f : 0.0f, 0.0f, 0.0f};
  }
  return landmarks;
}

FaceModelLandmarks distinct_heads() {
  return {head(468, 0, true),    head(80, 1000, false), head(71, 2000, false),
          head(71, 3000, false), head(5, 4000, false),  head(5, 5000, false)};
}

TEST(RefineFaceLandmarks, HeadsOverwriteXyAtTheirIndicesAndKeepTheMeshDepth) {
  const FaceModelLandmarks heads = distinct_heads();
  const std::vector<Landmark> refined = refine_face_landmarks(heads);
  ASSERT_EQ(refined.size(), 478u);
  EXPECT_FLOAT_EQ(refined[1].x, 1.0f);  // nose tip: mesh only
  EXPECT_FLOAT_EQ(refined[1].z, 0.5f);
  // Lips' landmark 10 lands on 291 with the mesh's z.
  EXPECT_FLOAT_EQ(refined[291].x, 1010.0f);
  EXPECT_FLOAT_EQ(refined[291].y, -10.0f);
  EXPECT_FLOAT_EQ(refined[291].z, 0.5f * 291);
  EXPECT_FLOAT_EQ(refined[133].x, 2008.0f);  // left eye's 9th point
  EXPECT_FLOAT_EQ(refined[417].x, 3070.0f);  // right eye's last point
  EXPECT_FLOAT_EQ(refined[471].x, 4003.0f);
  EXPECT_FLOAT_EQ(refined[477].y, -4.0f);
  for (const Landmark& l : refined) {
    EXPECT_EQ(l.visibility, 0.0f);
    EXPECT_EQ(l.presence, 0.0f);
  }
}

TEST(RefineFaceLandmarks, IrisDepthIsTheMeanMeshDepthOfTheEyeContour) {
  const std::vector<Landmark> refined = refine_face_landmarks(distinct_heads());
  const auto mean_z = [](const auto& indices) {
    double sum = 0;
    for (int i : indices) sum += 0.5 * i;  // the mesh's z at i
    return static_cast<float>(sum / static_cast<double>(indices.size()));
  };
  for (int i : maps::kLeftIris) EXPECT_FLOAT_EQ(refined[i].z, mean_z(maps::kLeftIrisZAverage));
  for (int i : maps::kRightIris) EXPECT_FLOAT_EQ(refined[i].z, mean_z(maps::kRightIrisZAverage));
  EXPECT_NE(mean_z(maps::kLeftIrisZAverage), mean_z(maps::kRightIrisZAverage));
}

TEST(RefineFaceLandmarks, RejectsHeadsOfTheWrongSize) {
  FaceModelLandmarks heads = distinct_heads();
  heads.lips.pop_back();
  EXPECT_THROW(refine_face_landmarks(heads), std::invalid_argument);
  heads = distinct_heads();
  heads.mesh.resize(478);
  EXPECT_THROW(refine_face_landmarks(heads), std::invalid_argument);
}

// ---- ROI steps

TEST(LandmarksToDetection, BoxEnclosesTheLandmarksAndKeepsThemAsKeypoints) {
  const std::vector<Landmark> landmarks = {{0.2f, 0.7f}, {0.6f, 0.3f}, {0.4f, 0.5f}};
  const Detection d = landmarks_to_detection(landmarks);
  EXPECT_FLOAT_EQ(d.xmin, 0.2f);
  EXPECT_FLOAT_EQ(d.ymin, 0.3f);
  EXPECT_FLOAT_EQ(d.width, 0.4f);
  EXPECT_FLOAT_EQ(d.height, 0.4f);
  ASSERT_EQ(d.keypoints.size(), 3u);
  EXPECT_FLOAT_EQ(d.keypoints[2].x, 0.4f);
}

TEST(LandmarksToDetection, MaximaStartAtTheSmallestPositiveFloatAsInMediaPipe) {
  const std::vector<Landmark> landmarks = {{-0.3f, -0.2f}, {-0.1f, -0.4f}};
  const Detection d = landmarks_to_detection(landmarks);
  EXPECT_FLOAT_EQ(d.width, 0.3f);  // from -0.3 to FLT_MIN, not to -0.1
  EXPECT_FLOAT_EQ(d.height, 0.4f);
}

TEST(TransformRect, ShiftFollowsTheRectsRotatedAxes) {
  // Turned 90 degrees clockwise, the rect's "up" (-y) points at +x on screen.
  const NormalizedRect rect{0.5f, 0.5f, 0.2f, 0.4f, kPi / 2};
  const NormalizedRect out = transform_rect(rect, kSquare, {.shift_y = -0.1f});
  EXPECT_NEAR(out.x_center, 0.5f + 0.04f, 1e-6f);
  EXPECT_NEAR(out.y_center, 0.5f, 1e-6f);
  const NormalizedRect upright = transform_rect({0.5f, 0.5f, 0.2f, 0.4f, 0}, kSquare,
                                                {.scale_x = 2, .scale_y = 2, .shift_y = -0.1f});
  EXPECT_FLOAT_EQ(upright.y_center, 0.46f);
  EXPECT_FLOAT_EQ(upright.width, 0.4f);  // the shift used the unsquared height
  EXPECT_FLOAT_EQ(upright.height, 0.8f);
}

// Pose landmarks 0..10 of an upright face: nose, eyes (inner, centre, outer;
// the person's left at larger x), ears, mouth corners.
std::vector<Landmark> upright_pose_face() {
  return {{0.50f, 0.40f}, {0.52f, 0.36f}, {0.54f, 0.36f}, {0.56f, 0.36f},
          {0.48f, 0.36f}, {0.46f, 0.36f}, {0.44f, 0.36f}, {0.60f, 0.38f},
          {0.40f, 0.38f}, {0.53f, 0.44f}, {0.47f, 0.44f}};
}

TEST(FaceRoiFromPose, TriplesTheSquaredBoxOfTheFaceLandmarks) {
  const NormalizedRect roi = face_roi_from_pose(upright_pose_face(), {256, 128});
  EXPECT_FLOAT_EQ(roi.x_center, 0.5f);
  EXPECT_FLOAT_EQ(roi.y_center, 0.40f);
  EXPECT_FLOAT_EQ(roi.rotation, 0.0f);
  // Box 0.2 x 0.08 of a 256x128 image: 51.2 x 10.24 px, squared to 51.2 px.
  EXPECT_NEAR(roi.width, 3 * 51.2f / 256, 1e-6f);
  EXPECT_NEAR(roi.height, 3 * 51.2f / 128, 1e-6f);
}

TEST(FaceRoiFromPose, TurnsWithTheEyes) {
  std::vector<Landmark> face = upright_pose_face();
  face[2].y = face[5].y - (face[2].x - face[5].x);  // left eye 45 degrees higher
  EXPECT_NEAR(face_roi_from_pose(face, kSquare).rotation, -kPi / 4, 1e-6f);
}

Detection detector_output(float tilt) {
  // Right eye, left eye, nose, mouth, right ear, left ear (detector order).
  Detection d;
  d.keypoints = {{0.45f, 0.40f - tilt}, {0.55f, 0.40f + tilt}, {0.50f, 0.45f},
                 {0.50f, 0.50f},        {0.38f, 0.42f},        {0.62f, 0.42f}};
  d.xmin = d.ymin = 0.0f;  // a box that must not be used
  d.width = d.height = 1.0f;
  return d;
}

TEST(FaceRoiFromDetection, DoublesTheKeypointBoxAfterShiftingItUp) {
  const NormalizedRect roi = face_roi_from_detection(detector_output(0), kSquare);
  // Keypoints box: x 0.38..0.62, y 0.40..0.50; shift up by 0.1 x 0.1.
  EXPECT_FLOAT_EQ(roi.x_center, 0.5f);
  EXPECT_FLOAT_EQ(roi.y_center, 0.45f - 0.01f);
  EXPECT_FLOAT_EQ(roi.width, 0.48f);
  EXPECT_FLOAT_EQ(roi.height, 0.48f);
  EXPECT_FLOAT_EQ(roi.rotation, 0.0f);
  EXPECT_GT(face_roi_from_detection(detector_output(0.05f), kSquare).rotation, 0.0f);
}

TEST(FaceRoiFromLandmarks, UsesAllLandmarksAndTheOuterEyeCorners) {
  std::vector<Landmark> mesh(478, Landmark{0.5f, 0.5f});
  mesh[0] = {0.3f, 0.2f};
  mesh[1] = {0.6f, 0.8f};
  mesh[33] = {0.4f, 0.5f};
  mesh[263] = {0.4f, 0.4f};  // 263 straight above 33: turned back by 90 degrees
  const NormalizedRect roi = face_roi_from_landmarks(mesh, kSquare);
  EXPECT_FLOAT_EQ(roi.x_center, 0.45f);
  EXPECT_FLOAT_EQ(roi.y_center, 0.5f);
  EXPECT_NEAR(roi.width, 0.9f, 1e-6f);
  EXPECT_NEAR(roi.rotation, -kPi / 2, 1e-6f);
}

// ---- RoiTrackingCalculator

struct TrackingCase {
  NormalizedRect previous{0.5f, 0.5f, 0.4f, 0.4f, 0.0f};
  NormalizedRect recrop{0.5f, 0.5f, 0.4f, 0.4f, 0.0f};
  std::vector<Landmark> landmarks{{0.45f, 0.45f}, {0.55f, 0.55f}};
  bool keeps() const {
    return keeps_tracking(landmarks, previous, recrop, kSquare, kFaceTrackingRequirements);
  }
};

TEST(KeepsTracking, WhileTheRecropRectBarelyMoves) {
  TrackingCase c;
  EXPECT_TRUE(c.keeps());
  c.recrop.x_center += 0.039f;  // under 0.1 of 0.4
  c.recrop.width = 0.4f * 1.29f;
  c.recrop.rotation = 14.0f * kPi / 180;
  EXPECT_TRUE(c.keeps());
}

TEST(KeepsTracking, LosesOnRotationTranslationOrScale) {
  TrackingCase rotated;
  rotated.recrop.rotation = 16.0f * kPi / 180;
  EXPECT_FALSE(rotated.keeps());
  TrackingCase wrapped;  // 175 vs -179 degrees: 6 apart once wrapped
  wrapped.previous.rotation = 175.0f * kPi / 180;
  wrapped.recrop.rotation = -179.0f * kPi / 180;
  EXPECT_TRUE(wrapped.keeps());
  TrackingCase moved;
  moved.recrop.y_center += 0.041f;
  EXPECT_FALSE(moved.keeps());
  // Sizes compare relative to the re-crop rect: 0.4 vs 0.31 is within 0.3,
  // 0.4 vs 0.30 is not.
  TrackingCase shrunk;
  shrunk.recrop.height = 0.31f;
  EXPECT_TRUE(shrunk.keeps());
  shrunk.recrop.height = 0.30f;
  EXPECT_FALSE(shrunk.keeps());
}

TEST(KeepsTracking, LosesWhenALandmarkLeavesTheShrunkRecropRect) {
  TrackingCase c;
  c.landmarks.push_back({0.5f + 0.159f, 0.5f});  // inside 0.8 x 0.4 / 2 = 0.16
  EXPECT_TRUE(c.keeps());
  c.landmarks.push_back({0.5f, 0.5f - 0.161f});
  EXPECT_FALSE(c.keeps());
}

// ---- FaceTracker

const std::filesystem::path kModels = SIGNPREP_MODELS_DIR;

FaceTrackerOptions models_in(const std::filesystem::path& dir) {
  FaceTrackerOptions options;
  options.models_dir = dir;
  return options;
}

bool models_present() {
  return std::filesystem::exists(kModels / "face_detection_short_range.tflite") &&
         std::filesystem::exists(kModels / "face_landmark_with_attention.tflite");
}

TEST(FaceTracker, NeedsAPoseAndAFace) {
  if (!models_present()) GTEST_SKIP() << "models/ not set up (scripts/setup)";
  FaceTracker tracker(models_in(kModels));
  const image::Image black(256, 256);
  EXPECT_FALSE(tracker.process(black.view(), std::nullopt, 33333));
  std::vector<Landmark> pose = upright_pose_face();
  pose.resize(33);
  EXPECT_FALSE(tracker.process(black.view(), Pose{pose, {}}, 66666));  // no face to detect
  EXPECT_THROW(tracker.process(black.view(), Pose{{}, {}}, 99999), std::invalid_argument);
}

TEST(FaceTracker, MissingModelIsAModelError) {
  EXPECT_THROW(FaceTracker(models_in("/nonexistent")), Error);
}

// ---- against MediaPipe's Holistic (golden files of the sample clips)

struct Golden {
  std::vector<std::int64_t> timestamps_ms;
  std::vector<float> pose;  // [T,33,4]: x, y, z, visibility
  std::vector<std::uint8_t> pose_present, face_present;
  std::vector<float> face;  // [T,478,3]
};

Golden load_golden(const std::string& clip) {
  const std::filesystem::path path = std::filesystem::path(SIGNPREP_GOLDEN_DIR) / (clip + ".npz");
  const GoldenFile file(path);
  return {file["timestamps_ms"].int64_values(), file["pose"].float32_values(),
          file["pose_present"].bool_values(), file["face_present"].bool_values(),
          file["face"].float32_values()};
}

struct Agreement {
  int frames = 0, same_presence = 0;
  std::vector<double> all, kept;  // |dx| and |dy| where both found a face
};

// The 11 face points the Python tool keeps (issue 5).
constexpr std::array<int, 11> kKeptFacePoints = {1, 33, 263, 133, 362, 61, 291, 105, 334, 199, 4};

void compare_frame(const Golden& golden, std::size_t t, const std::optional<Face>& face,
                   Agreement& agreement) {
  ++agreement.frames;
  agreement.same_presence += (face.has_value() == (golden.face_present[t] != 0)) ? 1 : 0;
  if (!face || !golden.face_present[t]) return;
  for (std::size_t i = 0; i < 478; ++i) {
    const float* g = &golden.face[(t * 478 + i) * 3];
    const Landmark& l = face->landmarks[i];
    const bool kept =
        std::find(kKeptFacePoints.begin(), kKeptFacePoints.end(), int(i)) != kKeptFacePoints.end();
    for (const double d : {std::abs(double(l.x) - g[0]), std::abs(double(l.y) - g[1])}) {
      agreement.all.push_back(d);
      if (kept) agreement.kept.push_back(d);
    }
  }
}

// The keypoint branch's frames (30 fps, 256x256 INTER_AREA, segmentation
// composite) through FaceTracker with the golden (smoothed) pose.
Agreement run_clip(const std::string& clip, const Golden& golden) {
  SelfieSegmenter segmenter(kModels / "selfie_segmentation_landscape.tflite");
  FaceTracker tracker(models_in(kModels));
  video::VideoReader reader(std::filesystem::path(SIGNPREP_SAMPLES_DIR) / (clip + ".mp4"));
  video::FrameSampler sampler(30.0);
  Agreement agreement;
  std::size_t t = 0;
  while (reader.next_frame()) {
    if (!sampler.keep(reader.timestamp_ms())) continue;
    EXPECT_EQ(video::FrameSampler::stored_timestamp(reader.timestamp_ms()),
              golden.timestamps_ms.at(t));
    const image::Image frame = image::resize_area(reader.to_rgb().view(), 256, 256);
    const Composite composite = composite_foreground(frame.view(), segmenter.segment(frame.view()));
    const auto timestamp = static_cast<std::int64_t>(t + 1) * 33333;
    compare_frame(golden, t,
                  tracker.process(composite.image.view(),
                                  golden_pose(golden.pose, golden.pose_present, t), timestamp),
                  agreement);
    ++t;
  }
  EXPECT_EQ(t, golden.timestamps_ms.size());
  return agreement;
}

class AgainstMediaPipe : public ::testing::TestWithParam<std::string> {};

TEST_P(AgainstMediaPipe, FaceMatchesTheGoldenHolisticGivenItsPose) {
  if (!models_present()) GTEST_SKIP() << "models/ not set up (scripts/setup)";
  const Golden golden = load_golden(GetParam());
  const Agreement a = run_clip(GetParam(), golden);
  const double presence = double(a.same_presence) / a.frames;
  std::cout << GetParam() << ": " << a.frames << " frames, presence agreement " << presence
            << "; |dx|,|dy| all 478 median " << percentile(a.all, 0.5) << " p95 "
            << percentile(a.all, 0.95) << "; kept 11 median " << percentile(a.kept, 0.5) << " p95 "
            << percentile(a.kept, 0.95) << "\n";
  // Issue 5's bounds for the face block.
  EXPECT_GE(presence, 0.97);
  EXPECT_LE(percentile(a.kept, 0.5), 0.005);
  EXPECT_LE(percentile(a.kept, 0.95), 0.02);
  EXPECT_LE(percentile(a.all, 0.5), 0.005);
  EXPECT_LE(percentile(a.all, 0.95), 0.02);
  // Given MediaPipe's own pose, signprep reproduces its face to float
  // rounding (~1e-6). These tighter bounds keep it so: losing the ROI
  // tracking alone gives medians near 1e-3 and p95 up to 1e-2.
  EXPECT_LE(percentile(a.all, 0.5), 1e-4);
  EXPECT_LE(percentile(a.all, 0.95), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Clips, AgainstMediaPipe,
                         ::testing::Values("wave_webcam_540x720p30", "webcam_man_480p15",
                                           "numbers_20_90_144p12"));

}  // namespace
}  // namespace signprep::landmarks
