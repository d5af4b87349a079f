// The element-wise work cuDNN has no call for: 8-bit frames through the
// input's level tables into the network's precision, and conversions between
// float32 and that precision (weights going up, outputs coming down).
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

}  // namespace signprep::nn::cuda
