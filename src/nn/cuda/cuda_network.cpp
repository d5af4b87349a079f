// nn::GpuNetwork on cuDNN's (legacy, descriptor-based) API: NHWC tensors in
// one planned arena, one step per operator, every step on one stream.
//
// Convolutions run as cudnnConvolutionBiasActivationForward where cuDNN
// accepts the fused call for the chosen algorithm and data type (tried once at
// load), else as convolution, bias addition and ReLU. Each convolution's
// algorithm is timed on the real buffers at load, as cudnn.benchmark does.
// fp32 keeps to FMA arithmetic (no TF32) and to the direct and GEMM
// algorithms (no FFT or Winograd, whose transforms round differently), so
// that its features equal the CPU path's.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/cuda/cuda_handles.h"
#include "nn/cuda/device_kernels.h"
#include "nn/gpu_network.h"
#include "nn/gpu_plugin.h"
#include "nn/memory_plan.h"
#include "nn/model_def.h"
#include "nn/padding.h"

namespace signprep::nn::cuda {
namespace {

// Room left for the CUDA context, cuDNN's own buffers and fragmentation when
// judging whether a batch fits.
constexpr std::size_t kDeviceSlack = std::size_t{512} << 20;
constexpr std::size_t kWorkspaceLimit = std::size_t{1} << 30;
constexpr std::size_t kArenaUnit = sizeof(float);  // plan_memory counts 4-byte units

const float kOne = 1.0f;
const float kZero = 0.0f;

std::string version_text(int cuda_version) {
  return std::to_string(cuda_version / 1000) + "." + std::to_string(cuda_version % 1000 / 10);
}

std::string gib(std::size_t bytes) {
  const double value = static_cast<double>(bytes) / double(std::size_t{1} << 30);
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", value);
  return text;
}

// The driver and device checks, each failure in words with its fix.
void select_device(int device) {
  int driver = 0;
  int runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  if (driver == 0) {
    throw Error(ErrorKind::kDevice,
                "no NVIDIA driver found (libcuda.so.1 is not installed): install the NVIDIA "
                "driver for this machine's GPU" +
                    std::string(kRunOnCpu));
  }
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  // Minor versions are compatible (CUDA's minor version compatibility).
  if (driver / 1000 < runtime / 1000 || status == cudaErrorInsufficientDriver) {
    throw Error(ErrorKind::kDevice, "the NVIDIA driver supports CUDA " + version_text(driver) +
                                        ", signprep's CUDA backend needs " + version_text(runtime) +
                                        ": update the NVIDIA driver (CUDA 13 needs 580 or newer)" +
                                        kRunOnCpu);
  }
  if (status == cudaErrorNoDevice || (status == cudaSuccess && count == 0)) {
    throw Error(ErrorKind::kDevice,
                "no CUDA GPU found: the NVIDIA driver is installed but sees no GPU (check "
                "nvidia-smi and CUDA_VISIBLE_DEVICES)" +
                    std::string(kRunOnCpu));
  }
  check(status, "cannot list the CUDA GPUs");
  if (device < 0 || device >= count) {
    throw Error(
        ErrorKind::kUsage,
        "--device cuda:" + std::to_string(device) + ": this machine has " + std::to_string(count) +
            " CUDA GPU" +
            (count == 1 ? " (cuda:0)" : "s (cuda:0 to cuda:" + std::to_string(count - 1) + ")"));
  }
  check(cudaSetDevice(device), "cannot use cuda:" + std::to_string(device));
}

cudnnDataType_t data_type(GpuPrecision precision) {
  switch (precision) {
    case GpuPrecision::kFp16:
      return CUDNN_DATA_HALF;
    case GpuPrecision::kBf16:
      return CUDNN_DATA_BFLOAT16;
    case GpuPrecision::kFp32:
      break;
  }
  return CUDNN_DATA_FLOAT;
}

std::size_t element_bytes(GpuPrecision precision) {
  return precision == GpuPrecision::kFp32 ? 4 : 2;
}

bool not_supported(cudnnStatus_t status) {
  return status >= CUDNN_STATUS_BAD_PARAM && status < CUDNN_STATUS_INTERNAL_ERROR;
}

// An activation tensor: where it lives and its NHWC extent ([N, C] is
// [N, 1, 1, C]).
struct DeviceTensor {
  char* data = nullptr;
  int n = 1, h = 1, w = 1, c = 1;
};

struct RunContext {
  cudnnHandle_t cudnn;
  void* workspace;
  std::size_t workspace_bytes;
};

class Step {
 public:
  virtual ~Step() = default;
  virtual void run(const RunContext& context) const = 0;
};

class Descriptors {
 public:
  explicit Descriptors(GpuPrecision precision) : type_(data_type(precision)) {}

