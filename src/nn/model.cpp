#include "nn/model.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "core/error.h"
#include "nn/aligned_floats.h"
#include "nn/kernel.h"
#include "nn/memory_plan.h"
#include "nn/model_def.h"
#include "nn/omp_threads_scope.h"
#include "nn/onednn/onednn_kernels.h"
#include "nn/ops/reference/reference_ops.h"
#include "nn/tflite/tflite_reader.h"

namespace signprep::nn {
namespace {

// Where a tensor's data lives at run time.
enum class Storage { kConstant, kOwnBuffer, kArena, kAbsent };

std::string op_name(const OpDef& op) {
  return op.label.substr(0, op.label.find(" #"));
}

std::int64_t multiply_accumulates(const ModelDef& model, const OpDef& op) {
  const auto& output = model.tensors[op.outputs[0]];
  const auto element_count = [&](int input) {
    return model.tensors[op.inputs[input]].element_count();
  };
  const auto dim = [&](int input, int d) { return model.tensors[op.inputs[input]].shape[d]; };
  switch (op.type) {
    case OpType::kConv2d:  // filter [out, kh, kw, in]
      return output.element_count() * dim(1, 1) * dim(1, 2) * dim(1, 3);
    case OpType::kDepthwiseConv2d:  // filter [1, kh, kw, channels]
      return output.element_count() * dim(1, 1) * dim(1, 2);
    case OpType::kFullyConnected:  // weights [out, in]
      return output.element_count() * dim(1, 1);
    case OpType::kConvolution2DTransposeBias:  // each input value meets kh*kw*out weights
      return element_count(0) * dim(1, 0) * dim(1, 1) * dim(1, 2);
    default:
      return 0;
  }
}

// An operator the optimised backends leave to the plain C++ kernels.
class ReferenceKernel final : public Kernel {
 public:
  ReferenceKernel(const ModelDef& model, const OpDef& op, std::vector<const float*> inputs,
                  std::vector<float*> outputs)
      : model_(model), op_(op), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}
  void run() override { reference::run_op(model_, op_, inputs_, outputs_); }

 private:
  const ModelDef& model_;
  const OpDef& op_;
  std::vector<const float*> inputs_;
  std::vector<float*> outputs_;
};

}  // namespace

