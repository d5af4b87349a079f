#include "render/render.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "core/error.h"
#include "core/json.h"
#include "features/keypoints.h"
#include "image/image.h"
#include "output/atomic_file.h"
#include "output/npz_reader.h"
#include "render/overlay.h"
#include "video/frame_sampler.h"
#include "video/mp4_writer.h"
#include "video/video_reader.h"

namespace signprep::render {
namespace {

namespace fs = std::filesystem;

constexpr int kSheetWidth = 1600;
constexpr int kSheetColumns = 4;
// 25 rows: a sheet a person can still look at, and inside Cairo's 32,767 px
// for any usual aspect ratio.
constexpr int kMaxSheetFrames = 100;
constexpr int kVideoMaxWidth = 1280;
constexpr int kPlainWidth = 720;

// What a clip's .npz says, checked.
// --keypoints full's blocks, frame-major, with the frames each was found in.
struct Block {
  std::vector<float> values;
  std::vector<std::uint8_t> present;
  std::size_t per_frame = 0;  // floats

  std::span<const float> frame(std::size_t t) const {
    if (present[t] == 0) return {};
    return std::span(values).subspan(t * per_frame, per_frame);
  }
};

struct Landmarks {
  Block pose, left_hand, right_hand, face;
};

struct Clip {
  std::size_t frames = 0;
  std::optional<Landmarks> landmarks;  // drawn instead of the 78 points when there
  std::vector<float> xy;
  std::vector<std::uint8_t> visible;
  std::vector<std::int64_t> timestamps_ms;
  std::optional<bool> occluded;  // signprep's meta only
  std::int64_t frame_duration_ms = 0;
  int source_width = 0;  // from signprep's meta; 0 when unknown
  int source_height = 0;
  std::optional<std::string> video_name;

