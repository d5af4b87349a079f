// A small Parquet writer: just enough of the format for flat tables of INT32
// (as int16), INT64, FLOAT, DOUBLE and UTF-8 string columns, laid out as pyarrow lays out a pandas
// DataFrame (facts from parquet-format's parquet.thrift and Encodings.md).
//
// File: "PAR1", then per column one chunk = one DataPage v1 (Thrift page
// header + Snappy-compressed definition levels and PLAIN values), then the
// Thrift-encoded FileMetaData, its length (u32 little-endian) and "PAR1".
#include "output/parquet_writer.h"

#include <snappy.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "output/atomic_file.h"
#include "output/parquet_format.h"

namespace signprep::output {
namespace {

using Bytes = std::vector<std::byte>;

using parquet::CompactType;
using parquet::kCodecSnappy;
using parquet::kConvertedTypeInt16;
using parquet::kConvertedTypeUtf8;
using parquet::kEncodingPlain;
using parquet::kEncodingRle;
using parquet::kMagic;
using parquet::kMaskColumn;
using parquet::kPageTypeData;
using parquet::kRepetitionOptional;
using parquet::kTimeColumn;
using parquet::PhysicalType;

// The spec asks writers to write 1 for the widest reader support.
constexpr std::int32_t kFormatVersion = 1;

constexpr std::string_view kCreatedBy = "signprep";
// pyarrow's name for the root group; readers ignore it.
constexpr std::string_view kRootName = "schema";

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorKind::kOutput, "cannot encode Parquet: " + message);
}

// ---------------------------------------------------------------- bytes

void append(Bytes& out, std::span<const std::byte> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void append(Bytes& out, std::string_view text) {
  append(out, std::as_bytes(std::span(text)));
}

// Parquet stores fixed-width numbers little-endian whatever the host's order.
template <typename Unsigned>
void append_little_endian(Bytes& out, Unsigned value) {
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFFu));
  }
}

// Unsigned LEB128, used by Thrift's compact protocol and by RLE run headers.
void append_varint(Bytes& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::byte>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::byte>(value));
}

// Page sizes and value counts are i32 in the page header.
std::int32_t to_i32(std::size_t value, std::string_view what) {
  if (value > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    fail(std::string(what) + " of " + std::to_string(value) +
         " exceeds Parquet's 2 GiB page limit");
  }
  return static_cast<std::int32_t>(value);
}

std::int64_t to_i64(std::size_t value) {
  return static_cast<std::int64_t>(value);
}

// ------------------------------------------------- Thrift compact protocol

// Thrift's compact protocol, in which Parquet encodes its footer and page
// headers; only what those need. Fields of a struct must be written in
// increasing id order: headers store the id as a delta from the previous one.
class CompactWriter {
 public:
  CompactWriter() : last_field_ids_{0} {}

  void byte_field(std::int16_t id, std::int8_t value) {
    field_header(id, CompactType::kByte);
    bytes_.push_back(static_cast<std::byte>(value));
  }
  // The compact protocol carries a bool in its field header's type.
  void bool_field(std::int16_t id, bool value) {
    field_header(id, value ? CompactType::kBoolTrue : CompactType::kBoolFalse);
  }
  void i16_field(std::int16_t id, std::int16_t value) {
    field_header(id, CompactType::kI16);
    append_varint(bytes_, zigzag(value));
  }
  void i32_field(std::int16_t id, std::int32_t value) {
    field_header(id, CompactType::kI32);
    append_varint(bytes_, zigzag(value));
  }
  void i64_field(std::int16_t id, std::int64_t value) {
    field_header(id, CompactType::kI64);
    append_varint(bytes_, zigzag(value));
  }
  void binary_field(std::int16_t id, std::span<const std::byte> value) {
    field_header(id, CompactType::kBinary);
    append_binary(value);
  }
  void string_field(std::int16_t id, std::string_view value) {
    binary_field(id, std::as_bytes(std::span(value)));
  }

  // A struct (or union) field: its own fields follow, then end_struct().
  void begin_struct_field(std::int16_t id) {
    field_header(id, CompactType::kStruct);
    last_field_ids_.push_back(0);
  }
  void end_struct() {
    bytes_.push_back(static_cast<std::byte>(CompactType::kStop));
    last_field_ids_.pop_back();
  }

