// Turning a landmark model's raw tensors into landmarks normalised to the
// model's input, as MediaPipe's TensorsToLandmarksCalculator and
// RefineLandmarksFromHeatmapCalculator do.
#pragma once

#include <span>
#include <vector>

#include "landmarks/types.h"

namespace signprep::landmarks {

// `raw` holds `count` landmarks of equal width (x, y, z in input pixels, then
// visibility and presence logits when present); the logits pass a sigmoid.
std::vector<Landmark> decode_landmarks(std::span<const float> raw, int count, int input_width,
                                       int input_height);

struct HeatmapShape {
  int height = 0, width = 0, channels = 0;  // one channel per landmark, HWC
};

// Moves each landmark to the sigmoid-weighted mean position of its heatmap
// channel within a kernel_size square around it, where that square's
// highest confidence reaches min_confidence.
void refine_from_heatmap(std::span<Landmark> landmarks, std::span<const float> heatmap,
                         HeatmapShape shape, int kernel_size, float min_confidence);

}  // namespace signprep::landmarks
