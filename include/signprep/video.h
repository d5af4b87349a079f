// Decoding with FFmpeg: the frames of a video file in order, upright (the
// rotation metadata applied) and in RGB, each with its presentation time;
// optionally only those a target frame rate keeps, chosen as
// `signprep --target-fps` chooses them.
//
//   signprep::VideoReader video("clip.mp4", {.target_fps = 15});
//   while (std::optional<signprep::VideoFrame> frame = video.next()) use(frame->rgb);
//
// Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "signprep/image.h"

namespace signprep {

struct VideoOptions {
  // Keep only the frames that reach each 1/target_fps slot; none: every frame.
  std::optional<double> target_fps = std::nullopt;
  // How slots are compared: "on-slot" (signprep's default) or "python" (the
  // Python tool's float arithmetic exactly; `--sampling`'s values).
  std::string sampling = "on-slot";
  int decoder_threads = 0;  // FFmpeg's threads; 0 lets FFmpeg choose
};

struct VideoProperties {
  std::string container;            // FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;                // FFmpeg's decoder name, e.g. "h264"
  int width = 0;                    // upright
  int height = 0;                   // upright
  int rotation = 0;                 // clockwise degrees applied: 0, 90, 180 or 270
  double fps = 0;                   // average frame rate; 0 when unknown
  double duration_s = 0;            // 0 when unknown
  std::int64_t frame_estimate = 0;  // duration x fps, rounded; 0 when unknown
};

struct VideoFrame {
  // Since the first frame, truncated to whole milliseconds, as the .npz's
  // timestamps_ms stores it.
  std::int64_t timestamp_ms = 0;
  RgbImage rgb;
};

// FFmpeg's own diagnostics on stderr (process-wide, as FFmpeg's log level
// is); off by default in the Python module, since signprep reports damage
// itself (VideoReader::damage).
void set_ffmpeg_logging(bool verbose);

class VideoReader {
 public:
  // Throws Error(kInput) naming the file and the reason when it cannot be
  // opened or has no decodable video stream; Error(kUsage) for a target_fps
  // outside (0, 1000] or an unknown sampling rule.
  explicit VideoReader(const std::filesystem::path& path, const VideoOptions& options = {});
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;
  ~VideoReader();

  const VideoProperties& properties() const;

  // The next kept frame, or nothing at the end. Damaged data is skipped as
  // FFmpeg's tools skip it (damage() says what was skipped).
  std::optional<VideoFrame> next();

  std::int64_t frames_decoded() const;  // so far, kept or not
  // What was skipped or cut short, once next() returned nothing; none for a
  // clean stream.
  std::optional<std::string> damage() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signprep
