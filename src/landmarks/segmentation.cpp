// Follows mediapipe/modules/selfie_segmentation/selfie_segmentation_gpu.pbtxt,
// the graph behind the golden reference (the npm solution runs the GPU graph
// with inference on TFLite's CPU backend), node by node:
//   ImageToTensorCalculator          -> segment(): the frame to a 256x144 tensor
//   InferenceCalculator              -> nn::Model
//   TensorsToSegmentationCalculator  -> upsample_mask(): back to the frame's size
// The graph has no SegmentationSmoothingCalculator (pose_landmark's
// segmentation has one; this graph does not), so no state crosses frames.
#include "landmarks/segmentation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "image/warp.h"

namespace signprep::landmarks {
namespace {

// The SwitchContainer's second contained_node (MODEL_SELECTION 1):
// ImageToTensorCalculator with output_tensor_width 256, output_tensor_height
// 144, keep_aspect_ratio false, output_tensor_float_range [0, 1], BORDER_ZERO.
constexpr int kTensorWidth = 256;
constexpr int kTensorHeight = 144;
constexpr image::ValueRange kTensorRange{0.0f, 1.0f};

void check_shapes(const nn::Model& model, const std::filesystem::path& path) {
  const std::vector<int> input = {1, kTensorHeight, kTensorWidth, 3};
  const std::vector<int> output = {1, kTensorHeight, kTensorWidth, 1};
  if (model.inputs().size() != 1 || model.outputs().size() != 1 ||
      model.inputs()[0].shape != input || model.outputs()[0].shape != output) {
    throw Error(ErrorKind::kModel, path.string() +
                                       ": not the landscape selfie segmentation model "
                                       "(expected input [1,144,256,3] and output [1,144,256,1])");
  }
}

// Float to an 8-bit normalised texel (GL_RGBA8), round to nearest.
float to_unorm8(float value) {
  return std::floor(std::clamp(value, 0.0f, 1.0f) * 255.0f + 0.5f) / 255.0f;
}

// Source positions and weights of GL_LINEAR sampling along one axis: texel
// centres at +0.5, edges clamped (GL_CLAMP_TO_EDGE, MediaPipe's default).
struct LinearTaps {
  std::vector<int> first, second;
  std::vector<float> weight;  // of `second`; `first` gets 1 - weight
};

LinearTaps linear_taps(int source_size, int target_size) {
  LinearTaps taps;
  const double scale = static_cast<double>(source_size) / target_size;
  for (int d = 0; d < target_size; ++d) {
    const float position = static_cast<float>((d + 0.5) * scale - 0.5);
    int index = static_cast<int>(std::floor(position));
    float weight = position - static_cast<float>(index);
    if (index < 0) index = 0, weight = 0.0f;
    if (index >= source_size - 1) index = source_size - 1, weight = 0.0f;
    taps.first.push_back(index);
    taps.second.push_back(std::min(index + 1, source_size - 1));
    taps.weight.push_back(weight);
  }
  return taps;
}

// TensorsToSegmentationCalculator (activation NONE: the model ends in a
// sigmoid already), its GPU path: the activation shader stores the tensor in
// a GL_RGBA8 texture at tensor size, and a pass-through draw with GL_LINEAR
// upsamples that into a GL_RGBA8 texture of OUTPUT_SIZE (ImagePropertiesCalculator:
// the frame's size). So the mask is quantised to 8 bits twice. The golden
// reference took this path although its inference ran on the CPU (where the
// calculator's CPU path would cv::resize the float tensor instead): with both
// quantisations the 32x32 golden masks differ by 0.0004/255 on average, with
// plain float bilinear by 0.007/255 (tests/landmarks/segmentation_test.cpp).
SegmentationMask upsample_mask(std::span<const float> tensor, int width, int height) {
  std::vector<float> small(tensor.begin(), tensor.end());
  std::transform(small.begin(), small.end(), small.begin(), to_unorm8);
  const LinearTaps xs = linear_taps(kTensorWidth, width);
  const LinearTaps ys = linear_taps(kTensorHeight, height);
  std::vector<float> rows(static_cast<std::size_t>(kTensorHeight) * width);
  for (int y = 0; y < kTensorHeight; ++y) {
    const float* in = small.data() + static_cast<std::size_t>(y) * kTensorWidth;
    float* out = rows.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      out[x] = in[xs.first[x]] * (1.0f - xs.weight[x]) + in[xs.second[x]] * xs.weight[x];
    }
  }
  SegmentationMask mask{width, height,
                        std::vector<float>(static_cast<std::size_t>(width) * height)};
  for (int y = 0; y < height; ++y) {
    const float* top = rows.data() + static_cast<std::size_t>(ys.first[y]) * width;
    const float* bottom = rows.data() + static_cast<std::size_t>(ys.second[y]) * width;
    const float w = ys.weight[y];
    float* out = mask.values.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) out[x] = to_unorm8(top[x] * (1.0f - w) + bottom[x] * w);
  }
  return mask;
}

}  // namespace

