// One video to the arrays `signprep IN OUT` writes into its .npz, in memory:
// the same code path as the command line's (pipeline's extract_clip), so the
// arrays and meta are bit-identical to the file's for the same options.
//
//   signprep::Extractor extractor({.iv3_features = true});
//   const signprep::ClipArrays clip = extractor.extract("clip.mp4");
//   // clip.X: [clip.frames(), 156]; clip.features: [clip.frames(), 2048]
//
// Thread safety: one thread at a time per object (it holds one tracker and
// one network); distinct objects run in parallel threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace signprep {

// The command line's options of the same names, with its defaults.
struct ExtractOptions {
  bool keypoints = true;  // --write-keypoints: X and mask
  // --keypoints: "78", or "full" for Holistic's whole output beside X and
  // mask (ClipArrays::landmarks).
  std::string keypoint_set = "78";
  // Holistic's options: --model-complexity, --no-refine-face,
  // --no-smooth-landmarks, --no-segmentation.
  int model_complexity = 1;
  bool refine_face = true;
  bool smooth_landmarks = true;
  bool segmentation = true;
  bool iv3_features = false;  // --write-iv3-features
  double target_fps = 15;
  std::string sampling = "on-slot";  // or "python"
  int out_size = 256;
  double conf_thresh = 0.5;
  int max_gap = 5;
  std::string feature_key = "X2048";
  double occ_vis_thresh = 0.6;
  double occ_frame_prop = 0.4;
  int occ_min_run = 15;
  std::filesystem::path models_dir = {};  // empty: as HolisticOptions::models_dir
  // Empty: $SIGNPREP_IV3_WEIGHTS, else the checkout's models/inception_v3.safetensors.
  std::filesystem::path iv3_weights = {};
  int threads = 1;  // OpenMP threads per model run, and FFmpeg's decoding threads
};

// Holistic's whole output per frame, as --keypoints full writes it: the raw
// per-frame results (no gap filling), a block not found in a frame NaN there.
struct LandmarkArrays {
  int face_points = 478;                     // 468 without refine_face
  std::vector<float> pose;                   // [T, 33, 4]: x, y, z, visibility
  std::vector<float> pose_world;             // [T, 33, 3]: metres, origin between the hips
  std::vector<float> left_hand, right_hand;  // [T, 21, 3]: the person's sides
  std::vector<float> face;                   // [T, face_points, 3]
  std::vector<std::uint8_t> pose_present, left_hand_present, right_hand_present, face_present;
};

// The .npz's members; those of a branch not run are empty.
struct ClipArrays {
  std::vector<float> X;                     // [T, 156], keypoints after gap interpolation
  std::vector<std::uint8_t> mask;           // [T, 78], 0 or 1
  std::vector<float> features;              // [T, 2048], stored under feature_key
  std::vector<std::int64_t> timestamps_ms;  // [T]
  std::string feature_key;
  std::string meta_json;                    // the .npz's meta string
  bool occluded = false;                    // labels.csv's flag (false without keypoints)
  std::optional<std::string> warning;       // damage the decoder skipped, if any
  std::optional<LandmarkArrays> landmarks;  // keypoint_set "full"

  std::int64_t frames() const { return static_cast<std::int64_t>(timestamps_ms.size()); }
};

class Extractor {
 public:
  // Validates the options (Error(kUsage), with the command line's messages)
  // and loads the models and weights the branches need (Error(kModel)).
  explicit Extractor(const ExtractOptions& options = {});
  Extractor(Extractor&&) noexcept;
  Extractor& operator=(Extractor&&) noexcept;
  ~Extractor();

  // Throws Error(kInput) for a video that cannot be read or yields no frame.
  ClipArrays extract(const std::filesystem::path& video);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep
