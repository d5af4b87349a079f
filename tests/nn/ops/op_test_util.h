// A one-operator model for the reference kernel tests: add tensors (inputs
// with data, float or int constants, outputs), set the op's options, then
// validate and run it through the public validate_op/run_op.
//
// How to add an op test: build an OpTester with the op type, add its inputs
// in operand order, then its outputs, set op fields, and compare run() with
// values computed independently (gen_expected.py writes the bigger ones into
// expected_values.h; small ones are worked out by hand in the test).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/model_def.h"
#include "nn/ops/reference/reference_ops.h"

namespace signprep::nn::reference::testing {

using Shape = std::vector<int>;
using Floats = std::vector<float>;

// Exactly representable test data, the same as gen_expected.py's pattern():
// multiples of 1/4 in [-2, 2], period 17.
inline Floats pattern(int count, int salt = 0) {
  Floats values(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    values[static_cast<std::size_t>(i)] = static_cast<float>((i * 7 + salt * 3) % 17 - 8) * 0.25f;
  }
  return values;
}

class OpTester {
 public:
  explicit OpTester(OpType type, std::string label = "OP #0") {
    model.name = "test_model";
    op.type = type;
    op.label = std::move(label);
  }

  // An activation input with its data.
  int input(Shape shape, Floats data) {
    const int index = add_tensor(std::move(shape), TensorType::kFloat32);
    data_[static_cast<std::size_t>(index)] = std::move(data);
    op.inputs.push_back(index);
    return index;
  }

  // A constant float input (weights, bias).
  int constant(Shape shape, Floats values) {
    const int index = add_tensor(std::move(shape), TensorType::kFloat32);
    TensorDef& t = model.tensors.back();
    t.values = std::move(values);
    t.is_constant = true;
    op.inputs.push_back(index);
    return index;
  }

  // A constant int32 input (paddings, axes, slice bounds, sizes).
  int ints(Shape shape, std::vector<std::int64_t> values) {
    const int index = add_tensor(std::move(shape), TensorType::kInt32);
    TensorDef& t = model.tensors.back();
    t.ints = std::move(values);
    t.is_constant = true;
    op.inputs.push_back(index);
    return index;
  }

  void absent_input() { op.inputs.push_back(-1); }

  int output(Shape shape) {
    const int index = add_tensor(std::move(shape), TensorType::kFloat32);
    op.outputs.push_back(index);
    return index;
  }

  // Validates, runs, and returns every output.
  std::vector<Floats> run_all() {
    validate_op(model, op);
    std::vector<const float*> in;
    for (int index : op.inputs) {
      if (index < 0) {
        in.push_back(nullptr);
        continue;
      }
      const TensorDef& t = model.tensors[static_cast<std::size_t>(index)];
      in.push_back(t.is_constant ? t.values.data() : data_[static_cast<std::size_t>(index)].data());
    }
    std::vector<Floats> results;
    for (int index : op.outputs) {
      // Filled with a sentinel so that a kernel that skips an element shows.
      results.emplace_back(
          static_cast<std::size_t>(model.tensors[static_cast<std::size_t>(index)].element_count()),
          -12345.0f);
    }
    std::vector<float*> out;
    for (Floats& r : results) out.push_back(r.data());
    run_op(model, op, in, out);
    return results;
  }

  Floats run() { return run_all().front(); }

  // The message of the kModel error validate_op throws, or "" when it passes.
  std::string validation_error() const {
    try {
      validate_op(model, op);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kModel);
      return e.what();
    }
    return "";
  }

  ModelDef model;
  OpDef op;

 private:
  int add_tensor(Shape shape, TensorType type) {
    TensorDef t;
    t.name = "t" + std::to_string(model.tensors.size());
    t.shape = std::move(shape);
    t.type = type;
    model.tensors.push_back(std::move(t));
    data_.emplace_back();
    return static_cast<int>(model.tensors.size()) - 1;
  }

  std::vector<Floats> data_;
};

// Element-wise |actual - expected| <= tolerance * max(1, |expected|).
inline void expect_near(const Floats& actual, const Floats& expected, float tolerance = 1e-5f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const float scale = std::max(1.0f, std::fabs(expected[i]));
    EXPECT_NEAR(actual[i], expected[i], tolerance * scale) << "at element " << i;
  }
}

// validation_error() mentions `fragment` (and names the model and op).
#define EXPECT_INVALID(tester, fragment)                                                   \
  do {                                                                                     \
    const std::string message_ = (tester).validation_error();                              \
    EXPECT_NE(message_.find("test_model: " + (tester).op.label + ": "), std::string::npos) \
        << message_;                                                                       \
    EXPECT_NE(message_.find(fragment), std::string::npos) << message_;                     \
  } while (0)

}  // namespace signprep::nn::reference::testing
