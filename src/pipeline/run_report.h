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
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "output/journal.h"
#include "pipeline/feature_server.h"
#include "pipeline/progress.h"
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

// What a run has done to each input, on disk: run_report.json, written whole
// at the start (every input pending) and at the end, and between them its
// journal, a line per video. In memory it keeps, per input, its name, its
// status and where its record lies in the journal (~100 bytes), so that a
// million inputs cost the supervisor ~100 MB; the final report reads the
// records back from the journal.
class RunReport {
 public:
  // Writes options.report_path() with every input pending and starts its
  // journal; throws Error(kOutput) when it cannot. `inputs`: relative to the
  // input directory, in generic form ("a/b.mp4").
  RunReport(const RunOptions& options, std::vector<std::string> inputs);

  // Replaces the record of the index-th input and appends it to the journal
  // (its `input` is the index-th input's, whatever the record says).
  void record(std::size_t index, VideoRecord record);
  // The final file, with the time the run finished, the largest worker's
  // peak resident memory in bytes (0: no worker ran) and the feature
  // server's statistics when there was one; the journal is then removed.
  void finish(std::int64_t peak_worker_memory,
              const std::optional<FeatureServerStats>& feature_server);

  // The run's tally for the summary: written, failed (with the reasons),
  // resumed, not run; `seconds`: the run's wall time.
  RunSummary summary(double seconds) const;

 private:
  JsonValue::Object header() const;
  JsonValue status_counts() const;
  void write() const;

  std::filesystem::path path_;
  std::string started_;  // UTC, ISO 8601
  std::optional<std::string> finished_;
  std::int64_t peak_worker_memory_ = 0;
  std::optional<FeatureServerStats> feature_server_;
  RunOptions options_;
  // Per input: where its latest record starts in the journal (none: pending).
  static constexpr std::uint64_t kPendingOffset = ~std::uint64_t{0};
  struct Entry {
    std::uint64_t journal_offset = kPendingOffset;
    VideoStatus status = VideoStatus::kPending;
    bool resumed = false;
  };
  std::vector<std::string> inputs_;
  std::vector<Entry> entries_;
  std::map<std::size_t, std::string> errors_;  // of the failed inputs
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