struct SelfieSegmenter::Impl {
  nn::Model model;
};

SelfieSegmenter::SelfieSegmenter(const std::filesystem::path& model_path,
                                 const nn::ModelOptions& options)
    : impl_(std::make_unique<Impl>(Impl{nn::Model::load(model_path, options)})) {
  check_shapes(impl_->model, model_path);
}

SelfieSegmenter::SelfieSegmenter(SelfieSegmenter&&) noexcept = default;
SelfieSegmenter& SelfieSegmenter::operator=(SelfieSegmenter&&) noexcept = default;
SelfieSegmenter::~SelfieSegmenter() = default;

SegmentationMask SelfieSegmenter::segment(const image::ImageView& frame) {
  if (frame.width <= 0 || frame.height <= 0 || frame.data == nullptr) {
    throw std::invalid_argument("SelfieSegmenter::segment: empty frame");
  }
  // ImageToTensorCalculator without a NORM_RECT input: the region is the
  // whole frame, unrotated.
  const float w = static_cast<float>(frame.width), h = static_cast<float>(frame.height);
  const image::RotatedRect whole_frame{w / 2, h / 2, w, h, 0.0f};
  image::crop_to_tensor(frame, whole_frame, kTensorWidth, kTensorHeight, kTensorRange,
                        image::BorderMode::kZero, impl_->model.input(0));
  impl_->model.run();
  return upsample_mask(impl_->model.output(0), frame.width, frame.height);
}

void SelfieSegmenter::reset() {}

bool is_foreground(float mask_value) {
  // On the graph's 8-bit mask (k / 255) this is k >= 128, the reference's
  // test on the byte it read back. NaN compares false: background.
  return mask_value > 0.5f;
}

Composite composite_foreground(const image::ImageView& frame, const SegmentationMask& mask) {
  const std::size_t pixels = static_cast<std::size_t>(frame.width) * frame.height;
  if (mask.width != frame.width || mask.height != frame.height || mask.values.size() != pixels) {
    throw std::invalid_argument("composite_foreground: the mask is " + std::to_string(mask.width) +
                                "x" + std::to_string(mask.height) + ", the frame " +
                                std::to_string(frame.width) + "x" + std::to_string(frame.height));
  }
  Composite composite{image::Image(frame.width, frame.height, frame.order), 0.0f};
  std::size_t kept = 0;
  for (int y = 0; y < frame.height; ++y) {
    const std::uint8_t* in = frame.row(y);
    std::uint8_t* out = composite.image.row(y);
    const float* m = mask.values.data() + static_cast<std::size_t>(y) * frame.width;
    for (int x = 0; x < frame.width; ++x) {
      if (!is_foreground(m[x])) continue;  // the image starts black
      std::copy_n(in + 3 * x, 3, out + 3 * x);
      ++kept;
    }
  }
  composite.foreground_fraction =
      pixels == 0 ? 0.0f : static_cast<float>(static_cast<double>(kept) / pixels);
  return composite;
}

}  // namespace signprep::landmarks