  // A list field; exactly `size` elements of `element_type` follow.
  void begin_list_field(std::int16_t id, CompactType element_type, std::size_t size) {
    field_header(id, CompactType::kList);
    const auto type_bits = static_cast<std::uint8_t>(element_type);
    if (size < 15) {
      bytes_.push_back(static_cast<std::byte>((size << 4) | type_bits));
    } else {
      bytes_.push_back(static_cast<std::byte>(0xF0 | type_bits));
      append_varint(bytes_, size);
    }
  }
  void i32_element(std::int32_t value) { append_varint(bytes_, zigzag(value)); }
  void string_element(std::string_view value) { append_binary(std::as_bytes(std::span(value))); }
  // A struct element of a list: its fields follow, then end_struct().
  void begin_struct_element() { last_field_ids_.push_back(0); }

  // Ends the outermost struct and hands over the encoding.
  Bytes finish() && {
    end_struct();
    return std::move(bytes_);
  }

 private:
  static std::uint64_t zigzag(std::int64_t value) {
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  }

  void field_header(std::int16_t id, CompactType type) {
    const int delta = id - last_field_ids_.back();
    const auto type_bits = static_cast<std::uint8_t>(type);
    if (delta > 0 && delta <= 15) {
      bytes_.push_back(static_cast<std::byte>((delta << 4) | type_bits));
    } else {
      bytes_.push_back(static_cast<std::byte>(type_bits));
      append_varint(bytes_, zigzag(id));
    }
    last_field_ids_.back() = id;
  }

  void append_binary(std::span<const std::byte> value) {
    append_varint(bytes_, value.size());
    append(bytes_, value);
  }

  Bytes bytes_;
  std::vector<std::int16_t> last_field_ids_;  // one per open struct, innermost last
};

// ------------------------------------------------------------------ columns

// One column of a table, its values already PLAIN-encoded, with the chunk
// statistics that let readers skip it (min/max PLAIN-encoded, byte arrays
// without their length prefix; absent when there is no non-NaN value).
struct Column {
  std::string name;
  PhysicalType type = PhysicalType::kFloat;
  bool is_utf8 = false;
  bool is_int16 = false;  // INT32 holding int16 values
  std::size_t value_count = 0;
  Bytes plain_values;
  std::optional<Bytes> min_value;
  std::optional<Bytes> max_value;
  std::optional<std::int64_t> nan_count;  // floating-point columns only
};

// A value as PLAIN encodes it: little-endian, int16 widened to INT32.
template <typename T>
Bytes plain_bytes(T value) {
  Bytes bytes;
  if constexpr (std::is_same_v<T, float>) {
    append_little_endian(bytes, std::bit_cast<std::uint32_t>(value));
  } else if constexpr (std::is_same_v<T, double>) {
    append_little_endian(bytes, std::bit_cast<std::uint64_t>(value));
  } else if constexpr (std::is_same_v<T, std::int16_t>) {
    append_little_endian(bytes, static_cast<std::uint32_t>(static_cast<std::int32_t>(value)));
  } else {
    append_little_endian(bytes, static_cast<std::uint64_t>(value));
  }
  return bytes;
}

template <typename T>
constexpr PhysicalType physical_type() {
  if constexpr (std::is_same_v<T, float>) return PhysicalType::kFloat;
  if constexpr (std::is_same_v<T, double>) return PhysicalType::kDouble;
  if constexpr (std::is_same_v<T, std::int16_t>) return PhysicalType::kInt32;
  return PhysicalType::kInt64;
}

// A numeric column with its statistics. Floating-point NaN is kept out of
// min/max and counted, as the spec asks.
template <typename T>
Column numeric_column(std::string name, std::span<const T> values) {
  Column column;
  column.name = std::move(name);
  column.type = physical_type<T>();
  column.is_int16 = std::is_same_v<T, std::int16_t>;
  column.value_count = values.size();
  std::optional<T> lowest;
  std::optional<T> highest;
  std::int64_t nans = 0;
  for (T value : values) {
    append(column.plain_values, plain_bytes(value));
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(value)) {
        ++nans;
        continue;
      }
    }
    lowest = lowest ? std::min(*lowest, value) : value;
    highest = highest ? std::max(*highest, value) : value;
  }
  if constexpr (std::is_floating_point_v<T>) {
    column.nan_count = nans;
    // The spec's rule for zeros: a zero min is written as -0.0 and a zero max
    // as +0.0, so that a reader filtering on either zero never skips the chunk.
    if (lowest && *lowest == 0) lowest = -T{0};
    if (highest && *highest == 0) highest = T{0};
  }
  if (lowest) {
    column.min_value = plain_bytes(*lowest);
    column.max_value = plain_bytes(*highest);
  }
  return column;
}

