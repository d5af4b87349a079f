// oneDNN's kernels split their work for the OpenMP thread count in force when
// a primitive is created, and keep that split when run; so a thread count
// must hold while primitives are made, not only while they run. Restores the
// calling thread's count afterwards. (Private to nn/.)
#pragma once

#include <omp.h>

namespace signprep::nn {

class OmpThreadsScope {
 public:
  explicit OmpThreadsScope(int threads) : previous_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~OmpThreadsScope() { omp_set_num_threads(previous_); }
  OmpThreadsScope(const OmpThreadsScope&) = delete;
  OmpThreadsScope& operator=(const OmpThreadsScope&) = delete;

 private:
  int previous_;
};

}  // namespace signprep::nn
