#include "pipeline/precision_choice.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

// What oneDNN 2.6.3 reports on the three kinds of CPU of this pool, with
// the probe's speed-up as measured on each (nn_bench's first line).
const nn::Bf16Support kAmx{"brgconv_1x1:avx512_core_amx_bf16", true};
const nn::Bf16Support kEmulated{"jit_bf16_1x1:avx512_core", false, 0.21};
const nn::Bf16Support kZen4{"brgconv_1x1:avx512_core_bf16", false, 2.08};

TEST(PrecisionChoice, NamesRoundTrip) {
  for (PrecisionRequest request :
       {PrecisionRequest::kFp32, PrecisionRequest::kFp16, PrecisionRequest::kBf16,
        PrecisionRequest::kInt8, PrecisionRequest::kAuto}) {
    EXPECT_EQ(parse_precision_request(precision_request_name(request)), request);
  }
  EXPECT_THROW(parse_precision_request("int4"), Error);
}

TEST(PrecisionChoice, AutoTakesBf16OnlyWhereItRunsOnAmx) {
  const PrecisionDecision on_amx = decide_cpu_precision(PrecisionRequest::kAuto, "--x", kAmx);
  EXPECT_EQ(on_amx.decided, PrecisionRequest::kBf16);
  EXPECT_EQ(on_amx.warning, "");
  const PrecisionDecision elsewhere =
      decide_cpu_precision(PrecisionRequest::kAuto, "--x", kEmulated);
  EXPECT_EQ(elsewhere.decided, PrecisionRequest::kFp32);
  EXPECT_NE(elsewhere.warning.find("--x auto: fp32, since oneDNN would run bf16 convolutions on "
                                   "jit_bf16_1x1:avx512_core"),
            std::string::npos)
      << elsewhere.warning;
}

// Without AMX auto stays fp32 even where bf16 measured faster (issue 20:
// auto means AMX), and says that an explicit bf16 would take it.
TEST(PrecisionChoice, AutoPointsToAFastBf16WithoutAmx) {
  const PrecisionDecision decision = decide_cpu_precision(PrecisionRequest::kAuto, "--x", kZen4);
  EXPECT_EQ(decision.decided, PrecisionRequest::kFp32);
  EXPECT_NE(decision.warning.find("in bf16 a probe convolution ran at 2.08x fp32's speed here: "
                                  "ask for bf16 explicitly to use it"),
            std::string::npos)
      << decision.warning;
  const PrecisionDecision emulated =
      decide_cpu_precision(PrecisionRequest::kAuto, "--x", kEmulated);
  EXPECT_NE(emulated.warning.find("at 0.21x fp32's speed here"), std::string::npos)
      << emulated.warning;
  EXPECT_EQ(emulated.warning.find("ask for bf16"), std::string::npos) << emulated.warning;
}

TEST(PrecisionChoice, KeypointAutoKeepsFp32EvenOnAmx) {
  const PrecisionDecision decision =
      decide_cpu_precision(PrecisionRequest::kAuto, "--x", kAmx, kKeypointAutoKeepsFp32);
  EXPECT_EQ(decision.decided, PrecisionRequest::kFp32);
  EXPECT_NE(decision.warning.find("docs/AGREEMENT.md"), std::string::npos) << decision.warning;
  EXPECT_EQ(
      decide_cpu_precision(PrecisionRequest::kBf16, "--x", kAmx, kKeypointAutoKeepsFp32).decided,
      PrecisionRequest::kBf16);
}

void expect_bf16_refused(const nn::Bf16Support& support, const std::string& phrase) {
  try {
    decide_cpu_precision(PrecisionRequest::kBf16, "--x", support);
    ADD_FAILURE() << "bf16 accepted on " << support.implementation << " at "
                  << support.measured_speedup << "x";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnavailable);
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("use fp32, or auto"), std::string::npos) << e.what();
  }
}

