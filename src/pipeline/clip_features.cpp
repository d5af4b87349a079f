#include "pipeline/clip_features.h"

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "output/npz_writer.h"
#include "pipeline/clip_meta.h"
#include "video/frame_sampler.h"
#include "video/video_reader.h"

namespace signprep::pipeline {
namespace {

struct SampledClip {
  ClipFacts facts;
  std::vector<std::int64_t> timestamps_ms;
  std::optional<std::string> warning;
};

// Decodes `video`, feeding each kept frame to the network as it comes, so a
// clip never holds more than one batch of frames in memory.
SampledClip sample_into(const std::filesystem::path& video, const RunOptions& options,
                        features::InceptionV3& net) {
  video::VideoReader reader(video);
  video::FrameSampler sampler(options.target_fps);
  SampledClip clip;
  while (reader.next_frame()) {
    if (!sampler.keep(reader.timestamp_ms())) continue;
    clip.timestamps_ms.push_back(video::FrameSampler::stored_timestamp(reader.timestamp_ms()));
    net.add(reader.to_rgb().view());
  }
  clip.warning = reader.stopped_early();
  if (clip.timestamps_ms.empty()) {
    throw Error(ErrorKind::kInput, video.string() + ": no video frame could be decoded" +
                                       (clip.warning ? " (" + *clip.warning + ")" : ""));
  }
  clip.facts = {video.filename().string(), reader.info().average_fps, reader.frames_decoded(),
                static_cast<std::int64_t>(clip.timestamps_ms.size())};
  return clip;
}

}  // namespace

ClipOutcome write_clip_features(const std::filesystem::path& video,
                                const std::filesystem::path& npz, const RunOptions& options,
                                features::InceptionV3& net) {
  SampledClip clip;
  try {
    clip = sample_into(video, options, net);
  } catch (...) {
    net.clear();  // the next clip must not inherit this one's frames
    throw;
  }
  const std::vector<float> features = net.finish();
  const std::size_t frames = clip.timestamps_ms.size();
  const std::size_t feature_shape[] = {frames, features::InceptionV3::kFeatureCount};
  const std::size_t time_shape[] = {frames};
  output::NpzWriter writer;
  writer.add_float32(options.feature_key, feature_shape, features);
  writer.add_int64("timestamps_ms", time_shape, clip.timestamps_ms);
  writer.add_unicode_scalar("meta", clip_meta_json(clip.facts, options));
  writer.write(npz);
  return {static_cast<std::int64_t>(frames), clip.warning};
}

}  // namespace signprep::pipeline