  TensorDescriptor packed(const DeviceTensor& t) const { return slice(t, t.c); }

  // t.c channels of an NHWC tensor with `total` channels (the caller points
  // at the first of them).
  TensorDescriptor slice(const DeviceTensor& t, int total) const {
    TensorDescriptor desc;
    check(cudnnSetTensor4dDescriptorEx(desc.get(), type_, t.n, t.c, t.h, t.w, t.h * t.w * total, 1,
                                       t.w * total, total),
          "cuDNN refused a tensor shape");
    return desc;
  }
  cudnnDataType_t type() const { return type_; }

 private:
  cudnnDataType_t type_;
};

class PoolStep final : public Step {
 public:
  PoolStep(const Descriptors& d, cudnnPoolingMode_t mode, int window_h, int window_w, int pad_h,
           int pad_w, int stride_h, int stride_w, const DeviceTensor& x, const DeviceTensor& y,
           const std::string& label)
      : x_desc_(d.packed(x)), y_desc_(d.packed(y)), x_(x.data), y_(y.data) {
    check(cudnnSetPooling2dDescriptor(pool_.get(), mode, CUDNN_PROPAGATE_NAN, window_h, window_w,
                                      pad_h, pad_w, stride_h, stride_w),
          label + ": cuDNN refused the pooling");
  }
  void run(const RunContext& c) const override {
    check(cudnnPoolingForward(c.cudnn, pool_.get(), &kOne, x_desc_.get(), x_, &kZero, y_desc_.get(),
                              y_),
          "pooling failed");
  }

 private:
  PoolingDescriptor pool_;
  TensorDescriptor x_desc_, y_desc_;
  const void* x_;
  void* y_;
};

// Each part copied into its channel slice of the output.
class ConcatStep final : public Step {
 public:
  ConcatStep(const Descriptors& d, const std::vector<DeviceTensor>& parts, const DeviceTensor& y,
             std::size_t element_size) {
    int offset = 0;
    for (const DeviceTensor& part : parts) {
      copies_.push_back({d.packed(part), d.slice(part, y.c), part.data,
                         y.data + std::size_t(offset) * element_size});
      offset += part.c;
    }
  }
  void run(const RunContext& c) const override {
    for (const Copy& copy : copies_) {
      check(cudnnTransformTensor(c.cudnn, &kOne, copy.from_desc.get(), copy.from, &kZero,
                                 copy.to_desc.get(), copy.to),
            "concatenation failed");
    }
  }

