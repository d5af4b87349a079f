#include "pipeline/discovery.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string>

#include "core/error.h"

namespace signprep::pipeline {

bool has_video_extension(const std::filesystem::path& path) {
  static constexpr std::array<std::string_view, 5> kExtensions = {".mp4", ".mov", ".avi", ".mkv",
                                                                  ".webm"};
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

std::vector<std::filesystem::path> discover_videos(const std::filesystem::path& input) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(input, ec);
  if (ec || !fs::exists(status)) {
    throw Error(ErrorKind::kInput, input.string() + ": no such file or directory");
  }
  if (!fs::is_directory(status)) return {input};

  // skip_permission_denied below passes over unreadable folders inside the
  // input; the input itself unreadable is an error to report as such, not
  // an empty folder.
  if (fs::directory_iterator(input, ec); ec) {
    throw Error(ErrorKind::kInput, "cannot list " + input.string() + ": " + ec.message());
  }
  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && has_video_extension(it->path())) found.push_back(it->path());
  }
  if (ec) throw Error(ErrorKind::kInput, "cannot list " + input.string() + ": " + ec.message());
  // Sorted first, so that of several names for one file the first in order is kept.
  std::sort(found.begin(), found.end());
  std::set<fs::path> seen;
  std::vector<fs::path> videos;
  for (fs::path& path : found) {
    if (seen.insert(fs::weakly_canonical(path, ec)).second) videos.push_back(std::move(path));
  }
  return videos;
}

}  // namespace signprep::pipeline
