// Every operator that onednn::make_onednn_kernel puts on oneDNN, side by side
// with the reference kernel (nn/ops/reference/, plain C++ and unit-tested) on
// random data: ncnn's test_layer and llama.cpp's test-backend-ops idea. The
// golden test only sees the shapes the 13 MediaPipe models have; these cases
// go after the rest: sizes 1, 7, 8, 13, 14 and larger odd ones, channel counts
// off the vector width (1, 3, 13, 17), kernel sizes 1 to 5, strides 1 to 3,
// dilation 2, SAME and VALID, every fused activation, depth multipliers 1 to
// 3, broadcasting, pooling windows over the padding, resizing up and down by
// non-integer factors, transposed convolutions, PADs folded into convolutions.
//
// Each case builds a one-operator ModelDef (OpTester), fills inputs and weights
// from a seeded std::mt19937 in [-range, range] (range 1 unless a case needs
// larger values to reach an activation's or a cut-off's other side), runs the
// reference kernel and the oneDNN kernel into separate buffers and compares
// them (tolerances below). Two suites per operator:
//  - ModelShapes: shapes and options taken from the models (signprep
//    model-info / the loader's ModelDef). oneDNN must build a kernel and must
//    not fall back to one of its own "ref:" implementations.
//  - AwkwardShapes: whatever make_onednn_kernel builds must match; where it
//    returns nullptr (the op stays with the reference kernel) or oneDNN picks
//    a "ref:" implementation, the case passes and is recorded: a line
//    "[ FALLBACK ]" when it runs and a list at the end of the binary's run.
// make_onednn_kernel throwing, or refusing a folded padding (Model::load turns
// that into a logic_error), fails the case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "nn/kernel.h"
#include "nn/model_def.h"
#include "nn/onednn/onednn_kernels.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn {
namespace {

using reference::testing::Floats;
using reference::testing::OpTester;
using reference::testing::Shape;

// ---- Tolerances -------------------------------------------------------------
//
// |oneDNN - reference| <= tolerance * max|reference| over each output tensor.
//
// kExact: each output is one selection (max, ReLU, clip, the PReLU branch) or
// one correctly rounded float operation (a + b, a * b, x * alpha) in both
// kernels, so they must agree to the bit (+0 and -0 compare equal).
constexpr float kExact = 0.0f;
//
// kSummation: sums of products (convolutions, average pooling, MEAN; at most
// ~1000 terms here: 64 channels x 3x3, 1152 channels x 1x1). oneDNN adds in
// another order (vector lanes, channel blocks, FMA), so the results differ by
// rounding. With terms a*w, a and w uniform in [-1, 1], an n-term sum has
// standard deviation sqrt(n)/3 and the largest output of a tensor is about
// sqrt(n); each addition rounds by at most 2^-24 of a partial sum of size
// ~sqrt(k)/3, so one summation order is off by about 2^-24 * n/4 (a random
// walk) and two orders differ by ~1.4 times that: relative to max|reference|
// about 2e-8 * sqrt(n), 7e-7 at n = 1000. Measured, with oneDNN on AVX-512,
// AVX2 and SSE4.1 (ONEDNN_MAX_CPU_ISA): at most 2.1e-6, in a TANH case (its
// outputs stay below 1 while its sums reach ~12). 1e-5 leaves a factor of
// five. The same bound covers oneDNN's vectorised logistic, tanh and
// hard-swish, within a few ulp (~1e-6 of values that are at most ~1) of
// std::exp / std::tanh, and the four-term bilinear blend.
constexpr float kSummation = 1e-5f;
//
// LOGISTIC below -9: the reference keeps TFLite's cut-off and returns exp(x)
// where the logistic (and oneDNN) is exp(x) / (1 + exp(x)), larger by
// exp(2x) / (1 + exp(x)) < exp(-18) = 1.5e-8: TFLite's approximation, not an
// error of oneDNN's, and invisible next to max|reference| unless every output
// of the tensor is that small. Allowed on top of the relative tolerance.
constexpr float kLogisticCutOffGap = 1.6e-8f;
//
// RESIZE_BILINEAR: both kernels place output cell o at (o + 0.5) * in / out -
// 0.5, but round differently on the way (the reference rounds in / out first,
// then multiplies; oneDNN divides (o + 0.5) * in by out), so coordinates near
// the far edge, about `in`, differ by up to ~2 ulp(in) <= in * 2^-22. The
// output moves by that times the difference of the two neighbours, at most 2
// for inputs in [-1, 1]: in * 2^-21 (measured: 7e-6 for in = 61, the bound
// 2.9e-5). Allowed on top of the relative tolerance.
float resize_coordinate_gap(const Shape& in) {
  return static_cast<float>(std::max(in[1], in[2])) * std::ldexp(1.0f, -21);
}

// Output buffers start at this so that an element the kernel never writes shows.
constexpr float kSentinel = -12345.0f;

// ---- Names ------------------------------------------------------------------

std::string op_name(OpType type) {
  switch (type) {
    case OpType::kAdd:
      return "ADD";
    case OpType::kAveragePool2d:
      return "AVERAGE_POOL_2D";
    case OpType::kConv2d:
      return "CONV_2D";
    case OpType::kDepthwiseConv2d:
      return "DEPTHWISE_CONV_2D";
    case OpType::kHardSwish:
      return "HARD_SWISH";
    case OpType::kLogistic:
      return "LOGISTIC";
    case OpType::kMaxPool2d:
      return "MAX_POOL_2D";
    case OpType::kMean:
      return "MEAN";
    case OpType::kMul:
      return "MUL";
    case OpType::kRelu:
      return "RELU";
    case OpType::kResizeBilinear:
      return "RESIZE_BILINEAR";
    case OpType::kConvolution2DTransposeBias:
      return "Convolution2DTransposeBias";
    case OpType::kConcatenation:
      return "CONCATENATION";
    case OpType::kPrelu:
      return "PRELU";
    case OpType::kPad:
      return "PAD";
    default:
      return "OP";
  }
}

// For test names: "Conv2d", "MaxPool2d", ...
std::string short_op_name(OpType type) {
  switch (type) {
    case OpType::kAdd:
      return "Add";
    case OpType::kAveragePool2d:
      return "AvgPool";
    case OpType::kConv2d:
      return "Conv";
    case OpType::kDepthwiseConv2d:
      return "Depthwise";
    case OpType::kHardSwish:
      return "HardSwish";
    case OpType::kLogistic:
      return "Logistic";
    case OpType::kMaxPool2d:
      return "MaxPool";
    case OpType::kMul:
      return "Mul";
    case OpType::kRelu:
      return "Relu";
    case OpType::kConcatenation:
      return "Concat";
    case OpType::kPrelu:
      return "Prelu";
    case OpType::kPad:
      return "Pad";
    default:
      return op_name(type);
  }
}

std::string activation_name(Activation activation) {
  switch (activation) {
    case Activation::kNone:
      return "None";
    case Activation::kRelu:
      return "Relu";
    case Activation::kRelu6:
      return "Relu6";
    case Activation::kReluN1To1:
      return "ReluN1To1";
    case Activation::kTanh:
      return "Tanh";
  }
  return "?";
}

std::string padding_name(Padding padding) {
  return padding == Padding::kSame ? "Same" : "Valid";
}

// "[1,7,13,3]" for messages.
std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// "1x7x13x3" for test names ("Scalar" for rank 0).
std::string shape_name(const Shape& shape) {
  if (shape.empty()) return "Scalar";
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

// The operator with its operand shapes and options, for failure messages and
// the fallback list.
std::string describe(const ModelDef& model, const OpDef& op) {
  std::ostringstream s;
  s << op_name(op.type);
  for (std::size_t i = 0; i < op.inputs.size(); ++i) {
    s << (i ? ", " : " ");
    if (op.inputs[i] < 0) {
      s << "(absent)";
      continue;
    }
    const TensorDef& t = model.tensors[static_cast<std::size_t>(op.inputs[i])];
    s << shape_string(t.shape);
    if (!t.ints.empty()) {
      s << "{";
      for (std::size_t k = 0; k < t.ints.size(); ++k) s << (k ? "," : "") << t.ints[k];
      s << "}";
    } else if (t.is_constant) {
      s << "const";
    }
  }
  s << " -> " << shape_string(model.tensors[static_cast<std::size_t>(op.outputs[0])].shape);
  switch (op.type) {
    case OpType::kConv2d:
    case OpType::kDepthwiseConv2d:
      s << "; stride " << op.stride_h << "x" << op.stride_w << ", dilation " << op.dilation_h << "x"
        << op.dilation_w << ", " << padding_name(op.padding);
      if (op.type == OpType::kDepthwiseConv2d) s << ", multiplier " << op.depth_multiplier;
      s << ", " << activation_name(op.activation);
      break;
    case OpType::kConvolution2DTransposeBias:
      s << "; stride " << op.stride_h << "x" << op.stride_w << ", " << padding_name(op.padding);
      break;
    case OpType::kMaxPool2d:
    case OpType::kAveragePool2d:
      s << "; window " << op.filter_h << "x" << op.filter_w << ", stride " << op.stride_h << "x"
        << op.stride_w << ", " << padding_name(op.padding) << ", "
        << activation_name(op.activation);
      if (op.count_include_pad) s << ", count_include_pad";
      break;
    case OpType::kConcatenation:
      s << "; axis " << op.axis;
      break;
    case OpType::kAdd:
    case OpType::kMul:
      s << "; " << activation_name(op.activation);
      break;
    case OpType::kResizeBilinear:
      s << "; align_corners " << op.align_corners << ", half_pixel_centers "
        << op.half_pixel_centers;
      break;
    case OpType::kMean:
      s << "; keep_dims " << op.keep_dims;
      break;
    default:
      break;
  }
  return s.str();
}

// FNV-1a: a seed per case that does not depend on the standard library.
std::uint32_t seed_of(const std::string& name) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return hash;
}

// ---- Fallback record ----------------------------------------------------------

std::vector<std::string>& fallbacks() {
  static std::vector<std::string> list;
  return list;
}

void record_fallback(const std::string& line) {
  std::cout << "[ FALLBACK ] " << line << "\n";
  fallbacks().push_back(line);
}

// Lists the recorded fallbacks once all tests of the binary have run.
class FallbackReport : public ::testing::Environment {
 public:
  void TearDown() override {
    if (fallbacks().empty()) return;
    std::cout << "\nShapes oneDNN does not run on an optimised kernel (" << fallbacks().size()
              << "):\n";
    for (const std::string& line : fallbacks()) std::cout << "  " << line << "\n";
  }
};

[[maybe_unused]] ::testing::Environment* const kFallbackReport =
    ::testing::AddGlobalTestEnvironment(new FallbackReport);

// ---- The comparison -----------------------------------------------------------

enum class Shapes {
  kModel,    // a shape the models have: oneDNN must run it on an optimised kernel
  kAwkward,  // anything else: fallbacks are recorded, not failed
};

std::string coordinates(std::size_t index, const Shape& shape) {
  Shape at(shape.size(), 0);
  for (std::size_t d = shape.size(); d-- > 0;) {
    at[d] = static_cast<int>(index % static_cast<std::size_t>(shape[d]));
    index /= static_cast<std::size_t>(shape[d]);
  }
  return shape_string(at);
}

// Fails when actual and expected differ by more than tolerance * max|expected|
// + absolute anywhere, naming the worst element.
void expect_close(const std::string& what, const Floats& actual, const Floats& expected,
                  const Shape& shape, float tolerance, float absolute) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  float max_reference = 0.0f;
  for (float e : expected) max_reference = std::max(max_reference, std::fabs(e));
  const float allowed = tolerance * max_reference + absolute;
  std::size_t mismatches = 0, worst = 0;
  float worst_error = -1.0f;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const float error = std::fabs(actual[i] - expected[i]);
    if (error <= allowed) continue;  // NaN fails here
    ++mismatches;
    if (std::isnan(error) || error > worst_error) {
      worst_error = std::isnan(error) ? INFINITY : error;
      worst = i;
    }
  }
  if (mismatches == 0) return;
  ADD_FAILURE() << std::setprecision(9) << what << ":\n  oneDNN differs from the reference at "
                << mismatches << " of " << actual.size() << " elements; worst at "
                << coordinates(worst, shape) << ": oneDNN " << actual[worst]
                << (actual[worst] == kSentinel ? " (never written)" : "") << ", reference "
                << expected[worst] << " (|difference| " << worst_error << " > " << allowed << " = "
                << tolerance << " * max|reference| " << max_reference << " + " << absolute << ")";
}

