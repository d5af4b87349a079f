// The `meta` JSON string stored in each clip's .npz.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/run_options.h"

namespace signprep::pipeline {

struct ClipFacts {
  std::string video;      // the input's file name, as the Python tool stores it
  double source_fps = 0;  // average frame rate of the source stream
  int source_width = 0;   // the frames' size, upright (after rotation): the
  int source_height = 0;  // aspect ratio the normalised keypoints refer to
  std::int64_t frames_decoded = 0;
  std::int64_t frames_kept = 0;
  bool occluded = false;  // the labels' flag, kept so that --resume can rebuild a label row
};

// The meta keys whose values the run's settings decide; --resume keeps a
// clip's files only when all of them match the current run's.
// A key absent from both (such as "sampling" under the default rule) matches.
inline constexpr std::array<std::string_view, 16> kSettingKeys = {"video",
                                                                  "target_fps",
                                                                  "sampling",
                                                                  "out_size",
                                                                  "conf_thresh",
                                                                  "interpolation_max_gap",
                                                                  "occlusion",
                                                                  "iv3_precision",
                                                                  "iv3_calibration",
                                                                  "keypoint_precision",
                                                                  "model_complexity",
                                                                  "refine_face",
                                                                  "smooth_landmarks",
                                                                  "segmentation",
                                                                  "keypoints",
                                                                  "format"};

// What the clip's .npz holds. With keypoints: the Python tool's keys first,
// in its order and formatting (json.dumps), then signprep's additions (tool
// version, source fps and size, frame counts, the occlusion settings and
// flag, as "occluded" and "occluded_flag"). Features alone: video and
// target_fps, then the tool version, source fps and size and frame counts,
// nothing that describes keypoints. Either way "sampling": "python" under
// that rule only, "iv3_precision" only for features computed in fp16, bf16
// or int8 (and with int8 "iv3_calibration", the calibration file's FNV-1a,
// so that --resume redoes features after a recalibration), and
// "keypoint_precision" only for keypoints from bf16 models, Holistic's
// settings ("model_complexity", "refine_face", "smooth_landmarks",
// "segmentation") only for keypoints made with other values than the
// Python tool's, "keypoints": "full" and "format": "islr" only with those
// flags, so that the default run's meta is what earlier versions wrote. The
// precisions are the decided ones: a run never records "auto".
std::string clip_meta_json(const ClipFacts& clip, const RunOptions& options);

}  // namespace signprep::pipeline
