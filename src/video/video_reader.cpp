// The decode loop follows FFmpeg's doc/examples/demux_decode.c contract:
// drain avcodec_receive_frame until EAGAIN (needs input) or EOF (flushed),
// feed packets of the video stream only, and flush with a null packet.
#include "video/video_reader.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "video/ffmpeg_handles.h"

namespace signprep::video {

using detail::av_error_text;

namespace {
// Past this many frames in a row that fail to decode, the stream is taken as
// unreadable rather than damaged in places.
constexpr int kMaxConsecutiveFailures = 100;
}  // namespace

struct VideoReader::State {
  std::filesystem::path path;
  VideoInfo info;
  detail::FormatContextPtr format;
  detail::CodecContextPtr codec;
  detail::PacketPtr packet{av_packet_alloc()};
  detail::FramePtr frame{av_frame_alloc()};
  detail::FramePtr upright{av_frame_alloc()};  // `frame` rotated, where its format allows
  detail::SwsContextPtr converter;
  int converter_full_range = -1;  // the source range the converter is set up for
  std::vector<std::uint8_t> rgb_scratch;
  int stream_index = -1;
  AVRational time_base{0, 1};
  bool flushing = false;
  std::int64_t frames_decoded = 0;
  std::int64_t first_pts = AV_NOPTS_VALUE;
  double timestamp_ms = 0;
  // What went wrong while decoding: how often, and the first problem.
  struct Damage {
    int skipped_packets = 0;    // refused by the decoder, dropped
    int failed_frames = 0;      // failed to decode, skipped
    bool read_stopped = false;  // the file ended before its end (cut short, unreadable)
    std::int64_t frames_before_first = 0;
    std::string first;  // "damaged data (Invalid data found ...)"
  } damage;
  int consecutive_failures = 0;
  std::int64_t indexed_frames = 0;  // what the container's index lists, 0 when unknown
  bool ended = false;               // next_frame() has returned false

