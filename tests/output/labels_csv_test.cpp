#include "output/labels_csv.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace signprep::output {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(LabelsCsv, WritesHeaderAndRows) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  const LabelRow rows[] = {{"clip_0001.npz", 12, 3, false}, {"a/b.npz", 0, 0, true}};
  write_labels_csv(path, rows, /*append=*/false);
  EXPECT_EQ(test::read_text(path),
            "file,gloss,cat,occluded\nclip_0001.npz,12,3,0\na/b.npz,0,0,1\n");
}

TEST(LabelsCsv, WithoutAppendTheHeaderAndOldRowsAreReplaced) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  write_text(path, "file,gloss,cat,occluded\nold.npz,1,1,0\n");
  const LabelRow rows[] = {{"new.npz", 2, 5, false}};
  write_labels_csv(path, rows, false);
  EXPECT_EQ(test::read_text(path), "file,gloss,cat,occluded\nnew.npz,2,5,0\n");
}

TEST(LabelsCsv, AppendKeepsExistingRows) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  write_text(path, "file,gloss,cat,occluded\nold.npz,1,1,1\n");
  const LabelRow rows[] = {{"new.npz", 2, 5, false}};
  write_labels_csv(path, rows, true);
  EXPECT_EQ(test::read_text(path), "file,gloss,cat,occluded\nold.npz,1,1,1\nnew.npz,2,5,0\n");
}

TEST(LabelsCsv, AppendReplacesTheRowOfAFileListedAgain) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  write_text(path,
             "file,gloss,cat,occluded\nkeep.npz,1,1,1\n\"a,b.npz\",1,1,0\nold.npz,1,1,0\n"
             "old.npz.bak,1,1,0\n");
  const LabelRow rows[] = {{"old.npz", 2, 5, true}, {"a,b.npz", 3, 3, true}};
  write_labels_csv(path, rows, true);
  EXPECT_EQ(test::read_text(path),
            "file,gloss,cat,occluded\nkeep.npz,1,1,1\nold.npz.bak,1,1,0\nold.npz,2,5,1\n"
            "\"a,b.npz\",3,3,1\n");
}

TEST(LabelsCsv, AppendToAnOlderFileAddsTheOccludedColumn) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  write_text(path, "file,gloss,cat\r\nold.npz,1,4\r\n\"we,ird\"\"name\nx.npz\",2,2\r\n");
  const LabelRow rows[] = {{"new.npz", 2, 5, true}};
  write_labels_csv(path, rows, true);
  EXPECT_EQ(test::read_text(path),
            "file,gloss,cat,occluded\nold.npz,1,4,0\n\"we,ird\"\"name\nx.npz\",2,2,0\n"
            "new.npz,2,5,1\n");
}

TEST(LabelsCsv, AppendCreatesAMissingFile) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  const LabelRow rows[] = {{"a.npz", 1, 1, false}};
  write_labels_csv(path, rows, true);
  EXPECT_EQ(test::read_text(path), "file,gloss,cat,occluded\na.npz,1,1,0\n");
}

TEST(LabelsCsv, AppendRefusesAForeignHeader) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  write_text(path, "name,label\nx,1\n");
  const LabelRow rows[] = {{"a.npz", 1, 1, false}};
  EXPECT_THROW(write_labels_csv(path, rows, true), Error);
  EXPECT_EQ(test::read_text(path), "name,label\nx,1\n");
}

TEST(LabelsCsv, ReadsRowsBackAndRefusesBadValues) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  const LabelRow rows[] = {{"a,\"b\".npz", -3, 7, true}};
  write_labels_csv(path, rows, false);
  const std::vector<LabelRow> read = read_labels_csv(path);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].file, rows[0].file);
  EXPECT_EQ(read[0].gloss, -3);
  EXPECT_EQ(read[0].cat, 7);
  EXPECT_TRUE(read[0].occluded);
  for (const char* bad :
       {"file,gloss,cat,occluded\na.npz,x,1,0\n", "file,gloss,cat,occluded\na.npz,1,1,2\n",
        "file,gloss,cat,occluded\na.npz,1,1\n", "name,gloss\na.npz,1\n"}) {
    write_text(path, bad);
    EXPECT_THROW(read_labels_csv(path), Error) << bad;
  }
}

TEST(LabelsCsv, PythonCsvModuleParsesQuotedFields) {
  test::TempDir dir;
  const auto path = dir.path() / "labels.csv";
  const LabelRow rows[] = {{"dir, with comma/clip \"1\".npz", 7, 8, true},
                           {"plain.npz", 1, 2, false}};
  write_labels_csv(path, rows, false);
  EXPECT_EQ(test::run_python("output/check_labels_csv.py", path.string()), 0);
}

}  // namespace
}  // namespace signprep::output
