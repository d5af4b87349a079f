#include "video/mp4_writer.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <stdexcept>

#include "core/error.h"
#include "video/ffmpeg_handles.h"

namespace signprep::video {
namespace {

using namespace detail;

constexpr AVRational kMilliseconds = {1, 1000};

struct OutputFormatFreer {
  void operator()(AVFormatContext* context) const {
    if (context->pb != nullptr) avio_closep(&context->pb);
    avformat_free_context(context);
  }
};
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatFreer>;

}  // namespace

struct Mp4Writer::Impl {
  std::filesystem::path path;
  OutputFormatPtr format;
  CodecContextPtr codec;
  SwsContextPtr convert;
  FramePtr frame;
  PacketPtr packet;
  AVStream* stream = nullptr;
  int width = 0, height = 0;
  std::int64_t frame_duration_ms = 0;

  [[noreturn]] void fail(const std::string& what, int code) const {
    throw Error(ErrorKind::kOutput,
                "cannot write " + path.string() + ": " + what + " (" + av_error_text(code) + ")");
  }

  // Sends `input` (nullptr: flush) and writes every packet that comes out.
  void encode(const AVFrame* input) {
    if (int err = avcodec_send_frame(codec.get(), input); err < 0) fail("encoding", err);
    for (;;) {
      const int err = avcodec_receive_packet(codec.get(), packet.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      if (err < 0) fail("encoding", err);
      // The muxer times each sample by the next one's; the last by this.
      if (packet->duration == 0) packet->duration = frame_duration_ms;
      av_packet_rescale_ts(packet.get(), kMilliseconds, stream->time_base);
      packet->stream_index = stream->index;
      if (int written = av_interleaved_write_frame(format.get(), packet.get()); written < 0) {
        fail("writing", written);
      }
    }
  }
};

Mp4Writer::Mp4Writer(const std::filesystem::path& path, int width, int height,
                     std::int64_t frame_duration_ms)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  w.path = path;
  w.width = width;
  w.height = height;
  w.frame_duration_ms = frame_duration_ms;
  if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
    throw std::invalid_argument("Mp4Writer: frame sides must be positive and even");
  }
  const AVCodec* h264 = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (h264 == nullptr) {
    throw Error(ErrorKind::kUnavailable,
                "this FFmpeg has no H.264 encoder (Debian's libavcodec59 has libx264); write a "
                ".png contact sheet instead");
  }
  AVFormatContext* raw_format = nullptr;
  if (int err = avformat_alloc_output_context2(&raw_format, nullptr, "mp4", path.c_str());
      err < 0) {
    w.fail("no mp4 muxer", err);
  }
  w.format.reset(raw_format);
  w.codec.reset(avcodec_alloc_context3(h264));
  w.frame.reset(av_frame_alloc());
  w.packet.reset(av_packet_alloc());
  if (!w.codec || !w.frame || !w.packet) w.fail("out of memory", AVERROR(ENOMEM));
  w.codec->width = width;
  w.codec->height = height;
  w.codec->pix_fmt = AV_PIX_FMT_YUV420P;
  w.codec->time_base = kMilliseconds;
  w.codec->max_b_frames = 0;  // packets in display order
  w.codec->framerate = {1000, static_cast<int>(std::max<std::int64_t>(1, frame_duration_ms))};
  if (w.format->oformat->flags & AVFMT_GLOBALHEADER) w.codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(w.codec->priv_data, "preset", "veryfast", 0);
  av_opt_set(w.codec->priv_data, "crf", "23", 0);
  if (int err = avcodec_open2(w.codec.get(), h264, nullptr); err < 0) w.fail("H.264 encoder", err);
  w.stream = avformat_new_stream(w.format.get(), nullptr);
  if (w.stream == nullptr) w.fail("out of memory", AVERROR(ENOMEM));
  w.stream->time_base = kMilliseconds;
  if (int err = avcodec_parameters_from_context(w.stream->codecpar, w.codec.get()); err < 0) {
    w.fail("stream parameters", err);
  }
  if (int err = avio_open(&w.format->pb, path.c_str(), AVIO_FLAG_WRITE); err < 0) {
    w.fail("opening", err);
  }
  if (int err = avformat_write_header(w.format.get(), nullptr); err < 0) w.fail("header", err);
  w.frame->format = AV_PIX_FMT_YUV420P;
  w.frame->width = width;
  w.frame->height = height;
  if (int err = av_frame_get_buffer(w.frame.get(), 0); err < 0) w.fail("frame buffer", err);
  w.convert.reset(sws_getContext(width, height, AV_PIX_FMT_BGRA, width, height, AV_PIX_FMT_YUV420P,
                                 SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!w.convert) w.fail("colour conversion", AVERROR(EINVAL));
}

Mp4Writer::~Mp4Writer() = default;

void Mp4Writer::write(std::span<const std::uint8_t> bgra, int stride, std::int64_t time_ms) {
  Impl& w = *impl_;
  if (bgra.size() < static_cast<std::size_t>(stride) * w.height || stride < 4 * w.width) {
    throw std::invalid_argument("Mp4Writer::write: the pixels do not fill a frame");
  }
  if (int err = av_frame_make_writable(w.frame.get()); err < 0) w.fail("frame buffer", err);
  const std::uint8_t* source[] = {bgra.data()};
  const int source_stride[] = {stride};
  sws_scale(w.convert.get(), source, source_stride, 0, w.height, w.frame->data, w.frame->linesize);
  w.frame->pts = time_ms;
  w.encode(w.frame.get());
}

void Mp4Writer::finish() {
  impl_->encode(nullptr);
  if (int err = av_write_trailer(impl_->format.get()); err < 0) impl_->fail("index", err);
  if (int err = avio_closep(&impl_->format->pb); err < 0) impl_->fail("closing", err);
}

}  // namespace signprep::video
