#include "nn/onednn/onednn_kernels.h"

#include <algorithm>
#include <array>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "nn/padding.h"

namespace signprep::nn::onednn {

using dnnl::memory;
using Dims = memory::dims;

struct Context::State {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Context::Context() : state_(std::make_unique<State>()) {}
Context::~Context() = default;

namespace {

class PrimitiveKernel final : public Kernel {
 public:
  PrimitiveKernel(Context::State& state, dnnl::primitive primitive,
                  std::unordered_map<int, memory> arguments)
      : state_(state), primitive_(std::move(primitive)), arguments_(std::move(arguments)) {}
  void run() override {
    primitive_.execute(state_.stream, arguments_);
    state_.stream.wait();
  }

 private:
  Context::State& state_;
  dnnl::primitive primitive_;
  std::unordered_map<int, memory> arguments_;
};

// oneDNN's logical dims are N, C, H, W whatever the memory layout.
Dims nchw_dims(const std::vector<int>& nhwc) {
  return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

memory::desc nhwc_desc(const std::vector<int>& nhwc) {
  return {nchw_dims(nhwc), memory::data_type::f32, memory::format_tag::nhwc};
}

// TFLite's padding rule (kernels/padding.h): SAME centres the window, with the
// odd pixel after; VALID pads nothing.
struct Padding2d {
  Dims before, after;
};

Padding2d padding_of(const OpDef& op, const std::vector<int>& in, const std::vector<int>& out,
                     int kernel_h, int kernel_w) {
  const AxisPadding h =
      axis_padding(op.padding, in[1], out[1], kernel_h, op.stride_h, op.dilation_h);
  const AxisPadding w =
      axis_padding(op.padding, in[2], out[2], kernel_w, op.stride_w, op.dilation_w);
  return {{h.before, w.before}, {h.after, w.after}};
}

// The fused activation as an eltwise post-op; false when oneDNN has no equal.
bool append_activation(Activation activation, dnnl::post_ops& post_ops) {
  switch (activation) {
    case Activation::kNone:
      return true;
    case Activation::kRelu:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      return true;
    case Activation::kRelu6:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      return true;
    case Activation::kReluN1To1:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, -1.f, 1.f);
      return true;
    case Activation::kTanh:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f);
      return true;
  }
  return false;
}

// Records oneDNN's silent fallback to a reference implementation.
template <typename PrimitiveDesc>
void note_implementation(Context& context, const OpDef& op, const PrimitiveDesc& pd) {
  const std::string implementation = pd.impl_info_str();
  if (implementation.rfind("ref", 0) == 0) {
    context.reference_implementations.push_back(op.label + ": " + implementation);
  }
}

// Wraps one of the executor's buffers; oneDNN takes non-const pointers even for inputs.
memory user_memory(Context::State& state, const memory::desc& md, const float* data) {
  return memory(md, state.engine, const_cast<float*>(data));
}

// The model's weights copied, once at load, into the layout the primitive wants.
memory packed_weights(Context::State& state, const memory::desc& wanted, const memory::desc& given,
                      const float* data) {
  memory packed(wanted, state.engine);
  memory user = user_memory(state, given, data);
  dnnl::reorder(user, packed).execute(state.stream, user, packed);
  state.stream.wait();
  return packed;
}

// CONV_2D (filter OHWI) and DEPTHWISE_CONV_2D (filter [1, kh, kw, C*multiplier])
// as one grouped convolution: depthwise is groups = C, multiplier outputs each.
std::unique_ptr<Kernel> convolution(Context& context, const ModelDef& model, const OpDef& op,
                                    std::span<const float* const> inputs,
                                    std::span<float* const> outputs, const FoldedPadding* folded) {
  const auto& in = model.tensors[folded ? folded->source_tensor : op.inputs[0]].shape;
  const auto& filter = model.tensors[op.inputs[1]];
  const auto& out = model.tensors[op.outputs[0]].shape;
  if (in.size() != 4 || out.size() != 4 || filter.shape.size() != 4) return nullptr;
  const bool depthwise = op.type == OpType::kDepthwiseConv2d;
  const int kh = filter.shape[1], kw = filter.shape[2];
  const int in_c = in[3], out_c = out[3];

  memory::desc user_weights;
  if (depthwise) {
    const int multiplier = out_c / in_c;
    // dims (groups, out per group, in per group, kh, kw) over TFLite's [1, kh, kw, C*m]
    user_weights = memory::desc({in_c, multiplier, 1, kh, kw}, memory::data_type::f32,
                                Dims{multiplier, 1, 1, kw * out_c, out_c});
  } else {
    user_weights =
        memory::desc({out_c, in_c, kh, kw}, memory::data_type::f32, memory::format_tag::ohwi);
  }
  const memory::desc any_weights(user_weights.dims(), memory::data_type::f32,
                                 memory::format_tag::any);
  const memory::desc bias_md({out_c}, memory::data_type::f32, memory::format_tag::x);
  const Padding2d pad =
      folded ? Padding2d{{folded->top, folded->left}, {folded->bottom, folded->right}}
             : padding_of(op, in, out, kh, kw);

  dnnl::post_ops post_ops;
  if (!append_activation(op.activation, post_ops)) return nullptr;
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
  const dnnl::convolution_forward::desc desc =
      has_bias
          ? dnnl::convolution_forward::desc(
                dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                nhwc_desc(in), any_weights, bias_md, nhwc_desc(out), {op.stride_h, op.stride_w},
                {op.dilation_h - 1, op.dilation_w - 1}, pad.before, pad.after)
          : dnnl::convolution_forward::desc(
                dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                nhwc_desc(in), any_weights, nhwc_desc(out), {op.stride_h, op.stride_w},
                {op.dilation_h - 1, op.dilation_w - 1}, pad.before, pad.after);
  auto& state = context.state();
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, state.engine);
  note_implementation(context, op, pd);

