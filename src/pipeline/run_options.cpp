#include "pipeline/run_options.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "pipeline/iv3_calibration.h"
#include "pipeline/landmark_blocks.h"

namespace signprep::pipeline {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw Error(ErrorKind::kUsage, message);
}

std::filesystem::path flag_else_environment_else(const std::optional<std::filesystem::path>& flag,
                                                 const char* variable, const char* fallback) {
  if (flag) return *flag;
  if (const char* env = std::getenv(variable); env != nullptr && *env != '\0') return env;
  return fallback;
}

}  // namespace

int usable_cores() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (::sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int default_worker_count() {
  return std::min(usable_cores(), 12);
}

void require_between(double value, double low, double high, const std::string& flag) {
  std::ostringstream message;
  message << flag << " must be between " << low << " and " << high;
  require(value >= low && value <= high, message.str());
}

void validate_target_fps(double target_fps) {
  std::ostringstream message;
  message << "--target-fps must be > 0 and <= " << video::kMaxTargetFps
          << " (timestamps are whole milliseconds)";
  require(target_fps > 0 && target_fps <= video::kMaxTargetFps, message.str());
}

void validate(const HolisticSettings& settings) {
  require_between(settings.model_complexity, 0, 2, "--model-complexity");
}

std::string_view keypoint_set_name(KeypointSet set) {
  return set == KeypointSet::kFull ? "full" : "78";
}

std::string_view parquet_layout_name(ParquetLayout layout) {
  return layout == ParquetLayout::kIslr ? "islr" : "python";
}

void validate(const RunOptions& options) {
  using Limits = OptionLimits;
  validate_target_fps(options.target_fps);
  validate(options.holistic);
  require_between(options.workers, 1, Limits::kMaxWorkers, "--workers");
  require_between(options.batch_size, 1, Limits::kMaxBatchSize, "--batch-size");
  require(!options.cuda_device || options.write_iv3_features,
          "--device cuda runs InceptionV3 on the GPU: add --write-iv3-features (keypoints run "
          "on the CPU)");
  require(options.iv3_precision != PrecisionRequest::kFp16 || options.cuda_device,
          "--iv3-precision fp16 is for the GPU: add --device cuda (the CPU takes fp32, bf16 or "
          "auto)");
  require(options.iv3_precision != PrecisionRequest::kAuto || !options.cuda_device,
          "--iv3-precision auto is for the CPU: on the GPU choose fp32, fp16 or bf16");
  require(options.iv3_precision != PrecisionRequest::kInt8 || !options.cuda_device,
          "--iv3-precision int8 is for the CPU: on the GPU choose fp32, fp16 or bf16");
  require(options.keypoint_precision != PrecisionRequest::kFp16 &&
              options.keypoint_precision != PrecisionRequest::kInt8,
          "--keypoint-precision: the keypoint models run on the CPU, in fp32, bf16 or auto");
  require(!options.iv3_calibration || options.iv3_precision == PrecisionRequest::kInt8,
          "--iv3-calibration is read by --iv3-precision int8 only");
  require_between(options.out_size, Limits::kMinOutSize, Limits::kMaxOutSize, "--out-size");
  require(options.conf_thresh >= 0 && options.conf_thresh <= 1, "--conf-thresh must be in [0, 1]");
  require_between(options.max_gap, 0, Limits::kMaxGapFrames, "--max-gap");
  require_between(options.stall_timeout_seconds, 0.0, Limits::kMaxStallTimeoutSeconds,
                  "--stall-timeout");
  require(!options.feature_key.empty() && options.feature_key.find('/') == std::string::npos,
          "--feature-key must be a non-empty name without '/'");
  for (const char* reserved : {"X", "mask", "timestamps_ms", "meta"}) {
    require(options.feature_key != reserved, "--feature-key " + options.feature_key +
                                                 " would overwrite the npz member of that name");
  }
  if (options.keypoint_set == KeypointSet::kFull) {
    for (const std::string_view member : LandmarkBlocks::kMemberNames) {
      require(options.feature_key != member,
              "--feature-key " + options.feature_key +
                  " would overwrite --keypoints full's npz member of that name");
    }
  }
  require(options.keypoint_set == KeypointSet::k78 || options.write_keypoints,
          "--keypoints full adds Holistic's landmarks to the keypoints: add --write-keypoints");
  require(options.parquet_layout == ParquetLayout::kPython ||
              (options.write_keypoints && options.write_parquet),
          "--format islr is the layout of the keypoints' .parquet: it needs --write-keypoints "
          "and no --disable-parquet");
  const auto& occ = options.occlusion;
  require(occ.vis_thresh >= 0 && occ.vis_thresh <= 1, "--occ-vis-thresh must be in [0, 1]");
  require(occ.frame_prop >= 0 && occ.frame_prop <= 1, "--occ-frame-prop must be in [0, 1]");
  require_between(occ.min_run, 1, Limits::kMaxOccMinRun, "--occ-min-run");
}

std::filesystem::path iv3_weights_path(const RunOptions& options) {
  return flag_else_environment_else(options.iv3_weights, "SIGNPREP_IV3_WEIGHTS",
                                    SIGNPREP_DEFAULT_IV3_WEIGHTS);
}

std::filesystem::path iv3_calibration_path(const RunOptions& options) {
  return options.iv3_calibration ? *options.iv3_calibration
                                 : default_iv3_calibration_path(iv3_weights_path(options));
}

std::filesystem::path models_dir_path(const RunOptions& options) {
  return flag_else_environment_else(options.models_dir, "SIGNPREP_MODELS_DIR",
                                    SIGNPREP_DEFAULT_MODELS_DIR);
}

}  // namespace signprep::pipeline
