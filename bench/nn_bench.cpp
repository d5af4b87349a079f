// Latency of each MediaPipe model and of the per-frame Holistic set, at 1 and
// 2 threads, in fp32 and bf16 (the second argument: 0 fp32, 1 bf16), with
// achieved GFLOP/s (2 x multiply-accumulates / time); and this machine's fp32
// FMA peak measured in the same run, to compare against. bf16 runs on AMX
// where the CPU has it, on bf16 vector instructions where it has those (AMD
// Zen 4), emulated (slower than fp32) elsewhere: the first line says which,
// and how fast a probe convolution ran in bf16 against fp32.
//
//   build/bench/nn_bench [--benchmark_filter=pose]      (models/ from scripts/setup, or
//   $SIGNPREP_MODELS_DIR) build/bench/nn_bench --profile [THREADS] [fp32|bf16] [MODEL...]
//                                               time per operator type (all models by default)
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "landmarks/hand_tracker.h"
#include "landmarks/pose_tracker.h"
#include "nn/cpu_precision.h"
#include "nn/model.h"

namespace {

// $SIGNPREP_MODELS_DIR where set (a bundle on a device machine, bench/amx.sh),
// else the checkout's models/.
const std::string kModels = [] {
  const char* given = std::getenv("SIGNPREP_MODELS_DIR");
  return std::string(given && *given ? given : SIGNPREP_MODELS_DIR);
}();
constexpr const char* kAllModels[] = {"pose_detection",
                                      "pose_landmark_lite",
                                      "pose_landmark_full",
                                      "pose_landmark_heavy",
                                      "hand_recrop",
                                      "hand_landmark_full",
                                      "palm_detection_lite",
                                      "palm_detection_full",
                                      "face_detection_short_range",
                                      "face_landmark",
                                      "face_landmark_with_attention",
                                      "selfie_segmentation",
                                      "selfie_segmentation_landscape"};

// The outputs the landmark trackers read (ModelOptions::outputs_read).
std::vector<int> outputs_holistic_reads(const std::string& name) {
  using signprep::landmarks::kHandLandmarkOutputsRead;
  using signprep::landmarks::kPoseLandmarkOutputsRead;
  if (name == "pose_landmark_full")
    return {kPoseLandmarkOutputsRead.begin(), kPoseLandmarkOutputsRead.end()};
  if (name == "hand_landmark_full")
    return {kHandLandmarkOutputsRead.begin(), kHandLandmarkOutputsRead.end()};
  return {};
}

signprep::nn::CpuPrecision precision_arg(std::int64_t arg) {
  return arg == 1 ? signprep::nn::CpuPrecision::kBf16 : signprep::nn::CpuPrecision::kFp32;
}

signprep::nn::Model loaded(
    const std::string& name, int threads, std::vector<int> outputs_read = {},
    signprep::nn::CpuPrecision precision = signprep::nn::CpuPrecision::kFp32) {
  auto model = signprep::nn::Model::load(
      kModels + "/" + name + ".tflite",
      {.threads = threads, .outputs_read = std::move(outputs_read), .precision = precision});
  for (int i = 0; i < static_cast<int>(model.inputs().size()); ++i) {
    auto input = model.input(i);
    for (std::size_t k = 0; k < input.size(); ++k) input[k] = static_cast<float>(k % 255) / 255.f;
  }
  return model;
}

void report(benchmark::State& state, double macs_per_run) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * macs_per_run * state.iterations(), benchmark::Counter::kIsRate,
                         benchmark::Counter::kIs1000);
}

void model_latency(benchmark::State& state, const std::string& name, bool holistic_outputs) {
  auto model = loaded(name, static_cast<int>(state.range(0)),
                      holistic_outputs ? outputs_holistic_reads(name) : std::vector<int>{},
                      precision_arg(state.range(1)));
  model.run();  // warm-up: first-touch of buffers and caches
  for (auto _ : state) model.run();
  report(state, static_cast<double>(model.stats().multiply_accumulates));
}

