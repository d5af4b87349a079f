// Reads back the .parquet files that parquet_writer.h writes, and nothing
// else: one row group, its column types, every column OPTIONAL with all
// values present, one Snappy-compressed DataPage v1 of PLAIN values per
// column.
// Strict: every length, offset and count comes from the file and is checked
// before use, and anything signprep does not write is refused, so a
// truncated, damaged or foreign file is an Error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "output/parquet_writer.h"

namespace signprep::output {

// Any table the writer writes, its columns in file order; throws
// Error(kInput) saying what is wrong.
std::vector<ParquetColumn> decode_parquet_table(std::span<const std::byte> file);
// Reads and decodes `path`; throws Error(kInput) "<path>: <problem>".
std::vector<ParquetColumn> read_parquet_table(const std::filesystem::path& path);

// The keypoint table (float columns "0" .. "<dims-1>", then "t_ms" (int64)
// and "mask_bits" (UTF-8)):

struct KeypointTable {
  std::size_t rows = 0;
  std::size_t dims = 0;                // float columns "0" .. "<dims-1>"
  std::vector<float> x;                // rows * dims, frame-major, as the .npz's X
  std::vector<std::int64_t> t_ms;      // rows
  std::vector<std::string> mask_bits;  // rows strings of '0'/'1'
};

// Decodes a whole file image; throws Error(kInput) saying what is wrong.
KeypointTable decode_keypoints_parquet(std::span<const std::byte> file);

// Reads and decodes `path`; throws Error(kInput) "<path>: <problem>".
KeypointTable read_keypoints_parquet(const std::filesystem::path& path);

}  // namespace signprep::output
