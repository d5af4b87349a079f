// The element-wise work cuDNN has no call for: 8-bit frames through the
// input's level tables into the network's precision, conversions between
// float32 and that precision (weights going up, outputs coming down), a
// convolution's bias and ReLU after a graph-API plan of the convolution
// alone, a concatenation's copies into channel slices, and pooling (cuDNN's
// legacy NHWC pooling is slow in 16 bits).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "nn/gpu_precision.h"

namespace signprep::nn::cuda {

// out[i] = levels[(i % channels) * 256 + frames[i]], stored in `precision`.
void normalize_levels(const std::uint8_t* frames, const float* levels, int channels,
                      std::size_t count, void* out, GpuPrecision precision, cudaStream_t stream);
// float32 -> precision (round to nearest even), and back.
void narrow_from_float(const float* in, std::size_t count, void* out, GpuPrecision precision,
                       cudaStream_t stream);
void widen_to_float(const void* in, std::size_t count, float* out, GpuPrecision precision,
                    cudaStream_t stream);

enum class PoolKind { kMax, kAverageIncludingPadding, kAverageExcludingPadding };

// NHWC in and out; symmetric padding.
struct PoolingShape {
  int n, in_h, in_w, c, out_h, out_w;
  int window_h, window_w, stride_h, stride_w, pad_h, pad_w;
  PoolKind kind;
};

// Each output the max or mean of its window, in float32 (NaN propagates
// through max), stored in `precision`.
void pool(const void* x, void* y, const PoolingShape& shape, GpuPrecision precision,
          cudaStream_t stream);

// y[i] += bias[i % channels], then max(y[i], 0) when `relu`; in float32,
// stored in `precision`.
void add_bias(void* y, const void* bias, int channels, std::size_t count, bool relu,
              GpuPrecision precision, cudaStream_t stream);
// Each of `pixels` pixels' x_bytes_per_pixel bytes of x into y's pixel (of
// y_bytes_per_pixel bytes) at y_offset_bytes: one part of a concatenation
// on channels. Extents of 2-byte elements or wider.
void copy_channels(const void* x, std::size_t pixels, std::size_t x_bytes_per_pixel, void* y,
                   std::size_t y_bytes_per_pixel, std::size_t y_offset_bytes, cudaStream_t stream);

}  // namespace signprep::nn::cuda
