#include "nn/onednn/onednn_kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <type_traits>
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

using Arguments = std::unordered_map<int, memory>;

// One operator's primitive, after the conversions of the sources it takes in
// another type than they are stored in; or, where the operator is a loop of
// our own (`own_loop`), that loop after the conversions.
class PrimitiveKernel final : public Kernel {
 public:
  struct Step {
    dnnl::primitive primitive;
    Arguments arguments;
  };
  PrimitiveKernel(Context::State& state, std::vector<Step> steps,
                  std::function<void()> own_loop = {})
      : state_(state), steps_(std::move(steps)), own_loop_(std::move(own_loop)) {}
  void run() override {
    for (const Step& step : steps_) step.primitive.execute(state_.stream, step.arguments);
    state_.stream.wait();
    if (own_loop_) own_loop_();
  }

 private:
  Context::State& state_;
  std::vector<Step> steps_;
  std::function<void()> own_loop_;
};

StoredType stored_type(const Context& context, int tensor) {
  const bool known = tensor >= 0 && static_cast<std::size_t>(tensor) < context.stored.size();
  return known ? context.stored[static_cast<std::size_t>(tensor)] : StoredType::kF32;
}

memory::data_type data_type(StoredType stored) {
  switch (stored) {
    case StoredType::kBf16:
      return memory::data_type::bf16;
    case StoredType::kU8:
      return memory::data_type::u8;
    case StoredType::kF32:
      break;
  }
  return memory::data_type::f32;
}

memory::data_type type_of(const Context& context, int tensor) {
  return data_type(stored_type(context, tensor));
}

float u8_scale(const Context& context, int tensor) {
  const bool known = tensor >= 0 && static_cast<std::size_t>(tensor) < context.u8_scales.size();
  return known ? context.u8_scales[static_cast<std::size_t>(tensor)] : 0.f;
}

// The float one stored unit of the tensor stands for: its u8 scale in u8, 1 otherwise.
float unit_of(const Context& context, int tensor) {
  return stored_type(context, tensor) == StoredType::kU8 ? u8_scale(context, tensor) : 1.f;
}

// Records oneDNN's choice, and its silent fallback to a reference implementation.
template <typename PrimitiveDesc>
void note_implementation(Context& context, const OpDef& op, const PrimitiveDesc& pd) {
  const std::string implementation = pd.impl_info_str();
  ++context.implementations[implementation];
  if (implementation.rfind("ref", 0) == 0) {
    context.reference_implementations.push_back(op.label + ": " + implementation);
  }
}

// Wraps one of the executor's buffers; oneDNN takes non-const pointers even for inputs.
memory user_memory(Context::State& state, const memory::desc& md, const void* data) {
  return memory(md, state.engine, const_cast<void*>(data));
}

// Gathers one kernel's memories: a source the primitive takes in another type
// than the tensor is stored in gets a buffer of its own and a conversion.
class KernelBuilder {
 public:
  KernelBuilder(Context& context, const OpDef& op) : context_(context), op_(op) {}

  // `desc_of(type)`: the tensor's layout in a given type; `wanted_unit`: the
  // float one unit of the wanted type stands for (a u8 scale, else 1).
  template <typename DescOf>
  memory source(int tensor, const float* data, memory::data_type wanted, DescOf desc_of,
                float wanted_unit = 1.f) {
    Context::State& state = context_.state();
    const memory stored = user_memory(state, desc_of(type_of(context_, tensor)), data);
    const float unit = unit_of(context_, tensor);
    if (type_of(context_, tensor) == wanted && unit == wanted_unit) return stored;
    memory converted(desc_of(wanted), state.engine);
    dnnl::primitive_attr attr;
    if (unit != wanted_unit) attr.set_output_scales(0, {unit / wanted_unit});
    const dnnl::reorder::primitive_desc pd(stored, converted, attr);
    note_implementation(context_, op_, pd);
    steps_.push_back({dnnl::reorder(pd), {{DNNL_ARG_FROM, stored}, {DNNL_ARG_TO, converted}}});
    return converted;
  }

  // A step before the last, e.g. into a buffer of the kernel's own.
  void add(dnnl::primitive primitive, Arguments arguments) {
    steps_.push_back({std::move(primitive), std::move(arguments)});
  }

  std::unique_ptr<Kernel> finish(dnnl::primitive primitive, Arguments arguments) {
    add(std::move(primitive), std::move(arguments));
    return std::make_unique<PrimitiveKernel>(context_.state(), std::move(steps_));
  }

  // The operator as a loop of our own, run after the sources' conversions.
  std::unique_ptr<Kernel> finish(std::function<void()> own_loop) {
    return std::make_unique<PrimitiveKernel>(context_.state(), std::move(steps_),
                                             std::move(own_loop));
  }

 private:
  Context& context_;
  const OpDef& op_;
  std::vector<PrimitiveKernel::Step> steps_;
};

// oneDNN's logical dims are N, C, H, W whatever the memory layout.
Dims nchw_dims(const std::vector<int>& nhwc) {
  return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

memory::desc nhwc_desc(const std::vector<int>& nhwc,
                       memory::data_type type = memory::data_type::f32) {
  return {nchw_dims(nhwc), type, memory::format_tag::nhwc};
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

// The fused activation as an eltwise post-op (oneDNN has every TFLite one).
void append_activation(Activation activation, dnnl::post_ops& post_ops) {
  switch (activation) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case Activation::kRelu6:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      break;
    case Activation::kReluN1To1:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, -1.f, 1.f);
      break;
    case Activation::kTanh:
      post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f);
      break;
  }
}

