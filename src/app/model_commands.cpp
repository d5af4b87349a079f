// `signprep model-info` and `signprep model-run`: the neural runtime from the
// command line, for debugging models and checking them against golden files.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "core/error.h"
#include "nn/model.h"
#include "output/atomic_file.h"
#include "output/json_writer.h"
#include "output/npy_reader.h"
#include "output/npz_writer.h"

namespace signprep::app {
namespace {

template <typename Dim>
std::string shape_text(const std::vector<Dim>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? "," : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

JsonValue shape_json(const std::vector<int>& shape) {
  return JsonValue::Array(shape.begin(), shape.end());
}

void print_tensors(std::ostream& out, const char* title, const std::vector<nn::TensorInfo>& list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    out << (i == 0 ? title : "         ") << " " << i << " " << list[i].name << " "
        << shape_text(list[i].shape) << "\n";
  }
}

// Copies an .npy file into input `index`, refusing a shape the model does not take.
void load_input(nn::Model& model, int index, const std::string& path) {
  const output::NpyFloat32 array = output::read_npy_float32(path);
  const std::vector<int>& want = model.inputs()[index].shape;
  if (!std::equal(array.shape.begin(), array.shape.end(), want.begin(), want.end())) {
    throw Error(ErrorKind::kInput, path + ": shape " + shape_text(array.shape) + ", input " +
                                       std::to_string(index) + " of " + model.name() + " needs " +
                                       shape_text(want));
  }
  std::copy(array.values.begin(), array.values.end(), model.input(index).begin());
}

}  // namespace

int model_info_command(const std::vector<std::string>& args) {
  FlagParser parser("signprep model-info MODEL.tflite...",
                    "Prints a model's inputs, outputs, operator counts and multiply-accumulates.");
  const auto models = parser.parse(args);
  if (!models) return kExitSuccess;
  if (models->empty()) throw Error(ErrorKind::kUsage, "model-info: no model given (see --help)");
  for (const std::string& path : *models) {
    const nn::Model model = nn::Model::load(path);
    const nn::ModelStats stats = model.stats();
    std::ostringstream out;
    out << "model    " << model.name() << " (" << path << ")\n";
    print_tensors(out, "inputs  ", model.inputs());
    print_tensors(out, "outputs ", model.outputs());
    int total = 0;
    std::string counts;
    for (const auto& [name, count] : stats.op_counts) {
      counts += (counts.empty() ? "" : ", ") + name + " " + std::to_string(count);
      total += count;
    }
    char macs[64];
    std::snprintf(macs, sizeof macs, "%.1f M",
                  static_cast<double>(stats.multiply_accumulates) / 1e6);
    out << "ops      " << total << ": " << counts << "\n"
        << "MACs     " << macs << " multiply-accumulates per run\n";
    std::cout << out.str();
  }
  return kExitSuccess;
}

int model_run_command(const std::vector<std::string>& args) {
  std::optional<std::filesystem::path> out_dir;
  FlagParser parser("signprep model-run MODEL.tflite INPUT.npy... -o DIR",
                    "Runs a model on float32 .npy inputs (in input order) and writes\n"
                    "DIR/output_<i>.npy per output plus DIR/outputs.json (names and shapes).");
  parser.add_value("-o", "DIR", "output directory (created when missing)", out_dir);
  const auto positional = parser.parse(args);
  if (!positional) return kExitSuccess;
  if (positional->empty() || !out_dir) {
    throw Error(ErrorKind::kUsage, "model-run needs MODEL.tflite, its inputs and -o DIR");
  }
  nn::Model model = nn::Model::load(positional->front());
  const int input_count = static_cast<int>(model.inputs().size());
  if (static_cast<int>(positional->size()) - 1 != input_count) {
    throw Error(ErrorKind::kUsage, model.name() + " takes " + std::to_string(input_count) +
                                       " input(s), got " + std::to_string(positional->size() - 1));
  }
  for (int i = 0; i < input_count; ++i) load_input(model, i, (*positional)[i + 1]);
  model.run();

  std::error_code ec;
  std::filesystem::create_directories(*out_dir, ec);
  if (ec)
    throw Error(ErrorKind::kOutput, "cannot create " + out_dir->string() + ": " + ec.message());
  JsonValue::Array described;
  for (std::size_t i = 0; i < model.outputs().size(); ++i) {
    const nn::TensorInfo& info = model.outputs()[i];
    const std::vector<std::size_t> shape(info.shape.begin(), info.shape.end());
    output::write_npy_float32(*out_dir / ("output_" + std::to_string(i) + ".npy"), shape,
                              model.output(static_cast<int>(i)));
    described.push_back(JsonValue::Object{
        {"index", static_cast<int>(i)}, {"name", info.name}, {"shape", shape_json(info.shape)}});
  }
  output::AtomicFile json(*out_dir / "outputs.json");
  json.write(output::dump_json(JsonValue::Object{{"model", model.name()}, {"outputs", described}}) +
             "\n");
  json.commit();
  return kExitSuccess;
}

}  // namespace signprep::app