  FrameKeypoints frame(std::size_t t) const {
    return {std::span(xy).subspan(t * features::kDimsPerFrame, features::kDimsPerFrame),
            std::span(visible).subspan(t * features::kKeypointCount, features::kKeypointCount)};
  }
  FrameLandmarks frame_landmarks(std::size_t t) const {
    return {landmarks->pose.frame(t), landmarks->left_hand.frame(t), landmarks->right_hand.frame(t),
            landmarks->face.frame(t)};
  }
};

// A block of `frames` frames, when the .npz holds it as --keypoints full
// writes it ([T, points, width] float32 and [T] bool).
std::optional<Block> read_block(const std::vector<output::NpzMember>& members,
                                const std::string& name, std::size_t frames, std::size_t width) {
  const output::NpyArray* values = nullptr;
  const output::NpyArray* present = nullptr;
  for (const output::NpzMember& m : members) {
    if (m.name == name) values = &m.array;
    if (m.name == name + "_present") present = &m.array;
  }
  if (values == nullptr || present == nullptr || values->descr != "<f4" ||
      values->shape.size() != 3 || values->shape[0] != frames || values->shape[2] != width ||
      present->descr != "|b1" || present->shape != std::vector<std::size_t>{frames}) {
    return std::nullopt;
  }
  return Block{values->float32_values(), present->bool_values(), values->shape[1] * width};
}

std::optional<Landmarks> read_landmarks(const std::vector<output::NpzMember>& members,
                                        std::size_t frames) {
  std::optional<Block> pose = read_block(members, "pose", frames, 4);
  std::optional<Block> left = read_block(members, "left_hand", frames, 3);
  std::optional<Block> right = read_block(members, "right_hand", frames, 3);
  std::optional<Block> face = read_block(members, "face", frames, 3);
  if (!pose || !left || !right || !face) return std::nullopt;
  return Landmarks{std::move(*pose), std::move(*left), std::move(*right), std::move(*face)};
}

double number_or(const JsonValue* value, double fallback) {
  if (value == nullptr) return fallback;
  if (const std::int64_t* i = value->as_int()) return static_cast<double>(*i);
  if (const double* d = value->as_double()) return *d;
  return fallback;
}

void read_meta(const output::NpyArray& array, Clip& clip) {
  JsonValue meta;
  try {
    meta = parse_json(array.unicode_scalar());
  } catch (const Error&) {
    return;  // a damaged meta costs only the caption's details
  }
  if (const JsonValue* occluded = meta.find("occluded"); occluded && occluded->as_bool()) {
    clip.occluded = *occluded->as_bool();
  }
  if (const JsonValue* video = meta.find("video"); video && video->as_string()) {
    clip.video_name = *video->as_string();
  }
  const double fps = number_or(meta.find("target_fps"), 0);
  if (fps > 0) clip.frame_duration_ms = std::max<std::int64_t>(1, std::llround(1000 / fps));
  clip.source_width = static_cast<int>(number_or(meta.find("source_width"), 0));
  clip.source_height = static_cast<int>(number_or(meta.find("source_height"), 0));
}

Clip read_clip(const fs::path& path) {
  Clip clip;
  const output::NpyArray* x = nullptr;
  const output::NpyArray* mask = nullptr;
  const output::NpyArray* times = nullptr;
  const std::vector<output::NpzMember> members = output::read_npz(path);
  for (const output::NpzMember& m : members) {
    if (m.name == "X") x = &m.array;
    if (m.name == "mask") mask = &m.array;
    if (m.name == "timestamps_ms") times = &m.array;
    if (m.name == "meta") read_meta(m.array, clip);
  }
  const auto fail = [&](const std::string& problem) {
    throw Error(ErrorKind::kInput, path.string() + ": " + problem);
  };
  if (x == nullptr || mask == nullptr || times == nullptr) {
    fail(
        "no keypoints to draw (needs X, mask and timestamps_ms; was it written with "
        "--write-keypoints?)");
  }
  const std::size_t frames = times->shape.size() == 1 ? times->shape[0] : 0;
  if (frames == 0) fail("timestamps_ms must be a non-empty [T] array");
  if (x->shape != std::vector<std::size_t>{frames, std::size_t{features::kDimsPerFrame}} ||
      mask->shape != std::vector<std::size_t>{frames, std::size_t{features::kKeypointCount}}) {
    fail("X must be [T,156] and mask [T,78] with T = " + std::to_string(frames));
  }
  clip.frames = frames;
  clip.landmarks = read_landmarks(members, frames);
  clip.xy = x->float32_values();
  clip.visible = mask->bool_values();
  clip.timestamps_ms = times->int64_values();
  for (std::size_t t = 1; t < frames; ++t) {
    if (clip.timestamps_ms[t] <= clip.timestamps_ms[t - 1]) fail("timestamps_ms must increase");
  }
  if (clip.frame_duration_ms == 0) {  // no meta: the clip's own spacing
    clip.frame_duration_ms =
        frames > 1
            ? std::max<std::int64_t>(1, (clip.timestamps_ms.back() - clip.timestamps_ms.front()) /
                                            static_cast<std::int64_t>(frames - 1))
            : 66;
  }
  return clip;
}

std::string caption(const Clip& clip, std::size_t t) {
  const char* occluded = !clip.occluded ? "?" : *clip.occluded ? "yes" : "no";
  return "t " + std::to_string(clip.timestamps_ms[t]) + " ms  frame " + std::to_string(t + 1) +
         "/" + std::to_string(clip.frames) + "  occluded: " + occluded;
}

// The video frame shown at each stored timestamp: the last one at or before
// it. Asked in increasing time, as drawing goes.
class VideoBackgrounds {
 public:
  VideoBackgrounds(const fs::path& video, std::int64_t frame_duration_ms)
      : path_(video),
        reader_(video),
        // A frame may stand for the keypoints' time when it is not far off:
        // two sampling intervals, at least 100 ms.
        slack_ms_(std::max<std::int64_t>(100, 2 * frame_duration_ms)) {
    read_next();
    if (!next_ms_) throw Error(ErrorKind::kInput, video.string() + ": no frame could be decoded");
  }

  int width() const { return reader_.info().width; }
  int height() const { return reader_.info().height; }

