#include "video/probe.h"

extern "C" {
#include <libavformat/avformat.h>
}

#include "core/error.h"
#include "video/ffmpeg_handles.h"
#include "video/frame_sampler.h"

namespace signprep::video {

ProbeResult probe_video(const std::filesystem::path& path, double target_fps, SamplingRule rule) {
  VideoReader reader(path);
  FrameSampler sampler(target_fps, rule);
  ProbeResult result;
  result.info = reader.info();
  while (reader.next_frame()) {
    result.last_timestamp_ms = reader.timestamp_ms();
    if (sampler.keep(reader.timestamp_ms())) {
      result.sampled_timestamps_ms.push_back(FrameSampler::stored_timestamp(reader.timestamp_ms()));
    }
  }
  result.frames_decoded = reader.frames_decoded();
  result.warning = reader.damage();
  if (result.frames_decoded == 0) {
    throw Error(ErrorKind::kInput,
                path.string() + ": no video frame could be decoded" +
                    (result.warning ? " (" + *result.warning + ")" : std::string()));
  }
  return result;
}

std::optional<double> header_duration_seconds(const std::filesystem::path& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return std::nullopt;
  const detail::FormatContextPtr format(raw);
  if (format->duration <= 0) return std::nullopt;  // AV_NOPTS_VALUE is negative
  return static_cast<double>(format->duration) / AV_TIME_BASE;
}

}  // namespace signprep::video
