// InceptionV3 feature extraction speed: frames per second of InceptionV3::add
// (resize, normalisation, network) on full batches, at a given batch size and
// thread count, with achieved GFLOP/s. bench/iv3_bench.py runs it next to
// torchvision in the same session and tabulates both.
//
//   build/bench/iv3_bench WEIGHTS.safetensors BATCH THREADS [SECONDS [fp32|bf16|int8]]
//
// int8 is calibrated on the benchmark's own frame (its speed does not depend
// on the scales).
//
// Prints one JSON object: batch, threads, precision, isa (the implementation
// oneDNN chose for most of the convolutions), load_s, ms_per_frame (median wall
// time over batches), cpu_ms_per_frame (median process CPU time: on a shared
// machine, what a 1-thread run costs regardless of the other load), gflops
// (2 x MACs per frame / median wall time).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "features/inception_v3.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A 720x540 frame of smooth gradients: the resize does its real work.
signprep::image::Image test_frame() {
  signprep::image::Image frame(540, 720);
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width * 3; ++x) {
      frame.row(y)[x] = static_cast<std::uint8_t>((x / 3 + 2 * y + 50 * (x % 3)) % 256);
    }
  }
  return frame;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: iv3_bench WEIGHTS.safetensors BATCH THREADS [SECONDS [fp32|bf16|int8]]\n");
    return 2;
  }
  const int batch = std::atoi(argv[2]);
  const int threads = std::atoi(argv[3]);
  const double budget_s = argc > 4 ? std::atof(argv[4]) : 10.0;

  const std::string precision = argc > 5 ? argv[5] : "fp32";
  const signprep::image::Image frame = test_frame();
  signprep::features::InceptionV3Options options;
  options.batch_size = batch;
  options.threads = threads;
  if (precision == "bf16") options.precision = signprep::nn::CpuPrecision::kBf16;
  if (precision == "int8") {
    options.precision = signprep::nn::CpuPrecision::kInt8;
    const std::array<signprep::image::ImageView, 1> calibration = {frame.view()};
    options.activation_ranges = signprep::features::InceptionV3::calibrate(argv[1], calibration);
  }
  const auto load_start = Clock::now();
  signprep::features::InceptionV3 net = signprep::features::InceptionV3::load(argv[1], options);
  const double load_s = seconds_since(load_start);
  const auto run_batch = [&] {
    for (int i = 0; i < batch; ++i) net.add(frame.view());  // the last add runs the network
    net.finish();
  };
  run_batch();  // warm-up: first touch of the arena and oneDNN's scratchpads

  std::vector<double> per_frame_ms, cpu_per_frame_ms;
  const auto start = Clock::now();
  while (per_frame_ms.size() < 3 || (seconds_since(start) < budget_s && per_frame_ms.size() < 50)) {
    const auto batch_start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    run_batch();
    cpu_per_frame_ms.push_back(double(std::clock() - cpu_start) * 1e3 / CLOCKS_PER_SEC / batch);
    per_frame_ms.push_back(seconds_since(batch_start) * 1e3 / batch);
  }
  const auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  const double median_ms = median(per_frame_ms);
  const double macs_per_frame =
      static_cast<double>(net.stats().multiply_accumulates) / static_cast<double>(batch);
  const auto& implementations = net.stats().implementations;
  const auto commonest =
      std::max_element(implementations.begin(), implementations.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  std::printf(
      "{\"batch\": %d, \"threads\": %d, \"precision\": \"%s\", \"isa\": \"%s\", "
      "\"load_s\": %.2f, \"ms_per_frame\": %.3f, \"cpu_ms_per_frame\": %.3f, "
      "\"gflops\": %.1f, \"batches\": %zu}\n",
      batch, threads, precision.c_str(), commonest->first.c_str(), load_s, median_ms,
      median(cpu_per_frame_ms), 2 * macs_per_frame / (median_ms * 1e6), per_frame_ms.size());
  return 0;
}
