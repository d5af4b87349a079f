#include "pipeline/run_report.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <string>

#include "nn/gpu_network.h"
#include "output/atomic_file.h"
#include "output/json_writer.h"
#include "pipeline/resume.h"

namespace signprep::pipeline {
namespace {

// The report's first key's value, by which is_run_report knows signprep's reports.
constexpr std::string_view kTool = "signprep";

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
      {"model_complexity", options.holistic.model_complexity},
      {"refine_face", options.holistic.refine_face},
      {"smooth_landmarks", options.holistic.smooth_landmarks},
      {"segmentation", options.holistic.segmentation},
      {"conf_thresh", options.conf_thresh},
      {"max_gap", options.max_gap},
      {"write_parquet", options.write_parquet},
      {"keypoints", std::string(keypoint_set_name(options.keypoint_set))},
      {"format", std::string(parquet_layout_name(options.parquet_layout))},
      {"flat", options.flat},
      {"resume", options.resume},
      {"resume_fast", options.resume_fast},
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
  JsonValue::Array bytes;
  for (const std::uintmax_t size : video.bytes) bytes.emplace_back(static_cast<std::int64_t>(size));
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
      {"occluded", video.occluded},
      {"bytes", std::move(bytes)},
  };
}

// The fields --resume-fast uses of a record the report or its journal holds;
// nothing when one is missing or of the wrong type.
std::optional<VideoRecord> parse_video(const JsonValue& json) {
  const JsonValue* input = json.find("input");
  const JsonValue* status = json.find("status");
  const JsonValue* frames = json.find("frames");
  const JsonValue* outputs = json.find("outputs");
  const JsonValue* occluded = json.find("occluded");
  const JsonValue* bytes = json.find("bytes");
  if (input == nullptr || input->as_string() == nullptr || status == nullptr ||
      status->as_string() == nullptr || frames == nullptr || frames->as_int() == nullptr ||
      outputs == nullptr || outputs->as_array() == nullptr || occluded == nullptr ||
      occluded->as_bool() == nullptr || bytes == nullptr || bytes->as_array() == nullptr) {
    return std::nullopt;
  }
  VideoRecord video;
  video.input = *input->as_string();
  for (const VideoStatus name : {VideoStatus::kPending, VideoStatus::kOk, VideoStatus::kFailed}) {
    if (*status->as_string() == status_name(name)) video.status = name;
  }
  video.frames = *frames->as_int();
  for (const JsonValue& output : *outputs->as_array()) {
    if (output.as_string() == nullptr) return std::nullopt;
    video.outputs.emplace_back(*output.as_string());
  }
  video.occluded = *occluded->as_bool();
  for (const JsonValue& size : *bytes->as_array()) {
    if (size.as_int() == nullptr || *size.as_int() < 0) return std::nullopt;
    video.bytes.push_back(static_cast<std::uintmax_t>(*size.as_int()));
  }
  return video;
}

// The report's (or journal's) header: its settings match this run's.
bool same_clip_settings(const JsonValue& header, const RunOptions& options) {
  const JsonValue* settings = header.find("clip_settings");
  return settings != nullptr &&
         output::dump_json(*settings) == output::dump_json(clip_settings(options));
}

// The report is written with its header on the first line, ending in the
// opening of "videos", then one record a line: what this is read back by.
constexpr std::string_view kVideosOpen = ", \"videos\": [";
constexpr std::string_view kVideosClose = "]}";

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

RunReport::RunReport(const RunOptions& options, std::vector<std::string> inputs)
    : path_(options.report_path()),
      started_(utc_now_iso8601()),
      options_(options),
      inputs_(std::move(inputs)),
      entries_(inputs_.size()) {
  write();
  journal_.emplace(options.journal_path(), output::dump_json(header()));
}

