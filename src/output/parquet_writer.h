// Flat Parquet tables as pandas' DataFrame.to_parquet (pyarrow engine,
// Snappy) writes them, and the Python tool's keypoint table among them.
//
// Written by our own encoder (Debian 12 has no Arrow): one row group, one
// DataPage v1 per column, PLAIN values, Snappy. Every column is OPTIONAL with
// all values defined, as pyarrow declares pandas columns, so that readers see
// the same nullable schema as in the Python tool's files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace signprep::output {

// One column of a table: its name and a value per row, typed as pyarrow
// types a pandas column of that dtype: int16 as INT32 annotated INT(16,
// signed), int64, float and double as themselves (NaN kept out of the
// statistics' min/max and counted), strings as UTF-8 BYTE_ARRAY.
struct ParquetColumn {
  std::string name;
  std::variant<std::vector<std::int16_t>, std::vector<std::int64_t>, std::vector<float>,
               std::vector<double>, std::vector<std::string>>
      values;
};

// A table of these columns in one row group. Throws Error(kOutput) when
// columns differ in length.
std::vector<std::byte> encode_parquet_table(std::span<const ParquetColumn> columns);

// Writes encode_parquet_table's bytes atomically (temporary file + rename);
// throws Error(kOutput) naming `path`.
void write_parquet_table(const std::filesystem::path& path, std::span<const ParquetColumn> columns);

// The optional <name>.parquet output of the Python tool: one row per frame;
// columns "0" .. "<dims-1>" (float32, from X), "t_ms" (int64) and "mask_bits"
// (a UTF-8 string of one '0'/'1' per keypoint), in that order.
// x: frames * dims floats, frame-major; t_ms: frames timestamps;
// mask: frames * mask_points bytes, nonzero meaning visible.
// Throws Error(kOutput) when a span's size does not match the counts.
std::vector<std::byte> encode_keypoints_parquet(int frames, int dims, std::span<const float> x,
                                                std::span<const std::int64_t> t_ms,
                                                std::span<const std::uint8_t> mask,
                                                int mask_points);

// Writes encode_keypoints_parquet's bytes atomically (temporary file +
// rename); throws Error(kOutput) naming `path` on bad input or a failed write.
void write_keypoints_parquet(const std::filesystem::path& path, int frames, int dims,
                             std::span<const float> x, std::span<const std::int64_t> t_ms,
                             std::span<const std::uint8_t> mask, int mask_points);

}  // namespace signprep::output
