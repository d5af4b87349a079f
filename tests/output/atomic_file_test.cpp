#include "output/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace signprep::output
