// The pieces of features::InceptionV3 that are used on their own: the graph,
// the input normalisation as per-level tables, and the network on a GPU
// (pipeline's feature server; bench/iv3_gpu_check times it without the
// per-frame host work).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include "nn/gpu_network.h"
#include "nn/model_def.h"
#include "nn/safetensors.h"

namespace signprep::features {

// torchvision's Inception3 up to the global average pool, batch-norm folded,
// for `batch` frames: input [batch, 299, 299, 3], output [batch, 2048].
// Throws Error(kModel) for a missing or mis-shaped tensor.
nn::ModelDef inception_v3_graph(const nn::SafetensorsFile& weights, int batch);

// ToTensor, Normalize(mean, std), then Inception3._transform_input, each step
// rounded to float32 as torch does, tabulated for the 256 levels of each RGB
// channel: the CPU path looks frames up in it, the GPU path uploads it.
std::vector<std::array<float, 256>> inception_v3_input_levels();

// The network alone on a GPU, fed 299x299 RGB frames: what InceptionV3 uses
// with a CUDA device, and what the run's feature server batches into. Throws
// as InceptionV3::load does.
std::unique_ptr<nn::GpuNetwork> load_inception_v3_on_gpu(const std::filesystem::path& weights,
                                                         int device, int batch,
                                                         nn::GpuPrecision precision);

}  // namespace signprep::features
