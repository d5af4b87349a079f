// How signprep validate words lists and array shapes in its problem lines;
// shared by validate_command.cpp and validate_landmarks.cpp. Private to app/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::app {

inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += separator;
    text += items[i];
  }
  return text;
}

// numpy's spelling: "(3,)", "(3, 33, 4)".
inline std::string shape_text(const std::vector<std::size_t>& shape) {
  std::vector<std::string> dimensions;
  for (std::size_t dimension : shape) dimensions.push_back(std::to_string(dimension));
  return "(" + join(dimensions) + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace signprep::app
