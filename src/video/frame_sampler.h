// Target-fps sampling as the Python tool does it: keep a frame when its time
// reaches the next slot, then advance the slot by one period (from the slot,
// not from the frame, so the kept frames track the target rate on average).
#pragma once

#include <cstdint>

namespace signprep::video {

class FrameSampler {
 public:
  // target_fps must be > 0 (callers validate user input first).
  explicit FrameSampler(double target_fps);

  // True when the frame at `time_ms` is kept. Times must not decrease.
  bool keep(double time_ms);

  // The value written to timestamps_ms for a kept frame: its time truncated.
  static std::int64_t stored_timestamp(double time_ms) {
    return static_cast<std::int64_t>(time_ms);
  }

 private:
  // A frame exactly on a slot must not be lost to float rounding of the slot sum.
  static constexpr double kToleranceMs = 1e-3;
  double period_ms_;
  double next_slot_ms_ = 0.0;
};

}  // namespace signprep::video
