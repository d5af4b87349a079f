// Reads a .tflite file (a FlatBuffer of TFLite's schema) into a ModelDef with
// strict bounds and type checks: every offset, vector length, tensor index
// and buffer range is checked before use, so that a truncated, corrupted or
// unsupported file is an Error(kModel) naming the model and the problem, never
// a crash or an out-of-bounds read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

#include "nn/model_def.h"

namespace signprep::nn {

// `model_name` prefixes every message ("pose_landmark_full: CONV_2D #12: ...").
ModelDef read_tflite(std::span<const std::byte> bytes, std::string_view model_name);

// Reads the file; the model name is its stem.
ModelDef load_tflite(const std::filesystem::path& path);

}  // namespace signprep::nn