// The model's weights copied, once at load, into the layout (and type) the primitive wants.
memory packed_weights(Context::State& state, const memory::desc& wanted, const memory::desc& given,
                      const void* data) {
  memory packed(wanted, state.engine);
  memory user = user_memory(state, given, data);
  dnnl::reorder(user, packed).execute(state.stream, user, packed);
  state.stream.wait();
  return packed;
}

// The type float convolutions (and transposed ones) take their sources and
// weights in: bf16 in bf16, float32 otherwise (int8 is decided per operator).
memory::data_type float_convolution_type(const Context& context) {
  return context.precision == CpuPrecision::kBf16 ? memory::data_type::bf16
                                                  : memory::data_type::f32;
}

// Symmetric per-output-channel int8 weights: each channel's largest |w| maps
// to 127. `channel_of(i)`: the output channel of the filter's element i.
struct QuantizedWeights {
  std::vector<std::int8_t> values;
  std::vector<float> scales;  // per output channel: the float one step stands for
};
template <typename ChannelOf>
QuantizedWeights quantize_weights(std::span<const float> filter, int channels,
                                  ChannelOf channel_of) {
  QuantizedWeights q{std::vector<std::int8_t>(filter.size()), std::vector<float>(channels, 0.f)};
  for (std::size_t i = 0; i < filter.size(); ++i) {
    float& largest = q.scales[static_cast<std::size_t>(channel_of(i))];
    largest = std::max(largest, std::abs(filter[i]));
  }
  for (float& scale : q.scales) scale = scale > 0 ? scale / 127.f : 1.f;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    q.values[i] = static_cast<std::int8_t>(
        std::lround(filter[i] / q.scales[static_cast<std::size_t>(channel_of(i))]));
  }
  return q;
}

// What an int8 convolution needs beyond its primitive: its weights in s8,
// the per-channel output scales (source unit x weight step / destination
// unit) and the bias in the accumulator's units, as oneDNN 2.x adds it
// before scaling.
struct Int8Convolution {
  QuantizedWeights weights;
  std::vector<float> output_scales;
  std::vector<float> bias;
};
Int8Convolution int8_convolution(QuantizedWeights weights, float source_unit,
                                 float destination_unit, const float* bias) {
  Int8Convolution q{std::move(weights), {}, {}};
  for (std::size_t c = 0; c < q.weights.scales.size(); ++c) {
    const float accumulator_unit = source_unit * q.weights.scales[c];
    q.output_scales.push_back(accumulator_unit / destination_unit);
    q.bias.push_back(bias ? bias[c] / accumulator_unit : 0.f);
  }
  return q;
}

