// Writes .npz files with known contents, then has numpy (an independent
// reader) check dtypes, shapes, values and archive layout: check_npz.py
// regenerates the same values and compares them bit for bit.
#include "output/npz_writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace signprep::output {
namespace {

constexpr std::string_view kMeta = "{\"video\": \"vid\\u00e9o.mp4\"} ✓ 𝄞 é";

void write_sample(const std::filesystem::path& path, std::size_t frames) {
  std::vector<float> x(frames * 156), features(frames * 2048);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) * 0.5f - 7.0f;
  for (std::size_t i = 0; i < features.size(); ++i) {
    features[i] = static_cast<float>(i) * 0.001f;
  }
  std::vector<std::uint8_t> mask(frames * 78);
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = i % 3 == 0;
  std::vector<std::int64_t> timestamps(frames);
  for (std::size_t i = 0; i < frames; ++i) timestamps[i] = static_cast<std::int64_t>(i) * 33;

  NpzWriter npz;
  const std::size_t x_shape[] = {frames, 156}, f_shape[] = {frames, 2048}, m_shape[] = {frames, 78},
                    t_shape[] = {frames};
  npz.add_float32("X", x_shape, x);
  npz.add_float32("X2048", f_shape, features);
  npz.add_bool("mask", m_shape, mask);
  npz.add_int64("timestamps_ms", t_shape, timestamps);
  npz.add_unicode_scalar("meta", kMeta);
  npz.write(path);
}

TEST(NpzWriter, NumpyReadsBackExactly) {
  test::TempDir dir;
  for (std::size_t frames : {0u, 1u, 5u}) {
    const auto path = dir.path() / ("clip" + std::to_string(frames) + ".npz");
    write_sample(path, frames);
    EXPECT_EQ(test::run_python("output/check_npz.py", path.string() + " " + std::to_string(frames)),
              0)
        << "numpy disagrees with " << path;
  }
}

TEST(NpzWriter, RejectsValuesThatDoNotFillTheShape) {
  NpzWriter npz;
  const std::size_t shape[] = {2, 3};
  const std::vector<float> five(5);
  EXPECT_THROW(npz.add_float32("X", shape, five), std::invalid_argument);
  const std::vector<std::uint8_t> not_bool = {0, 1, 2, 0, 1, 0};
  EXPECT_THROW(npz.add_bool("mask", shape, not_bool), std::invalid_argument);
}

TEST(NpzWriter, UnwritableDirectoryIsAnOutputErrorAndLeavesNothing) {
  test::TempDir dir;
  const auto missing = dir.path() / "missing" / "clip.npz";
  NpzWriter npz;
  npz.add_unicode_scalar("meta", "{}");
  try {
    npz.write(missing);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kOutput);
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(EncodeNpy, HeaderIsAlignedTo64Bytes) {
  const std::size_t shape[] = {7};
  const std::vector<std::int64_t> values(7, 1);
  const auto npy = encode_npy("<i8", shape, std::as_bytes(std::span(values)));
  const std::size_t header_end = npy.size() - values.size() * sizeof(std::int64_t);
  EXPECT_EQ(header_end % 64, 0u);
  EXPECT_EQ(static_cast<char>(npy[header_end - 1]), '\n');
}

}  // namespace
}  // namespace signprep::output