  const memory weights = packed_weights(state, pd.weights_desc(), user_weights, inputs[1]);
  context.packed_constants.push_back(inputs[1]);

  std::unordered_map<int, memory> arguments = {
      {DNNL_ARG_SRC, user_memory(state, pd.src_desc(), inputs[0])},
      {DNNL_ARG_WEIGHTS, weights},
      {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])},
  };
  if (has_bias) {
    arguments.emplace(DNNL_ARG_BIAS, user_memory(state, bias_md, inputs[2]));
  }
  return std::make_unique<PrimitiveKernel>(state, dnnl::convolution_forward(pd),
                                           std::move(arguments));
}

// A primitive over (src -> dst) buffers of equal layout, e.g. eltwise or resampling.
template <typename PrimitiveDesc, typename Primitive>
std::unique_ptr<Kernel> unary_kernel(Context& context, const OpDef& op, const PrimitiveDesc& pd,
                                     const float* source, float* destination) {
  note_implementation(context, op, pd);
  auto& state = context.state();
  return std::make_unique<PrimitiveKernel>(
      state, Primitive(pd),
      std::unordered_map<int, memory>{
          {DNNL_ARG_SRC, user_memory(state, pd.src_desc(), source)},
          {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), destination)}});
}

memory::desc flat_desc(std::int64_t count) {
  return {{count}, memory::data_type::f32, memory::format_tag::a};
}

// LOGISTIC, RELU, HARD_SWISH: element-wise, so the layout is irrelevant.
std::unique_ptr<Kernel> eltwise(Context& context, const ModelDef& model, const OpDef& op,
                                std::span<const float* const> inputs,
                                std::span<float* const> outputs) {
  const dnnl::algorithm algorithm = op.type == OpType::kLogistic ? dnnl::algorithm::eltwise_logistic
                                    : op.type == OpType::kRelu   ? dnnl::algorithm::eltwise_relu
                                                               : dnnl::algorithm::eltwise_hardswish;
  const memory::desc md = flat_desc(model.tensors[op.outputs[0]].element_count());
  const dnnl::eltwise_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, algorithm, md, 0.f, 0.f}, context.state().engine);
  return unary_kernel<dnnl::eltwise_forward::primitive_desc, dnnl::eltwise_forward>(
      context, op, pd, inputs[0], outputs[0]);
}

// Row-major dims of a TFLite shape, left-padded with 1s to `rank`.
Dims padded_dims(const std::vector<int>& shape, std::size_t rank) {
  Dims dims(rank - shape.size(), 1);
  dims.insert(dims.end(), shape.begin(), shape.end());
  return dims;
}

// Dense row-major layout of any rank.
memory::desc plain_desc(const Dims& dims) {
  Dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return {dims, memory::data_type::f32, strides};
}

