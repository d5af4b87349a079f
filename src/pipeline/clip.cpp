#include "pipeline/clip.h"

#include <unistd.h>

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
#include "pipeline/feature_client.h"
#include "pipeline/feature_link.h"
#include "pipeline/islr_parquet.h"
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
  std::optional<LandmarkBlocks> landmark_blocks;
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
  const landmarks::HolisticFrame result =
      holistic.process(frame.view(), landmarks::solution_timestamp_us(call));
  append_keypoint_frame(result, options.conf_thresh, clip.keypoints);
  if (clip.landmark_blocks) clip.landmark_blocks->add(result);
}

// Decodes `video` and runs each kept frame through the branches as it
// comes, so a clip never holds more than one InceptionV3 batch of frames.
SampledClip sample_clip(const std::filesystem::path& video, const RunOptions& options,
                        Extractors& extractors, ClipStageSeconds& seconds,
                        const std::function<void()>& on_frame_kept) {
  video::VideoReader reader(video, video::ReaderOptions{extractors.decoder_threads});
  video::FrameSampler sampler(options.target_fps, options.sampling);
  SampledClip clip;
  if (options.keeps_landmark_blocks())
    clip.landmark_blocks.emplace(face_point_count(options.holistic));
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
                                                 const RunOptions& options,
                                                 const ClipArrays& clip) {
  const std::size_t frames = clip.timestamps_ms.size();
  const bool keypoints = clip.keypoints.has_value();
  std::vector<std::filesystem::path> files = {npz};
  if (keypoints && options.write_parquet) {
    const std::filesystem::path parquet = parquet_beside(npz);
    if (options.parquet_layout == ParquetLayout::kIslr) {
      write_islr_parquet(parquet, *clip.landmark_blocks);
    } else {
      output::write_keypoints_parquet(parquet, clip.keypoints->frames, features::kDimsPerFrame,
                                      clip.keypoints->xy, clip.timestamps_ms,
                                      clip.keypoints->visible, features::kKeypointCount);
    }
    files.push_back(parquet);
  }
  const std::size_t x_shape[] = {frames, features::kDimsPerFrame};
  const std::size_t mask_shape[] = {frames, features::kKeypointCount};
  const std::size_t feature_shape[] = {frames, features::InceptionV3::kFeatureCount};
  const std::size_t time_shape[] = {frames};
  output::NpzWriter writer;
  if (keypoints) writer.add_float32("X", x_shape, clip.keypoints->xy);
  if (clip.iv3_features) writer.add_float32(options.feature_key, feature_shape, *clip.iv3_features);
  if (keypoints) writer.add_bool("mask", mask_shape, clip.keypoints->visible);
  writer.add_int64("timestamps_ms", time_shape, clip.timestamps_ms);
  writer.add_unicode_scalar("meta", clip.meta_json);
  if (options.keypoint_set == KeypointSet::kFull) clip.landmark_blocks->add_to(writer);
  writer.write(npz);
  return files;
}

// --batch-size frames of this worker in flight at most: enough to fill a
// batch alone, while the server works on the others'.
std::unique_ptr<features::FrameFeatures> connect_to_feature_server(const RunOptions& options) {
  return std::make_unique<FeatureClient>(feature_server_address(::getppid(), *options.cuda_device),
                                         options.batch_size);
}

}  // namespace

// One frame per run on the CPU, whatever --batch-size: as fast per frame as
// batches of 8 or 32 on oneDNN, at a third of the memory (docs/BENCHMARKS.md,
// "Memory per worker").
std::unique_ptr<features::FrameFeatures> load_cpu_inception(const RunOptions& options, int threads,
                                                            std::shared_ptr<nn::RunClock> clock) {
  features::InceptionV3Options iv3;
  iv3.batch_size = 1;
  iv3.threads = threads;
  iv3.precision = cpu_precision(options.iv3_precision);
  iv3.activation_ranges = options.iv3_activation_ranges;  // int8's, decided by the supervisor
  iv3.run_clock = std::move(clock);
  return std::make_unique<features::InceptionV3>(
      features::InceptionV3::load(iv3_weights_path(options), iv3));
}

void apply(const HolisticSettings& settings, landmarks::HolisticOptions& options) {
  options.model_complexity = settings.model_complexity;
  options.refine_face_landmarks = settings.refine_face;
  options.smooth_landmarks = settings.smooth_landmarks;
  options.segment_background = settings.segmentation;
}

// The extractors the options ask for, loaded once per worker.
Extractors load_extractors(const RunOptions& options, int threads) {
  Extractors extractors;
  extractors.decoder_threads = threads;
  if (options.write_keypoints) {
    landmarks::HolisticOptions holistic;
    holistic.models_dir = models_dir_path(options);
    holistic.min_detection_confidence = static_cast<float>(options.conf_thresh);
    holistic.min_tracking_confidence = static_cast<float>(options.conf_thresh);
    holistic.model_options.threads = threads;
    holistic.model_options.precision = cpu_precision(options.keypoint_precision);
    holistic.model_options.run_clock = extractors.inference;
    apply(options.holistic, holistic);
    extractors.holistic.emplace(holistic);
  }
  if (options.write_iv3_features) {
    extractors.iv3 = options.cuda_device
                         ? connect_to_feature_server(options)
                         : load_cpu_inception(options, threads, extractors.inference);
  }
  return extractors;
}

ClipArrays extract_clip(const std::filesystem::path& video, const RunOptions& options,
                        Extractors& extractors, const std::function<void()>& on_frame_kept,
                        ClipStageSeconds& seconds) {
  if (extractors.holistic) extractors.holistic->reset();
  SampledClip clip;
  try {
    clip = sample_clip(video, options, extractors, seconds, on_frame_kept);
  } catch (...) {
    if (extractors.iv3)
      extractors.iv3->clear();  // the next clip must not inherit this one's frames
    throw;
  }
  ClipArrays arrays;
  if (extractors.iv3)
    timed(seconds.inception, [&] { arrays.iv3_features = extractors.iv3->finish(); });
  if (extractors.holistic) {
    timed(seconds.postprocess, [&] {
      features::interpolate_gaps(clip.keypoints, options.max_gap);
      arrays.occluded = features::is_occluded(clip.keypoints, options.occlusion);
      clip.facts.occluded = arrays.occluded;
    });
    arrays.keypoints = std::move(clip.keypoints);
    arrays.landmark_blocks = std::move(clip.landmark_blocks);
  }
  arrays.timestamps_ms = std::move(clip.timestamps_ms);
  arrays.meta_json = clip_meta_json(clip.facts, options);
  arrays.warning = std::move(clip.warning);
  return arrays;
}

ClipOutcome process_clip(const std::filesystem::path& video, const std::filesystem::path& npz,
                         const RunOptions& options, Extractors& extractors,
                         const std::function<void()>& on_frame_kept) {
  ClipOutcome outcome;
  const double inference_before = extractors.inference->seconds;
  const ClipArrays clip = extract_clip(video, options, extractors, on_frame_kept, outcome.seconds);
  outcome.seconds.inference = extractors.inference->seconds - inference_before;
  timed(outcome.seconds.writing, [&] { outcome.files = write_outputs(npz, options, clip); });
  outcome.frames_kept = static_cast<std::int64_t>(clip.timestamps_ms.size());
  outcome.occluded = clip.occluded;
  outcome.warning = clip.warning;
  return outcome;
}

}  // namespace signprep::pipeline
