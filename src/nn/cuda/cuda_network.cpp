// nn::GpuNetwork on cuDNN's (legacy, descriptor-based) API: NHWC tensors in
// one planned arena, one step per operator, every step on one stream.
//
// Each convolution runs the fastest of its routes, timed on the real buffers
// at load as cudnn.benchmark does: the legacy calls (the algorithm
// cudnnFind times, as cudnnConvolutionBiasActivationForward where cuDNN
// accepts the fused call, else convolution, bias addition and ReLU), or an
// execution plan of cuDNN's graph API (graph_convolution.h), of the
// convolution with its bias and ReLU or of the convolution alone followed by
// one bias-and-ReLU kernel. Concatenations likewise take the faster of
// cudnnTransformTensor and a copy kernel. fp32 keeps to FMA arithmetic (no
// TF32) and to the direct and GEMM algorithms (no FFT or Winograd, whose
// transforms round differently), so that its features equal the CPU path's.
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
#include "nn/cuda/device_tensor.h"
#include "nn/cuda/graph_convolution.h"
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

std::size_t element_bytes(GpuPrecision precision) {
  return precision == GpuPrecision::kFp32 ? 4 : 2;
}

bool not_supported(cudnnStatus_t status) {
  return status >= CUDNN_STATUS_BAD_PARAM && status < CUDNN_STATUS_INTERNAL_ERROR;
}

struct RunContext {
  cudnnHandle_t cudnn;
  cudaStream_t stream;
  void* workspace;
  std::size_t workspace_bytes;
};

// Milliseconds a call takes on the stream: one warm-up, then the mean of three.
template <typename Call>
float time_on(cudaStream_t stream, Call&& call) {
  call();
  const Event start, end;
  check(cudaEventRecord(start.get(), stream), "cannot time on the GPU");
  for (int i = 0; i < 3; ++i) call();
  check(cudaEventRecord(end.get(), stream), "cannot time on the GPU");
  check(cudaEventSynchronize(end.get()), "an operator failed while timed");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start.get(), end.get()), "cannot time on the GPU");
  return ms / 3;
}

class Step {
 public:
  virtual ~Step() = default;
  virtual void run(const RunContext& context) const = 0;
  // What it counts as in GpuNetwork::time_parts().
  virtual const char* part() const = 0;
  // Times its alternatives on the real buffers and keeps the fastest; `trial`
  // holds a generous workspace. Returns the workspace the choice needs.
  virtual std::size_t choose(const RunContext& /*trial*/) { return 0; }
  // The workspace it will run with from now on.
  virtual void bind(void* /*workspace*/) {}
};

class Descriptors {
 public:
  explicit Descriptors(GpuPrecision precision) : type_(cudnn_data_type(precision)) {}

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

// A step that runs through cuDNN or through a kernel of ours
// (device_kernels.h), whichever is faster here.
class CudnnOrKernelStep : public Step {
 public:
  std::size_t choose(const RunContext& trial) final {
    by_kernel_ = false;
    const float by_cudnn = time_on(trial.stream, [&] { run(trial); });
    by_kernel_ = true;
    const float by_kernel = time_on(trial.stream, [&] { run(trial); });
    check(cudaGetLastError(), std::string("the ") + part() + " kernel could not start");
    by_kernel_ = by_kernel < by_cudnn;
    return 0;
  }
  bool by_kernel() const { return by_kernel_; }

 protected:
  bool by_kernel_ = false;
};

class PoolStep final : public CudnnOrKernelStep {
 public:
  PoolStep(const Descriptors& d, GpuPrecision precision, const PoolingShape& shape,
           const DeviceTensor& x, const DeviceTensor& y, const std::string& label)
      : x_desc_(d.packed(x)),
        y_desc_(d.packed(y)),
        x_(x.data),
        y_(y.data),
        shape_(shape),
        precision_(precision) {
    const cudnnPoolingMode_t mode = shape.kind == PoolKind::kMax ? CUDNN_POOLING_MAX
                                    : shape.kind == PoolKind::kAverageIncludingPadding
                                        ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                                        : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    check(cudnnSetPooling2dDescriptor(pool_.get(), mode, CUDNN_PROPAGATE_NAN, shape.window_h,
                                      shape.window_w, shape.pad_h, shape.pad_w, shape.stride_h,
                                      shape.stride_w),
          label + ": cuDNN refused the pooling");
  }
  void run(const RunContext& c) const override {
    if (by_kernel_) {
      pool(x_, y_, shape_, precision_, c.stream);
      return;
    }
    check(cudnnPoolingForward(c.cudnn, pool_.get(), &kOne, x_desc_.get(), x_, &kZero, y_desc_.get(),
                              y_),
          "pooling failed");
  }
  const char* part() const override { return "pooling"; }

