// What `signprep probe` reports about one video: stream facts, the decoded
// frame count and the timestamps that target-fps sampling keeps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::video {

struct ProbeResult {
  VideoInfo info;
  std::int64_t frames_decoded = 0;
  double last_timestamp_ms = 0;
  std::vector<std::int64_t> sampled_timestamps_ms;
  std::optional<std::string> warning;  // set when decoding stopped early
};

// Decodes every frame (no pixel conversion). Throws Error(kInput) when the
// file cannot be opened or yields no frame at all.
ProbeResult probe_video(const std::filesystem::path& path, double target_fps,
                        SamplingRule rule = SamplingRule::kOnSlot);

// The duration the container's header states, in seconds, read without
// decoding (about a millisecond a file); nothing when the file does not open
// or its header has none. An estimate for scheduling, not a measurement.
std::optional<double> header_duration_seconds(const std::filesystem::path& path);

}  // namespace signprep::video