  [[noreturn]] void fail(const std::string& reason) const {
    throw Error(ErrorKind::kInput, path.string() + ": " + reason);
  }
  void open(const ReaderOptions& options);
  void open_decoder(const AVCodec* decoder, const ReaderOptions& options);
  void describe_stream();
  bool feed_decoder();
  // Keeps the first problem's words and where it came; the callers count.
  void note_first_problem(const std::string& what, int err) {
    if (damage.first.empty()) {
      damage.first = what + " (" + av_error_text(err) + ")";
      damage.frames_before_first = frames_decoded;
    }
  }
  void stamp_current_frame();
  bool end() {
    ended = true;
    return false;
  }
};

namespace {

// The bytes one pixel takes in `plane`, or 0 where the plane's components do
// not take whole pixels of one size (yuyv422's luma and chroma share bytes).
int plane_element_bytes(const AVPixFmtDescriptor& format, int plane) {
  int bytes = 0;
  for (int c = 0; c < format.nb_components; ++c) {
    if (format.comp[c].plane != plane) continue;
    if (bytes != 0 && bytes != format.comp[c].step) return 0;
    bytes = format.comp[c].step;
  }
  return bytes;
}

// Rotates `source` clockwise into `destination` plane by plane, as ffmpeg's
// transpose and flip filters do (its buffers kept while the size and format
// stay; besides the pixels, only the fields to_rgb() reads are set). Returns
// false, leaving `destination` alone, for what cannot be rotated so:
// palettes, bitstreams, hardware frames, planes whose components share bytes,
// and for a quarter turn chroma subsampled differently across and down (a
// turned 4:2:2 plane would be 4:4:0).
bool rotate_planes(const AVFrame& source, int degrees, AVFrame& destination) {
  const auto pixel_format = static_cast<AVPixelFormat>(source.format);
  const AVPixFmtDescriptor* format = av_pix_fmt_desc_get(pixel_format);
  if (format == nullptr || (format->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM |
                                             AV_PIX_FMT_FLAG_PAL)) != 0) {
    return false;
  }
  const bool swaps = degrees % 180 != 0;
  if (swaps && format->log2_chroma_w != format->log2_chroma_h) return false;
  const int planes = av_pix_fmt_count_planes(pixel_format);
  for (int plane = 0; plane < planes; ++plane) {
    if (plane_element_bytes(*format, plane) == 0) return false;
  }
  const int width = swaps ? source.height : source.width;
  const int height = swaps ? source.width : source.height;
  if (destination.format != source.format || destination.width != width ||
      destination.height != height) {
    av_frame_unref(&destination);
    destination.format = source.format;
    destination.width = width;
    destination.height = height;
    if (const int err = av_frame_get_buffer(&destination, 0); err < 0) {
      throw Error(ErrorKind::kInput, "cannot allocate a rotated frame: " + av_error_text(err));
    }
  }
  destination.color_range = source.color_range;
  for (int plane = 0; plane < planes; ++plane) {
    const bool chroma = plane == 1 || plane == 2;
    const image::PlaneView view{
        source.data[plane], source.linesize[plane],
        chroma ? AV_CEIL_RSHIFT(source.width, format->log2_chroma_w) : source.width,
        chroma ? AV_CEIL_RSHIFT(source.height, format->log2_chroma_h) : source.height,
        plane_element_bytes(*format, plane)};
    image::rotate_plane_clockwise(view, degrees, destination.data[plane],
                                  destination.linesize[plane]);
  }
  return true;
}

// The display matrix stores the counter-clockwise angle by which the picture
// must be rotated to be shown upright; we report the clockwise equivalent,
// snapped to a quarter turn as players do.
int clockwise_rotation(const AVStream* stream) {
  const auto* matrix = reinterpret_cast<const int32_t*>(
      av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
  if (matrix == nullptr) return 0;
  const double counter_clockwise = av_display_rotation_get(matrix);
  if (std::isnan(counter_clockwise)) return 0;
  const int quarter_turns = static_cast<int>(std::lround(-counter_clockwise / 90.0));
  return ((quarter_turns % 4) + 4) % 4 * 90;
}

double rate_of(AVRational rate) {
  return rate.den > 0 && rate.num > 0 ? av_q2d(rate) : 0.0;
}

}  // namespace

void VideoReader::State::open(const ReaderOptions& options) {
  if (!packet || !frame) fail("out of memory");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail("not a readable file");
  if (std::filesystem::file_size(path, ec) == 0) fail("empty file");

  AVFormatContext* raw_format = nullptr;
  if (int err = avformat_open_input(&raw_format, path.c_str(), nullptr, nullptr); err < 0) {
    fail("cannot open as a video (" + av_error_text(err) + ")");
  }
  format.reset(raw_format);
  if (int err = avformat_find_stream_info(format.get(), nullptr); err < 0) {
    fail("cannot read stream information (" + av_error_text(err) + ")");
  }
  const AVCodec* decoder = nullptr;
  stream_index = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (stream_index == AVERROR_STREAM_NOT_FOUND) fail("no video stream");
  if (stream_index == AVERROR_DECODER_NOT_FOUND || decoder == nullptr) {
    const AVCodecDescriptor* codec_descriptor = nullptr;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
      if (format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
        codec_descriptor = avcodec_descriptor_get(format->streams[i]->codecpar->codec_id);
      }
    }
    fail(std::string("unsupported video codec ") +
         (codec_descriptor != nullptr ? codec_descriptor->name : "(unknown)"));
  }
  if (stream_index < 0) fail("cannot select a video stream (" + av_error_text(stream_index) + ")");
  // Demux only the video stream: audio and data packets are never read into memory.
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    if (static_cast<int>(i) != stream_index) format->streams[i]->discard = AVDISCARD_ALL;
  }
  open_decoder(decoder, options);
  describe_stream();
}

void VideoReader::State::open_decoder(const AVCodec* decoder, const ReaderOptions& options) {
  const AVStream* stream = format->streams[stream_index];
  codec.reset(avcodec_alloc_context3(decoder));
  if (!codec) fail("out of memory");
  if (int err = avcodec_parameters_to_context(codec.get(), stream->codecpar); err < 0) {
    fail("bad codec parameters (" + av_error_text(err) + ")");
  }
  codec->thread_count = options.decoder_threads;
  codec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  codec->pkt_timebase = stream->time_base;
  if (int err = avcodec_open2(codec.get(), decoder, nullptr); err < 0) {
    fail(std::string("cannot open the ") + decoder->name + " decoder (" + av_error_text(err) + ")");
  }
  time_base = stream->time_base;
}

