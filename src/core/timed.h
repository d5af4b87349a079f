// Wall time per stage, for the --verbose breakdowns of the landmarks and
// pipeline layers.
#pragma once

#include <chrono>

namespace signprep {

// Runs `stage`, adds its wall time to `seconds` (also when it throws) and
// returns what it returns.
template <typename Stage>
decltype(auto) timed(double& seconds, Stage&& stage) {
  struct AddElapsed {
    double& seconds;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    ~AddElapsed() {
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } const add_elapsed{seconds};
  return stage();
}

}  // namespace signprep
