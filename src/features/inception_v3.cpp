// The graph follows torchvision's models/inception.py (Inception3 and its
// InceptionA-E blocks) up to the global average pool: module names, channel
// counts, kernel shapes, strides and paddings are torchvision's, so the
// weights of its state dict (and timm's inception_v3.tv_in1k, which keeps the
// names) fit by name. Each BasicConv2d (conv without bias, BatchNorm with
// eps 0.001, ReLU) becomes one convolution with the batch norm folded into
// its weights and bias and the ReLU fused.
#include "features/inception_v3.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/error.h"
#include "features/inception_v3_graph.h"
#include "image/resize.h"
#include "nn/gpu_network.h"
#include "nn/model.h"
#include "nn/model_def.h"
#include "nn/padding.h"
#include "nn/safetensors.h"

namespace signprep::features {
namespace {

constexpr double kBatchNormEpsilon = 0.001;  // torchvision's BasicConv2d
constexpr int kChannels = 3;
constexpr std::size_t kFrameFloats =
    std::size_t{InceptionV3::kInputSide} * InceptionV3::kInputSide * kChannels;

const char* const kWhereWeightsComeFrom =
    " (signprep needs InceptionV3 weights as a safetensors file with torchvision's parameter "
    "names, e.g. timm's inception_v3.tv_in1k, or a torchvision .pth converted with "
    "scripts/pth_to_safetensors.py; see README.md, \"InceptionV3 weights\")";

// One BasicConv2d: output channels, kernel, stride, and torchvision's padding
// as TFLite's modes (its stride-1 paddings are all (k - 1) / 2, i.e. SAME).
struct ConvSpec {
  int out_channels;
  int kernel_h, kernel_w;
  int stride = 1;
  nn::Padding padding = nn::Padding::kSame;
};

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

// Builds the ModelDef for one batch size, reading each module's weights as
// it adds the module.
class GraphBuilder {
 public:
  GraphBuilder(const nn::SafetensorsFile& weights, int batch) : weights_(weights) {
    def_.name = "inception_v3";
    const int input =
        add_tensor({batch, InceptionV3::kInputSide, InceptionV3::kInputSide, kChannels}, "input");
    def_.inputs = {input};
  }

  int input() const { return def_.inputs[0]; }

  int conv(int x, const std::string& module, const ConvSpec& spec) {
    const std::vector<int> in = shape(x);
    const int in_channels = in[3];
    const std::vector<float> weight = tensor(
        module + ".conv.weight", {spec.out_channels, in_channels, spec.kernel_h, spec.kernel_w});
    const std::vector<std::int64_t> per_channel = {spec.out_channels};
    const std::vector<float> gamma = tensor(module + ".bn.weight", per_channel);
    const std::vector<float> beta = tensor(module + ".bn.bias", per_channel);
    const std::vector<float> mean = tensor(module + ".bn.running_mean", per_channel);
    const std::vector<float> variance = tensor(module + ".bn.running_var", per_channel);

    // BatchNorm in eval mode is y = x * scale + (beta - mean * scale) per
    // channel, scale = gamma / sqrt(var + eps): scale the filter, add a bias.
    const int taps = spec.kernel_h * spec.kernel_w;
    std::vector<float> filter(weight.size()), bias(spec.out_channels);
    for (int o = 0; o < spec.out_channels; ++o) {
      const double scale = gamma[o] / std::sqrt(double{variance[o]} + kBatchNormEpsilon);
      bias[o] = static_cast<float>(beta[o] - mean[o] * scale);
      // torch's OIHW to the executor's OHWI.
      for (int i = 0; i < in_channels; ++i) {
        for (int tap = 0; tap < taps; ++tap) {
          filter[(std::size_t(o) * taps + tap) * in_channels + i] =
              static_cast<float>(weight[(std::size_t(o) * in_channels + i) * taps + tap] * scale);
        }
      }
    }
    nn::OpDef op = new_op(nn::OpType::kConv2d, module);
    op.inputs = {x,
                 add_constant({spec.out_channels, spec.kernel_h, spec.kernel_w, in_channels},
                              std::move(filter), module + ".weight"),
                 add_constant({spec.out_channels}, std::move(bias), module + ".bias")};
    op.stride_h = op.stride_w = spec.stride;
    op.padding = spec.padding;
    op.activation = nn::Activation::kRelu;
    return add_op(std::move(op),
                  {in[0], nn::window_output_size(spec.padding, in[1], spec.kernel_h, spec.stride),
                   nn::window_output_size(spec.padding, in[2], spec.kernel_w, spec.stride),
                   spec.out_channels});
  }

