// Reads subgraph 0 of a .tflite FlatBuffer into a ModelDef.
//
// Order of work: buffers and operator codes first (tensors and operators
// refer to them by index), then tensors (constant data decoded, except
// float16 and sparse data, which stay raw until the operator that converts
// them), then operators in execution order, folding DEQUANTIZE (float16 ->
// float32) and DENSIFY (sparse -> dense) into constant outputs.
//
// A corrupt file must not make the reader allocate or loop without bound:
// offsets only point forward and the schema has no recursion, so every walk
// is bounded by the file size, and everything decoded (tensor and operator
// records, shapes, indices, constant data) is charged to a DecodeBudget of
// 32x the file size (+ 64 MiB), which shared offsets (a thousand tensors
// naming one huge shape vector) would otherwise multiply. Real models use
// about 2x (float16 weights become float32); pose_detection, whose sparse
// weights expand, about 7x.
#include "nn/tflite/tflite_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string>

#include "core/error.h"
#include "nn/tflite/densify.h"
#include "nn/tflite/flatbuffer_view.h"
#include "nn/tflite/fp16.h"
#include "nn/tflite/op_options.h"
#include "nn/tflite/tflite_schema.h"

namespace signprep::nn {
namespace {

using namespace detail;
using namespace detail::schema;

constexpr int kSchemaVersion = 3;
// Tensors larger than this (8 GiB of float32) are not real for these models,
// and keeping counts in int32 range keeps every size computation exact.
constexpr std::int64_t kMaxTensorElements = std::numeric_limits<std::int32_t>::max();

struct TypeInfo {
  int code;
  TensorType type;
  std::size_t size;
};

constexpr std::array<TypeInfo, 7> kTypes = {{
    {kTypeFloat32, TensorType::kFloat32, 4},
    {kTypeFloat16, TensorType::kFloat16, 2},
    {kTypeInt32, TensorType::kInt32, 4},
    {kTypeInt64, TensorType::kInt64, 8},
    {kTypeInt8, TensorType::kInt8, 1},
    {kTypeUInt8, TensorType::kUInt8, 1},
    {kTypeBool, TensorType::kBool, 1},
}};

const TypeInfo& type_info(TensorType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return info;
  }
  throw std::logic_error("TensorType missing from kTypes");
}

std::string shape_text(const std::vector<int>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? "," : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

// Constant data that is not decoded yet: float16 weights (DEQUANTIZE decodes
// them) or sparse data (DENSIFY expands it).
struct RawConstant {
  std::span<const std::byte> data;
  FbTable sparsity;  // present: sparse
};

struct OperatorCode {
  int builtin = 0;
  std::string custom;
};

class ModelReader {
 public:
  explicit ModelReader(std::span<const std::byte> bytes)
      : buffer_(bytes), budget_(32 * std::uint64_t{bytes.size()} + (std::uint64_t{64} << 20)) {}

  ModelDef read(std::string_view name);

 private:
  FbTable root() const;
  FbTable only_subgraph(const FbTable& model) const;
  void read_buffers(const FbTable& model);
  void read_operator_codes(const FbTable& model);
  void read_tensors(const FbTable& subgraph);
  TensorDef read_tensor(const FbTable& table, std::size_t index);
  std::vector<int> read_shape(const FbTable& table);
  std::span<const std::byte> tensor_data(const FbTable& table);
  void read_operators(const FbTable& subgraph);
  void read_operator(const FbVector& operators, std::size_t index);
  OpDef make_op(const FbTable& table, OpType type, bool custom, const std::string& label);
  std::span<const std::byte> custom_options(const FbTable& table) const;
  std::vector<int> read_indices(const FbTable& table, Field field, bool allow_absent);
  void check_op_tensors(const OpDef& op);
  void mark_written(int index);

  void fold_dequantize(const std::vector<int>& inputs, const std::vector<int>& outputs);
  void fold_densify(const std::vector<int>& inputs, const std::vector<int>& outputs);
  TensorDef& fold_output(const std::vector<int>& inputs, const std::vector<int>& outputs);
  void decode_constant(TensorDef& tensor, TensorType stored, std::span<const std::byte> data);
  void charge(std::uint64_t bytes) { budget_.charge(bytes); }

  FbBuffer buffer_;
  DecodeBudget budget_;
  std::vector<std::span<const std::byte>> buffers_;
  std::vector<OperatorCode> codes_;
  std::vector<std::optional<RawConstant>> raw_;    // per tensor
  std::vector<std::vector<std::byte>> densified_;  // storage for densified float16 data
  std::vector<bool> written_;                      // per tensor: an operator's output
  ModelDef model_;
};

FbTable ModelReader::root() const {
  // uoffset to the root table, then the 4-byte file identifier.
  if (buffer_.size() < 8) {
    format_fail("too short for a TFLite model (" + std::to_string(buffer_.size()) + " bytes)");
  }
  const auto id = buffer_.bytes(4, 4);
  if (std::memcmp(id.data(), kFileIdentifier, 4) != 0) {
    format_fail("not a TFLite model (no TFL3 file identifier)");
  }
  const FbTable model(buffer_, buffer_.follow(0));
  const auto version = model.scalar<std::uint32_t>(kModelVersion, 0);
  if (version != kSchemaVersion) {
    format_fail("schema version " + std::to_string(version) + ", expected " +
                std::to_string(kSchemaVersion));
  }
  return model;
}

FbTable ModelReader::only_subgraph(const FbTable& model) const {
  const FbVector subgraphs = model.vector(kModelSubgraphs, 4);
  if (subgraphs.empty()) format_fail("no subgraphs");
  // Control flow (IF, WHILE, CALL) is what needs more than one.
  if (subgraphs.size() > 1) {
    format_fail(std::to_string(subgraphs.size()) +
                " subgraphs; only single-subgraph models are supported");
  }
  return with_context("subgraph 0", [&] { return table_at(subgraphs, 0); });
}

void ModelReader::read_buffers(const FbTable& model) {
  const FbVector buffers = model.vector(kModelBuffers, 4);
  charge(buffers.size() * sizeof(std::span<const std::byte>));
  buffers_.reserve(buffers.size());
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    with_context("buffer " + std::to_string(i), [&] {
      const FbTable buffer = table_at(buffers, i);
      // Models over 2 GB keep data outside the FlatBuffer: offset (> 1, from
      // the start of the file) and size replace `data`.
      const auto offset = buffer.scalar<std::uint64_t>(kBufferOffset, 0);
      if (offset > 1) {
        const auto size = buffer.scalar<std::uint64_t>(kBufferSize, 0);
        buffer_.check_range(offset, size, "external data");
        buffers_.push_back(buffer_.bytes(offset, size));
      } else {
        buffers_.push_back(buffer.vector(kBufferData, 1).bytes());
      }
    });
  }
}

void ModelReader::read_operator_codes(const FbTable& model) {
  const FbVector codes = model.vector(kModelOperatorCodes, 4);
  charge(codes.size() * sizeof(OperatorCode));
  for (std::size_t i = 0; i < codes.size(); ++i) {
    with_context("operator code " + std::to_string(i), [&] {
      const FbTable table = table_at(codes, i);
      // builtin_code superseded the int8 deprecated_builtin_code; schema.fbs
      // says to take the larger of the two, as writers fill one or both.
      OperatorCode code;
      code.builtin = std::max<int>(table.scalar<std::int32_t>(kOpCodeBuiltinCode, 0),
                                   table.scalar<std::int8_t>(kOpCodeDeprecatedBuiltinCode, 0));
      if (code.builtin < 0) format_fail("negative builtin code " + std::to_string(code.builtin));
      if (code.builtin == kCustom) {
        code.custom = std::string(table.string(kOpCodeCustomCode));
        charge(code.custom.size());
        if (code.custom.empty()) format_fail("CUSTOM without a custom_code");
      }
      codes_.push_back(std::move(code));
    });
  }
}

void ModelReader::read_tensors(const FbTable& subgraph) {
  const FbVector tensors = subgraph.vector(kSubGraphTensors, 4);
  charge(tensors.size() * (sizeof(TensorDef) + sizeof(RawConstant)));
  model_.tensors.reserve(tensors.size());
  raw_.resize(tensors.size());
  written_.resize(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    model_.tensors.push_back(with_context("tensor " + std::to_string(i),
                                          [&] { return read_tensor(table_at(tensors, i), i); }));
  }
}

std::vector<int> ModelReader::read_shape(const FbTable& table) {
  const FbVector dims = table.vector(kTensorShape, 4);
  charge(dims.size() * sizeof(int));
  std::vector<int> shape = dims.scalars<int>();
  std::int64_t count = 1;
  for (const int d : shape) {
    if (d < 0) format_fail("shape " + shape_text(shape) + " has a negative dimension");
    count *= d;  // cannot overflow: count <= kMaxTensorElements and d < 2^31
    if (count > kMaxTensorElements) format_fail("shape " + shape_text(shape) + " is too large");
  }
  return shape;
}

std::span<const std::byte> ModelReader::tensor_data(const FbTable& table) {
  const auto index = table.scalar<std::uint32_t>(kTensorBuffer, 0);
  if (index >= buffers_.size()) {
    format_fail("buffer " + std::to_string(index) + " out of range (" +
                std::to_string(buffers_.size()) + " buffers)");
  }
  return buffers_[index];
}

TensorDef ModelReader::read_tensor(const FbTable& table, std::size_t index) {
  TensorDef tensor;
  tensor.name = std::string(table.string(kTensorName));
  charge(tensor.name.size());
  tensor.shape = read_shape(table);
  const int code = table.scalar<std::int8_t>(kTensorType, 0);
  const auto info =
      std::find_if(kTypes.begin(), kTypes.end(), [&](const TypeInfo& t) { return t.code == code; });
  if (info == kTypes.end()) format_fail("unsupported type " + tensor_type_name(code));
  tensor.type = info->type;
  if (table.boolean(kTensorIsVariable)) format_fail("variable tensors are not supported");

  const std::span<const std::byte> data = tensor_data(table);
  const FbTable sparsity = table.table(kTensorSparsity);
  if (data.empty()) {  // an activation
    if (sparsity.present()) format_fail("sparse tensor without data");
    return tensor;
  }
  tensor.is_constant = true;
  // Sparse data is shorter than the shape says; DENSIFY checks it.
  if (sparsity.present()) {
    raw_[index] = RawConstant{data, sparsity};
    return tensor;
  }
  const std::uint64_t expected = static_cast<std::uint64_t>(tensor.element_count()) * info->size;
  if (data.size() != expected) {
    format_fail("buffer " + std::to_string(table.scalar<std::uint32_t>(kTensorBuffer, 0)) +
                " holds " + std::to_string(data.size()) + " bytes, " + shape_text(tensor.shape) +
                " " + tensor_type_name(code) + " needs " + std::to_string(expected));
  }
  if (tensor.type == TensorType::kFloat16) {
    raw_[index] = RawConstant{data, {}};
  } else {
    decode_constant(tensor, tensor.type, data);
  }
  return tensor;
}

// Appends `count` little-endian T values from `data` (checked to hold them)
// to `out`, converted by `convert`.
template <class T, class Out, class Convert>
void widen(std::span<const std::byte> data, std::size_t count, std::vector<Out>& out,
           Convert convert) {
  if (data.size() != count * sizeof(T)) throw std::logic_error("constant data of the wrong size");
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, data.data() + i * sizeof(T), sizeof(T));
    out[i] = convert(value);
  }
}