// UTF-8 strings: BYTE_ARRAY annotated as STRING. Their statistics order is
// unsigned byte-wise, which std::string's comparison is.
Column utf8_column(std::string name, std::span<const std::string> values) {
  Column column;
  column.name = std::move(name);
  column.type = PhysicalType::kByteArray;
  column.is_utf8 = true;
  column.value_count = values.size();
  for (const std::string& value : values) {
    append_little_endian(column.plain_values,
                         static_cast<std::uint32_t>(to_i32(value.size(), "a string")));
    append(column.plain_values, value);
  }
  if (!values.empty()) {
    const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
    column.min_value.emplace();
    append(*column.min_value, *lowest);
    column.max_value.emplace();
    append(*column.max_value, *highest);
  }
  return column;
}

// ------------------------------------------------------------------- pages

// Definition levels of a page where every value is present. An OPTIONAL
// top-level column has maximum level 1, so the levels are one RLE run of
// `count` ones (bit width 1: the run header, then the value in one byte),
// behind the 4-byte length that DataPage v1 puts before its levels.
Bytes all_present_definition_levels(std::size_t count) {
  Bytes run;
  if (count > 0) {
    append_varint(run, std::uint64_t{count} << 1);  // low bit 0: an RLE run, not bit-packed
    run.push_back(std::byte{1});
  }
  Bytes levels;
  append_little_endian(levels, static_cast<std::uint32_t>(run.size()));
  append(levels, run);
  return levels;
}

// Raw Snappy (no framing), the form Parquet's SNAPPY codec means.
Bytes snappy_compress(std::span<const std::byte> input) {
  Bytes output(snappy::MaxCompressedLength(input.size()));
  std::size_t length = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                      reinterpret_cast<char*>(output.data()), &length);
  output.resize(length);
  return output;
}

Bytes encode_data_page_header(std::size_t value_count, std::size_t uncompressed_size,
                              std::size_t compressed_size) {
  CompactWriter header;
  header.i32_field(1, kPageTypeData);
  header.i32_field(2, to_i32(uncompressed_size, "a page"));
  header.i32_field(3, to_i32(compressed_size, "a compressed page"));
  header.begin_struct_field(5);  // DataPageHeader
  header.i32_field(1, to_i32(value_count, "a page's value count"));
  header.i32_field(2, kEncodingPlain);
  header.i32_field(3, kEncodingRle);  // definition levels
  // No repetition levels are stored (flat schema); RLE names their encoding as pyarrow does.
  header.i32_field(4, kEncodingRle);
  header.end_struct();
  return std::move(header).finish();
}

// Where a column chunk lies in the file; sizes include the page header.
struct ChunkLayout {
  std::int64_t data_page_offset = 0;
  std::int64_t uncompressed_size = 0;
  std::int64_t compressed_size = 0;
};

// Appends the column as a chunk of one data page. One page per column keeps
// the writer simple; keypoint columns stay far below the 2 GiB page limit
// (a one-hour clip at 30 fps is 108000 rows, 9 MB of mask_bits).
ChunkLayout append_column_chunk(Bytes& file, const Column& column) {
  Bytes page = all_present_definition_levels(column.value_count);
  append(page, column.plain_values);
  const Bytes compressed = snappy_compress(page);
  const Bytes header = encode_data_page_header(column.value_count, page.size(), compressed.size());
  ChunkLayout layout;
  layout.data_page_offset = to_i64(file.size());
  layout.uncompressed_size = to_i64(header.size() + page.size());
  layout.compressed_size = to_i64(header.size() + compressed.size());
  append(file, header);
  append(file, compressed);
  return layout;
}

// ----------------------------------------------------------------- footer

void write_schema(CompactWriter& meta, std::span<const Column> columns) {
  meta.begin_list_field(2, CompactType::kStruct, columns.size() + 1);
  // The root group, holding every column.
  meta.begin_struct_element();
  meta.string_field(4, kRootName);
  meta.i32_field(5, to_i32(columns.size(), "the column count"));
  meta.end_struct();
  for (const Column& column : columns) {
    meta.begin_struct_element();
    meta.i32_field(1, static_cast<std::int32_t>(column.type));
    meta.i32_field(3, kRepetitionOptional);
    meta.string_field(4, column.name);
    if (column.is_utf8) {
      meta.i32_field(6, kConvertedTypeUtf8);  // for readers that predate logical types
      meta.begin_struct_field(10);            // LogicalType, a union: STRING
      meta.begin_struct_field(1);
      meta.end_struct();
      meta.end_struct();
    }
    if (column.is_int16) {
      meta.i32_field(6, kConvertedTypeInt16);
      meta.begin_struct_field(10);  // LogicalType, a union: INTEGER
      meta.begin_struct_field(10);  // IntType
      meta.byte_field(1, 16);       // bitWidth
      meta.bool_field(2, true);     // isSigned
      meta.end_struct();
      meta.end_struct();
    }
    meta.end_struct();
  }
}

