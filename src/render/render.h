// `signprep render`: a clip's keypoints drawn over its video, or over a plain
// background of the clip's aspect ratio, as an .mp4 (every frame, at the
// stored timestamps) or a .png contact sheet (evenly spaced frames in a grid
// about 1600 px wide), so that a person can see at a glance whether the
// hands and face were tracked. Works on any .npz in the Python tool's format;
// one written with --keypoints full shows Holistic's whole output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signprep::render {

struct RenderOptions {
  std::filesystem::path npz;
  std::optional<std::filesystem::path> video;  // the clip's source video
  std::filesystem::path output;                // .mp4 or .png
  int frames = 12;                             // tiles of a contact sheet, 1 to 100
};

struct RenderResult {
  std::int64_t frames = 0;  // drawn
  int width = 0;            // of the output
  int height = 0;
  std::vector<std::string> warnings;  // for the person running it
};

// Writes options.output atomically. Throws Error(kUsage) for an output that
// is neither .mp4 nor .png or a frame count outside 1..100, Error(kInput) for an
// .npz without keypoints (X, mask, timestamps_ms) or a video with no frame
// near a stored timestamp (not the clip's video), Error(kUnavailable) when
// FFmpeg has no H.264 encoder, Error(kOutput) when the file cannot be written.
RenderResult render(const RenderOptions& options);

}  // namespace signprep::render
