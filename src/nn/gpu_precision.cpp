#include <array>
#include <string>
#include <utility>

#include "core/error.h"
#include "nn/gpu_network.h"

namespace signprep::nn {
namespace {

constexpr std::array<std::pair<GpuPrecision, std::string_view>, 3> kPrecisionNames = {{
    {GpuPrecision::kFp32, "fp32"},
    {GpuPrecision::kFp16, "fp16"},
    {GpuPrecision::kBf16, "bf16"},
}};

}  // namespace

std::string_view precision_name(GpuPrecision precision) {
  for (const auto& [value, name] : kPrecisionNames) {
    if (value == precision) return name;
  }
  return "unknown";
}

GpuPrecision parse_precision(std::string_view name) {
  for (const auto& [value, known] : kPrecisionNames) {
    if (known == name) return value;
  }
  throw Error(ErrorKind::kUsage,
              "unknown precision '" + std::string(name) + "' (choose fp32, fp16 or bf16)");
}

}  // namespace signprep::nn