// CONV_2D (filter OHWI) and DEPTHWISE_CONV_2D (filter [1, kh, kw, C*multiplier])
// as one grouped convolution: depthwise is groups = C, multiplier outputs
// each. In int8 the weights are quantized here, and the kernel owns them and
// the rescaled bias.
std::unique_ptr<Kernel> convolution(Context& context, const ModelDef& model, const OpDef& op,
                                    std::span<const float* const> inputs,
                                    std::span<float* const> outputs, const FoldedPadding* folded) {
  const int source = folded ? folded->source_tensor : op.inputs[0];
  const auto& in = model.tensors[source].shape;
  const auto& filter = model.tensors[op.inputs[1]];
  const auto& out = model.tensors[op.outputs[0]].shape;
  const bool depthwise = op.type == OpType::kDepthwiseConv2d;
  const int kh = filter.shape[1], kw = filter.shape[2];
  const int in_c = in[3], out_c = out[3];
  const std::array<int, 1> reads = {source};
  const bool int8 = computes_in_int8(context, model, op, reads);
  const memory::data_type source_type =
      int8 ? memory::data_type::u8 : float_convolution_type(context);
  const memory::data_type weights_type = int8 ? memory::data_type::s8 : source_type;
  const float source_unit = int8 ? u8_scale(context, source) : 1.f;

  // The model's filter in its own layout, as floats or quantized.
  const auto user_weights = [&](memory::data_type type) {
    const int multiplier = out_c / in_c;
    // dims (groups, out per group, in per group, kh, kw) over TFLite's [1, kh, kw, C*m]
    return depthwise ? memory::desc({in_c, multiplier, 1, kh, kw}, type,
                                    Dims{multiplier, 1, 1, kw * out_c, out_c})
                     : memory::desc({out_c, in_c, kh, kw}, type, memory::format_tag::ohwi);
  };
  const memory::desc any_weights(user_weights(weights_type).dims(), weights_type,
                                 memory::format_tag::any);
  const memory::desc bias_md({out_c}, memory::data_type::f32, memory::format_tag::x);
  const Padding2d pad =
      folded ? Padding2d{{folded->top, folded->left}, {folded->bottom, folded->right}}
             : padding_of(op, in, out, kh, kw);
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;

  std::optional<Int8Convolution> quantized;
  if (int8) {
    const std::size_t taps = std::size_t(kh) * kw * (depthwise ? 1 : in_c);
    const std::span<const float> values(inputs[1],
                                        static_cast<std::size_t>(filter.element_count()));
    QuantizedWeights weights =
        depthwise ? quantize_weights(values, out_c, [&](std::size_t i) { return i % out_c; })
                  : quantize_weights(values, out_c, [&](std::size_t i) { return i / taps; });
    quantized = int8_convolution(std::move(weights), source_unit, unit_of(context, op.outputs[0]),
                                 has_bias ? inputs[2] : nullptr);
  }

  dnnl::post_ops post_ops;
  append_activation(op.activation, post_ops);
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  if (quantized) attr.set_output_scales(1 << 1, quantized->output_scales);  // per channel of dst
  const memory::desc source_md = nhwc_desc(in, source_type);
  const memory::desc destination_md = nhwc_desc(out, type_of(context, op.outputs[0]));
  const dnnl::convolution_forward::desc desc =
      has_bias ? dnnl::convolution_forward::desc(
                     dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                     source_md, any_weights, bias_md, destination_md, {op.stride_h, op.stride_w},
                     {op.dilation_h - 1, op.dilation_w - 1}, pad.before, pad.after)
               : dnnl::convolution_forward::desc(
                     dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                     source_md, any_weights, destination_md, {op.stride_h, op.stride_w},
                     {op.dilation_h - 1, op.dilation_w - 1}, pad.before, pad.after);
  auto& state = context.state();
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, state.engine);
  note_implementation(context, op, pd);

  const memory weights =
      quantized ? packed_weights(state, pd.weights_desc(), user_weights(memory::data_type::s8),
                                 quantized->weights.values.data())
                : packed_weights(state, pd.weights_desc(), user_weights(memory::data_type::f32),
                                 inputs[1]);
  context.packed_constants.push_back(inputs[1]);

  KernelBuilder kernel(context, op);
  Arguments arguments = {
      {DNNL_ARG_SRC, kernel.source(
                         source, inputs[0], source_type,
                         [&](memory::data_type t) { return nhwc_desc(in, t); }, source_unit)},
      {DNNL_ARG_WEIGHTS, weights},
      {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])},
  };
  if (has_bias && quantized) {
    memory bias(bias_md, state.engine);
    std::copy(quantized->bias.begin(), quantized->bias.end(),
              static_cast<float*>(bias.get_data_handle()));
    arguments.emplace(DNNL_ARG_BIAS, bias);
    context.packed_constants.push_back(inputs[2]);
  } else if (has_bias) {
    arguments.emplace(DNNL_ARG_BIAS, user_memory(state, bias_md, inputs[2]));
  }
  return kernel.finish(dnnl::convolution_forward(pd), std::move(arguments));
}

// A primitive from one source to a destination of the same type, the
// output's, e.g. eltwise or resampling; `desc_of(type)` is the layout of the
// source, whose tensor is the operator's first input.
template <typename PrimitiveDesc, typename Primitive, typename DescOf>
std::unique_ptr<Kernel> unary_kernel(Context& context, const OpDef& op, const PrimitiveDesc& pd,
                                     DescOf source_desc_of, const float* source,
                                     float* destination) {
  note_implementation(context, op, pd);
  KernelBuilder kernel(context, op);
  return kernel.finish(
      Primitive(pd),
      {{DNNL_ARG_SRC, kernel.source(op.inputs[0], source, pd.dst_desc().data_type(), source_desc_of,
                                    unit_of(context, op.outputs[0]))},
       {DNNL_ARG_DST, user_memory(context.state(), pd.dst_desc(), destination)}});
}

memory::desc flat_desc(std::int64_t count, memory::data_type type) {
  return {{count}, type, memory::format_tag::a};
}

// LOGISTIC, RELU, HARD_SWISH: element-wise, so the layout is irrelevant.
std::unique_ptr<Kernel> eltwise(Context& context, const ModelDef& model, const OpDef& op,
                                std::span<const float* const> inputs,
                                std::span<float* const> outputs) {
  const dnnl::algorithm algorithm = op.type == OpType::kLogistic ? dnnl::algorithm::eltwise_logistic
                                    : op.type == OpType::kRelu   ? dnnl::algorithm::eltwise_relu
                                                               : dnnl::algorithm::eltwise_hardswish;
  const std::int64_t count = model.tensors[op.outputs[0]].element_count();
  const dnnl::eltwise_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, algorithm,
       flat_desc(count, type_of(context, op.outputs[0])), 0.f, 0.f},
      context.state().engine);
  return unary_kernel<dnnl::eltwise_forward::primitive_desc, dnnl::eltwise_forward>(
      context, op, pd, [&](memory::data_type t) { return flat_desc(count, t); }, inputs[0],
      outputs[0]);
}

// ---- PRELU: a loop of ours, in the type its output is stored in ----
//
// oneDNN 2.6's prelu primitive takes 0.6 ns an element on 16 channels (0.13
// on 128, 1 thread), several times this loop, and its prelu post-op sends
// convolutions and binaries to reference kernels. As a kernel of this layer
// rather than a reference one it keeps a bf16 model's activations in bf16 on
// both sides (the face model's 73 PReLUs otherwise cost two conversions
// each, a fifth of its bf16 time).

