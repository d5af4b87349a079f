// Writes a file so that readers only ever see the old file or the complete new
// one: the bytes go to a temporary file in the destination's directory, which
// commit() flushes to disk and renames into place. A writer destroyed without
// commit() (an exception, a crash of the writing code) removes its temporary
// file, so a killed run never leaves a truncated output behind.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace signprep::output {

// The promise for writers that need a path (FFmpeg's muxers, Cairo's PNG
// writer): they write temporary(), commit() renames it onto the destination;
// destroyed without commit(), it removes the file. AtomicFile builds on it.
class AtomicPath {
 public:
  explicit AtomicPath(std::filesystem::path destination);
  ~AtomicPath();
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;

  const std::filesystem::path& destination() const { return destination_; }
  const std::filesystem::path& temporary() const { return temporary_; }
  // Throws Error(kOutput) when the rename fails (the temporary is removed).
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  bool committed_ = false;
};

// The promise for writers of bytes: it owns the temporary file and fsyncs it
// before the rename.
class AtomicFile {
 public:
  // Opens a temporary file beside `destination`; throws Error(kOutput) naming
  // the path when the directory is missing or not writable.
  explicit AtomicFile(std::filesystem::path destination);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  // Flushes, fsyncs and renames the temporary file onto the destination.
  void commit();

  const std::filesystem::path& destination() const { return path_.destination(); }

 private:
  AtomicPath path_;  // the temporary's name, its removal, the final rename
  std::FILE* file_ = nullptr;
};

// Convenience for writers that build their bytes in memory.
void write_file_atomically(const std::filesystem::path& destination,
                           std::span<const std::byte> bytes);

// Removes the temporary files that process `writer` left beside
// `destination` (it was killed before commit() or its destructor ran).
// Returns how many were removed.
int remove_abandoned_temporaries(const std::filesystem::path& destination, pid_t writer);

// Removes the temporary files in `directory` of the files named in
// `file_names` whose writer process no longer exists: a run killed outright
// (SIGKILL, the OOM killer) leaves those it was writing. Returns how many
// were removed.
int remove_orphaned_temporaries(const std::filesystem::path& directory,
                                const std::set<std::string, std::less<>>& file_names);

}  // namespace signprep::output
