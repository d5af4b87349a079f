// OUT/run_report.json: what happened to every video of a run, for machines
// (dashboards, retry scripts) rather than people. It is written before the
// first video, with every video pending, and at the end, atomically both
// times. In between, each finished video's record is appended to the
// report's journal (run_report.journal, output/journal.h), one line at a
// cost that does not grow with the run; the end writes the whole report and
// removes the journal. A killed run leaves the report as it started and the
// journal of what it finished since.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "output/journal.h"
#include "pipeline/feature_server.h"
#include "pipeline/run_options.h"

namespace signprep::pipeline {

enum class VideoStatus { kPending, kOk, kFailed };

struct VideoRecord {
  std::filesystem::path input;  // relative to the input directory
  VideoStatus status = VideoStatus::kPending;
  std::int64_t frames = 0;                     // kept frames
  double seconds = 0;                          // wall time spent on the video
  std::vector<std::filesystem::path> outputs;  // files written, relative to OUT
  std::string error;                           // why it failed
  std::optional<std::string> warning;          // damage skipped in a written video
  bool resumed = false;                        // written by an earlier run (--resume)
  bool occluded = false;                       // the labels' flag (0 without keypoints)
  std::vector<std::uintmax_t> bytes;           // each output's size, for --resume-fast
};

// The report's "feature_server" object; worker events carry the same.
JsonValue feature_server_json(const FeatureServerStats& stats);

// Whether `file` is a run report signprep wrote: named as
// RunOptions::report_path names reports, and starting with signprep's tool
// key. Only the file's first bytes are read (a report can be large).
bool is_run_report(const std::filesystem::path& file);

class RunReport {
 public:
  // Writes options.report_path() with every input pending and starts its
  // journal; throws Error(kOutput) when it cannot.
  RunReport(const RunOptions& options, std::vector<std::filesystem::path> inputs);

  // Replaces the record of the index-th input and appends it to the journal.
  void record(std::size_t index, VideoRecord record);
  // The final file, with the time the run finished, the largest worker's
  // peak resident memory in bytes (0: no worker ran) and the feature
  // server's statistics when there was one; the journal is then removed.
  void finish(std::int64_t peak_worker_memory,
              const std::optional<FeatureServerStats>& feature_server);

  const std::vector<VideoRecord>& videos() const { return videos_; }

 private:
  JsonValue::Object header() const;
  void write() const;

  std::filesystem::path path_;
  std::string started_;  // UTC, ISO 8601
  std::optional<std::string> finished_;
  std::int64_t peak_worker_memory_ = 0;
  std::optional<FeatureServerStats> feature_server_;
  RunOptions options_;
  std::vector<VideoRecord> videos_;
  std::optional<output::Journal> journal_;
};

// --resume-fast: calls `video` with each record that the last run into
// options' OUT (and shard) left, from its report and then from its journal
// (later records of an input replace earlier ones), when that run's clip
// settings (resume.h) are this run's; nothing otherwise, or when neither file
// is there. Lines that do not parse (a journal torn by a crash) are skipped.
void for_each_recorded_video(const RunOptions& options,
                             const std::function<void(const VideoRecord&)>& video);

}  // namespace signprep::pipeline