void RunReport::record(std::size_t index, VideoRecord record) {
  Entry& entry = entries_.at(index);
  record.input = inputs_[index];
  entry.journal_offset = journal_->append(output::dump_json(video_json(record)));
  entry.status = record.status;
  entry.resumed = record.resumed;
  if (record.status == VideoStatus::kFailed) {
    errors_[index] = std::move(record.error);
  } else {
    errors_.erase(index);
  }
}

RunSummary RunReport::summary(double seconds) const {
  RunSummary summary;
  summary.seconds = seconds;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = entries_[i];
    if (entry.status == VideoStatus::kOk) ++summary.succeeded;
    if (entry.resumed) ++summary.resumed;
    if (entry.status == VideoStatus::kFailed) summary.failed.push_back({inputs_[i], errors_.at(i)});
    if (entry.status == VideoStatus::kPending) ++summary.not_run;
  }
  return summary;
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
  // The report now holds every record; a journal left by a failed removal
  // says the same and is replaced by the next run's.
  const std::filesystem::path journal = journal_->path();
  journal_.reset();
  std::error_code ignored;
  std::filesystem::remove(journal, ignored);
}

JsonValue RunReport::status_counts() const {
  const auto count = [&](VideoStatus status) {
    return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                          [status](const Entry& e) { return e.status == status; }));
  };
  return JsonValue::Object{{"total", static_cast<int>(entries_.size())},
                           {"ok", count(VideoStatus::kOk)},
                           {"failed", count(VideoStatus::kFailed)},
                           {"pending", count(VideoStatus::kPending)}};
}

JsonValue::Object RunReport::header() const {
  return {
      {"tool", std::string(kTool)},
      {"version", SIGNPREP_VERSION},
      {"started", started_},
      {"finished", optional_string(finished_)},
      {"input", options_.input.string()},
      {"output_dir", options_.output_dir.string()},
      {"options", options_summary(options_)},
      {"clip_settings", clip_settings(options_)},
      {"counts", status_counts()},
      {"peak_worker_memory_mib",
       peak_worker_memory_ > 0 ? JsonValue(peak_worker_memory_ / (1024 * 1024)) : JsonValue()},
      {"feature_server", feature_server_ ? feature_server_json(*feature_server_) : JsonValue()},
  };
}

// Streamed a record at a time, so that a million records never sit in memory
// as one JSON value or one string.
void RunReport::write() const {
  std::string head = output::dump_json(header());
  head.pop_back();  // the header's closing brace: "videos" follows
  output::AtomicFile file(path_);
  file.write(head);
  file.write(kVideosOpen);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    file.write(i == 0 ? "\n" : ",\n");
    if (entries_[i].journal_offset == kPendingOffset) {
      VideoRecord pending;
      pending.input = inputs_[i];
      file.write(output::dump_json(video_json(pending)));
    } else {
      file.write(journal_->line_at(entries_[i].journal_offset));
    }
  }
  file.write("\n");
  file.write(kVideosClose);
  file.write("\n");
  file.commit();
}

void for_each_recorded_video(const RunOptions& options,
                             const std::function<void(const VideoRecord&)>& video) {
  for (const std::filesystem::path& file : {options.report_path(), options.journal_path()}) {
    bool first = true;
    bool trusted = false;
    output::for_each_whole_line(file, [&](std::string_view line) {
      try {
        if (first) {
          first = false;
          // The report's first line opens "videos"; the journal's is the header whole.
          const bool report = line.ends_with(kVideosOpen);
          trusted =
              same_clip_settings(parse_json(report ? std::string(line) + std::string(kVideosClose)
                                                   : std::string(line)),
                                 options);
          return;
        }
        if (!trusted || line == kVideosClose) return;
        if (line.ends_with(',')) line.remove_suffix(1);
        if (const std::optional<VideoRecord> record = parse_video(parse_json(line))) video(*record);
      } catch (const JsonError&) {
        // Not a record: a line torn by a crash, a hand-edited file.
      }
    });
  }
}

}  // namespace signprep::pipeline
