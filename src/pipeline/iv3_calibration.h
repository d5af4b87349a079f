// InceptionV3's int8 calibration (--iv3-precision int8): the largest value
// each activation took on real frames in float32, from which the int8
// network takes its u8 scales. It is made once per weights file by
// `signprep calibrate-iv3` and kept in a JSON file beside the weights, so
// that every worker, shard and later run quantizes the same way: features
// do not depend on which clips a run happens to start with.
//
//   {"format": "signprep InceptionV3 int8 calibration", "version": 1,
//    "weights": {"bytes": 95534696, "fnv1a64": "9f0c..."},
//    "videos": [{"video": "a.mp4", "frames": 8}, ...],
//    "ranges": {"CONV_2D #0 Conv2d_1a_3x3": 4.52, ...}}
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace signprep::pipeline {

struct Iv3Calibration {
  std::uint64_t weights_bytes = 0;
  std::string weights_fnv1a64;                      // 16 hex digits over the whole weights file
  std::vector<std::pair<std::string, int>> videos;  // frames taken from each
  std::map<std::string, float> ranges;              // by the network's tensor names
};

// Where a calibration of these weights is looked for by default: the
// weights' path with the extension ".int8.json" (models/inception_v3.int8.json).
std::filesystem::path default_iv3_calibration_path(const std::filesystem::path& weights);

// Calibrates on up to `frames_per_video` frames of each video, taken at
// `fps` frames a second from its start, upright, in the order given.
// Throws Error(kInput) for a video that cannot be decoded or has no frame,
// Error(kModel) for bad weights.
Iv3Calibration calibrate_iv3(const std::filesystem::path& weights,
                             const std::vector<std::filesystem::path>& videos, int frames_per_video,
                             double fps);

// Written atomically; Error(kOutput) naming the path when it cannot be.
void write_iv3_calibration(const std::filesystem::path& path, const Iv3Calibration& calibration);

// A calibration file as a run uses it: its ranges, and the FNV-1a of its
// bytes (16 hex digits), which meta records.
struct LoadedIv3Calibration {
  std::map<std::string, float> ranges;
  std::string file_fnv1a64;
};

// The calibration at `path`, checked against the weights file it must have
// been made from. Error(kModel) naming the file and saying how to make one
// when it is missing, unreadable, not a calibration, or made for other
// weights.
LoadedIv3Calibration load_iv3_calibration(const std::filesystem::path& path,
                                          const std::filesystem::path& weights);

}  // namespace signprep::pipeline
