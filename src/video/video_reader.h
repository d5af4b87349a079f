// Decodes the video stream of a file with FFmpeg, frame by frame, upright
// (rotation metadata applied) and with presentation timestamps in
// milliseconds relative to the first frame.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "image/image.h"

namespace signprep::video {

struct VideoInfo {
  std::string container;   // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
  std::string codec;       // decoder name, e.g. "h264", "vp9"
  int width = 0;           // after rotation
  int height = 0;          // after rotation
  int rotation = 0;        // clockwise degrees applied to make frames upright: 0, 90, 180, 270
  double duration_s = 0;   // of the video stream, else of the container; 0 when unknown
  double average_fps = 0;  // frames per second over the stream (avg_frame_rate); 0 when unknown
  double nominal_fps = 0;  // the stream's base rate (r_frame_rate); differs from average for VFR
};

struct ReaderOptions {
  int decoder_threads = 0;  // FFmpeg frame/slice threads; 0 lets FFmpeg choose
};

// FFmpeg prints its own diagnostics to stderr; signprep reports problems
// itself (VideoReader::stopped_early), so the CLI keeps FFmpeg quiet unless
// asked to be verbose. Process-wide, as FFmpeg's log level is.
void set_ffmpeg_logging(bool verbose);

class VideoReader {
 public:
  // Opens the file and its best video stream; throws Error(kInput) naming the
  // file and the reason when it is unreadable, has no video or no decoder.
  explicit VideoReader(const std::filesystem::path& path, const ReaderOptions& options = {});
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoInfo& info() const;

  // Decodes the next frame. Returns false at the end of the stream. Damaged
  // data (a bad packet, a frame that fails to decode) is skipped and decoding
  // goes on; a file cut short ends the stream early; damage() then says what
  // happened; every frame returned is valid.
  bool next_frame();
  // Presentation time of the current frame in ms since the first frame.
  double timestamp_ms() const;
  // Number of frames decoded so far.
  std::int64_t frames_decoded() const;
  // The current frame converted to upright RGB.
  image::Image to_rgb();
  // What was skipped or cut, how often, where the first problem came, and
  // how many frames decoded in all (the count meta records as
  // frames_decoded) and after it; nullopt for a clean stream. Complete
  // once next_frame() has returned false.
  std::optional<std::string> damage() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace signprep::video
