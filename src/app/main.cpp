#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "core/error.h"
#include "core/printable.h"
#include "video/video_reader.h"

int main(int argc, char** argv) {
  using namespace signprep;
  std::vector<std::string> args(argv + 1, argv + argc);
  video::set_ffmpeg_logging(std::getenv("SIGNPREP_FFMPEG_LOG") != nullptr);
  try {
    const std::string command = args.empty() ? "" : args.front();
    const std::vector<std::string> rest =
        args.empty() ? args : std::vector(args.begin() + 1, args.end());
    if (command == "probe") return app::probe_command(rest);
    if (command == "model-info") return app::model_info_command(rest);
    if (command == "model-run") return app::model_run_command(rest);
    if (command == "landmarks") return app::landmarks_command(rest);
    if (command == "validate") return app::validate_command(rest);
    if (command == "merge-labels") return app::merge_labels_command(rest);
    if (command == "render") return app::render_command(rest);
    if (command == "calibrate-iv3") return app::calibrate_iv3_command(rest);
    return app::run_command(args);
  } catch (const Error& error) {
    std::cerr << "signprep: error: " << printable(error.what()) << "\n";
    return app::exit_code_for(error.kind());
  } catch (const std::exception& error) {
    std::cerr << "signprep: internal error: " << printable(error.what()) << "\n";
    return app::kExitSomeFailed;
  }
}
