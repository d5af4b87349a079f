#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "core/error.h"
#include "video/video_reader.h"

int main(int argc, char** argv) {
  using namespace signprep;
  std::vector<std::string> args(argv + 1, argv + argc);
  video::set_ffmpeg_logging(std::getenv("SIGNPREP_FFMPEG_LOG") != nullptr);
  try {
    if (!args.empty() && args.front() == "probe") {
      return app::probe_command({args.begin() + 1, args.end()});
    }
    return app::run_command(args);
  } catch (const Error& error) {
    std::cerr << "signprep: error: " << error.what() << "\n";
    return app::exit_code_for(error.kind());
  } catch (const std::exception& error) {
    std::cerr << "signprep: internal error: " << error.what() << "\n";
    return app::kExitSomeFailed;
  }
}
