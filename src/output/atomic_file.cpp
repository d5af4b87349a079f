#include "output/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace signprep::output {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw Error(ErrorKind::kOutput,
              "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

// A temporary's name: ".<destination's name>.tmp.<writer's pid>.<random tag>".
std::string temporary_prefix(const std::filesystem::path& destination, pid_t writer) {
  return "." + destination.filename().string() + ".tmp." + std::to_string(writer) + ".";
}

struct TemporaryName {
  std::string_view destination;  // the file name it would be renamed to
  pid_t writer = 0;
};

std::optional<std::uint64_t> digits(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return {};
  return value;
}

// The last ".tmp." is the marker: the destination's own name may hold one,
// the digits after the marker cannot.
std::optional<TemporaryName> parse_temporary(std::string_view name) {
  constexpr std::string_view kMarker = ".tmp.";
  const std::size_t marker = name.rfind(kMarker);
  if (!name.starts_with('.') || marker == std::string_view::npos || marker < 2) return {};
  const std::string_view rest = name.substr(marker + kMarker.size());  // "<pid>.<tag>"
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return {};
  const std::optional<std::uint64_t> pid = digits(rest.substr(0, dot));
  if (!pid || *pid == 0 || *pid > std::uint64_t(std::numeric_limits<pid_t>::max()) ||
      !digits(rest.substr(dot + 1))) {
    return {};
  }
  return TemporaryName{name.substr(1, marker - 1), static_cast<pid_t>(*pid)};
}

bool process_is_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Removes the temporaries in `directory` that `abandoned` picks.
int remove_temporaries(const std::filesystem::path& directory,
                       const std::function<bool(const TemporaryName&)>& abandoned) {
  std::error_code ec;
  std::filesystem::directory_iterator entries(directory, ec);
  if (ec) return 0;  // no directory, no temporaries
  std::vector<std::filesystem::path> found;
  for (const std::filesystem::directory_entry& entry : entries) {
    const std::string name = entry.path().filename().string();
    const std::optional<TemporaryName> temporary = parse_temporary(name);
    if (temporary && abandoned(*temporary)) found.push_back(entry.path());
  }
  for (const std::filesystem::path& path : found) std::filesystem::remove(path, ec);
  return static_cast<int>(found.size());
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
  const std::string name = destination.filename().string();
  return remove_temporaries(destination.parent_path(), [&](const TemporaryName& temporary) {
    return temporary.writer == writer && temporary.destination == name;
  });
}

int remove_orphaned_temporaries(const std::filesystem::path& directory,
                                const std::set<std::string, std::less<>>& file_names) {
  return remove_temporaries(directory, [&](const TemporaryName& temporary) {
    return file_names.contains(temporary.destination) && process_is_gone(temporary.writer);
  });
}

}  // namespace signprep::output
