#include "pipeline/precision_choice.h"

#include <array>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

constexpr std::array<std::pair<PrecisionRequest, std::string_view>, 5> kNames = {{
    {PrecisionRequest::kFp32, "fp32"},
    {PrecisionRequest::kFp16, "fp16"},
    {PrecisionRequest::kBf16, "bf16"},
    {PrecisionRequest::kInt8, "int8"},
    {PrecisionRequest::kAuto, "auto"},
}};

}  // namespace

PrecisionRequest parse_precision_request(std::string_view text) {
  for (const auto& [request, name] : kNames) {
    if (name == text) return request;
  }
  throw Error(ErrorKind::kUsage, "unknown precision '" + std::string(text) +
                                     "' (choose fp32, bf16, int8, auto or fp16)");
}

std::string_view precision_request_name(PrecisionRequest request) {
  for (const auto& [value, name] : kNames) {
    if (value == request) return name;
  }
  return "unknown";
}

nn::CpuPrecision cpu_precision(PrecisionRequest request) {
  switch (request) {
    case PrecisionRequest::kFp32:
      return nn::CpuPrecision::kFp32;
    case PrecisionRequest::kBf16:
      return nn::CpuPrecision::kBf16;
    case PrecisionRequest::kInt8:
      return nn::CpuPrecision::kInt8;
    default:
      throw std::logic_error("cpu_precision: " + std::string(precision_request_name(request)) +
                             " is not a CPU precision");
  }
}

nn::GpuPrecision gpu_precision(PrecisionRequest request) {
  switch (request) {
    case PrecisionRequest::kFp32:
      return nn::GpuPrecision::kFp32;
    case PrecisionRequest::kFp16:
      return nn::GpuPrecision::kFp16;
    case PrecisionRequest::kBf16:
      return nn::GpuPrecision::kBf16;
    default:
      throw std::logic_error("gpu_precision: " + std::string(precision_request_name(request)) +
                             " is not a GPU precision");
  }
}

std::string bf16_without_amx(const nn::Bf16Support& support) {
  std::string text = "oneDNN would run bf16 convolutions on " + support.implementation +
                     ", not on AMX matrix units (this CPU has none, or oneDNN cannot use them)";
  if (support.measured_speedup <= 0) return text;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2fx", support.measured_speedup);
  return text + "; in bf16 a probe convolution ran at " + ratio + " fp32's speed here";
}

PrecisionDecision decide_cpu_precision(PrecisionRequest request, std::string_view flag,
                                       const nn::Bf16Support& support, const AutoPolicy& policy,
                                       const nn::Int8Support& int8_support) {
  switch (request) {
    case PrecisionRequest::kBf16:
      if (!support.fast()) {
        throw Error(ErrorKind::kUnavailable, std::string(flag) +
                                                 " bf16: " + bf16_without_amx(support) +
                                                 "; use fp32, or auto to take bf16 only where "
                                                 "it is fast");
      }
      return {PrecisionRequest::kBf16, {}};
    case PrecisionRequest::kInt8:
      if (!int8_support.fast) {
        throw Error(ErrorKind::kUnavailable,
                    std::string(flag) + " int8: oneDNN would run int8 convolutions on " +
                        int8_support.implementation +
                        ", without VNNI or AMX (slower than fp32 here); use fp32");
      }
      return {PrecisionRequest::kInt8, {}};
    case PrecisionRequest::kAuto:
      if (!policy.keeps_fp32_because.empty()) {
        return {PrecisionRequest::kFp32,
                std::string(flag) + " auto: fp32, since " + policy.keeps_fp32_because};
      }
      if (support.uses_amx) return {PrecisionRequest::kBf16, {}};
      return {PrecisionRequest::kFp32,
              std::string(flag) + " auto: fp32, since " + bf16_without_amx(support) +
                  (support.fast() ? ": ask for bf16 explicitly to use it" : "")};
    default:
      return {request, {}};
  }
}

}  // namespace signprep::pipeline
