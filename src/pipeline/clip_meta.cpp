#include "pipeline/clip_meta.h"

#include <cmath>

#include "features/keypoints.h"
#include "output/json_writer.h"

namespace signprep::pipeline {
namespace {

// The Python tool takes --target-fps as an int and stores it as one; keep
// integral rates integral so its readers see the same value.
JsonValue number(double value) {
  if (std::floor(value) == value && std::abs(value) < 1e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

JsonValue index_list(int count) {
  JsonValue::Array items;
  for (int i = 0; i < count; ++i) items.emplace_back(i);
  return items;
}

// The Python tool's keys after video and target_fps, in its order: the
// keypoints' layout and the settings that made them.
void append_keypoint_keys(const RunOptions& options, JsonValue::Object& meta) {
  meta.emplace_back("out_size", options.out_size);
  meta.emplace_back("dims_per_frame", features::kDimsPerFrame);
  meta.emplace_back("keypoints_total", features::kKeypointCount);
  meta.emplace_back("order", "pose25,left_hand21,right_hand21,face11");
  meta.emplace_back("pose_indices", index_list(features::kPosePoints));
  meta.emplace_back("face_indices", JsonValue::Array(features::kFaceMeshIndices.begin(),
                                                     features::kFaceMeshIndices.end()));
  meta.emplace_back("conf_thresh", options.conf_thresh);
  meta.emplace_back("interpolation_max_gap", options.max_gap);
}

// signprep's facts about the source and the sampling, in every file.
void append_source_keys(const ClipFacts& clip, JsonValue::Object& meta) {
  meta.emplace_back("tool", "signprep " SIGNPREP_VERSION);
  meta.emplace_back("source_fps", clip.source_fps);
  meta.emplace_back("source_width", clip.source_width);
  meta.emplace_back("source_height", clip.source_height);
  meta.emplace_back("frames_decoded", clip.frames_decoded);
  meta.emplace_back("frames_kept", clip.frames_kept);
}

// The occlusion settings and the clip's flag, computed whenever keypoints
// are (as the Python tool does): as a bool for signprep's --resume and as the
// int the original project's newer viewer reads.
void append_occlusion_keys(const ClipFacts& clip, const RunOptions& options,
                           JsonValue::Object& meta) {
  meta.emplace_back("occlusion", JsonValue::Object{{"enabled", true},
                                                   {"vis_thresh", options.occlusion.vis_thresh},
                                                   {"frame_prop", options.occlusion.frame_prop},
                                                   {"min_run", options.occlusion.min_run}});
  meta.emplace_back("occluded", clip.occluded);
  meta.emplace_back("occluded_flag", clip.occluded ? 1 : 0);
}

// Holistic's settings where they differ from the Python tool's.
void append_holistic_settings(const HolisticSettings& settings, JsonValue::Object& meta) {
  const HolisticSettings python_tool;
  if (settings.model_complexity != python_tool.model_complexity) {
    meta.emplace_back("model_complexity", settings.model_complexity);
  }
  if (settings.refine_face != python_tool.refine_face) {
    meta.emplace_back("refine_face", settings.refine_face);
  }
  if (settings.smooth_landmarks != python_tool.smooth_landmarks) {
    meta.emplace_back("smooth_landmarks", settings.smooth_landmarks);
  }
  if (settings.segmentation != python_tool.segmentation) {
    meta.emplace_back("segmentation", settings.segmentation);
  }
}

}  // namespace

std::string clip_meta_json(const ClipFacts& clip, const RunOptions& options) {
  // A file of features alone holds no keypoints, so its meta names none.
  JsonValue::Object meta = {{"video", clip.video}, {"target_fps", number(options.target_fps)}};
  if (options.write_keypoints) append_keypoint_keys(options, meta);
  append_source_keys(clip, meta);
  if (options.write_keypoints) append_occlusion_keys(clip, options, meta);
  if (options.sampling != video::SamplingRule::kOnSlot) {
    meta.emplace_back("sampling", std::string(video::sampling_rule_name(options.sampling)));
  }
  if (options.write_iv3_features && options.iv3_precision != PrecisionRequest::kFp32) {
    meta.emplace_back("iv3_precision", std::string(precision_request_name(options.iv3_precision)));
  }
  if (options.write_iv3_features && options.iv3_precision == PrecisionRequest::kInt8) {
    meta.emplace_back("iv3_calibration", options.iv3_calibration_fnv1a64);
  }
  if (options.write_keypoints) append_holistic_settings(options.holistic, meta);
  if (options.write_keypoints && options.keypoint_set != KeypointSet::k78) {
    meta.emplace_back("keypoints", std::string(keypoint_set_name(options.keypoint_set)));
  }
  if (options.write_keypoints && options.write_parquet &&
      options.parquet_layout != ParquetLayout::kPython) {
    meta.emplace_back("format", std::string(parquet_layout_name(options.parquet_layout)));
  }
  if (options.write_keypoints && options.keypoint_precision != PrecisionRequest::kFp32) {
    meta.emplace_back("keypoint_precision",
                      std::string(precision_request_name(options.keypoint_precision)));
  }
  return output::dump_json(std::move(meta));
}

}  // namespace signprep::pipeline
