#include "pipeline/discovery.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace signprep::pipeline {
namespace {

std::vector<std::filesystem::path> as_paths(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

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
  EXPECT_EQ(as_paths(discover_videos(root, root / "out").videos), expected);
}

// A run into OUT inside its input, run again, must not take OUT's files (or
// a video someone put there) for input; nor those of an earlier run into
// another folder, known by the run report signprep wrote there.
TEST(Discovery, LeavesOutTheOutputDirectoryAndFoldersOfEarlierRuns) {
  test::TempDir dir;
  const auto& root = dir.path();
  for (const char* name :
       {"a.mp4", "out/a.mp4", "out/sub/b.mp4", "old/c.mp4", "shard/d.mp4", "other/e.mp4"}) {
    touch(root / name);
  }
  std::ofstream(root / "old/run_report.json") << "{\"tool\": \"signprep\", \"version\": \"1\"}";
  std::ofstream(root / "shard/run_report.shard-2-of-4.json") << "{\"tool\": \"signprep\"}";
  std::ofstream(root / "other/run_report.json") << "{\"tool\": \"another tool\"}";
  const std::vector<std::filesystem::path> expected = {root / "a.mp4", root / "other/e.mp4"};
  EXPECT_EQ(as_paths(discover_videos(root, root / "out").videos), expected);
  // OUT is known by what it is, not how it is spelled.
  EXPECT_EQ(as_paths(discover_videos(root, root / "other/../out").videos), expected);
}

TEST(Discovery, FollowsSymlinkedDirectoriesAndWalksEachDirectoryOnce) {
  test::TempDir dir;
  const auto root = dir.path() / "in";
  touch(root / "a/x.mp4");
  touch(dir.path() / "elsewhere/y.mp4");
  std::filesystem::create_directory_symlink(dir.path() / "elsewhere", root / "linked");
  std::filesystem::create_directory_symlink(root, root / "a/loop");  // back up to the input
  std::filesystem::create_directory_symlink(root / "a", root / "b_second_name_of_a");
  std::filesystem::create_directory_symlink(dir.path() / "missing", root / "dangling");
  const DiscoveredVideos found = discover_videos(root, dir.path() / "out");
  const std::vector<std::filesystem::path> expected = {root / "a/x.mp4", root / "linked/y.mp4"};
  EXPECT_EQ(as_paths(found.videos), expected);
  EXPECT_TRUE(found.unreadable.empty());
}

// Exit status 0 when discovery under `root`, as a user who may not list
// root/locked, finds the two readable videos and reports the locked folder.
// Root lists any directory, so root first becomes the unprivileged "nobody".
int check_unreadable_folder_as_unprivileged_user(const std::filesystem::path& root) {
  constexpr uid_t kNobody = 65534;
  if (::geteuid() == 0 && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) return 2;
  const DiscoveredVideos found = discover_videos(root, root / "out");
  const std::vector<std::filesystem::path> readable = {root / "a.mp4", root / "open/c.mp4"};
  const bool ok = as_paths(found.videos) == readable && found.unreadable.size() == 1 &&
                  found.unreadable[0].path == root / "locked" &&
                  found.unreadable[0].reason == "Permission denied";
  return ok ? 0 : 1;
}

TEST(Discovery, ReturnsTheDirectoriesItCannotList) {
  test::TempDir dir;
  const auto root = dir.path() / "in";
  touch(root / "a.mp4");
  touch(root / "locked/b.mp4");
  touch(root / "open/c.mp4");
  namespace fs = std::filesystem;
  fs::permissions(dir.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(root / "locked", fs::perms::none);
  // In a child process, which may give up root.
  EXPECT_EXIT(std::_Exit(check_unreadable_folder_as_unprivileged_user(root)),
              ::testing::ExitedWithCode(0), "");
  fs::permissions(root / "locked", fs::perms::owner_all);  // for TempDir to remove it
}

TEST(Discovery, ASingleFileIsTakenAsGiven) {
  test::TempDir dir;
  touch(dir.path() / "clip.m4v");
  EXPECT_EQ(as_paths(discover_videos(dir.path() / "clip.m4v", dir.path() / "out").videos),
            std::vector<std::filesystem::path>{dir.path() / "clip.m4v"});
}

TEST(Discovery, MissingInputIsAnInputError) {
  test::TempDir dir;
  try {
    discover_videos(dir.path() / "missing", dir.path() / "out");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
  }
}

TEST(Discovery, EmptyDirectoryYieldsNothing) {
  test::TempDir dir;
  EXPECT_TRUE(discover_videos(dir.path(), dir.path() / "out").videos.empty());
}

// Discovery sorts names as strings in std::filesystem::path's order: a
// separator before any character, bytes unsigned, a prefix first.
TEST(Discovery, PathOrderIsTheOrderOfPaths) {
  const std::vector<std::string> names = {"a/b",        "a-b", "a",     "ab/c", "a/bc",  "a.b/c",
                                          "\xc3\xa9/x", "z",   "a/b/c", "A",    "a b/c", ""};
  for (const std::string& a : names) {
    for (const std::string& b : names) {
      EXPECT_EQ(path_order(a, b), std::filesystem::path(a) < std::filesystem::path(b))
          << a << " < " << b;
    }
  }
}

}  // namespace
}  // namespace signprep::pipeline
