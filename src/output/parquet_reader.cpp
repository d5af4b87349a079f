// The reading half of parquet_writer.cpp, for `signprep validate`: the footer
// is decoded with a generic Thrift compact-protocol reader into a tree of
// values, then every field signprep writes is looked up in it and checked
// against what the writer puts there.
#include "output/parquet_reader.h"

#include <snappy.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.h"
#include "core/little_endian.h"
#include "output/parquet_format.h"

namespace signprep::output {
namespace {

using parquet::CompactType;
using parquet::PhysicalType;
using Bytes = std::span<const std::byte>;

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorKind::kInput, message);
}

// ------------------------------------------------- Thrift compact protocol

struct ThriftField;

// A decoded value: an integer (i16, i32, i64), a binary (string), a list or
// a struct; `type` says which member holds it.
struct ThriftValue {
  CompactType type = CompactType::kStop;
  std::int64_t integer = 0;
  std::string binary;
  std::vector<ThriftValue> elements;  // a list's
  std::vector<ThriftField> fields;    // a struct's, in file order
};

struct ThriftField {
  std::int16_t id = 0;
  ThriftValue value;
};

// Deeper than any struct signprep writes (statistics sit at depth 6); a
// damaged file that nests further would otherwise exhaust the stack.
constexpr int kMaxNesting = 16;

// Decodes the compact protocol's structs from a byte range; only the types
// signprep writes are accepted.
class CompactReader {
 public:
  explicit CompactReader(Bytes bytes) : bytes_(bytes) {}

  ThriftValue read_struct(int depth = 0) {
    if (depth > kMaxNesting) fail("Thrift structs nested too deeply");
    ThriftValue value;
    value.type = CompactType::kStruct;
    std::int16_t last_id = 0;
    for (;;) {
      const auto header = std::to_integer<std::uint8_t>(next_byte());
      if (header == 0) return value;  // stop
      const auto type = static_cast<CompactType>(header & 0x0F);
      const int delta = header >> 4;
      const std::int64_t id = delta != 0 ? last_id + delta : zigzag_varint();
      if (id <= last_id || id > std::numeric_limits<std::int16_t>::max()) {
        fail("Thrift field ids out of order");
      }
      last_id = static_cast<std::int16_t>(id);
      value.fields.push_back({last_id, read_value(type, depth + 1)});
    }
  }

  std::size_t consumed() const { return position_; }

 private:
  std::byte next_byte() {
    if (position_ >= bytes_.size()) fail("Thrift data ends early");
    return bytes_[position_++];
  }

  // Unsigned LEB128, at most 64 bits.
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const auto byte = std::to_integer<std::uint64_t>(next_byte());
      value |= (byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail("Thrift varint longer than 64 bits");
  }

  std::int64_t zigzag_varint() {
    const std::uint64_t raw = varint();
    return static_cast<std::int64_t>(raw >> 1) ^ -static_cast<std::int64_t>(raw & 1);
  }

  ThriftValue read_value(CompactType type, int depth) {
    ThriftValue value;
    value.type = type;
    switch (type) {
      case CompactType::kI16:
      case CompactType::kI32:
      case CompactType::kI64:
        value.integer = zigzag_varint();
        return value;
      case CompactType::kByte:
        value.integer = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(next_byte()));
        return value;
      case CompactType::kBoolTrue:  // a struct field's bool is in its header
      case CompactType::kBoolFalse:
        value.integer = type == CompactType::kBoolTrue ? 1 : 0;
        return value;
      case CompactType::kBinary: {
        const std::uint64_t size = varint();
        if (size > bytes_.size() - position_) fail("Thrift binary runs past its data");
        const Bytes text = bytes_.subspan(position_, size);
        value.binary.assign(reinterpret_cast<const char*>(text.data()), text.size());
        position_ += size;
        return value;
      }
      case CompactType::kList:
        read_list(value, depth);
        return value;
      case CompactType::kStruct:
        return read_struct(depth);
      default:
        fail("unsupported Thrift type " + std::to_string(static_cast<int>(type)));
    }
  }

  void read_list(ThriftValue& list, int depth) {
    if (depth > kMaxNesting) fail("Thrift lists nested too deeply");
    const auto header = std::to_integer<std::uint8_t>(next_byte());
    const auto element_type = static_cast<CompactType>(header & 0x0F);
    const std::uint64_t size = (header >> 4) == 15 ? varint() : header >> 4;
    // Every element takes at least one byte: a larger count is damage, and
    // must not become a huge allocation.
    if (size > bytes_.size() - position_) fail("Thrift list longer than its data");
    list.elements.reserve(size);
    for (std::uint64_t i = 0; i < size; ++i)
      list.elements.push_back(read_value(element_type, depth));
  }

  Bytes bytes_;
  std::size_t position_ = 0;
};