void VideoReader::State::describe_stream() {
  const AVStream* stream = format->streams[stream_index];
  const AVCodecParameters* parameters = stream->codecpar;
  if (parameters->width <= 0 || parameters->height <= 0) fail("video stream has no frame size");
  info.container = format->iformat->name;
  info.codec = codec->codec->name;
  info.rotation = clockwise_rotation(stream);
  indexed_frames = std::max<std::int64_t>(0, stream->nb_frames);
  const bool sideways = info.rotation % 180 != 0;
  info.width = sideways ? parameters->height : parameters->width;
  info.height = sideways ? parameters->width : parameters->height;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
    info.duration_s = static_cast<double>(stream->duration) * av_q2d(stream->time_base);
  } else if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
    info.duration_s = static_cast<double>(format->duration) / AV_TIME_BASE;
  }
  info.average_fps = rate_of(stream->avg_frame_rate);
  info.nominal_fps = rate_of(stream->r_frame_rate);
}

// Sends the next packet of the video stream to the decoder, or the flush
// packet at the end of the file. Returns false when nothing more can be sent.
bool VideoReader::State::feed_decoder() {
  while (!flushing) {
    int err = av_read_frame(format.get(), packet.get());
    if (err < 0) {
      if (err != AVERROR_EOF) {
        damage.read_stopped = true;
        note_first_problem("reading stopped", err);
      }
      flushing = true;
      avcodec_send_packet(codec.get(), nullptr);
      return true;
    }
    const bool ours = packet->stream_index == stream_index;
    if (ours) err = avcodec_send_packet(codec.get(), packet.get());
    av_packet_unref(packet.get());
    if (!ours) continue;
    // A damaged packet is dropped as FFmpeg's own tools do, and decoding goes
    // on with the next one; the caller hears about it.
    if (err < 0 && err != AVERROR(EAGAIN)) {
      ++damage.skipped_packets;
      note_first_problem("damaged data", err);
    }
    return true;
  }
  return false;
}

void VideoReader::State::stamp_current_frame() {
  std::int64_t pts = frame->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) pts = frame->pts;
  if (pts == AV_NOPTS_VALUE) {
    // No timestamp at all: step by the stream's average frame duration.
    const double step = info.average_fps > 0 ? 1000.0 / info.average_fps : 0.0;
    timestamp_ms = frames_decoded == 0 ? 0.0 : timestamp_ms + step;
    return;
  }
  if (first_pts == AV_NOPTS_VALUE) first_pts = pts;
  timestamp_ms = static_cast<double>(pts - first_pts) * av_q2d(time_base) * 1000.0;
}

void set_ffmpeg_logging(bool verbose) {
  av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
}

VideoReader::VideoReader(const std::filesystem::path& path, const ReaderOptions& options)
    : state_(std::make_unique<State>()) {
  state_->path = path;
  state_->open(options);
}

VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

