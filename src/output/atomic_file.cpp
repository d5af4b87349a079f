#include "output/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace signprep::output {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw Error(ErrorKind::kOutput,
              "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

// What every temporary name of `destination` written by `writer` starts with.
std::string temporary_prefix(const std::filesystem::path& destination, pid_t writer) {
  return "." + destination.filename().string() + ".tmp." + std::to_string(writer) + ".";
}

// A hidden name in the same directory, so that the final rename stays on one
// filesystem and stays atomic; pid and a random tag keep concurrent writers apart.
std::filesystem::path temporary_name_for(const std::filesystem::path& destination) {
  std::random_device entropy;
  return destination.parent_path() /
         (temporary_prefix(destination, ::getpid()) + std::to_string(entropy()));
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path destination) : path_(std::move(destination)) {
  file_ = std::fopen(path_.temporary().c_str(), "wbx");
  if (file_ == nullptr) fail(path_.destination(), "create a temporary file for", errno);
}

// Closes the temporary file; path_ then removes it unless committed.
AtomicFile::~AtomicFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    fail(path_.destination(), "write", errno);
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    fail(path_.destination(), "write", errno);
  }
  std::FILE* closing = file_;
  file_ = nullptr;
  if (std::fclose(closing) != 0) fail(path_.destination(), "write", errno);
  path_.commit();
}

AtomicPath::AtomicPath(std::filesystem::path destination)
    : destination_(std::move(destination)), temporary_(temporary_name_for(destination_)) {}

AtomicPath::~AtomicPath() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicPath::commit() {
  committed_ = true;
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    const int err = errno;
    std::filesystem::remove(temporary_);
    fail(destination_, "rename a temporary file onto", err);
  }
}

void write_file_atomically(const std::filesystem::path& destination,
                           std::span<const std::byte> bytes) {
  AtomicFile file(destination);
  file.write(bytes);
  file.commit();
}

int remove_abandoned_temporaries(const std::filesystem::path& destination, pid_t writer) {
  const std::string prefix = temporary_prefix(destination, writer);
  std::error_code ec;
  std::filesystem::directory_iterator entries(destination.parent_path(), ec);
  if (ec) return 0;  // no directory, no temporaries
  std::vector<std::filesystem::path> abandoned;
  for (const std::filesystem::directory_entry& entry : entries) {
    if (entry.path().filename().string().starts_with(prefix)) abandoned.push_back(entry.path());
  }
  for (const std::filesystem::path& path : abandoned) std::filesystem::remove(path, ec);
  return static_cast<int>(abandoned.size());
}

}  // namespace signprep::output
