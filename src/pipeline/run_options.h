// Everything a run needs to know, with the Python tool's defaults. The CLI
// fills this struct and never restates a default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "features/occlusion.h"
#include "pipeline/precision_choice.h"
#include "pipeline/shard.h"
#include "video/frame_sampler.h"

namespace signprep::pipeline {

// OUT_DIR/<stem><extension>, the run report's name (a shard's carries the shard before the
// extension).
inline constexpr std::string_view kRunReportStem = "run_report";
inline constexpr std::string_view kRunReportExtension = ".json";

// The cores this process may run on (its CPU affinity, which Slurm and
// taskset narrow), at least 1.
int usable_cores();

// min(cores, 12), as the Python tool's --workers default.
int default_worker_count();

// The ranges validate() accepts for the size and count options: far beyond
// any real use, and small enough that a typo (--out-size 100000, a 30 GB
// frame) is refused at the command line, not met as an allocation failure.
struct OptionLimits {
  static constexpr int kMinOutSize = 16;
  static constexpr int kMaxOutSize = 4096;
  static constexpr int kMaxWorkers = 1024;
  // Above cuDNN's own limit for InceptionV3 (1552 frames, whose refusal
  // names it), so that limit is the one a GPU run meets.
  static constexpr int kMaxBatchSize = 4096;
  static constexpr int kMaxGapFrames = 100000;  // 1.8 hours at 15 fps
  static constexpr int kMaxOccMinRun = 100000;
  static constexpr double kMaxStallTimeoutSeconds = 7 * 24 * 3600;  // a week
};

// Throws Error(kUsage) "FLAG must be between LOW and HIGH" unless
// low <= value <= high.
void require_between(double value, double low, double high, const std::string& flag);

// Throws Error(kUsage) unless 0 < fps <= video::kMaxTargetFps.
void validate_target_fps(double target_fps);

// MediaPipe Holistic's own options and the Python tool's segmentation
// composite, for every command that tracks; the defaults are the Python tool's.
struct HolisticSettings {
  int model_complexity = 1;      // --model-complexity: pose landmark model 0 lite, 1 full, 2 heavy
  bool refine_face = true;       // --no-refine-face: the plain mesh's 468 face points, not 478
  bool smooth_landmarks = true;  // --no-smooth-landmarks: no filtering across frames
  bool segmentation = true;      // --no-segmentation: Holistic on the frame, no composite
};

// Throws Error(kUsage) for a model complexity other than 0, 1 or 2.
void validate(const HolisticSettings& settings);

// --keypoints: the Python tool's 78 points (X, mask) alone, or with
// Holistic's whole output beside them (pipeline/landmark_blocks.h).
enum class KeypointSet { k78, kFull };
// --format: the .parquet beside each .npz in the Python tool's layout (a row
// per frame, the 78 points) or in Kaggle ISLR's (a row per landmark per
// frame, pipeline/islr_parquet.h).
enum class ParquetLayout { kPython, kIslr };
// The flags' words: "78" / "full", "python" / "islr".
std::string_view keypoint_set_name(KeypointSet set);
std::string_view parquet_layout_name(ParquetLayout layout);

struct RunOptions {
  std::filesystem::path input;       // a video file or a directory of videos
  std::filesystem::path output_dir;  // created when missing

  bool write_keypoints = false;       // X, mask (+ parquet) from MediaPipe Holistic
  bool write_iv3_features = false;    // InceptionV3 2048-d features
  std::string feature_key = "X2048";  // npz member name of the features
  int workers = default_worker_count();
  // InceptionV3 frames per inference call, the Python tool's GPU batch. The
  // CPU runs one frame at a time, as fast and in less memory; kept for the
  // command line and the GPU backend.
  int batch_size = 32;
  // --device cuda[:N]: InceptionV3 on that GPU; none, on the CPU.
  std::optional<int> cuda_device;
  // --iv3-precision: fp32, bf16 or auto on the CPU (pipeline/precision_choice.h),
  // fp32, fp16 or bf16 on the GPU. A run decides auto before any worker starts.
  PrecisionRequest iv3_precision = PrecisionRequest::kFp32;
  // --keypoint-precision: the MediaPipe models, on the CPU: fp32, bf16 or auto.
  PrecisionRequest keypoint_precision = PrecisionRequest::kFp32;
  // --iv3-weights; when absent, iv3_weights_path() looks further.
  std::optional<std::filesystem::path> iv3_weights;
  // --iv3-calibration (int8); when absent, iv3_calibration_path() looks beside the weights.
  std::optional<std::filesystem::path> iv3_calibration;
  // Decided with the precisions, for int8: the calibration the supervisor
  // loaded and checked once (its ranges and FNV-1a, which meta records); the
  // workers inherit it with the options.
  std::map<std::string, float> iv3_activation_ranges;
  std::string iv3_calibration_fnv1a64;
  // --models-dir; when absent, models_dir_path() looks further.
  std::optional<std::filesystem::path> models_dir;
  double target_fps = 15;  // sampling rate of kept frames
  video::SamplingRule sampling = video::SamplingRule::kOnSlot;
  bool write_parquet = true;  // --disable-parquet turns it off
  KeypointSet keypoint_set = KeypointSet::k78;
  ParquetLayout parquet_layout = ParquetLayout::kPython;
  int out_size = 256;        // side of the square keypoint frame
  double conf_thresh = 0.5;  // detection/tracking confidence and pose visibility
  HolisticSettings holistic;
  int max_gap = 5;  // longest gap (frames) filled by interpolation

