#include "pipeline/run_options.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

TEST(RunOptions, DefaultsAreThePythonTools) {
  const RunOptions options;
  EXPECT_EQ(options.target_fps, 15);
  EXPECT_EQ(options.batch_size, 32);
  EXPECT_EQ(options.out_size, 256);
  EXPECT_EQ(options.conf_thresh, 0.5);
  EXPECT_EQ(options.max_gap, 5);
  EXPECT_EQ(options.feature_key, "X2048");
  EXPECT_TRUE(options.write_parquet);
  EXPECT_EQ(options.occlusion.vis_thresh, 0.6);
  EXPECT_EQ(options.occlusion.frame_prop, 0.4);
  EXPECT_EQ(options.occlusion.min_run, 15);
  EXPECT_GE(options.workers, 1);
  EXPECT_LE(options.workers, 12);
  EXPECT_NO_THROW(validate(options));
}

TEST(RunOptions, LabelIdsFollowTheOriginalPrecedence) {
  RunOptions options;
  EXPECT_FALSE(options.label_gloss());  // no id: no labels row
  options.id = 4;
  EXPECT_EQ(options.label_gloss(), 4);
  EXPECT_EQ(options.label_cat(), 4);  // cat defaults to the gloss id
  options.gloss_id = 7;
  EXPECT_EQ(options.label_gloss(), 7);  // --gloss-id wins over --id
  EXPECT_EQ(options.label_cat(), 7);
  options.cat_id = 2;
  EXPECT_EQ(options.label_cat(), 2);
  options.output_dir = "/out";
  EXPECT_EQ(options.labels_path(), "/out/labels.csv");
  options.labels_csv = "/elsewhere/l.csv";
  EXPECT_EQ(options.labels_path(), "/elsewhere/l.csv");
}

// True when validate() refuses the default options changed by `change`, as a
// usage error.
template <typename Change>
bool rejects(Change change) {
  RunOptions options;
  change(options);
  try {
    validate(options);
  } catch (const Error& error) {
    return error.kind() == ErrorKind::kUsage;
  }
  return false;
}

TEST(RunOptions, OutOfRangeValuesAreUsageErrors) {
  EXPECT_TRUE(rejects([](RunOptions& o) { o.target_fps = -1; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.workers = 0; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.occlusion.frame_prop = 1.5; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.occlusion.min_run = 0; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.feature_key = "X"; }));
  EXPECT_FALSE(rejects([](RunOptions& o) { o.max_gap = 0; }));
}

// Issue 21: a size or count far beyond any use (--out-size 100000 made every
// worker die of std::bad_alloc) is a usage error; the limits themselves pass.
TEST(RunOptions, SizesAndCountsAreBounded) {
  using Limits = OptionLimits;
  EXPECT_TRUE(rejects([](RunOptions& o) { o.out_size = 100000; }));
  EXPECT_FALSE(rejects([](RunOptions& o) { o.out_size = Limits::kMaxOutSize; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.out_size = Limits::kMinOutSize - 1; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.workers = Limits::kMaxWorkers + 1; }));
  EXPECT_FALSE(rejects([](RunOptions& o) { o.workers = Limits::kMaxWorkers; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.batch_size = Limits::kMaxBatchSize + 1; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.max_gap = Limits::kMaxGapFrames + 1; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.occlusion.min_run = Limits::kMaxOccMinRun + 1; }));
  EXPECT_TRUE(rejects([](RunOptions& o) { o.stall_timeout_seconds = 1e9; }));
  EXPECT_FALSE(rejects([](RunOptions& o) { o.stall_timeout_seconds = 0; }));  // forever
  // Timestamps are whole milliseconds: 1000 fps is the most they can tell apart.
  EXPECT_TRUE(rejects([](RunOptions& o) { o.target_fps = 1000.5; }));
  EXPECT_FALSE(rejects([](RunOptions& o) { o.target_fps = 1000; }));
}

TEST(RunOptions, Iv3WeightsFromFlagThenEnvironmentThenCheckout) {
  RunOptions options;
  ::unsetenv("SIGNPREP_IV3_WEIGHTS");
  EXPECT_EQ(iv3_weights_path(options).filename(), "inception_v3.safetensors");
  EXPECT_EQ(iv3_weights_path(options).parent_path().filename(), "models");
  ::setenv("SIGNPREP_IV3_WEIGHTS", "/env/weights.safetensors", 1);
  EXPECT_EQ(iv3_weights_path(options), "/env/weights.safetensors");
  options.iv3_weights = "/flag/weights.safetensors";
  EXPECT_EQ(iv3_weights_path(options), "/flag/weights.safetensors");
  ::unsetenv("SIGNPREP_IV3_WEIGHTS");
}

}  // namespace
}  // namespace signprep::pipeline