// What Holistic runs per frame: segmentation, pose, two hands (re-crop and
// landmarks), face detection and the attention face mesh, each computing the
// outputs the trackers read.
void holistic_frame(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  std::vector<signprep::nn::Model> models;
  for (const char* name : {"selfie_segmentation_landscape", "pose_landmark_full", "hand_recrop",
                           "hand_recrop", "hand_landmark_full", "hand_landmark_full",
                           "face_detection_short_range", "face_landmark_with_attention"}) {
    models.push_back(
        loaded(name, threads, outputs_holistic_reads(name), precision_arg(state.range(1))));
  }
  double macs = 0;
  for (auto& model : models) {
    model.run();
    macs += static_cast<double>(model.stats().multiply_accumulates);
  }
  for (auto _ : state) {
    for (auto& model : models) model.run();
  }
  report(state, macs);
}

// fp32 peak: independent FMA chains, enough of them to cover the FMA latency
// on both pipes; one chain set per thread.
__attribute__((target("avx512f"))) float fma_chains(long iterations) {
  constexpr int kChains = 24;
  __m512 acc[kChains];
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (long n = 0; n < iterations; ++n) {
#pragma GCC unroll 24
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

void fp32_peak(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr long kIterations = 2'000'000;
  for (auto _ : state) {
    std::vector<std::thread> workers;
    std::vector<float> sinks(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back(
          [&sinks, t] { sinks[static_cast<std::size_t>(t)] = fma_chains(kIterations); });
    }
    for (auto& worker : workers) worker.join();
    benchmark::DoNotOptimize(sinks.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * 24 * 16 * kIterations * threads * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

}  // namespace

BENCHMARK(fp32_peak)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(holistic_frame)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// --profile: per model (and per model computing the outputs Holistic reads),
// each operator type's time per run, and its GFLOP/s where it multiplies.
void print_profile(const std::string& label, signprep::nn::Model model) {
  std::map<std::string, signprep::nn::Model::OpProfile> by_op;
  constexpr int kRuns = 20;
  model.run();
  for (int i = 0; i < kRuns; ++i) model.run_profiled(by_op);
  double total = 0;
  for (const auto& [op, profile] : by_op) total += profile.seconds;
  std::printf("%-30s %7.2f ms/run:", label.c_str(), 1e3 * total / kRuns);
  for (const auto& [op, profile] : by_op) {
    std::printf(" %s %.2f", op.c_str(), 1e3 * profile.seconds / kRuns);
    if (profile.multiply_accumulates > 0) {
      std::printf(" (%.0f GFLOP/s)",
                  2e-9 * static_cast<double>(profile.multiply_accumulates) / profile.seconds);
    }
  }
  std::printf("\n");
}

void print_profiles(int threads, signprep::nn::CpuPrecision precision,
                    const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    print_profile(name, loaded(name, threads, {}, precision));
    if (!outputs_holistic_reads(name).empty()) {
      print_profile(name + "_holistic",
                    loaded(name, threads, outputs_holistic_reads(name), precision));
    }
  }
}

int main(int argc, char** argv) {
  const signprep::nn::Bf16Support bf16 = signprep::nn::probe_bf16_support();
  std::printf("bf16 convolutions run on %s (%s; a probe convolution %.2fx fp32's speed)\n",
              bf16.implementation.c_str(), bf16.uses_amx ? "AMX" : "no AMX",
              signprep::nn::measure_bf16_speedup());
  if (argc > 1 && std::string(argv[1]) == "--profile") {
    const std::vector<std::string> named(argv + std::min(argc, 4), argv + argc);
    print_profiles(argc > 2 ? std::atoi(argv[2]) : 1,
                   argc > 3 && std::string(argv[3]) == "bf16" ? signprep::nn::CpuPrecision::kBf16
                                                              : signprep::nn::CpuPrecision::kFp32,
                   named.empty()
                       ? std::vector<std::string>(std::begin(kAllModels), std::end(kAllModels))
                       : named);
    return 0;
  }
  const auto add = [](const std::string& label, const std::string& name, bool holistic_outputs) {
    benchmark::RegisterBenchmark(label.c_str(), model_latency, name, holistic_outputs)
        ->ArgsProduct({{1, 2}, {0, 1}})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  };
  for (const char* name : kAllModels) {
    add(name, name, false);
    if (!outputs_holistic_reads(name).empty()) add(std::string(name) + "_holistic", name, true);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
