#include "pipeline/run_report.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <string>

#include "nn/gpu_network.h"
#include "output/atomic_file.h"
#include "output/json_writer.h"

namespace signprep::pipeline {
namespace {

// The report's first key's value, by which is_run_report knows signprep's reports.
constexpr std::string_view kTool = "signprep";

using Clock = std::chrono::steady_clock;

// How much longer than a write the report waits before the next one.
constexpr int kWriteSpacing = 10;

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

const char* status_name(VideoStatus status) {
  switch (status) {
    case VideoStatus::kPending:
      return "pending";
    case VideoStatus::kOk:
      return "ok";
    case VideoStatus::kFailed:
      return "failed";
  }
  return "pending";
}

JsonValue optional_string(const std::optional<std::string>& text) {
  return text ? JsonValue(*text) : JsonValue();
}

// The settings that decide what the files hold, so a report says how its
// outputs were made.
JsonValue options_summary(const RunOptions& options) {
  return JsonValue::Object{
      {"write_keypoints", options.write_keypoints},
      {"write_iv3_features", options.write_iv3_features},
      {"feature_key", options.feature_key},
      {"target_fps", options.target_fps},
      {"sampling", std::string(video::sampling_rule_name(options.sampling))},
      {"iv3_device", options.cuda_device ? JsonValue("cuda:" + std::to_string(*options.cuda_device))
                                         : JsonValue("cpu")},
      {"iv3_precision", std::string(precision_request_name(options.iv3_precision))},
      {"keypoint_precision", std::string(precision_request_name(options.keypoint_precision))},
      {"out_size", options.out_size},
      {"conf_thresh", options.conf_thresh},
      {"max_gap", options.max_gap},
      {"write_parquet", options.write_parquet},
      {"flat", options.flat},
      {"resume", options.resume},
      {"shard", options.shard ? JsonValue(std::to_string(options.shard->index) + "/" +
                                          std::to_string(options.shard->count))
                              : JsonValue()},
      {"occ_enable", options.write_keypoints},
      {"workers", options.workers},
      {"batch_size", options.batch_size},
  };
}

JsonValue video_json(const VideoRecord& video) {
  JsonValue::Array outputs;
  for (const std::filesystem::path& output : video.outputs) {
    outputs.emplace_back(output.generic_string());
  }
  return JsonValue::Object{
      {"input", video.input.generic_string()},
      {"status", status_name(video.status)},
      {"frames", video.frames},
      // Milliseconds are all a reader can use; more digits are noise.
      {"seconds", std::round(video.seconds * 1000) / 1000},
      {"outputs", std::move(outputs)},
      {"error", video.status == VideoStatus::kFailed ? JsonValue(video.error) : JsonValue()},
      {"warning", optional_string(video.warning)},
      {"resumed", video.resumed},
  };
}

int count(const std::vector<VideoRecord>& videos, VideoStatus status) {
  return static_cast<int>(std::count_if(videos.begin(), videos.end(), [status](const auto& video) {
    return video.status == status;
  }));
}

JsonValue status_counts(const std::vector<VideoRecord>& videos) {
  return JsonValue::Object{{"total", static_cast<int>(videos.size())},
                           {"ok", count(videos, VideoStatus::kOk)},
                           {"failed", count(videos, VideoStatus::kFailed)},
                           {"pending", count(videos, VideoStatus::kPending)}};
}

}  // namespace

bool is_run_report(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  const std::string plain = std::string(kRunReportStem) + std::string(kRunReportExtension);
  const bool named = name == plain || (name.starts_with(std::string(kRunReportStem) + ".shard-") &&
                                       name.ends_with(kRunReportExtension));
  if (!named) return false;
  // The report's first key as json.dumps formats it (RunReport::write).
  const std::string start = "{\"tool\": \"" + std::string(kTool) + "\"";
  std::string head(start.size(), '\0');
  std::ifstream in(file, std::ios::binary);
  return in.read(head.data(), static_cast<std::streamsize>(head.size())) && head == start;
}

RunReport::RunReport(const RunOptions& options, std::vector<std::filesystem::path> inputs)
    : path_(options.report_path()), started_(utc_now_iso8601()), options_(options) {
  videos_.reserve(inputs.size());
  for (std::filesystem::path& input : inputs) {
    VideoRecord pending;
    pending.input = std::move(input);
    videos_.push_back(std::move(pending));
  }
  write();
}

void RunReport::record(std::size_t index, VideoRecord record) {
  videos_.at(index) = std::move(record);
  if (Clock::now() >= next_write_) write();
}

JsonValue feature_server_json(const FeatureServerStats& stats) {
  return JsonValue::Object{{"device", stats.device},
                           {"frames", stats.frames},
                           {"batches", stats.batches},
                           {"batch_size", stats.batch_size},
                           {"busy_seconds", stats.busy_seconds},
                           {"serving_seconds", stats.serving_seconds}};
}

void RunReport::finish(std::int64_t peak_worker_memory,
                       const std::optional<FeatureServerStats>& feature_server) {
  finished_ = utc_now_iso8601();
  peak_worker_memory_ = peak_worker_memory;
  feature_server_ = feature_server;
  write();
}

void RunReport::write() {
  const Clock::time_point start = Clock::now();
  JsonValue::Array videos;
  videos.reserve(videos_.size());
  for (const VideoRecord& video : videos_) videos.push_back(video_json(video));
  const JsonValue report = JsonValue::Object{
      {"tool", std::string(kTool)},
      {"version", SIGNPREP_VERSION},
      {"started", started_},
      {"finished", optional_string(finished_)},
      {"input", options_.input.string()},
      {"output_dir", options_.output_dir.string()},
      {"options", options_summary(options_)},
      {"counts", status_counts(videos_)},
      {"peak_worker_memory_mib",
       peak_worker_memory_ > 0 ? JsonValue(peak_worker_memory_ / (1024 * 1024)) : JsonValue()},
      {"feature_server", feature_server_ ? feature_server_json(*feature_server_) : JsonValue()},
      {"videos", std::move(videos)},
  };
  output::AtomicFile file(path_);
  file.write(output::dump_json(report));
  file.write("\n");
  file.commit();
  next_write_ = Clock::now() + kWriteSpacing * (Clock::now() - start);
}

}  // namespace signprep::pipeline
