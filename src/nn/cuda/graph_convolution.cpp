#include "nn/cuda/graph_convolution.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>

namespace signprep::nn::cuda {
namespace {

// The tensors' ids in every graph and variant pack.
enum Uid : std::int64_t { kX = 1, kW, kBias, kY, kConvolved, kBiased };

// Where a graph cannot be built or planned: the route is no candidate.
struct Refused {
  std::string why;
};

void need(cudnnStatus_t status, const char* what) {
  if (status != CUDNN_STATUS_SUCCESS)
    throw Refused{std::string(what) + ": " + cudnnGetErrorString(status)};
}

template <typename T>
void set(const BackendDescriptor& d, cudnnBackendAttributeName_t name,
         cudnnBackendAttributeType_t type, std::span<const T> values, const char* what) {
  need(cudnnBackendSetAttribute(d.get(), name, type, std::int64_t(values.size()), values.data()),
       what);
}

template <typename T>
void set(const BackendDescriptor& d, cudnnBackendAttributeName_t name,
         cudnnBackendAttributeType_t type, const T& value, const char* what) {
  set(d, name, type, std::span<const T>(&value, 1), what);
}

void finalize(const BackendDescriptor& d, const char* what) {
  need(cudnnBackendFinalize(d.get()), what);
}

// What a graph's plans refer to, kept alive as long as any of them.
struct Graph {
  std::vector<BackendDescriptor> descriptors;
  cudnnBackendDescriptor_t operation_graph = nullptr;

  const BackendDescriptor& add(cudnnBackendDescriptorType_t type) {
    return descriptors.emplace_back(type);
  }
};

// dims and strides in cuDNN's order (N, C, H, W) over NHWC memory.
const BackendDescriptor& tensor(Graph& graph, Uid uid, cudnnDataType_t type,
                                std::array<std::int64_t, 4> dims, bool is_virtual) {
  const auto [n, c, h, w] = dims;
  const std::array<std::int64_t, 4> strides{h * w * c, 1, w * c, c};
  const BackendDescriptor& d = graph.add(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  set(d, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, type, "tensor type");
  set(d, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, std::span<const std::int64_t>(dims),
      "tensor dimensions");
  set(d, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, std::span<const std::int64_t>(strides),
      "tensor strides");
  set(d, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, std::int64_t{uid}, "tensor id");
  // The arena's offsets and cudaMalloc's allocations are 64-byte aligned.
  set(d, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, std::int64_t{16}, "tensor alignment");
  set(d, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, is_virtual, "virtual tensor");
  finalize(d, "tensor");
  return d;
}

cudnnBackendDescriptor_t convolution(Graph& graph, const ConvolutionShape& s,
                                     cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t w,
                                     cudnnBackendDescriptor_t y) {
  const BackendDescriptor& conv = graph.add(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const std::array<std::int64_t, 2> ones{1, 1}, strides{s.stride_h, s.stride_w},
      pads{s.pad_h, s.pad_w};
  set(conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, CUDNN_DATA_FLOAT,
      "convolution compute type");
  set(conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, CUDNN_CROSS_CORRELATION,
      "convolution mode");
  set(conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, std::int64_t{2},
      "convolution dimensions");
  set(conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, std::span<const std::int64_t>(ones),
      "dilations");
  set(conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64,
      std::span<const std::int64_t>(strides), "strides");
  set(conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64,
      std::span<const std::int64_t>(pads), "paddings");
  set(conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64,
      std::span<const std::int64_t>(pads), "paddings");
  finalize(conv, "convolution");

  const BackendDescriptor& op = graph.add(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
  const cudnnBackendDescriptor_t conv_raw = conv.get();
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_TYPE_BACKEND_DESCRIPTOR, x, "conv x");
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, w, "conv w");
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_TYPE_BACKEND_DESCRIPTOR, y, "conv y");
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR,
      conv_raw, "conv descriptor");
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1.0f, "conv alpha");
  set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 0.0f, "conv beta");
  finalize(op, "convolution operation");
  return op.get();
}

