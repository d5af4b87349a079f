// Decoding an SSD-style detector's raw tensors into detections, as MediaPipe's
// SsdAnchorsCalculator, TensorsToDetectionsCalculator and
// NonMaxSuppressionCalculator (WEIGHTED, intersection over union) do it. The
// pose and face detectors share these steps and differ only in the options.
#pragma once

#include <span>
#include <vector>

#include "landmarks/types.h"

namespace signprep::landmarks {

struct Anchor {
  float x_center = 0, y_center = 0;
  float width = 1, height = 1;
};

// SsdAnchorsCalculatorOptions for detectors with fixed-size anchors, one
// aspect ratio (1.0) plus the interpolated one per layer.
struct SsdAnchorOptions {
  int input_width = 0, input_height = 0;
  float min_scale = 0, max_scale = 0;
  float anchor_offset_x = 0.5f, anchor_offset_y = 0.5f;
  std::vector<int> strides;  // one per layer
};

std::vector<Anchor> generate_anchors(const SsdAnchorOptions& options);

// TensorsToDetectionsCalculatorOptions (single class, reverse_output_order,
// sigmoid scores with clipping).
struct DetectionDecodeOptions {
  int num_coords = 0;  // per box: 4 box values, then keypoints (x, y)
  int num_keypoints = 0;
  float x_scale = 0, y_scale = 0, w_scale = 0, h_scale = 0;
  float score_clipping = 100;
  float min_score = 0.5f;
};

// Detections scoring at least min_score, in anchor order, with boxes and
// keypoints normalised to the detector's input.
std::vector<Detection> decode_detections(std::span<const float> boxes,
                                         std::span<const float> raw_scores,
                                         std::span<const Anchor> anchors,
                                         const DetectionDecodeOptions& options);

// Weighted non-maximum suppression: each cluster of detections overlapping
// the best remaining one by more than `min_suppression_iou` becomes one
// detection, its box and keypoints the score-weighted mean of the cluster's,
// its score the best one's. Sorted by score, best first.
std::vector<Detection> weighted_non_max_suppression(std::vector<Detection> detections,
                                                    float min_suppression_iou);

}  // namespace signprep::landmarks
