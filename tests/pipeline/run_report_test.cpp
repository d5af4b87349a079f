#include "pipeline/run_report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

RunOptions options_into(const std::filesystem::path& out) {
  RunOptions options;
  options.write_keypoints = true;
  options.output_dir = out;
  return options;
}

VideoRecord written(const std::string& name) {
  VideoRecord video;
  video.input = name + ".mp4";
  video.status = VideoStatus::kOk;
  video.frames = 6;
  video.outputs = {name + ".npz", name + ".parquet"};
  video.bytes = {1234, 567};
  video.occluded = true;
  return video;
}

std::vector<VideoRecord> recorded(const RunOptions& options) {
  std::vector<VideoRecord> videos;
  for_each_recorded_video(options, [&](const VideoRecord& video) { videos.push_back(video); });
  return videos;
}

std::size_t line_count(const std::filesystem::path& path) {
  std::size_t lines = 0;
  output::for_each_whole_line(path, [&](std::string_view) { ++lines; });
  return lines;
}

TEST(RunReport, EachVideoIsOneJournalLineAndTheEndWritesTheWholeReport) {
  const test::TempDir dir;
  const RunOptions options = options_into(dir.path());
  RunReport report(options, {"a.mp4", "b.mp4"});
  const std::string at_start = test::read_text(options.report_path());
  EXPECT_EQ(line_count(options.journal_path()), 1u);  // the header
  report.record(1, written("b"));
  // The report is not rewritten per video; the journal grows by a line.
  EXPECT_EQ(test::read_text(options.report_path()), at_start);
  EXPECT_EQ(line_count(options.journal_path()), 2u);
  // What a run killed now leaves: the report's pending records, then the journal's.
  const std::vector<VideoRecord> killed = recorded(options);
  ASSERT_EQ(killed.size(), 3u);
  EXPECT_EQ(killed.back().input, "b.mp4");
  EXPECT_EQ(killed.back().status, VideoStatus::kOk);

  report.finish(0, std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(options.journal_path()));
  const JsonValue json = parse_json(test::read_text(options.report_path()));
  EXPECT_EQ(*json.find("counts")->find("ok")->as_int(), 1);
  const JsonValue::Array& videos = *json.find("videos")->as_array();
  ASSERT_EQ(videos.size(), 2u);
  EXPECT_EQ(*videos[0].find("status")->as_string(), "pending");
  EXPECT_EQ(*videos[1].find("status")->as_string(), "ok");
  EXPECT_EQ(*videos[1].find("occluded")->as_bool(), true);
  EXPECT_EQ(*videos[1].find("bytes")->as_array()->at(0).as_int(), 1234);

  const std::vector<VideoRecord> finished = recorded(options);
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(finished[1].outputs, written("b").outputs);
  EXPECT_EQ(finished[1].bytes, written("b").bytes);
  EXPECT_EQ(finished[1].frames, 6);
  EXPECT_TRUE(finished[1].occluded);
}

// The report keeps a status and a journal offset per input, not the records:
// the final file reads each input's latest record back from the journal.
TEST(RunReport, TheLatestRecordOfEachInputIsReportedAndSummarized) {
  const test::TempDir dir;
  const RunOptions options = options_into(dir.path());
  RunReport report(options, {"a.mp4", "b.mp4", "c.mp4"});
  VideoRecord failed;
  failed.status = VideoStatus::kFailed;
  failed.error = "broken";
  report.record(0, failed);
  report.record(1, failed);
  report.record(1, written("b"));  // a later record of one input replaces the earlier
  const RunSummary summary = report.summary(2.5);
  EXPECT_EQ(summary.succeeded, 1);
  EXPECT_EQ(summary.not_run, 1);
  EXPECT_EQ(summary.seconds, 2.5);
  ASSERT_EQ(summary.failed.size(), 1u);
  EXPECT_EQ(summary.failed[0].video, "a.mp4");
  EXPECT_EQ(summary.failed[0].reason, "broken");

  report.finish(0, std::nullopt);
  const JsonValue json = parse_json(test::read_text(options.report_path()));
  const JsonValue& counts = *json.find("counts");
  EXPECT_EQ(*counts.find("ok")->as_int(), 1);
  EXPECT_EQ(*counts.find("failed")->as_int(), 1);
  EXPECT_EQ(*counts.find("pending")->as_int(), 1);
  const JsonValue::Array& videos = *json.find("videos")->as_array();
  ASSERT_EQ(videos.size(), 3u);
  EXPECT_EQ(*videos[0].find("input")->as_string(), "a.mp4");  // the report's name for it
  EXPECT_EQ(*videos[0].find("error")->as_string(), "broken");
  EXPECT_EQ(*videos[1].find("status")->as_string(), "ok");
  EXPECT_EQ(*videos[1].find("outputs")->as_array()->at(1).as_string(), "b.parquet");
  EXPECT_EQ(*videos[2].find("input")->as_string(), "c.mp4");
  EXPECT_EQ(*videos[2].find("status")->as_string(), "pending");
}

TEST(RunReport, RecordsOfOtherSettingsAreNotTrusted) {
  const test::TempDir dir;
  const RunOptions options = options_into(dir.path());
  RunReport report(options, {"a.mp4"});
  report.record(0, written("a"));
  report.finish(0, std::nullopt);
  RunOptions other = options;
  other.max_gap = 3;
  EXPECT_TRUE(recorded(other).empty());
  other = options;
  other.write_parquet = false;
  EXPECT_TRUE(recorded(other).empty());
  other = options;
  other.workers = options.workers + 1;  // shapes no file
  EXPECT_EQ(recorded(other).size(), 1u);
}

TEST(RunReport, AJournalTornByACrashKeepsItsWholeLines) {
  const test::TempDir dir;
  const RunOptions options = options_into(dir.path());
  {
    RunReport report(options, {"a.mp4", "b.mp4"});
    report.record(0, written("a"));
  }  // destroyed unfinished, as by a kill
  std::ofstream(options.journal_path(), std::ios::app) << "{\"input\": \"b.mp4\", \"sta";
  const std::vector<VideoRecord> videos = recorded(options);
  ASSERT_EQ(videos.size(), 3u);
  EXPECT_EQ(videos.back().input, "a.mp4");
  EXPECT_EQ(videos.back().status, VideoStatus::kOk);
}

TEST(RunReport, NothingRecordedIsNothing) {
  const test::TempDir dir;
  EXPECT_TRUE(recorded(options_into(dir.path())).empty());
}

}  // namespace
}  // namespace signprep::pipeline
