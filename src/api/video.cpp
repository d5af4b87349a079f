#include "signprep/video.h"

#include <cmath>

#include "api/frames.h"
#include "core/error.h"
#include "pipeline/run_options.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep {
namespace {

std::optional<video::FrameSampler> make_sampler(const VideoOptions& o) {
  const video::SamplingRule rule = api::sampling_rule(o.sampling);
  if (!o.target_fps) return std::nullopt;
  pipeline::validate_target_fps(*o.target_fps);
  return video::FrameSampler(*o.target_fps, rule);
}

VideoProperties properties_of(const video::VideoInfo& info) {
  const double frames = info.duration_s * info.average_fps;
  return {info.container,  info.codec,
          info.width,      info.height,
          info.rotation,   info.average_fps,
          info.duration_s, static_cast<std::int64_t>(std::llround(frames))};
}

}  // namespace

void set_ffmpeg_logging(bool verbose) {
  video::set_ffmpeg_logging(verbose);
}

struct VideoReader::Impl {
  std::optional<video::FrameSampler> sampler;  // checked before the file is opened
  video::VideoReader reader;
  VideoProperties properties = properties_of(reader.info());

  Impl(const std::filesystem::path& path, const VideoOptions& o)
      : sampler(make_sampler(o)), reader(path, video::ReaderOptions{o.decoder_threads}) {}
};

VideoReader::VideoReader(const std::filesystem::path& path, const VideoOptions& options)
    : impl_(std::make_unique<Impl>(path, options)) {}
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;
VideoReader::~VideoReader() = default;

const VideoProperties& VideoReader::properties() const {
  return impl_->properties;
}

std::optional<VideoFrame> VideoReader::next() {
  Impl& s = *impl_;
  while (s.reader.next_frame()) {
    const double time_ms = s.reader.timestamp_ms();
    if (s.sampler && !s.sampler->keep(time_ms)) continue;
    return VideoFrame{video::FrameSampler::stored_timestamp(time_ms),
                      api::public_image(s.reader.to_rgb())};
  }
  return std::nullopt;
}

std::int64_t VideoReader::frames_decoded() const {
  return impl_->reader.frames_decoded();
}

std::optional<std::string> VideoReader::damage() const {
  return impl_->reader.damage();
}

}  // namespace signprep