// One operator run by both kernels. Add operands in order (as OpTester), set
// op() fields, then expect_match().
class OpComparison {
 public:
  OpComparison(OpType type, const std::string& seed_name)
      : tester_(type, op_name(type) + " #0"), random_(seed_of(seed_name)) {}

  OpDef& op() { return tester_.op; }
  const ModelDef& model() const { return tester_.model; }

  Floats random_values(const Shape& shape, float range = 1.0f) {
    std::uniform_real_distribution<float> uniform(-range, range);
    Floats values(static_cast<std::size_t>(count(shape)));
    for (float& v : values) v = uniform(random_);
    return values;
  }

  // An activation input with random data in [-range, range].
  int input(const Shape& shape, float range = 1.0f) {
    return input_data(shape, random_values(shape, range));
  }
  int input_data(const Shape& shape, Floats data) {
    const int index = tester_.input(shape, data);
    data_.emplace_back(index, std::move(data));
    return index;
  }
  // A tensor with data that the op does not list: a folded PAD's input.
  int unlisted_input(const Shape& shape, Floats data) {
    const int index = input_data(shape, std::move(data));
    tester_.op.inputs.pop_back();
    return index;
  }
  // Constant weights with random values in [-1, 1].
  int weights(const Shape& shape) { return tester_.constant(shape, random_values(shape)); }
  int ints(const Shape& shape, std::vector<std::int64_t> values) {
    return tester_.ints(shape, std::move(values));
  }
  void absent_input() { tester_.absent_input(); }
  int output(const Shape& shape) { return tester_.output(shape); }

  // Runs the reference kernel and, when make_onednn_kernel builds one, the
  // oneDNN kernel, and compares them: |oneDNN - reference| <= tolerance *
  // max|reference| + absolute. `folded`: the op reads folded->source_tensor
  // instead of inputs[0], padded by oneDNN.
  void expect_match(float tolerance, Shapes shapes,
                    const std::optional<onednn::FoldedPadding>& folded = std::nullopt,
                    const std::string& note = "", float absolute = 0.0f) {
    const std::string what = describe(model(), tester_.op) + note;
    Floats expected;
    try {
      expected = tester_.run();  // validate_op, then the reference kernel
    } catch (const std::exception& e) {
      FAIL() << what << ": the reference rejects the case: " << e.what();
    }

    std::vector<const float*> inputs;
    for (int index : tester_.op.inputs) inputs.push_back(data_of(index));
    if (folded) inputs[0] = data_of(folded->source_tensor);
    Floats actual(expected.size(), kSentinel);
    const std::vector<float*> outputs = {actual.data()};
    onednn::Context context;
    std::unique_ptr<Kernel> kernel;
    try {
      kernel = onednn::make_onednn_kernel(context, model(), tester_.op, inputs, outputs,
                                          folded ? &*folded : nullptr);
    } catch (const std::exception& e) {
      FAIL() << what << ": make_onednn_kernel threw: " << e.what();
    }
    if (!kernel) {
      ASSERT_FALSE(folded) << what << ": oneDNN refused a folded padding (a load error)";
      ASSERT_TRUE(shapes == Shapes::kAwkward)
          << what << ": a model's shape is left to the reference";
      record_fallback(what + ": left to the reference kernel (make_onednn_kernel: nullptr)");
      return;
    }
    for (const std::string& slow : context.reference_implementations) {
      EXPECT_TRUE(shapes == Shapes::kAwkward) << what << ": oneDNN's reference kernel " << slow;
      if (shapes == Shapes::kAwkward) record_fallback(what + ": oneDNN's own " + slow);
    }
    kernel->run();
    const Shape& out = model().tensors[static_cast<std::size_t>(tester_.op.outputs[0])].shape;
    expect_close(what, actual, expected, out, tolerance, absolute);
  }