// Float data to `values`, integer data to `ints`. `data` holds the tensor's
// element count of `stored` values (float16 for a folded DEQUANTIZE).
void ModelReader::decode_constant(TensorDef& tensor, TensorType stored,
                                  std::span<const std::byte> data) {
  const auto count = static_cast<std::size_t>(tensor.element_count());
  const bool is_float = stored == TensorType::kFloat32 || stored == TensorType::kFloat16;
  charge(count * (is_float ? sizeof(float) : sizeof(std::int64_t)));
  const auto same = [](auto v) { return v; };
  switch (stored) {
    case TensorType::kFloat32:
      return widen<float>(data, count, tensor.values, same);
    case TensorType::kFloat16:
      return widen<std::uint16_t>(data, count, tensor.values, fp16_to_fp32);
    case TensorType::kInt64:
      return widen<std::int64_t>(data, count, tensor.ints, same);
    case TensorType::kInt32:
      return widen<std::int32_t>(data, count, tensor.ints, same);
    case TensorType::kInt8:
      return widen<std::int8_t>(data, count, tensor.ints, same);
    case TensorType::kUInt8:
    case TensorType::kBool:
      return widen<std::uint8_t>(data, count, tensor.ints, same);
  }
}

void ModelReader::read_operators(const FbTable& subgraph) {
  const FbVector operators = subgraph.vector(kSubGraphOperators, 4);
  charge(operators.size() * sizeof(OpDef));
  for (std::size_t i = 0; i < operators.size(); ++i) read_operator(operators, i);
}