 private:
  PoolingDescriptor pool_;
  TensorDescriptor x_desc_, y_desc_;
  const void* x_;
  void* y_;
  PoolingShape shape_;
  GpuPrecision precision_;
};

// Each part copied into its channel slice of the output.
class ConcatStep final : public CudnnOrKernelStep {
 public:
  ConcatStep(const Descriptors& d, const std::vector<DeviceTensor>& parts, const DeviceTensor& y,
             std::size_t element_size)
      : y_(y.data), pixels_(std::size_t(y.n) * y.h * y.w), y_pixel_bytes_(y.c * element_size) {
    std::size_t offset = 0;
    for (const DeviceTensor& part : parts) {
      copies_.push_back({d.packed(part), d.slice(part, y.c), part.data, offset * element_size,
                         part.c * element_size});
      offset += part.c;
    }
  }
  void run(const RunContext& c) const override {
    for (const Copy& copy : copies_) {
      if (by_kernel_) {
        copy_channels(copy.from, pixels_, copy.pixel_bytes, y_, y_pixel_bytes_, copy.offset_bytes,
                      c.stream);
        continue;
      }
      check(cudnnTransformTensor(c.cudnn, &kOne, copy.from_desc.get(), copy.from, &kZero,
                                 copy.to_desc.get(), y_ + copy.offset_bytes),
            "concatenation failed");
    }
  }
  const char* part() const override { return "concatenation"; }

 private:
  struct Copy {
    TensorDescriptor from_desc, to_desc;
    const void* from;
    std::size_t offset_bytes, pixel_bytes;
  };
  std::vector<Copy> copies_;
  char* y_;
  std::size_t pixels_, y_pixel_bytes_;
};

// How a convolution runs, chosen at load.
enum class Route { kLegacy, kLegacyFused, kGraphFused, kGraphThenBias };

class ConvStep final : public Step {
 public:
  ConvStep(const Descriptors& d, GpuPrecision precision, const OpDef& op,
           const ConvolutionShape& shape)
      : label_(op.label),
        shape_(shape),
        x_desc_(d.packed(shape.x)),
        y_desc_(d.packed(shape.y)),
        bias_desc_(d.packed(DeviceTensor{nullptr, 1, 1, 1, shape.y.c})),
        precision_(precision) {
    check(cudnnSetFilter4dDescriptor(filter_desc_.get(), d.type(), CUDNN_TENSOR_NHWC, shape.y.c,
                                     shape.x.c, shape.kernel_h, shape.kernel_w),
          label_ + ": cuDNN refused the filter");
    check(cudnnSetConvolution2dDescriptor(conv_.get(), shape.pad_h, shape.pad_w, shape.stride_h,
                                          shape.stride_w, 1, 1, CUDNN_CROSS_CORRELATION,
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
    if (n != shape.y.n || c != shape.y.c || h != shape.y.h || w != shape.y.w) {
      throw Error(ErrorKind::kModel,
                  label_ + ": cuDNN computes another output shape than the graph");
    }
  }

  // The legacy route first (it always exists), then every graph-API plan
  // that beats it.
  std::size_t choose(const RunContext& trial) override {
    std::size_t needed = choose_algorithm(trial);
    choose_fusion(trial);
    float best = time_on(trial.stream, [&] { run_legacy(trial); });
    for (const GraphPart part : {GraphPart::kConvolutionBiasRelu, GraphPart::kConvolution}) {
      GraphPlans offered =
          graph_plans(trial.cudnn, shape_, precision_, part, trial.workspace_bytes);
      if (offered.plans.empty() && graph_refusal_.empty()) graph_refusal_ = offered.refusal;
      for (GraphPlan& plan : offered.plans) {
        if (!plan.bind(trial.workspace).empty() || plan.run(trial.cudnn) != CUDNN_STATUS_SUCCESS) {
          continue;
        }
        const Route route =
            part == GraphPart::kConvolution ? Route::kGraphThenBias : Route::kGraphFused;
        const float ms = time_on(trial.stream, [&] { run_graph(plan, route, trial); });
        if (ms < best) {
          best = ms;
          needed = plan.workspace_bytes();
          route_ = route;
          graph_.emplace(std::move(plan));
        }
      }
    }
    return needed;
  }

  void bind(void* workspace) override {
    if (!graph_) return;
    if (const std::string refusal = graph_->bind(workspace); !refusal.empty()) {
      throw Error(ErrorKind::kDevice,
                  label_ + ": cuDNN refused the convolution's buffers: " + refusal);
    }
  }

  void run(const RunContext& c) const override {
    if (graph_) {
      run_graph(*graph_, route_, c);
    } else {
      run_legacy(c);
    }
  }
  const char* part() const override { return "convolution"; }

  Route route() const { return route_; }
  // Why cuDNN refused the legacy fused call, or a graph of this convolution,
  // when it did.
  std::optional<cudnnStatus_t> fusion_refusal() const { return fusion_refusal_; }
  const std::string& graph_refusal() const { return graph_refusal_; }

 private:
  cudnnMathType_t math_type() const {
    return precision_ == GpuPrecision::kFp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  }

  // cudnnFind's fastest allowed algorithm; returns the workspace it needs.
  std::size_t choose_algorithm(const RunContext& trial) {
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> results{};
    int returned = 0;
    check(cudnnFindConvolutionForwardAlgorithmEx(
              trial.cudnn, x_desc_.get(), shape_.x.data, filter_desc_.get(), shape_.filter,
              conv_.get(), y_desc_.get(), shape_.y.data, static_cast<int>(results.size()),
              &returned, results.data(), trial.workspace, trial.workspace_bytes),
          label_ + ": cuDNN could not time its algorithms");
    for (int i = 0; i < returned; ++i) {
      const cudnnConvolutionFwdAlgoPerf_t& result = results[i];
      if (result.status != CUDNN_STATUS_SUCCESS || !allowed(result)) continue;
      algorithm_ = result.algo;
      if (precision_ != GpuPrecision::kFp32) {
        check(cudnnSetConvolutionMathType(conv_.get(), result.mathType), label_ + ": math type");
      }
      return result.memory;
    }
    throw Error(ErrorKind::kDevice, label_ +
                                        ": cuDNN offers no algorithm for this convolution in " +
                                        std::string(precision_name(precision_)) + kRunOnCpu);
  }

  // One fused call, if cuDNN takes it for this algorithm and data type.
  void choose_fusion(const RunContext& c) {
    route_ = Route::kLegacy;
    if (!shape_.relu) return;  // fused IDENTITY is limited to one algorithm; unfused is as fast
    const cudnnStatus_t status = fused(c);
    if (not_supported(status)) {
      fusion_refusal_ = status;
      return;
    }
    check(status, label_ + ": fused convolution failed");
    route_ = Route::kLegacyFused;
  }

  void run_legacy(const RunContext& c) const {
    if (route_ == Route::kLegacyFused) {
      check(fused(c), label_ + ": fused convolution failed");
      return;
    }
    check(cudnnConvolutionForward(c.cudnn, &kOne, x_desc_.get(), shape_.x.data, filter_desc_.get(),
                                  shape_.filter, conv_.get(), algorithm_, c.workspace,
                                  c.workspace_bytes, &kZero, y_desc_.get(), shape_.y.data),
          label_ + ": convolution failed");
    check(cudnnAddTensor(c.cudnn, &kOne, bias_desc_.get(), shape_.bias, &kOne, y_desc_.get(),
                         shape_.y.data),
          label_ + ": bias failed");
    if (shape_.relu) {
      check(cudnnActivationForward(c.cudnn, activation_.get(), &kOne, y_desc_.get(), shape_.y.data,
                                   &kZero, y_desc_.get(), shape_.y.data),
            label_ + ": ReLU failed");
    }
  }

  void run_graph(const GraphPlan& plan, Route route, const RunContext& c) const {
    check(plan.run(c.cudnn), label_ + ": convolution failed");
    if (route == Route::kGraphThenBias) {
      const DeviceTensor& y = shape_.y;
      add_bias(y.data, shape_.bias, y.c, std::size_t(y.n) * y.h * y.w * y.c, shape_.relu,
               precision_, c.stream);
    }
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
        c.cudnn, &kOne, x_desc_.get(), shape_.x.data, filter_desc_.get(), shape_.filter,
        conv_.get(), algorithm_, c.workspace, c.workspace_bytes, &kZero, y_desc_.get(),
        shape_.y.data, bias_desc_.get(), shape_.bias, activation_.get(), y_desc_.get(),
        shape_.y.data);
  }

  std::string label_;
  ConvolutionShape shape_;
  TensorDescriptor x_desc_, y_desc_, bias_desc_;
  FilterDescriptor filter_desc_;
  ConvolutionDescriptor conv_;
  ActivationDescriptor activation_;
  GpuPrecision precision_;
  cudnnConvolutionFwdAlgo_t algorithm_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  Route route_ = Route::kLegacy;
  std::optional<GraphPlan> graph_;
  std::optional<cudnnStatus_t> fusion_refusal_;
  std::string graph_refusal_;
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
    return run_batch(frames, nullptr);
  }

