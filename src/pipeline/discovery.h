// Finds the videos a run processes.
#pragma once

#include <filesystem>
#include <vector>

namespace signprep::pipeline {

// True for the extensions signprep reads (.mp4 .mov .avi .mkv .webm, any case).
bool has_video_extension(const std::filesystem::path& path);

// `input` itself when it is a file (whatever its extension: the user named it),
// else every video file below the directory, recursively, following symlinked
// files, each once (by canonical path), sorted. Throws Error(kInput) when
// `input` does not exist or a directory cannot be read.
std::vector<std::filesystem::path> discover_videos(const std::filesystem::path& input);

}  // namespace signprep::pipeline
