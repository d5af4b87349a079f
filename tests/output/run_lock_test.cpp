#include "output/run_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "core/error.h"
#include "test_support.h"

namespace signprep::output {
namespace {

TEST(RunLock, OneHolderAtATimeUntilItIsReleased) {
  const test::TempDir dir;
  const auto path = dir.path() / ".signprep.lock";
  {
    RunLock lock = RunLock::acquire(path);
    EXPECT_TRUE(std::filesystem::exists(path));
    try {
      RunLock::acquire(path);
      ADD_FAILURE() << "a second holder";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kOutput);
      EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos)
          << e.what();
    }
    const RunLock moved = std::move(lock);  // the moved-from one removes nothing
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_NO_THROW(RunLock::acquire(path));
}

TEST(RunLock, RefreshKeepsALongRunsLockFresh) {
  const test::TempDir dir;
  const auto path = dir.path() / ".signprep.lock";
  RunLock lock = RunLock::acquire(path);
  const timespec long_ago[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), long_ago, 0), 0);
  lock.refresh();  // within kRefreshSeconds of taking it: nothing to do
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mtime, 1000);
}

TEST(RunLock, AnUncreatableLockNamesItsPath) {
  try {
    RunLock::acquire("/nonexistent-dir/.signprep.lock");
    ADD_FAILURE() << "created";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create the run lock /nonexistent-dir"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace signprep::output
