// InceptionV3 on the GPU against the CPU path, and its speed: the check
// bench/gpu.sh runs on a machine with an NVIDIA GPU.
//
//   build/iv3_gpu_check WEIGHTS.safetensors [--device N] [--batch 64] [--frames 32] [--seconds 5]
//
// Prints JSON lines. Per precision (fp32, fp16, bf16), the network is loaded
// once on the GPU (features::load_inception_v3_on_gpu, what the feature
// server runs); "parity": the features of `frames` synthetic 299x299 frames
// against the same frames through the CPU path (oneDNN, which
// inception_v3_test checks against torchvision): the lowest per-frame cosine
// and the highest relative L2. "speed": the network (upload of the 8-bit
// frames, normalisation, network, features back) at `batch`, median over
// runs, as frames per second, and the load time (which includes timing each
// convolution's algorithms). "parts": the device's milliseconds per batch in
// each part of a run (frames in, each kind of operator, features out),
// medians of 5 runs. A precision the GPU cannot run reports its error
// instead.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_flags.h"
#include "core/error.h"
#include "features/inception_v3.h"
#include "features/inception_v3_graph.h"
#include "nn/gpu_network.h"

namespace {

using signprep::features::InceptionV3;
using Clock = std::chrono::steady_clock;

struct Settings {
  std::string weights;
  int device = 0;
  int batch = 64;
  int frames = 32;
  double seconds = 5;
};

Settings parse(int argc, char** argv) {
  Settings settings;
  signprep::app::FlagParser parser(
      "iv3_gpu_check WEIGHTS.safetensors [options]",
      "InceptionV3 on the GPU against the CPU path, and its speed, per precision.");
  parser.add_value("--device", "N", "CUDA device (default 0)", settings.device);
  parser.add_value("--batch", "N", "frames per network run (default 64)", settings.batch);
  parser.add_value("--frames", "N", "frames compared with the CPU path (default 32)",
                   settings.frames);
  parser.add_value("--seconds", "S", "timing per precision (default 5)", settings.seconds);
  settings.weights = signprep::bench::parse_flags_or_exit(parser, argc, argv, 1).front();
  return settings;
}

// Smooth gradients under seeded noise, different in every frame: inputs in
// the range of real video, reproducible from run to run.
std::vector<signprep::image::Image> test_frames(int count) {
  std::mt19937 random(20261127);
  std::normal_distribution<float> noise(0.0f, 12.0f);
  std::vector<signprep::image::Image> frames;
  for (int f = 0; f < count; ++f) {
    signprep::image::Image frame(InceptionV3::kInputSide, InceptionV3::kInputSide);
    for (int y = 0; y < frame.height; ++y) {
      for (int x = 0; x < frame.width * 3; ++x) {
        const float base = float((x / 3) * (1 + f % 3) + 2 * y + 40 * (x % 3) + 17 * f);
        const float level = std::fmod(base, 256.0f) + noise(random);
        frame.row(y)[x] = static_cast<std::uint8_t>(std::clamp(level, 0.0f, 255.0f));
      }
    }
    frames.push_back(std::move(frame));
  }
  return frames;
}

std::string json_escaped(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// The CPU path, frame by frame: the reference.
std::vector<float> cpu_features(const std::string& weights,
                                const std::vector<signprep::image::Image>& frames) {
  signprep::features::InceptionV3Options options;
  options.batch_size = 1;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  InceptionV3 net = InceptionV3::load(weights, options);
  for (const auto& frame : frames) net.add(frame.view());
  return net.finish();
}

// Frames first..first+count into the network's input, in order.
void stage(signprep::nn::GpuNetwork& net, const std::vector<signprep::image::Image>& frames,
           std::size_t first, int count) {
  const std::span<std::uint8_t> input = net.input();
  for (int f = 0; f < count; ++f) {
    const std::vector<std::uint8_t>& pixels = frames[(first + f) % frames.size()].pixels;
    std::copy(pixels.begin(), pixels.end(), input.begin() + std::ptrdiff_t(f * pixels.size()));
  }
}

std::vector<float> gpu_features(signprep::nn::GpuNetwork& net,
                                const std::vector<signprep::image::Image>& frames) {
  std::vector<float> features;
  for (std::size_t first = 0; first < frames.size(); first += net.batch_size()) {
    const int count =
        static_cast<int>(std::min<std::size_t>(net.batch_size(), frames.size() - first));
    stage(net, frames, first, count);
    const std::span<const float> out = net.run(count);
    features.insert(features.end(), out.begin(), out.end());
  }
  return features;
}

// A number for the JSON line; NaN as the token Python's json reads.
std::string json_number(double value, const char* format) {
  if (std::isnan(value)) return "NaN";
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// NaN or infinite features (a 16-bit overflow, say) make their frame the
// worst, never a perfect match: the comparisons below let NaN through.
void print_parity(std::string_view precision, const std::vector<float>& gpu,
                  const std::vector<float>& cpu) {
  double worst_cosine = 1, worst_relative = 0;
  std::size_t non_finite = 0;
  for (std::size_t start = 0; start < cpu.size(); start += InceptionV3::kFeatureCount) {
    double dot = 0, a2 = 0, b2 = 0, d2 = 0;
    for (std::size_t i = start; i < start + InceptionV3::kFeatureCount; ++i) {
      non_finite += !std::isfinite(gpu[i]);
      dot += double(gpu[i]) * cpu[i];
      a2 += double(gpu[i]) * gpu[i];
      b2 += double(cpu[i]) * cpu[i];
      d2 += (double(gpu[i]) - cpu[i]) * (double(gpu[i]) - cpu[i]);
    }
    const double cosine = dot / std::sqrt(a2 * b2), relative = std::sqrt(d2 / b2);
    if (!(cosine >= worst_cosine)) worst_cosine = cosine;
    if (!(relative <= worst_relative)) worst_relative = relative;
  }
  std::printf(
      "{\"check\": \"parity\", \"precision\": \"%.*s\", \"frames\": %zu, \"min_cosine\": %s, "
      "\"max_relative_l2\": %s, \"non_finite_values\": %zu}\n",
      int(precision.size()), precision.data(), cpu.size() / InceptionV3::kFeatureCount,
      json_number(worst_cosine, "%.9f").c_str(), json_number(worst_relative, "%.3e").c_str(),
      non_finite);
}

void print_speed(signprep::nn::GpuNetwork& net, std::string_view precision, double load_s,
                 double seconds, const std::vector<signprep::image::Image>& frames) {
  const int batch = net.batch_size();
  stage(net, frames, 0, batch);
  for (int warm = 0; warm < 3; ++warm) net.run(batch);
  std::vector<double> ms;
  const auto start = Clock::now();
  while (ms.size() < 10 || (std::chrono::duration<double>(Clock::now() - start).count() < seconds &&
                            ms.size() < 1000)) {
    const auto run_start = Clock::now();
    net.run(batch);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - run_start).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf(
      "{\"check\": \"speed\", \"precision\": \"%.*s\", \"device\": \"%s\", \"batch\": %d, "
      "\"load_s\": %.2f, \"ms_per_batch\": %.3f, \"frames_per_s\": %.1f, \"runs\": %zu}\n",
      int(precision.size()), precision.data(), json_escaped(net.description()).c_str(), batch,
      load_s, median, batch * 1e3 / median, ms.size());
}

void print_parts(signprep::nn::GpuNetwork& net, std::string_view precision) {
  std::vector<std::vector<signprep::nn::TimedPart>> runs;
  for (int run = 0; run < 5; ++run) runs.push_back(net.time_parts());
  std::string parts;
  for (std::size_t part = 0; part < runs.front().size(); ++part) {
    std::vector<double> ms;
    for (const auto& run : runs) ms.push_back(run[part].milliseconds);
    std::sort(ms.begin(), ms.end());
    parts += (parts.empty() ? "\"" : ", \"") + json_escaped(runs.front()[part].name) +
             "\": " + json_number(ms[ms.size() / 2], "%.3f");
  }
  std::printf("{\"check\": \"parts\", \"precision\": \"%.*s\", \"parts\": {%s}}\n",
              int(precision.size()), precision.data(), parts.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  const std::vector<signprep::image::Image> frames = test_frames(settings.frames);
  const std::vector<float> reference = cpu_features(settings.weights, frames);
  int failures = 0;
  for (const auto precision : {signprep::nn::GpuPrecision::kFp32, signprep::nn::GpuPrecision::kFp16,
                               signprep::nn::GpuPrecision::kBf16}) {
    const std::string_view name = signprep::nn::precision_name(precision);
    try {
      const auto load_start = Clock::now();
      const std::unique_ptr<signprep::nn::GpuNetwork> net =
          signprep::features::load_inception_v3_on_gpu(settings.weights, settings.device,
                                                       settings.batch, precision);
      const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
      print_parity(name, gpu_features(*net, frames), reference);
      print_speed(*net, name, load_s, settings.seconds, frames);
      print_parts(*net, name);
    } catch (const signprep::Error& error) {
      std::printf("{\"check\": \"error\", \"precision\": \"%.*s\", \"error\": \"%s\"}\n",
                  int(name.size()), name.data(), json_escaped(error.what()).c_str());
      ++failures;
    }
    std::fflush(stdout);
  }
  return failures ? 1 : 0;
}