  // Labels: a row per clip only when an id is given (gloss id, else id).
  std::optional<std::int64_t> id;
  std::optional<std::int64_t> gloss_id;
  std::optional<std::int64_t> cat_id;               // defaults to the gloss id
  std::optional<std::filesystem::path> labels_csv;  // default OUT_DIR/labels.csv
  bool append = false;                              // keep the rows of an existing labels file

  // --resume: skip clips whose files an earlier run finished with these
  // settings (pipeline/resume.h); their label rows are written again.
  bool resume = false;
  // --resume-fast (sets resume too): a clip the last run's report or journal
  // lists as written, with the same settings, counts as finished when its
  // files are there with the recorded sizes; none is opened.
  bool resume_fast = false;

  // --flat: every file straight into output_dir, as the Python tool wrote
  // them; by default a video's folders below the input are kept.
  bool flat = false;
  // A worker that reports no progress on its clip for this long is killed
  // and the clip fails (a decoder stuck on a broken file, a hung
  // filesystem); 0 waits forever.
  double stall_timeout_seconds = 600;
  bool verbose = false;  // per-clip stage timings on stderr
  bool quiet = false;    // no progress bar or lines (errors and the summary still print)

  // The occlusion flag is computed whenever keypoints are, as the Python tool
  // computes it whenever it writes them (--occ-enable changes nothing).
  features::OcclusionOptions occlusion;

  // Holistic's whole output is kept per frame (--keypoints full, --format islr).
  bool keeps_landmark_blocks() const {
    return write_keypoints && (keypoint_set == KeypointSet::kFull ||
                               (write_parquet && parquet_layout == ParquetLayout::kIslr));
  }

  std::optional<std::int64_t> label_gloss() const { return gloss_id ? gloss_id : id; }
  std::optional<std::int64_t> label_cat() const { return cat_id ? cat_id : label_gloss(); }
  // --shard K/N (or a Slurm array's task): only that 1/N of the inputs.
  std::optional<Shard> shard;

  // OUT_DIR/labels.csv, or labels.shard-K-of-N.csv in a shard, unless --labels-csv.
  std::filesystem::path labels_path() const {
    if (labels_csv) return *labels_csv;
    return output_dir / (shard ? shard->file_name("labels", ".csv") : "labels.csv");
  }
  // OUT_DIR/.signprep.lock, or .signprep.shard-K-of-N.lock in a shard
  // (output/run_lock.h): one run at a time per OUT and shard.
  std::filesystem::path lock_path() const {
    return output_dir / (shard ? shard->file_name(".signprep", ".lock") : ".signprep.lock");
  }
  // OUT_DIR/run_report.json, or run_report.shard-K-of-N.json in a shard.
  std::filesystem::path report_path() const {
    return output_dir / (shard ? shard->file_name(kRunReportStem, kRunReportExtension)
                               : std::string(kRunReportStem) + std::string(kRunReportExtension));
  }
  // The report's journal while the run goes (pipeline/run_report.h):
  // run_report.journal, or run_report.shard-K-of-N.journal.
  std::filesystem::path journal_path() const {
    return std::filesystem::path(report_path()).replace_extension(".journal");
  }
};

// Throws Error(kUsage) naming the first option whose value is out of range.
void validate(const RunOptions& options);

// The InceptionV3 weights file: --iv3-weights, else $SIGNPREP_IV3_WEIGHTS,
// else the checkout's models/inception_v3.safetensors.
std::filesystem::path iv3_weights_path(const RunOptions& options);

// --iv3-precision int8's calibration: --iv3-calibration, else the weights'
// path with ".int8.json" (pipeline/iv3_calibration.h).
std::filesystem::path iv3_calibration_path(const RunOptions& options);

// The MediaPipe models: --models-dir, else $SIGNPREP_MODELS_DIR, else the
// checkout's models/ that scripts/setup fills.
std::filesystem::path models_dir_path(const RunOptions& options);

}  // namespace signprep::pipeline
