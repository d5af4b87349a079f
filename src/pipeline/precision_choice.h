// --iv3-precision and --keypoint-precision: what the user asked for, and what
// a run on this CPU computes in. `auto` is decided once, by the supervisor,
// before any worker starts: bf16 where oneDNN would run bf16 convolutions on
// AMX, fp32 elsewhere. An explicit bf16 runs on AMX, and without it only
// where a probe convolution measured bf16 clearly faster than fp32 (CPUs
// with bf16 vector instructions, such as AMD Zen 4); elsewhere, where oneDNN
// emulates bf16 about 5x slower than fp32, it is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nn/cpu_precision.h"
#include "nn/gpu_precision.h"

namespace signprep::pipeline {

enum class PrecisionRequest { kFp32, kFp16, kBf16, kInt8, kAuto };

// "fp32", "fp16", "bf16", "int8" or "auto"; throws Error(kUsage) for anything else.
PrecisionRequest parse_precision_request(std::string_view text);
std::string_view precision_request_name(PrecisionRequest request);

// A decided request (kFp32, kBf16 or kInt8) as the CPU networks take it; throws
// std::logic_error for kAuto or kFp16, which a run never hands the CPU.
nn::CpuPrecision cpu_precision(PrecisionRequest request);
// kFp32, kFp16 or kBf16 for the GPU; std::logic_error for kAuto.
nn::GpuPrecision gpu_precision(PrecisionRequest request);

struct PrecisionDecision {
  PrecisionRequest decided = PrecisionRequest::kFp32;  // kFp32 or kBf16
  std::string warning;  // auto fell back to fp32 (one line, or empty)
};

// Why `auto` keeps a network in fp32 even on AMX (bf16 measured outside the
// network's fidelity criterion), or empty when auto may take bf16.
struct AutoPolicy {
  std::string keeps_fp32_because;
};
// InceptionV3: auto takes bf16 on AMX.
inline const AutoPolicy kAutoTakesBf16{};
// The MediaPipe models: bf16 keypoints fail docs/AGREEMENT.md's criterion on
// some clips, so auto stays fp32 and bf16 is opt-in (issue 20).
inline const AutoPolicy kKeypointAutoKeepsFp32{
    "bf16 keypoints differ from MediaPipe's beyond docs/AGREEMENT.md's criterion on some "
    "clips (README: \"Precision\"); ask for bf16 explicitly to use it"};

// Where oneDNN would run bf16 on this CPU without AMX and, where
// `support.measured_speedup` is set, how fast the probe convolution ran
// against fp32: the clause of every message about it.
std::string bf16_without_amx(const nn::Bf16Support& support);

// `flag` names the option in messages. Throws Error(kUnavailable) when bf16
// is asked for and `support` says it is not fast (nn::Bf16Support::fast:
// measure the speed-up first where there is no AMX), or int8 and
// `int8_support` says oneDNN would not run it on VNNI or AMX (there its
// int8 kernels are slower than fp32; `auto` never takes int8).
PrecisionDecision decide_cpu_precision(PrecisionRequest request, std::string_view flag,
                                       const nn::Bf16Support& support,
                                       const AutoPolicy& policy = kAutoTakesBf16,
                                       const nn::Int8Support& int8_support = {});

}  // namespace signprep::pipeline