 private:
  static std::int64_t count(const Shape& shape) {
    std::int64_t n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  // Data of an activation input, or of a constant (nullptr for int constants,
  // as the executor passes them).
  const float* data_of(int index) const {
    if (index < 0) return nullptr;
    for (const auto& [i, data] : data_) {
      if (i == index) return data.data();
    }
    const TensorDef& t = tester_.model.tensors[static_cast<std::size_t>(index)];
    return t.values.empty() ? nullptr : t.values.data();
  }

  OpTester tester_;
  std::mt19937 random_;
  std::vector<std::pair<int, Floats>> data_;
};

// TFLite's output size of a window sweep (kernels/padding.h); <= 0 when a
// VALID window does not fit.
int swept_size(Padding padding, int in, int window, int stride, int dilation = 1) {
  const int effective = (window - 1) * dilation + 1;
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  return (in - effective + stride) / stride;
}

// TFLite broadcasting: shapes aligned on their last dimension.
Shape broadcast(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (std::size_t k = 0; k < rank; ++k) {
    const int da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const int db = k < b.size() ? b[b.size() - 1 - k] : 1;
    out[rank - 1 - k] = std::max(da, db);
  }
  return out;
}

// Cases come in named groups, one test each (a test per case would be some
// 1150 processes under ctest); a failure names the case's operator, shapes
// and options.
template <class Case>
struct Group {
  std::string name;
  std::vector<Case> cases;
};

template <class Case>
void PrintTo(const Group<Case>& group, std::ostream* os) {
  *os << group.name << " (" << group.cases.size() << " cases)";
}

struct GroupName {
  template <class Case>
  std::string operator()(const ::testing::TestParamInfo<Group<Case>>& info) const {
    return info.param.name;
  }
};

// Groups in the order started; a case whose name is there already is left
// out (the sweeps overlap).
template <class Case>
class Groups {
 public:
  // The cases added next go into a new group `name`.
  void start(std::string name) { groups_.push_back({std::move(name), {}}); }
  void add(const Case& c) {
    if (names_.insert(c.name()).second) groups_.back().cases.push_back(c);
  }
  std::vector<Group<Case>> done() const { return groups_; }

 private:
  std::vector<Group<Case>> groups_;
  std::set<std::string> names_;
};

// One group of the models' shapes.
template <class Case>
std::vector<Group<Case>> model_group(std::string name, std::vector<Case> cases) {
  for (Case& c : cases) c.shapes = Shapes::kModel;
  return {{std::move(name), std::move(cases)}};
}

// Height and width.
using Size = std::pair<int, int>;

constexpr Activation kActivations[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                       Activation::kReluN1To1, Activation::kTanh};

// ---- CONV_2D and DEPTHWISE_CONV_2D, optionally with a folded PAD -----------------

enum class Bias { kPresent, kOmitted, kAbsentIndex };

struct Pads {
  int top = 0, bottom = 0, left = 0, right = 0;
};

struct ConvolutionCase {
  OpType type = OpType::kConv2d;
  Shape in;
  int channels = 1;  // CONV_2D: output channels; DEPTHWISE_CONV_2D: depth multiplier
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  Bias bias = Bias::kPresent;
  std::optional<Pads> folded;  // a PAD of `in` before a VALID convolution
  float range = 1.0f;
  Shapes shapes = Shapes::kAwkward;