  // F.max_pool2d(x, kernel_size=3, stride=2) and nn.MaxPool2d(3, 2).
  int max_pool(int x, const std::string& name) {
    nn::OpDef op = new_op(nn::OpType::kMaxPool2d, name);
    return add_pool(std::move(op), x, 2, nn::Padding::kValid);
  }

  // F.avg_pool2d(x, kernel_size=3, stride=1, padding=1): PyTorch counts the
  // zero padding in the average.
  int average_pool(int x, const std::string& name) {
    nn::OpDef op = new_op(nn::OpType::kAveragePool2d, name);
    op.count_include_pad = true;
    return add_pool(std::move(op), x, 1, nn::Padding::kSame);
  }

  // torch.cat(parts, 1) on NCHW is the channel axis, NHWC's last.
  int concat(const std::vector<int>& parts, const std::string& name) {
    nn::OpDef op = new_op(nn::OpType::kConcatenation, name);
    op.inputs = parts;
    op.axis = 3;
    std::vector<int> out = shape(parts[0]);
    out[3] = 0;
    for (int part : parts) out[3] += shape(part)[3];
    return add_op(std::move(op), out);
  }

  // AdaptiveAvgPool2d((1, 1)) and flatten: [N, H, W, C] -> [N, C].
  int global_average(int x) {
    nn::OpDef op = new_op(nn::OpType::kMean, "avgpool");
    const int axes = add_tensor({2}, "avgpool.axes");
    def_.tensors[axes].type = nn::TensorType::kInt32;
    def_.tensors[axes].ints = {1, 2};
    def_.tensors[axes].is_constant = true;
    op.inputs = {x, axes};
    return add_op(std::move(op), {shape(x)[0], shape(x)[3]});
  }

  nn::ModelDef finish(int output) && {
    def_.outputs = {output};
    return std::move(def_);
  }

 private:
  const std::vector<int>& shape(int t) const { return def_.tensors[t].shape; }

  int add_tensor(std::vector<int> shape, std::string name) {
    nn::TensorDef tensor;
    tensor.name = std::move(name);
    tensor.shape = std::move(shape);
    def_.tensors.push_back(std::move(tensor));
    return static_cast<int>(def_.tensors.size()) - 1;
  }

  int add_constant(std::vector<int> shape, std::vector<float> values, std::string name) {
    const int t = add_tensor(std::move(shape), std::move(name));
    def_.tensors[t].values = std::move(values);
    def_.tensors[t].is_constant = true;
    return t;
  }

  nn::OpDef new_op(nn::OpType type, const std::string& module) const {
    static constexpr std::pair<nn::OpType, const char*> kNames[] = {
        {nn::OpType::kConv2d, "CONV_2D"},
        {nn::OpType::kMaxPool2d, "MAX_POOL_2D"},
        {nn::OpType::kAveragePool2d, "AVERAGE_POOL_2D"},
        {nn::OpType::kConcatenation, "CONCATENATION"},
        {nn::OpType::kMean, "MEAN"}};
    nn::OpDef op;
    op.type = type;
    const auto* name = std::find_if(std::begin(kNames), std::end(kNames),
                                    [&](const auto& entry) { return entry.first == type; });
    op.label = std::string(name->second) + " #" + std::to_string(def_.ops.size()) + " " + module;
    return op;
  }

  int add_op(nn::OpDef op, std::vector<int> output_shape) {
    const int output = add_tensor(std::move(output_shape), op.label);
    op.outputs = {output};
    def_.ops.push_back(std::move(op));
    return output;
  }

  int add_pool(nn::OpDef op, int x, int stride, nn::Padding padding) {
    const std::vector<int> in = shape(x);
    op.inputs = {x};
    op.filter_h = op.filter_w = 3;
    op.stride_h = op.stride_w = stride;
    op.padding = padding;
    return add_op(std::move(op), {in[0], nn::window_output_size(padding, in[1], 3, stride),
                                  nn::window_output_size(padding, in[2], 3, stride), in[3]});
  }