// ----------------------------------------------- looking up decoded fields

const ThriftValue* find_field(const ThriftValue& parent, std::int16_t id) {
  for (const ThriftField& field : parent.fields) {
    if (field.id == id) return &field.value;
  }
  return nullptr;
}

const ThriftValue& field(const ThriftValue& parent, std::int16_t id, CompactType type,
                         std::string_view what) {
  const ThriftValue* value = find_field(parent, id);
  if (value == nullptr) fail(std::string(what) + " is missing");
  if (value->type != type) fail(std::string(what) + " has the wrong Thrift type");
  return *value;
}

std::int64_t integer_field(const ThriftValue& parent, std::int16_t id, CompactType type,
                           std::string_view what) {
  return field(parent, id, type, what).integer;
}

void expect_integer(const ThriftValue& parent, std::int16_t id, CompactType type,
                    std::int64_t expected, std::string_view what) {
  const std::int64_t actual = integer_field(parent, id, type, what);
  if (actual != expected) {
    fail(std::string(what) + " is " + std::to_string(actual) + ", expected " +
         std::to_string(expected));
  }
}

const std::vector<ThriftValue>& list_field(const ThriftValue& parent, std::int16_t id,
                                           CompactType element_type, std::string_view what) {
  const ThriftValue& list = field(parent, id, CompactType::kList, what);
  for (const ThriftValue& element : list.elements) {
    if (element.type != element_type) fail(std::string(what) + " holds the wrong Thrift type");
  }
  return list.elements;
}

// ------------------------------------------------------------------ schema

// A column as the schema declares it; int16 is an INT32 annotated INT_16.
struct ColumnSchema {
  std::string name;
  PhysicalType type = PhysicalType::kFloat;
  bool is_int16 = false;
};

// One OPTIONAL leaf of a type the writer writes, strings marked UTF-8 and
// INT32 marked INT_16.
ColumnSchema read_column_schema(const ThriftValue& element, const std::string& what) {
  ColumnSchema column;
  column.name = field(element, 4, CompactType::kBinary, what + "'s name").binary;
  const std::string named = "column \"" + column.name + "\"";
  const std::int64_t type =
      integer_field(element, 1, CompactType::kI32, named + "'s physical type");
  switch (static_cast<PhysicalType>(type)) {
    case PhysicalType::kInt32:
      column.is_int16 = true;
      expect_integer(element, 6, CompactType::kI32, parquet::kConvertedTypeInt16,
                     named + "'s converted type");
      break;
    case PhysicalType::kByteArray:
      expect_integer(element, 6, CompactType::kI32, parquet::kConvertedTypeUtf8,
                     named + "'s converted type");
      break;
    case PhysicalType::kInt64:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      break;
    default:
      fail(named + " has physical type " + std::to_string(type) + ", which signprep never writes");
  }
  column.type = static_cast<PhysicalType>(type);
  expect_integer(element, 3, CompactType::kI32, parquet::kRepetitionOptional,
                 named + "'s repetition");
  return column;
}

// The schema: a root group, then one leaf per column.
std::vector<ColumnSchema> read_schema(const ThriftValue& metadata) {
  const auto& elements = list_field(metadata, 2, CompactType::kStruct, "the schema");
  if (elements.empty()) fail("the schema is empty");
  const std::size_t column_count = elements.size() - 1;
  expect_integer(elements.front(), 5, CompactType::kI32, static_cast<std::int64_t>(column_count),
                 "the schema root's child count");
  std::vector<ColumnSchema> columns;
  for (std::size_t i = 0; i < column_count; ++i) {
    columns.push_back(read_column_schema(elements[i + 1], "schema column " + std::to_string(i)));
  }
  return columns;
}

// ------------------------------------------------------------------- pages

// The bytes of a column chunk, which must lie between the leading magic and
// the footer.
Bytes chunk_bytes(Bytes file, std::size_t footer_start, const ThriftValue& column_metadata,
                  const std::string& column) {
  const std::int64_t offset =
      integer_field(column_metadata, 9, CompactType::kI64, column + "'s data page offset");
  const std::int64_t size =
      integer_field(column_metadata, 7, CompactType::kI64, column + "'s compressed size");
  const auto start = static_cast<std::int64_t>(parquet::kMagic.size());
  if (offset < start || size < 0 || offset > static_cast<std::int64_t>(footer_start) ||
      size > static_cast<std::int64_t>(footer_start) - offset) {
    fail(column + "'s chunk (offset " + std::to_string(offset) + ", " + std::to_string(size) +
         " bytes) lies outside the data");
  }
  return file.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
}

