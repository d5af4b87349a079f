// OUT/run_report.json: what happened to every video of a run, for machines
// (dashboards, retry scripts) rather than people. It is written before the
// first video, with every video pending, and rewritten as results come in,
// always atomically, so a killed run leaves a report that is at most a few
// results behind and never torn.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
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
};

// The report's "feature_server" object; worker events carry the same.
JsonValue feature_server_json(const FeatureServerStats& stats);

// Whether `file` is a run report signprep wrote: named as
// RunOptions::report_path names reports, and starting with signprep's tool
// key. Only the file's first bytes are read (a report can be large).
bool is_run_report(const std::filesystem::path& file);

class RunReport {
 public:
  // Writes options.report_path() with every input pending; throws
  // Error(kOutput) when it cannot.
  RunReport(const RunOptions& options, std::vector<std::filesystem::path> inputs);

  // Replaces the record of the index-th input and rewrites the file, unless
  // writing that often would slow the run (a report of many videos takes a
  // while to write): writes take at most a tenth of the run's time.
  void record(std::size_t index, VideoRecord record);
  // The final file, with the time the run finished, the largest worker's
  // peak resident memory in bytes (0: no worker ran) and the feature
  // server's statistics when there was one.
  void finish(std::int64_t peak_worker_memory,
              const std::optional<FeatureServerStats>& feature_server);

  const std::vector<VideoRecord>& videos() const { return videos_; }

 private:
  void write();

  std::filesystem::path path_;
  std::string started_;  // UTC, ISO 8601
  std::optional<std::string> finished_;
  std::int64_t peak_worker_memory_ = 0;
  std::optional<FeatureServerStats> feature_server_;
  RunOptions options_;
  std::vector<VideoRecord> videos_;
  std::chrono::steady_clock::time_point next_write_;
};

}  // namespace signprep::pipeline
