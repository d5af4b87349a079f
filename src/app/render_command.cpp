#include <iostream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "core/error.h"
#include "core/printable.h"
#include "render/render.h"

namespace signprep::app {

int render_command(const std::vector<std::string>& args) {
  render::RenderOptions options;
  std::optional<std::filesystem::path> output;
  FlagParser parser(
      "signprep render CLIP.npz [--video SOURCE] -o OUT.mp4|OUT.png [--frames N]",
      "Draws a clip's 78 keypoints (pose upper body, both hands, 11 face points) over its\n"
      "video, or over a plain background without --video: every frame as an H.264 .mp4, or\n"
      "N evenly spaced frames as a .png contact sheet about 1600 px wide. Visible points\n"
      "are filled, one colour per block; points present but not visible are hollow and\n"
      "grey. A clip written with --keypoints full shows Holistic's whole output instead:\n"
      "all 33 pose points, both hands and the face mesh. Works on the Python tool's .npz\n"
      "files too.");
  parser.add_value("--video", "SOURCE", "the video the .npz was made from", options.video);
  parser.add_value("-o", "OUT", "output: .mp4 (video) or .png (contact sheet)", output);
  parser.add_value("--frames", "N",
                   "frames on a contact sheet (default " + std::to_string(options.frames) + ")",
                   options.frames);
  const auto positional = parser.parse(args);
  if (!positional) return kExitSuccess;
  if (positional->size() != 1) throw Error(ErrorKind::kUsage, "expected one CLIP.npz (see --help)");
  if (!output) throw Error(ErrorKind::kUsage, "-o OUT.mp4 or -o OUT.png is required");
  options.npz = positional->front();
  options.output = *output;
  const render::RenderResult result = render::render(options);
  for (const std::string& warning : result.warnings) {
    std::cerr << "signprep: warning: " << printable(warning) << "\n";
  }
  std::cerr << "signprep: wrote " << printable(options.output.string()) << " (" << result.frames
            << " frames, " << result.width << "x" << result.height << ")\n";
  return kExitSuccess;
}

}  // namespace signprep::app