  std::vector<float> tensor(const std::string& name, const std::vector<std::int64_t>& expected) {
    const nn::SafetensorsFile::Entry& entry = weights_.entry(name);
    if (entry.shape != expected) {
      throw Error(ErrorKind::kModel, weights_.name() + ": tensor " + name + " has shape " +
                                         shape_text(entry.shape) + ", InceptionV3 needs " +
                                         shape_text(expected));
    }
    return weights_.float32(name);
  }

  const nn::SafetensorsFile& weights_;
  nn::ModelDef def_;
};

int inception_a(GraphBuilder& g, int x, const std::string& m, int pool_features) {
  const int b1 = g.conv(x, m + ".branch1x1", {64, 1, 1});
  int b5 = g.conv(x, m + ".branch5x5_1", {48, 1, 1});
  b5 = g.conv(b5, m + ".branch5x5_2", {64, 5, 5});
  int b3 = g.conv(x, m + ".branch3x3dbl_1", {64, 1, 1});
  b3 = g.conv(b3, m + ".branch3x3dbl_2", {96, 3, 3});
  b3 = g.conv(b3, m + ".branch3x3dbl_3", {96, 3, 3});
  const int pool =
      g.conv(g.average_pool(x, m + ".avg_pool"), m + ".branch_pool", {pool_features, 1, 1});
  return g.concat({b1, b5, b3, pool}, m);
}

int inception_b(GraphBuilder& g, int x, const std::string& m) {
  const int b3 = g.conv(x, m + ".branch3x3", {384, 3, 3, 2, nn::Padding::kValid});
  int dbl = g.conv(x, m + ".branch3x3dbl_1", {64, 1, 1});
  dbl = g.conv(dbl, m + ".branch3x3dbl_2", {96, 3, 3});
  dbl = g.conv(dbl, m + ".branch3x3dbl_3", {96, 3, 3, 2, nn::Padding::kValid});
  return g.concat({b3, dbl, g.max_pool(x, m + ".max_pool")}, m);
}

int inception_c(GraphBuilder& g, int x, const std::string& m, int c7) {
  const int b1 = g.conv(x, m + ".branch1x1", {192, 1, 1});
  int b7 = g.conv(x, m + ".branch7x7_1", {c7, 1, 1});
  b7 = g.conv(b7, m + ".branch7x7_2", {c7, 1, 7});
  b7 = g.conv(b7, m + ".branch7x7_3", {192, 7, 1});
  int dbl = g.conv(x, m + ".branch7x7dbl_1", {c7, 1, 1});
  dbl = g.conv(dbl, m + ".branch7x7dbl_2", {c7, 7, 1});
  dbl = g.conv(dbl, m + ".branch7x7dbl_3", {c7, 1, 7});
  dbl = g.conv(dbl, m + ".branch7x7dbl_4", {c7, 7, 1});
  dbl = g.conv(dbl, m + ".branch7x7dbl_5", {192, 1, 7});
  const int pool = g.conv(g.average_pool(x, m + ".avg_pool"), m + ".branch_pool", {192, 1, 1});
  return g.concat({b1, b7, dbl, pool}, m);
}

int inception_d(GraphBuilder& g, int x, const std::string& m) {
  int b3 = g.conv(x, m + ".branch3x3_1", {192, 1, 1});
  b3 = g.conv(b3, m + ".branch3x3_2", {320, 3, 3, 2, nn::Padding::kValid});
  int b7 = g.conv(x, m + ".branch7x7x3_1", {192, 1, 1});
  b7 = g.conv(b7, m + ".branch7x7x3_2", {192, 1, 7});
  b7 = g.conv(b7, m + ".branch7x7x3_3", {192, 7, 1});
  b7 = g.conv(b7, m + ".branch7x7x3_4", {192, 3, 3, 2, nn::Padding::kValid});
  return g.concat({b3, b7, g.max_pool(x, m + ".max_pool")}, m);
}

// torchvision concatenates the 1x3 and 3x1 outputs of each split branch
// first, then the branches: one flat concatenation has the same order.
int inception_e(GraphBuilder& g, int x, const std::string& m) {
  const int b1 = g.conv(x, m + ".branch1x1", {320, 1, 1});
  const int b3 = g.conv(x, m + ".branch3x3_1", {384, 1, 1});
  const int b3a = g.conv(b3, m + ".branch3x3_2a", {384, 1, 3});
  const int b3b = g.conv(b3, m + ".branch3x3_2b", {384, 3, 1});
  int dbl = g.conv(x, m + ".branch3x3dbl_1", {448, 1, 1});
  dbl = g.conv(dbl, m + ".branch3x3dbl_2", {384, 3, 3});
  const int dbl_a = g.conv(dbl, m + ".branch3x3dbl_3a", {384, 1, 3});
  const int dbl_b = g.conv(dbl, m + ".branch3x3dbl_3b", {384, 3, 1});
  const int pool = g.conv(g.average_pool(x, m + ".avg_pool"), m + ".branch_pool", {192, 1, 1});
  return g.concat({b1, b3a, b3b, dbl_a, dbl_b, pool}, m);
}

}  // namespace

nn::ModelDef inception_v3_graph(const nn::SafetensorsFile& weights, int batch) {
  GraphBuilder g(weights, batch);
  int x = g.conv(g.input(), "Conv2d_1a_3x3", {32, 3, 3, 2, nn::Padding::kValid});
  x = g.conv(x, "Conv2d_2a_3x3", {32, 3, 3, 1, nn::Padding::kValid});
  x = g.conv(x, "Conv2d_2b_3x3", {64, 3, 3});
  x = g.max_pool(x, "maxpool1");
  x = g.conv(x, "Conv2d_3b_1x1", {80, 1, 1});
  x = g.conv(x, "Conv2d_4a_3x3", {192, 3, 3, 1, nn::Padding::kValid});
  x = g.max_pool(x, "maxpool2");
  x = inception_a(g, x, "Mixed_5b", 32);
  x = inception_a(g, x, "Mixed_5c", 64);
  x = inception_a(g, x, "Mixed_5d", 64);
  x = inception_b(g, x, "Mixed_6a");
  x = inception_c(g, x, "Mixed_6b", 128);
  x = inception_c(g, x, "Mixed_6c", 160);
  x = inception_c(g, x, "Mixed_6d", 160);
  x = inception_c(g, x, "Mixed_6e", 192);
  x = inception_d(g, x, "Mixed_7a");
  x = inception_e(g, x, "Mixed_7b");
  x = inception_e(g, x, "Mixed_7c");
  const int features = g.global_average(x);
  return std::move(g).finish(features);
}

std::vector<std::array<float, 256>> inception_v3_input_levels() {
  static constexpr double kMean[kChannels] = {0.485, 0.456, 0.406};
  static constexpr double kStd[kChannels] = {0.229, 0.224, 0.225};
  std::vector<std::array<float, 256>> levels(kChannels);
  for (int c = 0; c < kChannels; ++c) {
    const auto scale = static_cast<float>(kStd[c] / 0.5);
    const auto shift = static_cast<float>((kMean[c] - 0.5) / 0.5);
    for (int level = 0; level < 256; ++level) {
      const float unit = static_cast<float>(level) / 255.0f;
      const float normalized = (unit - static_cast<float>(kMean[c])) / static_cast<float>(kStd[c]);
      const float scaled = normalized * scale;
      levels[c][level] = scaled + shift;
    }
  }
  return levels;
}

namespace {

// The CPU networks: full batches on `batched`, the tail of a clip frame by
// frame on `single` (batch_size > 1).
struct CpuNetworks {
  nn::Model batched;
  std::optional<nn::Model> single;
};

}  // namespace

struct InceptionV3::Impl {
  CpuNetworks networks;
  int batch_size = 1;
  int queued = 0;  // frames waiting in the batched network's input
  std::vector<float> features;

