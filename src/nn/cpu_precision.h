// The number format the CPU networks compute in, and what this CPU makes of
// bf16. fp32 is exact to the reference models (torchvision, TFLite); bf16
// keeps float32's range with an 8-bit mantissa: weights and the activations
// between oneDNN operators are stored in bf16, products accumulate in
// float32, and every model input and output stays float32. bf16 pays most
// where oneDNN runs its convolutions on the matrix units (Intel AMX, 11-12x
// fp32 there), and some on vector units with bf16 instructions (AMD Zen 4:
// 1.9x); elsewhere oneDNN emulates it, about 5x slower than fp32.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signprep::nn {

enum class CpuPrecision { kFp32, kBf16, kInt8 };

std::string_view precision_name(CpuPrecision precision);

// What oneDNN would run a typical bf16 convolution on here (a 1x1, 256 to
// 256 channels on 35x35, InceptionV3's commonest shape): its implementation
// name ("brgconv_1x1:avx512_core_amx_bf16"), and whether that uses AMX.
// Creates a primitive descriptor only: nothing runs, no thread starts.
struct Bf16Support {
  std::string implementation;
  bool uses_amx = false;
  // measure_bf16_speedup() where the caller measured it (0: not measured).
  double measured_speedup = 0;

  // Whether bf16 is worth running here: on AMX, or where it measured
  // clearly faster than fp32 without it. The bar is far from both kinds of
  // CPU seen (emulated: 0.2x; bf16 instructions on Zen 4: 1.9x), so noise in
  // the measurement cannot flip the answer, and bf16 is never a slowdown.
  static constexpr double kFastWithoutAmx = 1.25;
  bool fast() const { return uses_amx || measured_speedup >= kFastWithoutAmx; }
};
Bf16Support probe_bf16_support();

// What oneDNN would run the same convolution on in int8 (u8 sources, s8
// weights): fast where the implementation uses VNNI or AMX
// ("brgconv_1x1:avx512_core_vnni"); elsewhere oneDNN's int8 kernels are
// slower than its fp32 ones.
struct Int8Support {
  std::string implementation;
  bool fast = false;
};
Int8Support probe_int8_support();

// How many times faster the probe convolution runs in bf16 than in fp32 on
// one thread (medians of a few runs, some milliseconds in all). Runs on the
// calling thread only: OpenMP starts no thread, so a process that forks
// workers afterwards may call it.
double measure_bf16_speedup();

}  // namespace signprep::nn
