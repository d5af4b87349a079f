// The dispatch table and the checks validate_op makes for every op.
#include "nn/ops/op_test_util.h"

namespace signprep::nn::reference::testing {
namespace {

TEST(ReferenceOps, EveryOpTypeHasAKernel) {
  // An op with no operands fails its own arity check, never "no kernel".
  for (int type = static_cast<int>(OpType::kAdd);
       type <= static_cast<int>(OpType::kTransformTensorBilinear); ++type) {
    OpTester t(static_cast<OpType>(type));
    const std::string message = t.validation_error();
    EXPECT_EQ(message.find("no reference kernel"), std::string::npos) << message;
    EXPECT_NE(message.find("inputs, expected"), std::string::npos) << message;
  }
}

TEST(ReferenceOps, MessagesNameModelAndOp) {
  OpTester t(OpType::kConv2d, "CONV_2D #12");
  t.input({1, 4, 4, 1}, pattern(16));
  t.constant({1, 3, 3, 1}, pattern(9));
  t.output({1, 4, 4, 1});
  t.op.dilation_w = 0;
  EXPECT_EQ(t.validation_error(), "test_model: CONV_2D #12: dilation 1x0 is not positive");
}

TEST(ReferenceOps, RejectsTensorIndicesOutOfRange) {
  OpTester t(OpType::kRelu);
  t.input({2}, {1, 2});
  t.output({2});
  t.op.inputs[0] = 7;
  EXPECT_INVALID(t, "input tensor index 7 is out of range");
  t.op.inputs[0] = 0;
  t.op.outputs[0] = -1;
  EXPECT_INVALID(t, "output tensor index -1 is out of range");
}

TEST(ReferenceOps, RejectsAbsentRequiredInputAndDynamicShapes) {
  OpTester t(OpType::kConv2d);
  t.absent_input();
  t.constant({1, 1, 1, 1}, {1});
  t.output({1, 1, 1, 1});
  EXPECT_INVALID(t, "input (input 0) is absent");

  OpTester d(OpType::kRelu);
  d.input({1, -1}, {});
  d.output({1, 2});
  EXPECT_INVALID(d, "input shape [1,-1] is not static");
}

TEST(ReferenceOps, RejectsNonFloatOutput) {
  OpTester t(OpType::kRelu);
  t.input({2}, {1, 2});
  t.output({2});
  t.model.tensors[1].type = TensorType::kInt32;
  EXPECT_INVALID(t, "output is not float32");
}

}  // namespace
}  // namespace signprep::nn::reference::testing