constexpr std::int64_t kLanes = 16;

// x >= 0 ? x : x * alpha on kLanes elements: one AVX-512 register, or four
// SSE ones. A bf16 is the upper half of a float32; it is stored rounded to
// nearest even, as oneDNN converts, and a NaN stays a NaN (rounding could
// carry its payload into the exponent, an infinity).
template <typename Stored>
[[gnu::always_inline]] inline void prelu16(const Stored* x, const float* alpha, Stored* out) {
  using Floats = float __attribute__((vector_size(kLanes * sizeof(float))));
  using Bits = std::uint32_t __attribute__((vector_size(kLanes * sizeof(std::uint32_t))));
  using Halves = std::uint16_t __attribute__((vector_size(kLanes * sizeof(std::uint16_t))));
  Floats v, a;
  std::memcpy(&a, alpha, sizeof a);
  if constexpr (std::is_same_v<Stored, float>) {
    std::memcpy(&v, x, sizeof v);
  } else {
    Halves halves;
    std::memcpy(&halves, x, sizeof halves);
    const Bits bits = __builtin_convertvector(halves, Bits) << 16;
    std::memcpy(&v, &bits, sizeof v);
  }
  const Floats result = v >= 0.0f ? v : v * a;
  if constexpr (std::is_same_v<Stored, float>) {
    std::memcpy(out, &result, sizeof result);
  } else {
    Bits bits;
    std::memcpy(&bits, &result, sizeof bits);
    const Bits rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const Bits quiet_nan = (bits >> 16) | 0x40u;
    const Halves halves = __builtin_convertvector(result != result ? quiet_nan : rounded, Halves);
    std::memcpy(out, &halves, sizeof halves);
  }
}

// The slopes repeated over a whole number of vectors (lcm(channels, 16)
// values), so that each vector of the flat tensor meets its slopes at one
// offset.
std::vector<float> repeated_slopes(std::span<const float> alpha) {
  const auto channels = static_cast<std::int64_t>(alpha.size());
  std::vector<float> repeated(static_cast<std::size_t>(std::lcm(channels, kLanes)));
  for (std::size_t i = 0; i < repeated.size(); ++i) repeated[i] = alpha[i % alpha.size()];
  return repeated;
}

// The flat tensor sixteen elements at a time; the last few through scratch.
template <typename Stored>
[[gnu::always_inline]] inline void prelu_loop(const Stored* x, std::span<const float> slopes,
                                              std::int64_t count, Stored* out) {
  const auto period = static_cast<std::int64_t>(slopes.size());
  std::int64_t i = 0, offset = 0;
  for (; i + kLanes <= count; i += kLanes) {
    prelu16(x + i, slopes.data() + offset, out + i);
    offset += kLanes;
    if (offset == period) offset = 0;  // not %: a division costs more than the rest
  }
  if (i == count) return;
  const auto rest = static_cast<std::size_t>(count - i);
  Stored in_scratch[kLanes] = {}, out_scratch[kLanes];
  std::copy_n(x + i, rest, in_scratch);
  prelu16(in_scratch, slopes.data() + offset, out_scratch);
  std::copy_n(out_scratch, rest, out + i);
}

// Built for AVX-512 too, picked at load by the CPU (GCC's function clones).
[[gnu::target_clones("avx512f", "default")]] void prelu_float32(const float* x,
                                                                std::span<const float> slopes,
                                                                std::int64_t count, float* out) {
  prelu_loop(x, slopes, count, out);
}
[[gnu::target_clones("avx512f", "default")]] void prelu_bf16(const std::uint16_t* x,
                                                             std::span<const float> slopes,
                                                             std::int64_t count,
                                                             std::uint16_t* out) {
  prelu_loop(x, slopes, count, out);
}

// The models' form: alpha a constant [1, ..., 1, C] over an input whose last
// axis is C.
bool prelu_per_channel_form(const ModelDef& model, const OpDef& op) {
  const auto& x = model.tensors[op.inputs[0]].shape;
  const TensorDef& alpha = model.tensors[op.inputs[1]];
  return !x.empty() && model.tensors[op.outputs[0]].shape == x && alpha.is_constant &&
         !alpha.shape.empty() && alpha.shape.back() == x.back() &&
         std::all_of(alpha.shape.begin(), alpha.shape.end() - 1, [](int d) { return d == 1; });
}

std::unique_ptr<Kernel> prelu(Context& context, const ModelDef& model, const OpDef& op,
                              std::span<const float* const> inputs,
                              std::span<float* const> outputs) {
  const std::int64_t count = model.tensors[op.outputs[0]].element_count();
  const memory::data_type type = type_of(context, op.outputs[0]);
  KernelBuilder kernel(context, op);
  const memory source = kernel.source(op.inputs[0], inputs[0], type,
                                      [&](memory::data_type t) { return flat_desc(count, t); });
  const auto channels = static_cast<std::size_t>(model.tensors[op.inputs[0]].shape.back());
  std::vector<float> slopes = repeated_slopes({inputs[1], channels});
  context.packed_constants.push_back(inputs[1]);
  void* x = source.get_data_handle();
  float* out = outputs[0];
  if (type == memory::data_type::bf16) {
    return kernel.finish([x, out, count, slopes = std::move(slopes)] {
      prelu_bf16(static_cast<const std::uint16_t*>(x), slopes, count,
                 reinterpret_cast<std::uint16_t*>(out));
    });
  }
  return kernel.finish([x, out, count, slopes = std::move(slopes)] {
    prelu_float32(static_cast<const float*>(x), slopes, count, out);
  });
}

