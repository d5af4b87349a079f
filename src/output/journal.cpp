#include "output/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "core/error.h"
#include "output/atomic_file.h"

namespace signprep::output {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error) {
  throw Error(ErrorKind::kOutput,
              std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(error));
}

}  // namespace

Journal::Journal(std::filesystem::path path, std::string_view first_line) : path_(std::move(path)) {
  AtomicFile file(path_);
  file.write(first_line);
  file.write("\n");
  file.commit();
  fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) fail(path_, "open", errno);
  size_ = first_line.size() + 1;
}

Journal::~Journal() {
  ::close(fd_);
}

std::uint64_t Journal::append(std::string_view line) {
  std::string whole;
  whole.reserve(line.size() + 1);
  whole.append(line).push_back('\n');
  // One write of the whole line: a regular file's write is not split by a
  // signal, so a killed process leaves it whole or absent.
  const ssize_t written = ::write(fd_, whole.data(), whole.size());
  if (written < 0) fail(path_, "append to", errno);
  if (static_cast<std::size_t>(written) != whole.size()) fail(path_, "append to", ENOSPC);
  const std::uint64_t offset = size_;
  size_ += whole.size();
  return offset;
}

std::string Journal::line_at(std::uint64_t offset) const {
  std::string line;
  char buffer[4096];
  for (;;) {
    const ssize_t got =
        ::pread(fd_, buffer, sizeof buffer, static_cast<off_t>(offset + line.size()));
    if (got < 0) fail(path_, "read back", errno);
    if (got == 0) fail(path_, "read back a line of", EIO);  // appended lines end in a newline
    const std::string_view piece(buffer, static_cast<std::size_t>(got));
    const std::size_t end = piece.find('\n');
    line.append(piece.substr(0, end));
    if (end != std::string_view::npos) return line;
  }
}

bool for_each_whole_line(const std::filesystem::path& path,
                         const std::function<void(std::string_view)>& line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string text;
  // getline sets eof, not fail, on a last line without its newline: torn.
  while (std::getline(in, text) && !in.eof()) line(text);
  return true;
}

}  // namespace signprep::output
