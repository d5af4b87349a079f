#include "output/json_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace signprep::output {
namespace {

// Expected strings are what CPython 3.11 prints for repr(value) / json.dumps(value).
TEST(PythonFloatRepr, MatchesCPython) {
  EXPECT_EQ(python_float_repr(0.5), "0.5");
  EXPECT_EQ(python_float_repr(15.0), "15.0");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(29.916666666666668), "29.916666666666668");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1.2345e20), "1.2345e+20");
  EXPECT_EQ(python_float_repr(123456.789), "123456.789");
}

TEST(JsonValue, DumpsLikePythonJsonDumps) {
  JsonValue value = JsonValue::Object{
      {"s", "a\"b\\c\n\u00e9\U0001d11e"},
      {"i", 3},
      {"f", 0.5},
      {"list", JsonValue::Array{1, 2, 3}},
      {"empty", JsonValue::Array{}},
      {"t", true},
      {"n", JsonValue()},
  };
  EXPECT_EQ(dump_json(value),
            "{\"s\": \"a\\\"b\\\\c\\n\\u00e9\\ud834\\udd1e\", \"i\": 3, \"f\": 0.5, "
            "\"list\": [1, 2, 3], \"empty\": [], \"t\": true, \"n\": null}");
}

// Python would write NaN / Infinity, which no strict JSON reader accepts.
TEST(JsonValue, RefusesNumbersJsonCannotHold) {
  for (const double bad :
       {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW(dump_json(JsonValue::Object{{"target_fps", bad}}), std::invalid_argument) << bad;
  }
  EXPECT_EQ(dump_json(JsonValue::Array{std::numeric_limits<double>::max()}),
            "[1.7976931348623157e+308]");
}

}  // namespace
}  // namespace signprep::output
