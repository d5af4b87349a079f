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

}  // namespace

std::string clip_meta_json(const ClipFacts& clip, const RunOptions& options) {
  JsonValue::Array face_indices(features::kFaceMeshIndices.begin(),
                                features::kFaceMeshIndices.end());
  JsonValue::Object meta = {
      {"video", clip.video},
      {"target_fps", number(options.target_fps)},
      {"out_size", options.out_size},
      {"dims_per_frame", features::kDimsPerFrame},
      {"keypoints_total", features::kKeypointCount},
      {"order", "pose25,left_hand21,right_hand21,face11"},
      {"pose_indices", index_list(features::kPosePoints)},
      {"face_indices", std::move(face_indices)},
      {"conf_thresh", options.conf_thresh},
      {"interpolation_max_gap", options.max_gap},
      {"tool", "signprep " SIGNPREP_VERSION},
      {"source_fps", clip.source_fps},
      {"source_width", clip.source_width},
      {"source_height", clip.source_height},
      {"frames_decoded", clip.frames_decoded},
      {"frames_kept", clip.frames_kept},
      {"occlusion", JsonValue::Object{{"enabled", options.write_keypoints},
                                      {"vis_thresh", options.occlusion.vis_thresh},
                                      {"frame_prop", options.occlusion.frame_prop},
                                      {"min_run", options.occlusion.min_run}}},
      {"occluded", clip.occluded},
  };
  if (options.sampling != video::SamplingRule::kOnSlot) {
    meta.emplace_back("sampling", std::string(video::sampling_rule_name(options.sampling)));
  }
  if (options.write_iv3_features && options.iv3_precision != PrecisionRequest::kFp32) {
    meta.emplace_back("iv3_precision", std::string(precision_request_name(options.iv3_precision)));
  }
  if (options.write_keypoints && options.keypoint_precision != PrecisionRequest::kFp32) {
    meta.emplace_back("keypoint_precision",
                      std::string(precision_request_name(options.keypoint_precision)));
  }
  return output::dump_json(std::move(meta));
}

}  // namespace signprep::pipeline
