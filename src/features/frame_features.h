// What a clip's pass asks of the frame-feature extractor, wherever its
// network runs: features::InceptionV3 in the worker (CPU or GPU), or
// pipeline's client of a run-wide feature server.
#pragma once

#include <vector>

#include "image/image.h"

namespace signprep::features {

class FrameFeatures {
 public:
  virtual ~FrameFeatures() = default;
  // Queues one RGB frame of any size.
  virtual void add(const image::ImageView& frame) = 0;
  // The features of every frame added since the last finish(), [frames,
  // 2048] row-major, in the order added; starts a new sequence.
  virtual std::vector<float> finish() = 0;
  // Drops what is queued or collected: for a clip abandoned midway.
  virtual void clear() = 0;
};

}  // namespace signprep::features
