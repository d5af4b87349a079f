#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "app/holistic_flags.h"
#include "app/sampling_flag.h"
#include "core/error.h"
#include "nn/gpu_network.h"
#include "output/json_writer.h"
#include "pipeline/run.h"
#include "pipeline/shard.h"

namespace signprep::app {
namespace {

// The value `text` names among `choices`; Error(kUsage) listing them otherwise.
template <typename Value>
Value one_of(std::string_view flag, std::string_view text,
             std::initializer_list<std::pair<std::string_view, Value>> choices) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
    names += (names.empty() ? "" : " or ") + std::string(name);
  }
  throw Error(ErrorKind::kUsage,
              std::string(flag) + " takes " + names + ", not " + std::string(text));
}

// --device: cpu, cuda (device 0) or cuda:N.
std::optional<int> parse_device(std::string_view text) {
  if (text == "cpu") return std::nullopt;
  if (text == "cuda") return 0;
  constexpr std::string_view kPrefix = "cuda:";
  if (text.starts_with(kPrefix)) {
    const std::string_view digits = text.substr(kPrefix.size());
    int index = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (error == std::errc() && end == digits.data() + digits.size() && !digits.empty() &&
        index >= 0) {
      return index;
    }
  }
  throw Error(ErrorKind::kUsage,
              "--device: '" + std::string(text) + "' is not a device (cpu, cuda or cuda:N)");
}