  // The convolution's own input: `in`, padded when a PAD is folded into it.
  Shape conv_in() const {
    Shape s = in;
    if (folded) {
      s[1] += folded->top + folded->bottom;
      s[2] += folded->left + folded->right;
    }
    return s;
  }
  bool fits() const {
    const Shape s = conv_in();
    return swept_size(padding, s[1], kernel_h, stride_h, dilation_h) > 0 &&
           swept_size(padding, s[2], kernel_w, stride_w, dilation_w) > 0;
  }
  std::string name() const {
    std::string n = short_op_name(type) + "_" + shape_name(in) +
                    (type == OpType::kConv2d ? "_to" : "_times") + std::to_string(channels) + "_k" +
                    std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + "_s" +
                    std::to_string(stride_h) + "x" + std::to_string(stride_w) + "_d" +
                    std::to_string(dilation_h) + "x" + std::to_string(dilation_w) + "_" +
                    padding_name(padding) + "_" + activation_name(activation);
    if (bias == Bias::kOmitted) n += "_NoBias";
    if (bias == Bias::kAbsentIndex) n += "_AbsentBias";
    if (folded) {
      n += "_FoldedPad" + std::to_string(folded->top) + std::to_string(folded->bottom) +
           std::to_string(folded->left) + std::to_string(folded->right);
    }
    if (range != 1.0f) n += "_Range" + std::to_string(static_cast<int>(range));
    return n;
  }
};

ConvolutionCase conv(Shape in, int out_channels, int kernel, int stride = 1,
                     Padding padding = Padding::kSame) {
  ConvolutionCase c;
  c.type = OpType::kConv2d;
  c.in = std::move(in);
  c.channels = out_channels;
  c.kernel_h = c.kernel_w = kernel;
  c.stride_h = c.stride_w = stride;
  c.padding = padding;
  return c;
}

ConvolutionCase depthwise(Shape in, int multiplier, int kernel, int stride = 1,
                          Padding padding = Padding::kSame) {
  ConvolutionCase c = conv(std::move(in), multiplier, kernel, stride, padding);
  c.type = OpType::kDepthwiseConv2d;
  return c;
}

ConvolutionCase with_activation(ConvolutionCase c, Activation activation) {
  c.activation = activation;
  return c;
}

ConvolutionCase with_folded(ConvolutionCase c, Pads pads) {
  c.folded = pads;
  c.padding = Padding::kValid;
  return c;
}

void run_case(const ConvolutionCase& c) {
  ASSERT_TRUE(c.fits()) << c.name();
  OpComparison t(c.type, c.name());
  const Shape in = c.conv_in();
  const int in_c = c.in[3];
  const int out_c = c.type == OpType::kConv2d ? c.channels : in_c * c.channels;
  std::optional<onednn::FoldedPadding> folded;
  std::string note;
  if (c.folded) {
    // The reference pads with its PAD kernel, then runs the VALID convolution.
    const Pads& p = *c.folded;
    const Floats source = t.random_values(c.in, c.range);
    OpTester pad(OpType::kPad, "PAD #0");
    pad.input(c.in, source);
    pad.ints({4, 2}, {0, 0, p.top, p.bottom, p.left, p.right, 0, 0});
    pad.output(in);
    const int source_index = t.unlisted_input(c.in, source);
    t.input_data(in, pad.run());
    folded = onednn::FoldedPadding{source_index, p.top, p.bottom, p.left, p.right};
    note = "; folded PAD of " + shape_string(c.in) + " top " + std::to_string(p.top) + " bottom " +
           std::to_string(p.bottom) + " left " + std::to_string(p.left) + " right " +
           std::to_string(p.right);
  } else {
    t.input(in, c.range);
  }
  if (c.type == OpType::kConv2d) {
    t.weights({out_c, c.kernel_h, c.kernel_w, in_c});
  } else {
    t.weights({1, c.kernel_h, c.kernel_w, out_c});
    t.op().depth_multiplier = c.channels;
  }
  if (c.bias == Bias::kPresent) t.weights({out_c});
  if (c.bias == Bias::kAbsentIndex) t.absent_input();
  t.output({in[0], swept_size(c.padding, in[1], c.kernel_h, c.stride_h, c.dilation_h),
            swept_size(c.padding, in[2], c.kernel_w, c.stride_w, c.dilation_w), out_c});
  t.op().stride_h = c.stride_h;
  t.op().stride_w = c.stride_w;
  t.op().dilation_h = c.dilation_h;
  t.op().dilation_w = c.dilation_w;
  t.op().padding = c.padding;
  t.op().activation = c.activation;
  t.expect_match(kSummation, c.shapes, folded, note);
}

// From the models: every kernel/stride/padding/activation combination they
// have, at one of their sizes (the smaller ones where the same combination
// recurs), and the PADs the loader folds (1 around 3x3 stride 2, 2 around
// 5x5 stride 2).
std::vector<Group<ConvolutionCase>> model_convolutions() {
  const Activation relu6 = Activation::kRelu6;
  const Pads one{1, 1, 1, 1}, two{2, 2, 2, 2};
  return model_group<ConvolutionCase>(
      "Conv2dAndDepthwise",
      {
          conv({1, 144, 256, 3}, 16, 3, 2),
          conv({1, 128, 128, 3}, 24, 5, 2),
          with_folded(with_activation(conv({1, 224, 224, 3}, 24, 3, 2), relu6), one),
          with_activation(conv({1, 224, 224, 3}, 24, 3, 2), relu6),
          conv({1, 256, 256, 8}, 1, 3),
          conv({1, 16, 16, 160}, 48, 1, 1, Padding::kValid),
          conv({1, 16, 16, 128}, 32, 1),
          with_activation(conv({1, 32, 32, 24}, 96, 1), relu6),
          with_activation(conv({1, 16, 16, 112}, 672, 1, 1, Padding::kValid), relu6),
          conv({1, 7, 7, 1152}, 192, 1),
          conv({1, 64, 64, 16}, 16, 2, 2, Padding::kValid),
          conv({1, 2, 2, 192}, 117, 2, 1, Padding::kValid),
          conv({1, 2, 2, 32}, 142, 2, 2, Padding::kValid),
          conv({1, 3, 3, 32}, 1404, 3, 3, Padding::kValid),
          conv({1, 2, 2, 288}, 1, 2, 1, Padding::kValid),
          depthwise({1, 64, 64, 8}, 1, 3),
          with_activation(depthwise({1, 128, 128, 8}, 1, 3), relu6),
          depthwise({1, 72, 128, 16}, 1, 3, 2),
          with_activation(depthwise({1, 32, 32, 96}, 1, 3, 2), relu6),
          with_folded(depthwise({1, 56, 56, 24}, 1, 3, 2), one),
          with_folded(with_activation(depthwise({1, 128, 128, 32}, 1, 3, 2), relu6), one),
          depthwise({1, 48, 48, 64}, 1, 5),
          with_activation(depthwise({1, 16, 16, 240}, 1, 5), relu6),
          depthwise({1, 96, 96, 32}, 1, 5, 2),
          with_activation(depthwise({1, 14, 14, 672}, 1, 5, 2), relu6),
          with_folded(with_activation(depthwise({1, 64, 64, 96}, 1, 5, 2), relu6), two),
          depthwise({1, 64, 64, 8}, 1, 1, 1, Padding::kValid),
      });
}

std::vector<Group<ConvolutionCase>> awkward_convolutions() {
  Groups<ConvolutionCase> cases;
  // Geometry: sizes x kernel x stride x dilation x padding. Odd sizes with
  // odd windows pad SAME evenly; even sizes (8x14) and windows (2) give
  // TFLite's odd cell after.
  for (OpType type : {OpType::kConv2d, OpType::kDepthwiseConv2d}) {
    for (const auto& [h, w] : {Size{1, 1}, {7, 7}, {13, 7}, {1, 13}, {8, 14}}) {
      cases.start(short_op_name(type) + "KernelStrideDilationPaddingOn" + std::to_string(h) + "x" +
                  std::to_string(w));
      for (int k : {1, 2, 3, 5}) {
        for (int s : {1, 2, 3}) {
          for (int d : {1, 2}) {
            if (k == 1 && d == 2) continue;  // a 1x1 window has nothing to dilate
            for (Padding p : {Padding::kSame, Padding::kValid}) {
              ConvolutionCase c = type == OpType::kConv2d ? conv({1, h, w, 3}, 17, k, s, p)
                                                          : depthwise({1, h, w, 13}, 2, k, s, p);
              c.dilation_h = c.dilation_w = d;
              if (c.fits()) cases.add(c);
            }
          }
        }
      }
    }
  }
  // Channels: every pair of 1, 3, 13, 16, 17, 64 (multipliers 1, 2 and 3
  // for depthwise), 3x3 windows, stride 1 and 2.
  for (int s : {1, 2}) {
    cases.start("ConvChannelPairsStride" + std::to_string(s));
    for (int in_c : {1, 3, 13, 16, 17, 64}) {
      for (int out_c : {1, 3, 13, 16, 17, 64}) cases.add(conv({1, 7, 13, in_c}, out_c, 3, s));
    }
    cases.start("DepthwiseChannelsAndMultipliersStride" + std::to_string(s));
    for (int in_c : {1, 3, 13, 16, 17, 64}) {
      for (int m : {1, 2, 3}) cases.add(depthwise({1, 13, 7, in_c}, m, 3, s));
    }
  }
  // Every fused activation, on sums large enough to reach RELU6's and
  // RELU_N1_TO_1's clip (144 terms: standard deviation 4).
  cases.start("FusedActivations");
  for (Activation a : kActivations) {
    cases.add(with_activation(conv({1, 7, 13, 16}, 17, 3, 2), a));
    cases.add(with_activation(conv({1, 13, 7, 64}, 3, 1, 1, Padding::kValid), a));
    ConvolutionCase dw = with_activation(depthwise({1, 13, 7, 17}, 1, 5), a);
    dw.range = 4.0f;
    cases.add(dw);
    dw = with_activation(depthwise({1, 7, 13, 16}, 2, 3, 2, Padding::kValid), a);
    dw.range = 4.0f;
    cases.add(dw);
  }
  cases.start("UnequalSidesBatch2AndNoBias");
  for (OpType type : {OpType::kConv2d, OpType::kDepthwiseConv2d}) {
    const auto make = [type](Shape in, int k) {
      return type == OpType::kConv2d ? conv(std::move(in), 13, k) : depthwise(std::move(in), 1, k);
    };
    ConvolutionCase c = make({1, 13, 7, 3}, 3);
    c.kernel_h = 1;
    cases.add(c);
    c = make({1, 13, 7, 3}, 3);
    c.kernel_w = 5;
    c.padding = Padding::kValid;
    cases.add(c);
    c = make({1, 7, 13, 16}, 2);
    cases.add(c);
    c = make({1, 13, 13, 17}, 3);
    c.stride_h = 2;
    cases.add(c);
    c = make({1, 13, 13, 17}, 3);
    c.stride_w = 3;
    c.padding = Padding::kValid;
    cases.add(c);
    c = make({1, 13, 13, 3}, 3);
    c.dilation_h = 2;
    cases.add(c);
    c = make({1, 13, 13, 3}, 3);
    c.dilation_w = 3;
    c.stride_h = 2;
    cases.add(c);
    cases.add(make({2, 7, 13, 3}, 3));
    c = make({1, 7, 7, 16}, 3);
    c.bias = Bias::kOmitted;
    cases.add(c);
    c = make({1, 7, 7, 16}, 3);
    c.bias = Bias::kAbsentIndex;
    cases.add(c);
  }
  // Larger odd sizes, which oneDNN cuts into blocks (and threads) with tails.
  cases.start("LargerOddSizes");
  cases.add(conv({1, 61, 47, 13}, 33, 3, 2));
  cases.add(conv({1, 37, 29, 64}, 17, 3));
  cases.add(with_folded(conv({1, 61, 47, 3}, 24, 3, 2), {1, 1, 1, 1}));
  cases.add(depthwise({1, 61, 47, 35}, 1, 5));
  cases.add(depthwise({1, 37, 29, 24}, 2, 3, 2, Padding::kValid));
  cases.add(with_folded(depthwise({1, 37, 29, 40}, 1, 5, 2), {2, 2, 2, 2}));
  // Folded PADs: the models' symmetric ones on odd sizes, asymmetric ones,
  // pads wider than the window, with stride, dilation and activation.
  cases.start("FoldedPads");
  for (OpType type : {OpType::kConv2d, OpType::kDepthwiseConv2d}) {
    const auto make = [type](Shape in, int k, int s) {
      return type == OpType::kConv2d ? conv(std::move(in), 16, k, s)
                                     : depthwise(std::move(in), 2, k, s);
    };
    cases.add(with_folded(make({1, 13, 13, 3}, 3, 2), {1, 1, 1, 1}));
    cases.add(with_folded(make({1, 13, 7, 17}, 3, 2), {0, 1, 0, 1}));
    cases.add(with_folded(make({1, 7, 13, 17}, 5, 2), {2, 2, 2, 2}));
    cases.add(with_folded(make({1, 7, 7, 3}, 3, 1), {3, 0, 0, 2}));
    cases.add(with_folded(make({1, 7, 7, 3}, 3, 1), {4, 4, 4, 4}));
    cases.add(with_folded(make({1, 1, 1, 16}, 3, 1), {1, 1, 1, 1}));
    cases.add(with_folded(make({1, 13, 7, 3}, 1, 1), {1, 0, 2, 0}));
    ConvolutionCase c = with_folded(make({1, 13, 13, 3}, 3, 1), {2, 2, 2, 2});
    c.dilation_h = c.dilation_w = 2;
    cases.add(c);
    cases.add(with_activation(with_folded(make({1, 13, 13, 17}, 3, 2), {1, 1, 1, 1}),
                              Activation::kRelu6));
    cases.add(
        with_activation(with_folded(make({1, 13, 13, 17}, 3, 2), {1, 1, 1, 1}), Activation::kTanh));
  }
  return cases.done();
}

// ---- Convolution2DTransposeBias ---------------------------------------------------

struct TransposedCase {
  Shape in;
  int out_channels = 1;
  int kernel_h = 2, kernel_w = 2;
  int stride_h = 2, stride_w = 2;
  Padding padding = Padding::kSame;
  Shapes shapes = Shapes::kAwkward;

