// A graph built in code, run on an NVIDIA GPU through cuDNN, fed batches of
// 8-bit frames that the device normalises itself.
//
//   nn::GpuOptions options{.device = 0, .precision = nn::GpuPrecision::kFp16,
//                          .input_levels = table};
//   std::unique_ptr<nn::GpuNetwork> net = nn::load_gpu_network(def, options);
//   std::copy(pixels.begin(), pixels.end(), net->input().begin());  // [N,H,W,C] uint8
//   std::span<const float> out = net->run(frames);                  // [frames, ...]
//
// The CUDA code lives in a separate library, libsignprep_cuda.so (src/nn/cuda),
// built when CMake finds the CUDA toolkit with cuDNN and loaded only when a
// GPU is asked for: signprep starts, and runs on the CPU, on machines with
// neither. Every failure to reach the GPU (backend not built, library missing,
// no driver or device, driver too old, out of memory) is an Error(kDevice)
// whose one-line message names the fix.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/gpu_precision.h"

namespace signprep::nn {

struct ModelDef;  // nn/model_def.h

// "fp32", "fp16", "bf16"; parse throws Error(kUsage) naming the choices.
std::string_view precision_name(GpuPrecision precision);
GpuPrecision parse_precision(std::string_view name);

struct GpuOptions {
  int device = 0;  // CUDA device index
  GpuPrecision precision = GpuPrecision::kFp32;
  // The model's input holds 8-bit frames; level L of channel c enters the
  // network as input_levels[c][L] (one table per input channel), computed on
  // the host so that the device's normalisation equals the CPU's bit for bit.
  std::vector<std::array<float, 256>> input_levels;
};

// One part of a run and the device's time in it (GpuNetwork::time_parts).
struct TimedPart {
  std::string name;  // "frames in", "convolution", "pooling", ..., "features out"
  double milliseconds = 0;
};

class GpuNetwork {
 public:
  virtual ~GpuNetwork() = default;

  // Frames per run: the batch of the model's input shape.
  virtual int batch_size() const = 0;
  // Page-locked host memory for the next run's frames, [batch, H, W, C].
  virtual std::span<std::uint8_t> input() = 0;
  // Runs the network on the first `frames` staged frames and returns their
  // outputs, [frames, ...] float32, valid until the next run. The whole batch
  // is computed whatever `frames` is (the algorithms are chosen for it).
  virtual std::span<const float> run(int frames) = 0;
  // "NVIDIA H100 80GB HBM3 (cuda:0), fp16, batch 64; convolutions: ..." (how
  // each operator runs): for logs and reports.
  virtual std::string description() const = 0;
  // One run of the whole batch timed part by part on the device (frames in,
  // each kind of operator, features out; summed by part, in order of first
  // appearance): where the time goes. Empty where the network does not time
  // its parts.
  virtual std::vector<TimedPart> time_parts() { return {}; }
};

// Whether this build has the CUDA backend (CMake found CUDA with cuDNN).
bool gpu_backend_built();

// Loads libsignprep_cuda.so and builds `def` on the device: weights uploaded
// in `options.precision`, each convolution's algorithm timed and chosen as
// cudnn.benchmark does. Supports the operators InceptionV3 uses (CONV_2D with
// ReLU, MAX_POOL_2D, AVERAGE_POOL_2D, CONCATENATION on channels, MEAN over
// height and width); others throw Error(kModel). Throws Error(kDevice) when
// the GPU cannot be used, Error(kUsage) for a bad device index.
std::unique_ptr<GpuNetwork> load_gpu_network(const ModelDef& def, const GpuOptions& options);

}  // namespace signprep::nn
