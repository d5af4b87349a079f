// One operator made ready to run on fixed buffers: built once at load (shapes
// checked, weights reordered, primitives created), then run many times.
#pragma once

namespace signprep::nn {

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run() = 0;
};

}  // namespace signprep::nn