  const image::Image& at(std::int64_t wanted_ms) {
    while (next_ms_ && (*next_ms_ <= wanted_ms || !current_)) {
      current_ = reader_.to_rgb();
      current_ms_ = *next_ms_;
      read_next();
    }
    if (std::abs(wanted_ms - current_ms_) > slack_ms_) {
      throw Error(ErrorKind::kInput, path_.string() + " has no frame near " +
                                         std::to_string(wanted_ms) + " ms (the nearest is at " +
                                         std::to_string(current_ms_) +
                                         " ms): is it the video this .npz was made from?");
    }
    return *current_;
  }

 private:
  void read_next() {
    next_ms_.reset();
    if (reader_.next_frame()) {
      next_ms_ = video::FrameSampler::stored_timestamp(reader_.timestamp_ms());
    }
  }

  fs::path path_;
  video::VideoReader reader_;
  std::int64_t slack_ms_;
  std::optional<image::Image> current_;
  std::int64_t current_ms_ = 0;
  std::optional<std::int64_t> next_ms_;  // the reader's frame, not yet taken
};

struct SurfaceDestroyer {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextDestroyer {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDestroyer>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDestroyer>;

// A Cairo surface to draw on, with its context.
struct Canvas {
  SurfacePtr surface;
  ContextPtr cr;

  Canvas(int width, int height)
      : surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height)),
        cr(cairo_create(surface.get())) {
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      throw Error(ErrorKind::kOutput, "cannot make a " + std::to_string(width) + "x" +
                                          std::to_string(height) + " drawing surface");
    }
  }
};

// Paints `rgb` scaled into `box`, or a plain dark grey without a frame.
void paint_background(cairo_t* cr, const Box& box, const image::Image* rgb) {
  if (rgb == nullptr) {
    cairo_rectangle(cr, box.x, box.y, box.width, box.height);
    cairo_set_source_rgb(cr, 0.12, 0.12, 0.14);
    cairo_fill(cr);
    return;
  }
  const SurfacePtr frame(cairo_image_surface_create(CAIRO_FORMAT_RGB24, rgb->width, rgb->height));
  cairo_surface_flush(frame.get());
  std::uint8_t* data = cairo_image_surface_get_data(frame.get());
  const int stride = cairo_image_surface_get_stride(frame.get());
  for (int y = 0; y < rgb->height; ++y) {
    const std::uint8_t* in = rgb->view().row(y);
    auto* out = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < rgb->width; ++x, in += 3) {
      out[x] = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    }
  }
  cairo_surface_mark_dirty(frame.get());
  cairo_save(cr);
  cairo_translate(cr, box.x, box.y);
  cairo_scale(cr, box.width / rgb->width, box.height / rgb->height);
  cairo_set_source_surface(cr, frame.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
  cairo_restore(cr);
}

void draw_frame(cairo_t* cr, const Box& box, const Clip& clip, std::size_t t,
                const image::Image* background) {
  paint_background(cr, box, background);
  if (clip.landmarks) {
    draw_landmarks(cr, box, clip.frame_landmarks(t));
  } else {
    draw_keypoints(cr, box, clip.frame(t));
  }
  draw_caption(cr, box, caption(clip, t));
}

int even(double value) {
  return std::max(2, 2 * static_cast<int>(std::lround(value / 2)));
}

RenderResult render_video(const Clip& clip, std::optional<VideoBackgrounds>& video,
                          const std::pair<int, int>& source, const fs::path& output) {
  const int width = even(video ? std::min(source.first, kVideoMaxWidth) : kPlainWidth);
  const int height = even(width * static_cast<double>(source.second) / source.first);
  const Canvas canvas(width, height);
  const Box box{0, 0, double(width), double(height)};
  output::AtomicPath file(output);
  video::Mp4Writer writer(file.temporary(), width, height, clip.frame_duration_ms);
  const int stride = cairo_image_surface_get_stride(canvas.surface.get());
  for (std::size_t t = 0; t < clip.frames; ++t) {
    const image::Image* background = video ? &video->at(clip.timestamps_ms[t]) : nullptr;
    draw_frame(canvas.cr.get(), box, clip, t, background);
    cairo_surface_flush(canvas.surface.get());
    const std::uint8_t* pixels = cairo_image_surface_get_data(canvas.surface.get());
    writer.write({pixels, static_cast<std::size_t>(stride) * height}, stride,
                 clip.timestamps_ms[t]);
  }
  writer.finish();
  file.commit();
  return {static_cast<std::int64_t>(clip.frames), width, height, {}};
}

// `tiles` frames spread evenly over the clip, first and last included.
std::vector<std::size_t> evenly_spaced(std::size_t frames, int tiles) {
  const std::size_t count = std::min<std::size_t>(frames, static_cast<std::size_t>(tiles));
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < count; ++i) {
    indices.push_back(count == 1 ? 0 : (i * (frames - 1) + (count - 1) / 2) / (count - 1));
  }
  return indices;
}

