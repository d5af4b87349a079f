// --resume: which clips an earlier run already finished with the current
// settings, so that a killed or stopped run can pick up where it ended.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/json.h"
#include "pipeline/output_layout.h"
#include "pipeline/run_options.h"
#include "pipeline/run_report.h"

namespace signprep::pipeline {

struct FinishedClip {
  std::int64_t frames = 0;
  bool occluded = false;                       // as the earlier run flagged it
  std::vector<std::filesystem::path> outputs;  // relative to OUT, the .npz first
  std::vector<std::uintmax_t> bytes;           // their sizes
};

// What decides whether files an earlier run wrote are what this run would
// write: the .npz's members, whether a .parquet goes beside it, and the
// meta's settings (clip_meta.h's kSettingKeys, the video's name aside). The
// report records it for --resume-fast.
JsonValue clip_settings(const RunOptions& options);

// The clip's files when they are complete and match `options`: the .npz is a
// whole archive (output::list_npz: its zip directory, every member's .npy
// header and size; a torn file fails), holds exactly the members this run
// would write, and its meta records the same video name and
// settings (clip_meta.h's kSettingKeys); the .parquet, when this run writes
// one, is there and is a whole Parquet file. Otherwise nothing: the clip runs again.
std::optional<FinishedClip> finished_earlier(const PlannedClip& clip, const RunOptions& options);

// --resume-fast: the clip as `recorded` (the last run's record of it, whose
// settings were this run's: run_report.h's for_each_recorded_video) lists
// it, when it was written, its outputs are the files this run would write,
// and each is there with the size recorded. Nothing is opened or read: a
// file replaced by another of the same size, or damaged in place, passes.
// Otherwise nothing.
std::optional<FinishedClip> finished_as_recorded(const PlannedClip& clip, const RunOptions& options,
                                                 const VideoRecord& recorded);

}  // namespace signprep::pipeline