 private:
  struct Copy {
    TensorDescriptor from_desc, to_desc;
    const void* from;
    void* to;
  };
  std::vector<Copy> copies_;
};

struct ConvGeometry {
  int pad_h = 0, pad_w = 0;
};

class ConvStep final : public Step {
 public:
  ConvStep(const Descriptors& d, GpuPrecision precision, const OpDef& op, const DeviceTensor& x,
           const DeviceTensor& y, const void* filter, const void* bias, int kernel_h, int kernel_w,
           ConvGeometry geometry)
      : label_(op.label),
        x_desc_(d.packed(x)),
        y_desc_(d.packed(y)),
        bias_desc_(d.packed(DeviceTensor{nullptr, 1, 1, 1, y.c})),
        x_(x.data),
        y_(y.data),
        filter_(filter),
        bias_(bias),
        relu_(op.activation == Activation::kRelu),
        precision_(precision) {
    check(cudnnSetFilter4dDescriptor(filter_desc_.get(), d.type(), CUDNN_TENSOR_NHWC, y.c, x.c,
                                     kernel_h, kernel_w),
          label_ + ": cuDNN refused the filter");
    check(cudnnSetConvolution2dDescriptor(conv_.get(), geometry.pad_h, geometry.pad_w, op.stride_h,
                                          op.stride_w, 1, 1, CUDNN_CROSS_CORRELATION,
                                          CUDNN_DATA_FLOAT),
          label_ + ": cuDNN refused the convolution");
    check(cudnnSetConvolutionMathType(conv_.get(), math_type()), label_ + ": math type");
    check(cudnnSetActivationDescriptor(activation_.get(), CUDNN_ACTIVATION_RELU,
                                       CUDNN_PROPAGATE_NAN, 0.0),
          label_ + ": activation");
    int n = 0, c = 0, h = 0, w = 0;
    check(cudnnGetConvolution2dForwardOutputDim(conv_.get(), x_desc_.get(), filter_desc_.get(), &n,
                                                &c, &h, &w),
          label_ + ": output shape");
    if (n != y.n || c != y.c || h != y.h || w != y.w) {
      throw Error(ErrorKind::kModel,
                  label_ + ": cuDNN computes another output shape than the graph");
    }
  }

  // Times the algorithms on the real buffers and keeps the fastest allowed
  // one; returns the workspace it needs.
  std::size_t choose_algorithm(cudnnHandle_t cudnn, void* workspace, std::size_t workspace_bytes) {
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> results{};
    int returned = 0;
    check(cudnnFindConvolutionForwardAlgorithmEx(cudnn, x_desc_.get(), x_, filter_desc_.get(),
                                                 filter_, conv_.get(), y_desc_.get(), y_,
                                                 static_cast<int>(results.size()), &returned,
                                                 results.data(), workspace, workspace_bytes),
          label_ + ": cuDNN could not time its algorithms");
    for (int i = 0; i < returned; ++i) {
      const cudnnConvolutionFwdAlgoPerf_t& result = results[i];
      if (result.status != CUDNN_STATUS_SUCCESS || !allowed(result)) continue;
      algorithm_ = result.algo;
      workspace_bytes_ = result.memory;
      if (precision_ != GpuPrecision::kFp32) {
        check(cudnnSetConvolutionMathType(conv_.get(), result.mathType), label_ + ": math type");
      }
      return workspace_bytes_;
    }
    throw Error(ErrorKind::kDevice, label_ +
                                        ": cuDNN offers no algorithm for this convolution in " +
                                        std::string(precision_name(precision_)) + kRunOnCpu);
  }

  // One fused call, if cuDNN takes it for this algorithm and data type.
  void choose_fusion(const RunContext& c) {
    fused_ = false;
    if (!relu_) return;  // fused IDENTITY is limited to one algorithm; unfused is as fast
    const cudnnStatus_t status = fused(c);
    if (not_supported(status)) {
      refusal_ = status;
      return;
    }
    check(status, label_ + ": fused convolution failed");
    fused_ = true;
  }

  void run(const RunContext& c) const override {
    if (fused_) {
      check(fused(c), label_ + ": fused convolution failed");
      return;
    }
    check(cudnnConvolutionForward(c.cudnn, &kOne, x_desc_.get(), x_, filter_desc_.get(), filter_,
                                  conv_.get(), algorithm_, c.workspace, c.workspace_bytes, &kZero,
                                  y_desc_.get(), y_),
          label_ + ": convolution failed");
    check(cudnnAddTensor(c.cudnn, &kOne, bias_desc_.get(), bias_, &kOne, y_desc_.get(), y_),
          label_ + ": bias failed");
    if (relu_) {
      check(cudnnActivationForward(c.cudnn, activation_.get(), &kOne, y_desc_.get(), y_, &kZero,
                                   y_desc_.get(), y_),
            label_ + ": ReLU failed");
    }
  }

  bool is_fused() const { return fused_; }
  // Why cuDNN refused the fused call, when it did.
  std::optional<cudnnStatus_t> refusal() const { return refusal_; }

 private:
  cudnnMathType_t math_type() const {
    return precision_ == GpuPrecision::kFp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  }

