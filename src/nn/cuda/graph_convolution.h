// A convolution as execution plans of cuDNN's graph API, the API PyTorch
// uses: more kernels than the legacy calls reach (Hopper's among them), and
// the bias and ReLU fused into the convolution's own kernel where an engine
// offers it. The CUDA network times these plans against the legacy route at
// load and keeps the fastest (cuda_network.cpp).
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "nn/cuda/cuda_handles.h"
#include "nn/cuda/device_tensor.h"
#include "nn/gpu_precision.h"

namespace signprep::nn::cuda {

struct ConvolutionShape {
  DeviceTensor x, y;
  const void* filter;  // [K, R, S, C] (TFLite's OHWI)
  const void* bias;    // [K]
  int kernel_h, kernel_w;
  int pad_h, pad_w;  // symmetric
  int stride_h, stride_w;
  bool relu;
};

// What a plan computes: the convolution alone, or with its bias and ReLU.
enum class GraphPart { kConvolution, kConvolutionBiasRelu };

class GraphPlan {
 public:
  // `graph` holds the descriptors the plan was made from.
  GraphPlan(std::shared_ptr<const void> graph, BackendDescriptor config, BackendDescriptor plan,
            const ConvolutionShape& shape, GraphPart part, std::size_t workspace_bytes);
  std::size_t workspace_bytes() const { return workspace_bytes_; }
  // The buffers it runs on: the shape's tensors and `workspace` (at least
  // workspace_bytes()); again whenever the workspace moves. Returns why cuDNN
  // refused them, empty when it took them: a refused plan is no candidate.
  std::string bind(void* workspace);
  cudnnStatus_t run(cudnnHandle_t cudnn) const;

 private:
  std::shared_ptr<const void> graph_;
  BackendDescriptor config_, plan_;
  ConvolutionShape shape_;
  GraphPart part_;
  std::size_t workspace_bytes_;
  BackendDescriptor variant_pack_{CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR};
};

struct GraphPlans {
  std::vector<GraphPlan> plans;
  std::string refusal;  // why there are none, when there are none
};

// The best 4 plans cuDNN's heuristics offer for `part` (mode A, or
// FALLBACK where A offers none), less engines that compile kernels at run time (seconds of load per
// convolution) and, in fp32, any that would round otherwise than float32
// FMA arithmetic (tensor cores' TF32, Winograd, FFT, reduced-precision
// reductions), so that fp32 keeps the CPU path's features; in every
// precision, nondeterministic engines are left out.
GraphPlans graph_plans(cudnnHandle_t cudnn, const ConvolutionShape& shape, GpuPrecision precision,
                       GraphPart part, std::size_t workspace_limit);

}  // namespace signprep::nn::cuda
