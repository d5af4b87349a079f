#include "signprep/segmentation.h"

#include <string>

#include "api/frames.h"
#include "core/error.h"
#include "landmarks/segmentation.h"

namespace signprep {
namespace {

landmarks::SelfieSegmenter load_segmenter(const SelfieSegmentationOptions& o) {
  if (o.model_selection == 0) {
    throw Error(ErrorKind::kUnavailable,
                "model_selection=0 (the general 256x256 model) is not built; signprep runs "
                "the landscape model, model_selection=1");
  }
  if (o.model_selection != 1) {
    throw Error(ErrorKind::kUsage,
                "model_selection must be 0 or 1, not " + std::to_string(o.model_selection));
  }
  api::require_threads(o.threads);
  nn::ModelOptions model;
  model.threads = o.threads;
  return landmarks::SelfieSegmenter(
      api::models_dir_or_default(o.models_dir) / "selfie_segmentation_landscape.tflite", model);
}

}  // namespace

struct SelfieSegmentation::Impl {
  landmarks::SelfieSegmenter segmenter;
};

SelfieSegmentation::SelfieSegmentation(const SelfieSegmentationOptions& options)
    : impl_(std::make_unique<Impl>(Impl{load_segmenter(options)})) {}
SelfieSegmentation::SelfieSegmentation(SelfieSegmentation&&) noexcept = default;
SelfieSegmentation& SelfieSegmentation::operator=(SelfieSegmentation&&) noexcept = default;
SelfieSegmentation::~SelfieSegmentation() = default;

SegmentationMask SelfieSegmentation::process(const RgbView& frame) {
  landmarks::SegmentationMask mask = impl_->segmenter.segment(api::internal_view(frame));
  return {mask.width, mask.height, std::move(mask.values)};
}

}  // namespace signprep
