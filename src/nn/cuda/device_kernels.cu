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

template <typename T>
__global__ void add_bias_kernel(T* y, const T* bias, int channels, std::size_t count, bool relu) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    const float value = load(y + i) + load(bias + i % channels);
    store(relu ? fmaxf(value, 0.0f) : value, y + i);
  }
}

template <typename T>
__global__ void pool_kernel(const T* x, T* y, PoolingShape s, std::size_t count) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    const int c = int(i % s.c);
    const int out_x = int(i / s.c % s.out_w);
    const int out_y = int(i / s.c / s.out_w % s.out_h);
    const std::size_t n = i / s.c / s.out_w / s.out_h;
    const int first_y = out_y * s.stride_h - s.pad_h, first_x = out_x * s.stride_w - s.pad_w;
    const bool is_max = s.kind == PoolKind::kMax;
    float value = is_max ? -INFINITY : 0.0f;
    int counted = 0;
    for (int in_y = max(first_y, 0); in_y < min(first_y + s.window_h, s.in_h); ++in_y) {
      for (int in_x = max(first_x, 0); in_x < min(first_x + s.window_w, s.in_w); ++in_x) {
        const float v = load(x + ((n * s.in_h + in_y) * s.in_w + in_x) * s.c + c);
        value = is_max ? (v > value || v != v ? v : value) : value + v;
        ++counted;
      }
    }
    if (s.kind == PoolKind::kAverageIncludingPadding) value /= float(s.window_h * s.window_w);
    if (s.kind == PoolKind::kAverageExcludingPadding) value /= float(counted);
    store(value, y + i);
  }
}

// Units of U (the widest the channel counts and offset allow) from a packed
// tensor into a channel slice of a wider one.
template <typename U>
__global__ void copy_channels_kernel(const U* x, std::size_t x_units_per_pixel, std::size_t count,
                                     U* y, std::size_t y_units_per_pixel) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t pixel = i / x_units_per_pixel;
    y[pixel * y_units_per_pixel + i % x_units_per_pixel] = x[i];
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

template <typename U>
void copy_units(const void* x, std::size_t x_bytes_per_pixel, std::size_t pixels, void* y,
                std::size_t y_bytes_per_pixel, std::size_t y_offset_bytes, cudaStream_t stream) {
  const std::size_t count = pixels * (x_bytes_per_pixel / sizeof(U));
  copy_channels_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
      static_cast<const U*>(x), x_bytes_per_pixel / sizeof(U), count,
      reinterpret_cast<U*>(static_cast<char*>(y) + y_offset_bytes), y_bytes_per_pixel / sizeof(U));
}

}  // namespace

void pool(const void* x, void* y, const PoolingShape& shape, GpuPrecision precision,
          cudaStream_t stream) {
  const std::size_t count = std::size_t(shape.n) * shape.out_h * shape.out_w * shape.c;
  with_element_type(precision, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    pool_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const T*>(x),
                                                            static_cast<T*>(y), shape, count);
  });
}

void add_bias(void* y, const void* bias, int channels, std::size_t count, bool relu,
              GpuPrecision precision, cudaStream_t stream) {
  with_element_type(precision, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    add_bias_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<T*>(y), static_cast<const T*>(bias), channels, count, relu);
  });
}

void copy_channels(const void* x, std::size_t pixels, std::size_t x_bytes_per_pixel, void* y,
                   std::size_t y_bytes_per_pixel, std::size_t y_offset_bytes, cudaStream_t stream) {
  // The widest unit that divides every extent and offset: the arena's
  // tensors start 64-byte aligned.
  const std::size_t all = x_bytes_per_pixel | y_bytes_per_pixel | y_offset_bytes;
  if (all % 16 == 0) {
    copy_units<uint4>(x, x_bytes_per_pixel, pixels, y, y_bytes_per_pixel, y_offset_bytes, stream);
  } else if (all % 8 == 0) {
    copy_units<uint2>(x, x_bytes_per_pixel, pixels, y, y_bytes_per_pixel, y_offset_bytes, stream);
  } else if (all % 4 == 0) {
    copy_units<std::uint32_t>(x, x_bytes_per_pixel, pixels, y, y_bytes_per_pixel, y_offset_bytes,
                              stream);
  } else {
    copy_units<std::uint16_t>(x, x_bytes_per_pixel, pixels, y, y_bytes_per_pixel, y_offset_bytes,
                              stream);
  }
}

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
