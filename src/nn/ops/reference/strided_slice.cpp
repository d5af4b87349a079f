// STRIDED_SLICE with constant begin/end/strides (one value per input
// dimension), begin/end/shrink_axis masks and the offset flag, as TFLite's
// strided_slice.cc with strided_slice_logic.h (StridedSliceStartForAxis /
// StridedSliceEndForAxis):
//   start: +size if negative, clamp to [0, size] (stride > 0) or
//          [-1, size-1] (stride < 0); begin_mask sets 0 or size-1.
//   end:   shrink_axis gives start+1 (start if start >= size); otherwise
//          end (+start with offset), +size if negative, the same clamping;
//          end_mask sets size or -1.
//   length: ceil((end - start) / stride), at least 0; shrunk axes are dropped.
// ellipsis_mask and new_axis_mask are refused (no MediaPipe model uses them).
#include <algorithm>

#include "nn/ops/reference/kernels.h"

namespace signprep::nn::reference {
namespace {

struct AxisRange {
  int start, end, stride, length;
};

int clamp_for_stride(int v, int size, int stride) {
  return stride > 0 ? std::clamp(v, 0, size) : std::clamp(v, -1, size - 1);
}

AxisRange axis_range(const OpDef& op, int axis, int size, int begin, int end, int stride) {
  AxisRange r{};
  r.stride = stride;
  r.start = clamp_for_stride(begin < 0 ? begin + size : begin, size, stride);
  if (op.begin_mask & (1 << axis)) r.start = stride > 0 ? 0 : size - 1;
  if (op.shrink_axis_mask & (1 << axis)) {
    r.end = r.start >= size ? r.start : r.start + 1;
  } else {
    int e = op.offset ? end + r.start : end;
    r.end = clamp_for_stride(e < 0 ? e + size : e, size, stride);
    if (op.end_mask & (1 << axis)) r.end = stride > 0 ? size : -1;
  }
  const int span = r.end - r.start;
  r.length = std::max(span / stride + (span % stride != 0 ? 1 : 0), 0);
  return r;
}

std::vector<AxisRange> axis_ranges(const ModelDef& model, const OpDef& op) {
  const Shape& in = input_shape(model, op, 0);
  const std::vector<int> begin = constant_ints(model, op, 1, "begin");
  const std::vector<int> end = constant_ints(model, op, 2, "end");
  const std::vector<int> strides = constant_ints(model, op, 3, "strides");
  const std::size_t rank = in.size();
  if (begin.size() != rank || end.size() != rank || strides.size() != rank) {
    fail(model, op,
         "begin/end/strides have " + std::to_string(begin.size()) + "/" +
             std::to_string(end.size()) + "/" + std::to_string(strides.size()) +
             " values for an input of rank " + std::to_string(rank));
  }
  std::vector<AxisRange> ranges;
  for (std::size_t d = 0; d < rank; ++d) {
    if (strides[d] == 0) fail(model, op, "stride of dimension " + std::to_string(d) + " is 0");
    ranges.push_back(axis_range(op, static_cast<int>(d), in[d], begin[d], end[d], strides[d]));
  }
  return ranges;
}

}  // namespace

void validate_strided_slice(const ModelDef& model, const OpDef& op) {
  expect_arity(model, op, 4, 4, 1);
  const Shape& in = expect_float_input(model, op, 0, "input").shape;
  if (in.size() > 30) fail(model, op, "rank " + std::to_string(in.size()) + " is too large");
  if (op.ellipsis_mask != 0 || op.new_axis_mask != 0) {
    fail(model, op,
         "ellipsis_mask " + std::to_string(op.ellipsis_mask) + " / new_axis_mask " +
             std::to_string(op.new_axis_mask) + " are not supported");
  }
  const std::vector<AxisRange> ranges = axis_ranges(model, op);
  Shape expected;
  for (std::size_t d = 0; d < ranges.size(); ++d) {
    if (!(op.shrink_axis_mask & (1 << d))) expected.push_back(ranges[d].length);
  }
  expect_output_shape(model, op, expected);
}

void run_strided_slice(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs) {
  const Shape& in = input_shape(model, op, 0);
  const std::vector<AxisRange> ranges = axis_ranges(model, op);
  const int rank = static_cast<int>(in.size());
  std::vector<std::int64_t> in_strides(rank, 1);
  for (int d = rank - 1; d > 0; --d) in_strides[d - 1] = in_strides[d] * in[d];
  std::int64_t count = 1;
  for (const AxisRange& r : ranges) count *= r.length;
  if (count == 0) return;

  // Odometer over the selected indices, in output (row-major) order.
  std::vector<int> step(rank, 0);
  std::int64_t src = 0;
  for (int d = 0; d < rank; ++d) src += ranges[d].start * in_strides[d];
  const float* input = inputs[0];
  float* output = outputs[0];
  for (std::int64_t i = 0; i < count; ++i) {
    output[i] = input[src];
    for (int d = rank; d-- > 0;) {
      src += ranges[d].stride * in_strides[d];
      if (++step[d] < ranges[d].length) break;
      src -= std::int64_t{ranges[d].stride} * ranges[d].length * in_strides[d];
      step[d] = 0;
    }
  }
}

}  // namespace signprep::nn::reference
