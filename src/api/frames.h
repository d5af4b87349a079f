// Private to api/: the public types' counterparts below, and the defaults
// the API shares with the command line.
#pragma once

#include <filesystem>
#include <string>

#include "image/image.h"
#include "signprep/image.h"
#include "video/frame_sampler.h"

namespace signprep::api {

// Throws std::invalid_argument for an empty frame or a stride shorter than a row.
image::ImageView internal_view(const RgbView& frame);

// Takes the pixels over; no copy.
RgbImage public_image(image::Image&& image);

// `given`, else what `signprep --models-dir` defaults to.
std::filesystem::path models_dir_or_default(const std::filesystem::path& given);

// "on-slot" or "python"; throws Error(kUsage) for any other name.
video::SamplingRule sampling_rule(const std::string& name);

// Throws Error(kUsage) "NAME must be at least 1" for fewer threads.
void require_threads(int threads);

}  // namespace signprep::api
