#include "output/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "core/error.h"

namespace signprep::output {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw Error(ErrorKind::kOutput,
              "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

// A hidden name in the same directory, so that the final rename stays on one
// filesystem and stays atomic; pid and a random tag keep concurrent writers apart.
std::filesystem::path temporary_name_for(const std::filesystem::path& destination) {
  std::random_device entropy;
  std::string tag = "." + destination.filename().string() + ".tmp." + std::to_string(::getpid()) +
                    "." + std::to_string(entropy());
  return destination.parent_path() / tag;
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path destination)
    : destination_(std::move(destination)), temporary_(temporary_name_for(destination_)) {
  file_ = std::fopen(temporary_.c_str(), "wbx");
  if (file_ == nullptr) fail(destination_, "create a temporary file for", errno);
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::filesystem::remove(temporary_);
  }
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    fail(destination_, "write", errno);
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) fail(destination_, "write", errno);
  std::FILE* closing = file_;
  file_ = nullptr;
  if (std::fclose(closing) != 0) {
    int err = errno;
    std::filesystem::remove(temporary_);
    fail(destination_, "write", err);
  }
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    int err = errno;
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

}  // namespace signprep::output
