#include "output/run_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/error.h"

namespace signprep::output {
namespace {

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The holder's record: "pid 123 host node7 started 2026-12-06T22:40:00Z".
struct Holder {
  long pid = -1;
  std::string host, started;
  std::string describe() const {
    return "pid " + std::to_string(pid) + " on " + host + ", started " + started;
  }
};

Holder parse_holder(const std::string& text) {
  std::istringstream file(text);
  Holder holder;
  std::string word;
  while (file >> word) {
    if (word == "pid") file >> holder.pid;
    if (word == "host") file >> holder.host;
    if (word == "started") file >> holder.started;
  }
  return holder;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Left behind: its process is gone (this host), or nobody refreshed it.
bool left_behind(const std::filesystem::path& path, const Holder& holder) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return true;
  if (std::time(nullptr) - info.st_mtime > RunLock::kStaleSeconds) return true;
  return holder.host == this_host() && holder.pid > 0 && ::kill(pid_t(holder.pid), 0) != 0 &&
         errno == ESRCH;
}

// Creates the lock with our record; false when it exists already.
bool try_create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw Error(ErrorKind::kOutput,
                "cannot create the run lock " + path.string() + ": " + std::strerror(errno));
  }
  const std::string record =
      "pid " + std::to_string(::getpid()) + " host " + this_host() + " started " + utc_now() + "\n";
  const bool written = ::write(fd, record.data(), record.size()) == ssize_t(record.size());
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    throw Error(ErrorKind::kOutput, "cannot write the run lock " + path.string());
  }
  return true;
}

// Moves a stale lock aside, if it is still the one judged stale: another run
// may have taken it over meanwhile, and then its fresh lock goes back.
bool take_over(const std::filesystem::path& path, const std::string& stale_text) {
  const std::filesystem::path aside = path.string() + ".stale." + std::to_string(::getpid());
  if (::rename(path.c_str(), aside.c_str()) != 0) return errno == ENOENT;
  if (file_text(aside) != stale_text) {
    ::rename(aside.c_str(), path.c_str());
    return false;
  }
  ::unlink(aside.c_str());
  return true;
}

}  // namespace

RunLock RunLock::acquire(const std::filesystem::path& path) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (try_create(path)) return RunLock(path, ::getpid());
    const std::string text = file_text(path);
    const Holder holder = parse_holder(text);
    if (!left_behind(path, holder)) {
      throw Error(ErrorKind::kOutput,
                  "another signprep run is writing here (" + holder.describe() + ", lock " +
                      path.string() + "); wait for it, or give this run another output " +
                      "directory or --shard. A lock whose run is gone is taken over by itself "
                      "(at once on the same host, after " +
                      std::to_string(kStaleSeconds / 60) + " minutes from another)");
    }
    if (!take_over(path, text)) break;
  }
  throw Error(ErrorKind::kOutput, "another signprep run took the lock " + path.string() +
                                      " at the same moment; try again");
}

RunLock::RunLock(std::filesystem::path path, int owner_pid)
    : path_(std::move(path)), owner_pid_(owner_pid), refreshed_(std::chrono::steady_clock::now()) {}

RunLock::RunLock(RunLock&& other) noexcept
    : path_(std::move(other.path_)),
      owner_pid_(std::exchange(other.owner_pid_, -1)),
      refreshed_(other.refreshed_) {}

RunLock::~RunLock() {
  if (owner_pid_ == ::getpid()) ::unlink(path_.c_str());
}

void RunLock::refresh() {
  const auto now = std::chrono::steady_clock::now();
  if (now - refreshed_ < std::chrono::seconds(kRefreshSeconds)) return;
  refreshed_ = now;
  ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0);
}

}  // namespace signprep::output