  std::string name() const {
    return "TransposeConv_" + shape_name(in) + "_to" + std::to_string(out_channels) + "_k" +
           std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + "_s" +
           std::to_string(stride_h) + "x" + std::to_string(stride_w) + "_" + padding_name(padding);
  }
};

// MediaPipe's output size: stride * (in - 1) + k - total padding.
int transposed_size(Padding padding, int in, int k, int stride) {
  const int total = padding == Padding::kSame ? std::max(0, k - (in - 1) % stride - 1) : 0;
  return stride * (in - 1) + k - total;
}

TransposedCase transposed(Shape in, int out_channels, int kernel, int stride, Padding padding) {
  TransposedCase c;
  c.in = std::move(in);
  c.out_channels = out_channels;
  c.kernel_h = c.kernel_w = kernel;
  c.stride_h = c.stride_w = stride;
  c.padding = padding;
  return c;
}

void run_case(const TransposedCase& c) {
  OpComparison t(OpType::kConvolution2DTransposeBias, c.name());
  t.input(c.in);
  t.weights({c.out_channels, c.kernel_h, c.kernel_w, c.in[3]});
  t.weights({c.out_channels});
  t.output({c.in[0], transposed_size(c.padding, c.in[1], c.kernel_h, c.stride_h),
            transposed_size(c.padding, c.in[2], c.kernel_w, c.stride_w), c.out_channels});
  t.op().stride_h = c.stride_h;
  t.op().stride_w = c.stride_w;
  t.op().padding = c.padding;
  t.expect_match(kSummation, c.shapes);
}

std::vector<Group<TransposedCase>> model_transposed() {
  // Both selfie models end with one: 2x2, stride 2, SAME, to one channel.
  return model_group<TransposedCase>("SelfieSegmentationHeads",
                                     {transposed({1, 72, 128, 16}, 1, 2, 2, Padding::kSame),
                                      transposed({1, 128, 128, 16}, 1, 2, 2, Padding::kSame)});
}

std::vector<Group<TransposedCase>> awkward_transposed() {
  Groups<TransposedCase> cases;
  for (const auto& [h, w] : {Size{1, 1}, {7, 7}, {7, 13}, {8, 14}}) {
    cases.start("KernelStridePaddingOn" + std::to_string(h) + "x" + std::to_string(w));
    for (int k : {1, 2, 3, 4, 5}) {
      for (int s : {1, 2, 3}) {
        for (Padding p : {Padding::kSame, Padding::kValid}) {
          cases.add(transposed({1, h, w, 3}, k % 2 ? 1 : 17, k, s, p));
        }
      }
    }
  }
  cases.start("ChannelPairs");
  for (int in_c : {1, 13, 16, 17, 64}) {
    for (int out_c : {1, 3, 16, 17}) {
      cases.add(transposed({1, 7, 13, in_c}, out_c, 3, 2, Padding::kSame));
    }
  }
  cases.start("UnequalSidesBatch2AndLargerOddSizes");
  TransposedCase c = transposed({1, 7, 13, 3}, 16, 3, 2, Padding::kSame);
  c.kernel_w = 2;
  c.stride_h = 1;
  cases.add(c);
  cases.add(transposed({2, 7, 7, 16}, 3, 2, 2, Padding::kSame));
  cases.add(transposed({2, 8, 6, 16}, 3, 2, 2, Padding::kSame));  // tiles, in a batch
  c = transposed({1, 6, 5, 16}, 5, 3, 3, Padding::kValid);        // tiles of 3x2
  c.kernel_w = c.stride_w = 2;
  cases.add(c);
  cases.add(transposed({1, 31, 23, 13}, 7, 3, 2, Padding::kSame));
  cases.add(transposed({1, 31, 23, 16}, 1, 2, 2, Padding::kSame));
  return cases.done();
}

// ---- MAX_POOL_2D and AVERAGE_POOL_2D ----------------------------------------------

struct PoolCase {
  OpType type = OpType::kMaxPool2d;
  Shape in;
  int window_h = 2, window_w = 2;
  int stride_h = 2, stride_w = 2;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool count_include_pad = false;  // PyTorch's average (InceptionV3)
  float range = 1.0f;
  Shapes shapes = Shapes::kAwkward;

  bool fits() const {
    return swept_size(padding, in[1], window_h, stride_h) > 0 &&
           swept_size(padding, in[2], window_w, stride_w) > 0;
  }
  std::string name() const {
    std::string n = short_op_name(type) + "_" + shape_name(in) + "_w" + std::to_string(window_h) +
                    "x" + std::to_string(window_w) + "_s" + std::to_string(stride_h) + "x" +
                    std::to_string(stride_w) + "_" + padding_name(padding) + "_" +
                    activation_name(activation);
    if (range != 1.0f) n += "_Range" + std::to_string(static_cast<int>(range));
    if (count_include_pad) n += "_IncludePad";
    return n;
  }
};

PoolCase pool(OpType type, Shape in, int window, int stride, Padding padding) {
  PoolCase c;
  c.type = type;
  c.in = std::move(in);
  c.window_h = c.window_w = window;
  c.stride_h = c.stride_w = stride;
  c.padding = padding;
  return c;
}

void run_case(const PoolCase& c) {
  ASSERT_TRUE(c.fits()) << c.name();
  OpComparison t(c.type, c.name());
  t.input(c.in, c.range);
  t.output({c.in[0], swept_size(c.padding, c.in[1], c.window_h, c.stride_h),
            swept_size(c.padding, c.in[2], c.window_w, c.stride_w), c.in[3]});
  t.op().filter_h = c.window_h;
  t.op().filter_w = c.window_w;
  t.op().stride_h = c.stride_h;
  t.op().stride_w = c.stride_w;
  t.op().padding = c.padding;
  t.op().activation = c.activation;
  t.op().count_include_pad = c.count_include_pad;
  // Max pooling selects, and the clips select: exact. tanh and averages: not.
  const bool exact = c.type == OpType::kMaxPool2d && c.activation != Activation::kTanh;
  t.expect_match(exact ? kExact : kSummation, c.shapes);
}

PoolCase include_pad(PoolCase c) {
  c.count_include_pad = true;
  return c;
}

std::vector<Group<PoolCase>> model_pools() {
  const OpType max = OpType::kMaxPool2d, average = OpType::kAveragePool2d;
  // 2x2 stride 2 max pools, SAME and VALID; global average pools.
  std::vector<Group<PoolCase>> groups = model_group<PoolCase>(
      "MaxAndGlobalAverage", {
                                 pool(max, {1, 96, 96, 32}, 2, 2, Padding::kSame),
                                 pool(max, {1, 96, 96, 16}, 2, 2, Padding::kValid),
                                 pool(max, {1, 12, 12, 256}, 2, 2, Padding::kSame),
                                 pool(max, {1, 4, 4, 288}, 2, 2, Padding::kValid),
                                 pool(average, {1, 64, 64, 16}, 64, 1, Padding::kValid),
                                 pool(average, {1, 16, 16, 96}, 16, 1, Padding::kValid),
                             });
  // InceptionV3 at batch 2: 3x3 stride 2 max pools, PyTorch's 3x3 averages
  // over the zero padding, the global average.
  const std::vector<Group<PoolCase>> inception = model_group<PoolCase>(
      "InceptionV3", {
                         pool(max, {2, 147, 147, 64}, 3, 2, Padding::kValid),
                         pool(max, {2, 35, 35, 288}, 3, 2, Padding::kValid),
                         include_pad(pool(average, {2, 35, 35, 192}, 3, 1, Padding::kSame)),
                         include_pad(pool(average, {2, 17, 17, 768}, 3, 1, Padding::kSame)),
                         include_pad(pool(average, {2, 8, 8, 1280}, 3, 1, Padding::kSame)),
                         pool(average, {2, 8, 8, 2048}, 8, 1, Padding::kValid),
                     });
  groups.insert(groups.end(), inception.begin(), inception.end());
  return groups;
}

std::vector<Group<PoolCase>> awkward_pools() {
  Groups<PoolCase> cases;
  for (OpType type : {OpType::kMaxPool2d, OpType::kAveragePool2d}) {
    int channel_pick = 0;
    for (const auto& [h, w] : {Size{1, 1}, {7, 7}, {13, 7}, {7, 13}, {8, 14}}) {
      cases.start(short_op_name(type) + "WindowStridePaddingOn" + std::to_string(h) + "x" +
                  std::to_string(w));
      for (const auto& [wh, ww] : {Size{1, 1}, {2, 2}, {3, 3}, {5, 5}, {3, 2}}) {
        for (int s : {1, 2, 3}) {
          for (Padding p : {Padding::kSame, Padding::kValid}) {
            constexpr int kChannels[] = {1, 3, 13, 16, 17, 64};
            PoolCase c = pool(type, {1, h, w, kChannels[channel_pick++ % 6]}, 1, s, p);
            c.window_h = wh;
            c.window_w = ww;
            if (c.fits()) cases.add(c);
          }
        }
      }
    }
    // A window larger than the input (SAME pads on both sides); global
    // windows on odd sizes; unequal strides; batch 2; a larger odd size.
    cases.start(short_op_name(type) + "EdgeCases");
    cases.add(pool(type, {1, 3, 3, 17}, 5, 1, Padding::kSame));
    cases.add(pool(type, {1, 1, 1, 3}, 3, 2, Padding::kSame));
    PoolCase c = pool(type, {1, 13, 7, 17}, 13, 1, Padding::kValid);
    c.window_w = 7;
    cases.add(c);
    c = pool(type, {1, 37, 29, 17}, 37, 1, Padding::kValid);
    c.window_w = 29;
    cases.add(c);
    c = pool(type, {1, 13, 13, 16}, 3, 2, Padding::kSame);
    c.stride_w = 1;
    cases.add(c);
    cases.add(pool(type, {2, 7, 13, 3}, 3, 2, Padding::kSame));
    cases.add(pool(type, {1, 61, 47, 35}, 3, 2, Padding::kSame));
    // PyTorch's average: the divisor counts the padding (SAME windows end
    // inside the padded input, where PyTorch, oneDNN and the reference agree).
    if (type == OpType::kAveragePool2d) {
      cases.start("AvgPoolIncludingPadding");
      for (const auto& [h, w] : {Size{1, 1}, {7, 7}, {13, 7}, {8, 14}}) {
        for (int window : {2, 3, 5}) {
          for (int stride : {1, 2, 3}) {
            cases.add(include_pad(pool(type, {2, h, w, 17}, window, stride, Padding::kSame)));
          }
        }
      }
    }
    // Every fused activation, on values that reach the clips.
    cases.start(short_op_name(type) + "FusedActivations");
    for (Activation a : kActivations) {
      c = pool(type, {1, 7, 13, 17}, 3, 2, Padding::kSame);
      c.activation = a;
      c.range = 8.0f;
      cases.add(c);
    }
  }
  return cases.done();
}

// ---- LOGISTIC, RELU, HARD_SWISH ---------------------------------------------------

struct EltwiseCase {
  OpType type = OpType::kRelu;
  Shape shape;
  float range = 1.0f;
  Shapes shapes = Shapes::kAwkward;

