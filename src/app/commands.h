// The subcommands of the signprep executable. Each takes the arguments after
// its name and returns the process exit code (app/exit_codes.h).
#pragma once

#include <string>
#include <vector>

namespace signprep::app {

int run_command(const std::vector<std::string>& args);
int probe_command(const std::vector<std::string>& args);
int model_info_command(const std::vector<std::string>& args);
int model_run_command(const std::vector<std::string>& args);
int landmarks_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int merge_labels_command(const std::vector<std::string>& args);
int render_command(const std::vector<std::string>& args);
int calibrate_iv3_command(const std::vector<std::string>& args);

}  // namespace signprep::app
