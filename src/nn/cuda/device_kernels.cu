#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "nn/cuda/device_kernels.h"

namespace signprep::nn::cuda {
namespace {

constexpr int kThreads = 256;

__device__ void store(float value, float* out) {
  *out = value;
}
__device__ void store(float value, __half* out) {
  *out = __float2half_rn(value);
}
__device__ void store(float value, __nv_bfloat16* out) {
  *out = __float2bfloat16_rn(value);
}

__device__ float load(const float* in) {
  return *in;
}
__device__ float load(const __half* in) {
  return __half2float(*in);
}
__device__ float load(const __nv_bfloat16* in) {
  return __bfloat162float(*in);
}

template <typename T>
__global__ void normalize_kernel(const std::uint8_t* frames, const float* levels, int channels,
                                 std::size_t count, T* out) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    store(levels[(i % channels) * 256 + frames[i]], out + i);
  }
}

template <typename T>
__global__ void narrow_kernel(const float* in, std::size_t count, T* out) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    store(in[i], out + i);
  }
}

template <typename T>
__global__ void widen_kernel(const T* in, std::size_t count, float* out) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    out[i] = load(in + i);
  }
}

// Grid-stride loops: enough blocks to fill any GPU, capped so a huge tensor
// does not ask for more blocks than the grid allows.
unsigned blocks_for(std::size_t count) {
  const std::size_t wanted = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(wanted < 65535 ? (wanted ? wanted : 1) : 65535);
}

// Calls f with a null pointer of the element type `precision` stores.
template <typename F>
void with_element_type(GpuPrecision precision, F&& f) {
  switch (precision) {
    case GpuPrecision::kFp32:
      return f(static_cast<float*>(nullptr));
    case GpuPrecision::kFp16:
      return f(static_cast<__half*>(nullptr));
    case GpuPrecision::kBf16:
      return f(static_cast<__nv_bfloat16*>(nullptr));
  }
}

}  // namespace

void normalize_levels(const std::uint8_t* frames, const float* levels, int channels,
                      std::size_t count, void* out, GpuPrecision precision, cudaStream_t stream) {
  with_element_type(precision, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    normalize_kernel<<<blocks_for(count), kThreads, 0, stream>>>(frames, levels, channels, count,
                                                                 static_cast<T*>(out));
  });
}

void narrow_from_float(const float* in, std::size_t count, void* out, GpuPrecision precision,
                       cudaStream_t stream) {
  with_element_type(precision, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    narrow_kernel<<<blocks_for(count), kThreads, 0, stream>>>(in, count, static_cast<T*>(out));
  });
}

void widen_to_float(const void* in, std::size_t count, float* out, GpuPrecision precision,
                    cudaStream_t stream) {
  with_element_type(precision, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    widen_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const T*>(in), count, out);
  });
}

}  // namespace signprep::nn::cuda