  std::string name() const {
    return short_op_name(type) + "_" + shape_name(shape) + "_Range" +
           std::to_string(static_cast<int>(range));
  }
};

void run_case(const EltwiseCase& c) {
  OpComparison t(c.type, c.name());
  t.input(c.shape, c.range);
  t.output(c.shape);
  t.expect_match(c.type == OpType::kRelu ? kExact : kSummation, c.shapes, std::nullopt, "",
                 c.type == OpType::kLogistic ? kLogisticCutOffGap : 0.0f);
}

std::vector<Group<EltwiseCase>> model_eltwise() {
  return model_group<EltwiseCase>("LogisticReluHardSwish",
                                  {
                                      {OpType::kLogistic, {1, 256, 256, 1}},
                                      {OpType::kLogistic, {1, 1, 1, 96}},
                                      {OpType::kLogistic, {1, 1}},
                                      {OpType::kRelu, {1, 64, 64, 72}},
                                      {OpType::kRelu, {1, 1, 1, 8}},
                                      {OpType::kHardSwish, {1, 72, 128, 16}},
                                      {OpType::kHardSwish, {1, 9, 16, 96}},
                                  });
}

std::vector<Group<EltwiseCase>> awkward_eltwise() {
  Groups<EltwiseCase> cases;
  for (OpType type : {OpType::kLogistic, OpType::kRelu, OpType::kHardSwish}) {
    cases.start(short_op_name(type) + "ShapesAndRanges");
    for (const Shape& shape : {Shape{1, 7, 13, 17}, Shape{1, 1, 1, 1}, Shape{13}, Shape{2, 3, 7},
                               Shape{2, 3, 1, 5, 7}, Shape{}, Shape{1, 61, 47, 35}}) {
      // Range 1, and ranges past hard-swish's -3 and 3 and the logistic
      // reference's cut-offs (-9, 16.6).
      for (float range : {1.0f, 8.0f, 20.0f}) cases.add(EltwiseCase{type, shape, range});
    }
  }
  return cases.done();
}

// ---- ADD and MUL --------------------------------------------------------------------

struct BinaryCase {
  OpType type = OpType::kAdd;
  Shape a, b;
  Activation activation = Activation::kNone;
  bool b_constant = false;
  float range = 1.0f;
  Shapes shapes = Shapes::kAwkward;

  std::string name() const {
    std::string n = short_op_name(type) + "_" + shape_name(a) + "_And_" + shape_name(b) +
                    (b_constant ? "Const" : "") + "_" + activation_name(activation);
    if (range != 1.0f) n += "_Range" + std::to_string(static_cast<int>(range));
    return n;
  }
};

void run_case(const BinaryCase& c) {
  OpComparison t(c.type, c.name());
  t.input(c.a, c.range);
  if (c.b_constant) {
    t.weights(c.b);
  } else {
    t.input(c.b, c.range);
  }
  t.output(broadcast(c.a, c.b));
  t.op().activation = c.activation;
  // One correctly rounded + or *, then a clip: exact; tanh is not.
  t.expect_match(c.activation == Activation::kTanh ? kSummation : kExact, c.shapes);
}

std::vector<Group<BinaryCase>> model_binary() {
  const OpType add = OpType::kAdd, mul = OpType::kMul;
  return model_group<BinaryCase>("AddAndMul",
                                 {
                                     {add, {1, 32, 32, 32}, {1, 32, 32, 32}},
                                     {add, {1, 128, 128, 8}, {1, 128, 128, 8}, Activation::kRelu6},
                                     {mul, {1, 36, 64, 16}, {1, 1, 1, 16}},
                                     {mul, {1, 9, 16, 128}, {1, 1, 1, 128}},
                                     {mul, {1, 468, 3}, {1}, Activation::kNone, true},
                                     {mul, {1, 4, 4}, {1, 4, 4}, Activation::kNone, true},
                                 });
}

std::vector<Group<BinaryCase>> awkward_binary() {
  Groups<BinaryCase> cases;
  for (OpType type : {OpType::kAdd, OpType::kMul}) {
    cases.start(short_op_name(type) + "Broadcasting");
    const std::vector<std::pair<Shape, Shape>> pairs = {
        {{1, 7, 13, 17}, {1, 7, 13, 17}},
        {{1, 7, 13, 17}, {1, 1, 1, 17}},  // per channel, as the models
        {{1, 1, 1, 17}, {1, 7, 13, 17}},  // the same, broadcast side first
        {{1, 7, 13, 17}, {17}},           // lower rank
        {{1, 7, 13, 17}, {1, 7, 13, 1}},  // per pixel
        {{1, 7, 13, 17}, {1, 7, 1, 17}},  // per row
        {{1, 7, 13, 17}, {7, 1, 1}},      // middle axis, lower rank
        {{1, 7, 13, 17}, {1}},
        {{1, 7, 13, 17}, {}},  // scalar
        {{2, 7, 13, 3}, {1, 7, 13, 3}},
        {{1, 1, 13, 1}, {1, 7, 1, 17}},  // both sides broadcast
        {{1, 7, 13, 1}, {1, 1, 1, 17}},  // both sides broadcast
        {{13}, {13}},
        {{1, 1}, {1, 1}},
        {{2, 3, 4, 5, 6}, {1, 3, 1, 5, 1}},
        {{2, 3, 4, 5, 6}, {2, 1, 4, 1, 6}},
        {{2, 1, 3, 2, 2, 3}, {3}},  // rank 6
        {{1, 61, 47, 35}, {1, 61, 47, 35}},
        {{1, 61, 47, 35}, {35}},
    };
    for (const auto& [a, b] : pairs) cases.add(BinaryCase{type, a, b});
    cases.add(BinaryCase{type, {1, 7, 13, 17}, {1, 1, 1, 17}, Activation::kNone, true});
    cases.start(short_op_name(type) + "FusedActivations");
    for (Activation activation : kActivations) {
      cases.add(BinaryCase{type, {1, 7, 13, 17}, {1, 7, 13, 17}, activation, false, 4.0f});
      cases.add(BinaryCase{type, {1, 7, 13, 17}, {17}, activation, false, 4.0f});
    }
  }
  return cases.done();
}

// ---- PRELU ------------------------------------------------------------------------

struct PreluCase {
  Shape x, alpha;
  bool alpha_constant = true;
  Shapes shapes = Shapes::kAwkward;

