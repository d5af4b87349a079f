// One clip through the requested branches in a single decoding pass: decode,
// sample at --target-fps, then per kept frame the keypoint branch (resize to
// out_size, segmentation, Holistic) and/or the feature branch (InceptionV3 on
// the original frame); then gap interpolation, the occlusion flag and the
// clip's files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "features/frame_features.h"
#include "features/keypoints.h"
#include "landmarks/holistic.h"
#include "nn/model.h"
#include "pipeline/landmark_blocks.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

// The extractors a run makes once and uses for every clip; each present one
// is a requested branch.
struct Extractors {
  std::optional<landmarks::HolisticTracker> holistic;  // --write-keypoints
  // --write-iv3-features: features::InceptionV3, or the client of the run's
  // feature server (--device cuda).
  std::unique_ptr<features::FrameFeatures> iv3;
  // The networks on this process's CPU add their run time here.
  std::shared_ptr<nn::RunClock> inference = std::make_shared<nn::RunClock>();
  // FFmpeg's threads per decoder: the same share of the cores as the
  // networks get (0: FFmpeg's choice, up to 16 frames in flight a decoder).
  int decoder_threads = 0;
};

// Wall time of the stages outside Holistic, in seconds.
struct ClipStageSeconds {
  double decode = 0;       // demux, decode, colour conversion
  double resize = 0;       // to the out_size keypoint frame
  double inception = 0;    // InceptionV3 (queued batches run as they fill)
  double postprocess = 0;  // interpolation, occlusion
  double writing = 0;      // .npz, .parquet
  // Not a stage: the networks' own run time (on the CPU) within Holistic's
  // stages and InceptionV3's, without the crops and resizes that feed them.
  double inference = 0;
};

struct ClipOutcome {
  std::int64_t frames_kept = 0;
  bool occluded = false;  // the labels' flag (false without keypoints)
  // Damage the decoder skipped (the clip is still written from the frames
  // that decoded), as VideoReader::damage says it.
  std::optional<std::string> warning;
  std::vector<std::filesystem::path> files;  // written, the .npz first
  ClipStageSeconds seconds;
};

// One clip's arrays and meta, as its .npz holds them (members present only
// for the branches that ran).
struct ClipArrays {
  std::vector<std::int64_t> timestamps_ms;
  // Keypoints after gap interpolation: X [T, 156] and mask [T, 78].
  std::optional<features::KeypointSequence> keypoints;
  // Holistic's whole output per frame, when the options keep it
  // (RunOptions::keeps_landmark_blocks).
  std::optional<LandmarkBlocks> landmark_blocks;
  std::optional<std::vector<float>> iv3_features;  // [T, 2048]
  bool occluded = false;                           // the labels' flag (false without keypoints)
  std::string meta_json;                           // the .npz's meta (pipeline/clip_meta.h)
  std::optional<std::string> warning;              // as ClipOutcome::warning
};

// Holistic's options for these settings (the rest of `options` untouched).
void apply(const HolisticSettings& settings, landmarks::HolisticOptions& options);

// The requested branches' extractors: Holistic with the run's models and
// precision, InceptionV3 on the CPU or the run's feature server
// (--device cuda), each running `threads` OpenMP threads, and `threads`
// decoding threads for each video.
Extractors load_extractors(const RunOptions& options, int threads);
// InceptionV3 on the CPU as the options ask for it, its runs timed on
// `clock` when given.
std::unique_ptr<features::FrameFeatures> load_cpu_inception(
    const RunOptions& options, int threads, std::shared_ptr<nn::RunClock> clock = nullptr);

// The clip's arrays and meta without writing anything: what process_clip
// writes, and what the Python module's extract() returns. Throws as
// process_clip does for a video that cannot be read.
ClipArrays extract_clip(const std::filesystem::path& video, const RunOptions& options,
                        Extractors& extractors, const std::function<void()>& on_frame_kept,
                        ClipStageSeconds& seconds);

// Writes `npz` atomically with the Python tool's members in its order (X,
// the features, mask, timestamps_ms, meta; each only when its branch ran),
// then with --keypoints full LandmarkBlocks' members, and, for keypoints
// unless --disable-parquet, the .parquet beside it (--format's layout).
// `on_frame_kept` is called after each kept frame went through the branches
// (progress while a long clip runs).
// Throws Error(kInput) for a video that cannot be read or yields no frame
// (nothing is written then), Error(kOutput) when a file cannot be written.
ClipOutcome process_clip(const std::filesystem::path& video, const std::filesystem::path& npz,
                         const RunOptions& options, Extractors& extractors,
                         const std::function<void()>& on_frame_kept);

}  // namespace signprep::pipeline
