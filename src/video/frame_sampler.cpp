#include "video/frame_sampler.h"

#include <stdexcept>

namespace signprep::video {

std::string_view sampling_rule_name(SamplingRule rule) {
  return rule == SamplingRule::kPython ? "python" : "on-slot";
}

std::optional<SamplingRule> parse_sampling_rule(std::string_view name) {
  if (name == "on-slot") return SamplingRule::kOnSlot;
  if (name == "python") return SamplingRule::kPython;
  return std::nullopt;
}

FrameSampler::FrameSampler(double target_fps, SamplingRule rule)
    : rule_(rule), period_s_(1.0 / target_fps) {
  if (!(target_fps > 0 && target_fps <= kMaxTargetFps)) {
    throw std::invalid_argument("FrameSampler: target_fps must be in (0, 1000]");
  }
}

bool FrameSampler::keep(double time_ms) {
  // The slot is summed in seconds and scaled per comparison, as the Python
  // tool does, so that both rules see the same slot values.
  const double slot_ms = next_slot_s_ * 1000.0;
  const double tolerance_ms = rule_ == SamplingRule::kOnSlot ? kToleranceMs : 0.0;
  if (time_ms + tolerance_ms < slot_ms) return false;
  // The first of frames that share a stored time is kept; the slot stays, so
  // the next distinct frame can still take it.
  const std::int64_t stored_ms = stored_timestamp(time_ms);
  if (last_kept_ms_ && stored_ms <= *last_kept_ms_) return false;
  last_kept_ms_ = stored_ms;
  next_slot_s_ += period_s_;
  return true;
}

}  // namespace signprep::video