// Messages name the operator by "op #N" until its type is known, then by its
// label ("CONV_2D #N"); N is the index in the file's operator list.
void ModelReader::read_operator(const FbVector& operators, std::size_t index) {
  const std::string where = "op #" + std::to_string(index);
  const FbTable table = with_context(where, [&] { return table_at(operators, index); });
  const OperatorCode& code = with_context(where, [&]() -> const OperatorCode& {
    const auto code_index = table.scalar<std::uint32_t>(kOperatorOpcodeIndex, 0);
    if (code_index >= codes_.size()) {
      format_fail("opcode_index " + std::to_string(code_index) + " out of range (" +
                  std::to_string(codes_.size()) + " operator codes)");
    }
    return codes_[code_index];
  });
  const bool custom = code.builtin == kCustom;
  const std::string name = custom ? code.custom : builtin_operator_name(code.builtin);
  const std::string label = name + " #" + std::to_string(index);
  if (code.builtin == kDequantize || code.builtin == kDensify) {
    return with_context(label, [&] {
      const std::vector<int> inputs = read_indices(table, kOperatorInputs, false);
      const std::vector<int> outputs = read_indices(table, kOperatorOutputs, false);
      if (code.builtin == kDequantize) return fold_dequantize(inputs, outputs);
      fold_densify(inputs, outputs);
    });
  }
  const std::optional<OpType> type =
      custom ? custom_op_type(code.custom) : builtin_op_type(code.builtin);
  if (!type) {
    format_fail(where + ": unsupported " + (custom ? "custom operator " : "operator ") + name);
  }
  model_.ops.push_back(with_context(label, [&] { return make_op(table, *type, custom, label); }));
}