// ADD and MUL with TFLite broadcasting, as long as only one side broadcasts
// (oneDNN broadcasts its second source); both are commutative.
std::unique_ptr<Kernel> binary(Context& context, const ModelDef& model, const OpDef& op,
                               std::span<const float* const> inputs,
                               std::span<float* const> outputs) {
  const auto& out_shape = model.tensors[op.outputs[0]].shape;
  const std::size_t rank = out_shape.size();
  if (rank == 0 || rank > 5) return nullptr;
  std::array<Dims, 2> dims = {padded_dims(model.tensors[op.inputs[0]].shape, rank),
                              padded_dims(model.tensors[op.inputs[1]].shape, rank)};
  const Dims out = padded_dims(out_shape, rank);
  std::array<const float*, 2> sources = {inputs[0], inputs[1]};
  if (dims[0] != out) {
    std::swap(dims[0], dims[1]);
    std::swap(sources[0], sources[1]);
  }
  if (dims[0] != out) return nullptr;  // both sides broadcast
  dnnl::post_ops post_ops;
  if (!append_activation(op.activation, post_ops)) return nullptr;
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  auto& state = context.state();
  const dnnl::binary::primitive_desc pd(
      {op.type == OpType::kAdd ? dnnl::algorithm::binary_add : dnnl::algorithm::binary_mul,
       plain_desc(dims[0]), plain_desc(dims[1]), plain_desc(out)},
      attr, state.engine);
  note_implementation(context, op, pd);
  return std::make_unique<PrimitiveKernel>(
      state, dnnl::binary(pd),
      std::unordered_map<int, memory>{
          {DNNL_ARG_SRC_0, user_memory(state, pd.src_desc(0), sources[0])},
          {DNNL_ARG_SRC_1, user_memory(state, pd.src_desc(1), sources[1])},
          {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])}});
}

// MAX_POOL_2D and AVERAGE_POOL_2D; TFLite's average counts only cells inside
// the image, which is oneDNN's exclude-padding mode (count_include_pad: the
// include-padding mode).
std::unique_ptr<Kernel> pooling(Context& context, const ModelDef& model, const OpDef& op,
                                std::span<const float* const> inputs,
                                std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  if (in.size() != 4 || out.size() != 4) return nullptr;
  dnnl::post_ops post_ops;
  if (!append_activation(op.activation, post_ops)) return nullptr;
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  const Padding2d pad = padding_of(op, in, out, op.filter_h, op.filter_w);
  const dnnl::pooling_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       op.type == OpType::kMaxPool2d ? dnnl::algorithm::pooling_max
       : op.count_include_pad        ? dnnl::algorithm::pooling_avg_include_padding
                                     : dnnl::algorithm::pooling_avg_exclude_padding,
       nhwc_desc(in),
       nhwc_desc(out),
       {op.stride_h, op.stride_w},
       {op.filter_h, op.filter_w},
       pad.before,
       pad.after},
      attr, context.state().engine);
  return unary_kernel<dnnl::pooling_forward::primitive_desc, dnnl::pooling_forward>(
      context, op, pd, inputs[0], outputs[0]);
}

// RESIZE_BILINEAR with half-pixel centres is oneDNN's linear resampling; the
// other two TFLite conventions (align_corners, and neither) are not.
std::unique_ptr<Kernel> resize_bilinear(Context& context, const ModelDef& model, const OpDef& op,
                                        std::span<const float* const> inputs,
                                        std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  if (!op.half_pixel_centers || op.align_corners || in.size() != 4) return nullptr;
  const dnnl::resampling_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_linear, nhwc_desc(in),
       nhwc_desc(out)},
      context.state().engine);
  return unary_kernel<dnnl::resampling_forward::primitive_desc, dnnl::resampling_forward>(
      context, op, pd, inputs[0], outputs[0]);
}

// MediaPipe's Convolution2DTransposeBias (weights OHWI, bias) as oneDNN's
// deconvolution, which scatters each input cell with the same, unflipped
// taps. MediaPipe pads max(0, k - (in-1) % stride - 1) in all, half before.
std::unique_ptr<Kernel> transposed_convolution(Context& context, const ModelDef& model,
                                               const OpDef& op,
                                               std::span<const float* const> inputs,
                                               std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& weights = model.tensors[op.inputs[1]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  const int kh = weights[1], kw = weights[2];
  const auto total = [&](int size, int k, int stride) {
    return op.padding == Padding::kSame ? std::max(0, k - (size - 1) % stride - 1) : 0;
  };
  const int total_h = total(in[1], kh, op.stride_h), total_w = total(in[2], kw, op.stride_w);
  const memory::desc user_weights({out[3], in[3], kh, kw}, memory::data_type::f32,
                                  memory::format_tag::ohwi);
  const memory::desc bias_md({out[3]}, memory::data_type::f32, memory::format_tag::x);
  auto& state = context.state();
  const dnnl::deconvolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       dnnl::algorithm::deconvolution_direct,
       nhwc_desc(in),
       memory::desc(user_weights.dims(), memory::data_type::f32, memory::format_tag::any),
       bias_md,
       nhwc_desc(out),
       {op.stride_h, op.stride_w},
       {total_h / 2, total_w / 2},
       {total_h - total_h / 2, total_w - total_w / 2}},
      state.engine);
  note_implementation(context, op, pd);
  const memory packed = packed_weights(state, pd.weights_desc(), user_weights, inputs[1]);
  return std::make_unique<PrimitiveKernel>(
      state, dnnl::deconvolution_forward(pd),
      std::unordered_map<int, memory>{
          {DNNL_ARG_SRC, user_memory(state, pd.src_desc(), inputs[0])},
          {DNNL_ARG_WEIGHTS, packed},
          {DNNL_ARG_BIAS, user_memory(state, bias_md, inputs[2])},
          {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])}});
}

