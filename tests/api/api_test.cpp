// The public C++ API as another program sees it: only include/signprep/*.h,
// linked through signprep_api. Behaviour in depth is tested through the
// Python module (tests/python), which binds these calls one to one; here:
// the headers stand alone, errors carry their kinds, and the API's results
// agree with one another.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "signprep/error.h"
#include "signprep/extract.h"
#include "signprep/holistic.h"
#include "signprep/inception_v3.h"
#include "signprep/segmentation.h"
#include "signprep/video.h"

namespace {

const std::filesystem::path kClip =
    std::filesystem::path(SIGNPREP_SAMPLES_DIR) / "webcam_man_480p15.mp4";

std::vector<signprep::VideoFrame> frames_of(const std::filesystem::path& clip, double fps) {
  signprep::VideoReader video(clip, {.target_fps = fps});
  std::vector<signprep::VideoFrame> frames;
  while (std::optional<signprep::VideoFrame> frame = video.next())
    frames.push_back(std::move(*frame));
  return frames;
}

signprep::ErrorKind kind_of(const auto& call) {
  try {
    call();
  } catch (const signprep::Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "no signprep::Error";
  return signprep::ErrorKind::kUsage;
}

TEST(PublicApi, ExtractKeepsTheFramesTheReaderKeeps) {
  const std::vector<signprep::VideoFrame> frames = frames_of(kClip, 5);
  signprep::Extractor extractor({.target_fps = 5});
  const signprep::ClipArrays clip = extractor.extract(kClip);
  ASSERT_EQ(clip.frames(), static_cast<std::int64_t>(frames.size()));
  for (std::size_t t = 0; t < frames.size(); ++t) {
    EXPECT_EQ(clip.timestamps_ms[t], frames[t].timestamp_ms);
  }
  EXPECT_EQ(clip.X.size(), frames.size() * 156);
  EXPECT_EQ(clip.mask.size(), frames.size() * 78);
  EXPECT_TRUE(clip.features.empty());
  EXPECT_NE(clip.meta_json.find("\"video\": \"webcam_man_480p15.mp4\""), std::string::npos);
  EXPECT_FALSE(clip.landmarks);  // only with keypoint_set "full"
}

TEST(PublicApi, HolisticFindsThePersonAndTracksAcrossFrames) {
  const std::vector<signprep::VideoFrame> frames = frames_of(kClip, 5);
  signprep::Holistic holistic;
  int poses = 0;
  for (const signprep::VideoFrame& frame : frames) {
    const signprep::HolisticLandmarks found = holistic.process(frame.rgb.view());
    EXPECT_EQ(found.pose.has_value(), found.pose_world.has_value());
    if (found.pose && found.pose_world) {
      ++poses;
      EXPECT_EQ(found.pose->size(), 33u);
      EXPECT_EQ(found.pose_world->size(), 33u);
      // Metres from the hips' midpoint: the nose well within 2 m.
      EXPECT_LT(std::abs((*found.pose_world)[0].y), 2.0f);
    }
    if (found.face) {
      EXPECT_EQ(found.face->size(), 478u);
    }
  }
  EXPECT_EQ(poses, static_cast<int>(frames.size()));
}

TEST(PublicApi, ACroppedFrameIsReadThroughItsStride) {
  const signprep::RgbImage whole = frames_of(kClip, 1).front().rgb;
  // The right half, rows still whole.width * 3 bytes apart, against a copy of it.
  const int half = whole.width / 2;
  signprep::RgbImage copy{half, whole.height, {}};
  for (int y = 0; y < whole.height; ++y) {
    const auto* row =
        whole.pixels.data() + static_cast<std::size_t>(y) * whole.width * 3 + half * 3;
    copy.pixels.insert(copy.pixels.end(), row, row + half * 3);
  }
  const signprep::RgbView cropped{whole.pixels.data() + half * 3, half, whole.height,
                                  static_cast<std::size_t>(whole.width) * 3};
  signprep::SelfieSegmentation segmentation;
  EXPECT_EQ(segmentation.process(cropped).values, segmentation.process(copy.view()).values);
}

TEST(PublicApi, ErrorsSayWhoseFaultItIs) {
  EXPECT_EQ(kind_of([] { signprep::Holistic({.model_complexity = 3}); }),
            signprep::ErrorKind::kUsage);
  EXPECT_EQ(kind_of([] { signprep::Holistic({.models_dir = "/nonexistent"}); }),
            signprep::ErrorKind::kModel);
  EXPECT_EQ(kind_of([] { signprep::VideoReader("/nonexistent.mp4"); }),
            signprep::ErrorKind::kInput);
  EXPECT_EQ(kind_of([] { signprep::VideoReader(kClip, {.target_fps = 0}); }),
            signprep::ErrorKind::kUsage);
  EXPECT_EQ(kind_of([] { signprep::SelfieSegmentation({.model_selection = 0}); }),
            signprep::ErrorKind::kUnavailable);
  EXPECT_EQ(kind_of([] { signprep::InceptionV3({.weights = "/nonexistent.safetensors"}); }),
            signprep::ErrorKind::kModel);
  EXPECT_EQ(kind_of([] { signprep::Extractor({.keypoints = false}); }),
            signprep::ErrorKind::kUsage);
  signprep::Holistic holistic;
  EXPECT_THROW(holistic.process({}), std::invalid_argument);
}

TEST(PublicApi, TimestampsMustIncreaseUntilReset) {
  const signprep::RgbImage frame = frames_of(kClip, 1).front().rgb;
  signprep::Holistic holistic;
  holistic.process(frame.view(), 1000);
  EXPECT_EQ(kind_of([&] { holistic.process(frame.view(), 1000); }), signprep::ErrorKind::kUsage);
  holistic.reset();
  EXPECT_NO_THROW(holistic.process(frame.view(), 10));
}

}  // namespace
