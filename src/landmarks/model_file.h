// Private to landmarks/: how the trackers load their MediaPipe models.
#pragma once

#include <filesystem>
#include <utility>
#include <vector>

#include "nn/model.h"

namespace signprep::landmarks {

// `file` from `models_dir`, computing only the outputs in `outputs_read` (all
// when empty: nn::ModelOptions::outputs_read).
inline nn::Model load_model_file(const std::filesystem::path& models_dir, const char* file,
                                 nn::ModelOptions options, std::vector<int> outputs_read = {}) {
  options.outputs_read = std::move(outputs_read);
  return nn::Model::load(models_dir / file, options);
}

}  // namespace signprep::landmarks
