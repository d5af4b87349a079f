// The neural runtime's public face: load a MediaPipe .tflite model once, run
// it many times on float32 NHWC inputs, read its outputs.
//
//   nn::Model pose = nn::Model::load("models/pose_landmark_full.tflite");
//   std::copy(pixels.begin(), pixels.end(), pose.input(0).begin());  // [1,256,256,3]
//   pose.run();
//   std::span<const float> landmarks = pose.output(0);
//
// A Model owns its weights and every buffer it needs, planned at load: run()
// allocates nothing. Models are independent, so several may live in one
// process; one Model must not run on two threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/cpu_precision.h"

namespace signprep::nn {

struct ModelDef;  // nn/model_def.h

// Wall time spent in Model::run, summed over the models that share it
// (ModelOptions::run_clock): how much of a run the networks themselves take,
// apart from the crops, resizes and post-processing around them.
struct RunClock {
  double seconds = 0;
};

struct TensorInfo {
  std::string name;
  std::vector<int> shape;
  std::int64_t element_count() const;
};

struct ModelStats {
  std::map<std::string, int> op_counts;   // by TFLite operator name, after load-time folding
  std::int64_t multiply_accumulates = 0;  // per run
  // Operators for which oneDNN offered only a reference ("ref:") kernel, its
  // silent slow path: "<op label>: <implementation>". Empty for a healthy model.
  std::vector<std::string> reference_implementations;
  // Every oneDNN primitive made, by implementation name: which ISA runs the
  // model ("brgconv:avx512_core_amx_bf16", "jit_dw:avx512_core", ...).
  std::map<std::string, int> implementations;
  CpuPrecision precision = CpuPrecision::kFp32;
  int bf16_tensors = 0;  // activations stored in bf16 (each one a rounding point)
  int u8_tensors = 0;    // activations stored in u8 (int8)
  // Constants still held as the model file gave them: those a reference
  // kernel reads, or a oneDNN kernel by pointer (biases); the weights oneDNN
  // packed into its own layout are freed at load.
  std::int64_t loader_constant_bytes = 0;
};

struct ModelOptions {
  // Threads one run() may use. 1 by default: signprep runs one worker process
  // per core, so a model gets more only when there are fewer videos than cores.
  int threads = 1;
  // The outputs the caller reads (indices into outputs()); empty: all. The
  // operators that feed only the others are not run (pose_landmark_full's
  // segmentation mask, which Holistic never reads, is a third of its time),
  // and output(i) of another output throws std::logic_error.
  std::vector<int> outputs_read;
  // kBf16: convolutions on bf16 weights, the activations between oneDNN's
  // operators in bf16 (nn/cpu_precision.h); inputs and outputs stay float32.
  // Runs on any CPU; faster than kFp32 on AMX and with bf16 vector
  // instructions (Zen 4), slower where oneDNN emulates it. kInt8: every
  // convolution whose source is never negative (after a ReLU) on u8 sources
  // and s8 weights, one scale per output channel (nn/cpu_precision.h).
  CpuPrecision precision = CpuPrecision::kFp32;
  // kInt8: by tensor name, the largest value each activation took on
  // calibration inputs (measure_activation_ranges); its u8 scale maps that
  // value to 255. Every activation that is never negative needs one.
  std::map<std::string, float> activation_ranges = {};
  // Where run() adds its wall time, when set.
  std::shared_ptr<RunClock> run_clock = nullptr;
};

class Model {
 public:
  // Throws Error(kModel) naming the file and the problem when it is missing,
  // corrupt, or uses an operator or option signprep does not support.
  static Model load(const std::filesystem::path& path, const ModelOptions& options = {});
  // A graph built in code (features/inception_v3.cpp builds InceptionV3 from
  // its weights), checked and prepared as load() does; throws Error(kModel).
  static Model build(ModelDef def, const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const std::string& name() const;
  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  ModelStats stats() const;

  // The buffers of input i (write before run()) and output i (valid until the
  // next run(); an output left out of ModelOptions::outputs_read throws).
  std::span<float> input(int i);
  std::span<const float> output(int i) const;

  void run();
  // run() on an fp32 model, raising `ranges[name]` to the largest value each
  // activation took: ModelOptions::activation_ranges for an int8 copy.
  void measure_activation_ranges(std::map<std::string, float>& ranges);
  // Time and work of the runs of one operator type.
  struct OpProfile {
    double seconds = 0;
    std::int64_t multiply_accumulates = 0;
  };
  // run(), also adding each operator's wall time and multiply-accumulates to
  // `by_op`, keyed by operator name: where a model spends its time, and how
  // fast each kind of operator computes.
  void run_profiled(std::map<std::string, OpProfile>& by_op);

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep::nn