  std::string name() const {
    return "Prelu_" + shape_name(x) + "_Alpha" + shape_name(alpha) +
           (alpha_constant ? "" : "Input");
  }
};

void run_case(const PreluCase& c) {
  OpComparison t(OpType::kPrelu, c.name());
  t.input(c.x);
  if (c.alpha_constant) {
    t.weights(c.alpha);
  } else {
    t.input(c.alpha);
  }
  t.output(c.x);
  // One selection, or one correctly rounded product: exact.
  t.expect_match(kExact, c.shapes);
}

// The face, hand re-crop and palm models' PReLUs (8 to 256 channels).
std::vector<Group<PreluCase>> model_prelus() {
  return model_group<PreluCase>("FacePalmAndHandRecrop", {
                                                             {{1, 128, 128, 8}, {1, 1, 8}},
                                                             {{1, 96, 96, 16}, {1, 1, 16}},
                                                             {{1, 48, 48, 32}, {1, 1, 32}},
                                                             {{1, 24, 24, 64}, {1, 1, 64}},
                                                             {{1, 2, 2, 128}, {1, 1, 128}},
                                                             {{1, 6, 6, 256}, {1, 1, 256}},
                                                         });
}

// Channel counts that do not divide the vectors' 16 lanes (or exceed them),
// tensors that end in a part-filled vector, other ranks, and the alphas
// the kernel leaves to the reference: broadcast otherwise, or not constant.
std::vector<Group<PreluCase>> awkward_prelus() {
  Groups<PreluCase> cases;
  cases.start("PreluChannelsAndTails");
  for (int channels : {1, 3, 5, 12, 17, 24, 40}) {
    cases.add(PreluCase{{1, 7, 13, channels}, {1, 1, channels}});
    cases.add(PreluCase{{1, 1, 1, channels}, {channels}});
  }
  cases.add(PreluCase{{13}, {13}});
  cases.add(PreluCase{{2, 3, 4, 5, 6}, {1, 1, 1, 1, 6}});
  cases.start("PreluLeftToTheReference");
  cases.add(PreluCase{{1, 7, 13, 17}, {1, 13, 17}});  // per pixel and channel
  cases.add(PreluCase{{1, 7, 13, 17}, {1}});          // one slope
  cases.add(PreluCase{{1, 7, 13, 17}, {1, 1, 17}, false});
  return cases.done();
}

// ---- PAD ------------------------------------------------------------------------

struct PadCase {
  Shape in;
  std::vector<std::int64_t> paddings;  // [rank, 2]: before and after, per axis
  Shapes shapes = Shapes::kAwkward;

  Shape out() const {
    Shape s = in;
    for (std::size_t d = 0; d < s.size(); ++d) {
      s[d] += static_cast<int>(paddings[2 * d] + paddings[2 * d + 1]);
    }
    return s;
  }
  std::string name() const {
    std::string n = "Pad_" + shape_name(in) + "_By";
    for (std::int64_t p : paddings) n += std::to_string(p);
    return n;
  }
};

void run_case(const PadCase& c) {
  OpComparison t(OpType::kPad, c.name());
  t.input(c.in);
  t.ints({static_cast<int>(c.in.size()), 2}, c.paddings);
  t.output(c.out());
  t.expect_match(kExact, c.shapes);  // copies and zeros
}

// The channel PADs of the face, hand re-crop and pose models' residual blocks.
std::vector<Group<PadCase>> model_pads() {
  return model_group<PadCase>("ChannelPadsOfResidualBlocks",
                              {
                                  {{1, 64, 64, 24}, {0, 0, 0, 0, 0, 0, 0, 4}},
                                  {{1, 64, 64, 8}, {0, 0, 0, 0, 0, 0, 0, 8}},
                                  {{1, 48, 48, 16}, {0, 0, 0, 0, 0, 0, 0, 16}},
                                  {{1, 16, 16, 42}, {0, 0, 0, 0, 0, 0, 0, 6}},
                                  {{1, 12, 12, 64}, {0, 0, 0, 0, 0, 0, 0, 64}},
                                  {{1, 8, 8, 88}, {0, 0, 0, 0, 0, 0, 0, 8}},
                                  {{1, 4, 4, 64}, {0, 0, 0, 0, 0, 0, 0, 64}},
                              });
}

// Padding before, after and both, odd widths, other ranks; and the PADs
// left to the reference (any axis but the last).
std::vector<Group<PadCase>> awkward_pads() {
  Groups<PadCase> cases;
  cases.start("PadLastAxis");
  cases.add(PadCase{{1, 7, 13, 5}, {0, 0, 0, 0, 0, 0, 0, 11}});
  cases.add(PadCase{{1, 7, 13, 5}, {0, 0, 0, 0, 0, 0, 3, 0}});
  cases.add(PadCase{{1, 7, 13, 5}, {0, 0, 0, 0, 0, 0, 2, 9}});
  cases.add(PadCase{{1, 7, 13, 5}, {0, 0, 0, 0, 0, 0, 0, 0}});
  cases.add(PadCase{{2, 3, 17}, {0, 0, 0, 0, 1, 1}});
  cases.add(PadCase{{19}, {4, 7}});
  cases.start("PadLeftToTheReference");
  cases.add(PadCase{{1, 7, 13, 5}, {0, 0, 1, 1, 0, 0, 0, 0}});
  cases.add(PadCase{{1, 7, 13, 5}, {1, 0, 0, 0, 0, 0, 0, 0}});
  cases.add(PadCase{{1, 7, 13, 5}, {0, 1, 0, 0, 0, 0, 0, 3}});
  return cases.done();
}

// ---- RESIZE_BILINEAR ------------------------------------------------------------------------

struct ResizeCase {
  Shape in;
  int out_h = 1, out_w = 1;
  bool align_corners = false, half_pixel_centers = true;
  Shapes shapes = Shapes::kAwkward;

  std::string name() const {
    return "Resize_" + shape_name(in) + "_To" + std::to_string(out_h) + "x" +
           std::to_string(out_w) +
           (align_corners        ? "_AlignCorners"
            : half_pixel_centers ? "_HalfPixel"
                                 : "_Asymmetric");
  }
};

void run_case(const ResizeCase& c) {
  OpComparison t(OpType::kResizeBilinear, c.name());
  t.input(c.in);
  t.ints({2}, {c.out_h, c.out_w});
  t.output({c.in[0], c.out_h, c.out_w, c.in[3]});
  t.op().align_corners = c.align_corners;
  t.op().half_pixel_centers = c.half_pixel_centers;
  t.expect_match(kSummation, c.shapes, std::nullopt, "", resize_coordinate_gap(c.in));
}

std::vector<Group<ResizeCase>> model_resizes() {
  return model_group<ResizeCase>(
      "HalfPixelCenters",
      {{{1, 64, 64, 8}, 128, 128}, {{1, 9, 16, 128}, 18, 32}, {{1, 7, 7, 1152}, 14, 14}});
}

std::vector<Group<ResizeCase>> awkward_resizes() {
  Groups<ResizeCase> cases;
  cases.start("HalfPixelCenters");
  for (const ResizeCase& c : std::vector<ResizeCase>{
           {{1, 7, 13, 3}, 14, 26},   // up by 2
           {{1, 7, 13, 17}, 10, 20},  // up by 10/7 and 20/13
           {{1, 13, 7, 16}, 7, 3},    // down by 13/7 and 7/3
           {{1, 13, 7, 1}, 5, 11},    // down and up
           {{1, 1, 1, 64}, 5, 3},     // from a single pixel
           {{1, 7, 13, 3}, 1, 1},     // to a single pixel
           {{1, 1, 13, 17}, 1, 20},   // one row
           {{2, 7, 7, 3}, 13, 9},     // batch 2
           {{1, 7, 13, 17}, 7, 13},   // same size
           {{1, 31, 23, 35}, 61, 47},
           {{1, 61, 47, 3}, 31, 23},
       }) {
    cases.add(c);
  }
  // TFLite's other two conventions, which oneDNN has no equal for.
  cases.start("AlignCornersAndAsymmetric");
  cases.add({{1, 7, 13, 17}, 10, 20, true, false});
  cases.add({{1, 7, 13, 17}, 10, 20, false, false});
  return cases.done();
}

// ---- MEAN ------------------------------------------------------------------------------------

struct MeanCase {
  Shape in;
  std::vector<std::int64_t> axes;
  bool keep_dims = true;
  Shapes shapes = Shapes::kAwkward;

