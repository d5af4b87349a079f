#include "output/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
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

// What every temporary name of `destination` starts with; the writer's pid
// and a random tag follow.
std::string temporaries_prefix(const std::filesystem::path& destination) {
  return "." + destination.filename().string() + ".tmp.";
}

std::string temporary_prefix(const std::filesystem::path& destination, pid_t writer) {
  return temporaries_prefix(destination) + std::to_string(writer) + ".";
}

// A hidden name in the same directory, so that the final rename stays on one
// filesystem and stays atomic; pid and a random tag keep concurrent writers apart.
std::filesystem::path temporary_name_for(const std::filesystem::path& destination) {
  std::random_device entropy;
  return destination.parent_path() /
         (temporary_prefix(destination, ::getpid()) + std::to_string(entropy()));
}

// Removes the entries beside `destination` whose names start with `prefix`
// and for which `abandoned` holds (given the rest of the name).
int remove_temporaries(const std::filesystem::path& destination, const std::string& prefix,
                       const std::function<bool(std::string_view rest)>& abandoned) {
  std::error_code ec;
  std::filesystem::directory_iterator entries(destination.parent_path(), ec);
  if (ec) return 0;  // no directory, no temporaries
  std::vector<std::filesystem::path> found;
  for (const std::filesystem::directory_entry& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && abandoned(std::string_view(name).substr(prefix.size()))) {
      found.push_back(entry.path());
    }
  }
  for (const std::filesystem::path& path : found) std::filesystem::remove(path, ec);
  return static_cast<int>(found.size());
}

// Whether the writer named at the start of `rest` ("<pid>.<tag>") has exited.
bool writer_is_gone(std::string_view rest) {
  pid_t writer = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), writer);
  if (error != std::errc() || writer <= 0 || end == rest.data() + rest.size() || *end != '.') {
    return false;  // not one of ours: leave it
  }
  return ::kill(writer, 0) != 0 && errno == ESRCH;
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
  return remove_temporaries(destination, temporary_prefix(destination, writer),
                            [](std::string_view) { return true; });
}

int remove_orphaned_temporaries(const std::filesystem::path& destination) {
  return remove_temporaries(destination, temporaries_prefix(destination), writer_is_gone);
}

}  // namespace signprep::output
