// Reads the 13 MediaPipe models of models/ and checks them against facts
// from the golden manifests (shared/testdata/golden/models/<model>/
// manifest.json, copied here): input and output tensors, and operator counts
// by type less DEQUANTIZE and DENSIFY, which the reader folds into constants.
// Constants are checked against the file's own bytes, through an fp16
// encoder independent of the reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "nn/tflite/tflite_reader.h"
#include "nn/tflite/tflite_test_util.h"

namespace signprep::nn {
namespace {

using test::contains;
using test::half_bytes;
using test::model_path;
using test::read_bytes;

struct TensorFact {
  int index;
  std::string name;
  std::vector<int> shape;
};

struct ModelFacts {
  std::string model;
  std::vector<TensorFact> inputs;
  std::vector<TensorFact> outputs;
  std::map<std::string, int> ops_by_type;  // as labelled: builtin name or custom name
  int folded;                              // DEQUANTIZE + DENSIFY in the file
};

// Names the case in test output (and in CTest's test names) by its model.
void PrintTo(const ModelFacts& facts, std::ostream* os) {
  *os << facts.model;
}

// From the manifests' tensors.inputs/outputs and operators.by_type.
const std::vector<ModelFacts> kFacts = {
    {"face_detection_short_range",
     {{0, "input", {1, 128, 128, 3}}},
     {{175, "regressors", {1, 896, 16}}, {174, "classificators", {1, 896, 1}}},
     {{"ADD", 16},
      {"CONCATENATION", 2},
      {"CONV_2D", 21},
      {"DEPTHWISE_CONV_2D", 16},
      {"MAX_POOL_2D", 3},
      {"PAD", 11},
      {"RELU", 17},
      {"RESHAPE", 4}},
     74},
    {"face_landmark",
     {{0, "input_1", {1, 192, 192, 3}}},
     {{213, "conv2d_21", {1, 1, 1, 1404}}, {210, "conv2d_31", {1, 1, 1, 1}}},
     {{"ADD", 20},
      {"CONV_2D", 25},
      {"DEPTHWISE_CONV_2D", 20},
      {"MAX_POOL_2D", 6},
      {"PAD", 3},
      {"PRELU", 23}},
     113},
    {"face_landmark_with_attention",
     {{0, "input_1", {1, 192, 192, 3}}},
     {{719, "output_mesh_identity", {1, 1, 1, 1404}},
      {720, "output_lips", {1, 1, 1, 160}},
      {721, "output_left_eye", {1, 1, 1, 142}},
      {723, "output_right_eye", {1, 1, 1, 142}},
      {722, "output_left_iris", {1, 1, 1, 10}},
      {724, "output_right_iris", {1, 1, 1, 10}},
      {710, "conv_faceflag", {1, 1, 1, 1}}},
     {{"ADD", 66},
      {"CONV_2D", 80},
      {"Landmarks2TransformMatrix", 3},
      {"TransformLandmarks", 5},
      {"TransformTensorBilinear", 3},
      {"DEPTHWISE_CONV_2D", 66},
      {"MAX_POOL_2D", 16},
      {"MUL", 6},
      {"PAD", 9},
      {"PRELU", 73},
      {"RESHAPE", 13},
      {"STRIDED_SLICE", 1}},
     371},
    {"hand_landmark_full",
     {{0, "input_1", {1, 224, 224, 3}}},
     {{165, "Identity", {1, 63}},
      {164, "Identity_1", {1, 1}},
      {162, "Identity_2", {1, 1}},
      {166, "Identity_3", {1, 63}}},
     {{"ADD", 9},
      {"CONV_2D", 31},
      {"DEPTHWISE_CONV_2D", 16},
      {"FULLY_CONNECTED", 4},
      {"LOGISTIC", 2},
      {"MEAN", 1}},
     102},
    {"hand_recrop",
     {{0, "input_1", {1, 256, 256, 3}}},
     {{151, "output_crop", {1, 1, 1, 4}}},
     {{"ADD", 6},
      {"CONV_2D", 14},
      {"DEPTHWISE_CONV_2D", 19},
      {"MAX_POOL_2D", 6},
      {"PAD", 3},
      {"PRELU", 13},
      {"STRIDED_SLICE", 2}},
     0},
    {"palm_detection_full",
     {{0, "input_1", {1, 192, 192, 3}}},
     {{279, "Identity", {1, 2016, 18}}, {276, "Identity_1", {1, 2016, 1}}},
     {{"ADD", 30},
      {"CONCATENATION", 2},
      {"CONV_2D", 35},
      {"DEPTHWISE_CONV_2D", 28},
      {"MAX_POOL_2D", 4},
      {"PAD", 3},
      {"PRELU", 31},
      {"RESHAPE", 4},
      {"RESIZE_BILINEAR", 2}},
     133},
    {"palm_detection_lite",
     {{0, "input_1", {1, 192, 192, 3}}},
     {{239, "Identity", {1, 2016, 18}}, {236, "Identity_1", {1, 2016, 1}}},
     {{"ADD", 25},
      {"CONCATENATION", 2},
      {"CONV_2D", 30},
      {"DEPTHWISE_CONV_2D", 23},
      {"MAX_POOL_2D", 4},
      {"PAD", 3},
      {"PRELU", 26},
      {"RESHAPE", 4},
      {"RESIZE_BILINEAR", 2}},
     113},
    {"pose_detection",
     {{0, "input_1", {1, 224, 224, 3}}},
     {{441, "Identity", {1, 2254, 12}}, {429, "Identity_1", {1, 2254, 1}}},
     {{"ADD", 15},
      {"CONCATENATION", 2},
      {"CONV_2D", 45},
      {"DEPTHWISE_CONV_2D", 28},
      {"DEPTH_TO_SPACE", 3},
      {"PAD", 8},
      {"RESHAPE", 6},
      {"RESIZE_BILINEAR", 2}},
     182},
    {"pose_landmark_full",
     {{0, "input_1", {1, 256, 256, 3}}},
     {{337, "Identity", {1, 195}},
      {342, "Identity_1", {1, 1}},
      {297, "Identity_2", {1, 256, 256, 1}},
      {298, "Identity_3", {1, 64, 64, 39}},
      {339, "Identity_4", {1, 117}}},
     {{"ADD", 28},
      {"CONV_2D", 58},
      {"DEPTHWISE_CONV_2D", 38},
      {"LOGISTIC", 1},
      {"MAX_POOL_2D", 2},
      {"PAD", 5},
      {"RESHAPE", 3},
      {"RESIZE_BILINEAR", 5}},
     192},
    {"pose_landmark_heavy",
     {{0, "input_1", {1, 256, 256, 3}}},
     {{696, "Identity", {1, 195}},
      {701, "Identity_1", {1, 1}},
      {565, "Identity_2", {1, 256, 256, 1}},
      {641, "Identity_3", {1, 64, 64, 39}},
      {698, "Identity_4", {1, 117}}},
     {{"ADD", 73},
      {"CONV_2D", 116},
      {"DEPTHWISE_CONV_2D", 82},
      {"LOGISTIC", 1},
      {"MAX_POOL_2D", 5},
      {"PAD", 8},
      {"RESHAPE", 3},
      {"RESIZE_BILINEAR", 5}},
     396},
    {"pose_landmark_lite",
     {{0, "input_1", {1, 256, 256, 3}}},
     {{310, "Identity", {1, 195}},
      {315, "Identity_1", {1, 1}},
      {282, "Identity_2", {1, 256, 256, 1}},
      {283, "Identity_3", {1, 64, 64, 39}},
      {312, "Identity_4", {1, 117}}},
     {{"ADD", 25},
      {"CONV_2D", 54},
      {"DEPTHWISE_CONV_2D", 34},
      {"LOGISTIC", 1},
      {"MAX_POOL_2D", 2},
      {"PAD", 5},
      {"RESHAPE", 3},
      {"RESIZE_BILINEAR", 5}},
     176},
    {"selfie_segmentation",
     {{0, "input_1", {1, 256, 256, 3}}},
     {{249, "activation_10", {1, 256, 256, 1}}},
     {{"ADD", 14},
      {"AVERAGE_POOL_2D", 10},
      {"CONV_2D", 43},
      {"Convolution2DTransposeBias", 1},
      {"DEPTHWISE_CONV_2D", 11},
      {"HARD_SWISH", 11},
      {"LOGISTIC", 11},
      {"MUL", 10},
      {"RELU", 22},
      {"RESIZE_BILINEAR", 3}},
     110},
    {"selfie_segmentation_landscape",
     {{0, "input_1", {1, 144, 256, 3}}},
     {{259, "segment_back", {1, 144, 256, 1}}},
     {{"ADD", 14},
      {"CONV_2D", 43},
      {"Convolution2DTransposeBias", 1},
      {"DEPTHWISE_CONV_2D", 11},
      {"HARD_SWISH", 11},
      {"LOGISTIC", 11},
      {"MEAN", 10},
      {"MUL", 10},
      {"RELU", 22},
      {"RESIZE_BILINEAR", 3}},
     110},
};

std::string label_type(const OpDef& op) {
  return op.label.substr(0, op.label.find(" #"));
}
int label_index(const OpDef& op) {
  return std::stoi(op.label.substr(op.label.find(" #") + 2));
}

class ModelTest : public ::testing::TestWithParam<ModelFacts> {};

void expect_tensors(const ModelDef& model, const std::vector<int>& indices,
                    const std::vector<TensorFact>& facts) {
  ASSERT_EQ(indices.size(), facts.size());
  for (std::size_t i = 0; i < facts.size(); ++i) {
    SCOPED_TRACE(facts[i].name);
    EXPECT_EQ(indices[i], facts[i].index);
    const TensorDef& tensor = model.tensors.at(static_cast<std::size_t>(indices[i]));
    EXPECT_EQ(tensor.name, facts[i].name);
    EXPECT_EQ(tensor.shape, facts[i].shape);
    EXPECT_EQ(tensor.type, TensorType::kFloat32);
    EXPECT_FALSE(tensor.is_constant);
  }
}

TEST_P(ModelTest, MatchesManifest) {
  const ModelFacts& facts = GetParam();
  const ModelDef model = load_tflite(model_path(facts.model));
  EXPECT_EQ(model.name, facts.model);
  expect_tensors(model, model.inputs, facts.inputs);
  expect_tensors(model, model.outputs, facts.outputs);

  std::map<std::string, int> by_type;
  for (const OpDef& op : model.ops) ++by_type[label_type(op)];
  EXPECT_EQ(by_type, facts.ops_by_type);

  // Labels keep the file's operator indices: increasing, with the folded
  // operators' indices missing.
  int total = 0;
  for (const auto& [type, count] : facts.ops_by_type) total += count;
  int previous = -1;
  for (const OpDef& op : model.ops) {
    EXPECT_GT(label_index(op), previous) << op.label;
    previous = label_index(op);
  }
  EXPECT_LT(previous, total + facts.folded);
}

// What the executor relies on: every operator input is a model input, an
// earlier operator's output, or a constant with all its data decoded.
TEST_P(ModelTest, EveryInputIsAvailable) {
  const ModelDef model = load_tflite(model_path(GetParam().model));
  std::set<int> available(model.inputs.begin(), model.inputs.end());
  for (const OpDef& op : model.ops) {
    for (const int index : op.inputs) {
      if (index < 0) continue;
      const TensorDef& tensor = model.tensors[static_cast<std::size_t>(index)];
      if (tensor.is_constant) {
        const bool is_float = tensor.type == TensorType::kFloat32;
        EXPECT_EQ(static_cast<std::int64_t>(is_float ? tensor.values.size() : tensor.ints.size()),
                  tensor.element_count())
            << op.label << " input " << index;
      } else {
        EXPECT_TRUE(available.count(index)) << op.label << " reads tensor " << index << " early";
      }
    }
    available.insert(op.outputs.begin(), op.outputs.end());
  }
  for (const int output : model.outputs) EXPECT_TRUE(available.count(output));
}

INSTANTIATE_TEST_SUITE_P(Models, ModelTest, ::testing::ValuesIn(kFacts),
                         [](const auto& param_info) { return param_info.param.model; });

// Every float constant of face_detection_short_range comes from a
// DEQUANTIZE: its values, re-encoded as fp16, are bytes of the file.
TEST(TfliteConstants, DequantizedWeightsAreTheFilesFloat16Data) {
  const std::vector<std::byte> file = read_bytes(model_path("face_detection_short_range"));
  const ModelDef model = read_tflite(file, "face_detection_short_range");
  int folded = 0;
  for (const TensorDef& tensor : model.tensors) {
    if (tensor.type != TensorType::kFloat32 || !tensor.is_constant) continue;
    ASSERT_EQ(static_cast<std::int64_t>(tensor.values.size()), tensor.element_count());
    EXPECT_TRUE(contains(file, half_bytes(tensor.values))) << tensor.name;
    ++folded;
  }
  EXPECT_EQ(folded, 74);
}

// hand_recrop has float32 weights: copied as they are.
TEST(TfliteConstants, Float32WeightsAreTheFilesBytes) {
  const std::vector<std::byte> file = read_bytes(model_path("hand_recrop"));
  const ModelDef model = read_tflite(file, "hand_recrop");
  int constants = 0;
  for (const TensorDef& tensor : model.tensors) {
    if (tensor.type != TensorType::kFloat32 || !tensor.is_constant) continue;
    const auto bytes = std::as_bytes(std::span<const float>(tensor.values));
    EXPECT_TRUE(contains(file, bytes)) << tensor.name;
    ++constants;
  }
  EXPECT_GT(constants, 40);
}

// pose_detection stores 38 weight tensors sparse (SPARSE_CSR over the input
// channels) and fp16: DENSIFY then DEQUANTIZE. A densified tensor's
// non-zeros, in row-major order, are the stored values; the dense fp16
// tensors are stored whole.
TEST(TfliteConstants, DensifiedWeightsHoldTheStoredValues) {
  const std::vector<std::byte> file = read_bytes(model_path("pose_detection"));
  const ModelDef model = read_tflite(file, "pose_detection");
  int dense = 0, sparse = 0;
  std::int64_t zeros = 0, elements = 0;
  for (const TensorDef& tensor : model.tensors) {
    if (tensor.type != TensorType::kFloat32 || !tensor.is_constant) continue;
    if (contains(file, half_bytes(tensor.values))) {
      ++dense;
      continue;
    }
    std::vector<float> nonzero;
    std::copy_if(tensor.values.begin(), tensor.values.end(), std::back_inserter(nonzero),
                 [](float v) { return v != 0; });
    EXPECT_TRUE(contains(file, half_bytes(nonzero))) << tensor.name;
    ++sparse;
    zeros += static_cast<std::int64_t>(tensor.values.size() - nonzero.size());
    elements += static_cast<std::int64_t>(tensor.values.size());
  }
  EXPECT_EQ(sparse, 38);
  EXPECT_EQ(dense, 144 - 38);
  EXPECT_GT(zeros, elements / 4);  // pruned weights: mostly zeros, but not all
  EXPECT_LT(zeros, elements * 19 / 20);

  const TensorDef& conv1 = model.tensors[17];  // conv2d_1 weights, DENSIFY -> DEQUANTIZE
  EXPECT_EQ(conv1.name, "model_1/model/conv2d_1/Conv2D_dequantize2");
  EXPECT_EQ(conv1.shape, (std::vector<int>{16, 1, 1, 24}));
  EXPECT_EQ(std::count(conv1.values.begin(), conv1.values.end(), 0.0f), 384 - 96);
}

const OpDef& op_labelled(const ModelDef& model, const std::string& label) {
  for (const OpDef& op : model.ops) {
    if (op.label == label) return op;
  }
  throw std::runtime_error("no operator " + label);
}

TEST(TfliteOptions, MediaPipeCustomOptions) {
  const ModelDef model = load_tflite(model_path("face_landmark_with_attention"));
  const FlexMap& lips = op_labelled(model, "Landmarks2TransformMatrix #192").custom_options;
  EXPECT_EQ(std::get<std::int64_t>(lips.at("left_rotation_idx")), 61);
  EXPECT_EQ(std::get<std::int64_t>(lips.at("right_rotation_idx")), 291);
  EXPECT_EQ(std::get<std::int64_t>(lips.at("output_height")), 16);
  EXPECT_EQ(std::get<std::int64_t>(lips.at("output_width")), 16);
  EXPECT_EQ(std::get<double>(lips.at("scale_x")), 1.5);
  EXPECT_EQ(std::get<double>(lips.at("scale_y")), 1.5);
  EXPECT_EQ(std::get<double>(lips.at("target_rotation_radians")), 0.0);
  const auto& subset = std::get<std::vector<std::int64_t>>(lips.at("subset_idxs"));
  ASSERT_EQ(subset.size(), 80u);
  EXPECT_EQ(subset[0], 61);
  EXPECT_EQ(subset[79], 407);

  const FlexMap& crop = op_labelled(model, "TransformTensorBilinear #195").custom_options;
  EXPECT_EQ(crop,
            (FlexMap{{"output_height", std::int64_t{16}}, {"output_width", std::int64_t{16}}}));
  EXPECT_TRUE(op_labelled(model, "TransformLandmarks #701").custom_options.empty());

  const ModelDef selfie = load_tflite(model_path("selfie_segmentation"));
  const OpDef& up = op_labelled(selfie, "Convolution2DTransposeBias #244");
  EXPECT_EQ(up.padding, Padding::kSame);
  EXPECT_EQ(up.stride_w, 2);
  EXPECT_EQ(up.stride_h, 2);
  EXPECT_TRUE(up.custom_options.empty());
}

TEST(TfliteOptions, BuiltinOptions) {
  const ModelDef hand = load_tflite(model_path("hand_landmark_full"));
  const OpDef& conv = op_labelled(hand, "CONV_2D #2");
  EXPECT_EQ(conv.padding, Padding::kSame);
  EXPECT_EQ(conv.stride_w, 2);
  EXPECT_EQ(conv.stride_h, 2);
  EXPECT_EQ(conv.dilation_w, 1);
  EXPECT_EQ(conv.activation, Activation::kRelu6);

  const ModelDef selfie = load_tflite(model_path("selfie_segmentation"));
  const OpDef& pool = op_labelled(selfie, "AVERAGE_POOL_2D #12");
  EXPECT_EQ(pool.padding, Padding::kValid);
  EXPECT_EQ(pool.filter_w, 64);
  EXPECT_EQ(pool.filter_h, 64);
  EXPECT_EQ(pool.stride_w, 64);

  const ModelDef landscape = load_tflite(model_path("selfie_segmentation_landscape"));
  EXPECT_TRUE(op_labelled(landscape, "MEAN #12").keep_dims);

  const ModelDef pose = load_tflite(model_path("pose_detection"));
  EXPECT_EQ(op_labelled(pose, "DEPTH_TO_SPACE #199").block_size, 2);
  const OpDef& resize = op_labelled(pose, "RESIZE_BILINEAR #200");
  EXPECT_TRUE(resize.half_pixel_centers);
  EXPECT_FALSE(resize.align_corners);
  EXPECT_EQ(op_labelled(pose, "ADD #213").activation, Activation::kRelu6);
  EXPECT_EQ(op_labelled(pose, "CONCATENATION #282").axis, 1);
}

}  // namespace
}  // namespace signprep::nn
