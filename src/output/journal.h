// An append-only file of lines, for a record that grows one entry at a time
// through a long run: each entry costs one write(2), however many came
// before, where rewriting a whole file per entry grows with the run.
//
// It is the one kind of file signprep does not replace by renaming: its
// promise is line by line. The file appears whole with its first line
// (AtomicFile); every append is one write of a line and its newline, which a
// killed process cannot tear. Appends are not fsynced: a crash of the
// machine (not of the process) can lose the last lines or tear the last one,
// so readers take only lines that end in a newline, and a journal is a record
// to check against, never the only proof that something was done.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace signprep::output {

class Journal {
 public:
  // Creates `path` holding `first_line`, replacing any file there, and opens
  // it for appending; throws Error(kOutput) naming the path when it cannot.
  Journal(std::filesystem::path path, std::string_view first_line);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends `line` (without a newline in it) and a newline, in one write;
  // throws Error(kOutput) when the write fails or is short. Returns where
  // the line starts in the file, for line_at.
  std::uint64_t append(std::string_view line);

  // The line appended at `offset` (append's result), without its newline:
  // a reader of many lines keeps their offsets, not the lines. Throws
  // Error(kOutput) when it cannot be read back.
  std::string line_at(std::uint64_t offset) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;  // bytes in the file: the next line's offset
};

// Calls `line` for each line of `path` that ends in a newline, in order, with
// the line without it; a torn last line is left out. Returns false, calling
// nothing, when the file cannot be opened.
bool for_each_whole_line(const std::filesystem::path& path,
                         const std::function<void(std::string_view)>& line);

}  // namespace signprep::output
