#include "app/models_dir.h"

#include <cstdlib>

namespace signprep::app {

std::filesystem::path resolve_models_dir(const std::optional<std::filesystem::path>& flag) {
  if (flag) return *flag;
  if (const char* env = std::getenv("SIGNPREP_MODELS_DIR"); env != nullptr && *env != '\0')
    return env;
  return SIGNPREP_CHECKOUT_MODELS_DIR;
}

}  // namespace signprep::app
