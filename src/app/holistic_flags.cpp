#include "app/holistic_flags.h"

#include <string>

namespace signprep::app {

void add_holistic_flags(FlagParser& parser, pipeline::HolisticSettings& settings) {
  parser.add_value("--model-complexity", "N",
                   "the pose landmark model: 0 lite (fastest), 1 full (default), 2 heavy",
                   settings.model_complexity);
  parser.add("--refine-face", "", "478 face points, the attention mesh's (default)",
             [&settings](std::string_view) { settings.refine_face = true; });
  parser.add("--no-refine-face", "", "468 face points, the plain mesh's (faster)",
             [&settings](std::string_view) { settings.refine_face = false; });
  parser.add("--no-smooth-landmarks", "", "no landmark filtering across frames",
             [&settings](std::string_view) { settings.smooth_landmarks = false; });
  parser.add("--no-segmentation", "",
             "Holistic on the frame as it is, without the Python tool's selfie-segmentation "
             "composite (faster; keypoints then differ from the Python tool's)",
             [&settings](std::string_view) { settings.segmentation = false; });
}

}  // namespace signprep::app
