#include "landmarks/landmark_decoding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace signprep::landmarks {
namespace {

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

struct WeightedMean {
  float sum = 0, max = 0, col = 0, row = 0;
};

WeightedMean heatmap_window(std::span<const float> heatmap, HeatmapShape shape, int channel,
                            int center_col, int center_row, int kernel_size) {
  const int offset = (kernel_size - 1) / 2;
  const int begin_col = std::max(0, center_col - offset);
  const int end_col = std::min(shape.width, center_col + offset + 1);
  const int begin_row = std::max(0, center_row - offset);
  const int end_row = std::min(shape.height, center_row + offset + 1);
  WeightedMean mean;
  for (int row = begin_row; row < end_row; ++row) {
    for (int col = begin_col; col < end_col; ++col) {
      const auto index = (static_cast<std::size_t>(row) * static_cast<std::size_t>(shape.width) +
                          static_cast<std::size_t>(col)) *
                             static_cast<std::size_t>(shape.channels) +
                         static_cast<std::size_t>(channel);
      const float confidence = sigmoid(heatmap[index]);
      mean.sum += confidence;
      mean.max = std::max(mean.max, confidence);
      mean.col += static_cast<float>(col) * confidence;
      mean.row += static_cast<float>(row) * confidence;
    }
  }
  return mean;
}

}  // namespace

std::vector<Landmark> decode_landmarks(std::span<const float> raw, int count, int input_width,
                                       int input_height) {
  if (count <= 0 || raw.size() % static_cast<std::size_t>(count) != 0) {
    throw std::invalid_argument("decode_landmarks: tensor size is not a multiple of the count");
  }
  const std::size_t dims = raw.size() / static_cast<std::size_t>(count);
  if (dims < 2) throw std::invalid_argument("decode_landmarks: fewer than 2 values per landmark");
  const auto width = static_cast<float>(input_width), height = static_cast<float>(input_height);
  std::vector<Landmark> landmarks(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < landmarks.size(); ++i) {
    const float* v = raw.data() + i * dims;
    Landmark& l = landmarks[i];
    l.x = v[0] / width;
    l.y = v[1] / height;
    if (dims > 2) l.z = v[2] / width;  // z shares x's scale
    if (dims > 3) l.visibility = sigmoid(v[3]);
    if (dims > 4) l.presence = sigmoid(v[4]);
  }
  return landmarks;
}

void refine_from_heatmap(std::span<Landmark> landmarks, std::span<const float> heatmap,
                         HeatmapShape shape, int kernel_size, float min_confidence) {
  if (static_cast<int>(landmarks.size()) != shape.channels ||
      heatmap.size() != static_cast<std::size_t>(shape.height) *
                            static_cast<std::size_t>(shape.width) *
                            static_cast<std::size_t>(shape.channels)) {
    throw std::invalid_argument("refine_from_heatmap: heatmap does not match the landmarks");
  }
  for (int i = 0; i < shape.channels; ++i) {
    Landmark& l = landmarks[static_cast<std::size_t>(i)];
    // Truncation toward zero, and the row compared with the height only
    // through the column test, as the calculator does (its heatmaps are square).
    const int col = static_cast<int>(l.x * static_cast<float>(shape.width));
    const int row = static_cast<int>(l.y * static_cast<float>(shape.height));
    if (col < 0 || col >= shape.width || row < 0 || col >= shape.height) continue;
    const WeightedMean mean = heatmap_window(heatmap, shape, i, col, row, kernel_size);
    if (mean.max >= min_confidence && mean.sum > 0) {
      l.x = mean.col / static_cast<float>(shape.width) / mean.sum;
      l.y = mean.row / static_cast<float>(shape.height) / mean.sum;
    }
  }
}

}  // namespace signprep::landmarks
