#include "pipeline/discovery.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

void touch(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

TEST(Discovery, WalksRecursivelyWithCaseInsensitiveExtensionsSortedAndDeduplicated) {
  test::TempDir dir;
  const auto& root = dir.path();
  for (const char* name : {"b/clip.MOV", "a.mp4", "b/c/d.Mkv", "e.avi", "f.webm", "notes.txt",
                           "g.mp4.part", "noext"}) {
    touch(root / name);
  }
  std::filesystem::create_symlink(root / "a.mp4", root / "z_link_to_a.mp4");
  const std::vector<std::filesystem::path> expected = {
      root / "a.mp4", root / "b/c/d.Mkv", root / "b/clip.MOV", root / "e.avi", root / "f.webm"};
  EXPECT_EQ(discover_videos(root), expected);
}

TEST(Discovery, ASingleFileIsTakenAsGiven) {
  test::TempDir dir;
  touch(dir.path() / "clip.m4v");
  EXPECT_EQ(discover_videos(dir.path() / "clip.m4v"),
            std::vector<std::filesystem::path>{dir.path() / "clip.m4v"});
}

TEST(Discovery, MissingInputIsAnInputError) {
  test::TempDir dir;
  try {
    discover_videos(dir.path() / "missing");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
  }
}

TEST(Discovery, EmptyDirectoryYieldsNothing) {
  test::TempDir dir;
  EXPECT_TRUE(discover_videos(dir.path()).empty());
}

}  // namespace
}  // namespace signprep::pipeline
