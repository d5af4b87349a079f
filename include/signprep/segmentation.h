// MediaPipe's selfie segmentation: the probability that each pixel shows a
// person, from the landscape model (MediaPipe's model_selection 1), the
// model the Python tool's preprocessing runs. Thread safety as Holistic's.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "signprep/image.h"

namespace signprep {

struct SelfieSegmentationOptions {
  // 1, the landscape model (256x144). 0, the general model, is not built:
  // the constructor throws Error(kUnavailable).
  int model_selection = 1;
  std::filesystem::path models_dir = {};  // as HolisticOptions::models_dir
  int threads = 1;
};

// Row-major, the frame's size; values in [0, 1], multiples of 1/255 as
// MediaPipe's GPU graph delivers them.
struct SegmentationMask {
  int width = 0;
  int height = 0;
  std::vector<float> values;  // height * width
};

class SelfieSegmentation {
 public:
  // Throws Error(kModel) for a missing or corrupt model.
  explicit SelfieSegmentation(const SelfieSegmentationOptions& options = {});
  SelfieSegmentation(SelfieSegmentation&&) noexcept;
  SelfieSegmentation& operator=(SelfieSegmentation&&) noexcept;
  ~SelfieSegmentation();

  // Frames are independent: the graph keeps nothing from one to the next.
  SegmentationMask process(const RgbView& frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep
