// Private to landmarks/: how the trackers load their MediaPipe models.
#pragma once

#include <filesystem>
#include <span>

#include "nn/model.h"

namespace signprep::landmarks {

// `file` from `models_dir`, computing only the outputs in `outputs_read` (all
// when empty: nn::ModelOptions::outputs_read).
inline nn::Model load_model_file(const std::filesystem::path& models_dir, const char* file,
                                 nn::ModelOptions options, std::span<const int> outputs_read = {}) {
  options.outputs_read.assign(outputs_read.begin(), outputs_read.end());
  return nn::Model::load(models_dir / file, options);
}

}  // namespace signprep::landmarks