std::string shown(double value) {
  return output::python_float_repr(value);
}
std::string shown(int value) {
  return std::to_string(value);
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  pipeline::RunOptions options;
  const pipeline::RunOptions defaults;
  bool disable_parquet = false;
  FlagParser parser(
      "signprep VIDEO_OR_DIR OUT_DIR [options]\n"
      "       signprep probe VIDEO... [--target-fps N] [--sampling RULE] [--json]\n"
      "       signprep landmarks VIDEO --out FILE.npz [options]\n"
      "       signprep validate OUT_DIR [--feature-key NAME]\n"
      "       signprep merge-labels OUT_DIR\n"
      "       signprep render CLIP.npz [--video SOURCE] -o OUT.mp4|OUT.png\n"
      "       signprep model-info MODEL.tflite...\n"
      "       signprep model-run MODEL.tflite INPUT.npy... -o DIR",
      "Turns sign-language videos into training data: MediaPipe Holistic keypoints and\n"
      "InceptionV3 features per sampled frame, as .npz (+ .parquet) per clip, and labels.csv.");
  parser.add_switch("--write-keypoints", "write X [T,156], mask [T,78] (+ .parquet)",
                    options.write_keypoints);
  parser.add_switch("--write-iv3-features", "write InceptionV3 features [T,2048]",
                    options.write_iv3_features);
  parser.add_value("--feature-key", "NAME",
                   "npz member of the features (default " + defaults.feature_key + ")",
                   options.feature_key);
  parser.add_value("--workers", "N",
                   "worker processes (default min(cores, 12) = " + shown(defaults.workers) + ")",
                   options.workers);
  parser.add_value(
      "--batch-size", "N",
      "InceptionV3 frames per batch (default " + shown(defaults.batch_size) +
          "; the CPU runs one frame at a time: as fast, less memory; with --device cuda, "
          "the GPU's batch)",
      options.batch_size);
  parser.add("--device", "DEVICE",
             "where InceptionV3 runs: cpu (default) or cuda[:N], an NVIDIA GPU (README: \"GPU\")",
             [&options](std::string_view text) { options.cuda_device = parse_device(text); });
  parser.add("--iv3-precision", "P",
             "InceptionV3 in fp32 (default), bf16 (CPUs with AMX or fast bf16 instructions, and "
             "GPUs), int8 (CPUs with VNNI or AMX; needs a calibration), auto (bf16 where the CPU "
             "has AMX, else fp32) or fp16 (GPU) (README: \"Precision\")",
             [&options](std::string_view text) {
               options.iv3_precision = pipeline::parse_precision_request(text);
             });
  parser.add("--keypoint-precision", "P",
             "the MediaPipe models in fp32 (default), bf16 (CPUs with AMX or fast bf16 "
             "instructions) or auto (README: \"Precision\")",
             [&options](std::string_view text) {
               options.keypoint_precision = pipeline::parse_precision_request(text);
             });
  parser.add_value("--iv3-weights", "PATH",
                   "InceptionV3 weights, safetensors (default $SIGNPREP_IV3_WEIGHTS, else "
                   "models/inception_v3.safetensors; README: \"InceptionV3 weights\")",
                   options.iv3_weights);
  parser.add_value("--iv3-calibration", "PATH",
                   "--iv3-precision int8's calibration, made by signprep calibrate-iv3 (default: "
                   "the weights' path with .int8.json)",
                   options.iv3_calibration);
  parser.add_value("--models-dir", "DIR",
                   "MediaPipe models (default $SIGNPREP_MODELS_DIR, else the checkout's models/)",
                   options.models_dir);
  parser.add_value("--target-fps", "FPS",
                   "frames kept per second of video (default " + shown(defaults.target_fps) + ")",
                   options.target_fps);
  add_sampling_flag(parser, options.sampling);
  parser.add_switch("--disable-parquet", "do not write the .parquet file", disable_parquet);
  parser.add("--format", "LAYOUT",
             "the .parquet's layout: python (default: the Python tool's, a row per frame of the "
             "78 points) or islr (Kaggle ISLR's: a row per landmark per frame, 543 per frame)",
             [&options](std::string_view text) {
               options.parquet_layout =
                   one_of<pipeline::ParquetLayout>("--format", text,
                                                   {{"python", pipeline::ParquetLayout::kPython},
                                                    {"islr", pipeline::ParquetLayout::kIslr}});
             });
  parser.add("--keypoints", "SET",
             "78 (default: X and mask, the Python tool's) or full (also Holistic's whole "
             "output: pose [T,33,4], pose_world [T,33,3], left_hand/right_hand [T,21,3], face "
             "[T,478,3], each with *_present; NaN where absent)",
             [&options](std::string_view text) {
               options.keypoint_set = one_of<pipeline::KeypointSet>(
                   "--keypoints", text,
                   {{"78", pipeline::KeypointSet::k78}, {"full", pipeline::KeypointSet::kFull}});
             });
  parser.add_value("--out-size", "PX",
                   "side of the square keypoint frame (default " + shown(defaults.out_size) + ")",
                   options.out_size);
  parser.add_value("--conf-thresh", "P",
                   "detection/tracking confidence and pose visibility threshold (default " +
                       shown(defaults.conf_thresh) + ")",
                   options.conf_thresh);
  add_holistic_flags(parser, options.holistic);
  parser.add_value("--max-gap", "FRAMES",
                   "longest gap filled by interpolation (default " + shown(defaults.max_gap) + ")",
                   options.max_gap);
  parser.add_value("--id", "N", "label id (used as gloss id when --gloss-id is absent)",
                   options.id);
  parser.add_value("--gloss-id", "N", "gloss id written to the labels file", options.gloss_id);
  parser.add_value("--cat-id", "N", "category id (default: the gloss id)", options.cat_id);
  parser.add_value("--labels-csv", "PATH", "labels file (default OUT_DIR/labels.csv)",
                   options.labels_csv);
  parser.add_switch("--append", "append to the labels file instead of rewriting it",
                    options.append);
  parser.add_switch("--resume",
                    "skip videos whose files an earlier run finished with the same settings",
                    options.resume);
  parser.add("--resume-fast", "",
             "--resume trusting the last run's report: a clip it lists as written counts as "
             "finished when its files are there with the sizes it recorded (nothing is opened)",
             [&options](std::string_view) { options.resume = options.resume_fast = true; });
  std::string shard;
  parser.add_value("--shard", "K/N",
                   "process only the K-th of N shards of the inputs (default: a Slurm array "
                   "task's or a Kubernetes indexed Job's, else all); writes "
                   "labels.shard-K-of-N.csv",
                   shard);
  std::optional<std::int64_t> shard_count;
  parser.add_value("--shard-count", "N",
                   "in a Kubernetes indexed Job, its completions: the shard is "
                   "JOB_COMPLETION_INDEX + 1 of N",
                   shard_count);
  // The Python tool computes the flag when --occ-enable or --write-keypoints
  // is given; the flag needs the keypoints, so here it follows them alone.
  parser.add("--occ-enable", "",
             "accepted as the Python tool's; the occlusion flag is computed whenever "
             "keypoints are written",
             [](std::string_view) {});
  parser.add_value("--occ-vis-thresh", "P",
                   "visible share under which a frame counts as occluded (default " +
                       shown(defaults.occlusion.vis_thresh) + ")",
                   options.occlusion.vis_thresh);
  parser.add_value("--occ-frame-prop", "P",
                   "share of occluded frames that flags a clip (default " +
                       shown(defaults.occlusion.frame_prop) + ")",
                   options.occlusion.frame_prop);
  parser.add_value("--occ-min-run", "FRAMES",
                   "run of occluded frames that flags a clip (default " +
                       shown(defaults.occlusion.min_run) + ")",
                   options.occlusion.min_run);

  parser.add_switch("--flat",
                    "write every file straight into OUT_DIR (default: keep the input's folders)",
                    options.flat);
  parser.add_value("--stall-timeout", "SECONDS",
                   "fail a video whose worker makes no progress for this long (default " +
                       shown(defaults.stall_timeout_seconds) + "; 0: wait forever)",
                   options.stall_timeout_seconds);
  parser.add_switch("--verbose", "print each clip's time per stage", options.verbose);
  parser.add_switch("--quiet", "no progress bar or lines (errors and the summary still print)",
                    options.quiet);

  const auto positional = parser.parse(args);
  if (!positional) return kExitSuccess;
  if (positional->size() != 2) {
    throw Error(ErrorKind::kUsage, "expected VIDEO_OR_DIR and OUT_DIR (see --help)");
  }
  options.input = (*positional)[0];
  options.output_dir = (*positional)[1];
  options.write_parquet = !disable_parquet;
  if (!shard.empty()) {
    if (shard_count) {
      throw Error(ErrorKind::kUsage, "--shard K/N already gives the count: drop --shard-count");
    }
    options.shard = pipeline::parse_shard(shard);
  } else if (const auto scheduled = pipeline::scheduler_shard(std::getenv, shard_count)) {
    options.shard = scheduled->shard;
    std::cerr << "signprep: " << scheduled->scheduler << ": shard " << options.shard->index << "/"
              << options.shard->count << "\n";
  }

  const pipeline::RunSummary summary = pipeline::run(options);
  std::cerr << pipeline::format_summary(summary);
  if (summary.stopped) return kExitStopped;
  if (summary.succeeded == 0 && !summary.failed.empty()) return kExitNothingRan;
  return summary.failed.empty() ? kExitSuccess : kExitSomeFailed;
}

}  // namespace signprep::app