  bool allowed(const cudnnConvolutionFwdAlgoPerf_t& result) const {
    if (precision_ != GpuPrecision::kFp32) return true;
    const bool tensor_cores = result.mathType == CUDNN_TENSOR_OP_MATH ||
                              result.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    const bool direct_or_gemm = result.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM ||
                                result.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ||
                                result.algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM ||
                                result.algo == CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
    return !tensor_cores && direct_or_gemm;
  }

  cudnnStatus_t fused(const RunContext& c) const {
    return cudnnConvolutionBiasActivationForward(
        c.cudnn, &kOne, x_desc_.get(), x_, filter_desc_.get(), filter_, conv_.get(), algorithm_,
        c.workspace, c.workspace_bytes, &kZero, y_desc_.get(), y_, bias_desc_.get(), bias_,
        activation_.get(), y_desc_.get(), y_);
  }

  std::string label_;
  TensorDescriptor x_desc_, y_desc_, bias_desc_;
  FilterDescriptor filter_desc_;
  ConvolutionDescriptor conv_;
  ActivationDescriptor activation_;
  const void* x_;
  void* y_;
  const void* filter_;
  const void* bias_;
  bool relu_;
  GpuPrecision precision_;
  cudnnConvolutionFwdAlgo_t algorithm_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  std::size_t workspace_bytes_ = 0;
  bool fused_ = false;
  std::optional<cudnnStatus_t> refusal_;
};

// TFLite's padding, which cuDNN can express only when it is symmetric
// (always so for InceptionV3: VALID, or SAME with odd, stride-1 kernels).
int symmetric_padding(const OpDef& op, int in, int out, int filter, int stride) {
  const AxisPadding padding = axis_padding(op.padding, in, out, filter, stride);
  if (padding.before != padding.after) {
    throw Error(ErrorKind::kModel,
                op.label + ": asymmetric SAME padding, which the CUDA backend does not support");
  }
  return padding.before;
}

class CudaNetwork final : public GpuNetwork {
 public:
  // The stream and cuDNN handle are made only once the device checks have
  // passed: creating them is what fails, obscurely, without a driver.
  CudaNetwork(const ModelDef& def, const GpuOptions& options)
      : name_(def.name), options_(options), descriptors_(options.precision) {
    check_operators(def);
    largest_batch_ = largest_batch(def);
    select_device(options.device);
    (void)cudaGetLastError();  // an earlier failure in this process is not this network's
    device_name_ = device_name(options.device);
    check_cudnn_version();
    stream_.emplace();
    cudnn_.emplace();
    check(cudnnSetStream(cudnn_->get(), stream_->get()), "cuDNN could not take the stream");
    try {
      plan_and_allocate(def);
      build_steps(def);
      choose_algorithms();
      run(batch_);  // surfaces execution errors at load, not in the first clip
    } catch (const OutOfDeviceMemory& error) {
      throw Error(ErrorKind::kDevice, out_of_memory_text(error.what()));
    }
  }

  int batch_size() const override { return batch_; }

  std::span<std::uint8_t> input() override {
    return {host_input_.as<std::uint8_t>(), input_elements_};
  }

  std::span<const float> run(int frames) override {
    if (frames < 1 || frames > batch_) {
      throw std::invalid_argument("GpuNetwork::run: frames outside 1..batch");
    }
    check(cudaSetDevice(options_.device), "cannot use cuda:" + std::to_string(options_.device));
    (void)cudaGetLastError();  // so that the check after the launches sees theirs alone
    cudaStream_t stream = stream_->get();
    const std::size_t frame_elements = input_elements_ / batch_;
    check(cudaMemcpyAsync(device_input_.get(), host_input_.as<std::uint8_t>(),
                          frame_elements * frames, cudaMemcpyHostToDevice, stream),
          "cannot copy frames to the GPU");
    normalize_levels(device_input_.as<std::uint8_t>(), levels_.as<float>(), input_channels_,
                     input_elements_, input_, options_.precision, stream);
    const RunContext context{cudnn_->get(), workspace_.get(), workspace_.bytes()};
    for (const std::unique_ptr<Step>& step : steps_) step->run(context);
    const std::size_t frame_outputs = output_elements_ / batch_;
    widen_to_float(output_, frame_outputs * frames, device_output_.as<float>(), options_.precision,
                   stream);
    check(cudaGetLastError(), "a kernel could not start on " + device_name_);
    check(cudaMemcpyAsync(host_output_.as<float>(), device_output_.get(),
                          frame_outputs * frames * sizeof(float), cudaMemcpyDeviceToHost, stream),
          "cannot copy features from the GPU");
    check(cudaStreamSynchronize(stream), "InceptionV3 failed on " + device_name_);
    return {host_output_.as<float>(), frame_outputs * frames};
  }