std::int64_t TensorInfo::element_count() const {
  return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

struct Model::Impl {
  ModelDef def;
  ModelOptions options;
  std::vector<TensorInfo> inputs, outputs;
  AlignedFloats arena;
  std::vector<AlignedFloats> own_buffers;  // graph inputs and outputs
  std::vector<float*> tensor_data;         // per tensor; nullptr when absent
  // Per op: the tensors it reads when it runs (a folded PAD's consumer reads
  // the PAD's input), the padding folded into it, and whether it was folded
  // away itself.
  std::vector<std::vector<int>> reads;
  std::vector<std::optional<onednn::FoldedPadding>> folded;
  std::vector<bool> folded_away;
  onednn::Context onednn;
  struct Step {
    std::size_t op;
    std::unique_ptr<Kernel> kernel;
  };
  std::vector<Step> steps;            // in execution order
  std::vector<bool> output_computed;  // per model output

  void drop_unread_outputs();
  void fold_pads();
  void choose_storage();
  void choose_bf16_tensors();
  void choose_int8_tensors();
  void plan();
  void bind();
};

// Keeps only the operators that lead to an output in options.outputs_read
// (walking back from those outputs), and frees the weights only the others
// read.
void Model::Impl::drop_unread_outputs() {
  output_computed.assign(def.outputs.size(), options.outputs_read.empty());
  if (options.outputs_read.empty()) return;
  std::vector<bool> needed(def.tensors.size(), false);
  for (int i : options.outputs_read) {
    if (i < 0 || i >= static_cast<int>(def.outputs.size())) {
      throw Error(ErrorKind::kUsage, def.name + " has no output " + std::to_string(i));
    }
    output_computed[static_cast<std::size_t>(i)] = true;
    needed[static_cast<std::size_t>(def.outputs[static_cast<std::size_t>(i)])] = true;
  }
  std::vector<OpDef> kept;
  for (auto op = def.ops.rbegin(); op != def.ops.rend(); ++op) {
    const bool leads_to_output =
        std::any_of(op->outputs.begin(), op->outputs.end(), [&](int t) { return needed[t]; });
    if (!leads_to_output) continue;
    for (int t : op->inputs) {
      if (t >= 0) needed[static_cast<std::size_t>(t)] = true;
    }
    kept.push_back(std::move(*op));
  }
  def.ops.assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
  for (std::size_t t = 0; t < def.tensors.size(); ++t) {
    if (!needed[t] && def.tensors[t].is_constant) std::vector<float>().swap(def.tensors[t].values);
  }
}

// A PAD that only pads height and width and whose one consumer is a VALID
// convolution is done by that convolution's own zero padding: MediaPipe's
// nets put such a PAD before every stride-2 block, and folding saves a pass
// over the data.
void Model::Impl::fold_pads() {
  const std::size_t op_count = def.ops.size();
  reads.resize(op_count);
  folded.resize(op_count);
  folded_away.assign(op_count, false);
  std::vector<int> producer(def.tensors.size(), -1), consumers(def.tensors.size(), 0);
  for (std::size_t i = 0; i < op_count; ++i) {
    reads[i] = def.ops[i].inputs;
    for (int t : def.ops[i].outputs) producer[t] = static_cast<int>(i);
    for (int t : def.ops[i].inputs) {
      if (t >= 0) ++consumers[t];
    }
  }
  for (int t : def.outputs) ++consumers[t];
  for (std::size_t i = 0; i < op_count; ++i) {
    const OpDef& conv = def.ops[i];
    const bool valid_conv =
        (conv.type == OpType::kConv2d || conv.type == OpType::kDepthwiseConv2d) &&
        conv.padding == Padding::kValid;
    const int padded = conv.inputs[0];
    if (!valid_conv || producer[padded] < 0 || consumers[padded] != 1) continue;
    const OpDef& pad = def.ops[producer[padded]];
    if (pad.type != OpType::kPad) continue;
    const std::vector<std::int64_t>& p = def.tensors[pad.inputs[1]].ints;  // [4, 2]
    const bool spatial_only = p.size() == 8 && p[0] == 0 && p[1] == 0 && p[6] == 0 && p[7] == 0;
    if (!spatial_only || def.tensors[pad.inputs[0]].shape.size() != 4) continue;
    folded[i] = onednn::FoldedPadding{pad.inputs[0], int(p[2]), int(p[3]), int(p[4]), int(p[5])};
    reads[i][0] = pad.inputs[0];
    folded_away[producer[padded]] = true;
  }
}

// In bf16, a tensor that only oneDNN's operators write and read is stored in
// bf16: its producer writes it so and every reader takes it so, with no
// conversion. The model's inputs and outputs, and whatever a reference kernel
// touches, stay float32.
void Model::Impl::choose_bf16_tensors() {
  std::vector<onednn::StoredType>& stored = onednn.stored;
  // Ops run in order, so a tensor's producer comes before its readers: a
  // reader outside oneDNN clears what its producer set.
  for (std::size_t i = 0; i < def.ops.size(); ++i) {
    if (folded_away[i]) continue;
    const bool onednn_op = onednn::handles(def, def.ops[i]);
    for (int t : def.ops[i].outputs) {
      stored[t] = onednn_op ? onednn::StoredType::kBf16 : onednn::StoredType::kF32;
    }
    for (int t : reads[i]) {
      if (t >= 0 && !onednn_op) stored[t] = onednn::StoredType::kF32;
    }
  }
}

// Union-find over tensors: an int8 pooling or concatenation copies its
// sources' u8 values unchanged, so they and its output share one scale.
class ScaleGroups {
 public:
  explicit ScaleGroups(std::size_t tensors) : parent_(tensors) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  std::size_t root(std::size_t t) {
    while (parent_[t] != t) t = parent_[t] = parent_[parent_[t]];
    return t;
  }
  void join(std::size_t a, std::size_t b) { parent_[root(a)] = root(b); }

 private:
  std::vector<std::size_t> parent_;
};

// In int8, every tensor that is never negative (the output of a ReLU, and
// pools and concatenations of such) gets a u8 scale from its calibrated
// range: the largest value it took maps to 255. It is stored in u8 when its
// producer computes in int8 and only oneDNN's operators read it.
void Model::Impl::choose_int8_tensors() {
  const std::size_t tensor_count = def.tensors.size();
  std::vector<bool> never_negative(tensor_count, false);
  ScaleGroups groups(tensor_count);
  for (std::size_t i = 0; i < def.ops.size(); ++i) {
    if (folded_away[i]) continue;
    const OpDef& op = def.ops[i];
    const bool relu = op.activation == Activation::kRelu || op.activation == Activation::kRelu6;
    const bool copies_values = op.type == OpType::kMaxPool2d || op.type == OpType::kAveragePool2d ||
                               op.type == OpType::kConcatenation;
    const bool sources_never_negative = std::all_of(
        reads[i].begin(), reads[i].end(), [&](int t) { return t >= 0 && never_negative[t]; });
    const bool result =
        op.type == OpType::kRelu ||
        (relu && (op.type == OpType::kConv2d || op.type == OpType::kDepthwiseConv2d)) ||
        (copies_values && sources_never_negative);
    for (int t : op.outputs) never_negative[t] = result;
    if (copies_values && result) {
      for (int t : reads[i]) groups.join(t, op.outputs[0]);
    }
  }
  std::vector<float> group_range(tensor_count, 0.f);
  std::vector<bool> calibrated(tensor_count, false);
  for (std::size_t t = 0; t < tensor_count; ++t) {
    if (!never_negative[t]) continue;
    const auto range = options.activation_ranges.find(def.tensors[t].name);
    if (range == options.activation_ranges.end()) {
      throw Error(ErrorKind::kModel, def.name + ": int8 needs the calibrated range of " +
                                         def.tensors[t].name + ", which the calibration lacks");
    }
    calibrated[t] = true;
    float& largest = group_range[groups.root(t)];
    largest = std::max(largest, range->second);
  }
  onednn.u8_scales.assign(tensor_count, 0.f);
  for (std::size_t t = 0; t < tensor_count; ++t) {
    const float range = group_range[groups.root(t)];
    // A tensor that stayed zero on every calibration frame still needs a step.
    if (calibrated[t]) onednn.u8_scales[t] = (range > 0 ? range : 1.f) / 255.f;
  }
  std::vector<onednn::StoredType>& stored = onednn.stored;
  for (std::size_t i = 0; i < def.ops.size(); ++i) {
    if (folded_away[i]) continue;
    const OpDef& op = def.ops[i];
    const bool int8 = onednn::computes_in_int8(onednn, def, op, reads[i]);
    for (int t : op.outputs) {
      const bool u8 = int8 && onednn.u8_scales[t] > 0;
      stored[t] = u8 ? onednn::StoredType::kU8 : onednn::StoredType::kF32;
    }
    if (onednn::handles(def, op)) continue;
    for (int t : reads[i]) {
      if (t >= 0) stored[t] = onednn::StoredType::kF32;
    }
  }
}

void Model::Impl::choose_storage() {
  onednn.precision = options.precision;
  if (options.precision == CpuPrecision::kFp32) return;
  onednn.stored.assign(def.tensors.size(), onednn::StoredType::kF32);
  if (options.precision == CpuPrecision::kBf16) {
    choose_bf16_tensors();
  } else {
    choose_int8_tensors();
  }
  for (int t : def.inputs) onednn.stored[t] = onednn::StoredType::kF32;
  for (int t : def.outputs) onednn.stored[t] = onednn::StoredType::kF32;
}

void Model::Impl::plan() {
  const auto tensor_count = def.tensors.size();
  std::vector<Storage> storage(tensor_count, Storage::kAbsent);
  std::vector<TensorLifetime> lifetimes;
  std::vector<int> arena_slot(tensor_count, -1);
  for (std::size_t t = 0; t < tensor_count; ++t) {
    if (def.tensors[t].is_constant) storage[t] = Storage::kConstant;
  }
  for (int t : def.inputs) storage[t] = Storage::kOwnBuffer;
  for (std::size_t i = 0; i < def.outputs.size(); ++i) {
    if (output_computed[i]) storage[def.outputs[i]] = Storage::kOwnBuffer;
  }
  for (int op = 0; op < static_cast<int>(def.ops.size()); ++op) {
    if (folded_away[op]) continue;
    for (int t : def.ops[op].outputs) {
      if (storage[t] != Storage::kAbsent) continue;
      storage[t] = Storage::kArena;
      arena_slot[t] = static_cast<int>(lifetimes.size());
      const auto elements = static_cast<std::size_t>(def.tensors[t].element_count());
      const onednn::StoredType type =
          onednn.stored.empty() ? onednn::StoredType::kF32 : onednn.stored[t];
      const std::size_t per_float = type == onednn::StoredType::kU8     ? 4
                                    : type == onednn::StoredType::kBf16 ? 2
                                                                        : 1;
      lifetimes.push_back({(elements + per_float - 1) / per_float, op, op});  // in floats
    }
    for (int t : reads[op]) {
      if (t >= 0 && arena_slot[t] >= 0) lifetimes[arena_slot[t]].last_op = op;
    }
  }
  const MemoryPlan memory = plan_memory(lifetimes);
  arena.assign(memory.arena_size, 0.0f);

  tensor_data.assign(tensor_count, nullptr);
  for (std::size_t t = 0; t < tensor_count; ++t) {
    switch (storage[t]) {
      case Storage::kConstant:
        tensor_data[t] = def.tensors[t].values.data();
        break;
      case Storage::kOwnBuffer:
        own_buffers.emplace_back(def.tensors[t].element_count(), 0.0f);
        tensor_data[t] = own_buffers.back().data();
        break;
      case Storage::kArena:
        tensor_data[t] = arena.data() + memory.offsets[arena_slot[t]];
        break;
      case Storage::kAbsent:
        break;
    }
  }
}

// Weights that every op reading them copied into its primitive's own layout
// are not needed in the loader's layout any more (InceptionV3: 95 MB). Each
// goes as soon as its last reader has packed it, so that the loader's copy
// and the packed copy of a whole network never coexist: they made a
// worker's peak memory, at load.
class PackedConstantRelease {
 public:
  PackedConstantRelease(ModelDef& def, const std::vector<std::vector<int>>& reads,
                        const std::vector<bool>& folded_away, std::vector<float*>& tensor_data)
      : def_(def),
        tensor_data_(tensor_data),
        readers_(def.tensors.size(), 0),
        copies_(def.tensors.size(), 0) {
    for (std::size_t op = 0; op < def.ops.size(); ++op) {
      if (folded_away[op]) continue;
      for (int t : reads[op]) {
        if (t >= 0) ++readers_[static_cast<std::size_t>(t)];
      }
    }
    for (std::size_t t = 0; t < def.tensors.size(); ++t) {
      const TensorDef& tensor = def.tensors[t];
      if (tensor.is_constant && !tensor.values.empty()) tensor_of_[tensor.values.data()] = t;
    }
  }

  // An op's kernel was made and copied these constants.
  void packed(std::span<const float* const> constants) {
    for (const float* data : constants) {
      const auto found = tensor_of_.find(data);
      if (found == tensor_of_.end()) continue;
      const std::size_t t = found->second;
      if (++copies_[t] != readers_[t]) continue;
      std::vector<float>().swap(def_.tensors[t].values);
      tensor_data_[t] = nullptr;
      tensor_of_.erase(found);
    }
  }

 private:
  ModelDef& def_;
  std::vector<float*>& tensor_data_;
  std::vector<int> readers_, copies_;
  std::unordered_map<const float*, std::size_t> tensor_of_;
};

void Model::Impl::bind() {
  PackedConstantRelease release(def, reads, folded_away, tensor_data);
  for (std::size_t i = 0; i < def.ops.size(); ++i) {
    if (folded_away[i]) continue;
    const OpDef& op = def.ops[i];
    const std::size_t packed_before = onednn.packed_constants.size();
    std::vector<const float*> ins;
    for (int t : reads[i]) {
      // Integer constants (shapes, paddings) have no float data: kernels read their ints.
      if (t >= 0 && tensor_data[t] == nullptr && !def.tensors[t].is_constant) {
        throw Error(ErrorKind::kModel, def.name + ": " + op.label + ": input tensor " +
                                           std::to_string(t) + " is never computed");
      }
      ins.push_back(t >= 0 ? tensor_data[t] : nullptr);
    }
    std::vector<float*> outs;
    for (int t : op.outputs) outs.push_back(tensor_data[t]);
    const onednn::FoldedPadding* padding = folded[i] ? &*folded[i] : nullptr;
    std::unique_ptr<Kernel> kernel =
        onednn::make_onednn_kernel(onednn, def, op, ins, outs, padding);
    if (!kernel && padding) {
      throw std::logic_error(def.name + ": " + op.label + ": oneDNN refused a folded padding");
    }
    if (!kernel) {
      kernel = std::make_unique<ReferenceKernel>(def, op, std::move(ins), std::move(outs));
    }
    steps.push_back({i, std::move(kernel)});
    release.packed(std::span(onednn.packed_constants).subspan(packed_before));
  }
  for (int t : def.inputs) inputs.push_back({def.tensors[t].name, def.tensors[t].shape});
  for (int t : def.outputs) outputs.push_back({def.tensors[t].name, def.tensors[t].shape});
}

Model Model::load(const std::filesystem::path& path, const ModelOptions& options) {
  if (options.threads < 1) throw Error(ErrorKind::kUsage, "a model needs at least 1 thread");
  return build(load_tflite(path), options);
}

Model Model::build(ModelDef def, const ModelOptions& options) {
  if (options.threads < 1) throw Error(ErrorKind::kUsage, "a model needs at least 1 thread");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->def = std::move(def);
  for (const OpDef& op : impl->def.ops) reference::validate_op(impl->def, op);
  impl->drop_unread_outputs();
  impl->fold_pads();
  impl->choose_storage();
  impl->plan();
  const OmpThreadsScope threads(options.threads);
  impl->bind();
  // oneDNN's silent slow path: not an error (the results are right), but a
  // 100x slower operator must not go unnoticed. The tests fail on it.
  for (const std::string& slow : impl->onednn.reference_implementations) {
    std::cerr << "signprep: warning: " << impl->def.name << ": " << slow
              << " is oneDNN's reference kernel and will be slow\n";
  }
  return Model(std::move(impl));
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

const std::string& Model::name() const {
  return impl_->def.name;
}
const std::vector<TensorInfo>& Model::inputs() const {
  return impl_->inputs;
}
const std::vector<TensorInfo>& Model::outputs() const {
  return impl_->outputs;
}

ModelStats Model::stats() const {
  ModelStats stats;
  for (const OpDef& op : impl_->def.ops) {
    ++stats.op_counts[op_name(op)];
    stats.multiply_accumulates += multiply_accumulates(impl_->def, op);
  }
  stats.reference_implementations = impl_->onednn.reference_implementations;
  stats.implementations = impl_->onednn.implementations;
  stats.precision = impl_->options.precision;
  const std::vector<onednn::StoredType>& stored = impl_->onednn.stored;
  stats.bf16_tensors =
      static_cast<int>(std::count(stored.begin(), stored.end(), onednn::StoredType::kBf16));
  stats.u8_tensors =
      static_cast<int>(std::count(stored.begin(), stored.end(), onednn::StoredType::kU8));
  for (const TensorDef& tensor : impl_->def.tensors) {
    stats.loader_constant_bytes += static_cast<std::int64_t>(tensor.values.size() * sizeof(float));
  }
  return stats;
}

std::span<float> Model::input(int i) {
  const int t = impl_->def.inputs.at(i);
  return {impl_->tensor_data[t], static_cast<std::size_t>(impl_->def.tensors[t].element_count())};
}

std::span<const float> Model::output(int i) const {
  const int t = impl_->def.outputs.at(i);
  if (!impl_->output_computed[static_cast<std::size_t>(i)]) {
    throw std::logic_error(impl_->def.name + ": output " + std::to_string(i) +
                           " is not computed: the model was loaded without it");
  }
  return {impl_->tensor_data[t], static_cast<std::size_t>(impl_->def.tensors[t].element_count())};
}

void Model::run() {
  const auto start = std::chrono::steady_clock::now();
  // oneDNN parallelises with OpenMP, whose thread count belongs to the calling thread.
  omp_set_num_threads(impl_->options.threads);
  for (const auto& step : impl_->steps) step.kernel->run();
  if (impl_->options.run_clock) {
    impl_->options.run_clock->seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
}

void Model::measure_activation_ranges(std::map<std::string, float>& ranges) {
  if (impl_->options.precision != CpuPrecision::kFp32) {
    throw std::logic_error(impl_->def.name + ": activation ranges are measured in fp32");
  }
  omp_set_num_threads(impl_->options.threads);
  for (const auto& step : impl_->steps) {
    step.kernel->run();
    for (int t : impl_->def.ops[step.op].outputs) {
      const std::span<const float> values(
          impl_->tensor_data[t], static_cast<std::size_t>(impl_->def.tensors[t].element_count()));
      float& largest =
          ranges.try_emplace(impl_->def.tensors[t].name, -std::numeric_limits<float>::infinity())
              .first->second;
      largest = std::max(largest, *std::max_element(values.begin(), values.end()));
    }
  }
}

void Model::run_profiled(std::map<std::string, OpProfile>& by_op) {
  omp_set_num_threads(impl_->options.threads);
  for (const auto& step : impl_->steps) {
    const auto start = std::chrono::steady_clock::now();
    step.kernel->run();
    const OpDef& op = impl_->def.ops[step.op];
    OpProfile& profile = by_op[op_name(op)];
    profile.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    profile.multiply_accumulates += multiply_accumulates(impl_->def, op);
  }
}

}  // namespace signprep::nn
