// The Parquet writer is checked by reading its files back with hyparquet, a
// JavaScript reader written independently of ours (tests/output/read_parquet.mjs,
// installed by scripts/setup into tests/parquet_reader/node_modules): schema,
// chunk layout, statistics and every value, floats bit for bit.
#include "output/parquet_writer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace signprep::output {
namespace {

namespace fs = std::filesystem;

constexpr int kDims = 156;
constexpr int kMaskPoints = 78;

// ------------------------------------------------ read_parquet.mjs's JSON

// A parsed JSON value. Numbers keep their literal text so that int64 values
// and float bit patterns are compared exactly, never through a double.
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string scalar;             // a number's literal, a string's content, "true"/"false"
  std::vector<Json> items;        // array elements, or object member values
  std::vector<std::string> keys;  // object member names, parallel to items

  bool is_null() const { return kind == Kind::kNull; }

  const Json& at(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return items[i];
    }
    throw std::runtime_error("JSON has no member \"" + std::string(key) + "\"");
  }

  const std::string& text() const {
    if (kind != Kind::kString && kind != Kind::kNumber) {
      throw std::runtime_error("JSON value is not a string or number");
    }
    return scalar;
  }

  // int64 values arrive as strings (beyond 2^53), small counts as numbers.
  std::int64_t as_int64() const { return std::stoll(text()); }
  std::uint32_t as_uint32() const { return static_cast<std::uint32_t>(std::stoul(text())); }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  Json parse_document() {
    Json value = parse_value();
    skip_space();
    if (position_ != text_.size()) fail("trailing text");
    return value;
  }

 private:
  Json parse_value() {
    skip_space();
    if (position_ >= text_.size()) fail("unexpected end");
    const char next = text_[position_];
    if (next == '{') return parse_object();
    if (next == '[') return parse_array();
    Json value;
    if (next == '"') {
      value.kind = Json::Kind::kString;
      value.scalar = parse_string();
    } else if (consume_word("null")) {
      value.kind = Json::Kind::kNull;
    } else if (consume_word("true")) {
      value.kind = Json::Kind::kBool;
      value.scalar = "true";
    } else if (consume_word("false")) {
      value.kind = Json::Kind::kBool;
      value.scalar = "false";
    } else {
      value.kind = Json::Kind::kNumber;
      const std::size_t start = position_;
      while (position_ < text_.size() &&
             std::string_view("+-0123456789.eE").find(text_[position_]) != std::string_view::npos) {
        ++position_;
      }
      if (position_ == start) fail("unexpected character");
      value.scalar = std::string(text_.substr(start, position_ - start));
    }
    return value;
  }

  Json parse_array() {
    Json array;
    array.kind = Json::Kind::kArray;
    expect('[');
    if (!consume(']')) {
      do {
        array.items.push_back(parse_value());
      } while (consume(','));
      expect(']');
    }
    return array;
  }

  Json parse_object() {
    Json object;
    object.kind = Json::Kind::kObject;
    expect('{');
    if (!consume('}')) {
      do {
        skip_space();
        object.keys.push_back(parse_string());
        expect(':');
        object.items.push_back(parse_value());
      } while (consume(','));
      expect('}');
    }
    return object;
  }

  // The script's strings are ASCII (names, types, '0'/'1' masks).
  std::string parse_string() {
    expect('"');
    std::string result;
    while (position_ < text_.size() && text_[position_] != '"') {
      char c = text_[position_++];
      if (c == '\\') {
        if (position_ >= text_.size()) fail("unterminated escape");
        c = text_[position_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
        if (c == 'u') fail("\\u escapes are not expected");
      }
      result.push_back(c);
    }
    expect('"');
    return result;
  }

  void skip_space() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) {
      ++position_;
    }
  }
  bool consume(char c) {
    skip_space();
    if (position_ < text_.size() && text_[position_] == c) {
      ++position_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }
  bool consume_word(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("bad JSON from read_parquet.mjs at offset " +
                             std::to_string(position_) + ": " + what);
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

// ------------------------------------------------------------ running node

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

struct CommandResult {
  int exit_status = -1;
  std::string output;  // stdout only
};

CommandResult run_command(const std::string& command) {
  struct PipeCloser {
    void operator()(std::FILE* pipe) const { pclose(pipe); }
  };
  CommandResult result;
  std::FILE* raw = popen(command.c_str(), "r");
  if (raw == nullptr) throw std::runtime_error("cannot run: " + command);
  std::unique_ptr<std::FILE, PipeCloser> pipe(raw);
  std::array<char, 65536> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
    result.output.append(buffer.data(), count);
  }
  const int status = pclose(pipe.release());
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

const fs::path kSourceDir = SIGNPREP_SOURCE_DIR;
const fs::path kReaderScript = kSourceDir / "tests/output/read_parquet.mjs";
const fs::path kReaderPackage = kSourceDir / "tests/parquet_reader/node_modules/hyparquet";

// hyparquet's view of `file`. Throws (failing the test, never skipping it)
// when node or hyparquet is missing, or when hyparquet cannot read the file.
Json read_with_hyparquet(const fs::path& file) {
  const std::string node = run_command("command -v node").output;
  if (node.empty()) {
    throw std::runtime_error("node is not installed: run scripts/setup (it installs nodejs)");
  }
  if (!fs::exists(kReaderPackage / "package.json")) {
    throw std::runtime_error("hyparquet is missing from " + kReaderPackage.parent_path().string() +
                             ": run scripts/setup (npm ci --prefix tests/parquet_reader)");
  }
  const fs::path errors = file.string() + ".stderr";
  // A malformed file can send a reader into a very long loop: fail instead
  // (timeout exits with 124).
  const CommandResult result =
      run_command("timeout 120 node " + shell_quote(kReaderScript.string()) + " " +
                  shell_quote(file.string()) + " 2>" + shell_quote(errors.string()));
  const std::string error_text = read_text(errors);
  fs::remove(errors);
  if (result.exit_status != 0) {
    throw std::runtime_error("hyparquet could not read " + file.string() + " (exit " +
                             std::to_string(result.exit_status) + "): " + error_text);
  }
  return JsonParser(result.output).parse_document();
}

// ---------------------------------------------------------------- fixtures

// A fresh directory under the system's temporary directory, removed with
// everything in it when the test ends.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string name = (fs::temp_directory_path() / "parquet_writer_test.XXXXXX").string();
    if (mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const fs::path& path() const { return path_; }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

// Keypoint data as the pipeline hands it over.
struct Frames {
  int count = 0;
  std::vector<float> x;
  std::vector<std::int64_t> t_ms;
  std::vector<std::uint8_t> mask;

  float value(int frame, int dim) const {
    return x[static_cast<std::size_t>(frame) * kDims + static_cast<std::size_t>(dim)];
  }
  std::string mask_bits(int frame) const {
    std::string bits;
    for (int point = 0; point < kMaskPoints; ++point) {
      bits += mask[static_cast<std::size_t>(frame) * kMaskPoints + point] != 0 ? '1' : '0';
    }
    return bits;
  }
};

// Random coordinates in [0, 1) plus edge cases that a lossy path would alter
// (signed zero, subnormal, extremes); timestamps of 15 fps sampling, the last
// one beyond 2^53 where a double would round it; a random mixed mask.
Frames make_frames(int count) {
  Frames frames;
  frames.count = count;
  std::mt19937 random(1234u + static_cast<unsigned>(count));
  std::uniform_real_distribution<float> coordinate(0.0f, 1.0f);
  std::bernoulli_distribution visible(0.44);
  frames.x.resize(static_cast<std::size_t>(count) * kDims);
  for (float& value : frames.x) value = coordinate(random);
  const std::array<float, 7> edge_cases = {-0.0f,
                                           0.0f,
                                           1.0f,
                                           std::numeric_limits<float>::denorm_min(),
                                           std::numeric_limits<float>::max(),
                                           std::numeric_limits<float>::lowest(),
                                           -1.5f};
  for (std::size_t i = 0; i < edge_cases.size() && i < frames.x.size(); ++i) {
    frames.x[i * 23 % frames.x.size()] = edge_cases[i];
  }
  for (int frame = 0; frame < count; ++frame) frames.t_ms.push_back(frame * 1000 / 15);
  if (count >= 2) frames.t_ms.back() = (std::int64_t{1} << 53) + 1;
  frames.mask.resize(static_cast<std::size_t>(count) * kMaskPoints);
  for (std::uint8_t& bit : frames.mask) bit = visible(random) ? 1 : 0;
  return frames;
}

void write(const fs::path& path, const Frames& frames) {
  write_keypoints_parquet(path, frames.count, kDims, frames.x, frames.t_ms, frames.mask,
                          kMaskPoints);
}

std::uint32_t bits_of(float value) {
  return std::bit_cast<std::uint32_t>(value);
}

// The statistics the spec asks for: NaN-free min/max, a zero min as -0.0 and
// a zero max as +0.0.
std::pair<std::uint32_t, std::uint32_t> expected_float_min_max(const Frames& frames, int dim) {
  float lowest = frames.value(0, dim);
  float highest = lowest;
  for (int frame = 1; frame < frames.count; ++frame) {
    lowest = std::min(lowest, frames.value(frame, dim));
    highest = std::max(highest, frames.value(frame, dim));
  }
  return {bits_of(lowest == 0.0f ? -0.0f : lowest), bits_of(highest == 0.0f ? 0.0f : highest)};
}

// --------------------------------------------------------------------- tests

TEST(ParquetWriter, FileIsFramedByMagicAndFooterLength) {
  const Frames frames = make_frames(3);
  const std::vector<std::byte> file = encode_keypoints_parquet(
      frames.count, kDims, frames.x, frames.t_ms, frames.mask, kMaskPoints);
  ASSERT_GT(file.size(), 12u);
  const auto text = [&](std::size_t offset) {
    return std::string(reinterpret_cast<const char*>(file.data()) + offset, 4);
  };
  EXPECT_EQ(text(0), "PAR1");
  EXPECT_EQ(text(file.size() - 4), "PAR1");
  std::uint32_t footer_length = 0;
  for (int i = 3; i >= 0; --i) {
    footer_length = footer_length << 8 | std::to_integer<std::uint32_t>(file[file.size() - 8 + i]);
  }
  EXPECT_GT(footer_length, 0u);
  EXPECT_LT(footer_length, file.size() - 12);
}

class ParquetRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(ParquetRoundTrip, HyparquetReadsBackSchemaLayoutStatisticsAndEveryValue) {
  const Frames frames = make_frames(GetParam());
  ScratchDirectory directory;
  const fs::path path = directory.path() / "clip.parquet";
  write(path, frames);
  EXPECT_EQ(directory.entries(), std::vector<std::string>{"clip.parquet"}) << "temporary file left";

  const Json table = read_with_hyparquet(path);
  const std::int64_t rows = frames.count;
  EXPECT_EQ(table.at("version").as_int64(), 1);
  EXPECT_EQ(table.at("created_by").text(), "signprep");
  EXPECT_EQ(table.at("num_rows").as_int64(), rows);
  EXPECT_EQ(table.at("root").at("num_children").as_int64(), kDims + 2);
  const Json& row_groups = table.at("row_groups");
  ASSERT_EQ(row_groups.items.size(), 1u);
  EXPECT_EQ(row_groups.items[0].at("num_rows").as_int64(), rows);
  EXPECT_EQ(row_groups.items[0].at("file_offset").as_int64(), 4);
  if (rows > 0) {
    ASSERT_EQ(table.at("row_lengths").items.size(), 1u);
    EXPECT_EQ(table.at("row_lengths").items[0].as_int64(), kDims + 2);
  }

  const std::vector<Json>& columns = table.at("columns").items;
  ASSERT_EQ(columns.size(), static_cast<std::size_t>(kDims + 2));
  // Chunks lie back to back from the first byte after "PAR1" to the footer.
  std::int64_t next_chunk = 4;
  std::int64_t compressed_total = 0;
  for (std::size_t index = 0; index < columns.size(); ++index) {
    const Json& column = columns[index];
    SCOPED_TRACE("column " + column.at("name").text());
    EXPECT_EQ(column.at("repetition_type").text(), "OPTIONAL");
    EXPECT_EQ(column.at("codec").text(), "SNAPPY");
    ASSERT_EQ(column.at("encodings").items.size(), 2u);
    EXPECT_EQ(column.at("encodings").items[0].text(), "PLAIN");
    EXPECT_EQ(column.at("encodings").items[1].text(), "RLE");
    ASSERT_EQ(column.at("path_in_schema").items.size(), 1u);
    EXPECT_EQ(column.at("path_in_schema").items[0].text(), column.at("name").text());
    EXPECT_EQ(column.at("num_values").as_int64(), rows);
    EXPECT_EQ(column.at("null_count").as_int64(), 0);
    EXPECT_EQ(column.at("data_page_offset").as_int64(), next_chunk);
    next_chunk += column.at("total_compressed_size").as_int64();
    compressed_total += column.at("total_compressed_size").as_int64();
    EXPECT_GT(column.at("total_uncompressed_size").as_int64(), 0);
    ASSERT_EQ(column.at("values").items.size(), static_cast<std::size_t>(rows));
  }
  EXPECT_EQ(next_chunk,
            table.at("file_size").as_int64() - 8 - table.at("metadata_length").as_int64());
  EXPECT_EQ(row_groups.items[0].at("total_compressed_size").as_int64(), compressed_total);

  for (int dim = 0; dim < kDims; ++dim) {
    const Json& column = columns[static_cast<std::size_t>(dim)];
    SCOPED_TRACE("column " + std::to_string(dim));
    EXPECT_EQ(column.at("name").text(), std::to_string(dim));
    EXPECT_EQ(column.at("type").text(), "FLOAT");
    EXPECT_TRUE(column.at("logical_type").is_null());
    EXPECT_TRUE(column.at("converted_type").is_null());
    for (int frame = 0; frame < frames.count; ++frame) {
      ASSERT_EQ(column.at("values").items[static_cast<std::size_t>(frame)].as_uint32(),
                bits_of(frames.value(frame, dim)))
          << "frame " << frame;
    }
    if (frames.count == 0) {
      EXPECT_TRUE(column.at("min").is_null());
      EXPECT_TRUE(column.at("max").is_null());
    } else {
      const auto [min_bits, max_bits] = expected_float_min_max(frames, dim);
      EXPECT_EQ(column.at("min").as_uint32(), min_bits);
      EXPECT_EQ(column.at("max").as_uint32(), max_bits);
    }
  }

  const Json& t_ms = columns[kDims];
  EXPECT_EQ(t_ms.at("name").text(), "t_ms");
  EXPECT_EQ(t_ms.at("type").text(), "INT64");
  EXPECT_TRUE(t_ms.at("logical_type").is_null());
  for (int frame = 0; frame < frames.count; ++frame) {
    EXPECT_EQ(t_ms.at("values").items[static_cast<std::size_t>(frame)].as_int64(),
              frames.t_ms[static_cast<std::size_t>(frame)])
        << "frame " << frame;
  }
  if (frames.count > 0) {
    EXPECT_EQ(t_ms.at("min").as_int64(), *std::min_element(frames.t_ms.begin(), frames.t_ms.end()));
    EXPECT_EQ(t_ms.at("max").as_int64(), *std::max_element(frames.t_ms.begin(), frames.t_ms.end()));
  }

  const Json& mask_bits = columns[kDims + 1];
  EXPECT_EQ(mask_bits.at("name").text(), "mask_bits");
  EXPECT_EQ(mask_bits.at("type").text(), "BYTE_ARRAY");
  EXPECT_EQ(mask_bits.at("logical_type").text(), "STRING");
  EXPECT_EQ(mask_bits.at("converted_type").text(), "UTF8");
  std::vector<std::string> expected_bits;
  for (int frame = 0; frame < frames.count; ++frame) {
    expected_bits.push_back(frames.mask_bits(frame));
    EXPECT_EQ(mask_bits.at("values").items[static_cast<std::size_t>(frame)].text(),
              expected_bits.back())
        << "frame " << frame;
  }
  if (frames.count > 0) {
    EXPECT_EQ(mask_bits.at("min").text(),
              *std::min_element(expected_bits.begin(), expected_bits.end()));
    EXPECT_EQ(mask_bits.at("max").text(),
              *std::max_element(expected_bits.begin(), expected_bits.end()));
  }
}

// 0 rows (a video without frames), 1, a few, and enough that run lengths and
// page sizes need multi-byte varints.
INSTANTIATE_TEST_SUITE_P(FrameCounts, ParquetRoundTrip, ::testing::Values(0, 1, 3, 300),
                         [](const ::testing::TestParamInfo<int>& frame_count) {
                           return std::to_string(frame_count.param) + "_frames";
                         });

TEST(ParquetWriter, MaskBitsTreatAnyNonzeroByteAsVisible) {
  Frames frames = make_frames(1);
  std::fill(frames.mask.begin(), frames.mask.end(), std::uint8_t{0});
  frames.mask[0] = 1;
  frames.mask[1] = 2;
  frames.mask[77] = 255;
  ScratchDirectory directory;
  const fs::path path = directory.path() / "clip.parquet";
  write(path, frames);
  const Json table = read_with_hyparquet(path);
  EXPECT_EQ(table.at("columns").items.at(kDims + 1).at("values").items.at(0).text(),
            "11" + std::string(75, '0') + "1");
}

TEST(ParquetWriter, OverwritesAnExistingFileWithoutLeavingTemporaries) {
  ScratchDirectory directory;
  const fs::path path = directory.path() / "clip.parquet";
  write(path, make_frames(3));
  write(path, make_frames(1));
  EXPECT_EQ(directory.entries(), std::vector<std::string>{"clip.parquet"});
  EXPECT_EQ(read_with_hyparquet(path).at("num_rows").as_int64(), 1);
}

// Calls `write_call` expecting Error(kOutput) whose message contains every
// one of `fragments`.
template <typename WriteCall>
void expect_output_error(WriteCall write_call, const std::vector<std::string>& fragments) {
  try {
    write_call();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kOutput) << error.what();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
          << "\"" << error.what() << "\" lacks \"" << fragment << "\"";
    }
  }
}

TEST(ParquetWriter, RejectsSpansThatDoNotMatchTheCountsAndWritesNothing) {
  ScratchDirectory directory;
  const fs::path path = directory.path() / "clip.parquet";
  const Frames frames = make_frames(2);
  const std::span<const float> x(frames.x);
  const std::span<const std::int64_t> t_ms(frames.t_ms);
  const std::span<const std::uint8_t> mask(frames.mask);

  expect_output_error(
      [&] { write_keypoints_parquet(path, 2, kDims, x.first(10), t_ms, mask, kMaskPoints); },
      {"x holds 10 values", "frames * dims = 312", path.string()});
  expect_output_error(
      [&] { write_keypoints_parquet(path, 2, kDims, x, t_ms.first(1), mask, kMaskPoints); },
      {"t_ms holds 1 values", path.string()});
  expect_output_error(
      [&] { write_keypoints_parquet(path, 2, kDims, x, t_ms, mask.first(77), kMaskPoints); },
      {"mask holds 77 values", path.string()});
  expect_output_error([&] { write_keypoints_parquet(path, -1, kDims, {}, {}, {}, kMaskPoints); },
                      {"frames"});
  expect_output_error([&] { write_keypoints_parquet(path, 0, 0, {}, {}, {}, kMaskPoints); },
                      {"dims"});
  expect_output_error([&] { write_keypoints_parquet(path, 0, kDims, {}, {}, {}, 0); },
                      {"mask_points"});
  EXPECT_TRUE(directory.entries().empty());
}

TEST(ParquetWriter, MissingDirectoryIsAClearErrorAndLeavesNothing) {
  ScratchDirectory directory;
  const fs::path path = directory.path() / "missing" / "clip.parquet";
  expect_output_error([&] { write(path, make_frames(2)); },
                      {path.string(), "No such file or directory"});
  EXPECT_TRUE(directory.entries().empty());
}

TEST(ParquetWriter, DirectoryThatIsAFileIsAClearError) {
  ScratchDirectory directory;
  std::ofstream(directory.path() / "not_a_directory") << "x";
  const fs::path path = directory.path() / "not_a_directory" / "clip.parquet";
  expect_output_error([&] { write(path, make_frames(2)); }, {path.string(), "Not a directory"});
  EXPECT_EQ(directory.entries(), std::vector<std::string>{"not_a_directory"});
}

TEST(ParquetWriter, UnwritableDirectoryIsAClearErrorAndLeavesNothing) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  ScratchDirectory directory;
  const fs::path locked = directory.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const fs::path path = locked / "clip.parquet";
  expect_output_error([&] { write(path, make_frames(2)); }, {path.string(), "Permission denied"});
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(locked));
}

}  // namespace
}  // namespace signprep::output