  Shape out() const {
    Shape s;
    const int rank = static_cast<int>(in.size());
    for (int d = 0; d < rank; ++d) {
      const bool reduced = std::any_of(axes.begin(), axes.end(),
                                       [&](std::int64_t a) { return a == d || a + rank == d; });
      if (!reduced) {
        s.push_back(in[static_cast<std::size_t>(d)]);
      } else if (keep_dims) {
        s.push_back(1);
      }
    }
    return s;
  }
  std::string name() const {
    std::string n = "Mean_" + shape_name(in) + "_Axes";
    for (std::int64_t a : axes) n += a < 0 ? "M" + std::to_string(-a) : std::to_string(a);
    return n + (keep_dims ? "_KeepDims" : "_DropDims");
  }
};

void run_case(const MeanCase& c) {
  OpComparison t(OpType::kMean, c.name());
  t.input(c.in);
  t.ints({static_cast<int>(c.axes.size())}, c.axes);
  t.output(c.out());
  t.op().keep_dims = c.keep_dims;
  t.expect_match(kSummation, c.shapes);
}

std::vector<Group<MeanCase>> model_means() {
  return model_group<MeanCase>("SpatialMean",
                               {{{1, 9, 16, 96}, {1, 2}, true}, {{1, 7, 7, 1152}, {1, 2}, false}});
}

std::vector<Group<MeanCase>> awkward_means() {
  Groups<MeanCase> cases;
  cases.start("ShapesAxesAndKeepDims");
  for (const MeanCase& c : std::vector<MeanCase>{
           {{1, 7, 13, 17}, {1, 2}, true},
           {{1, 7, 13, 17}, {1, 2}, false},
           {{2, 13, 7, 3}, {1, 2}, true},
           {{1, 1, 1, 64}, {1, 2}, true},
           {{1, 13, 1, 16}, {1, 2}, false},
           {{1, 61, 47, 35}, {1, 2}, true},
           {{1, 7, 13, 17}, {2, 1}, true},
           {{1, 7, 13, 17}, {-3, -2}, true},
           {{1, 7, 13, 17}, {3}, true},
           {{1, 7, 13, 17}, {1}, false},
           {{1, 13, 17}, {1}, true},
       }) {
    cases.add(c);
  }
  return cases.done();
}

// ---- CONCATENATION ------------------------------------------------------------------

struct ConcatCase {
  std::vector<Shape> inputs;
  int axis = 3;
  Shapes shapes = Shapes::kAwkward;

  Shape out() const {
    Shape s = inputs[0];
    const std::size_t a = static_cast<std::size_t>(axis < 0 ? axis + int(s.size()) : axis);
    s[a] = 0;
    for (const Shape& in : inputs) s[a] += in[a];
    return s;
  }
  std::string name() const {
    std::string n = "Concat_Axis" + (axis < 0 ? "M" + std::to_string(-axis) : std::to_string(axis));
    for (const Shape& in : inputs) n += "_" + shape_name(in);
    return n;
  }
};

void run_case(const ConcatCase& c) {
  OpComparison t(OpType::kConcatenation, c.name());
  for (const Shape& in : c.inputs) t.input(in);
  t.output(c.out());
  t.op().axis = c.axis;
  t.expect_match(kExact, c.shapes);  // copies
}

std::vector<Group<ConcatCase>> model_concats() {
  // InceptionV3's block outputs at batch 2 (Mixed_5b, Mixed_6a, Mixed_7b).
  return model_group<ConcatCase>(
      "InceptionV3", {{{{2, 35, 35, 64}, {2, 35, 35, 64}, {2, 35, 35, 96}, {2, 35, 35, 32}}},
                      {{{2, 17, 17, 384}, {2, 17, 17, 96}, {2, 17, 17, 288}}},
                      {{{2, 8, 8, 320},
                        {2, 8, 8, 384},
                        {2, 8, 8, 384},
                        {2, 8, 8, 384},
                        {2, 8, 8, 384},
                        {2, 8, 8, 192}}}});
}

std::vector<Group<ConcatCase>> awkward_concats() {
  Groups<ConcatCase> cases;
  cases.start("AxesRanksAndOddChannels");
  for (const ConcatCase& c : std::vector<ConcatCase>{
           {{{1, 7, 13, 1}, {1, 7, 13, 3}, {1, 7, 13, 17}}, 3},
           {{{1, 7, 13, 16}}, 3},
           {{{2, 7, 13, 3}, {1, 7, 13, 3}}, 0},
           {{{1, 7, 13, 3}, {1, 5, 13, 3}}, 1},
           {{{1, 7, 13, 3}, {1, 7, 2, 3}}, -2},
           {{{1, 7, 13, 5}, {1, 7, 13, 3}}, -1},
           {{{896, 16}, {896, 1}}, 1},
           {{{3, 5, 7}, {3, 5, 1}, {3, 5, 2}}, 2},
       }) {
    cases.add(c);
  }
  return cases.done();
}

// ---- The tests: one per group ---------------------------------------------------------

class ConvolutionMatchesReference : public ::testing::TestWithParam<Group<ConvolutionCase>> {};

TEST_P(ConvolutionMatchesReference, OnRandomData) {
  for (const ConvolutionCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, ConvolutionMatchesReference,
                         ::testing::ValuesIn(model_convolutions()), GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, ConvolutionMatchesReference,
                         ::testing::ValuesIn(awkward_convolutions()), GroupName{});

class TransposedConvolutionMatchesReference
    : public ::testing::TestWithParam<Group<TransposedCase>> {};

TEST_P(TransposedConvolutionMatchesReference, OnRandomData) {
  for (const TransposedCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, TransposedConvolutionMatchesReference,
                         ::testing::ValuesIn(model_transposed()), GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, TransposedConvolutionMatchesReference,
                         ::testing::ValuesIn(awkward_transposed()), GroupName{});

class PoolingMatchesReference : public ::testing::TestWithParam<Group<PoolCase>> {};

TEST_P(PoolingMatchesReference, OnRandomData) {
  for (const PoolCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, PoolingMatchesReference, ::testing::ValuesIn(model_pools()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, PoolingMatchesReference,
                         ::testing::ValuesIn(awkward_pools()), GroupName{});

class EltwiseMatchesReference : public ::testing::TestWithParam<Group<EltwiseCase>> {};

TEST_P(EltwiseMatchesReference, OnRandomData) {
  for (const EltwiseCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, EltwiseMatchesReference, ::testing::ValuesIn(model_eltwise()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, EltwiseMatchesReference,
                         ::testing::ValuesIn(awkward_eltwise()), GroupName{});

class BinaryMatchesReference : public ::testing::TestWithParam<Group<BinaryCase>> {};

TEST_P(BinaryMatchesReference, OnRandomData) {
  for (const BinaryCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, BinaryMatchesReference, ::testing::ValuesIn(model_binary()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, BinaryMatchesReference,
                         ::testing::ValuesIn(awkward_binary()), GroupName{});

class ResizeBilinearMatchesReference : public ::testing::TestWithParam<Group<ResizeCase>> {};

TEST_P(ResizeBilinearMatchesReference, OnRandomData) {
  for (const ResizeCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, ResizeBilinearMatchesReference,
                         ::testing::ValuesIn(model_resizes()), GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, ResizeBilinearMatchesReference,
                         ::testing::ValuesIn(awkward_resizes()), GroupName{});

class MeanMatchesReference : public ::testing::TestWithParam<Group<MeanCase>> {};

TEST_P(MeanMatchesReference, OnRandomData) {
  for (const MeanCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, MeanMatchesReference, ::testing::ValuesIn(model_means()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, MeanMatchesReference, ::testing::ValuesIn(awkward_means()),
                         GroupName{});

class PadMatchesReference : public ::testing::TestWithParam<Group<PadCase>> {};

TEST_P(PadMatchesReference, OnRandomData) {
  for (const PadCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, PadMatchesReference, ::testing::ValuesIn(model_pads()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, PadMatchesReference, ::testing::ValuesIn(awkward_pads()),
                         GroupName{});

class PreluMatchesReference : public ::testing::TestWithParam<Group<PreluCase>> {};

TEST_P(PreluMatchesReference, OnRandomData) {
  for (const PreluCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, PreluMatchesReference, ::testing::ValuesIn(model_prelus()),
                         GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, PreluMatchesReference,
                         ::testing::ValuesIn(awkward_prelus()), GroupName{});

class ConcatenationMatchesReference : public ::testing::TestWithParam<Group<ConcatCase>> {};

TEST_P(ConcatenationMatchesReference, OnRandomData) {
  for (const ConcatCase& c : GetParam().cases) run_case(c);
}

INSTANTIATE_TEST_SUITE_P(ModelShapes, ConcatenationMatchesReference,
                         ::testing::ValuesIn(model_concats()), GroupName{});
INSTANTIATE_TEST_SUITE_P(AwkwardShapes, ConcatenationMatchesReference,
                         ::testing::ValuesIn(awkward_concats()), GroupName{});

}  // namespace
}  // namespace signprep::nn
