// The Parquet reader reads back exactly what the writer wrote, and refuses a
// damaged file with an Error, never a crash: every truncation and every
// flipped byte of a small file is tried.
#include "output/parquet_reader.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "output/parquet_writer.h"
#include "test_support.h"

namespace signprep::output {
namespace {

constexpr int kDims = 156;
constexpr int kMaskPoints = 78;

struct Clip {
  int frames = 0;
  int dims = kDims;
  int mask_points = kMaskPoints;
  std::vector<float> x;
  std::vector<std::int64_t> t_ms;
  std::vector<std::uint8_t> mask;

  std::vector<std::byte> encode() const {
    return encode_keypoints_parquet(frames, dims, x, t_ms, mask, mask_points);
  }
};

Clip make_clip(int frames, int dims = kDims, int mask_points = kMaskPoints) {
  Clip clip;
  clip.frames = frames;
  clip.dims = dims;
  clip.mask_points = mask_points;
  for (int i = 0; i < frames * dims; ++i) clip.x.push_back(static_cast<float>(i % 997) / 997.0f);
  for (int i = 0; i < frames; ++i) clip.t_ms.push_back(i * 66);
  for (int i = 0; i < frames * mask_points; ++i) clip.mask.push_back(i % 3 == 0 ? 1 : 0);
  return clip;
}

// A table of two float columns: the same structure in a few hundred bytes, so
// that every byte of it can be damaged in turn.
Clip small_clip() {
  return make_clip(2, 2, 3);
}

std::vector<std::uint32_t> bits(const std::vector<float>& values) {
  std::vector<std::uint32_t> result;
  for (float value : values) result.push_back(std::bit_cast<std::uint32_t>(value));
  return result;
}

TEST(ParquetReader, ReadsBackWhatTheWriterWrote) {
  Clip clip = make_clip(5);
  clip.x[7] = std::numeric_limits<float>::quiet_NaN();  // compared bit for bit
  clip.x[8] = -0.0f;
  const KeypointTable table = decode_keypoints_parquet(clip.encode());
  EXPECT_EQ(table.rows, 5u);
  EXPECT_EQ(table.dims, static_cast<std::size_t>(kDims));
  EXPECT_EQ(bits(table.x), bits(clip.x));
  EXPECT_EQ(table.t_ms, clip.t_ms);
  ASSERT_EQ(table.mask_bits.size(), 5u);
  EXPECT_EQ(table.mask_bits[0].size(), static_cast<std::size_t>(kMaskPoints));
  EXPECT_EQ(table.mask_bits[0].substr(0, 7), "1001001");
}

TEST(ParquetReader, ReadsAnEmptyTable) {
  const KeypointTable table = decode_keypoints_parquet(make_clip(0).encode());
  EXPECT_EQ(table.rows, 0u);
  EXPECT_EQ(table.dims, static_cast<std::size_t>(kDims));
  EXPECT_TRUE(table.x.empty());
}

std::string decode_error(std::span<const std::byte> file) {
  try {
    decode_keypoints_parquet(file);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
    return error.what();
  }
  return "";
}

TEST(ParquetReader, EveryTruncationIsAnError) {
  const std::vector<std::byte> file = small_clip().encode();
  for (std::size_t size = 0; size < file.size(); ++size) {
    EXPECT_NE(decode_error(std::span(file).first(size)), "") << "truncated to " << size;
  }
}

TEST(ParquetReader, NamesABadMagicAndAMissingEnd) {
  std::vector<std::byte> file = make_clip(2).encode();
  file[0] = std::byte{'X'};
  EXPECT_EQ(decode_error(file), "not a Parquet file (bad magic at the start)");
  file = make_clip(2).encode();
  file.pop_back();
  EXPECT_EQ(decode_error(file), "not a whole Parquet file (no magic at the end)");
}

// A flipped byte may land where the reader cannot see it (a statistic, a
// float's value); elsewhere it must be an Error. Either way, no crash.
TEST(ParquetReader, AFlippedByteIsAnErrorOrHarmlessNeverACrash) {
  const std::vector<std::byte> good = small_clip().encode();
  std::size_t refused = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<std::byte> file = good;
      file[i] ^= std::byte{mask};
      if (!decode_error(file).empty()) ++refused;
    }
  }
  EXPECT_GT(refused, good.size());  // most damage is caught
}

TEST(ParquetReader, ReadsAnyWidth) {
  const Clip clip = small_clip();
  const KeypointTable table = decode_keypoints_parquet(clip.encode());
  EXPECT_EQ(table.dims, 2u);  // validate checks that it is 156
  EXPECT_EQ(table.x, clip.x);
  EXPECT_EQ(table.mask_bits, (std::vector<std::string>{"100", "100"}));
}

// Every column type the writer takes (the ISLR table's int16, double and
// strings among them) comes back bit for bit, NaN, extremes and signed zero
// included; a keypoint table is refused as one it is not.
TEST(ParquetReader, ReadsBackEveryColumnType) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<ParquetColumn> written = {
      {"frame", std::vector<std::int16_t>{0, -32768, 32767}},
      {"row_id", std::vector<std::string>{"0-face-0", "", "\xc3\xa9"}},
      {"t", std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 0, 7}},
      {"f", std::vector<float>{1.5f, -0.0f, std::numeric_limits<float>::quiet_NaN()}},
      {"x", std::vector<double>{nan, -0.0, 1e-300}},
  };
  const std::vector<ParquetColumn> read = decode_parquet_table(encode_parquet_table(written));
  ASSERT_EQ(read.size(), written.size());
  const auto double_bits = [](const ParquetColumn& c) {
    std::vector<std::uint64_t> result;
    for (double v : std::get<std::vector<double>>(c.values))
      result.push_back(std::bit_cast<std::uint64_t>(v));
    return result;
  };
  EXPECT_EQ(read[0].name, "frame");
  EXPECT_EQ(std::get<std::vector<std::int16_t>>(read[0].values),
            std::get<std::vector<std::int16_t>>(written[0].values));
  EXPECT_EQ(std::get<std::vector<std::string>>(read[1].values),
            std::get<std::vector<std::string>>(written[1].values));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(read[2].values),
            std::get<std::vector<std::int64_t>>(written[2].values));
  EXPECT_EQ(bits(std::get<std::vector<float>>(read[3].values)),
            bits(std::get<std::vector<float>>(written[3].values)));
  EXPECT_EQ(double_bits(read[4]), double_bits(written[4]));
  EXPECT_THROW(decode_keypoints_parquet(encode_parquet_table(written)), Error);
}

TEST(ParquetReader, ColumnsOfDifferentLengthsAreRefused) {
  const std::vector<ParquetColumn> columns = {{"a", std::vector<double>{1, 2}},
                                              {"b", std::vector<std::int16_t>{1}}};
  EXPECT_THROW(encode_parquet_table(columns), Error);
}

TEST(ParquetReader, ReadErrorsNameTheFile) {
  test::TempDir dir;
  const auto path = dir.path() / "clip.parquet";
  std::ofstream(path) << "PAR1 not really";
  try {
    read_keypoints_parquet(path);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path.string() + ": not a whole Parquet file (no magic at the end)");
  }
  try {
    read_keypoints_parquet(dir.path() / "missing.parquet");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              (dir.path() / "missing.parquet").string() + ": cannot open");
  }
}

}  // namespace
}  // namespace signprep::output
