#include "signprep/inception_v3.h"

#include "api/frames.h"
#include "features/frame_features.h"
#include "pipeline/clip.h"
#include "pipeline/run_options.h"

namespace signprep {
namespace {

// The command line's CPU network, so that features are its features.
std::unique_ptr<features::FrameFeatures> load_network(const InceptionV3Options& o) {
  api::require_threads(o.threads);
  pipeline::RunOptions run;
  if (!o.weights.empty()) run.iv3_weights = o.weights;
  return pipeline::load_cpu_inception(run, o.threads);
}

}  // namespace

struct InceptionV3::Impl {
  std::unique_ptr<features::FrameFeatures> network;
};

InceptionV3::InceptionV3(const InceptionV3Options& options)
    : impl_(std::make_unique<Impl>(Impl{load_network(options)})) {}
InceptionV3::InceptionV3(InceptionV3&&) noexcept = default;
InceptionV3& InceptionV3::operator=(InceptionV3&&) noexcept = default;
InceptionV3::~InceptionV3() = default;

std::vector<float> InceptionV3::features(std::span<const RgbView> frames) {
  features::FrameFeatures& network = *impl_->network;
  try {
    for (const RgbView& frame : frames) network.add(api::internal_view(frame));
  } catch (...) {
    network.clear();  // the next call must not inherit these frames
    throw;
  }
  return network.finish();
}

}  // namespace signprep
