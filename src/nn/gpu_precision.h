// How the GPU backend stores weights and activations (nn/gpu_network.h).
// Kept apart so that the CUDA kernels, built as C++17 by nvcc, can name it.
#pragma once

namespace signprep::nn {

// Convolutions accumulate in float32 in every precision; fp32 runs without
// TF32, so it matches the CPU path.
enum class GpuPrecision { kFp32, kFp16, kBf16 };

}  // namespace signprep::nn