void write_statistics(CompactWriter& meta, const Column& column) {
  meta.begin_struct_field(12);
  meta.i64_field(3, 0);  // null_count: every value is present
  if (column.max_value) meta.binary_field(5, *column.max_value);
  if (column.min_value) meta.binary_field(6, *column.min_value);
  if (column.nan_count) meta.i64_field(9, *column.nan_count);
  meta.end_struct();
}

void write_column_chunk(CompactWriter& meta, const Column& column, const ChunkLayout& chunk) {
  meta.begin_struct_element();
  // file_offset is deprecated; the spec asks for 0 when no ColumnMetaData is
  // written outside the footer.
  meta.i64_field(2, 0);
  meta.begin_struct_field(3);  // ColumnMetaData
  meta.i32_field(1, static_cast<std::int32_t>(column.type));
  meta.begin_list_field(2, CompactType::kI32, 2);  // values PLAIN, levels RLE
  meta.i32_element(kEncodingPlain);
  meta.i32_element(kEncodingRle);
  meta.begin_list_field(3, CompactType::kBinary, 1);  // path_in_schema
  meta.string_element(column.name);
  meta.i32_field(4, kCodecSnappy);
  meta.i64_field(5, to_i64(column.value_count));
  meta.i64_field(6, chunk.uncompressed_size);
  meta.i64_field(7, chunk.compressed_size);
  meta.i64_field(9, chunk.data_page_offset);
  write_statistics(meta, column);
  meta.end_struct();
  meta.end_struct();
}

void write_row_group(CompactWriter& meta, std::span<const Column> columns,
                     std::span<const ChunkLayout> chunks, std::int64_t row_count) {
  meta.begin_struct_element();
  meta.begin_list_field(1, CompactType::kStruct, columns.size());
  std::int64_t uncompressed_total = 0;
  std::int64_t compressed_total = 0;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    write_column_chunk(meta, columns[i], chunks[i]);
    uncompressed_total += chunks[i].uncompressed_size;
    compressed_total += chunks[i].compressed_size;
  }
  meta.i64_field(2, uncompressed_total);  // total_byte_size
  meta.i64_field(3, row_count);
  meta.i64_field(5, to_i64(kMagic.size()));  // file_offset: the first chunk follows the magic
  meta.i64_field(6, compressed_total);
  meta.i16_field(7, 0);  // ordinal
  meta.end_struct();
}

Bytes encode_file_metadata(std::span<const Column> columns, std::span<const ChunkLayout> chunks,
                           std::int64_t row_count) {
  CompactWriter meta;
  meta.i32_field(1, kFormatVersion);
  write_schema(meta, columns);
  meta.i64_field(3, row_count);
  meta.begin_list_field(4, CompactType::kStruct, 1);
  write_row_group(meta, columns, chunks, row_count);
  meta.string_field(6, kCreatedBy);
  // Without column orders the min_value/max_value statistics are undefined.
  meta.begin_list_field(7, CompactType::kStruct, columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    meta.begin_struct_element();  // ColumnOrder, a union: TYPE_ORDER
    meta.begin_struct_field(1);
    meta.end_struct();
    meta.end_struct();
  }
  return std::move(meta).finish();
}

// A whole file: every column in one row group of `row_count` rows.
Bytes encode_table(std::span<const Column> columns, std::int64_t row_count) {
  Bytes file;
  append(file, kMagic);
  std::vector<ChunkLayout> chunks;
  chunks.reserve(columns.size());
  for (const Column& column : columns) chunks.push_back(append_column_chunk(file, column));
  const Bytes footer = encode_file_metadata(columns, chunks, row_count);
  append(file, footer);
  append_little_endian(file, static_cast<std::uint32_t>(to_i32(footer.size(), "the footer")));
  append(file, kMagic);
  return file;
}

// ---------------------------------------------------------------- keypoints

void expect_size(std::string_view what, std::size_t actual, std::size_t expected,
                 std::string_view meaning) {
  if (actual != expected) {
    fail(std::string(what) + " holds " + std::to_string(actual) + " values, expected " +
         std::string(meaning) + " = " + std::to_string(expected));
  }
}