OpDef ModelReader::make_op(const FbTable& table, OpType type, bool custom,
                           const std::string& label) {
  OpDef op;
  op.type = type;
  op.label = label;
  op.inputs = read_indices(table, kOperatorInputs, true);
  op.outputs = read_indices(table, kOperatorOutputs, false);
  check_op_tensors(op);
  if (custom) {
    // Options blobs may be shared too; parsing one costs at most ~8x its size.
    const std::span<const std::byte> options = custom_options(table);
    charge(8 * options.size());
    read_custom_options(options, op);
  } else {
    read_builtin_options(table, op);
  }
  return op;
}

std::vector<int> ModelReader::read_indices(const FbTable& table, Field field, bool allow_absent) {
  const FbVector vector = table.vector(field, 4);
  charge(vector.size() * sizeof(int));
  std::vector<int> indices = vector.scalars<int>();
  const auto count = static_cast<int>(model_.tensors.size());
  for (const int index : indices) {
    if ((index < 0 && !(allow_absent && index == -1)) || index >= count) {
      format_fail(std::string(field.name) + ": tensor index " + std::to_string(index) +
                  " out of range (" + std::to_string(count) + " tensors)");
    }
  }
  return indices;
}

// Inputs must be data the executor can use; outputs must be activations,
// each written by one operator.
void ModelReader::check_op_tensors(const OpDef& op) {
  for (const int index : op.inputs) {
    if (index >= 0 && raw_[static_cast<std::size_t>(index)]) {
      format_fail(
          "input tensor " + std::to_string(index) + " is " +
          (raw_[static_cast<std::size_t>(index)]->sparsity.present() ? "sparse" : "float16") +
          " constant data that no DENSIFY/DEQUANTIZE converts");
    }
  }
  for (const int index : op.outputs) mark_written(index);
}

void ModelReader::mark_written(int index) {
  const auto i = static_cast<std::size_t>(index);
  if (model_.tensors[i].is_constant) {
    format_fail("output tensor " + std::to_string(index) + " is a constant");
  }
  if (written_[i]) {
    format_fail("output tensor " + std::to_string(index) + " is written by an earlier operator");
  }
  written_[i] = true;
}

std::span<const std::byte> ModelReader::custom_options(const FbTable& table) const {
  const int format = table.scalar<std::int8_t>(kOperatorCustomOptionsFormat, 0);
  if (format != 0) format_fail("unknown custom_options_format " + std::to_string(format));
  // Models over 2 GB keep large options outside the FlatBuffer.
  const auto offset = table.scalar<std::uint64_t>(kOperatorLargeCustomOptionsOffset, 0);
  if (offset > 1) {
    const auto size = table.scalar<std::uint64_t>(kOperatorLargeCustomOptionsSize, 0);
    buffer_.check_range(offset, size, "large custom options");
    return buffer_.bytes(offset, size);
  }
  return table.vector(kOperatorCustomOptions, 1).bytes();
}