// Row-major dims of a TFLite shape, left-padded with 1s to `rank`.
Dims padded_dims(const std::vector<int>& shape, std::size_t rank) {
  Dims dims(rank - shape.size(), 1);
  dims.insert(dims.end(), shape.begin(), shape.end());
  return dims;
}

// Dense row-major layout of any rank.
memory::desc plain_desc(const Dims& dims, memory::data_type type) {
  Dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return {dims, type, strides};
}

// ADD and MUL's operands as oneDNN takes them: the full-size one first (oneDNN
// broadcasts its second source; both operations are commutative). Empty when
// the rank is beyond oneDNN's or both sides broadcast.
struct BinaryOperands {
  std::array<Dims, 2> dims;
  std::array<int, 2> order = {0, 1};  // which op input is oneDNN's source 0 and 1
};
std::optional<BinaryOperands> binary_operands(const ModelDef& model, const OpDef& op) {
  const auto& out_shape = model.tensors[op.outputs[0]].shape;
  const std::size_t rank = out_shape.size();
  if (rank == 0 || rank > 5) return std::nullopt;
  BinaryOperands operands{{padded_dims(model.tensors[op.inputs[0]].shape, rank),
                           padded_dims(model.tensors[op.inputs[1]].shape, rank)}};
  const Dims out = padded_dims(out_shape, rank);
  if (operands.dims[0] != out) {
    std::swap(operands.dims[0], operands.dims[1]);
    operands.order = {1, 0};
  }
  if (operands.dims[0] != out) return std::nullopt;
  return operands;
}

// ADD and MUL with TFLite broadcasting, as long as only one side broadcasts.
std::unique_ptr<Kernel> binary(Context& context, const ModelDef& model, const OpDef& op,
                               std::span<const float* const> inputs,
                               std::span<float* const> outputs) {
  const BinaryOperands operands = *binary_operands(model, op);
  const memory::data_type type = type_of(context, op.outputs[0]);
  const Dims out = padded_dims(model.tensors[op.outputs[0]].shape, operands.dims[0].size());
  dnnl::post_ops post_ops;
  append_activation(op.activation, post_ops);
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  auto& state = context.state();
  const dnnl::binary::primitive_desc pd(
      {op.type == OpType::kAdd ? dnnl::algorithm::binary_add : dnnl::algorithm::binary_mul,
       plain_desc(operands.dims[0], type), plain_desc(operands.dims[1], type),
       plain_desc(out, type)},
      attr, state.engine);
  note_implementation(context, op, pd);
  KernelBuilder kernel(context, op);
  Arguments arguments = {{DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])}};
  for (int side = 0; side < 2; ++side) {
    const int input = operands.order[side];
    arguments.emplace(DNNL_ARG_SRC_0 + side,
                      kernel.source(
                          op.inputs[input], inputs[input], type,
                          [&](memory::data_type t) { return plain_desc(operands.dims[side], t); },
                          unit_of(context, op.outputs[0])));
  }
  return kernel.finish(dnnl::binary(pd), std::move(arguments));
}

// MAX_POOL_2D and AVERAGE_POOL_2D; TFLite's average counts only cells inside
// the image, which is oneDNN's exclude-padding mode (count_include_pad: the
// include-padding mode).
std::unique_ptr<Kernel> pooling(Context& context, const ModelDef& model, const OpDef& op,
                                std::span<const float* const> inputs,
                                std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  const memory::data_type type = type_of(context, op.outputs[0]);
  dnnl::post_ops post_ops;
  append_activation(op.activation, post_ops);
  dnnl::primitive_attr attr;
  attr.set_post_ops(post_ops);
  const Padding2d pad = padding_of(op, in, out, op.filter_h, op.filter_w);
  const dnnl::pooling_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       op.type == OpType::kMaxPool2d ? dnnl::algorithm::pooling_max
       : op.count_include_pad        ? dnnl::algorithm::pooling_avg_include_padding
                                     : dnnl::algorithm::pooling_avg_exclude_padding,
       nhwc_desc(in, type),
       nhwc_desc(out, type),
       {op.stride_h, op.stride_w},
       {op.filter_h, op.filter_w},
       pad.before,
       pad.after},
      attr, context.state().engine);
  return unary_kernel<dnnl::pooling_forward::primitive_desc, dnnl::pooling_forward>(
      context, op, pd, [&](memory::data_type t) { return nhwc_desc(in, t); }, inputs[0],
      outputs[0]);
}