// An explicit bf16 runs on AMX, and without it only where it measured
// clearly faster than fp32: never emulated, never unmeasured.
TEST(PrecisionChoice, ExplicitBf16RunsOnlyWhereItIsFast) {
  EXPECT_EQ(decide_cpu_precision(PrecisionRequest::kBf16, "--x", kAmx).decided,
            PrecisionRequest::kBf16);
  EXPECT_EQ(decide_cpu_precision(PrecisionRequest::kBf16, "--x", kZen4).decided,
            PrecisionRequest::kBf16);
  expect_bf16_refused(kEmulated,
                      "--x bf16: oneDNN would run bf16 convolutions on "
                      "jit_bf16_1x1:avx512_core, not on AMX matrix units");
  expect_bf16_refused(kEmulated, "at 0.21x fp32's speed here");
  expect_bf16_refused({kZen4.implementation, false, 0}, "not on AMX matrix units");
  expect_bf16_refused({kZen4.implementation, false, 1.2}, "at 1.20x fp32's speed here");
}

// oneDNN 2.6.3's int8 probe on a CPU with AVX-512 VNNI, and on one without.
const nn::Int8Support kVnni{"brgconv_1x1:avx512_core_vnni", true};
const nn::Int8Support kNoDotProducts{"jit_int8_1x1:avx2", false};

TEST(PrecisionChoice, Int8OnlyWhenAskedAndOnlyWhereItIsFast) {
  EXPECT_EQ(decide_cpu_precision(PrecisionRequest::kInt8, "--x", kEmulated, kAutoTakesBf16, kVnni)
                .decided,
            PrecisionRequest::kInt8);
  try {
    decide_cpu_precision(PrecisionRequest::kInt8, "--x", kAmx, kAutoTakesBf16, kNoDotProducts);
    ADD_FAILURE() << "int8 without VNNI or AMX was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
    EXPECT_NE(std::string(error.what())
                  .find("--x int8: oneDNN would run int8 convolutions on jit_int8_1x1:avx2"),
              std::string::npos)
        << error.what();
  }
  // auto never takes int8: its features are not fp32's (issue 20's bound).
  EXPECT_EQ(decide_cpu_precision(PrecisionRequest::kAuto, "--x", kEmulated, kAutoTakesBf16, kVnni)
                .decided,
            PrecisionRequest::kFp32);
  EXPECT_EQ(cpu_precision(PrecisionRequest::kInt8), nn::CpuPrecision::kInt8);
}

TEST(PrecisionChoice, Fp32StaysFp32Everywhere) {
  for (const nn::Bf16Support& support : {kAmx, kEmulated}) {
    const PrecisionDecision decision =
        decide_cpu_precision(PrecisionRequest::kFp32, "--x", support);
    EXPECT_EQ(decision.decided, PrecisionRequest::kFp32);
    EXPECT_EQ(decision.warning, "");
  }
}

TEST(PrecisionChoice, OnlyDecidedPrecisionsReachTheNetworks) {
  EXPECT_EQ(cpu_precision(PrecisionRequest::kBf16), nn::CpuPrecision::kBf16);
  EXPECT_THROW(cpu_precision(PrecisionRequest::kAuto), std::logic_error);
  EXPECT_THROW(cpu_precision(PrecisionRequest::kFp16), std::logic_error);
  EXPECT_EQ(gpu_precision(PrecisionRequest::kFp16), nn::GpuPrecision::kFp16);
  EXPECT_THROW(gpu_precision(PrecisionRequest::kAuto), std::logic_error);
}

bool cpuinfo_lists(const std::string& word) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string token; cpuinfo >> token;) {
    if (token == word) return true;
  }
  return false;
}

// The probe agrees with the kernel's list of CPU features on the machine the
// suite runs on: AMX only where the CPU has it (a kernel may still deny it).
TEST(PrecisionChoice, ProbeAgreesWithTheCpu) {
  const nn::Bf16Support support = nn::probe_bf16_support();
  EXPECT_FALSE(support.implementation.empty());
  if (!cpuinfo_lists("amx_bf16")) {
    EXPECT_FALSE(support.uses_amx) << support.implementation;
  }
  if (support.uses_amx) {
    EXPECT_TRUE(cpuinfo_lists("amx_tile"));
  }
  const nn::Int8Support int8 = nn::probe_int8_support();
  if (!cpuinfo_lists("avx512_vnni") && !cpuinfo_lists("avx_vnni") && !cpuinfo_lists("amx_int8")) {
    EXPECT_FALSE(int8.fast) << int8.implementation;
  }
  if (cpuinfo_lists("avx512_vnni")) {
    EXPECT_TRUE(int8.fast) << int8.implementation;
  }
}

}  // namespace
}  // namespace signprep::pipeline