  void add(const image::Image& resized) {
    normalize(resized.view(),
              networks.batched.input(0).subspan(queued * kFrameFloats, kFrameFloats));
    if (++queued == batch_size) run_queued();
  }

  // What is queued: a full batch in one run, a partial one through the
  // batch-1 network.
  void run_queued() {
    if (queued == 0) return;
    if (queued == batch_size) {
      networks.batched.run();
      keep(networks.batched.output(0));
    } else {
      const std::span<const float> input = networks.batched.input(0);
      for (int frame = 0; frame < queued; ++frame) {
        const auto source = input.subspan(frame * kFrameFloats, kFrameFloats);
        std::copy(source.begin(), source.end(), networks.single->input(0).begin());
        networks.single->run();
        keep(networks.single->output(0));
      }
    }
    queued = 0;
  }

  void keep(std::span<const float> out) { features.insert(features.end(), out.begin(), out.end()); }
};

namespace {

CpuNetworks load_cpu(const nn::SafetensorsFile& weights, const InceptionV3Options& options) {
  // The graphs copy the weights, and the models pack them again: each graph
  // goes as soon as its model is built.
  const nn::ModelOptions model_options{.threads = options.threads,
                                       .outputs_read = {},
                                       .precision = options.precision,
                                       .activation_ranges = options.activation_ranges,
                                       .run_clock = options.run_clock};
  CpuNetworks networks{
      nn::Model::build(inception_v3_graph(weights, options.batch_size), model_options), {}};
  if (options.batch_size > 1) {
    networks.single = nn::Model::build(inception_v3_graph(weights, 1), model_options);
  }
  return networks;
}

// Runs `load` on the weights file, adding to a weights error where such a
// file comes from.
template <typename Load>
auto with_weights(const std::filesystem::path& weights_path, Load&& load) {
  try {
    return load(nn::SafetensorsFile::load(weights_path));
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kModel) throw;
    throw Error(ErrorKind::kModel, error.what() + std::string(kWhereWeightsComeFrom));
  }
}

}  // namespace

