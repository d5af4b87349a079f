// An activation in the CUDA backend's arena: where it lives and its NHWC
// extent ([N, C] is [N, 1, 1, C]).
#pragma once

namespace signprep::nn::cuda {

struct DeviceTensor {
  char* data = nullptr;
  int n = 1, h = 1, w = 1, c = 1;
};

}  // namespace signprep::nn::cuda