// y = x + b (b given) or y = relu(x), in float32.
cudnnBackendDescriptor_t pointwise(Graph& graph, cudnnPointwiseMode_t mode,
                                   cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t b,
                                   cudnnBackendDescriptor_t y) {
  const BackendDescriptor& pw = graph.add(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
  set(pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, mode, "pointwise mode");
  set(pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, CUDNN_DATA_FLOAT,
      "pointwise precision");
  finalize(pw, "pointwise");
  const BackendDescriptor& op = graph.add(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
  const cudnnBackendDescriptor_t pw_raw = pw.get();
  set(op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, CUDNN_TYPE_BACKEND_DESCRIPTOR, pw_raw,
      "pointwise descriptor");
  set(op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, x, "pointwise x");
  if (b)
    set(op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, b, "pointwise b");
  set(op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, y, "pointwise y");
  finalize(op, "pointwise operation");
  return op.get();
}

std::shared_ptr<Graph> build_graph(cudnnHandle_t cudnn, const ConvolutionShape& s,
                                   GpuPrecision precision, GraphPart part) {
  auto graph = std::make_shared<Graph>();
  const cudnnDataType_t type = cudnn_data_type(precision);
  const cudnnBackendDescriptor_t x =
      tensor(*graph, kX, type, {s.x.n, s.x.c, s.x.h, s.x.w}, false).get();
  const cudnnBackendDescriptor_t w =
      tensor(*graph, kW, type, {s.y.c, s.x.c, s.kernel_h, s.kernel_w}, false).get();
  const cudnnBackendDescriptor_t y =
      tensor(*graph, kY, type, {s.y.n, s.y.c, s.y.h, s.y.w}, false).get();
  std::vector<cudnnBackendDescriptor_t> ops;
  if (part == GraphPart::kConvolution) {
    ops.push_back(convolution(*graph, s, x, w, y));
  } else {
    const std::array<std::int64_t, 4> dims{s.y.n, s.y.c, s.y.h, s.y.w};
    const cudnnBackendDescriptor_t convolved =
        tensor(*graph, kConvolved, CUDNN_DATA_FLOAT, dims, true).get();
    const cudnnBackendDescriptor_t bias =
        tensor(*graph, kBias, type, {1, s.y.c, 1, 1}, false).get();
    ops.push_back(convolution(*graph, s, x, w, convolved));
    if (s.relu) {
      const cudnnBackendDescriptor_t biased =
          tensor(*graph, kBiased, CUDNN_DATA_FLOAT, dims, true).get();
      ops.push_back(pointwise(*graph, CUDNN_POINTWISE_ADD, convolved, bias, biased));
      ops.push_back(pointwise(*graph, CUDNN_POINTWISE_RELU_FWD, biased, nullptr, y));
    } else {
      ops.push_back(pointwise(*graph, CUDNN_POINTWISE_ADD, convolved, bias, y));
    }
  }
  const BackendDescriptor& op_graph = graph->add(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  set(op_graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
      std::span<const cudnnBackendDescriptor_t>(ops), "graph operations");
  set(op_graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, cudnn, "graph handle");
  finalize(op_graph, "operation graph");
  graph->operation_graph = op_graph.get();
  return graph;
}

bool has_note(const BackendDescriptor& engine, cudnnBackendAttributeName_t name,
              cudnnBackendAttributeType_t type, std::span<const int> unwanted) {
  std::array<int, 32> notes{};  // both note enums are int-sized
  std::int64_t count = 0;
  need(cudnnBackendGetAttribute(engine.get(), name, type, notes.size(), &count, notes.data()),
       "engine notes");
  return std::any_of(notes.begin(), notes.begin() + std::min<std::int64_t>(count, notes.size()),
                     [&](int note) {
                       return std::find(unwanted.begin(), unwanted.end(), note) != unwanted.end();
                     });
}

bool allowed(const BackendDescriptor& config, GpuPrecision precision) {
  BackendDescriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  cudnnBackendDescriptor_t engine_raw = engine.get();
  std::int64_t count = 0;
  need(cudnnBackendGetAttribute(config.get(), CUDNN_ATTR_ENGINECFG_ENGINE,
                                CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &count, &engine_raw),
       "engine of a configuration");
  static constexpr std::array<int, 1> kCompiled{CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION};
  static constexpr std::array<int, 1> kNondeterministic{CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC};
  static constexpr std::array<int, 9> kNotFloat32{CUDNN_NUMERICAL_NOTE_TENSOR_CORE,
                                                  CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS,
                                                  CUDNN_NUMERICAL_NOTE_FFT,
                                                  CUDNN_NUMERICAL_NOTE_WINOGRAD,
                                                  CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_4x4,
                                                  CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_6x6,
                                                  CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_13x13,
                                                  CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION,
                                                  CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC};
  if (has_note(engine, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE, kCompiled)) {
    return false;
  }
  return !has_note(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                   precision == GpuPrecision::kFp32 ? std::span<const int>(kNotFloat32)
                                                    : std::span<const int>(kNondeterministic));
}

// The heuristics' engine configurations for the graph, best first.
std::vector<BackendDescriptor> engine_configs(const Graph& graph, cudnnBackendHeurMode_t mode) {
  const BackendDescriptor heuristics(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
  set(heuristics, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR,
      graph.operation_graph, "heuristics graph");
  set(heuristics, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, mode, "heuristics mode");
  finalize(heuristics, "heuristics");
  std::int64_t available = 0;
  need(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &available, nullptr),
       "heuristics results");
  std::vector<BackendDescriptor> configs;
  if (available <= 0) return configs;
  std::vector<cudnnBackendDescriptor_t> raw;
  for (std::int64_t i = 0; i < available; ++i) {
    raw.push_back(configs.emplace_back(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR).get());
  }
  std::int64_t returned = 0;
  need(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                CUDNN_TYPE_BACKEND_DESCRIPTOR, available, &returned, raw.data()),
       "heuristics results");
  configs.erase(configs.begin() + std::clamp<std::int64_t>(returned, 0, available), configs.end());
  return configs;
}

}  // namespace

GraphPlan::GraphPlan(std::shared_ptr<const void> graph, BackendDescriptor config,
                     BackendDescriptor plan, const ConvolutionShape& shape, GraphPart part,
                     std::size_t workspace_bytes)
    : graph_(std::move(graph)),
      config_(std::move(config)),
      plan_(std::move(plan)),
      shape_(shape),
      part_(part),
      workspace_bytes_(workspace_bytes) {}

std::string GraphPlan::bind(void* workspace) {
  variant_pack_ = BackendDescriptor(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
  const std::array<std::int64_t, 4> uids{kX, kW, kY, kBias};
  const std::array<void*, 4> pointers{shape_.x.data, const_cast<void*>(shape_.filter),
                                      shape_.y.data, const_cast<void*>(shape_.bias)};
  // The bias only where the graph has it.
  const std::size_t count = part_ == GraphPart::kConvolution ? 3 : 4;
  try {
    set(variant_pack_, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64,
        std::span<const std::int64_t>(uids.data(), count), "variant pack ids");
    set(variant_pack_, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
        std::span<void* const>(pointers.data(), count), "variant pack pointers");
    set(variant_pack_, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, workspace,
        "variant pack workspace");
    finalize(variant_pack_, "variant pack");
    return {};
  } catch (const Refused& refused) {
    return refused.why;
  }
}

cudnnStatus_t GraphPlan::run(cudnnHandle_t cudnn) const {
  return cudnnBackendExecute(cudnn, plan_.get(), variant_pack_.get());
}

GraphPlans graph_plans(cudnnHandle_t cudnn, const ConvolutionShape& shape, GpuPrecision precision,
                       GraphPart part, std::size_t workspace_limit) {
  // The heuristics' best few: each is timed at load, for every convolution.
  constexpr std::size_t kMostPlans = 4;
  GraphPlans result;
  try {
    const std::shared_ptr<Graph> graph = build_graph(cudnn, shape, precision, part);
    for (const cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
      if (!result.plans.empty()) break;  // the fallback list only where the first offers none
      for (BackendDescriptor& config : engine_configs(*graph, mode)) {
        if (result.plans.size() == kMostPlans) break;
        try {
          if (!allowed(config, precision)) continue;
          BackendDescriptor plan(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
          const cudnnBackendDescriptor_t config_raw = config.get();
          set(plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, cudnn, "plan handle");
          set(plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR,
              config_raw, "plan configuration");
          finalize(plan, "execution plan");
          std::int64_t workspace = 0, count = 0;
          need(cudnnBackendGetAttribute(plan.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                        CUDNN_TYPE_INT64, 1, &count, &workspace),
               "plan workspace");
          if (workspace < 0 || std::size_t(workspace) > workspace_limit) continue;
          result.plans.emplace_back(graph, std::move(config), std::move(plan), shape, part,
                                    std::size_t(workspace));
        } catch (const Refused& refused) {
          if (result.refusal.empty()) result.refusal = refused.why;
        }
      }
    }
  } catch (const Refused& refused) {
    result.refusal = refused.why;
  }
  if (result.plans.empty() && result.refusal.empty()) result.refusal = "no engine offered";
  if (!result.plans.empty()) result.refusal.clear();
  return result;
}

}  // namespace signprep::nn::cuda
