// signprep landmarks: the keypoint branch's raw per-frame results for one
// video, in the layout of the golden reference files, for inspection and
// for comparison with MediaPipe's own Holistic.
#include <cmath>
#include <iostream>
#include <limits>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "app/holistic_flags.h"
#include "app/sampling_flag.h"
#include "core/error.h"
#include "core/printable.h"
#include "image/resize.h"
#include "landmarks/holistic.h"
#include "nn/cpu_precision.h"
#include "output/json_writer.h"
#include "output/npz_writer.h"
#include "pipeline/clip.h"
#include "pipeline/landmark_blocks.h"
#include "pipeline/precision_choice.h"
#include "pipeline/run_options.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::app {
namespace {

struct LandmarksOptions {
  double target_fps = pipeline::RunOptions{}.target_fps;
  // The reference harness's and the Python tool's frames: this command is
  // for comparing with MediaPipe's own Holistic frame by frame.
  video::SamplingRule sampling = video::SamplingRule::kPython;
  int out_size = pipeline::RunOptions{}.out_size;
  double conf_thresh = pipeline::RunOptions{}.conf_thresh;
  double perturb_crops_px = 0;  // landmarks::HolisticOptions::crop_shift_px
  nn::CpuPrecision precision = nn::CpuPrecision::kFp32;
  pipeline::HolisticSettings holistic;
  std::optional<std::filesystem::path> out;
  std::optional<std::filesystem::path> models_dir;
};

// Per-frame results, frame-major, absent blocks as NaN (as the golden files).
struct LandmarkArrays {
  explicit LandmarkArrays(int face_point_count) : blocks(face_point_count) {}

  std::vector<std::int64_t> timestamps_ms;
  pipeline::LandmarkBlocks blocks;
  std::vector<float> foreground_fraction;

  void add(std::int64_t timestamp_ms, const landmarks::HolisticFrame& frame) {
    timestamps_ms.push_back(timestamp_ms);
    blocks.add(frame);
    foreground_fraction.push_back(frame.foreground_fraction);
  }

  void write(const std::filesystem::path& path) const {
    output::NpzWriter npz;
    const std::size_t t_shape[] = {timestamps_ms.size()};
    npz.add_int64("timestamps_ms", t_shape, timestamps_ms);
    blocks.add_to(npz);
    npz.add_float32("seg_fg_fraction", t_shape, foreground_fraction);
    npz.write(path);
  }
};

LandmarkArrays track_video(const std::filesystem::path& video_path, const LandmarksOptions& options,
                           landmarks::HolisticTracker& tracker) {
  video::VideoReader reader(video_path);
  video::FrameSampler sampler(options.target_fps, options.sampling);
  LandmarkArrays arrays(pipeline::face_point_count(options.holistic));
  std::int64_t calls = 0;
  while (reader.next_frame()) {
    const double time_ms = reader.timestamp_ms();
    if (!sampler.keep(time_ms)) continue;
    const image::Image frame =
        image::resize_area(reader.to_rgb().view(), options.out_size, options.out_size);
    arrays.add(video::FrameSampler::stored_timestamp(time_ms),
               tracker.process(frame.view(), landmarks::solution_timestamp_us(calls++)));
  }
  if (reader.damage()) {
    std::cerr << "signprep: warning: " << printable(video_path.string()) << ": "
              << printable(*reader.damage()) << "\n";
  }
  if (arrays.timestamps_ms.empty()) {
    throw Error(ErrorKind::kInput, video_path.string() + ": no frames could be decoded");
  }
  return arrays;
}

}  // namespace

