// What the Parquet writer and reader of output/ share about the files
// signprep writes: enum values from parquet-format's parquet.thrift, the
// type codes of Thrift's compact protocol (in which the footer and page
// headers are encoded), and the keypoint table's column names. Private to
// output/.
#pragma once

#include <cstdint>
#include <string_view>

namespace signprep::output::parquet {

enum class PhysicalType : std::int32_t {
  kInt32 = 1,
  kInt64 = 2,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6
};
constexpr std::int32_t kRepetitionOptional = 1;  // FieldRepetitionType
constexpr std::int32_t kConvertedTypeUtf8 = 0;   // ConvertedType
constexpr std::int32_t kConvertedTypeInt16 = 16;
constexpr std::int32_t kEncodingPlain = 0;  // Encoding
constexpr std::int32_t kEncodingRle = 3;
constexpr std::int32_t kCodecSnappy = 1;   // CompressionCodec
constexpr std::int32_t kPageTypeData = 0;  // PageType

// Files start and end with it; the footer's length (u32) precedes the last.
constexpr std::string_view kMagic = "PAR1";

enum class CompactType : std::uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kBinary = 8,
  kList = 9,
  kStruct = 12,
};

// The keypoint table: float columns "0" .. "<dims-1>", then these two.
constexpr std::string_view kTimeColumn = "t_ms";
constexpr std::string_view kMaskColumn = "mask_bits";

}  // namespace signprep::output::parquet
