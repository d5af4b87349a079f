// Operators that oneDNN runs on its optimised CPU kernels, on the executor's
// NHWC buffers (no copies at the edges), and PRELU on a loop of this layer's
// own that reads and writes the tensors as they are stored. make_onednn_kernel
// returns nullptr for the operators and options it leaves to the reference
// kernels.
//
// In bf16 convolutions compute on bf16 weights and sources; in int8 a
// convolution whose source is never negative computes on u8 sources and s8
// weights (one scale per output channel), accumulating in int32. Which
// tensors are stored in bf16 or u8 the model decides (Context::stored);
// every operator other than a convolution computes in the type of its
// output. A source stored in another type (or, in u8, with another scale)
// than its operator takes is converted into a buffer of the kernel's own, so
// the reference kernels and the model's inputs and outputs see float32.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/cpu_precision.h"
#include "nn/kernel.h"
#include "nn/model_def.h"

namespace signprep::nn::onednn {

enum class StoredType { kF32, kBf16, kU8 };

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

  // Set before the kernels are made: what convolutions compute in, and per
  // tensor of the model how it is stored (empty: all in float32).
  CpuPrecision precision = CpuPrecision::kFp32;
  std::vector<StoredType> stored;
  // int8: per tensor, the value of one u8 step (its stored value times the
  // scale is the float it stands for); 0 where the tensor may be negative or
  // was not calibrated, so no int8 operator may take it.
  std::vector<float> u8_scales;

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

// Whether an operator computes in int8 here: a convolution, pooling or
// concatenation whose sources are never negative and have u8 scales. The
// model stores such an operator's output in u8 when every reader is oneDNN's.
// `reads`: the tensors it reads (a folded PAD's consumer reads its input).
bool computes_in_int8(const Context& context, const ModelDef& model, const OpDef& op,
                      std::span<const int> reads);

// Whether make_onednn_kernel makes a kernel for this operator (in any precision).
bool handles(const ModelDef& model, const OpDef& op);

// `folded` (CONV_2D and DEPTHWISE_CONV_2D only): inputs[0] then points at the
// PAD's input.
std::unique_ptr<Kernel> make_onednn_kernel(Context& context, const ModelDef& model, const OpDef& op,
                                           std::span<const float* const> inputs,
                                           std::span<float* const> outputs,
                                           const FoldedPadding* folded = nullptr);

}  // namespace signprep::nn::onednn
