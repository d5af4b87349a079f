// The per-operator entry points that reference_ops.cpp dispatches to, one
// validate/run pair per file (named after the TFLite builtin or the MediaPipe
// custom op). Private to nn/ops/reference/.
#pragma once

#include "nn/ops/reference/common.h"

namespace signprep::nn::reference {

using ValidateFn = void (*)(const ModelDef& model, const OpDef& op);
using RunFn = void (*)(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_add(const ModelDef& model, const OpDef& op);
void run_add(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_average_pool_2d(const ModelDef& model, const OpDef& op);
void run_average_pool_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_concatenation(const ModelDef& model, const OpDef& op);
void run_concatenation(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_conv_2d(const ModelDef& model, const OpDef& op);
void run_conv_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_depth_to_space(const ModelDef& model, const OpDef& op);
void run_depth_to_space(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_depthwise_conv_2d(const ModelDef& model, const OpDef& op);
void run_depthwise_conv_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_fully_connected(const ModelDef& model, const OpDef& op);
void run_fully_connected(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_hard_swish(const ModelDef& model, const OpDef& op);
void run_hard_swish(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_logistic(const ModelDef& model, const OpDef& op);
void run_logistic(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_max_pool_2d(const ModelDef& model, const OpDef& op);
void run_max_pool_2d(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_mean(const ModelDef& model, const OpDef& op);
void run_mean(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_mul(const ModelDef& model, const OpDef& op);
void run_mul(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_pad(const ModelDef& model, const OpDef& op);
void run_pad(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_prelu(const ModelDef& model, const OpDef& op);
void run_prelu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_relu(const ModelDef& model, const OpDef& op);
void run_relu(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_reshape(const ModelDef& model, const OpDef& op);
void run_reshape(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_resize_bilinear(const ModelDef& model, const OpDef& op);
void run_resize_bilinear(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_strided_slice(const ModelDef& model, const OpDef& op);
void run_strided_slice(const ModelDef& model, const OpDef& op, Inputs inputs, Outputs outputs);

void validate_convolution_2d_transpose_bias(const ModelDef& model, const OpDef& op);
void run_convolution_2d_transpose_bias(const ModelDef& model, const OpDef& op, Inputs inputs,
                                       Outputs outputs);

void validate_landmarks_to_transform_matrix(const ModelDef& model, const OpDef& op);
void run_landmarks_to_transform_matrix(const ModelDef& model, const OpDef& op, Inputs inputs,
                                       Outputs outputs);

void validate_transform_landmarks(const ModelDef& model, const OpDef& op);
void run_transform_landmarks(const ModelDef& model, const OpDef& op, Inputs inputs,
                             Outputs outputs);

void validate_transform_tensor_bilinear(const ModelDef& model, const OpDef& op);
void run_transform_tensor_bilinear(const ModelDef& model, const OpDef& op, Inputs inputs,
                                   Outputs outputs);

}  // namespace signprep::nn::reference
