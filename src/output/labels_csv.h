// labels.csv, as the Python tool writes it: header `file,gloss,cat,occluded`,
// one row per clip. `file` is the .npz path relative to the output directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace signprep::output {

struct LabelRow {
  std::string file;
  std::int64_t gloss = 0;
  std::int64_t cat = 0;
  bool occluded = false;
};

// Without `append`, (re)writes the file: header and `rows`. With `append`,
// keeps the existing rows and adds `rows` after them, dropping any existing
// row of a file that `rows` lists again (no duplicates); a file from an older
// version without the `occluded` column gains it, filled with 0s. A missing
// file is created either way. The file is replaced atomically; throws
// Error(kOutput) when it cannot be read or written or has another header.
void write_labels_csv(const std::filesystem::path& path, std::span<const LabelRow> rows,
                      bool append);

// The records of a CSV file split into fields, RFC 4180 quoting undone, as
// Python's csv module reads them; blank lines are skipped. Throws
// Error(kInput) naming the file when it cannot be read or ends inside quotes.
std::vector<std::vector<std::string>> read_csv_records(const std::filesystem::path& path);

// The rows of a labels file (an older one without `occluded` reads 0s).
// Throws Error(kInput) naming the file and record for another header, a
// record with the wrong number of fields, or a value that is not an integer
// (gloss, cat) or 0/1 (occluded).
std::vector<LabelRow> read_labels_csv(const std::filesystem::path& path);

}  // namespace signprep::output