// RESIZE_BILINEAR with half-pixel centres is oneDNN's linear resampling; the
// other two TFLite conventions (align_corners, and neither) are not.
std::unique_ptr<Kernel> resize_bilinear(Context& context, const ModelDef& model, const OpDef& op,
                                        std::span<const float* const> inputs,
                                        std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  const memory::data_type type = type_of(context, op.outputs[0]);
  const dnnl::resampling_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_linear, nhwc_desc(in, type),
       nhwc_desc(out, type)},
      context.state().engine);
  return unary_kernel<dnnl::resampling_forward::primitive_desc, dnnl::resampling_forward>(
      context, op, pd, [&](memory::data_type t) { return nhwc_desc(in, t); }, inputs[0],
      outputs[0]);
}

// MediaPipe's Convolution2DTransposeBias (weights OHWI, bias), padded as
// transposed_total_padding says, half before.
struct TransposedGeometry {
  int kh, kw, total_h, total_w;
  // Stride equal to the kernel and no padding: each input cell fills a tile
  // of the output of its own, and the tiles cover the output exactly.
  bool tiled(const OpDef& op) const {
    return kh == op.stride_h && kw == op.stride_w && total_h == 0 && total_w == 0;
  }
};

TransposedGeometry transposed_geometry(const ModelDef& model, const OpDef& op) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& weights = model.tensors[op.inputs[1]].shape;
  return {weights[1], weights[2],
          transposed_total_padding(op.padding, in[1], weights[1], op.stride_h),
          transposed_total_padding(op.padding, in[2], weights[2], op.stride_w)};
}

// The general case as oneDNN's deconvolution, which scatters each input cell
// with the same, unflipped taps.
std::unique_ptr<Kernel> deconvolution(Context& context, const ModelDef& model, const OpDef& op,
                                      const TransposedGeometry& g,
                                      std::span<const float* const> inputs,
                                      std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const auto& out = model.tensors[op.outputs[0]].shape;
  const memory::data_type type = float_convolution_type(context);
  const memory::desc user_weights({out[3], in[3], g.kh, g.kw}, memory::data_type::f32,
                                  memory::format_tag::ohwi);
  const memory::desc bias_md({out[3]}, memory::data_type::f32, memory::format_tag::x);
  auto& state = context.state();
  const dnnl::deconvolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       dnnl::algorithm::deconvolution_direct,
       nhwc_desc(in, type),
       memory::desc(user_weights.dims(), type, memory::format_tag::any),
       bias_md,
       nhwc_desc(out, type_of(context, op.outputs[0])),
       {op.stride_h, op.stride_w},
       {g.total_h / 2, g.total_w / 2},
       {g.total_h - g.total_h / 2, g.total_w - g.total_w / 2}},
      state.engine);
  note_implementation(context, op, pd);
  const memory packed = packed_weights(state, pd.weights_desc(), user_weights, inputs[1]);
  context.packed_constants.push_back(inputs[1]);
  KernelBuilder kernel(context, op);
  return kernel.finish(
      dnnl::deconvolution_forward(pd),
      {{DNNL_ARG_SRC, kernel.source(op.inputs[0], inputs[0], type,
                                    [&](memory::data_type t) { return nhwc_desc(in, t); })},
       {DNNL_ARG_WEIGHTS, packed},
       {DNNL_ARG_BIAS, user_memory(state, bias_md, inputs[2])},
       {DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0])}});
}

// The tiled case as a 1x1 convolution to kh*kw*O channels (tile row, tile
// column, output channel), whose channels a strided copy spreads over each
// cell's tile. oneDNN's deconvolution pads O to 16 channels: on the selfie
// models' last layer (16 -> 1 channel, 2x2, stride 2) it took 0.65 ms, this
// 0.08 ms (fp32, one thread).
std::unique_ptr<Kernel> tiled_transposed_convolution(Context& context, const ModelDef& model,
                                                     const OpDef& op, const TransposedGeometry& g,
                                                     std::span<const float* const> inputs,
                                                     std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const int n = in[0], h = in[1], w = in[2], in_c = in[3];
  const int out_c = model.tensors[op.outputs[0]].shape[3];
  const int tile_channels = g.kh * g.kw * out_c;
  auto& state = context.state();
  const memory::desc bias_md({tile_channels}, memory::data_type::f32, memory::format_tag::x);
  memory bias_memory(bias_md, state.engine);
  float* bias = static_cast<float*>(bias_memory.get_data_handle());
  // OHWI's [o][a][b][i] as the 1x1 convolution's [(a, b, o)][i], and the bias per (a, b, o).
  std::vector<float> weights(static_cast<std::size_t>(tile_channels) * in_c);
  for (int o = 0; o < out_c; ++o) {
    for (int tap = 0; tap < g.kh * g.kw; ++tap) {
      const std::size_t channel = static_cast<std::size_t>(tap) * out_c + o;
      std::copy_n(inputs[1] + (static_cast<std::size_t>(o) * g.kh * g.kw + tap) * in_c, in_c,
                  weights.begin() + static_cast<std::ptrdiff_t>(channel * in_c));
      bias[channel] = inputs[2][o];
    }
  }
  const memory::data_type type = float_convolution_type(context);
  const memory::data_type out_type = type_of(context, op.outputs[0]);
  const memory::desc user_weights({tile_channels, in_c, 1, 1}, memory::data_type::f32,
                                  memory::format_tag::oihw);
  const memory::desc tiles_md = nhwc_desc({n, h, w, tile_channels}, out_type);
  const dnnl::convolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       dnnl::algorithm::convolution_direct,
       nhwc_desc(in, type),
       memory::desc(user_weights.dims(), type, memory::format_tag::any),
       bias_md,
       tiles_md,
       {1, 1},
       {0, 0},
       {0, 0}},
      state.engine);
  note_implementation(context, op, pd);
  const memory packed = packed_weights(state, pd.weights_desc(), user_weights, weights.data());
  context.packed_constants.insert(context.packed_constants.end(), {inputs[1], inputs[2]});
  memory tiles(tiles_md, state.engine);

  // The same elements as (n, y, a, x, b, o), laid out as the convolution wrote
  // them and as the output holds them (row y*kh + a, column x*kw + b).
  const std::int64_t kh = g.kh, kw = g.kw, oc = out_c, row = std::int64_t{w} * kw * oc;
  const Dims dims = {n, h, kh, w, kw, oc};
  const memory::desc from(
      dims, out_type, Dims{h * w * kh * kw * oc, w * kh * kw * oc, kw * oc, kh * kw * oc, oc, 1});
  const memory::desc to(dims, out_type, Dims{h * kh * row, kh * row, row, kw * oc, oc, 1});
  const dnnl::reorder::primitive_desc spread(state.engine, from, state.engine, to);
  note_implementation(context, op, spread);

  KernelBuilder kernel(context, op);
  memory source = kernel.source(op.inputs[0], inputs[0], type,
                                [&](memory::data_type t) { return nhwc_desc(in, t); });
  kernel.add(dnnl::convolution_forward(pd), {{DNNL_ARG_SRC, source},
                                             {DNNL_ARG_WEIGHTS, packed},
                                             {DNNL_ARG_BIAS, bias_memory},
                                             {DNNL_ARG_DST, tiles}});
  return kernel.finish(dnnl::reorder(spread),
                       {{DNNL_ARG_FROM, memory(from, state.engine, tiles.get_data_handle())},
                        {DNNL_ARG_TO, user_memory(state, to, outputs[0])}});
}

