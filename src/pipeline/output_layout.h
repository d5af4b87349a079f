// Where each input video's files go under the output directory. A run plans
// every video's output before it processes any, so that two inputs can never
// silently overwrite each other's files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace signprep::pipeline {

// One input, as the run holds it for its whole length: only its path below
// the input, as a string in generic form ("a/b.mp4"); the rest is derived
// when needed. A std::filesystem::path also keeps a list of its components,
// several times the string's size, and a run plans every input (docs/SCALE.md:
// a million of them).
struct PlannedClip {
  std::string relative;  // below the input directory; the bare name for a file input

  // The path the run opens: `input` / relative, or `input` itself when it is a file.
  std::filesystem::path video(const std::filesystem::path& input) const;
  // Relative to the output directory: relative with the extension .npz, or
  // its bare name so when `flat`.
  std::filesystem::path npz(bool flat) const;
};

// The .parquet written beside a clip's .npz (same folder and stem).
std::filesystem::path parquet_beside(const std::filesystem::path& npz);

// The .npz of each of `videos` (as discover_videos found them under
// `input`), in their order: the video's relative path with the extension
// .npz, keeping its folders (a/b/clip.mov -> a/b/clip.npz), or its bare name
// when `flat` (the Python tool's layout). Two videos mapping to one .npz stop
// the run before anything is written: Error(kUsage) listing every clash with
// `flat` (the flag causes it), else Error(kInput) (a/x.mp4 beside a/x.mov).
std::vector<PlannedClip> plan_outputs(const std::vector<std::string>& videos,
                                      const std::filesystem::path& input, bool flat);

}  // namespace signprep::pipeline
