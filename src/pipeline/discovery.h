// Finds the videos a run processes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::pipeline {

// True for the extensions signprep reads (.mp4 .mov .avi .mkv .webm, any case).
bool has_video_extension(const std::filesystem::path& path);

// A directory below the input that could not be listed: the videos in it
// were not found, which the run reports as a failure.
struct UnreadableDirectory {
  std::filesystem::path path;
  std::string reason;  // the system's, e.g. "Permission denied"
};

struct DiscoveredVideos {
  // Native strings, not paths (a path keeps its components too, several times
  // the string's size: a million inputs, docs/SCALE.md), in path order
  // (path_order).
  std::vector<std::string> videos;
  std::vector<UnreadableDirectory> unreadable;  // sorted by path
};

// std::filesystem::path's order (component by component) on two paths in the
// same form, without making paths: a separator sorts before any character.
bool path_order(std::string_view a, std::string_view b);

// `input` itself when it is a file (whatever its extension: the user named it),
// else every video file below the directory, recursively, following symlinked
// files and directories (a directory reached twice, by a link loop or a
// second link, is walked once, by device and inode, under its shortest path,
// then the first in sorted order), each file once (by canonical path),
// sorted. Below `input`, signprep's own outputs are left
// out: `output_dir` and every folder holding a run report signprep wrote
// (is_run_report), so that a run into a folder inside its input never takes
// what a run wrote there for input. Throws Error(kInput) when `input` does
// not exist or cannot be listed.
DiscoveredVideos discover_videos(const std::filesystem::path& input,
                                 const std::filesystem::path& output_dir);

}  // namespace signprep::pipeline
