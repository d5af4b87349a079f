// The optional <name>.parquet output: the table the Python tool writes with
// pandas' DataFrame.to_parquet (pyarrow engine, Snappy). One row per frame;
// columns "0" .. "<dims-1>" (float32, from X), "t_ms" (int64) and "mask_bits"
// (a UTF-8 string of one '0'/'1' per keypoint), in that order.
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
#include <vector>

namespace signprep::output {

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
