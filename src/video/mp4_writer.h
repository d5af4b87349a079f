// Writes frames as an H.264 .mp4 with FFmpeg's encoder (libx264 in Debian's
// libavcodec): yuv420p, millisecond timestamps, so a frame shows from its
// time until the next one's, as the frames it draws over were sampled.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace signprep::video {

class Mp4Writer {
 public:
  // Opens `path` for frames of `width` x `height` (both even, as yuv420p
  // needs); the last frame shows for `frame_duration_ms`. Throws Error(kUnavailable) when this
  // FFmpeg has no H.264 encoder, Error(kOutput) when the file cannot be written.
  Mp4Writer(const std::filesystem::path& path, int width, int height,
            std::int64_t frame_duration_ms);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // One frame of packed BGRA rows (Cairo's ARGB32 on a little-endian CPU),
  // `stride` bytes apart, shown from `time_ms` until the next frame's time.
  // Times must increase.
  void write(std::span<const std::uint8_t> bgra, int stride, std::int64_t time_ms);
  // Flushes the encoder and writes the file's index; the file is complete
  // only after this.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep::video
