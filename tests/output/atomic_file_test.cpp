#include "output/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace signprep::output {
namespace {

TEST(AtomicFile, DestinationAppearsOnlyOnCommit) {
  test::TempDir dir;
  const auto path = dir.path() / "out.bin";
  AtomicFile file(path);
  file.write("hello");
  EXPECT_FALSE(std::filesystem::exists(path));
  file.commit();
  EXPECT_EQ(test::read_text(path), "hello");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, AbandonedWriteLeavesTheOldFileAndNoTemporary) {
  test::TempDir dir;
  const auto path = dir.path() / "out.bin";
  std::ofstream(path) << "old";
  {
    AtomicFile file(path);
    file.write("new but never committed");
  }
  EXPECT_EQ(test::read_text(path), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, CommitReplacesAnExistingFile) {
  test::TempDir dir;
  const auto path = dir.path() / "out.bin";
  std::ofstream(path) << "old contents that are longer";
  write_file_atomically(path, std::as_bytes(std::span("new", 3)));
  EXPECT_EQ(test::read_text(path), "new");
}

TEST(AtomicFile, MissingDirectoryIsAnOutputErrorNamingThePath) {
  test::TempDir dir;
  const auto path = dir.path() / "no" / "such" / "dir" / "out.bin";
  try {
    AtomicFile file(path);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kOutput);
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
}

// A pid that named a process a moment ago and names none now.
pid_t exited_process() {
  const pid_t child = ::fork();
  if (child == 0) std::_Exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

void touch(const std::filesystem::path& path) {
  std::ofstream(path) << "partial";
}

TEST(AtomicFile, AbandonedTemporariesOfOneWriterAreRemoved) {
  test::TempDir dir;
  const auto path = dir.path() / "out.bin";
  const std::string mine = ".out.bin.tmp." + std::to_string(::getpid()) + ".1";
  touch(dir.path() / ".out.bin.tmp.4242.1");
  touch(dir.path() / ".out.bin.tmp.4242.2");
  touch(dir.path() / mine);
  touch(dir.path() / ".other.bin.tmp.4242.1");
  EXPECT_EQ(remove_abandoned_temporaries(path, 4242), 2);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".out.bin.tmp.4242.1"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / mine));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".other.bin.tmp.4242.1"));
}

// Only the named files' temporaries whose writer has exited; names read
// from the right, since a file's own name may hold ".tmp.".
TEST(AtomicFile, OrphanedTemporariesAreThoseOfExitedWritersOfTheNamedFiles) {
  test::TempDir dir;
  const std::string gone = std::to_string(exited_process());
  const std::string alive = std::to_string(::getpid());
  const std::vector<std::string> removed = {".out.bin.tmp." + gone + ".7",
                                            ".a.tmp.npz.tmp." + gone + ".12"};
  const std::vector<std::string> kept = {".out.bin.tmp." + alive + ".7",
                                         ".other.bin.tmp." + gone + ".7",
                                         ".out.bin.tmp.notapid.7",
                                         ".out.bin.tmp." + gone,
                                         ".out.bin.tmp." + gone + ".x",
                                         "out.bin.tmp." + gone + ".7",
                                         "out.bin"};
  for (const std::string& name : removed) touch(dir.path() / name);
  for (const std::string& name : kept) touch(dir.path() / name);
  EXPECT_EQ(remove_orphaned_temporaries(dir.path(), {"out.bin", "a.tmp.npz"}), 2);
  for (const std::string& name : removed) {
    EXPECT_FALSE(std::filesystem::exists(dir.path() / name)) << name;
  }
  for (const std::string& name : kept) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / name)) << name;
  }
  EXPECT_EQ(remove_orphaned_temporaries(dir.path() / "missing", {"out.bin"}), 0);
}

}  // namespace
}  // namespace signprep::output