  std::vector<TimedPart> time_parts() override {
    Marks marks;
    run_batch(batch_, &marks);
    std::vector<TimedPart> parts;
    for (std::size_t i = 1; i < marks.size(); ++i) {
      float ms = 0;
      check(cudaEventElapsedTime(&ms, marks[i - 1].second.get(), marks[i].second.get()),
            "cannot time on the GPU");
      const auto same = [&](const TimedPart& part) { return part.name == marks[i].first; };
      auto part = std::find_if(parts.begin(), parts.end(), same);
      if (part == parts.end()) part = parts.insert(parts.end(), {marks[i].first, 0.0});
      part->milliseconds += ms;
    }
    return parts;
  }

  // "NVIDIA H100 80GB HBM3 (cuda:0), fp16, batch 64; convolutions: 80
  // graph-fused, 10 graph + bias kernel, 4 legacy-fused, 0 legacy; 11/11
  // concatenations, 13/15 poolings by kernel": how each operator runs, for
  // logs and reports.
  std::string description() const override {
    std::array<int, 4> routes{};
    for (const ConvStep* conv : convolutions_) ++routes[static_cast<int>(conv->route())];
    const auto by_kernel = [](const auto& steps, const char* what) {
      const auto count = std::count_if(steps.begin(), steps.end(),
                                       [](const auto* step) { return step->by_kernel(); });
      return std::to_string(count) + "/" + std::to_string(steps.size()) + " " + what;
    };
    std::string text = device_name_ + " (cuda:" + std::to_string(options_.device) + "), " +
                       std::string(precision_name(options_.precision)) + ", batch " +
                       std::to_string(batch_) +
                       "; convolutions: " + std::to_string(routes[int(Route::kGraphFused)]) +
                       " graph-fused, " + std::to_string(routes[int(Route::kGraphThenBias)]) +
                       " graph + bias kernel, " + std::to_string(routes[int(Route::kLegacyFused)]) +
                       " legacy-fused, " + std::to_string(routes[int(Route::kLegacy)]) +
                       " legacy; " + by_kernel(concatenations_, "concatenations") + ", " +
                       by_kernel(pools_, "poolings") + " by kernel";
    // The first refusals say whether cuDNN lacks a route or was asked wrongly.
    for (const ConvStep* conv : convolutions_) {
      if (!conv->graph_refusal().empty()) {
        text += " (graph API refused: " + conv->graph_refusal() + ")";
        break;
      }
    }
    for (const ConvStep* conv : convolutions_) {
      if (const std::optional<cudnnStatus_t> refusal = conv->fusion_refusal()) {
        text += " (legacy fusion refused: " + std::string(cudnnGetErrorString(*refusal)) + ")";
        break;
      }
    }
    return text;
  }

 private:
  // Events recorded after each part of a run, with the part they end (the
  // steps' literal names: an untimed run builds no string).
  using Marks = std::vector<std::pair<const char*, Event>>;