  std::string description() const override {
    const auto fused = std::count_if(convolutions_.begin(), convolutions_.end(),
                                     [](const ConvStep* conv) { return conv->is_fused(); });
    std::string text = device_name_ + " (cuda:" + std::to_string(options_.device) + "), " +
                       std::string(precision_name(options_.precision)) + ", batch " +
                       std::to_string(batch_) + ", " + std::to_string(fused) + "/" +
                       std::to_string(convolutions_.size()) + " convolutions fused";
    // The first refusal says whether cuDNN lacks the fusion or was asked wrongly.
    for (const ConvStep* conv : convolutions_) {
      if (const std::optional<cudnnStatus_t> refusal = conv->refusal()) {
        return text + " (refused: " + cudnnGetErrorString(*refusal) + ")";
      }
    }
    return text;
  }

 private:
  static std::string device_name(int device) {
    cudaDeviceProp properties{};
    check(cudaGetDeviceProperties(&properties, device),
          "cannot query cuda:" + std::to_string(device));
    return properties.name;
  }

  static void check_cudnn_version() {
    const std::size_t found = cudnnGetVersion();
    if (found / 10000 != CUDNN_MAJOR) {
      throw Error(ErrorKind::kDevice,
                  "cuDNN " + std::to_string(found / 10000) + "." +
                      std::to_string(found % 10000 / 100) +
                      " found at run time, signprep's CUDA backend needs cuDNN " +
                      std::to_string(CUDNN_MAJOR) + ": install cuDNN " +
                      std::to_string(CUDNN_MAJOR) + " for CUDA 13" + kRunOnCpu);
    }
  }

  static void check_operators(const ModelDef& def) {
    if (def.inputs.size() != 1 || def.outputs.size() != 1) {
      throw Error(ErrorKind::kModel,
                  def.name + ": the CUDA backend runs one-input, one-output graphs");
    }
    for (const OpDef& op : def.ops) {
      const auto rank = [&](int t) { return static_cast<int>(def.tensors[t].shape.size()); };
      const bool supported =
          (op.type == OpType::kConv2d && op.dilation_h == 1 && op.dilation_w == 1 &&
           (op.activation == Activation::kNone || op.activation == Activation::kRelu)) ||
          op.type == OpType::kMaxPool2d || op.type == OpType::kAveragePool2d ||
          (op.type == OpType::kConcatenation && op.axis == rank(op.outputs[0]) - 1) ||
          (op.type == OpType::kMean && rank(op.inputs[0]) == 4 &&
           def.tensors[op.inputs[1]].ints == std::vector<std::int64_t>{1, 2});
      if (!supported) {
        throw Error(ErrorKind::kModel, def.name + ": " + op.label +
                                           ": not supported by the CUDA backend (it runs "
                                           "InceptionV3's operators)");
      }
    }
  }

  // cuDNN's tensor descriptors count elements in 32-bit integers, so no
  // activation may hold 2^31 values or more: the largest batch the graph's
  // shapes allow. A graph beyond it is refused before any device is touched.
  static int largest_batch(const ModelDef& def) {
    const std::int64_t batch = def.tensors.at(def.inputs.at(0)).shape.at(0);
    std::int64_t per_frame = 1;
    std::string widest;
    for (const TensorDef& tensor : def.tensors) {
      if (tensor.is_constant || tensor.shape.empty()) continue;
      if (tensor.element_count() / batch > per_frame) {
        per_frame = tensor.element_count() / batch;
        widest = tensor.name;
      }
    }
    const std::int64_t largest = std::numeric_limits<std::int32_t>::max() / per_frame;
    if (batch > largest) {
      throw Error(ErrorKind::kUsage, def.name + " at batch " + std::to_string(batch) + ": " +
                                         widest + " (" + std::to_string(per_frame) +
                                         " values a frame) would exceed the 2^31 " +
                                         "values a cuDNN tensor holds: use --batch-size " +
                                         std::to_string(largest) + " or less");
    }
    return static_cast<int>(largest);
  }

