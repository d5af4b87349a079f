// Selfie segmentation as MediaPipe's SelfieSegmentationGpu subgraph
// (mediapipe/modules/selfie_segmentation/selfie_segmentation_gpu.pbtxt) runs it
// for MODEL_SELECTION 1, the landscape model, and the Python tool's composite
// on top: every pixel the mask does not call "person" turns black before
// Holistic sees the frame.
//
//   SelfieSegmenter segmenter("models/selfie_segmentation_landscape.tflite");
//   const SegmentationMask mask = segmenter.segment(frame);
//   const Composite composite = composite_foreground(frame, mask);
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "image/image.h"
#include "nn/model.h"

namespace signprep::landmarks {

// Person probability per pixel of a frame, row-major. The GPU graph hands the
// mask over as an 8-bit texture, so every value is a multiple of 1/255 in
// [0, 1], as the reference's masks are.
struct SegmentationMask {
  int width = 0;
  int height = 0;
  std::vector<float> values;  // height * width
};

class SelfieSegmenter {
 public:
  // Throws Error(kModel) when the model is missing or unreadable, or is not
  // the landscape model's [1,144,256,3] -> [1,144,256,1].
  explicit SelfieSegmenter(const std::filesystem::path& model_path,
                           const nn::ModelOptions& options = {});
  SelfieSegmenter(SelfieSegmenter&&) noexcept;
  SelfieSegmenter& operator=(SelfieSegmenter&&) noexcept;
  ~SelfieSegmenter();

  // The mask at the frame's size. The graph keeps nothing from one frame to
  // the next (no SegmentationSmoothingCalculator in it), so equal frames give
  // equal masks whatever came before. An empty frame throws
  // std::invalid_argument.
  SegmentationMask segment(const image::ImageView& frame);

  // Starts a new video. Nothing to forget today (see segment()); callers
  // still call it so that they stay right if the graph ever gains state.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether the Python tool keeps a pixel: it blacks out mask <= 0.5. The
// golden reference kept a pixel when the mask, read back as a byte, was >=
// 128; on the graph's 8-bit mask the two rules are the same.
bool is_foreground(float mask_value);

struct Composite {
  image::Image image;                // the frame, background pixels black
  float foreground_fraction = 0.0f;  // share of pixels kept
};

// The frame with every pixel that is not is_foreground() set to black. A mask
// of another size than the frame throws std::invalid_argument.
Composite composite_foreground(const image::ImageView& frame, const SegmentationMask& mask);

}  // namespace signprep::landmarks
