#include "pipeline/clip_meta.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace signprep::pipeline {
namespace {

// Exactly as stored by the Python tool for a clip named 8.MOV processed at 30
// fps (../shared/ORIGINAL_FORMAT.md); signprep's own keys follow it.
constexpr std::string_view kOriginalMeta =
    "{\"video\": \"8.MOV\", \"target_fps\": 30, \"out_size\": 256, \"dims_per_frame\": 156, "
    "\"keypoints_total\": 78, \"order\": \"pose25,left_hand21,right_hand21,face11\", "
    "\"pose_indices\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, "
    "21, 22, 23, 24], \"face_indices\": [1, 33, 263, 133, 362, 61, 291, 105, 334, 199, 4], "
    "\"conf_thresh\": 0.5, \"interpolation_max_gap\": 5";

RunOptions keypoint_run() {
  RunOptions options;
  options.write_keypoints = true;
  return options;
}

TEST(ClipMeta, StartsWithThePythonToolsKeysByteForByte) {
  RunOptions options = keypoint_run();
  options.target_fps = 30;
  const std::string meta = clip_meta_json({"8.MOV", 29.97, 1080, 1920, 120, 119}, options);
  EXPECT_EQ(meta.substr(0, kOriginalMeta.size()), kOriginalMeta);
  EXPECT_EQ(meta.substr(kOriginalMeta.size()),
            ", \"tool\": \"signprep " SIGNPREP_VERSION
            "\", \"source_fps\": 29.97, \"source_width\": 1080, \"source_height\": 1920, "
            "\"frames_decoded\": 120, \"frames_kept\": 119, "
            "\"occlusion\": {\"enabled\": true, \"vis_thresh\": 0.6, \"frame_prop\": 0.4, "
            "\"min_run\": 15}, \"occluded\": false, \"occluded_flag\": 0}");
}

TEST(ClipMeta, TheOcclusionFlagIsABoolAndAnInt) {
  RunOptions options = keypoint_run();
  ClipFacts clip{"a.mp4", 30, 640, 480, 10, 10};
  clip.occluded = true;
  const std::string meta = clip_meta_json(clip, options);
  EXPECT_NE(meta.find("{\"enabled\": true, "), std::string::npos) << meta;
  EXPECT_TRUE(meta.ends_with(", \"occluded\": true, \"occluded_flag\": 1}")) << meta;
}

// Without keypoints nothing in meta may claim them: no layout, no keypoint
// settings, no occlusion flag (it is computed from keypoints).
TEST(ClipMeta, FeaturesAloneClaimNoKeypoints) {
  RunOptions options;
  options.write_iv3_features = true;
  options.target_fps = 15;
  EXPECT_EQ(clip_meta_json({"a.mp4", 29.97, 1080, 1920, 120, 60}, options),
            "{\"video\": \"a.mp4\", \"target_fps\": 15, \"tool\": \"signprep " SIGNPREP_VERSION
            "\", \"source_fps\": 29.97, \"source_width\": 1080, \"source_height\": 1920, "
            "\"frames_decoded\": 120, \"frames_kept\": 60}");
}

// Holistic's settings appear only where they differ from the Python tool's,
// so the default run's meta stays what earlier versions wrote, and each is a
// setting key (--resume redoes a clip made with other settings).
TEST(ClipMeta, HolisticSettingsAppearWhenNotThePythonTools) {
  RunOptions options = keypoint_run();
  const ClipFacts clip{"a.mp4", 30, 640, 480, 10, 10};
  const std::string defaults = clip_meta_json(clip, options);
  for (const char* key : {"model_complexity", "refine_face", "smooth_landmarks", "segmentation"}) {
    EXPECT_EQ(defaults.find(key), std::string::npos) << key;
    EXPECT_NE(std::find(kSettingKeys.begin(), kSettingKeys.end(), key), kSettingKeys.end()) << key;
  }
  options.holistic = {0, false, false, false};
  EXPECT_TRUE(clip_meta_json(clip, options)
                  .ends_with(", \"occluded_flag\": 0, \"model_complexity\": 0, \"refine_face\": "
                             "false, \"smooth_landmarks\": false, \"segmentation\": false}"))
      << clip_meta_json(clip, options);
  options.holistic = {2, true, true, true};
  EXPECT_NE(clip_meta_json(clip, options).find("\"model_complexity\": 2}"), std::string::npos);
}

TEST(ClipMeta, FractionalTargetFpsStaysAFloat) {
  RunOptions options = keypoint_run();
  options.target_fps = 7.5;
  options.conf_thresh = 0.3;
  const std::string meta = clip_meta_json({"a.mp4", 30, 640, 480, 1, 1}, options);
  EXPECT_NE(meta.find("\"target_fps\": 7.5,"), std::string::npos) << meta;
  EXPECT_NE(meta.find("\"conf_thresh\": 0.3,"), std::string::npos) << meta;
}

}  // namespace
}  // namespace signprep::pipeline