  std::span<const float> run_batch(int frames, Marks* marks) {
    check(cudaSetDevice(options_.device), "cannot use cuda:" + std::to_string(options_.device));
    (void)cudaGetLastError();  // so that the check after the launches sees theirs alone
    cudaStream_t stream = stream_->get();
    const auto mark = [&](const char* part) {
      if (!marks) return;
      marks->emplace_back(part, Event());
      check(cudaEventRecord(marks->back().second.get(), stream), "cannot time on the GPU");
    };
    mark("start");
    const std::size_t frame_elements = input_elements_ / batch_;
    check(cudaMemcpyAsync(device_input_.get(), host_input_.as<std::uint8_t>(),
                          frame_elements * frames, cudaMemcpyHostToDevice, stream),
          "cannot copy frames to the GPU");
    normalize_levels(device_input_.as<std::uint8_t>(), levels_.as<float>(), input_channels_,
                     input_elements_, input_, options_.precision, stream);
    mark("frames in");
    const RunContext context{cudnn_->get(), stream, workspace_.get(), workspace_.bytes()};
    for (const std::unique_ptr<Step>& step : steps_) {
      step->run(context);
      mark(step->part());
    }
    const std::size_t frame_outputs = output_elements_ / batch_;
    widen_to_float(output_, frame_outputs * frames, device_output_.as<float>(), options_.precision,
                   stream);
    check(cudaGetLastError(), "a kernel could not start on " + device_name_);
    check(cudaMemcpyAsync(host_output_.as<float>(), device_output_.get(),
                          frame_outputs * frames * sizeof(float), cudaMemcpyDeviceToHost, stream),
          "cannot copy features from the GPU");
    mark("features out");
    check(cudaStreamSynchronize(stream), "InceptionV3 failed on " + device_name_);
    return {host_output_.as<float>(), frame_outputs * frames};
  }

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
          auto step = std::make_unique<ConcatStep>(descriptors_, parts, y,
                                                   element_bytes(options_.precision));
          concatenations_.push_back(step.get());
          steps_.push_back(std::move(step));
          break;
        }
        case OpType::kMean: {
          const DeviceTensor& x = tensors_[op.inputs[0]];
          const PoolingShape shape{x.n,
                                   x.h,
                                   x.w,
                                   x.c,
                                   1,
                                   1,
                                   x.h,
                                   x.w,
                                   x.h,
                                   x.w,
                                   0,
                                   0,
                                   PoolKind::kAverageIncludingPadding};
          steps_.push_back(add_pool(shape, x, y, op.label));
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
    const ConvolutionShape shape{.x = x,
                                 .y = y,
                                 .filter = constants_[op.inputs[1]].get(),
                                 .bias = constants_[op.inputs[2]].get(),
                                 .kernel_h = filter[1],
                                 .kernel_w = filter[2],
                                 .pad_h = symmetric_padding(op, x.h, y.h, filter[1], op.stride_h),
                                 .pad_w = symmetric_padding(op, x.w, y.w, filter[2], op.stride_w),
                                 .stride_h = op.stride_h,
                                 .stride_w = op.stride_w,
                                 .relu = op.activation == Activation::kRelu};
    auto step = std::make_unique<ConvStep>(descriptors_, options_.precision, op, shape);
    convolutions_.push_back(step.get());
    return step;
  }

  std::unique_ptr<Step> pool_step(const OpDef& op, const DeviceTensor& y) {
    const DeviceTensor& x = tensors_[op.inputs[0]];
    const int pad_h = symmetric_padding(op, x.h, y.h, op.filter_h, op.stride_h);
    const int pad_w = symmetric_padding(op, x.w, y.w, op.filter_w, op.stride_w);
    const PoolKind kind = op.type == OpType::kMaxPool2d ? PoolKind::kMax
                          : op.count_include_pad        ? PoolKind::kAverageIncludingPadding
                                                        : PoolKind::kAverageExcludingPadding;
    const PoolingShape shape{x.n,         x.h,         x.w,         x.c,   y.h,   y.w, op.filter_h,
                             op.filter_w, op.stride_h, op.stride_w, pad_h, pad_w, kind};
    return add_pool(shape, x, y, op.label);
  }

  std::unique_ptr<Step> add_pool(const PoolingShape& shape, const DeviceTensor& x,
                                 const DeviceTensor& y, const std::string& label) {
    auto step = std::make_unique<PoolStep>(descriptors_, options_.precision, shape, x, y, label);
    pools_.push_back(step.get());
    return step;
  }

  // Every step chooses how it runs with a generous workspace; then only the
  // workspace the choices need is kept.
  void choose_algorithms() {
    std::size_t free_bytes = 0, total_bytes = 0;
    check(cudaMemGetInfo(&free_bytes, &total_bytes), "cannot read the GPU's free memory");
    const std::size_t trial_bytes =
        std::min(kWorkspaceLimit, free_bytes > kDeviceSlack ? (free_bytes - kDeviceSlack) / 2 : 0);
    std::size_t needed = 0;
    {
      const DeviceBuffer trial(std::max<std::size_t>(trial_bytes, 1), "the convolution workspace");
      const RunContext context{cudnn_->get(), stream_->get(), trial.get(), trial_bytes};
      for (const std::unique_ptr<Step>& step : steps_) {
        needed = std::max(needed, step->choose(context));
      }
      check(cudaStreamSynchronize(stream_->get()), "the operators failed on " + device_name_);
    }
    workspace_ = DeviceBuffer(std::max<std::size_t>(needed, 1), "the convolution workspace");
    for (const std::unique_ptr<Step>& step : steps_) step->bind(workspace_.get());
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
  std::vector<ConcatStep*> concatenations_;
  std::vector<PoolStep*> pools_;
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
