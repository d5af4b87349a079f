// --format islr: a clip's landmarks as one Parquet table in the layout of
// Kaggle's "Google - Isolated Sign Language Recognition" data
// (train_landmark_files/<participant>/<sequence>.parquet), so that code
// written for that data set reads signprep's files.
//
// Columns, in that order: frame (int16), row_id (string
// "<frame>-<type>-<landmark_index>"), type (string: face, left_hand, pose,
// right_hand), landmark_index (int16), x, y, z (float64, normalised to the
// keypoint frame as the .npz's blocks; NaN where the block was not found).
// Per frame 543 rows in the data set's order: face 0..467, left hand 0..20,
// pose 0..32, right hand 0..20. `frame` is the kept frame's index, the row of
// the .npz's arrays (the data set numbers the source video's frames).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "output/parquet_writer.h"
#include "pipeline/landmark_blocks.h"

namespace signprep::pipeline {

// The data set's 468 face points (the mesh): refinement's 10 iris points
// stay in the .npz only.
inline constexpr int kIslrFacePoints = 468;
inline constexpr int kIslrRowsPerFrame = kIslrFacePoints + 21 + 33 + 21;  // 543

// The table's columns. Throws Error(kOutput) for a clip of more frames than
// int16's frame column holds (32767).
std::vector<output::ParquetColumn> islr_columns(const LandmarkBlocks& blocks);

// Writes islr_columns(blocks) atomically; throws Error(kOutput).
void write_islr_parquet(const std::filesystem::path& path, const LandmarkBlocks& blocks);

}  // namespace signprep::pipeline