std::vector<std::byte> snappy_uncompress(Bytes compressed, std::size_t expected_size,
                                         const std::string& column) {
  const auto* data = reinterpret_cast<const char*>(compressed.data());
  std::size_t size = 0;
  // Validated before anything is allocated: the stated length could be anything.
  if (!snappy::IsValidCompressedBuffer(data, compressed.size())) {
    fail(column + "'s page is not valid Snappy data");
  }
  if (!snappy::GetUncompressedLength(data, compressed.size(), &size) || size != expected_size) {
    fail(column + "'s page does not decompress to its stated " + std::to_string(expected_size) +
         " bytes");
  }
  std::vector<std::byte> page(size);
  if (!snappy::RawUncompress(data, compressed.size(), reinterpret_cast<char*>(page.data()))) {
    fail(column + "'s page is not valid Snappy data");
  }
  return page;
}

// The page's uncompressed bytes, after checking its header: one data page
// of `rows` PLAIN values that fills the chunk exactly.
std::vector<std::byte> read_page(Bytes chunk, std::size_t rows, const std::string& column) {
  CompactReader reader(chunk);
  const ThriftValue header = reader.read_struct();
  expect_integer(header, 1, CompactType::kI32, parquet::kPageTypeData, column + "'s page type");
  const std::int64_t uncompressed =
      integer_field(header, 2, CompactType::kI32, column + "'s uncompressed page size");
  const std::int64_t compressed =
      integer_field(header, 3, CompactType::kI32, column + "'s compressed page size");
  const Bytes body = chunk.subspan(reader.consumed());
  if (compressed < 0 || static_cast<std::size_t>(compressed) != body.size()) {
    fail(column + "'s page holds " + std::to_string(body.size()) + " bytes, its header says " +
         std::to_string(compressed));
  }
  const ThriftValue& data_header =
      field(header, 5, CompactType::kStruct, column + "'s data page header");
  expect_integer(data_header, 1, CompactType::kI32, static_cast<std::int64_t>(rows),
                 column + "'s value count");
  expect_integer(data_header, 2, CompactType::kI32, parquet::kEncodingPlain,
                 column + "'s encoding");
  expect_integer(data_header, 3, CompactType::kI32, parquet::kEncodingRle,
                 column + "'s definition level encoding");
  if (uncompressed < 0) fail(column + "'s uncompressed page size is negative");
  return snappy_uncompress(body, static_cast<std::size_t>(uncompressed), column);
}

// Reads a little-endian unsigned integer from `bytes` at `position`, which
// it advances.
template <typename Unsigned>
Unsigned take_little_endian(Bytes bytes, std::size_t& position, const std::string& column) {
  if (bytes.size() - position < sizeof(Unsigned)) fail(column + "'s values end early");
  const auto value = read_little_endian<Unsigned>(bytes.subspan(position, sizeof(Unsigned)));
  position += sizeof(Unsigned);
  return value;
}

// Skips the definition levels at the page's start, which must say that every
// one of `rows` values is present: one RLE run of ones, as the writer puts
// it. Returns where the values start.
std::size_t skip_all_present_levels(Bytes page, std::size_t rows, const std::string& column) {
  std::size_t position = 0;
  const auto length = take_little_endian<std::uint32_t>(page, position, column);
  if (length > page.size() - position) fail(column + "'s definition levels run past the page");
  const Bytes levels = page.subspan(position, length);
  // An RLE run: header (count << 1, low bit 0), then the level in one byte.
  std::vector<std::byte> expected;
  if (rows > 0) {
    for (std::uint64_t header = std::uint64_t{rows} << 1;; header >>= 7) {
      expected.push_back(static_cast<std::byte>((header & 0x7F) | (header >= 0x80 ? 0x80 : 0)));
      if (header < 0x80) break;
    }
    expected.push_back(std::byte{1});
  }
  if (!std::ranges::equal(levels, expected)) {
    fail(column + "'s definition levels do not mark all " + std::to_string(rows) +
         " values present");
  }
  return position + length;
}

// ------------------------------------------------------------------ values

// A column's PLAIN values, which must fill the page exactly.
class ColumnValues {
 public:
  ColumnValues(std::vector<std::byte> page, std::size_t rows, std::string column)
      : page_(std::move(page)), column_(std::move(column)) {
    position_ = skip_all_present_levels(page_, rows, column_);
  }