RenderResult render_sheet(const Clip& clip, std::optional<VideoBackgrounds>& video,
                          const std::pair<int, int>& source, const fs::path& output, int tiles) {
  const std::vector<std::size_t> indices = evenly_spaced(clip.frames, tiles);
  const int count = static_cast<int>(indices.size());
  const int columns = std::min(kSheetColumns, count);
  const int rows = (count + columns - 1) / columns;
  const int tile_width = kSheetWidth / columns;
  const int tile_height =
      std::max(1, static_cast<int>(
                      std::lround(tile_width * static_cast<double>(source.second) / source.first)));
  constexpr double kGap = 4;
  const int width = columns * tile_width;
  const int height = rows * tile_height;
  const Canvas canvas(width, height);
  cairo_set_source_rgb(canvas.cr.get(), 0, 0, 0);
  cairo_paint(canvas.cr.get());
  for (int i = 0; i < count; ++i) {
    const std::size_t t = indices[i];
    const Box box{double(i % columns * tile_width), double(i / columns * tile_height),
                  tile_width - kGap, tile_height - kGap};
    const image::Image* background = video ? &video->at(clip.timestamps_ms[t]) : nullptr;
    draw_frame(canvas.cr.get(), box, clip, t, background);
  }
  output::AtomicPath file(output);
  if (const cairo_status_t status =
          cairo_surface_write_to_png(canvas.surface.get(), file.temporary().c_str());
      status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorKind::kOutput,
                "cannot write " + output.string() + ": " + cairo_status_to_string(status));
  }
  file.commit();
  return {count, width, height, {}};
}

std::string lowercase_extension(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

}  // namespace

RenderResult render(const RenderOptions& options) {
  const std::string extension = lowercase_extension(options.output);
  if (extension != ".mp4" && extension != ".png") {
    throw Error(ErrorKind::kUsage, "-o must name an .mp4 (video) or a .png (contact sheet), not " +
                                       options.output.string());
  }
  if (options.frames < 1 || options.frames > kMaxSheetFrames) {
    throw Error(ErrorKind::kUsage,
                "--frames must be between 1 and " + std::to_string(kMaxSheetFrames));
  }
  const Clip clip = read_clip(options.npz);
  std::vector<std::string> warnings;
  std::optional<VideoBackgrounds> video;
  std::pair<int, int> source = {1, 1};
  if (options.video) {
    video.emplace(*options.video, clip.frame_duration_ms);
    source = {video->width(), video->height()};
    if (clip.video_name && *clip.video_name != options.video->filename().string()) {
      warnings.push_back("the .npz was made from " + *clip.video_name + ", not " +
                         options.video->filename().string());
    }
  } else if (clip.source_width > 0 && clip.source_height > 0) {
    source = {clip.source_width, clip.source_height};
  } else {
    warnings.push_back(
        "the .npz does not record its video's size (the Python tool's do not): "
        "drawn square; pass --video for the real shape");
  }
  RenderResult result = extension == ".mp4"
                            ? render_video(clip, video, source, options.output)
                            : render_sheet(clip, video, source, options.output, options.frames);
  result.warnings = std::move(warnings);
  return result;
}

}  // namespace signprep::render
