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

// Where a crop lies in the frame (the second argument).
enum Placement { kInside, kAcrossEdge, kAroundFrame };

// Args: tensor side; placement: a hand-sized rectangle, rotated, inside the
// frame or across its edge, or the pose crop of a signer filling the frame
// (a square larger than the frame: a fifth of its pixels outside); 1 to
// replicate the edge rather than read zeros outside; 1 for the portable
// loop instead of the fastest kernel this CPU runs.
void BM_CropToTensor(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  const auto placement = static_cast<Placement>(state.range(1));
  const auto border = state.range(2) != 0 ? signprep::image::BorderMode::kReplicate
                                          : signprep::image::BorderMode::kZero;
  const Image frame = random_image(256, 256);
  const signprep::image::RotatedRect roi =
      placement == kAroundFrame ? signprep::image::RotatedRect{128, 140, 290, 290, 0.05f}
                                : signprep::image::RotatedRect{
                                      placement == kAcrossEdge ? 20.0f : 128.0f, 120, 90, 90, 0.4f};
  const auto kernel = state.range(3) != 0 ? signprep::image::CropKernel::kPortable
                                          : signprep::image::CropKernel::kFastest;
  std::vector<float> tensor(static_cast<std::size_t>(side * side * 3));
  for (auto _ : state) {
    signprep::image::crop_to_tensor(frame.view(), roi, side, side, {-1, 1}, border, tensor, kernel);
    benchmark::DoNotOptimize(tensor.data());
  }
  state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(BM_CropToTensor)
    ->ArgsProduct({{224}, {kInside, kAcrossEdge}, {0, 1}, {0, 1}})
    ->ArgsProduct({{256}, {kAroundFrame}, {1}, {0, 1}});

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
