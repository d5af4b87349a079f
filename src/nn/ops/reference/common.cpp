#include "nn/ops/reference/common.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace signprep::nn::reference {
namespace {

// Float16 constants arrive folded to float32 values (model_def.h); a float16
// activation would have no float32 data.
bool holds_floats(const TensorDef& t) {
  return t.type == TensorType::kFloat32 || (t.type == TensorType::kFloat16 && t.is_constant);
}

std::string ordinal_input(int i) {
  return "input " + std::to_string(i);
}

const char* flex_type_name(const FlexValue& value) {
  switch (value.index()) {
    case 0:
      return "an integer";
    case 1:
      return "a float";
    case 2:
      return "a bool";
    case 3:
      return "a string";
    case 4:
      return "an integer vector";
    default:
      return "a float vector";
  }
}

const FlexValue& option_value(const ModelDef& model, const OpDef& op, const std::string& key) {
  auto it = op.custom_options.find(key);
  if (it == op.custom_options.end()) fail(model, op, "custom option '" + key + "' is missing");
  return it->second;
}

}  // namespace

void fail(const ModelDef& model, const OpDef& op, const std::string& problem) {
  throw Error(ErrorKind::kModel, model.name + ": " + op.label + ": " + problem);
}

std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

void expect_arity(const ModelDef& model, const OpDef& op, int min_inputs, int max_inputs,
                  int outputs) {
  const int n = static_cast<int>(op.inputs.size());
  if (n < min_inputs || n > max_inputs) {
    const std::string range =
        min_inputs == max_inputs ? std::to_string(min_inputs)
                                 : std::to_string(min_inputs) + " to " + std::to_string(max_inputs);
    fail(model, op, "has " + std::to_string(n) + " inputs, expected " + range);
  }
  if (static_cast<int>(op.outputs.size()) != outputs) {
    fail(model, op,
         "has " + std::to_string(op.outputs.size()) + " outputs, expected " +
             std::to_string(outputs));
  }
  const TensorDef& out = output_def(model, op);
  if (out.type != TensorType::kFloat32) fail(model, op, "output is not float32");
  for (int d : out.shape) {
    if (d <= 0) fail(model, op, "output shape " + shape_string(out.shape) + " is not static");
  }
}

const TensorDef& expect_float_input(const ModelDef& model, const OpDef& op, int i, const char* what,
                                    int rank) {
  if (!has_input(op, i))
    fail(model, op, std::string(what) + " (" + ordinal_input(i) + ") is absent");
  const TensorDef& t = input_def(model, op, i);
  if (!holds_floats(t)) fail(model, op, std::string(what) + " is not a float tensor");
  if (t.is_constant && static_cast<std::int64_t>(t.values.size()) != t.element_count()) {
    fail(model, op,
         std::string(what) + " is constant but holds " + std::to_string(t.values.size()) +
             " values for shape " + shape_string(t.shape));
  }
  for (int d : t.shape) {
    if (d <= 0)
      fail(model, op, std::string(what) + " shape " + shape_string(t.shape) + " is not static");
  }
  if (rank >= 0 && static_cast<int>(t.shape.size()) != rank) {
    fail(model, op,
         std::string(what) + " has rank " + std::to_string(t.shape.size()) + " (shape " +
             shape_string(t.shape) + "), expected " + std::to_string(rank));
  }
  return t;
}

const TensorDef& expect_constant_floats(const ModelDef& model, const OpDef& op, int i,
                                        const char* what, const Shape& shape) {
  const TensorDef& t = expect_float_input(model, op, i, what);
  if (!t.is_constant) fail(model, op, std::string(what) + " is not constant");
  if (t.shape != shape) {
    fail(model, op,
         std::string(what) + " shape " + shape_string(t.shape) + ", expected " +
             shape_string(shape));
  }
  return t;
}

std::vector<int> constant_ints(const ModelDef& model, const OpDef& op, int i, const char* what) {
  if (!has_input(op, i))
    fail(model, op, std::string(what) + " (" + ordinal_input(i) + ") is absent");
  const TensorDef& t = input_def(model, op, i);
  if (t.type != TensorType::kInt32 && t.type != TensorType::kInt64) {
    fail(model, op, std::string(what) + " is not an integer tensor");
  }
  if (!t.is_constant || static_cast<std::int64_t>(t.ints.size()) != t.element_count()) {
    fail(model, op,
         std::string(what) + " is not a constant (only constant " + what + " are supported)");
  }
  std::vector<int> values;
  values.reserve(t.ints.size());
  for (std::int64_t v : t.ints) {
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      fail(model, op, std::string(what) + " value " + std::to_string(v) + " is out of range");
    }
    values.push_back(static_cast<int>(v));
  }
  return values;
}

