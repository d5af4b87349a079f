// Small .tflite models written field by field (flatbuffer_builder.h), to
// check what the reader makes of each schema feature and that each kind of
// bad or unsupported input is an Error(kModel) whose message names the model,
// the tensor or operator, and the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/tflite/flatbuffer_builder.h"
#include "nn/tflite/tflite_reader.h"

namespace signprep::nn {
namespace {

using test::le_bytes;
using test::NodePtr;
using test::str;
using test::Table;
using test::tables;
using test::vec;
using test::vec_raw;

// BuiltinOperator and BuiltinOptions values from schema.fbs.
constexpr int kConv2d = 3, kDequantize = 6, kSoftmax = 25, kCustom = 32, kDensify = 124,
              kGelu = 150;
constexpr std::uint8_t kConv2DOptions = 1, kPool2DOptions = 5;
constexpr std::int8_t kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kString = 5;

NodePtr builtin(int code) {
  // Codes past 127 need builtin_code; deprecated_builtin_code then holds 127.
  return Table()
      .scalar<std::int8_t>(0, static_cast<std::int8_t>(std::min(code, 127)))
      .scalar<std::int32_t>(3, code);
}

NodePtr custom(const std::string& name) {
  return Table().scalar<std::int8_t>(0, kCustom).ref(1, str(name)).scalar<std::int32_t>(3, kCustom);
}

struct SynthTensor {
  std::string name;
  std::vector<int> shape;
  std::int8_t type = kFloat32;
  std::uint32_t buffer = 0;
  NodePtr sparsity = nullptr;
};

struct SynthOp {
  std::uint32_t opcode = 0;
  std::vector<int> inputs, outputs;
  std::uint8_t options_type = 0;
  NodePtr options = nullptr;
  NodePtr custom_options = nullptr;
};

template <class T>
std::vector<std::byte> data_of(const std::vector<T>& values) {
  std::vector<std::byte> bytes;
  for (const T& v : values) {
    const auto b = le_bytes(v);
    bytes.insert(bytes.end(), b.begin(), b.end());
  }
  return bytes;
}

// A model: Model{version, operator_codes, subgraphs, buffers} with one
// SubGraph{tensors, inputs, outputs, operators} (or `subgraphs` copies).
struct SynthModel {
  std::vector<NodePtr> codes;
  std::vector<std::vector<std::byte>> buffers = {{}};
  std::vector<SynthTensor> tensors;
  std::vector<int> inputs, outputs;
  std::vector<SynthOp> ops;
  std::uint32_t version = 3;
  int subgraphs = 1;
  const char* identifier = "TFL3";