// DEQUANTIZE and DENSIFY have one input and one output; the output, an
// activation in the file, becomes a constant.
TensorDef& ModelReader::fold_output(const std::vector<int>& inputs,
                                    const std::vector<int>& outputs) {
  if (inputs.size() != 1 || outputs.size() != 1) {
    format_fail(std::to_string(inputs.size()) + " inputs and " + std::to_string(outputs.size()) +
                " outputs, expected 1 and 1");
  }
  mark_written(outputs[0]);
  TensorDef& out = model_.tensors[static_cast<std::size_t>(outputs[0])];
  const TensorDef& in = model_.tensors[static_cast<std::size_t>(inputs[0])];
  if (out.element_count() != in.element_count()) {
    format_fail("output shape " + shape_text(out.shape) + " does not match input shape " +
                shape_text(in.shape));
  }
  out.is_constant = true;
  return out;
}

// Only constant float16 weights are dequantized at load; int8 quantization
// is not supported.
void ModelReader::fold_dequantize(const std::vector<int>& inputs, const std::vector<int>& outputs) {
  TensorDef& out = fold_output(inputs, outputs);
  const auto in = static_cast<std::size_t>(inputs[0]);
  const std::optional<RawConstant>& raw = raw_[in];
  if (model_.tensors[in].type != TensorType::kFloat16 || !raw || raw->sparsity.present()) {
    format_fail("input tensor " + std::to_string(in) + " is not dense constant float16 data");
  }
  if (out.type != TensorType::kFloat32) format_fail("output tensor is not float32");
  decode_constant(out, TensorType::kFloat16, raw->data);
}

void ModelReader::fold_densify(const std::vector<int>& inputs, const std::vector<int>& outputs) {
  TensorDef& out = fold_output(inputs, outputs);
  const auto in = static_cast<std::size_t>(inputs[0]);
  const TensorDef& source = model_.tensors[in];
  const std::optional<RawConstant>& raw = raw_[in];
  if (!raw || !raw->sparsity.present()) {
    format_fail("input tensor " + std::to_string(in) + " is not sparse constant data");
  }
  if (out.type != source.type || out.shape != source.shape) {
    format_fail("output tensor differs from the input in type or shape");
  }
  std::vector<std::byte> dense = with_context("tensor " + std::to_string(in) + " sparsity", [&] {
    const SparseFormat format = read_sparse_format(raw->sparsity, budget_);
    charge(static_cast<std::uint64_t>(check_sparse_format(format, source.shape)) *
           type_info(source.type).size);
    return densify(format, source.shape, raw->data, type_info(source.type).size);
  });
  const auto out_index = static_cast<std::size_t>(outputs[0]);
  if (out.type == TensorType::kFloat16) {
    // Still to be dequantized: keep the dense float16 bytes for DEQUANTIZE.
    densified_.push_back(std::move(dense));
    raw_[out_index] = RawConstant{densified_.back(), {}};
  } else {
    decode_constant(out, out.type, dense);
  }
}

ModelDef ModelReader::read(std::string_view name) {
  model_.name = std::string(name);
  const FbTable model = root();
  read_buffers(model);
  read_operator_codes(model);
  const FbTable subgraph = only_subgraph(model);
  read_tensors(subgraph);
  with_context("subgraph", [&] {
    model_.inputs = read_indices(subgraph, kSubGraphInputs, false);
    model_.outputs = read_indices(subgraph, kSubGraphOutputs, false);
  });
  read_operators(subgraph);
  return std::move(model_);
}

}  // namespace

ModelDef read_tflite(std::span<const std::byte> bytes, std::string_view model_name) {
  try {
    return ModelReader(bytes).read(model_name);
  } catch (const FormatError& e) {
    throw Error(ErrorKind::kModel, std::string(model_name) + ": " + e.what());
  }
}

ModelDef load_tflite(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kModel, path.string() + ": cannot open the model file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::vector<std::byte> bytes(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)));
  if (size < 0 || !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    throw Error(ErrorKind::kModel, path.string() + ": cannot read the model file");
  }
  return read_tflite(bytes, path.stem().string());
}

}  // namespace signprep::nn