void expect_output_shape(const ModelDef& model, const OpDef& op, const Shape& expected,
                         int output) {
  const Shape& actual = output_shape(model, op, output);
  if (actual != expected) {
    fail(model, op,
         "output shape " + shape_string(actual) + " does not match the computed " +
             shape_string(expected));
  }
}

void expect_unary(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 1, 1, 1);
  expect_output_shape(model, op, expect_float_input(model, op, 0, "input").shape);
}

void expect_broadcast_binary(const ModelDef& model, const OpDef& op, const char* first,
                             const char* second) {
  expect_arity(model, op, 2, 2, 1);
  const TensorDef& a = expect_float_input(model, op, 0, first);
  const TensorDef& b = expect_float_input(model, op, 1, second);
  Shape shape;
  if (!broadcast_shape(a.shape, b.shape, &shape)) {
    fail(model, op,
         "shapes " + shape_string(a.shape) + " and " + shape_string(b.shape) + " do not broadcast");
  }
  expect_output_shape(model, op, shape);
}

void expect_positive(const ModelDef& model, const OpDef& op, const char* what, int a, int b) {
  if (a <= 0 || b <= 0) {
    fail(
        model, op,
        std::string(what) + " " + std::to_string(a) + "x" + std::to_string(b) + " is not positive");
  }
}

void expect_conv_output(const ModelDef& model, const OpDef& op, const Shape& in, int kh, int kw,
                        int out_c) {
  if (has_input(op, 2)) expect_constant_floats(model, op, 2, "bias", {out_c});
  const int out_h = window_output_size(op.padding, in[1], kh, op.stride_h, op.dilation_h);
  const int out_w = window_output_size(op.padding, in[2], kw, op.stride_w, op.dilation_w);
  if (out_h <= 0 || out_w <= 0) fail(model, op, "the filter is larger than the input");
  expect_output_shape(model, op, {in[0], out_h, out_w, out_c});
}

ConvGeometry conv_geometry(const ModelDef& model, const OpDef& op) {
  const Shape& in = input_shape(model, op, 0);
  const Shape& filter = input_shape(model, op, 1);
  const Shape& out = output_shape(model, op);
  ConvGeometry g{in[0], in[1], in[2], in[3], filter[1], filter[2], out[1], out[2], out[3], 0, 0};
  g.pad_h = axis_padding(op.padding, g.in_h, g.out_h, g.kh, op.stride_h, op.dilation_h).before;
  g.pad_w = axis_padding(op.padding, g.in_w, g.out_w, g.kw, op.stride_w, op.dilation_w).before;
  return g;
}

bool broadcast_shape(const Shape& a, const Shape& b, Shape* out) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape result(rank, 1);
  for (std::size_t k = 0; k < rank; ++k) {
    // k counts from the last dimension.
    const int da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const int db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1) return false;
    result[rank - 1 - k] = da == 1 ? db : da;
  }
  *out = std::move(result);
  return true;
}

std::vector<std::int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<std::int64_t> strides(out.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const std::size_t din = in.size() - 1 - k;
    const std::size_t dout = out.size() - 1 - k;
    strides[dout] = in[din] == 1 ? 0 : stride;
    stride *= in[din];
  }
  return strides;
}

bool has_option(const OpDef& op, const std::string& key) {
  return op.custom_options.count(key) > 0;
}

std::int64_t option_int(const ModelDef& model, const OpDef& op, const std::string& key) {
  const FlexValue& value = option_value(model, op, key);
  if (const auto* v = std::get_if<std::int64_t>(&value)) return *v;
  if (const auto* v = std::get_if<bool>(&value)) return *v ? 1 : 0;
  fail(model, op,
       "custom option '" + key + "' is " + flex_type_name(value) + ", expected an integer");
}

double option_float(const ModelDef& model, const OpDef& op, const std::string& key) {
  const FlexValue& value = option_value(model, op, key);
  if (const auto* v = std::get_if<double>(&value)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&value)) return static_cast<double>(*v);
  fail(model, op,
       "custom option '" + key + "' is " + flex_type_name(value) + ", expected a number");
}

std::vector<std::int64_t> option_ints(const ModelDef& model, const OpDef& op,
                                      const std::string& key) {
  const FlexValue& value = option_value(model, op, key);
  if (const auto* v = std::get_if<std::vector<std::int64_t>>(&value)) return *v;
  fail(model, op,
       "custom option '" + key + "' is " + flex_type_name(value) + ", expected an integer vector");
}

}  // namespace signprep::nn::reference