int landmarks_command(const std::vector<std::string>& args) {
  LandmarksOptions options;
  FlagParser parser(
      "signprep landmarks VIDEO --out FILE.npz [--target-fps N] [--sampling RULE] [--out-size N]",
      "Runs the keypoint branch (segmentation, then Holistic's trackers) on one video\n"
      "and writes the raw per-frame results: timestamps_ms, pose [T,33,4] (x, y, z,\n"
      "visibility; NaN where no pose), pose_present, pose_world [T,33,3] (metres),\n"
      "left_hand and right_hand [T,21,3] (x, y, z; the person's sides), their *_present,\n"
      "face [T,478,3] (468 with --no-refine-face), face_present, seg_fg_fraction. Frames are "
      "sampled with the Python tool's rule by default, as\n"
      "MediaPipe's reference runs (../shared/reference/holistic_js) sample them.");
  parser.add_value("--out", "FILE", "the .npz to write (required)", options.out);
  parser.add_value("--target-fps", "FPS",
                   "sampling rate (default " + output::python_float_repr(options.target_fps) + ")",
                   options.target_fps);
  add_sampling_flag(parser, options.sampling);
  add_holistic_flags(parser, options.holistic);
  parser.add_value(
      "--out-size", "N",
      "side of the square keypoint frame (default " + std::to_string(options.out_size) + ")",
      options.out_size);
  parser.add_value("--conf-thresh", "X",
                   "min detection/tracking confidence (default " +
                       output::python_float_repr(options.conf_thresh) + ")",
                   options.conf_thresh);
  parser.add_value("--models-dir", "DIR",
                   "MediaPipe models (default: $SIGNPREP_MODELS_DIR, else models/)",
                   options.models_dir);
  parser.add("--keypoint-precision", "P",
             "the models in fp32 (default) or bf16; a diagnostic, so bf16 runs on any CPU "
             "(with a warning where oneDNN emulates it, slowly)",
             [&options](std::string_view text) {
               options.precision = pipeline::cpu_precision(pipeline::parse_precision_request(text));
             });
  parser.add_value("--perturb-crops", "PX",
                   "diagnostic: move every tracked crop PX pixels right and down (e.g. 0.001) "
                   "and compare with a run without, to see how far this clip's tracking moves "
                   "under a difference far below a pixel (default 0)",
                   options.perturb_crops_px);
  const auto videos = parser.parse(args);
  if (!videos) return kExitSuccess;
  if (videos->size() != 1)
    throw Error(ErrorKind::kUsage, "landmarks: give exactly one video (see --help)");
  if (!options.out) throw Error(ErrorKind::kUsage, "landmarks: --out FILE.npz is required");
  pipeline::validate_target_fps(options.target_fps);
  pipeline::validate(options.holistic);
  pipeline::require_between(options.out_size, pipeline::OptionLimits::kMinOutSize,
                            pipeline::OptionLimits::kMaxOutSize, "--out-size");
  if (!(options.conf_thresh >= 0 && options.conf_thresh <= 1)) {
    throw Error(ErrorKind::kUsage, "--conf-thresh must be between 0 and 1");
  }
  if (!(std::abs(options.perturb_crops_px) <= 1)) {
    throw Error(ErrorKind::kUsage, "--perturb-crops must be between -1 and 1 pixel");
  }

  landmarks::HolisticOptions holistic;
  pipeline::RunOptions run_options;
  run_options.models_dir = options.models_dir;
  holistic.models_dir = pipeline::models_dir_path(run_options);
  holistic.min_detection_confidence = holistic.min_tracking_confidence =
      static_cast<float>(options.conf_thresh);
  holistic.crop_shift_px = static_cast<float>(options.perturb_crops_px);
  holistic.model_options.precision = options.precision;
  if (options.precision == nn::CpuPrecision::kBf16) {
    nn::Bf16Support support = nn::probe_bf16_support();
    if (!support.uses_amx) {
      support.measured_speedup = nn::measure_bf16_speedup();
      std::cerr
          << "signprep: warning: bf16 runs here all the same, with the results it gives on AMX: "
          << pipeline::bf16_without_amx(support) << "\n";
    }
  }
  pipeline::apply(options.holistic, holistic);
  landmarks::HolisticTracker tracker(holistic);
  track_video(videos->front(), options, tracker).write(*options.out);
  return kExitSuccess;
}

}  // namespace signprep::app
