#include "signprep/extract.h"

#include <utility>

#include "api/frames.h"
#include "core/error.h"
#include "features/keypoints.h"
#include "pipeline/clip.h"
#include "pipeline/run_options.h"

namespace signprep {
namespace {

pipeline::RunOptions run_options(const ExtractOptions& o) {
  if (!o.keypoints && !o.iv3_features) {
    throw Error(ErrorKind::kUsage, "nothing to extract: ask for keypoints, iv3_features or both");
  }
  api::require_threads(o.threads);
  pipeline::RunOptions run;
  run.write_keypoints = o.keypoints;
  run.write_iv3_features = o.iv3_features;
  run.target_fps = o.target_fps;
  run.sampling = api::sampling_rule(o.sampling);
  run.out_size = o.out_size;
  run.conf_thresh = o.conf_thresh;
  run.max_gap = o.max_gap;
  run.feature_key = o.feature_key;
  run.occlusion = {o.occ_vis_thresh, o.occ_frame_prop, o.occ_min_run};
  run.holistic = {.model_complexity = o.model_complexity,
                  .refine_face = o.refine_face,
                  .smooth_landmarks = o.smooth_landmarks,
                  .segmentation = o.segmentation};
  if (o.keypoint_set == "full") {
    run.keypoint_set = pipeline::KeypointSet::kFull;
  } else if (o.keypoint_set != "78") {
    throw Error(ErrorKind::kUsage, "--keypoints takes 78 or full, not " + o.keypoint_set);
  }
  if (!o.models_dir.empty()) run.models_dir = o.models_dir;
  if (!o.iv3_weights.empty()) run.iv3_weights = o.iv3_weights;
  pipeline::validate(run);
  return run;
}

LandmarkArrays public_arrays(pipeline::LandmarkBlocks&& blocks) {
  return {blocks.face_points,
          std::move(blocks.pose),
          std::move(blocks.pose_world),
          std::move(blocks.left_hand),
          std::move(blocks.right_hand),
          std::move(blocks.face),
          std::move(blocks.pose_present),
          std::move(blocks.left_hand_present),
          std::move(blocks.right_hand_present),
          std::move(blocks.face_present)};
}

}  // namespace

struct Extractor::Impl {
  pipeline::RunOptions options;
  pipeline::Extractors extractors;

  Impl(pipeline::RunOptions run, int threads)
      : options(std::move(run)), extractors(pipeline::load_extractors(options, threads)) {}
};

Extractor::Extractor(const ExtractOptions& options)
    : impl_(std::make_unique<Impl>(run_options(options), options.threads)) {}
Extractor::Extractor(Extractor&&) noexcept = default;
Extractor& Extractor::operator=(Extractor&&) noexcept = default;
Extractor::~Extractor() = default;

ClipArrays Extractor::extract(const std::filesystem::path& video) {
  pipeline::ClipStageSeconds seconds;
  pipeline::ClipArrays clip = pipeline::extract_clip(
      video, impl_->options, impl_->extractors, [] {}, seconds);
  ClipArrays arrays;
  if (clip.keypoints) {
    arrays.X = std::move(clip.keypoints->xy);
    arrays.mask = std::move(clip.keypoints->visible);
  }
  if (clip.iv3_features) arrays.features = std::move(*clip.iv3_features);
  arrays.timestamps_ms = std::move(clip.timestamps_ms);
  arrays.feature_key = impl_->options.feature_key;
  arrays.meta_json = std::move(clip.meta_json);
  arrays.occluded = clip.occluded;
  arrays.warning = std::move(clip.warning);
  if (impl_->options.keypoint_set == pipeline::KeypointSet::kFull && clip.landmark_blocks) {
    arrays.landmarks = public_arrays(std::move(*clip.landmark_blocks));
  }
  return arrays;
}

}  // namespace signprep
