// Pixel work on the keypoint path, per call (Google Benchmark): the rotated
// crops that feed each landmark model from the 256x256 keypoint frame, and
// the area resize of a decoded 720p frame to that frame, and the bilinear
// resize to InceptionV3's input.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "image/image.h"
#include "image/resize.h"
#include "image/warp.h"

namespace {

using signprep::image::Image;

Image random_image(int width, int height) {
  Image image(width, height);
  std::mt19937 random(7);
  for (auto& byte : image.pixels) byte = static_cast<std::uint8_t>(random());
  return image;
}

// A hand-sized rectangle, rotated, inside the frame (args: tensor side; 1
// for a rectangle that crosses the frame's edge; 1 to replicate the edge
// rather than read zeros outside).
void BM_CropToTensor(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  const bool across_edge = state.range(1) != 0;
  const auto border = state.range(2) != 0 ? signprep::image::BorderMode::kReplicate
                                          : signprep::image::BorderMode::kZero;
  const Image frame = random_image(256, 256);
  const signprep::image::RotatedRect roi{across_edge ? 20.0f : 128.0f, 120, 90, 90, 0.4f};
  std::vector<float> tensor(static_cast<std::size_t>(side * side * 3));
  for (auto _ : state) {
    signprep::image::crop_to_tensor(frame.view(), roi, side, side, {-1, 1}, border, tensor);
    benchmark::DoNotOptimize(tensor.data());
  }
  state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(BM_CropToTensor)->Args({224, 0, 0})->Args({224, 1, 0})->Args({224, 1, 1});

void BM_ResizeArea720pTo256(benchmark::State& state) {
  const Image frame = random_image(1280, 720);
  for (auto _ : state) {
    Image small = signprep::image::resize_area(frame.view(), 256, 256);
    benchmark::DoNotOptimize(small.pixels.data());
  }
}
BENCHMARK(BM_ResizeArea720pTo256);

// InceptionV3's input: a 1080p frame to 299x299, OpenCV's INTER_LINEAR.
void BM_ResizeBilinear1080pTo299(benchmark::State& state) {
  const Image frame = random_image(1920, 1080);
  for (auto _ : state) {
    Image small = signprep::image::resize_bilinear(frame.view(), 299, 299);
    benchmark::DoNotOptimize(small.pixels.data());
  }
}
BENCHMARK(BM_ResizeBilinear1080pTo299);

}  // namespace

BENCHMARK_MAIN();
