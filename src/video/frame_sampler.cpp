#include "video/frame_sampler.h"

#include <stdexcept>

namespace signprep::video {

FrameSampler::FrameSampler(double target_fps) : period_ms_(1000.0 / target_fps) {
  if (!(target_fps > 0)) throw std::invalid_argument("FrameSampler: target_fps must be > 0");
}

bool FrameSampler::keep(double time_ms) {
  if (time_ms + kToleranceMs < next_slot_ms_) return false;
  next_slot_ms_ += period_ms_;
  return true;
}

}  // namespace signprep::video
