// parse_json (core/json.h) reads back what output::dump_json (Python's
// json.dumps format) writes, and refuses malformed or hostile text with an Error.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "output/json_writer.h"

namespace signprep::output {
namespace {

TEST(ParseJson, ReadsBackWhatDumpWrites) {
  const JsonValue meta = JsonValue::Object{
      {"video", "vid\u00e9o \U0001d11e \"q\"\n.mp4"},
      {"target_fps", 15},
      {"conf_thresh", 0.5},
      {"source_fps", 29.916666666666668},
      {"tiny", 1.5e-7},
      {"face_indices", JsonValue::Array{1, 33, 263}},
      {"nested", JsonValue::Object{{"empty", JsonValue::Array{}}, {"none", JsonValue()}}},
      {"flags", JsonValue::Array{true, false}},
      {"negative", -42},
  };
  const std::string text = dump_json(meta);
  EXPECT_EQ(dump_json(parse_json(text)), text);
}

TEST(ParseJson, GivesTypedAccess) {
  const JsonValue value = parse_json(R"( {"a": 3, "b": 2.5, "c": "x", "d": [1], "e": null} )");
  const JsonValue::Object& object = *value.as_object();
  ASSERT_EQ(object.size(), 5u);
  EXPECT_EQ(object[0].first, "a");
  EXPECT_EQ(*object[0].second.as_int(), 3);
  EXPECT_EQ(object[0].second.as_double(), nullptr);
  EXPECT_TRUE(object[1].second.is_number());
  EXPECT_EQ(*object[1].second.as_double(), 2.5);
  EXPECT_EQ(*object[2].second.as_string(), "x");
  EXPECT_EQ(object[3].second.as_array()->size(), 1u);
  EXPECT_TRUE(object[4].second.is_null());
}

TEST(ParseJson, TakesPythonsNonFiniteNumbersAndBigIntegers) {
  EXPECT_TRUE(std::isnan(*parse_json("NaN").as_double()));
  EXPECT_EQ(*parse_json("-Infinity").as_double(), -INFINITY);
  EXPECT_EQ(*parse_json("18446744073709551616").as_double(), 18446744073709551616.0);
  EXPECT_EQ(*parse_json("\"\\ud834\\udd1e\"").as_string(), "\U0001d11e");
}

TEST(ParseJson, RejectsMalformedText) {
  for (const std::string text :
       {"", " ", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01", "1.", "1e", "-", "+1", "tru",
        "\"abc", "\"\\x\"", "\"a\nb\"", "\"\\ud834\"", "[1] 2", "{'a': 1}", "1e999"}) {
    EXPECT_THROW(parse_json(text), Error) << text;
  }
}

TEST(ParseJson, RefusesDeepNestingInsteadOfRecursing) {
  EXPECT_NO_THROW(parse_json(std::string(60, '[') + std::string(60, ']')));
  try {
    parse_json(std::string(100000, '['));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
    EXPECT_NE(std::string(error.what()).find("nested deeper"), std::string::npos);
  }
}

TEST(JsonValue, FindReturnsAnObjectsFirstMemberOfThatName) {
  const JsonValue value = parse_json(R"({"a": 1, "b": {"c": true}, "a": 2})");
  ASSERT_NE(value.find("a"), nullptr);
  EXPECT_EQ(*value.find("a")->as_int(), 1);
  EXPECT_TRUE(*value.find("b")->find("c")->as_bool());
  EXPECT_EQ(value.find("c"), nullptr);
  EXPECT_EQ(parse_json("[1, 2]").find("a"), nullptr);  // not an object
}

}  // namespace
}  // namespace signprep::output
