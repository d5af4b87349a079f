// Operators that oneDNN runs on its optimised CPU kernels, on the executor's
// NHWC buffers (no copies at the edges). make_onednn_kernel returns nullptr
// for the operators and options it leaves to the reference kernels.
//
// In bf16 (Context::bf16) convolutions compute on bf16 weights and sources,
// and the tensors that only oneDNN operators write and read are stored in
// bf16 (Context::bf16_tensors, decided by the model); every other operator
// computes in the type of its output. A source stored in another type than
// its operator computes in is converted into a buffer of the kernel's own,
// so the reference kernels and the model's inputs and outputs see float32.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/kernel.h"
#include "nn/model_def.h"

namespace signprep::nn::onednn {

class Context {
 public:
  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Operators for which oneDNN could only offer a reference ("ref:")
  // implementation, "<op label>: <implementation>": oneDNN's silent slow path.
  std::vector<std::string> reference_implementations;
  // Constant data a primitive copied into its own layout at load, once per
  // copy: the model may free its own copy when no other reader needs it.
  std::vector<const float*> packed_constants;
  // Every primitive made, by oneDNN's implementation name ("brgconv:avx512_core").
  std::map<std::string, int> implementations;

  // Set before the kernels are made: convolutions in bf16, and per tensor of
  // the model whether it is stored in bf16 (empty: none is).
  bool bf16 = false;
  std::vector<bool> bf16_tensors;

  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// A spatial zero PAD folded into the VALID convolution that consumes it: the
// convolution reads the PAD's input (`source_tensor`) and pads by itself.
struct FoldedPadding {
  int source_tensor = -1;
  int top = 0, bottom = 0, left = 0, right = 0;
};

// Whether make_onednn_kernel makes a kernel for this operator (in any precision).
bool handles(const ModelDef& model, const OpDef& op);

// `folded` (CONV_2D and DEPTHWISE_CONV_2D only): inputs[0] then points at the
// PAD's input.
std::unique_ptr<Kernel> make_onednn_kernel(Context& context, const ModelDef& model, const OpDef& op,
                                           std::span<const float* const> inputs,
                                           std::span<float* const> outputs,
                                           const FoldedPadding* folded = nullptr);

}  // namespace signprep::nn::onednn
