#include "landmarks/ssd_decoding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace signprep::landmarks {
namespace {

// SsdAnchorsCalculator's CalculateScale: scales interpolate linearly over
// the layers (only their count matters here, the anchors being fixed-size).
void add_layer_anchors(const SsdAnchorOptions& options, int stride, int anchors_per_cell,
                       std::vector<Anchor>& anchors) {
  const int rows = static_cast<int>(std::ceil(static_cast<float>(options.input_height) / stride));
  const int cols = static_cast<int>(std::ceil(static_cast<float>(options.input_width) / stride));
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      const Anchor anchor{
          (static_cast<float>(x) + options.anchor_offset_x) / static_cast<float>(cols),
          (static_cast<float>(y) + options.anchor_offset_y) / static_cast<float>(rows), 1.0f, 1.0f};
      anchors.insert(anchors.end(), static_cast<std::size_t>(anchors_per_cell), anchor);
    }
  }
}

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

// Rectangle_f intersection over union, as OverlapSimilarity computes it.
float intersection_over_union(const Detection& a, const Detection& b) {
  const float left = std::max(a.xmin, b.xmin), right = std::min(a.xmin + a.width, b.xmin + b.width);
  const float top = std::max(a.ymin, b.ymin),
              bottom = std::min(a.ymin + a.height, b.ymin + b.height);
  if (left > right || top > bottom) return 0.0f;
  const float intersection = (right - left) * (bottom - top);
  const float union_area = a.width * a.height + b.width * b.height - intersection;
  return union_area > 0 ? intersection / union_area : 0.0f;
}

Detection score_weighted_mean(const std::vector<const Detection*>& cluster) {
  Detection mean = *cluster.front();  // keeps the best score
  float total = 0, xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  std::vector<Point2> keypoints(mean.keypoints.size());
  for (const Detection* d : cluster) {
    const float w = d->score;
    total += w;
    xmin += d->xmin * w;
    ymin += d->ymin * w;
    xmax += (d->xmin + d->width) * w;
    ymax += (d->ymin + d->height) * w;
    for (std::size_t k = 0; k < keypoints.size(); ++k) {
      keypoints[k].x += d->keypoints[k].x * w;
      keypoints[k].y += d->keypoints[k].y * w;
    }
  }
  mean.xmin = xmin / total;
  mean.ymin = ymin / total;
  mean.width = xmax / total - mean.xmin;
  mean.height = ymax / total - mean.ymin;
  for (std::size_t k = 0; k < keypoints.size(); ++k) {
    mean.keypoints[k] = {keypoints[k].x / total, keypoints[k].y / total};
  }
  return mean;
}

}  // namespace

std::vector<Anchor> generate_anchors(const SsdAnchorOptions& options) {
  std::vector<Anchor> anchors;
  const std::vector<int>& strides = options.strides;
  // Consecutive layers with the same stride share one grid: each adds two
  // anchors per cell (aspect ratio 1 and the interpolated scale).
  for (std::size_t layer = 0; layer < strides.size();) {
    std::size_t next = layer;
    while (next < strides.size() && strides[next] == strides[layer]) ++next;
    add_layer_anchors(options, strides[layer], static_cast<int>(2 * (next - layer)), anchors);
    layer = next;
  }
  return anchors;
}

std::vector<Detection> decode_detections(std::span<const float> boxes,
                                         std::span<const float> raw_scores,
                                         std::span<const Anchor> anchors,
                                         const DetectionDecodeOptions& options) {
  const std::size_t count = anchors.size();
  if (raw_scores.size() != count ||
      boxes.size() != count * static_cast<std::size_t>(options.num_coords) ||
      options.num_coords < 4 + 2 * options.num_keypoints) {
    throw std::invalid_argument("decode_detections: tensor sizes do not match the anchors");
  }
  std::vector<Detection> detections;
  for (std::size_t i = 0; i < count; ++i) {
    const float clipped =
        std::clamp(raw_scores[i], -options.score_clipping, options.score_clipping);
    const float score = sigmoid(clipped);
    if (score < options.min_score) continue;
    const Anchor& anchor = anchors[i];
    const float* raw = boxes.data() + i * static_cast<std::size_t>(options.num_coords);
    const float x_center = raw[0] / options.x_scale * anchor.width + anchor.x_center;
    const float y_center = raw[1] / options.y_scale * anchor.height + anchor.y_center;
    const float w = raw[2] / options.w_scale * anchor.width;
    const float h = raw[3] / options.h_scale * anchor.height;
    // Negative or NaN sizes are model noise that later steps cannot use.
    if (!(w >= 0) || !(h >= 0)) continue;
    Detection detection{score, x_center - w / 2, y_center - h / 2, w, h, {}};
    for (int k = 0; k < options.num_keypoints; ++k) {
      const float* point = raw + 4 + 2 * k;
      detection.keypoints.push_back({point[0] / options.x_scale * anchor.width + anchor.x_center,
                                     point[1] / options.y_scale * anchor.height + anchor.y_center});
    }
    detections.push_back(std::move(detection));
  }
  return detections;
}

std::vector<Detection> weighted_non_max_suppression(std::vector<Detection> detections,
                                                    float min_suppression_iou) {
  std::vector<const Detection*> remaining;
  for (const Detection& d : detections) remaining.push_back(&d);
  std::stable_sort(remaining.begin(), remaining.end(),
                   [](const Detection* a, const Detection* b) { return a->score > b->score; });
  std::vector<Detection> kept;
  while (!remaining.empty()) {
    const Detection& best = *remaining.front();
    std::vector<const Detection*> cluster, rest;
    for (const Detection* d : remaining) {
      (intersection_over_union(*d, best) > min_suppression_iou ? cluster : rest).push_back(d);
    }
    // A degenerate (zero-area) best box overlaps nothing, not even itself.
    kept.push_back(cluster.empty() ? best : score_weighted_mean(cluster));
    if (rest.size() == remaining.size()) break;
    remaining = std::move(rest);
  }
  return kept;
}

}  // namespace signprep::landmarks