  template <typename T>
  T next() {
    if constexpr (std::is_same_v<T, float>) {
      return std::bit_cast<float>(take_little_endian<std::uint32_t>(page_, position_, column_));
    } else if constexpr (std::is_same_v<T, double>) {
      return std::bit_cast<double>(take_little_endian<std::uint64_t>(page_, position_, column_));
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      const auto value =
          static_cast<std::int32_t>(take_little_endian<std::uint32_t>(page_, position_, column_));
      if (value < std::numeric_limits<std::int16_t>::min() ||
          value > std::numeric_limits<std::int16_t>::max()) {
        fail(column_ + " holds " + std::to_string(value) + ", outside its INT_16 annotation");
      }
      return static_cast<std::int16_t>(value);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      return static_cast<std::int64_t>(
          take_little_endian<std::uint64_t>(page_, position_, column_));
    } else {
      const auto size = take_little_endian<std::uint32_t>(page_, position_, column_);
      if (size > page_.size() - position_) fail(column_ + "'s string runs past the page");
      std::string text(reinterpret_cast<const char*>(page_.data() + position_), size);
      position_ += size;
      return text;
    }
  }

  void expect_end() const {
    if (position_ != page_.size()) {
      fail(column_ + "'s page holds " + std::to_string(page_.size() - position_) +
           " bytes after its values");
    }
  }

 private:
  std::vector<std::byte> page_;
  std::string column_;
  std::size_t position_ = 0;
};

// Each column grows only as its page's values are read, so a damaged count
// never becomes a huge allocation.
template <typename T>
std::vector<T> read_values(ColumnValues values, std::size_t rows) {
  std::vector<T> read;
  for (std::size_t row = 0; row < rows; ++row) read.push_back(values.next<T>());
  values.expect_end();
  return read;
}

ParquetColumn read_column(ColumnValues values, const ColumnSchema& schema, std::size_t rows) {
  ParquetColumn column{schema.name, {}};
  switch (schema.type) {
    case PhysicalType::kInt32:
      column.values = read_values<std::int16_t>(std::move(values), rows);
      break;
    case PhysicalType::kInt64:
      column.values = read_values<std::int64_t>(std::move(values), rows);
      break;
    case PhysicalType::kFloat:
      column.values = read_values<float>(std::move(values), rows);
      break;
    case PhysicalType::kDouble:
      column.values = read_values<double>(std::move(values), rows);
      break;
    case PhysicalType::kByteArray:
      column.values = read_values<std::string>(std::move(values), rows);
      break;
  }
  return column;
}

// The keypoint table's columns in order, as the writer names and types them.
void expect_keypoint_columns(const std::vector<ParquetColumn>& columns) {
  if (columns.size() < 3) fail("the schema has too few columns for a keypoint table");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::size_t dims = columns.size() - 2;
    const std::string expected = i < dims    ? std::to_string(i)
                                 : i == dims ? std::string(parquet::kTimeColumn)
                                             : std::string(parquet::kMaskColumn);
    if (columns[i].name != expected) {
      fail("schema column " + std::to_string(i) + " is named \"" + columns[i].name +
           "\", expected \"" + expected + "\"");
    }
    const bool typed = i < dims ? std::holds_alternative<std::vector<float>>(columns[i].values)
                       : i == dims
                           ? std::holds_alternative<std::vector<std::int64_t>>(columns[i].values)
                           : std::holds_alternative<std::vector<std::string>>(columns[i].values);
    if (!typed) fail("column \"" + expected + "\"'s physical type is not a keypoint table's");
  }
}

// X's layout, frame-major, from the float columns.
std::vector<float> frame_major(std::span<const ParquetColumn> columns, std::size_t rows) {
  std::vector<float> x(rows * columns.size());
  for (std::size_t dim = 0; dim < columns.size(); ++dim) {
    const auto& values = std::get<std::vector<float>>(columns[dim].values);
    for (std::size_t row = 0; row < rows; ++row) x[row * columns.size() + dim] = values[row];
  }
  return x;
}

// ------------------------------------------------------------------ footer

struct Footer {
  ThriftValue metadata;
  std::size_t start = 0;  // offset of the footer in the file
};

