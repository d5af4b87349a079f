// The two functions libsignprep_cuda.so exports, private to nn/: the loader
// (gpu_network.cpp) finds them with dlsym, the plugin (cuda/) defines them.
// Both sides are built from one tree, so C++ types may cross; the ABI number
// refuses a plugin left over from another build.
#pragma once

#include <memory>

#include "nn/gpu_network.h"
#include "nn/model_def.h"

namespace signprep::nn {

// Raised whenever GpuNetwork, GpuOptions or ModelDef change shape.
inline constexpr int kGpuPluginAbi = 2;

inline constexpr const char* kGpuPluginFile = "libsignprep_cuda.so";
// The end of every message that stops a GPU run, loader's or plugin's.
inline constexpr const char* kRunOnCpu = "; or leave out --device to compute on the CPU";
inline constexpr const char* kGpuPluginAbiSymbol = "signprep_cuda_plugin_abi";
inline constexpr const char* kGpuPluginBuildSymbol = "signprep_cuda_build";

using GpuPluginAbiFunction = int();
// Builds the network into `network`; throws signprep::Error.
using GpuPluginBuildFunction = void(const ModelDef& def, const GpuOptions& options,
                                    std::unique_ptr<GpuNetwork>& network);

}  // namespace signprep::nn