// MEAN over height and width of an NHWC tensor (global average pooling, the
// only MEAN these models have) as one average-pooling window: oneDNN's
// reduction primitive has only a reference implementation.
std::unique_ptr<Kernel> spatial_mean(Context& context, const ModelDef& model, const OpDef& op,
                                     std::span<const float* const> inputs,
                                     std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& axes = model.tensors[op.inputs[1]].ints;
  if (in.size() != 4 || axes != std::vector<std::int64_t>{1, 2}) return nullptr;
  const std::vector<int> pooled = {in[0], 1, 1, in[3]};  // same bytes as [N,C] or [N,1,1,C]
  const dnnl::pooling_forward::primitive_desc pd({dnnl::prop_kind::forward_inference,
                                                  dnnl::algorithm::pooling_avg_exclude_padding,
                                                  nhwc_desc(in),
                                                  nhwc_desc(pooled),
                                                  {1, 1},
                                                  {in[1], in[2]},
                                                  {0, 0},
                                                  {0, 0}},
                                                 context.state().engine);
  return unary_kernel<dnnl::pooling_forward::primitive_desc, dnnl::pooling_forward>(
      context, op, pd, inputs[0], outputs[0]);
}

// CONCATENATION without a fused activation, on dense row-major buffers: the
// logical dims are TFLite's own, so the axis carries over unchanged.
std::unique_ptr<Kernel> concatenation(Context& context, const ModelDef& model, const OpDef& op,
                                      std::span<const float* const> inputs,
                                      std::span<float* const> outputs) {
  if (op.activation != Activation::kNone) return nullptr;
  const auto& out = model.tensors[op.outputs[0]].shape;
  const int rank = static_cast<int>(out.size());
  std::vector<memory::desc> sources;
  for (int t : op.inputs) sources.push_back(plain_desc(padded_dims(model.tensors[t].shape, rank)));
  auto& state = context.state();
  const dnnl::concat::primitive_desc pd(plain_desc(padded_dims(out, rank)),
                                        op.axis < 0 ? op.axis + rank : op.axis, sources,
                                        state.engine);
  note_implementation(context, op, pd);
  std::unordered_map<int, memory> arguments = {
      {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])}};
  for (std::size_t i = 0; i < sources.size(); ++i) {
    arguments.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                      user_memory(state, sources[i], inputs[i]));
  }
  return std::make_unique<PrimitiveKernel>(state, dnnl::concat(pd), std::move(arguments));
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_kernel(Context& context, const ModelDef& model, const OpDef& op,
                                           std::span<const float* const> inputs,
                                           std::span<float* const> outputs,
                                           const FoldedPadding* folded) {
  switch (op.type) {
    case OpType::kConv2d:
    case OpType::kDepthwiseConv2d:
      return convolution(context, model, op, inputs, outputs, folded);
    case OpType::kLogistic:
    case OpType::kRelu:
    case OpType::kHardSwish:
      return eltwise(context, model, op, inputs, outputs);
    case OpType::kAdd:
    case OpType::kMul:
      return binary(context, model, op, inputs, outputs);
    case OpType::kMaxPool2d:
    case OpType::kAveragePool2d:
      return pooling(context, model, op, inputs, outputs);
    case OpType::kResizeBilinear:
      return resize_bilinear(context, model, op, inputs, outputs);
    case OpType::kConvolution2DTransposeBias:
      return transposed_convolution(context, model, op, inputs, outputs);
    case OpType::kMean:
      return spatial_mean(context, model, op, inputs, outputs);
    case OpType::kConcatenation:
      return concatenation(context, model, op, inputs, outputs);
    default:
      return nullptr;
  }
}

}  // namespace signprep::nn::onednn
