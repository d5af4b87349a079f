#include "pipeline/iv3_calibration.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/fnv1a.h"
#include "core/json.h"
#include "features/inception_v3.h"
#include "output/atomic_file.h"
#include "output/json_writer.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::pipeline {
namespace {

constexpr std::string_view kFormat = "signprep InceptionV3 int8 calibration";
constexpr std::int64_t kVersion = 1;

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string bytes_fnv1a64(std::string_view bytes) {
  Fnv1a64 hash;
  hash.add(bytes);
  return hex(hash.value());
}

// The whole file's FNV-1a, read in pieces: the weights are ~95 MB.
std::string file_fnv1a64(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kModel, "cannot read " + path.string());
  Fnv1a64 hash;
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    hash.add(std::as_bytes(std::span(buffer.data(), static_cast<std::size_t>(in.gcount()))));
  }
  return hex(hash.value());
}

std::vector<image::Image> frames_of(const std::filesystem::path& video, int count, double fps) {
  video::VideoReader reader(video);
  video::FrameSampler sampler(fps);
  std::vector<image::Image> frames;
  while (static_cast<int>(frames.size()) < count && reader.next_frame()) {
    if (sampler.keep(reader.timestamp_ms())) frames.push_back(reader.to_rgb());
  }
  if (frames.empty()) throw Error(ErrorKind::kInput, video.string() + ": no frame to calibrate on");
  return frames;
}

std::string how_to_make(const std::filesystem::path& path, const std::filesystem::path& weights) {
  return " (make one with: signprep calibrate-iv3 --iv3-weights " + weights.string() + " --out " +
         path.string() + " VIDEO..., e.g. the checkout's samples/*.mp4; README: \"Precision\")";
}

}  // namespace

std::filesystem::path default_iv3_calibration_path(const std::filesystem::path& weights) {
  return std::filesystem::path(weights).replace_extension(".int8.json");
}

Iv3Calibration calibrate_iv3(const std::filesystem::path& weights,
                             const std::vector<std::filesystem::path>& videos, int frames_per_video,
                             double fps) {
  Iv3Calibration calibration;
  std::vector<image::Image> frames;
  for (const std::filesystem::path& video : videos) {
    std::vector<image::Image> taken = frames_of(video, frames_per_video, fps);
    calibration.videos.emplace_back(video.filename().string(), static_cast<int>(taken.size()));
    for (image::Image& frame : taken) frames.push_back(std::move(frame));
  }
  std::vector<image::ImageView> views;
  for (const image::Image& frame : frames) views.push_back(frame.view());
  calibration.ranges = features::InceptionV3::calibrate(weights, views);
  calibration.weights_bytes = std::filesystem::file_size(weights);
  calibration.weights_fnv1a64 = file_fnv1a64(weights);
  return calibration;
}

void write_iv3_calibration(const std::filesystem::path& path, const Iv3Calibration& calibration) {
  JsonValue::Array videos;
  for (const auto& [name, frames] : calibration.videos) {
    videos.push_back(JsonValue::Object{{"video", name}, {"frames", frames}});
  }
  JsonValue::Object ranges;
  for (const auto& [tensor, range] : calibration.ranges) ranges.emplace_back(tensor, double{range});
  const std::string text =
      output::dump_json(JsonValue::Object{
          {"format", std::string(kFormat)},
          {"version", kVersion},
          {"weights",
           JsonValue::Object{{"bytes", static_cast<std::int64_t>(calibration.weights_bytes)},
                             {"fnv1a64", calibration.weights_fnv1a64}}},
          {"videos", std::move(videos)},
          {"ranges", std::move(ranges)}}) +
      "\n";
  output::write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

LoadedIv3Calibration load_iv3_calibration(const std::filesystem::path& path,
                                          const std::filesystem::path& weights) {
  const auto fail = [&](const std::string& problem) {
    return Error(ErrorKind::kModel, "--iv3-precision int8: the calibration " + path.string() + " " +
                                        problem + how_to_make(path, weights));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail(std::filesystem::exists(path) ? "cannot be read" : "does not exist");
  std::ostringstream text;
  text << in.rdbuf();
  JsonValue root;
  try {
    root = parse_json(text.str());
  } catch (const JsonError& error) {
    throw fail(std::string("is not valid JSON: ") + error.what());
  }
  const JsonValue* format = root.find("format");
  const JsonValue* version = root.find("version");
  const JsonValue* ranges = root.find("ranges");
  const JsonValue* bytes = root.find("weights") ? root.find("weights")->find("bytes") : nullptr;
  const JsonValue* hash = root.find("weights") ? root.find("weights")->find("fnv1a64") : nullptr;
  if (!format || !format->as_string() || *format->as_string() != kFormat || !ranges ||
      !ranges->as_object() || !bytes || !bytes->as_int() || !hash || !hash->as_string()) {
    throw fail("is not a signprep InceptionV3 int8 calibration");
  }
  if (!version || !version->as_int() || *version->as_int() != kVersion) {
    throw fail("has a version this signprep does not read");
  }
  std::error_code error;
  const std::uintmax_t weights_bytes = std::filesystem::file_size(weights, error);
  if (error || static_cast<std::uintmax_t>(*bytes->as_int()) != weights_bytes ||
      *hash->as_string() != file_fnv1a64(weights)) {
    throw fail("was made for other weights than " + weights.string());
  }
  LoadedIv3Calibration result{{}, bytes_fnv1a64(text.str())};
  for (const auto& [tensor, range] : *ranges->as_object()) {
    if (!range.is_number()) throw fail("has a range that is not a number: " + tensor);
    result.ranges[tensor] = range.as_double() ? static_cast<float>(*range.as_double())
                                              : static_cast<float>(*range.as_int());
  }
  return result;
}

}  // namespace signprep::pipeline