  static DeviceTensor extent(const ModelDef& def, int t) {
    const std::vector<int>& shape = def.tensors[t].shape;
    if (shape.size() == 4) return {nullptr, shape[0], shape[1], shape[2], shape[3]};
    if (shape.size() == 2) return {nullptr, shape[0], 1, 1, shape[1]};
    throw Error(ErrorKind::kModel, def.name + ": tensor " + def.tensors[t].name +
                                       " is neither [N, H, W, C] nor [N, C]");
  }

  std::size_t bytes_of(const ModelDef& def, int t) const {
    return std::size_t(def.tensors[t].element_count()) * element_bytes(options_.precision);
  }

  // The activations' lifetimes, planned into one arena as on the CPU; the
  // input lives from before the first operator, the output past the last.
  void plan_and_allocate(const ModelDef& def) {
    const int op_count = static_cast<int>(def.ops.size());
    std::vector<int> slot(def.tensors.size(), -1);
    std::vector<TensorLifetime> lifetimes;
    const auto add = [&](int t, int first) {
      slot[t] = static_cast<int>(lifetimes.size());
      lifetimes.push_back({(bytes_of(def, t) + kArenaUnit - 1) / kArenaUnit, first, first});
    };
    add(def.inputs[0], 0);
    for (int i = 0; i < op_count; ++i) {
      for (int t : def.ops[i].inputs) {
        if (t >= 0 && slot[t] >= 0) lifetimes[slot[t]].last_op = i;
      }
      for (int t : def.ops[i].outputs) add(t, i);
    }
    lifetimes[slot[def.outputs[0]]].last_op = op_count;
    const MemoryPlan plan = plan_memory(lifetimes);

    const DeviceTensor input = extent(def, def.inputs[0]);
    batch_ = input.n;
    input_channels_ = input.c;
    input_elements_ = std::size_t(def.tensors[def.inputs[0]].element_count());
    output_elements_ = std::size_t(def.tensors[def.outputs[0]].element_count());
    if (options_.input_levels.size() != std::size_t(input_channels_)) {
      throw std::invalid_argument("GpuOptions::input_levels: one table per input channel");
    }
    arena_bytes_ = plan.arena_size * kArenaUnit;
    weight_bytes_ = 0;
    for (const TensorDef& tensor : def.tensors) {
      if (tensor.is_constant)
        weight_bytes_ += tensor.values.size() * element_bytes(options_.precision);
    }
    check_memory_fits();

    arena_ = DeviceBuffer(arena_bytes_, "the activations");
    // Zeros, not leftovers: the fused call is given its output as the z it
    // scales by 0, and NaN x 0 is NaN should cuDNN read it.
    check(cudaMemsetAsync(arena_.get(), 0, arena_bytes_, stream_->get()),
          "cannot clear the activations");
    tensors_.resize(def.tensors.size());
    for (std::size_t t = 0; t < def.tensors.size(); ++t) {
      if (slot[t] < 0) continue;
      tensors_[t] = extent(def, static_cast<int>(t));
      tensors_[t].data = arena_.as<char>() + plan.offsets[slot[t]] * kArenaUnit;
    }
    input_ = tensors_[def.inputs[0]].data;
    output_ = tensors_[def.outputs[0]].data;
    upload_constants(def);
    device_input_ = DeviceBuffer(input_elements_, "the frames");
    host_input_ = PinnedBuffer(input_elements_, "the frames");
    device_output_ = DeviceBuffer(output_elements_ * sizeof(float), "the outputs");
    host_output_ = PinnedBuffer(output_elements_ * sizeof(float), "the outputs");
    std::vector<float> levels;
    for (const auto& table : options_.input_levels)
      levels.insert(levels.end(), table.begin(), table.end());
    levels_ = DeviceBuffer(levels.size() * sizeof(float), "the input tables");
    check(cudaMemcpyAsync(levels_.get(), levels.data(), levels.size() * sizeof(float),
                          cudaMemcpyHostToDevice, stream_->get()),
          "cannot copy the input tables to the GPU");
    check(cudaStreamSynchronize(stream_->get()), "cannot copy the input tables to the GPU");
  }