std::unique_ptr<Kernel> transposed_convolution(Context& context, const ModelDef& model,
                                               const OpDef& op,
                                               std::span<const float* const> inputs,
                                               std::span<float* const> outputs) {
  const TransposedGeometry g = transposed_geometry(model, op);
  return g.tiled(op) ? tiled_transposed_convolution(context, model, op, g, inputs, outputs)
                     : deconvolution(context, model, op, g, inputs, outputs);
}

// MEAN over height and width of an NHWC tensor (global average pooling, the
// only MEAN these models have) as one average-pooling window: oneDNN's
// reduction primitive has only a reference implementation.
std::unique_ptr<Kernel> spatial_mean(Context& context, const ModelDef& model, const OpDef& op,
                                     std::span<const float* const> inputs,
                                     std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const std::vector<int> pooled = {in[0], 1, 1, in[3]};  // same bytes as [N,C] or [N,1,1,C]
  const memory::data_type type = type_of(context, op.outputs[0]);
  const dnnl::pooling_forward::primitive_desc pd({dnnl::prop_kind::forward_inference,
                                                  dnnl::algorithm::pooling_avg_exclude_padding,
                                                  nhwc_desc(in, type),
                                                  nhwc_desc(pooled, type),
                                                  {1, 1},
                                                  {in[1], in[2]},
                                                  {0, 0},
                                                  {0, 0}},
                                                 context.state().engine);
  return unary_kernel<dnnl::pooling_forward::primitive_desc, dnnl::pooling_forward>(
      context, op, pd, [&](memory::data_type t) { return nhwc_desc(in, t); }, inputs[0],
      outputs[0]);
}

// CONCATENATION without a fused activation, on dense row-major buffers: the
// logical dims are TFLite's own, so the axis carries over unchanged.
std::unique_ptr<Kernel> concatenation(Context& context, const ModelDef& model, const OpDef& op,
                                      std::span<const float* const> inputs,
                                      std::span<float* const> outputs) {
  const auto& out = model.tensors[op.outputs[0]].shape;
  const int rank = static_cast<int>(out.size());
  const memory::data_type type = type_of(context, op.outputs[0]);
  KernelBuilder kernel(context, op);
  std::vector<memory::desc> sources;
  Arguments arguments;
  for (std::size_t i = 0; i < op.inputs.size(); ++i) {
    const Dims dims = padded_dims(model.tensors[op.inputs[i]].shape, rank);
    sources.push_back(plain_desc(dims, type));
    arguments.emplace(
        DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
        kernel.source(
            op.inputs[i], inputs[i], type, [&](memory::data_type t) { return plain_desc(dims, t); },
            unit_of(context, op.outputs[0])));
  }
  auto& state = context.state();
  const dnnl::concat::primitive_desc pd(plain_desc(padded_dims(out, rank), type),
                                        op.axis < 0 ? op.axis + rank : op.axis, sources,
                                        state.engine);
  note_implementation(context, op, pd);
  arguments.emplace(DNNL_ARG_DST, user_memory(state, pd.dst_desc(), outputs[0]));
  return kernel.finish(dnnl::concat(pd), std::move(arguments));
}

// ---- PAD of the last axis: the channel padding of MediaPipe's residual blocks ----