Footer read_footer(Bytes file) {
  const std::size_t magic = parquet::kMagic.size();
  const auto is_magic = [&](Bytes bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), magic) == parquet::kMagic;
  };
  const std::size_t trailer = sizeof(std::uint32_t) + magic;
  if (file.size() < magic + trailer) {
    fail("too short for a Parquet file (" + std::to_string(file.size()) + " bytes)");
  }
  if (!is_magic(file.first(magic))) fail("not a Parquet file (bad magic at the start)");
  if (!is_magic(file.last(magic))) fail("not a whole Parquet file (no magic at the end)");
  const auto length =
      read_little_endian<std::uint32_t>(file.subspan(file.size() - trailer, sizeof(std::uint32_t)));
  if (length > file.size() - magic - trailer) {
    fail("the footer's length (" + std::to_string(length) + ") exceeds the file");
  }
  Footer footer;
  footer.start = file.size() - trailer - length;
  CompactReader reader(file.subspan(footer.start, length));
  footer.metadata = reader.read_struct();
  if (reader.consumed() != length) fail("the footer has bytes after its metadata");
  return footer;
}

std::size_t row_count(const ThriftValue& metadata, const ThriftValue& row_group) {
  const std::int64_t rows = integer_field(metadata, 3, CompactType::kI64, "the row count");
  if (rows < 0) fail("the row count is negative");
  expect_integer(row_group, 3, CompactType::kI64, rows, "the row group's row count");
  return static_cast<std::size_t>(rows);
}

// The column chunk's metadata, checked against the schema and row count.
const ThriftValue& column_metadata(const ThriftValue& chunk, const ColumnSchema& column,
                                   std::size_t rows, const std::string& what) {
  const ThriftValue& metadata = field(chunk, 3, CompactType::kStruct, what + "'s metadata");
  expect_integer(metadata, 1, CompactType::kI32, static_cast<std::int32_t>(column.type),
                 what + "'s chunk type");
  const auto& path = list_field(metadata, 3, CompactType::kBinary, what + "'s path");
  if (path.size() != 1 || path.front().binary != column.name) {
    fail(what + "'s chunk belongs to another column");
  }
  expect_integer(metadata, 4, CompactType::kI32, parquet::kCodecSnappy, what + "'s codec");
  expect_integer(metadata, 5, CompactType::kI64, static_cast<std::int64_t>(rows),
                 what + "'s value count");
  return metadata;
}

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("cannot read");
  const auto view = std::as_bytes(std::span(bytes));
  return {view.begin(), view.end()};
}

}  // namespace

std::vector<ParquetColumn> decode_parquet_table(std::span<const std::byte> file) {
  const Footer footer = read_footer(file);
  const std::vector<ColumnSchema> columns = read_schema(footer.metadata);
  const auto& row_groups = list_field(footer.metadata, 4, CompactType::kStruct, "the row groups");
  if (row_groups.size() != 1) {
    fail(std::to_string(row_groups.size()) + " row groups, expected 1");
  }
  const auto& chunks = list_field(row_groups.front(), 1, CompactType::kStruct, "the row group");
  if (chunks.size() != columns.size()) {
    fail("the row group holds " + std::to_string(chunks.size()) + " column chunks, expected " +
         std::to_string(columns.size()));
  }
  const std::size_t rows = row_count(footer.metadata, row_groups.front());
  std::vector<ParquetColumn> table;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string what = "column \"" + columns[i].name + "\"";
    const ThriftValue& metadata = column_metadata(chunks[i], columns[i], rows, what);
    const Bytes chunk = chunk_bytes(file, footer.start, metadata, what);
    table.push_back(
        read_column(ColumnValues(read_page(chunk, rows, what), rows, what), columns[i], rows));
  }
  return table;
}

std::vector<ParquetColumn> read_parquet_table(const std::filesystem::path& path) {
  try {
    return decode_parquet_table(read_file(path));
  } catch (const Error& error) {
    throw Error(ErrorKind::kInput, path.string() + ": " + error.what());
  }
}

KeypointTable decode_keypoints_parquet(std::span<const std::byte> file) {
  std::vector<ParquetColumn> columns = decode_parquet_table(file);
  expect_keypoint_columns(columns);
  const std::size_t dims = columns.size() - 2;
  KeypointTable table;
  table.dims = dims;
  table.t_ms = std::move(std::get<std::vector<std::int64_t>>(columns[dims].values));
  table.rows = table.t_ms.size();
  table.x = frame_major(std::span(columns).first(dims), table.rows);
  table.mask_bits = std::move(std::get<std::vector<std::string>>(columns[dims + 1].values));
  return table;
}

KeypointTable read_keypoints_parquet(const std::filesystem::path& path) {
  try {
    return decode_keypoints_parquet(read_file(path));
  } catch (const Error& error) {
    throw Error(ErrorKind::kInput, path.string() + ": " + error.what());
  }
}

}  // namespace signprep::output
