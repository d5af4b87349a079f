#include "pipeline/output_layout.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> npz_of(const std::vector<PlannedClip>& clips, bool flat) {
  std::vector<fs::path> npz;
  for (const PlannedClip& clip : clips) npz.push_back(clip.npz(flat));
  return npz;
}

// The Error that plan_outputs throws.
Error plan_error(const std::vector<std::string>& videos, const fs::path& input, bool flat) {
  try {
    plan_outputs(videos, input, flat);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no clash found";
  return Error(ErrorKind::kUsage, "");
}

TEST(OutputLayout, KeepsTheInputsFoldersBelowTheInputDirectory) {
  test::TempDir dir;
  const fs::path in = dir.path();
  const std::vector<PlannedClip> clips =
      plan_outputs({in / "a/b/clip.mov", in / "a/clip.mp4", in / "top.MKV"}, in, false);
  EXPECT_EQ(npz_of(clips, false), (std::vector<fs::path>{"a/b/clip.npz", "a/clip.npz", "top.npz"}));
  EXPECT_EQ(clips[0].relative, "a/b/clip.mov");
  EXPECT_EQ(clips[0].video(in), in / "a/b/clip.mov");
}

TEST(OutputLayout, ASingleFileWritesItsNameOnly) {
  test::TempDir dir;
  const fs::path video = dir.path() / "deep/clip.mp4";
  fs::create_directories(video.parent_path());
  std::ofstream(video) << "x";
  const std::vector<PlannedClip> clips = plan_outputs({video}, video, false);
  EXPECT_EQ(clips[0].relative, "clip.mp4");
  EXPECT_EQ(clips[0].npz(false), "clip.npz");
  EXPECT_EQ(clips[0].video(video), video);
}

TEST(OutputLayout, FlatWritesBareNames) {
  test::TempDir dir;
  const fs::path in = dir.path();
  EXPECT_EQ(npz_of(plan_outputs({in / "a/one.mp4", in / "b/two.mp4"}, in, true), true),
            (std::vector<fs::path>{"one.npz", "two.npz"}));
}

TEST(OutputLayout, FlatRefusesNamingEveryClash) {
  test::TempDir dir;
  const fs::path in = dir.path();
  const Error error = plan_error(
      {in / "a/x.mp4", in / "b/x.mp4", in / "c/x.mov", in / "c/y.mp4", in / "d/y.avi"}, in, true);
  EXPECT_EQ(error.kind(), ErrorKind::kUsage);
  const std::string message = error.what();
  EXPECT_NE(message.find("--flat"), std::string::npos) << message;
  EXPECT_NE(message.find("a/x.mp4, b/x.mp4, c/x.mov -> x.npz"), std::string::npos) << message;
  EXPECT_NE(message.find("c/y.mp4, d/y.avi -> y.npz"), std::string::npos) << message;
}

TEST(OutputLayout, SameStemInOneFolderClashesWithoutFlatToo) {
  test::TempDir dir;
  const fs::path in = dir.path();
  const Error error = plan_error({in / "a/x.mov", in / "a/x.mp4"}, in, false);
  EXPECT_EQ(error.kind(), ErrorKind::kInput);
  EXPECT_NE(std::string(error.what()).find("a/x.mov, a/x.mp4 -> a/x.npz"), std::string::npos)
      << error.what();
}

}  // namespace
}  // namespace signprep::pipeline
