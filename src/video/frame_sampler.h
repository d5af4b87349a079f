// Target-fps sampling as the Python tool does it: keep a frame when its time
// reaches the next slot, then advance the slot by one period (from the slot,
// not from the frame, so the kept frames track the target rate on average).
// Kept frames are stored in whole milliseconds, which must strictly increase
// (signprep validate checks it): a frame whose stored time is not after the
// last kept one's (a source whose frames share a timestamp) is never kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace signprep::video {

// Timestamps are whole milliseconds: a faster rate could not give each kept
// frame its own.
inline constexpr double kMaxTargetFps = 1000;

enum class SamplingRule {
  // A frame within 0.001 ms of its slot is kept, so float rounding of the
  // slot sum never drops a frame that lands exactly on a slot.
  kOnSlot,
  // multi_preprocess.py's arithmetic exactly: the slot summed in seconds,
  // compared without tolerance. On 50 and 60 fps sources sampled at 30 (and
  // now and then on 30 fps ones) rounding makes it drop a frame that lies on
  // a slot and keep the next; this reproduces the frames of datasets the
  // Python tool made.
  kPython,
};

// "on-slot" / "python", as the command line and meta JSON spell them.
std::string_view sampling_rule_name(SamplingRule rule);
std::optional<SamplingRule> parse_sampling_rule(std::string_view name);

class FrameSampler {
 public:
  // target_fps must be in (0, kMaxTargetFps] (callers validate user input first).
  explicit FrameSampler(double target_fps, SamplingRule rule = SamplingRule::kOnSlot);

  // True when the frame at `time_ms` is kept: it reaches the next slot and
  // its stored timestamp comes after the last kept frame's.
  bool keep(double time_ms);

  // The value written to timestamps_ms for a kept frame: its time truncated.
  static std::int64_t stored_timestamp(double time_ms) {
    return static_cast<std::int64_t>(time_ms);
  }

 private:
  static constexpr double kToleranceMs = 1e-3;
  SamplingRule rule_;
  double period_s_;
  double next_slot_s_ = 0.0;
  std::optional<std::int64_t> last_kept_ms_;
};

}  // namespace signprep::video
