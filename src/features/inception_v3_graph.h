// The pieces of features::InceptionV3 that a backend needs on its own: the
// graph, and the input normalisation as per-level tables. bench/iv3_gpu_check
// uses them to time the GPU network without the per-frame host work.
#pragma once

#include <array>
#include <vector>

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

}  // namespace signprep::features
