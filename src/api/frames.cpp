#include "api/frames.h"

#include <stdexcept>
#include <utility>

#include "core/error.h"
#include "pipeline/run_options.h"

namespace signprep::api {

image::ImageView internal_view(const RgbView& frame) {
  if (frame.data == nullptr || frame.width <= 0 || frame.height <= 0) {
    throw std::invalid_argument("an empty frame: RGB pixels of at least 1x1 are needed");
  }
  if (frame.stride < static_cast<std::size_t>(frame.width) * 3) {
    throw std::invalid_argument("a frame's rows are shorter than width x 3 bytes");
  }
  return {frame.width, frame.height, image::ChannelOrder::kRgb, frame.data, frame.stride};
}

RgbImage public_image(image::Image&& image) {
  return {image.width, image.height, std::move(image.pixels)};
}

std::filesystem::path models_dir_or_default(const std::filesystem::path& given) {
  pipeline::RunOptions options;
  if (!given.empty()) options.models_dir = given;
  return pipeline::models_dir_path(options);
}

video::SamplingRule sampling_rule(const std::string& name) {
  const std::optional<video::SamplingRule> rule = video::parse_sampling_rule(name);
  if (!rule) {
    throw Error(ErrorKind::kUsage,
                "sampling must be \"on-slot\" or \"python\", not \"" + name + "\"");
  }
  return *rule;
}

void require_threads(int threads) {
  if (threads < 1) throw Error(ErrorKind::kUsage, "threads must be at least 1");
}

}  // namespace signprep::api
