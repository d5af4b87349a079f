#include "pipeline/discovery.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/error.h"
#include "pipeline/run_report.h"

namespace signprep::pipeline {
namespace {

namespace fs = std::filesystem;

// A directory's identity whatever the path (links included) that reaches it.
struct DirectoryId {
  dev_t device = 0;
  ino_t inode = 0;
  auto operator<=>(const DirectoryId&) const = default;
};

std::optional<DirectoryId> directory_id(const fs::path& directory) {
  struct stat status {};
  if (::stat(directory.c_str(), &status) != 0) return std::nullopt;
  return DirectoryId{status.st_dev, status.st_ino};
}

// One directory's entries, links followed.
struct Listing {
  std::vector<std::string> videos;
  std::vector<fs::path> directories;
  bool holds_run_report = false;
};

// Lists `directory`; returns the system's reason when it cannot.
std::optional<std::string> list_directory(const fs::path& directory, Listing& listing) {
  std::error_code error;
  fs::directory_iterator entry(directory, error);
  for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
    std::error_code unknown;  // a dangling link, or an entry gone meanwhile: not a video
    const fs::file_status status = entry->status(unknown);
    if (fs::is_directory(status)) {
      listing.directories.push_back(entry->path());
    } else if (fs::is_regular_file(status)) {
      if (has_video_extension(entry->path())) listing.videos.push_back(entry->path().native());
      if (is_run_report(entry->path())) listing.holds_run_report = true;
    }
  }
  if (error) return error.message();
  return std::nullopt;
}

// Walks the input directory, each directory once.
class VideoWalk {
 public:
  VideoWalk(const fs::path& input, const fs::path& output_dir)
      : output_dir_(directory_id(output_dir)) {
    if (const std::optional<DirectoryId> id = directory_id(input)) visited_.insert(*id);
    Listing listing;
    if (std::optional<std::string> reason = list_directory(input, listing)) {
      throw Error(ErrorKind::kInput, "cannot list " + input.string() + ": " + *reason);
    }
    take(std::move(listing));
  }

  DiscoveredVideos finish() && {
    while (!pending_.empty()) {
      const fs::path directory = std::move(pending_.front());
      pending_.pop_front();
      Listing listing;
      if (std::optional<std::string> reason = list_directory(directory, listing)) {
        found_.unreadable.push_back({directory, *reason});
      } else if (!listing.holds_run_report) {
        take(std::move(listing));
      }
    }
    std::sort(found_.unreadable.begin(), found_.unreadable.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    return std::move(found_);
  }

 private:
  void take(Listing listing) {
    for (std::string& video : listing.videos) found_.videos.push_back(std::move(video));
    // Sorted, so that of two names for one directory the same one wins in every run.
    std::sort(listing.directories.begin(), listing.directories.end());
    for (fs::path& directory : listing.directories) {
      const std::optional<DirectoryId> id = directory_id(directory);
      // An id that cannot be read leaves the listing to say why.
      if (id && (id == output_dir_ || !visited_.insert(*id).second)) continue;
      pending_.push_back(std::move(directory));
    }
  }

  std::optional<DirectoryId> output_dir_;  // none when it does not exist yet
  std::set<DirectoryId> visited_;
  std::deque<fs::path> pending_;  // breadth first: of two paths to one directory, the shorter
  DiscoveredVideos found_;
};

// Sorted first, so that of several names for one file the first in order is kept.
std::vector<std::string> each_file_once(std::vector<std::string> found) {
  std::sort(found.begin(), found.end(), path_order);
  // Strings, not paths: a path keeps its components too, and this holds one
  // per input (a million, docs/SCALE.md).
  std::unordered_set<std::string> seen;
  std::vector<std::string> videos;
  for (std::string& path : found) {
    std::error_code ec;
    if (seen.insert(fs::weakly_canonical(fs::path(path), ec).native()).second) {
      videos.push_back(std::move(path));
    }
  }
  return videos;
}

}  // namespace

bool path_order(std::string_view a, std::string_view b) {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

bool has_video_extension(const std::filesystem::path& path) {
  static constexpr std::array<std::string_view, 5> kExtensions = {".mp4", ".mov", ".avi", ".mkv",
                                                                  ".webm"};
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

DiscoveredVideos discover_videos(const std::filesystem::path& input,
                                 const std::filesystem::path& output_dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(input, ec);
  if (ec || !fs::exists(status)) {
    throw Error(ErrorKind::kInput, input.string() + ": no such file or directory");
  }
  if (!fs::is_directory(status)) return {{input.native()}, {}};
  // VideoWalk refuses an unreadable input with the reason; unreadable folders
  // inside it are failed inputs.
  DiscoveredVideos found = VideoWalk(input, output_dir).finish();
  found.videos = each_file_once(std::move(found.videos));
  return found;
}

}  // namespace signprep::pipeline
