#include "nn/cpu_precision.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <oneapi/dnnl/dnnl.hpp>

#include "nn/omp_threads_scope.h"

namespace signprep::nn {
namespace {

using dnnl::memory;

// InceptionV3's commonest convolution shape (Mixed_5*, Mixed_6a), NHWC with
// weights in the layout oneDNN prefers, as nn/onednn builds them.
// In int8: u8 activations, s8 weights.
dnnl::convolution_forward::primitive_desc probe_convolution(const dnnl::engine& engine,
                                                            memory::data_type type) {
  constexpr int kChannels = 256, kSide = 35;
  const bool int8 = type == memory::data_type::u8;
  const memory::desc activations({1, kChannels, kSide, kSide}, type, memory::format_tag::nhwc);
  const memory::desc weights({kChannels, kChannels, 1, 1}, int8 ? memory::data_type::s8 : type,
                             memory::format_tag::any);
  return {{dnnl::prop_kind::forward_inference,
           dnnl::algorithm::convolution_direct,
           activations,
           weights,
           activations,
           {1, 1},
           {0, 0},
           {0, 0}},
          engine};
}

double median_seconds(const dnnl::engine& engine, memory::data_type type) {
  dnnl::stream stream(engine);
  const auto pd = probe_convolution(engine, type);
  const memory source(pd.src_desc(), engine), weights(pd.weights_desc(), engine),
      destination(pd.dst_desc(), engine);
  const dnnl::convolution_forward convolution(pd);
  const auto run_once = [&] {
    const auto start = std::chrono::steady_clock::now();
    convolution.execute(
        stream, {{DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, destination}});
    stream.wait();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  run_once();  // first run: the kernel's own setup (AMX tile configuration)
  std::array<double, 7> seconds{};
  for (double& s : seconds) s = run_once();
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
  return seconds[seconds.size() / 2];
}

// The implementation oneDNN would give the probe convolution in `type`.
std::string probe_implementation(memory::data_type type) {
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const OmpThreadsScope one_thread(1);
  return probe_convolution(engine, type).impl_info_str();
}

bool names(const std::string& implementation, std::string_view isa) {
  return implementation.find(isa) != std::string::npos;
}

}  // namespace

std::string_view precision_name(CpuPrecision precision) {
  switch (precision) {
    case CpuPrecision::kBf16:
      return "bf16";
    case CpuPrecision::kInt8:
      return "int8";
    case CpuPrecision::kFp32:
      break;
  }
  return "fp32";
}

Bf16Support probe_bf16_support() {
  std::string implementation = probe_implementation(memory::data_type::bf16);
  const bool uses_amx = names(implementation, "amx");
  return {std::move(implementation), uses_amx};
}

Int8Support probe_int8_support() {
  std::string implementation = probe_implementation(memory::data_type::u8);
  const bool fast = names(implementation, "vnni") || names(implementation, "amx");
  return {std::move(implementation), fast};
}

double measure_bf16_speedup() {
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const OmpThreadsScope one_thread(1);
  return median_seconds(engine, memory::data_type::f32) /
         median_seconds(engine, memory::data_type::bf16);
}

}  // namespace signprep::nn
