// FlexBuffers maps written byte by byte (layouts in the comments), the real
// options of a MediaPipe operator, and malformed buffers.
#include "nn/tflite/flexbuffers.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "nn/tflite/flatbuffer_view.h"

namespace signprep::nn::detail {
namespace {

std::vector<std::byte> bytes(const std::vector<std::uint8_t>& values) {
  std::vector<std::byte> out(values.size());
  if (!values.empty()) std::memcpy(out.data(), values.data(), values.size());
  return out;
}

template <class T>
void put(std::vector<std::uint8_t>& buffer, std::size_t pos, T value) {
  std::memcpy(buffer.data() + pos, &value, sizeof(T));
}

// face_landmark_with_attention's TransformTensorBilinear options.
// clang-format off
const std::vector<std::uint8_t> kTransformTensorBilinear = {
    'o', 'u', 't', 'p', 'u', 't', '_', 'h', 'e', 'i', 'g', 'h', 't', 0,  // key 0 at 0
    'o', 'u', 't', 'p', 'u', 't', '_', 'w', 'i', 'd', 't', 'h', 0,       // key 1 at 14
    2, 28, 15,  // keys vector: size 2, offsets 28-28 = 0 and 29-15 = 14
    2, 1, 2,    // map: keys at 30-2 = 28, keys byte width 1, size 2
    16, 16,     // values at 33
    4, 4,       // types: INT, INT
    4, 36, 1};  // root: map at 37-4 = 33, type MAP (width 1), root width 1
// clang-format on

TEST(FlexBuffers, MediaPipeOptions) {
  EXPECT_EQ(parse_flex_map(bytes(kTransformTensorBilinear)),
            (FlexMap{{"output_height", std::int64_t{16}}, {"output_width", std::int64_t{16}}}));
}

// A width-1 map of an int, a bool, a uint and a string.
std::vector<std::uint8_t> scalar_map() {
  // clang-format off
  return {'a', 0, 'b', 0, 'c', 0, 'd', 0,   // keys at 0, 2, 4, 6
          2, 'h', 'i', 0,                   // string "hi": size at 8, chars at 9
          4, 13, 12, 11, 10,                // keys vector at 13: 13-13, 14-12, 15-11, 16-10
          4, 1, 4,                          // map: keys at 17-4 = 13, width 1, size 4
          0xfd, 1, 200, 14,                 // values at 20: -3, true, 200, string at 23-14 = 9
          1 << 2, 26 << 2, 2 << 2, 5 << 2,  // INT, BOOL, UINT, STRING
          8, 9 << 2, 1};                    // root: map at 28-8 = 20
  // clang-format on
}

TEST(FlexBuffers, Scalars) {
  EXPECT_EQ(parse_flex_map(bytes(scalar_map())), (FlexMap{{"a", std::int64_t{-3}},
                                                          {"b", true},
                                                          {"c", std::int64_t{200}},
                                                          {"d", std::string("hi")}}));
}

// A width-4 map of a float, a typed int16 vector, a fixed float pair and an
// untyped vector mixing an int and a float.
std::vector<std::uint8_t> vector_map() {
  std::vector<std::uint8_t> b(79, 0);
  const char keys[] = {'f', 0, 'v', 0, 'w', 0, 'x', 0};
  std::memcpy(b.data(), keys, sizeof keys);  // keys at 0, 2, 4, 6
  put<std::uint16_t>(b, 8, 3);               // VECTOR_INT, width 2: size at 8
  put<std::int16_t>(b, 10, -1);
  put<std::int16_t>(b, 12, 300);
  put<std::int16_t>(b, 14, 7);
  put<float>(b, 16, 0.5f);  // VECTOR_FLOAT2, width 4, at 16 (no size)
  put<float>(b, 20, -2.0f);
  put<std::uint32_t>(b, 24, 2);  // VECTOR, width 4: size at 24, elements at 28
  put<std::int32_t>(b, 28, 5);
  put<float>(b, 32, 2.5f);
  b[36] = 1 << 2;      // INT
  b[37] = 3 << 2 | 2;  // FLOAT
  b[38] = 4;           // keys vector at 39 (width 1): 39-39, 40-38, 41-37, 42-36
  b[39] = 39, b[40] = 38, b[41] = 37, b[42] = 36;
  put<std::uint32_t>(b, 44, 44 - 39);  // map, width 4: keys offset, keys width, size
  put<std::uint32_t>(b, 48, 1);
  put<std::uint32_t>(b, 52, 4);
  put<float>(b, 56, 1.5f);             // values at 56
  put<std::uint32_t>(b, 60, 60 - 10);  // -> int16 vector
  put<std::uint32_t>(b, 64, 64 - 16);  // -> float pair
  put<std::uint32_t>(b, 68, 68 - 28);  // -> untyped vector
  b[72] = 3 << 2 | 2;                  // FLOAT
  b[73] = 11 << 2 | 1;                 // VECTOR_INT, children 2 bytes wide
  b[74] = 18 << 2 | 2;                 // VECTOR_FLOAT2, 4 bytes
  b[75] = 10 << 2 | 2;                 // VECTOR, 4 bytes
  b[76] = 76 - 56;                     // root: map at 56
  b[77] = 9 << 2 | 2;                  // MAP, 4 bytes wide
  b[78] = 1;
  return b;
}

TEST(FlexBuffers, Vectors) {
  EXPECT_EQ(parse_flex_map(bytes(vector_map())),
            (FlexMap{{"f", 1.5},
                     {"v", std::vector<std::int64_t>{-1, 300, 7}},
                     {"w", std::vector<double>{0.5, -2.0}},
                     {"x", std::vector<double>{5.0, 2.5}}}));
}

TEST(FlexBuffers, RejectsMalformedBuffers) {
  const auto rejects = [](std::vector<std::uint8_t> b) {
    EXPECT_THROW(parse_flex_map(bytes(b)), FormatError);
  };
  rejects({});
  rejects({5, 1 << 2, 1});     // root is an int, not a map
  rejects({0, 0, 9 << 2, 3});  // root byte width 3
  rejects({200, 9 << 2, 1});   // root offset before the buffer
  std::vector<std::uint8_t> b = kTransformTensorBilinear;
  b.erase(b.begin(), b.begin() + 5);  // offsets now point before the start
  rejects(b);
  b = kTransformTensorBilinear;
  b[35] = 9 << 2;  // a nested map as a value
  rejects(b);
  b = kTransformTensorBilinear;
  b[29] = 29;  // both keys "output_height": duplicate
  rejects(b);
  b = kTransformTensorBilinear;
  b[27] = 3;  // three keys, two values
  rejects(b);
  b = scalar_map();
  b[11] = 'x';  // string without its NUL
  rejects(b);
  b = scalar_map();
  b[8] = 250;  // string longer than the buffer
  rejects(b);
  b = vector_map();
  put<std::uint32_t>(b, 24, 0x7fffffff);  // vector longer than the buffer
  rejects(b);
  b = vector_map();
  b[37] = 10 << 2;  // a vector inside the untyped vector
  rejects(b);
}

// Every truncation of a valid buffer is an error or a (smaller) valid map,
// never a read past the end (checked under the sanitizers).
TEST(FlexBuffers, TruncationsNeverReadOutside) {
  for (const auto& full : {kTransformTensorBilinear, scalar_map(), vector_map()}) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      const std::vector<std::byte> cut = bytes({full.begin(), full.begin() + static_cast<long>(n)});
      try {
        parse_flex_map(cut);
      } catch (const FormatError&) {
      }
    }
  }
}

}  // namespace
}  // namespace signprep::nn::detail
