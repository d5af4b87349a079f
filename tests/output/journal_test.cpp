#include "output/journal.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace signprep::output {
namespace {

std::vector<std::string> whole_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  EXPECT_TRUE(for_each_whole_line(path, [&](std::string_view line) { lines.emplace_back(line); }));
  return lines;
}

TEST(Journal, HoldsItsFirstLineThenEveryAppendInOrder) {
  const test::TempDir dir;
  const auto path = dir.path() / "run.journal";
  {
    Journal journal(path, "header");
    EXPECT_EQ(test::read_text(path), "header\n");
    journal.append("one");
    journal.append("two");
    // Readable while the writer still holds it, as after a kill.
    EXPECT_EQ(whole_lines(path), (std::vector<std::string>{"header", "one", "two"}));
  }
  EXPECT_EQ(test::read_text(path), "header\none\ntwo\n");
}

TEST(Journal, ReadsBackTheLineAppendedAtAnOffset) {
  const test::TempDir dir;
  Journal journal(dir.path() / "run.journal", "header");
  const std::uint64_t one = journal.append("one");
  const std::string long_line(10000, 'x');  // longer than one read
  const std::uint64_t two = journal.append(long_line);
  const std::uint64_t three = journal.append("");
  EXPECT_EQ(one, 7u);  // after "header\n"
  EXPECT_EQ(journal.line_at(two), long_line);
  EXPECT_EQ(journal.line_at(one), "one");
  EXPECT_EQ(journal.line_at(three), "");
  EXPECT_THROW(journal.line_at(three + 1), Error);  // past the end
}

TEST(Journal, ReplacesAnEarlierFile) {
  const test::TempDir dir;
  const auto path = dir.path() / "run.journal";
  std::ofstream(path) << "old\nlines\n";
  const Journal journal(path, "new");
  EXPECT_EQ(test::read_text(path), "new\n");
}

TEST(Journal, ATornLastLineIsLeftOut) {
  const test::TempDir dir;
  const auto path = dir.path() / "run.journal";
  std::ofstream(path) << "header\n{\"a\": 1}\n{\"a\": ";
  EXPECT_EQ(whole_lines(path), (std::vector<std::string>{"header", "{\"a\": 1}"}));
}

TEST(Journal, AMissingFileIsNoLines) {
  const test::TempDir dir;
  bool called = false;
  EXPECT_FALSE(for_each_whole_line(dir.path() / "none", [&](std::string_view) { called = true; }));
  EXPECT_FALSE(called);
}

TEST(Journal, AnUnwritableFolderIsAnOutputError) {
  const test::TempDir dir;
  try {
    Journal(dir.path() / "missing" / "run.journal", "header");
    FAIL() << "created a journal in a missing folder";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kOutput);
  }
}

}  // namespace
}  // namespace signprep::output