const VideoInfo& VideoReader::info() const {
  return state_->info;
}
double VideoReader::timestamp_ms() const {
  return state_->timestamp_ms;
}
std::int64_t VideoReader::frames_decoded() const {
  return state_->frames_decoded;
}
std::optional<std::string> VideoReader::damage() const {
  const State::Damage& d = state_->damage;
  if (d.first.empty()) return std::nullopt;
  std::vector<std::string> parts;
  const auto count = [](int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  if (d.skipped_packets > 0) {
    parts.push_back(count(d.skipped_packets, "damaged packet", "damaged packets") + " skipped");
  }
  if (d.failed_frames > 0) {
    parts.push_back(count(d.failed_frames, "frame", "frames") + " that failed to decode skipped");
  }
  // A damaged file whose index lists more frames than came out was cut
  // short (a clean file may list frames an edit list hides: not checked).
  const bool short_of_index =
      state_->ended &&
      state_->indexed_frames > state_->frames_decoded + d.failed_frames + d.skipped_packets;
  if (d.read_stopped || short_of_index) {
    parts.push_back("the file ends early (cut short or unreadable" +
                    (short_of_index
                         ? "; its index lists " + std::to_string(state_->indexed_frames) + " frames"
                         : std::string()) +
                    ")");
  }
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  const std::int64_t total = state_->frames_decoded;
  return text + "; the first problem, " + d.first + ", came after frame " +
         std::to_string(d.frames_before_first) + "; " + std::to_string(total) +
         " frames decoded in all, " + std::to_string(total - d.frames_before_first) +
         " of them after it";
}

bool VideoReader::next_frame() {
  State& s = *state_;
  while (true) {
    const int err = avcodec_receive_frame(s.codec.get(), s.frame.get());
    if (err == 0) {
      s.consecutive_failures = 0;
      s.stamp_current_frame();
      ++s.frames_decoded;
      return true;
    }
    if (err == AVERROR_EOF) return s.end();
    if (err != AVERROR(EAGAIN)) {
      // A frame that fails to decode is skipped, as ffmpeg and ffprobe do; the
      // decoder stays usable. A decoder that fails on and on is given up.
      ++s.damage.failed_frames;
      s.note_first_problem("a frame failed to decode", err);
      if (++s.consecutive_failures > kMaxConsecutiveFailures) return s.end();
      continue;
    }
    if (!s.feed_decoder()) return s.end();
  }
}

image::Image VideoReader::to_rgb() {
  State& s = *state_;
  // Rotating the decoded planes before the colour conversion, as the ffmpeg
  // command line does, gives its pixels exactly; rotating the RGB picture
  // after it does not where the conversion mixes neighbours (from 10-bit
  // sources swscale filters chroma and dithers along the other axis).
  const int rotation = s.info.rotation;
  const bool planes_rotated = rotation != 0 && rotate_planes(*s.frame, rotation, *s.upright);
  const AVFrame& f = planes_rotated ? *s.upright : *s.frame;
  const auto source_format = static_cast<AVPixelFormat>(f.format);
  // BICUBIC chroma upsampling, as OpenCV's FFmpeg capture (the Python tool's decoder) uses.
  const SwsContext* previous = s.converter.get();
  s.converter.reset(sws_getCachedContext(s.converter.release(), f.width, f.height, source_format,
                                         f.width, f.height, AV_PIX_FMT_RGB24, SWS_BICUBIC, nullptr,
                                         nullptr, nullptr));
  if (!s.converter) {
    s.fail(std::string("cannot convert pixel format ") +
           (av_get_pix_fmt_name(source_format) ? av_get_pix_fmt_name(source_format) : "?"));
  }
  // yuvj* formats are full range by definition, whatever the frame's flag says.
  const int full_range =
      f.color_range == AVCOL_RANGE_JPEG || source_format == AV_PIX_FMT_YUVJ420P ||
      source_format == AV_PIX_FMT_YUVJ422P || source_format == AV_PIX_FMT_YUVJ444P ||
      source_format == AV_PIX_FMT_YUVJ440P;
  // Setting the colour details rebuilds swscale's tables: only for a new
  // context or a change of range, not on every frame.
  if (s.converter.get() != previous || full_range != s.converter_full_range) {
    const int* coefficients = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(s.converter.get(), coefficients, full_range, coefficients, 1, 0,
                             1 << 16, 1 << 16);
    s.converter_full_range = full_range;
  }
  // swscale's SIMD writes whole vectors, past the last pixel of a row and of
  // the image: convert into a padded scratch buffer, then copy out upright.
  const std::size_t stride = FFALIGN(static_cast<std::size_t>(f.width) * 3, 64);
  s.rgb_scratch.resize(stride * static_cast<std::size_t>(f.height) + 64);
  uint8_t* destination[4] = {s.rgb_scratch.data(), nullptr, nullptr, nullptr};
  int destination_stride[4] = {static_cast<int>(stride), 0, 0, 0};
  sws_scale(s.converter.get(), f.data, f.linesize, 0, f.height, destination, destination_stride);
  const image::ImageView rgb{f.width, f.height, image::ChannelOrder::kRgb, s.rgb_scratch.data(),
                             stride};
  return image::rotate_clockwise(rgb, planes_rotated ? 0 : rotation);
}

}  // namespace signprep::video
