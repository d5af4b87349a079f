// InceptionV3's 2048-d frame features as `signprep --write-iv3-features`
// computes them (torchvision's inception_v3 in eval mode, the fc layer
// removed, on the frame resized to 299x299): bit-identical to the .npz's
// for the same frames and weights.
//
// Thread safety: one thread at a time per object; distinct objects run in
// parallel threads.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "signprep/image.h"

namespace signprep {

struct InceptionV3Options {
  // safetensors with torchvision's names; empty: $SIGNPREP_IV3_WEIGHTS, else
  // the checkout's models/inception_v3.safetensors (README: "InceptionV3 weights").
  std::filesystem::path weights = {};
  int threads = 1;  // OpenMP threads per network run
};

class InceptionV3 {
 public:
  static constexpr int kFeatureCount = 2048;

  // Throws Error(kModel) naming the file and what is wrong with it.
  explicit InceptionV3(const InceptionV3Options& options = {});
  InceptionV3(InceptionV3&&) noexcept;
  InceptionV3& operator=(InceptionV3&&) noexcept;
  ~InceptionV3();

  // [frames.size(), 2048] row-major; frames of any size.
  std::vector<float> features(std::span<const RgbView> frames);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep
