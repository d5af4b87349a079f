// Where the MediaPipe models are: --models-dir, else $SIGNPREP_MODELS_DIR,
// else the checkout's models/ folder that scripts/setup fills.
#pragma once

#include <filesystem>
#include <optional>

namespace signprep::app {

std::filesystem::path resolve_models_dir(const std::optional<std::filesystem::path>& flag);

}  // namespace signprep::app
