// signprep validate's checks of Holistic's whole output: the members
// --keypoints full adds to a clip's .npz and the .parquet --format islr
// writes beside it. Each returns the problems found, worded for a line
// after the file's name. Private to app/.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "output/npz_reader.h"

namespace signprep::app {

using NpzMembers = std::map<std::string, const output::NpyArray*>;

// The nine members (all or none), their dtypes and shapes ([T,33,4] pose,
// [T,33,3] pose_world, [T,21,3] hands, [T,face_points,3] face, [T] bools),
// and their values: finite in a frame whose block is present, NaN in one
// where it is not.
std::vector<std::string> landmark_block_problems(const NpzMembers& members, std::size_t frames,
                                                 int face_points);

// The ISLR table beside the .npz: its columns and types, T x 543 rows in the
// data set's order, and, when the .npz holds the blocks, their values.
std::vector<std::string> islr_parquet_problems(const std::filesystem::path& parquet,
                                               const NpzMembers& members, std::size_t frames);

}  // namespace signprep::app
