#include "pipeline/resume.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "output/json_writer.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

struct Written {
  test::TempDir dir;
  RunOptions options;
  PlannedClip clip{"a.mp4"};
  VideoRecord record;

  Written() {
    options.write_keypoints = true;
    options.output_dir = dir.path();
    std::ofstream(dir.path() / "a.npz") << std::string(100, 'n');
    std::ofstream(dir.path() / "a.parquet") << std::string(40, 'p');
    record.input = "a.mp4";
    record.status = VideoStatus::kOk;
    record.frames = 6;
    record.outputs = {"a.npz", "a.parquet"};
    record.bytes = {100, 40};
    record.occluded = true;
  }
};

TEST(ResumeFast, ARecordedClipWhoseFilesHaveTheirSizesIsFinished) {
  const Written written;
  const auto finished = finished_as_recorded(written.clip, written.options, written.record);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->frames, 6);
  EXPECT_TRUE(finished->occluded);
  EXPECT_EQ(finished->outputs, written.record.outputs);
  EXPECT_EQ(finished->bytes, written.record.bytes);
}

TEST(ResumeFast, AnotherSizeAMissingFileOrAFailureRunsAgain) {
  Written written;
  written.record.bytes[1] = 41;
  EXPECT_FALSE(finished_as_recorded(written.clip, written.options, written.record));
  written.record.bytes[1] = 40;
  written.record.status = VideoStatus::kFailed;
  EXPECT_FALSE(finished_as_recorded(written.clip, written.options, written.record));
  written.record.status = VideoStatus::kOk;
  std::filesystem::remove(written.dir.path() / "a.parquet");
  EXPECT_FALSE(finished_as_recorded(written.clip, written.options, written.record));
}

TEST(ResumeFast, OutputsOtherThanThisRunsRunAgain) {
  Written written;
  written.record.outputs = {"a.npz"};  // an earlier run without the .parquet
  written.record.bytes = {100};
  EXPECT_FALSE(finished_as_recorded(written.clip, written.options, written.record));
  written.options.write_parquet = false;  // this run writes none either
  EXPECT_TRUE(finished_as_recorded(written.clip, written.options, written.record));
}

TEST(ResumeFast, ClipSettingsChangeWithWhatShapesTheFiles) {
  RunOptions options;
  options.write_keypoints = true;
  const std::string settings = output::dump_json(clip_settings(options));
  RunOptions other = options;
  other.write_iv3_features = true;
  EXPECT_NE(output::dump_json(clip_settings(other)), settings);
  other = options;
  other.occlusion.min_run = 3;
  EXPECT_NE(output::dump_json(clip_settings(other)), settings);
  other = options;
  other.workers = options.workers + 3;
  EXPECT_EQ(output::dump_json(clip_settings(other)), settings);
}

}  // namespace
}  // namespace signprep::pipeline