// A PAD (zeros) of the last axis only, before and after; the spatial PADs
// before VALID convolutions are folded into them instead (nn/model.cpp).
bool pads_last_axis_only(const ModelDef& model, const OpDef& op) {
  if (op.inputs.size() != 2) return false;
  const std::size_t rank = model.tensors[op.inputs[0]].shape.size();
  const std::vector<std::int64_t>& p = model.tensors[op.inputs[1]].ints;  // [rank, 2]
  return rank > 0 && p.size() == 2 * rank &&
         std::all_of(p.begin(), p.end() - 2, [](std::int64_t v) { return v == 0; }) &&
         p[2 * rank - 2] >= 0 && p[2 * rank - 1] >= 0;
}

// Each row of the last axis copied between runs of zeros, in the type the
// tensors are stored in: in bf16 the tensors around a PAD stay bf16 (the
// reference kernel made them float32, two conversions each). A loop of
// ours: oneDNN's concat of the row with zero blocks took twice as long.
std::unique_ptr<Kernel> pad_last_axis(Context& context, const ModelDef& model, const OpDef& op,
                                      std::span<const float* const> inputs,
                                      std::span<float* const> outputs) {
  const auto& in = model.tensors[op.inputs[0]].shape;
  const std::vector<std::int64_t>& p = model.tensors[op.inputs[1]].ints;
  const memory::data_type type = type_of(context, op.outputs[0]);
  const std::size_t element = memory::data_type_size(type);
  const std::size_t before = static_cast<std::size_t>(p[p.size() - 2]) * element;
  const std::size_t row = static_cast<std::size_t>(in.back()) * element;
  const std::size_t after = static_cast<std::size_t>(p.back()) * element;
  const std::int64_t count = model.tensors[op.inputs[0]].element_count();
  const std::int64_t rows = in.back() == 0 ? 0 : count / in.back();
  KernelBuilder kernel(context, op);
  const memory source = kernel.source(op.inputs[0], inputs[0], type,
                                      [&](memory::data_type t) { return flat_desc(count, t); });
  const auto* x = static_cast<const std::uint8_t*>(source.get_data_handle());
  auto* out = reinterpret_cast<std::uint8_t*>(outputs[0]);
  return kernel.finish([=] {
    std::uint8_t* o = out;
    for (std::int64_t r = 0; r < rows; ++r) {
      std::memset(o, 0, before);  // zero bits: 0 in float32 and in bf16
      std::memcpy(o + before, x + static_cast<std::size_t>(r) * row, row);
      std::memset(o + before + row, 0, after);
      o += before + row + after;
    }
  });
}

bool rank_is(const ModelDef& model, int tensor, std::size_t rank) {
  return model.tensors[tensor].shape.size() == rank;
}

}  // namespace

bool computes_in_int8(const Context& context, const ModelDef& model, const OpDef& op,
                      std::span<const int> reads) {
  if (context.precision != CpuPrecision::kInt8 || !handles(model, op)) return false;
  const auto has_u8_scale = [&](int t) { return u8_scale(context, t) > 0; };
  switch (op.type) {
    case OpType::kConv2d:
    case OpType::kDepthwiseConv2d:
    case OpType::kMaxPool2d:
    case OpType::kAveragePool2d:
      return has_u8_scale(reads[0]);
    case OpType::kConcatenation:
      return std::all_of(reads.begin(), reads.end(), has_u8_scale);
    default:
      return false;
  }
}

bool handles(const ModelDef& model, const OpDef& op) {
  const bool nhwc_in_and_out = rank_is(model, op.inputs[0], 4) && rank_is(model, op.outputs[0], 4);
  switch (op.type) {
    case OpType::kConv2d:
    case OpType::kDepthwiseConv2d:
      return nhwc_in_and_out && rank_is(model, op.inputs[1], 4);
    case OpType::kMaxPool2d:
    case OpType::kAveragePool2d:
      return nhwc_in_and_out;
    case OpType::kLogistic:
    case OpType::kRelu:
    case OpType::kHardSwish:
    case OpType::kConvolution2DTransposeBias:
      return true;
    case OpType::kAdd:
    case OpType::kMul:
      return binary_operands(model, op).has_value();
    case OpType::kPrelu:
      return prelu_per_channel_form(model, op);
    case OpType::kResizeBilinear:
      return op.half_pixel_centers && !op.align_corners && rank_is(model, op.inputs[0], 4);
    case OpType::kMean:
      return rank_is(model, op.inputs[0], 4) &&
             model.tensors[op.inputs[1]].ints == std::vector<std::int64_t>{1, 2};
    case OpType::kConcatenation:
      return op.activation == Activation::kNone;
    case OpType::kPad:
      return pads_last_axis_only(model, op);
    default:
      return false;
  }
}

std::unique_ptr<Kernel> make_onednn_kernel(Context& context, const ModelDef& model, const OpDef& op,
                                           std::span<const float* const> inputs,
                                           std::span<float* const> outputs,
                                           const FoldedPadding* folded) {
  if (!handles(model, op)) return nullptr;
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
    case OpType::kPrelu:
      return prelu(context, model, op, inputs, outputs);
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
    case OpType::kPad:
      return pad_last_axis(context, model, op, inputs, outputs);
    default:
      return nullptr;
  }
}

}  // namespace signprep::nn::onednn