std::unique_ptr<nn::GpuNetwork> load_inception_v3_on_gpu(const std::filesystem::path& weights,
                                                         int device, int batch,
                                                         nn::GpuPrecision precision) {
  if (batch < 1) throw Error(ErrorKind::kUsage, "batch size must be at least 1");
  return with_weights(weights, [&](const nn::SafetensorsFile& file) {
    return nn::load_gpu_network(
        inception_v3_graph(file, batch),
        {.device = device, .precision = precision, .input_levels = inception_v3_input_levels()});
  });
}

InceptionV3 InceptionV3::load(const std::filesystem::path& weights_path,
                              const InceptionV3Options& options) {
  if (options.batch_size < 1) throw Error(ErrorKind::kUsage, "batch size must be at least 1");
  if (options.threads < 1) throw Error(ErrorKind::kUsage, "InceptionV3 needs at least 1 thread");
  return InceptionV3(std::make_unique<Impl>(
      Impl{with_weights(weights_path,
                        [&](const nn::SafetensorsFile& file) { return load_cpu(file, options); }),
           options.batch_size,
           0,
           {}}));
}

std::map<std::string, float> InceptionV3::calibrate(const std::filesystem::path& weights_path,
                                                    std::span<const image::ImageView> frames) {
  nn::Model network = with_weights(weights_path, [](const nn::SafetensorsFile& file) {
    return nn::Model::build(inception_v3_graph(file, 1));
  });
  std::map<std::string, float> ranges;
  for (const image::ImageView& frame : frames) {
    normalize(image::resize_bilinear(frame, kInputSide, kInputSide).view(), network.input(0));
    network.measure_activation_ranges(ranges);
  }
  return ranges;
}

InceptionV3::InceptionV3(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InceptionV3::InceptionV3(InceptionV3&&) noexcept = default;
InceptionV3& InceptionV3::operator=(InceptionV3&&) noexcept = default;
InceptionV3::~InceptionV3() = default;

void InceptionV3::add(const image::ImageView& frame) {
  impl_->add(image::resize_bilinear(frame, kInputSide, kInputSide));
}

std::vector<float> InceptionV3::finish() {
  impl_->run_queued();
  return std::exchange(impl_->features, {});
}

void InceptionV3::clear() {
  impl_->queued = 0;
  impl_->features.clear();
}

int InceptionV3::batch_size() const {
  return impl_->batch_size;
}

nn::ModelStats InceptionV3::stats() const {
  return impl_->networks.batched.stats();
}

void InceptionV3::normalize(const image::ImageView& resized, std::span<float> input) {
  if (resized.width != kInputSide || resized.height != kInputSide || input.size() != kFrameFloats ||
      resized.order != image::ChannelOrder::kRgb) {
    throw std::invalid_argument("InceptionV3::normalize: needs a 299x299 RGB frame");
  }
  const std::vector<std::array<float, 256>> table = inception_v3_input_levels();
  std::size_t k = 0;
  for (int y = 0; y < kInputSide; ++y) {
    const std::uint8_t* row = resized.row(y);
    for (int x = 0; x < kInputSide * kChannels; ++x, ++k) input[k] = table[x % kChannels][row[x]];
  }
}

}  // namespace signprep::features