void check_keypoint_input(int frames, int dims, std::span<const float> x,
                          std::span<const std::int64_t> t_ms, std::span<const std::uint8_t> mask,
                          int mask_points) {
  if (frames < 0 || dims <= 0 || mask_points <= 0) {
    fail("need frames >= 0, dims > 0 and mask_points > 0, got frames " + std::to_string(frames) +
         ", dims " + std::to_string(dims) + ", mask_points " + std::to_string(mask_points));
  }
  const auto rows = static_cast<std::size_t>(frames);
  expect_size("x", x.size(), rows * static_cast<std::size_t>(dims), "frames * dims");
  expect_size("t_ms", t_ms.size(), rows, "frames");
  expect_size("mask", mask.size(), rows * static_cast<std::size_t>(mask_points),
              "frames * mask_points");
}

// Per frame, one '0'/'1' character per keypoint, as the Python tool joins them.
std::vector<std::string> mask_bit_strings(int frames, std::span<const std::uint8_t> mask,
                                          int mask_points) {
  std::vector<std::string> strings;
  strings.reserve(static_cast<std::size_t>(frames));
  const auto width = static_cast<std::size_t>(mask_points);
  for (std::size_t frame = 0; frame < static_cast<std::size_t>(frames); ++frame) {
    std::string bits(width, '0');
    for (std::size_t point = 0; point < width; ++point) {
      if (mask[frame * width + point] != 0) bits[point] = '1';
    }
    strings.push_back(std::move(bits));
  }
  return strings;
}

std::vector<Column> keypoint_columns(int frames, int dims, std::span<const float> x,
                                     std::span<const std::int64_t> t_ms,
                                     std::span<const std::uint8_t> mask, int mask_points) {
  std::vector<Column> columns;
  columns.reserve(static_cast<std::size_t>(dims) + 2);
  const auto rows = static_cast<std::size_t>(frames);
  const auto stride = static_cast<std::size_t>(dims);
  std::vector<float> values(rows);
  for (std::size_t dim = 0; dim < stride; ++dim) {
    for (std::size_t row = 0; row < rows; ++row) values[row] = x[row * stride + dim];
    columns.push_back(numeric_column<float>(std::to_string(dim), values));
  }
  columns.push_back(numeric_column<std::int64_t>(std::string(kTimeColumn), t_ms));
  columns.push_back(
      utf8_column(std::string(kMaskColumn), mask_bit_strings(frames, mask, mask_points)));
  return columns;
}

}  // namespace

std::vector<std::byte> encode_keypoints_parquet(int frames, int dims, std::span<const float> x,
                                                std::span<const std::int64_t> t_ms,
                                                std::span<const std::uint8_t> mask,
                                                int mask_points) {
  check_keypoint_input(frames, dims, x, t_ms, mask, mask_points);
  return encode_table(keypoint_columns(frames, dims, x, t_ms, mask, mask_points), frames);
}

std::vector<std::byte> encode_parquet_table(std::span<const ParquetColumn> columns) {
  std::vector<Column> encoded;
  encoded.reserve(columns.size());
  for (const ParquetColumn& column : columns) {
    encoded.push_back(std::visit(
        [&column](const auto& values) {
          using T = typename std::decay_t<decltype(values)>::value_type;
          if constexpr (std::is_same_v<T, std::string>) {
            return utf8_column(column.name, values);
          } else {
            return numeric_column<T>(column.name, values);
          }
        },
        column.values));
  }
  const std::size_t rows = encoded.empty() ? 0 : encoded.front().value_count;
  for (const Column& column : encoded) {
    expect_size("column " + column.name, column.value_count, rows, "the first column's rows");
  }
  return encode_table(encoded, to_i64(rows));
}

void write_parquet_table(const std::filesystem::path& path,
                         std::span<const ParquetColumn> columns) {
  std::vector<std::byte> bytes;
  try {
    bytes = encode_parquet_table(columns);
  } catch (const Error& error) {
    throw Error(error.kind(), std::string(error.what()) + " (writing " + path.string() + ")");
  }
  write_file_atomically(path, bytes);
}

void write_keypoints_parquet(const std::filesystem::path& path, int frames, int dims,
                             std::span<const float> x, std::span<const std::int64_t> t_ms,
                             std::span<const std::uint8_t> mask, int mask_points) {
  std::vector<std::byte> bytes;
  try {
    bytes = encode_keypoints_parquet(frames, dims, x, t_ms, mask, mask_points);
  } catch (const Error& error) {
    throw Error(error.kind(), std::string(error.what()) + " (writing " + path.string() + ")");
  }
  write_file_atomically(path, bytes);
}

}  // namespace signprep::output