  // Before allocating: a batch too large for the free memory is refused with
  // the batch size that fits.
  void check_memory_fits() const {
    std::size_t free_bytes = 0, total_bytes = 0;
    check(cudaMemGetInfo(&free_bytes, &total_bytes), "cannot read the GPU's free memory");
    const std::size_t needed = arena_bytes_ + weight_bytes_ + kDeviceSlack;
    if (needed > free_bytes) {
      throw Error(ErrorKind::kDevice, out_of_memory_text("needs about " + gib(needed) + ", " +
                                                         gib(free_bytes) + " free"));
    }
  }

  std::string out_of_memory_text(const std::string& detail) const {
    std::size_t free_bytes = 0, total_bytes = 0;
    cudaMemGetInfo(&free_bytes, &total_bytes);
    const std::size_t per_frame = std::max<std::size_t>(arena_bytes_ / std::max(batch_, 1), 1);
    const std::size_t reserved = weight_bytes_ + kDeviceSlack;
    const std::size_t room = free_bytes > reserved ? free_bytes - reserved : 0;
    const std::size_t fits = room / per_frame;
    std::string text = "out of GPU memory on " + device_name_ +
                       " (cuda:" + std::to_string(options_.device) + ") for " + name_ +
                       " at batch " + std::to_string(batch_) + " in " +
                       std::string(precision_name(options_.precision)) + " (" + detail + "): ";
    text += fits >= 1
                ? "use --batch-size " +
                      std::to_string(std::min(fits, static_cast<std::size_t>(largest_batch_))) +
                      " or less"
                : "free the GPU's memory (nvidia-smi lists who holds it)";
    return text + kRunOnCpu;
  }

  // Weights and biases in the network's precision: uploaded as float32 and
  // narrowed on the device.
  void upload_constants(const ModelDef& def) {
    constants_.resize(def.tensors.size());
    for (std::size_t t = 0; t < def.tensors.size(); ++t) {
      const TensorDef& tensor = def.tensors[t];
      if (!tensor.is_constant || tensor.values.empty()) continue;
      const std::size_t count = tensor.values.size();
      const DeviceBuffer staging(count * sizeof(float), "the weights");
      // On the network's stream, which does not wait for the legacy default one.
      check(cudaMemcpyAsync(staging.get(), tensor.values.data(), count * sizeof(float),
                            cudaMemcpyHostToDevice, stream_->get()),
            "cannot copy the weights to the GPU");
      constants_[t] = DeviceBuffer(count * element_bytes(options_.precision), "the weights");
      narrow_from_float(staging.as<float>(), count, constants_[t].get(), options_.precision,
                        stream_->get());
      check(cudaGetLastError(), "a kernel could not start on " + device_name_);
      check(cudaStreamSynchronize(stream_->get()), "cannot convert the weights on the GPU");
    }
  }

  void build_steps(const ModelDef& def) {
    for (const OpDef& op : def.ops) {
      const DeviceTensor& y = tensors_[op.outputs[0]];
      switch (op.type) {
        case OpType::kConv2d:
          steps_.push_back(conv_step(def, op, y));
          break;
        case OpType::kMaxPool2d:
        case OpType::kAveragePool2d:
          steps_.push_back(pool_step(op, y));
          break;
        case OpType::kConcatenation: {
          std::vector<DeviceTensor> parts;
          for (int t : op.inputs) parts.push_back(tensors_[t]);
          steps_.push_back(std::make_unique<ConcatStep>(descriptors_, parts, y,
                                                        element_bytes(options_.precision)));
          break;
        }
        case OpType::kMean: {
          const DeviceTensor& x = tensors_[op.inputs[0]];
          steps_.push_back(std::make_unique<PoolStep>(descriptors_,
                                                      CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                                      x.h, x.w, 0, 0, x.h, x.w, x, y, op.label));
          break;
        }
        default:
          break;  // check_operators() refused the rest
      }
    }
  }

