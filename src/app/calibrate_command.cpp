// signprep calibrate-iv3: the int8 InceptionV3's calibration file
// (pipeline/iv3_calibration.h), made once per weights file.
#include <iostream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "core/error.h"
#include "core/printable.h"
#include "pipeline/iv3_calibration.h"
#include "pipeline/run_options.h"

namespace signprep::app {

int calibrate_iv3_command(const std::vector<std::string>& args) {
  pipeline::RunOptions options;
  std::optional<std::filesystem::path> out;
  int frames_per_video = 8;
  double fps = 2;
  FlagParser parser(
      "signprep calibrate-iv3 VIDEO... [--iv3-weights PATH] [--out PATH] [--frames-per-video N] "
      "[--fps FPS]",
      "Runs InceptionV3 in float32 on frames of the videos and writes the largest value\n"
      "each activation took: the calibration --iv3-precision int8 quantizes with.\n"
      "The same videos and weights give the same file, byte for byte.");
  parser.add_value("--iv3-weights", "PATH",
                   "InceptionV3 weights (default as the main command: $SIGNPREP_IV3_WEIGHTS, "
                   "else models/inception_v3.safetensors)",
                   options.iv3_weights);
  parser.add_value("--out", "PATH",
                   "the calibration file (default: the weights' path with .int8.json, where "
                   "--iv3-precision int8 looks)",
                   out);
  parser.add_value("--frames-per-video", "N", "frames taken from each video (default 8)",
                   frames_per_video);
  parser.add_value("--fps", "FPS",
                   "frames a second taken from each video's start (default 2: spread over 4 s)",
                   fps);
  const auto videos = parser.parse(args);
  if (!videos) return kExitSuccess;
  if (videos->empty()) {
    throw Error(ErrorKind::kUsage,
                "calibrate-iv3: no video given (the checkout's samples/*.mp4 will do; see --help)");
  }
  if (frames_per_video < 1 || frames_per_video > 1000) {
    throw Error(ErrorKind::kUsage, "--frames-per-video must be between 1 and 1000");
  }
  pipeline::validate_target_fps(fps);
  const std::filesystem::path weights = pipeline::iv3_weights_path(options);
  const std::filesystem::path destination =
      out ? *out : pipeline::default_iv3_calibration_path(weights);
  const std::vector<std::filesystem::path> paths(videos->begin(), videos->end());
  const pipeline::Iv3Calibration calibration =
      pipeline::calibrate_iv3(weights, paths, frames_per_video, fps);
  pipeline::write_iv3_calibration(destination, calibration);
  int frames = 0;
  for (const auto& [name, count] : calibration.videos) frames += count;
  std::cout << "signprep: calibrated InceptionV3 (" << printable(weights.string()) << ") on "
            << frames << " frames of " << calibration.videos.size()
            << " videos: " << printable(destination.string()) << "\n";
  return kExitSuccess;
}

}  // namespace signprep::app
