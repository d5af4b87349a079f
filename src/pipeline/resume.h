// --resume: which clips an earlier run already finished with the current
// settings, so that a killed or stopped run can pick up where it ended.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "pipeline/output_layout.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

struct FinishedClip {
  std::int64_t frames = 0;
  bool occluded = false;                       // as the earlier run flagged it
  std::vector<std::filesystem::path> outputs;  // relative to OUT, the .npz first
};

// The clip's files when they are complete and match `options`: the .npz is a
// whole archive (output::list_npz: its zip directory, every member's .npy
// header and size; a torn file fails), holds exactly the members this run
// would write, and its meta records the same video name and
// settings (clip_meta.h's kSettingKeys); the .parquet, when this run writes
// one, is there and is a whole Parquet file. Otherwise nothing: the clip runs again.
std::optional<FinishedClip> finished_earlier(const PlannedClip& clip, const RunOptions& options);

}  // namespace signprep::pipeline
