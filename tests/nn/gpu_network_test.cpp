// nn::load_gpu_network (src/nn/gpu_network.h, src/nn/cuda/): what it
// refuses on any machine, and, where a GPU is usable, each of InceptionV3's
// operator kinds against the CPU executor on a small graph. Without a GPU
// the comparison is skipped and the error is checked instead.
#include "nn/gpu_network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/model.h"
#include "nn/model_def.h"

namespace signprep::nn {
namespace {

constexpr int kBatch = 3, kSide = 9, kChannels = 3;

int add_tensor(ModelDef& def, std::vector<int> shape, std::vector<float> values = {}) {
  TensorDef tensor;
  tensor.name = "t" + std::to_string(def.tensors.size());
  tensor.shape = std::move(shape);
  tensor.is_constant = !values.empty();
  tensor.values = std::move(values);
  def.tensors.push_back(std::move(tensor));
  return static_cast<int>(def.tensors.size()) - 1;
}

int add_op(ModelDef& def, OpDef op, std::vector<int> inputs, std::vector<int> output_shape) {
  op.label = "op #" + std::to_string(def.ops.size());
  op.inputs = std::move(inputs);
  op.outputs = {add_tensor(def, std::move(output_shape))};
  def.ops.push_back(op);
  return op.outputs[0];
}

std::vector<float> random_values(std::size_t count, std::mt19937& random) {
  std::normal_distribution<float> normal(0.0f, 0.3f);
  std::vector<float> values(count);
  for (float& value : values) value = normal(random);
  return values;
}

// conv 3x3 SAME + ReLU, conv 1x1 stride 2 VALID, a max and an average pool,
// a concatenation on channels and the mean over height and width: one of
// each kind the CUDA backend runs.
ModelDef small_graph(int batch = kBatch) {
  std::mt19937 random(7);
  ModelDef def;
  def.name = "small";
  const int input = add_tensor(def, {batch, kSide, kSide, kChannels});
  def.inputs = {input};
  OpDef conv;
  conv.type = OpType::kConv2d;
  conv.activation = Activation::kRelu;
  const int a = add_op(def, conv,
                       {input, add_tensor(def, {8, 3, 3, kChannels}, random_values(8 * 27, random)),
                        add_tensor(def, {8}, random_values(8, random))},
                       {batch, kSide, kSide, 8});
  conv.padding = Padding::kValid;
  conv.stride_h = conv.stride_w = 2;
  conv.activation = Activation::kNone;
  const int b = add_op(def, conv,
                       {a, add_tensor(def, {4, 1, 1, 8}, random_values(32, random)),
                        add_tensor(def, {4}, random_values(4, random))},
                       {batch, 5, 5, 4});
  OpDef pool;
  pool.type = OpType::kMaxPool2d;
  pool.filter_h = pool.filter_w = 3;
  pool.stride_h = pool.stride_w = 2;
  pool.padding = Padding::kValid;
  const int c = add_op(def, pool, {a}, {batch, 4, 4, 8});
  pool.type = OpType::kAveragePool2d;
  pool.stride_h = pool.stride_w = 1;
  pool.padding = Padding::kSame;
  pool.count_include_pad = true;
  const int d = add_op(def, pool, {b}, {batch, 5, 5, 4});
  OpDef mean;
  mean.type = OpType::kMean;
  const int axes = add_tensor(def, {2});
  def.tensors[axes].type = TensorType::kInt32;
  def.tensors[axes].ints = {1, 2};
  def.tensors[axes].is_constant = true;
  const int e = add_op(def, mean, {c, axes}, {batch, 8});
  const int f = add_op(def, mean, {d, axes}, {batch, 4});
  OpDef concat;
  concat.type = OpType::kConcatenation;
  concat.axis = 1;  // [N, C]: the channels
  def.outputs = {add_op(def, concat, {e, f}, {batch, 12})};
  return def;
}

std::vector<std::array<float, 256>> levels() {
  std::vector<std::array<float, 256>> tables(kChannels);
  for (int c = 0; c < kChannels; ++c) {
    for (int level = 0; level < 256; ++level) tables[c][level] = (level - 128.0f) / (64.0f + c);
  }
  return tables;
}

TEST(GpuPrecision, NamesAndParsing) {
  for (const GpuPrecision precision :
       {GpuPrecision::kFp32, GpuPrecision::kFp16, GpuPrecision::kBf16}) {
    EXPECT_EQ(parse_precision(precision_name(precision)), precision);
  }
  try {
    parse_precision("fp8");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(error.what()).find("choose fp32, fp16 or bf16"), std::string::npos);
  }
}

// Loads `def` expecting a refusal: with the backend built, of `kind` and
// saying each of `phrases` (before any device: this machine may have none);
// without it, that it was not built.
void expect_refused(const ModelDef& def, GpuPrecision precision, ErrorKind kind,
                    const std::vector<std::string>& phrases) {
  try {
    load_gpu_network(def, {.device = 0, .precision = precision, .input_levels = levels()});
    FAIL() << "expected a refusal";
  } catch (const Error& error) {
    const std::string message = error.what();
    if (!gpu_backend_built()) {
      EXPECT_EQ(error.kind(), ErrorKind::kDevice);
      EXPECT_NE(message.find("built without its CUDA backend"), std::string::npos) << message;
      return;
    }
    EXPECT_EQ(error.kind(), kind);
    for (const std::string& phrase : phrases) {
      EXPECT_NE(message.find(phrase), std::string::npos) << message;
    }
  }
}

TEST(GpuNetwork, AnOperatorItDoesNotRunIsRefusedBeforeAnyDevice) {
  ModelDef def = small_graph();
  def.ops[0].type = OpType::kDepthwiseConv2d;
  expect_refused(def, GpuPrecision::kFp32, ErrorKind::kModel,
                 {"small: op #0: not supported by the CUDA backend"});
}

// cuDNN's descriptors count a tensor's values in 32 bits: a batch whose
// widest activation (9 x 9 x 8 = 648 values a frame here) would pass 2^31
// values is refused with the batch that fits, before any device is touched.
TEST(GpuNetwork, ABatchBeyondCudnnsTensorsIsRefusedWithTheBatchThatFits) {
  const int fits = std::numeric_limits<std::int32_t>::max() / 648;
  EXPECT_EQ(fits, 3314017);
  expect_refused(
      small_graph(fits + 1), GpuPrecision::kFp16, ErrorKind::kUsage,
      {"small at batch 3314018: t3 (648 values a frame)", "use --batch-size 3314017 or less"});
}

// On a GPU: equal to the CPU executor. fp32 runs without TF32; the bound is
// float32 sums in another order over at most 72 terms, far below 1e-5
// relative. Without a GPU: the one-line error that says how to go on.
TEST(GpuNetwork, MatchesTheCpuExecutorOrSaysWhyItCannotRun) {
  const ModelDef def = small_graph();
  // The CPU's side first, so that it is checked on every machine.
  Model cpu = Model::build(def);
  std::mt19937 random(11);
  const std::vector<std::array<float, 256>> tables = levels();
  std::vector<std::uint8_t> frames(cpu.input(0).size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i] = static_cast<std::uint8_t>(random() % 256);
    cpu.input(0)[i] = tables[i % kChannels][frames[i]];
  }
  cpu.run();
  const std::span<const float> expected = cpu.output(0);
  ASSERT_EQ(expected.size(), std::size_t(kBatch) * 12);

  std::unique_ptr<GpuNetwork> gpu;
  try {
    gpu = load_gpu_network(def,
                           {.device = 0, .precision = GpuPrecision::kFp32, .input_levels = tables});
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kDevice);
    EXPECT_NE(std::string(error.what()).find("or leave out --device to compute on the CPU"),
              std::string::npos)
        << error.what();
    GTEST_SKIP() << "no usable GPU: " << error.what();
  }
  std::copy(frames.begin(), frames.end(), gpu->input().begin());
  for (const int frames_run : {kBatch, 1}) {
    const std::span<const float> got = gpu->run(frames_run);
    ASSERT_EQ(got.size(), std::size_t(frames_run) * 12);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], expected[i], 1e-5 * (1 + std::abs(expected[i]))) << i;
    }
  }
}

}  // namespace
}  // namespace signprep::nn
