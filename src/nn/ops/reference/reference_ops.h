// Plain C++ kernels for every operator of ModelDef, on float32 NHWC buffers:
// the executor's first backend and the reference that faster kernels are
// tested against. One file per operator (named after its TFLite builtin).
#pragma once

#include <span>

#include "nn/model_def.h"

namespace signprep::nn::reference {

// Checks once, at load, that `op` is supported with the shapes and options it
// has in `model` (ranks, constant weights, attribute values); throws
// Error(kModel) "<model>: <op.label>: <problem>" otherwise. run_op may then
// assume a valid op.
void validate_op(const ModelDef& model, const OpDef& op);

// Runs `op`. inputs[i] points at the float32 data of model.tensors[op.inputs[i]]
// (nullptr for an absent optional input); outputs[i] at a buffer sized for
// model.tensors[op.outputs[i]]. Shapes and constant int inputs (shapes,
// paddings, slice bounds) come from the tensor defs.
void run_op(const ModelDef& model, const OpDef& op, std::span<const float* const> inputs,
            std::span<float* const> outputs);

}  // namespace signprep::nn::reference
