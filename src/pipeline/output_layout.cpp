#include "pipeline/output_layout.h"

#include <map>
#include <string>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

namespace fs = std::filesystem;

// " a/x.mp4, b/x.mp4 -> x.npz" per .npz that more than one input maps to,
// joined by ";" on one line: the error printer escapes line breaks, which a
// name may hold.
std::string describe_clashes(const std::vector<PlannedClip>& clips, bool flat) {
  std::map<std::string, std::vector<const PlannedClip*>> by_output;
  for (const PlannedClip& clip : clips) by_output[clip.npz(flat).generic_string()].push_back(&clip);
  std::string clashes;
  for (const auto& [npz, inputs] : by_output) {
    if (inputs.size() < 2) continue;
    if (!clashes.empty()) clashes += ";";
    for (const PlannedClip* clip : inputs) {
      clashes += " " + clip->relative + (clip == inputs.back() ? "" : ",");
    }
    clashes += " -> " + npz;
  }
  return clashes;
}

}  // namespace

fs::path PlannedClip::video(const fs::path& input) const {
  return fs::is_directory(input) ? input / relative : input;
}

fs::path PlannedClip::npz(bool flat) const {
  fs::path npz = flat ? fs::path(relative).filename() : fs::path(relative);
  return npz.replace_extension(".npz");
}

fs::path parquet_beside(const fs::path& npz) {
  fs::path parquet = npz;
  return parquet.replace_extension(".parquet");
}

std::vector<PlannedClip> plan_outputs(const std::vector<std::string>& videos, const fs::path& input,
                                      bool flat) {
  const bool from_directory = fs::is_directory(input);
  std::vector<PlannedClip> clips;
  clips.reserve(videos.size());
  for (const std::string& name : videos) {
    const fs::path video(name);
    const fs::path relative = from_directory ? video.lexically_relative(input) : video.filename();
    clips.push_back({relative.generic_string()});
  }
  const std::string clashes = describe_clashes(clips, flat);
  if (clashes.empty()) return clips;
  if (flat) {
    throw Error(ErrorKind::kUsage,
                "--flat would write several inputs to one output (run without --flat to keep "
                "their folders):" +
                    clashes);
  }
  throw Error(ErrorKind::kInput,
              "several inputs would write one output (rename all but one):" + clashes);
}

}  // namespace signprep::pipeline
