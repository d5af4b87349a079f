// The safetensors reader: values of each float dtype decoded exactly, the
// header's JSON read strictly, and every damaged file (truncated at any
// byte, bytes flipped, ranges outside the data, wrong sizes, bad JSON) an
// Error(kModel) that names the file, never a crash or an out-of-bounds read
// (the sanitizer build runs these too). fuzz/safetensors_fuzz.cpp explores
// further; the inputs it found worth keeping are in corpus/ and replayed here.
#include "nn/safetensors.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/safetensors/safetensors_builder.h"
#include "test_support.h"

namespace signprep::nn {
namespace {

using test::raw_bytes;
using test::safetensors_bytes;

std::vector<std::byte> small_file() {
  return safetensors_bytes({
      {"weight", "F32", {2, 2}, raw_bytes(std::vector<float>{1.5f, -2.0f, 0.0f, 1e-30f})},
      {"half", "F16", {3}, raw_bytes(std::vector<std::uint16_t>{0x3C00, 0xC000, 0x0001})},
      {"brain", "BF16", {2}, raw_bytes(std::vector<std::uint16_t>{0x3F80, 0x4049})},
      {"count", "I64", {}, raw_bytes(std::vector<std::int64_t>{7})},
  });
}

// The Error(kModel) message of parsing `bytes`, or "" when it parses.
std::string parse_error(std::vector<std::byte> bytes) {
  try {
    SafetensorsFile::parse(std::move(bytes), "file.safetensors");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("file.safetensors: ", 0), 0u) << e.what();
    return e.what();
  }
  return "";
}

std::string header_error(const std::string& header, std::size_t data_bytes = 16) {
  return parse_error(safetensors_bytes(header, std::vector<std::byte>(data_bytes)));
}

TEST(Safetensors, DecodesEachFloatDtypeExactly) {
  const SafetensorsFile file = SafetensorsFile::parse(small_file(), "small");
  EXPECT_EQ(file.float32("weight"), (std::vector<float>{1.5f, -2.0f, 0.0f, 1e-30f}));
  EXPECT_EQ(file.float32("half"), (std::vector<float>{1.0f, -2.0f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(file.float32("brain"), (std::vector<float>{1.0f, 3.140625f}));
  EXPECT_EQ(file.entry("weight").shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(file.entry("count").dtype, "I64");
  EXPECT_TRUE(file.entry("count").shape.empty());
  EXPECT_EQ(file.entries().size(), 4u);  // __metadata__ is not a tensor
}

TEST(Safetensors, NonFloatTensorsAndMissingNamesAreClearErrors) {
  const SafetensorsFile file = SafetensorsFile::parse(small_file(), "small");
  try {
    file.float32("count");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "small: tensor count has dtype I64; expected F32, F16 or BF16");
  }
  try {
    file.entry("nothing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel);
    EXPECT_EQ(std::string(e.what()), "small: no tensor nothing");
  }
}

TEST(Safetensors, ReadsEscapedNamesSpacesAndEmptyTensors) {
  const std::string header =
      " { \"a\\u00e9\\n\\ud83d\\ude00\" : { \"shape\" : [ 0 , 3 ] , \"dtype\" : \"F32\" ,"
      " \"data_offsets\" : [ 0 , 0 ] } }   ";
  const SafetensorsFile file = SafetensorsFile::parse(safetensors_bytes(header, {}), "escaped");
  EXPECT_TRUE(file.entries().contains("a\xC3\xA9\n\xF0\x9F\x98\x80"));
  EXPECT_TRUE(file.float32("a\xC3\xA9\n\xF0\x9F\x98\x80").empty());
  EXPECT_TRUE(SafetensorsFile::parse(safetensors_bytes("{}", {}), "empty").entries().empty());
}

TEST(Safetensors, TooShortOrOversizedHeaderLengths) {
  EXPECT_NE(parse_error({}).find("not a safetensors file (0 bytes"), std::string::npos);
  EXPECT_NE(parse_error(std::vector<std::byte>(7)).find("shorter than the 8-byte"),
            std::string::npos);
  std::vector<std::byte> huge = small_file();
  huge[7] = std::byte{0x01};  // a header length of 2^56 bytes
  EXPECT_NE(parse_error(huge).find("or truncated"), std::string::npos);
}

TEST(Safetensors, TextFileIsNotSafetensors) {
  const std::string text = "this is a text file, not weights\n";
  std::vector<std::byte> bytes;
  for (char c : text) bytes.push_back(std::byte(c));
  EXPECT_NE(parse_error(bytes).find("not a safetensors file, or truncated"), std::string::npos);
}

TEST(Safetensors, BadHeadersNameTheProblem) {
  const auto tensor = [](const std::string& body) { return "{\"t\":{" + body + "}}"; };
  const std::string ok_fields = "\"dtype\":\"F32\",\"shape\":[4]";
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "expected '{'"},
      {"{\"t\":", "expected '{'"},
      {"{\"t\" 3}", "expected ':'"},
      {"{\"t", "unterminated string"},
      {tensor(ok_fields + ",\"data_offsets\":[0,16]") + "x", "unexpected text after"},
      {tensor(ok_fields + ",\"data_offsets\":[0,32]"),
       "data ends at byte 32 of a data section of 16"},
      {tensor(ok_fields + ",\"data_offsets\":[8,4]"), "begin <= end"},
      {tensor(ok_fields + ",\"data_offsets\":[0]"), "begin <= end"},
      {tensor(ok_fields + ",\"data_offsets\":[0,12]"), "12 bytes for a shape needing 16"},
      {tensor("\"dtype\":\"F33\",\"shape\":[4],\"data_offsets\":[0,16]"), "unknown dtype F33"},
      {tensor(ok_fields), "needs dtype, shape and data_offsets"},
      {tensor(ok_fields + ",\"data_offsets\":[0,16],\"extra\":1"), "unexpected or repeated field"},
      {tensor(ok_fields + ",\"dtype\":\"F32\""), "unexpected or repeated field \"dtype\""},
      {tensor("\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]"), "non-negative integer"},
      {tensor("\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]"), "expected ']'"},
      {tensor("\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,16]"),
       "number too big"},
      {tensor("\"dtype\":\"F32\",\"shape\":[1000000,1000000,1000000],\"data_offsets\":[0,16]"),
       "shape too big"},
      {"{\"t\":{" + ok_fields + ",\"data_offsets\":[0,16]},\"t\":{" + ok_fields +
           ",\"data_offsets\":[0,16]}}",
       "tensor t twice"},
      {"{\"\\ud800\":{}}", "lone surrogate"},
      {"{\"\\q\":{}}", "bad escape"},
      {"{\"a\nb\":{}}", "control character"},
      {"{\"__metadata__\":{\"k\":1}}", "expected '\"'"},
  };
  for (const auto& [header, problem] : cases) {
    const std::string message = header_error(header);
    EXPECT_NE(message.find(problem), std::string::npos)
        << "header " << header << "\n  gave \"" << message << "\"\n  expected \"" << problem
        << "\"";
  }
}

TEST(Safetensors, EveryTruncationIsAnError) {
  const std::vector<std::byte> file = small_file();
  for (std::size_t length = 0; length < file.size(); ++length) {
    EXPECT_NE(parse_error({file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length)}), "")
        << "truncated to " << length << " bytes";
  }
}

TEST(Safetensors, FlippedBytesLoadOrFailCleanly) {
  const std::vector<std::byte> file = small_file();
  for (std::size_t at = 0; at < file.size(); ++at) {
    for (std::byte flip : {std::byte{0x01}, std::byte{0x20}, std::byte{0xFF}}) {
      std::vector<std::byte> damaged = file;
      damaged[at] ^= flip;
      const std::string message = parse_error(damaged);
      if (!message.empty()) continue;
      // It parsed: then every tensor is readable within bounds or a clean error.
      const SafetensorsFile parsed = SafetensorsFile::parse(damaged, "file.safetensors");
      for (const auto& [name, entry] : parsed.entries()) {
        try {
          parsed.float32(name);
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::kModel);
        }
      }
    }
  }
}

TEST(Safetensors, MissingFileNamesThePath) {
  try {
    SafetensorsFile::load("/nonexistent/weights.safetensors");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel);
    EXPECT_EQ(std::string(e.what()), "/nonexistent/weights.safetensors: cannot open: no such file");
  }
}

// Inputs the fuzzer found (fuzz/README.md): each parses or fails cleanly.
TEST(Safetensors, FuzzCorpusRegressions) {
  const std::filesystem::path corpus =
      std::filesystem::path(SIGNPREP_TESTS_DIR) / "nn" / "safetensors" / "corpus";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string bytes = test::read_text(entry.path());
    std::vector<std::byte> data(bytes.size());
    std::memcpy(data.data(), bytes.data(), bytes.size());
    try {
      const SafetensorsFile file = SafetensorsFile::parse(std::move(data), "corpus");
      for (const auto& [name, tensor] : file.entries()) {
        try {
          file.float32(name);
        } catch (const Error&) {
        }
      }
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kModel) << entry.path();
    }
    ++files;
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace signprep::nn
