#include "pipeline/clip.h"

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/timed.h"
#include "features/gap_interpolation.h"
#include "features/inception_v3.h"
#include "features/occlusion.h"
#include "image/resize.h"
#include "output/npz_writer.h"
#include "output/parquet_writer.h"
#include "pipeline/clip_meta.h"
#include "pipeline/keypoint_frame.h"
#include "pipeline/output_layout.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::pipeline {
namespace {

struct SampledClip {
  ClipFacts facts;
  std::vector<std::int64_t> timestamps_ms;
  features::KeypointSequence keypoints;
  std::optional<std::string> warning;
};

// Keypoint branch of one kept frame. The Holistic solution's clock starts
// again with each clip, as the Python tool made one solution per video.
void track_frame(const image::Image& rgb, const RunOptions& options,
                 landmarks::HolisticTracker& holistic, SampledClip& clip,
                 ClipStageSeconds& seconds) {
  image::Image frame;
  timed(seconds.resize,
        [&] { frame = image::resize_area(rgb.view(), options.out_size, options.out_size); });
  const std::int64_t call = clip.keypoints.frames;
  append_keypoint_frame(holistic.process(frame.view(), landmarks::solution_timestamp_us(call)),
                        options.conf_thresh, clip.keypoints);
}

// Decodes `video` and runs each kept frame through the branches as it
// comes, so a clip never holds more than one InceptionV3 batch of frames.
SampledClip sample_clip(const std::filesystem::path& video, const RunOptions& options,
                        Extractors& extractors, ClipStageSeconds& seconds,
                        const std::function<void()>& on_frame_kept) {
  video::VideoReader reader(video);
  video::FrameSampler sampler(options.target_fps, options.sampling);
  SampledClip clip;
  for (;;) {
    bool more = false;
    image::Image rgb;
    bool keep = false;
    timed(seconds.decode, [&] {
      more = reader.next_frame();
      keep = more && sampler.keep(reader.timestamp_ms());
      if (keep) rgb = reader.to_rgb();
    });
    if (!more) break;
    if (!keep) continue;
    clip.timestamps_ms.push_back(video::FrameSampler::stored_timestamp(reader.timestamp_ms()));
    if (extractors.holistic) track_frame(rgb, options, *extractors.holistic, clip, seconds);
    if (extractors.iv3) timed(seconds.inception, [&] { extractors.iv3->add(rgb.view()); });
    on_frame_kept();
  }
  clip.warning = reader.damage();
  if (clip.timestamps_ms.empty()) {
    throw Error(ErrorKind::kInput, video.string() + ": no video frame could be decoded" +
                                       (clip.warning ? " (" + *clip.warning + ")" : ""));
  }
  clip.facts.video = video.filename().string();
  clip.facts.source_fps = reader.info().average_fps;
  clip.facts.source_width = reader.info().width;
  clip.facts.source_height = reader.info().height;
  clip.facts.frames_decoded = reader.frames_decoded();
  clip.facts.frames_kept = static_cast<std::int64_t>(clip.timestamps_ms.size());
  return clip;
}

// Returns the files written, the .npz first. The .npz is written last: a
// run killed in between leaves no .npz, which --resume takes as not done.
std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& npz,
                                                 const RunOptions& options, const SampledClip& clip,
                                                 const std::vector<float>& iv3_features,
                                                 bool keypoints) {
  const std::size_t frames = clip.timestamps_ms.size();
  std::vector<std::filesystem::path> files = {npz};
  if (keypoints && options.write_parquet) {
    const std::filesystem::path parquet = parquet_beside(npz);
    output::write_keypoints_parquet(parquet, clip.keypoints.frames, features::kDimsPerFrame,
                                    clip.keypoints.xy, clip.timestamps_ms, clip.keypoints.visible,
                                    features::kKeypointCount);
    files.push_back(parquet);
  }
  const std::size_t x_shape[] = {frames, features::kDimsPerFrame};
  const std::size_t mask_shape[] = {frames, features::kKeypointCount};
  const std::size_t feature_shape[] = {frames, features::InceptionV3::kFeatureCount};
  const std::size_t time_shape[] = {frames};
  output::NpzWriter writer;
  if (keypoints) writer.add_float32("X", x_shape, clip.keypoints.xy);
  if (!iv3_features.empty()) writer.add_float32(options.feature_key, feature_shape, iv3_features);
  if (keypoints) writer.add_bool("mask", mask_shape, clip.keypoints.visible);
  writer.add_int64("timestamps_ms", time_shape, clip.timestamps_ms);
  writer.add_unicode_scalar("meta", clip_meta_json(clip.facts, options));
  writer.write(npz);
  return files;
}

}  // namespace

ClipOutcome process_clip(const std::filesystem::path& video, const std::filesystem::path& npz,
                         const RunOptions& options, Extractors& extractors,
                         const std::function<void()>& on_frame_kept) {
  ClipOutcome outcome;
  if (extractors.holistic) extractors.holistic->reset();
  SampledClip clip;
  try {
    clip = sample_clip(video, options, extractors, outcome.seconds, on_frame_kept);
  } catch (...) {
    if (extractors.iv3)
      extractors.iv3->clear();  // the next clip must not inherit this one's frames
    throw;
  }
  std::vector<float> iv3_features;
  if (extractors.iv3)
    timed(outcome.seconds.inception, [&] { iv3_features = extractors.iv3->finish(); });
  const bool keypoints = extractors.holistic.has_value();
  if (keypoints) {
    timed(outcome.seconds.postprocess, [&] {
      features::interpolate_gaps(clip.keypoints, options.max_gap);
      outcome.occluded = features::is_occluded(clip.keypoints, options.occlusion);
      clip.facts.occluded = outcome.occluded;
    });
  }
  timed(outcome.seconds.writing,
        [&] { outcome.files = write_outputs(npz, options, clip, iv3_features, keypoints); });
  outcome.frames_kept = static_cast<std::int64_t>(clip.timestamps_ms.size());
  outcome.warning = clip.warning;
  return outcome;
}

}  // namespace signprep::pipeline
