// InceptionV3 frame features as the Python tool computed them: torchvision's
// inception_v3 (IMAGENET1K_V1 semantics: transform_input, eval mode, fc
// replaced by identity) on the original RGB frame resized to 299x299 with
// OpenCV's bilinear resize, scaled to [0, 1] and normalised with ImageNet's
// mean and std: the 2048-d vector after the global average pool.
//
//   features::InceptionV3 net = features::InceptionV3::load(weights_path, {.batch_size = 32});
//   for (each kept frame) net.add(frame.view());
//   std::vector<float> x2048 = net.finish();  // [T, 2048]
//
// The network runs on the nn executor (oneDNN), batch-norm folded into the
// convolutions, in batches of `batch_size` frames; the last, partial batch
// of a clip runs frame by frame on a batch-1 copy of the network, so no
// compute is wasted on padding. On a GPU the same graph runs through
// load_inception_v3_on_gpu (inception_v3_graph.h), in the run's feature
// server (pipeline/feature_server.h). Weights come from a safetensors file with
// torchvision's parameter names (README: "InceptionV3 weights").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "features/frame_features.h"
#include "image/image.h"
#include "nn/model.h"

namespace signprep::features {

struct InceptionV3Options {
  int batch_size = 32;  // frames per network run
  int threads = 1;      // oneDNN (OpenMP) threads per run
  // kBf16: weights and activations in bf16, features still float32; fast
  // where oneDNN runs bf16 on AMX or bf16 instructions (nn/cpu_precision.h).
  nn::CpuPrecision precision = nn::CpuPrecision::kFp32;
  // kInt8 (u8 activations, s8 weights per output channel): the largest value
  // each activation took on calibration frames, by tensor name, from
  // InceptionV3::calibrate (features/iv3_calibration.h keeps it in a file).
  std::map<std::string, float> activation_ranges = {};
  // Where the network's runs add their wall time, when set (nn::ModelOptions).
  std::shared_ptr<nn::RunClock> run_clock = nullptr;
};

class InceptionV3 final : public FrameFeatures {
 public:
  static constexpr int kInputSide = 299;
  static constexpr int kFeatureCount = 2048;

  // Reads and checks every tensor the network needs (extra ones, such as fc.*
  // and AuxLogits.*, are ignored). Throws Error(kModel) naming the file and
  // the problem (missing file, missing or mis-shaped tensor, unsupported
  // dtype, corrupt file) and where such a file comes from; Error(kUsage) for
  // a batch size or thread count below 1.
  static InceptionV3 load(const std::filesystem::path& weights, const InceptionV3Options& options);

  InceptionV3(InceptionV3&&) noexcept;
  InceptionV3& operator=(InceptionV3&&) noexcept;
  ~InceptionV3() override;

  // The activation ranges of the float32 network on these frames (each
  // resized and normalised as add() does): an int8 network's calibration.
  // The same frames give the same ranges, to the bit.
  static std::map<std::string, float> calibrate(const std::filesystem::path& weights,
                                                std::span<const image::ImageView> frames);

  // Resizes the frame here; runs the network when a batch is full.
  void add(const image::ImageView& frame) override;
  // Runs what is queued first.
  std::vector<float> finish() override;
  // Without running the network.
  void clear() override;

  int batch_size() const;
  // Of the network that runs full batches: multiply-accumulates per run
  // (batch_size frames), and oneDNN's slow reference kernels if it fell back
  // to any (the tests require none).
  nn::ModelStats stats() const;

  // The network's float input for one frame already resized to 299x299:
  // (pixel / 255 - mean) / std, then torchvision's transform_input, per
  // channel, in float32 as torch computes it. Exposed for the tests.
  static void normalize(const image::ImageView& resized, std::span<float> input);

 private:
  struct Impl;
  explicit InceptionV3(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep::features