  std::unique_ptr<Step> conv_step(const ModelDef& def, const OpDef& op, const DeviceTensor& y) {
    const DeviceTensor& x = tensors_[op.inputs[0]];
    const std::vector<int>& filter = def.tensors[op.inputs[1]].shape;  // OHWI
    const ConvGeometry geometry{symmetric_padding(op, x.h, y.h, filter[1], op.stride_h),
                                symmetric_padding(op, x.w, y.w, filter[2], op.stride_w)};
    auto step = std::make_unique<ConvStep>(
        descriptors_, options_.precision, op, x, y, constants_[op.inputs[1]].get(),
        constants_[op.inputs[2]].get(), filter[1], filter[2], geometry);
    convolutions_.push_back(step.get());
    return step;
  }

  std::unique_ptr<Step> pool_step(const OpDef& op, const DeviceTensor& y) {
    const DeviceTensor& x = tensors_[op.inputs[0]];
    const int pad_h = symmetric_padding(op, x.h, y.h, op.filter_h, op.stride_h);
    const int pad_w = symmetric_padding(op, x.w, y.w, op.filter_w, op.stride_w);
    const cudnnPoolingMode_t mode = op.type == OpType::kMaxPool2d ? CUDNN_POOLING_MAX
                                    : op.count_include_pad
                                        ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                                        : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    return std::make_unique<PoolStep>(descriptors_, mode, op.filter_h, op.filter_w, pad_h, pad_w,
                                      op.stride_h, op.stride_w, x, y, op.label);
  }

  // Times every convolution with a generous workspace, then keeps only the
  // workspace the chosen algorithms need.
  void choose_algorithms() {
    std::size_t free_bytes = 0, total_bytes = 0;
    check(cudaMemGetInfo(&free_bytes, &total_bytes), "cannot read the GPU's free memory");
    const std::size_t trial_bytes =
        std::min(kWorkspaceLimit, free_bytes > kDeviceSlack ? (free_bytes - kDeviceSlack) / 2 : 0);
    std::size_t needed = 0;
    {
      const DeviceBuffer trial(std::max<std::size_t>(trial_bytes, 1), "the convolution workspace");
      for (ConvStep* conv : convolutions_) {
        needed = std::max(needed, conv->choose_algorithm(cudnn_->get(), trial.get(), trial_bytes));
      }
    }
    workspace_ = DeviceBuffer(std::max<std::size_t>(needed, 1), "the convolution workspace");
    const RunContext context{cudnn_->get(), workspace_.get(), needed};
    for (ConvStep* conv : convolutions_) conv->choose_fusion(context);
    check(cudaStreamSynchronize(stream_->get()), "the convolutions failed on " + device_name_);
  }

  std::string name_;
  GpuOptions options_;
  Descriptors descriptors_;
  int largest_batch_ = 0;
  std::string device_name_;
  std::optional<Stream> stream_;
  std::optional<CudnnHandle> cudnn_;
  int batch_ = 0;
  int input_channels_ = 0;
  std::size_t input_elements_ = 0, output_elements_ = 0;
  std::size_t arena_bytes_ = 0, weight_bytes_ = 0;
  DeviceBuffer arena_, workspace_, device_input_, device_output_, levels_;
  char* input_ = nullptr;  // the model's input and output tensors, in the arena
  char* output_ = nullptr;
  PinnedBuffer host_input_, host_output_;
  std::vector<DeviceBuffer> constants_;
  std::vector<DeviceTensor> tensors_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<ConvStep*> convolutions_;
};

}  // namespace
}  // namespace signprep::nn::cuda

extern "C" int signprep_cuda_plugin_abi() {
  return signprep::nn::kGpuPluginAbi;
}

extern "C" void signprep_cuda_build(const signprep::nn::ModelDef& def,
                                    const signprep::nn::GpuOptions& options,
                                    std::unique_ptr<signprep::nn::GpuNetwork>& network) {
  network = std::make_unique<signprep::nn::cuda::CudaNetwork>(def, options);
}