  std::vector<std::byte> build() const {
    std::vector<NodePtr> tensor_nodes;
    for (const SynthTensor& t : tensors) {
      Table table;
      table.ref(0, vec(t.shape)).scalar(1, t.type).scalar(2, t.buffer).ref(3, str(t.name));
      if (t.sparsity) table.ref(6, t.sparsity);
      tensor_nodes.push_back(table);
    }
    std::vector<NodePtr> op_nodes;
    for (const SynthOp& op : ops) {
      Table table;
      table.scalar(0, op.opcode).ref(1, vec(op.inputs)).ref(2, vec(op.outputs));
      if (op.options) table.scalar(3, op.options_type).ref(4, op.options);
      if (op.custom_options) table.ref(5, op.custom_options);
      op_nodes.push_back(table);
    }
    const NodePtr subgraph = Table()
                                 .ref(0, tables(tensor_nodes))
                                 .ref(1, vec(inputs))
                                 .ref(2, vec(outputs))
                                 .ref(3, tables(op_nodes));
    std::vector<NodePtr> buffer_nodes;
    for (const auto& data : buffers) {
      buffer_nodes.push_back(data.empty() ? NodePtr(Table())
                                          : NodePtr(Table().ref(0, vec_raw(data))));
    }
    const NodePtr model = Table()
                              .scalar(0, version)
                              .ref(1, tables(codes))
                              .ref(2, tables(std::vector<NodePtr>(subgraphs, subgraph)))
                              .ref(4, tables(buffer_nodes));
    return test::FlatBufferWriter().finish(model, identifier);
  }
};

// fp16 weights covering the conversion's cases: 1, -2, the smallest
// subnormal, the largest normal, -0 and 1/3 rounded to half.
const std::vector<std::uint16_t> kWeightBits = {0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0x3555};
const std::vector<float> kWeightValues = {1.0f, -2.0f, 0x1p-24f, 65504.0f, -0.0f, 0x1.554p-2f};

// input [1,4,4,2] -> CONV_2D(weights = DEQUANTIZE(fp16 [3,1,1,2]), bias [3]) -> output.
SynthModel conv_model() {
  SynthModel m;
  m.codes = {builtin(kDequantize), builtin(kConv2d)};
  m.buffers = {{}, data_of(kWeightBits), data_of(std::vector<float>{0.5f, -1.0f, 2.0f})};
  m.tensors = {{"input", {1, 4, 4, 2}},
               {"weights_fp16", {3, 1, 1, 2}, kFloat16, 1},
               {"weights", {3, 1, 1, 2}},
               {"bias", {3}, kFloat32, 2},
               {"output", {1, 4, 2, 3}}};
  m.inputs = {0};
  m.outputs = {4};
  const NodePtr conv_options = Table()
                                   .scalar<std::int8_t>(0, 1)   // padding VALID
                                   .scalar<std::int32_t>(1, 2)  // stride_w
                                   .scalar<std::int32_t>(2, 1)  // stride_h
                                   .scalar<std::int8_t>(3, 3);  // RELU6
  m.ops = {{0, {1}, {2}}, {1, {0, 2, 3}, {4}, kConv2DOptions, conv_options}};
  return m;
}

ModelDef read(const SynthModel& m) {
  return read_tflite(m.build(), "synthetic");
}

// Reading `m` fails with Error(kModel) and exactly `message`.
void expect_error(const SynthModel& m, const std::string& message) {
  try {
    read(m);
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(TfliteSynthetic, ReadsTensorsOperatorsAndOptions) {
  const ModelDef model = read(conv_model());
  EXPECT_EQ(model.name, "synthetic");
  ASSERT_EQ(model.tensors.size(), 5u);
  EXPECT_EQ(model.inputs, std::vector<int>{0});
  EXPECT_EQ(model.outputs, std::vector<int>{4});
  EXPECT_EQ(model.tensors[0].name, "input");
  EXPECT_EQ(model.tensors[0].shape, (std::vector<int>{1, 4, 4, 2}));
  EXPECT_FALSE(model.tensors[0].is_constant);
  EXPECT_EQ(model.tensors[3].values, (std::vector<float>{0.5f, -1.0f, 2.0f}));

  ASSERT_EQ(model.ops.size(), 1u);  // DEQUANTIZE folded
  const OpDef& conv = model.ops[0];
  EXPECT_EQ(conv.type, OpType::kConv2d);
  EXPECT_EQ(conv.label, "CONV_2D #1");
  EXPECT_EQ(conv.inputs, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(conv.outputs, std::vector<int>{4});
  EXPECT_EQ(conv.padding, Padding::kValid);
  EXPECT_EQ(conv.stride_w, 2);
  EXPECT_EQ(conv.stride_h, 1);
  EXPECT_EQ(conv.dilation_w, 1);  // schema default
  EXPECT_EQ(conv.activation, Activation::kRelu6);
}

TEST(TfliteSynthetic, FoldsDequantizeIntoAFloat32Constant) {
  const ModelDef model = read(conv_model());
  const TensorDef& weights = model.tensors[2];
  EXPECT_TRUE(weights.is_constant);
  EXPECT_EQ(weights.type, TensorType::kFloat32);
  ASSERT_EQ(weights.values.size(), kWeightValues.size());
  for (std::size_t i = 0; i < kWeightValues.size(); ++i) {
    EXPECT_EQ(weights.values[i], kWeightValues[i]) << i;
    EXPECT_EQ(std::signbit(weights.values[i]), std::signbit(kWeightValues[i])) << i;
  }
  // The float16 source stays a constant of its own type, its data folded away.
  EXPECT_EQ(model.tensors[1].type, TensorType::kFloat16);
  EXPECT_TRUE(model.tensors[1].is_constant);
  EXPECT_TRUE(model.tensors[1].values.empty());
}

TEST(TfliteSynthetic, AbsentOptionalInput) {
  SynthModel m = conv_model();
  m.ops[1].inputs = {0, 2, -1};
  EXPECT_EQ(read(m).ops[0].inputs, (std::vector<int>{0, 2, -1}));
}

TEST(TfliteSynthetic, IntegerConstants) {
  SynthModel m = conv_model();
  m.buffers.push_back(data_of(std::vector<std::int32_t>{0, 0, 1, 1, -7, 2147483647}));
  m.tensors.push_back({"paddings", {3, 2}, kInt32, 3});
  const ModelDef model = read(m);
  const TensorDef& paddings = model.tensors[5];
  EXPECT_TRUE(paddings.is_constant);
  EXPECT_EQ(paddings.ints, (std::vector<std::int64_t>{0, 0, 1, 1, -7, 2147483647}));
}

TEST(TfliteSynthetic, UnsupportedOperatorsAreNamed) {
  SynthModel m = conv_model();
  m.codes[1] = builtin(kSoftmax);
  m.ops[1].options = nullptr;
  expect_error(m, "synthetic: op #1: unsupported operator SOFTMAX");

  m.codes[1] = builtin(kGelu);  // only in builtin_code: the larger of the two codes wins
  expect_error(m, "synthetic: op #1: unsupported operator GELU");

  m.codes[1] = custom("MyCustomOp");
  expect_error(m, "synthetic: op #1: unsupported custom operator MyCustomOp");
}

TEST(TfliteSynthetic, TensorProblems) {
  SynthModel m = conv_model();
  m.tensors[3].buffer = 9;
  expect_error(m, "synthetic: tensor 3: buffer 9 out of range (3 buffers)");

  m = conv_model();
  m.tensors[3].shape = {4};
  expect_error(m, "synthetic: tensor 3: buffer 2 holds 12 bytes, [4] FLOAT32 needs 16");

  m = conv_model();
  m.tensors[0].type = kString;
  expect_error(m, "synthetic: tensor 0: unsupported type STRING");

  m = conv_model();
  m.tensors[0].shape = {1, -4, 4, 2};
  expect_error(m, "synthetic: tensor 0: shape [1,-4,4,2] has a negative dimension");

  m = conv_model();
  m.tensors[0].shape = {65536, 65536};
  expect_error(m, "synthetic: tensor 0: shape [65536,65536] is too large");
}

TEST(TfliteSynthetic, IndexProblems) {
  SynthModel m = conv_model();
  m.ops[1].outputs = {-1};
  expect_error(m, "synthetic: CONV_2D #1: outputs: tensor index -1 out of range (5 tensors)");

  m = conv_model();
  m.ops[1].inputs = {0, 2, 5};
  expect_error(m, "synthetic: CONV_2D #1: inputs: tensor index 5 out of range (5 tensors)");

  m = conv_model();
  m.inputs = {-1};
  expect_error(m, "synthetic: subgraph: inputs: tensor index -1 out of range (5 tensors)");

  m = conv_model();
  m.ops[1].opcode = 2;
  expect_error(m, "synthetic: op #1: opcode_index 2 out of range (2 operator codes)");

  m = conv_model();
  m.ops[1].outputs = {3};
  expect_error(m, "synthetic: CONV_2D #1: output tensor 3 is a constant");
}

TEST(TfliteSynthetic, OptionProblems) {
  SynthModel m = conv_model();
  m.ops[1].options = Table().scalar<std::int32_t>(1, 1).scalar<std::int32_t>(2, 0);
  expect_error(m, "synthetic: CONV_2D #1: stride_h 0");

  m.ops[1].options =
      Table().scalar<std::int32_t>(1, 1).scalar<std::int32_t>(2, 1).scalar<std::int8_t>(3, 5);
  expect_error(m, "synthetic: CONV_2D #1: unsupported fused activation SIGN_BIT");

  m.ops[1].options_type = kPool2DOptions;
  expect_error(m, "synthetic: CONV_2D #1: builtin_options has type 5, expected 1");

  m.ops[1].options = nullptr;  // no options table: schema defaults, and stride 0
  expect_error(m, "synthetic: CONV_2D #1: stride_w 0");
}

TEST(TfliteSynthetic, Float16ConstantsNeedADequantize) {
  SynthModel m = conv_model();
  m.ops = {m.ops[1]};
  m.ops[0].opcode = 1;
  m.ops[0].inputs = {0, 1, 3};
  expect_error(m,
               "synthetic: CONV_2D #0: input tensor 1 is float16 constant data that no "
               "DENSIFY/DEQUANTIZE converts");

  m = conv_model();
  m.tensors[2].shape = {7};
  expect_error(m,
               "synthetic: DEQUANTIZE #0: output shape [7] does not match input shape [3,1,1,2]");

  m = conv_model();
  m.tensors[1].type = kFloat32;
  m.buffers[1] = data_of(std::vector<float>(6, 1.0f));
  expect_error(m, "synthetic: DEQUANTIZE #0: input tensor 1 is not dense constant float16 data");
}

TEST(TfliteSynthetic, SubgraphsAndHeader) {
  SynthModel m = conv_model();
  m.subgraphs = 0;
  expect_error(m, "synthetic: no subgraphs");
  m.subgraphs = 2;
  expect_error(m, "synthetic: 2 subgraphs; only single-subgraph models are supported");

  m = conv_model();
  m.version = 2;
  expect_error(m, "synthetic: schema version 2, expected 3");

  m = conv_model();
  m.identifier = "TFL2";
  expect_error(m, "synthetic: not a TFLite model (no TFL3 file identifier)");

  EXPECT_THROW(read_tflite({}, "empty"), Error);
}

TEST(TfliteSynthetic, LoadNamesTheModelByItsStem) {
  try {
    load_tflite("/nonexistent/pose_landmark_full.tflite");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel);
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/pose_landmark_full.tflite: cannot open the model file");
  }
}

// SparsityParameters for a [rows, cols] matrix: rows DENSE, columns SPARSE_CSR
// with uint8 segments and indices.
NodePtr csr_sparsity(int rows, const std::vector<std::uint8_t>& segments,
                     const std::vector<std::uint8_t>& indices) {
  constexpr std::uint8_t kUint8Vector = 3;
  const NodePtr dense_rows = Table().scalar<std::int8_t>(0, 0).scalar<std::int32_t>(1, rows);
  const NodePtr sparse_cols = Table()
                                  .scalar<std::int8_t>(0, 1)
                                  .scalar<std::uint8_t>(2, kUint8Vector)
                                  .ref(3, Table().ref(0, vec(segments)))
                                  .scalar<std::uint8_t>(4, kUint8Vector)
                                  .ref(5, Table().ref(0, vec(indices)));
  return Table().ref(0, vec(std::vector<int>{0, 1})).ref(2, tables({dense_rows, sparse_cols}));
}

// pose_detection's pattern: sparse fp16 weights -> DENSIFY -> DEQUANTIZE.
SynthModel sparse_model() {
  SynthModel m;
  m.codes = {builtin(kDensify), builtin(kDequantize), builtin(kConv2d)};
  // [[1, 0, 0, -2], [0, 0, 0, 0], [0, 0.5, 0, 0]]
  m.buffers = {{}, data_of(std::vector<std::uint16_t>{0x3c00, 0xc000, 0x3800})};
  m.tensors = {{"input", {1, 2, 2, 4}},
               {"sparse", {3, 4}, kFloat16, 1, csr_sparsity(3, {0, 2, 2, 3}, {0, 3, 1})},
               {"dense_fp16", {3, 4}, kFloat16},
               {"dense", {3, 4}},
               {"output", {1, 2, 2, 3}}};
  m.inputs = {0};
  m.outputs = {4};
  const NodePtr conv_options = Table().scalar<std::int32_t>(1, 1).scalar<std::int32_t>(2, 1);
  m.ops = {{0, {1}, {2}}, {1, {2}, {3}}, {2, {0, 3, -1}, {4}, kConv2DOptions, conv_options}};
  return m;
}

TEST(TfliteSynthetic, FoldsDensifyThenDequantize) {
  const ModelDef model = read(sparse_model());
  ASSERT_EQ(model.ops.size(), 1u);
  EXPECT_EQ(model.ops[0].label, "CONV_2D #2");
  EXPECT_EQ(model.tensors[3].values, (std::vector<float>{1, 0, 0, -2, 0, 0, 0, 0, 0, 0.5f, 0, 0}));
  EXPECT_TRUE(model.tensors[3].is_constant);
}

TEST(TfliteSynthetic, SparseProblems) {
  SynthModel m = sparse_model();
  m.tensors[1].sparsity = csr_sparsity(3, {0, 2, 2, 3}, {0, 4, 1});
  expect_error(m,
               "synthetic: DENSIFY #0: tensor 1 sparsity: dim_metadata 1: array_indices entry 4 "
               "outside 0..3");

  m.tensors[1].sparsity = csr_sparsity(3, {0, 2, 2, 2}, {0, 3, 1});
  expect_error(m, "synthetic: DENSIFY #0: tensor 1 sparsity: holds 3 values, its indices place 2");

  m.tensors[1].sparsity = csr_sparsity(2, {0, 2, 2, 3}, {0, 3, 1});
  expect_error(m,
               "synthetic: DENSIFY #0: tensor 1 sparsity: dim_metadata 0: dense_size 2, "
               "dimension has 3");

  m = sparse_model();
  m.ops = {m.ops[2]};
  m.ops[0].inputs = {0, 1, -1};
  m.ops[0].opcode = 2;
  expect_error(m,
               "synthetic: CONV_2D #0: input tensor 1 is sparse constant data that no "
               "DENSIFY/DEQUANTIZE converts");
}

// Custom options: FlexBuffers maps, and MediaPipe's raw transpose-conv struct.
TEST(TfliteSynthetic, CustomOptions) {
  SynthModel m;
  m.codes = {custom("TransformTensorBilinear"), custom("Convolution2DTransposeBias")};
  m.tensors = {{"a", {1, 4, 4, 1}}, {"b", {1, 4, 4}}, {"c", {1, 2, 2, 1}}, {"d", {1, 8, 8, 1}}};
  m.inputs = {0, 1};
  m.outputs = {2, 3};
  // The real bytes of face_landmark_with_attention's TransformTensorBilinear.
  const std::vector<std::uint8_t> flex = {'o', 'u', 't', 'p', 'u', 't', '_', 'h', 'e', 'i',
                                          'g', 'h', 't', 0,   'o', 'u', 't', 'p', 'u', 't',
                                          '_', 'w', 'i', 'd', 't', 'h', 0,   2,   28,  15,
                                          2,   1,   2,   16,  16,  4,   4,   4,   36,  1};
  const std::vector<std::int32_t> params = {2 /* VALID */, 3, 4};
  m.ops = {{0, {0, 1}, {2}, 0, nullptr, vec(flex)},
           {1, {0, 0, -1}, {3}, 0, nullptr, vec_raw(data_of(params))}};
  const ModelDef model = read(m);
  ASSERT_EQ(model.ops.size(), 2u);
  EXPECT_EQ(model.ops[0].type, OpType::kTransformTensorBilinear);
  EXPECT_EQ(model.ops[0].label, "TransformTensorBilinear #0");
  EXPECT_EQ(model.ops[0].custom_options,
            (FlexMap{{"output_height", std::int64_t{16}}, {"output_width", std::int64_t{16}}}));
  EXPECT_EQ(model.ops[1].type, OpType::kConvolution2DTransposeBias);
  EXPECT_EQ(model.ops[1].padding, Padding::kValid);
  EXPECT_EQ(model.ops[1].stride_w, 3);
  EXPECT_EQ(model.ops[1].stride_h, 4);

  m.ops[1].custom_options = vec(std::vector<std::uint8_t>{1, 0, 0, 0});
  expect_error(m,
               "synthetic: Convolution2DTransposeBias #1: custom options hold 4 bytes, "
               "TfLiteTransposeConvParams needs 12");
  m.ops[1].custom_options = vec_raw(data_of(params));
  m.ops[0].custom_options = vec(std::vector<std::uint8_t>(flex.begin(), flex.end() - 1));
  EXPECT_THROW(read(m), Error);
}

}  // namespace
}  // namespace signprep::nn
