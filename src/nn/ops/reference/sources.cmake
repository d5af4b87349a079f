# Plain C++ reference kernels: one file per operator, dispatched from the one
# table in reference_ops.cpp. Paths are relative to src/nn.
list(APPEND SIGNPREP_NN_SOURCES
  ops/reference/reference_ops.cpp
  ops/reference/common.cpp
  ops/reference/pool_2d.cpp
  ops/reference/add.cpp
  ops/reference/average_pool_2d.cpp
  ops/reference/concatenation.cpp
  ops/reference/conv_2d.cpp
  ops/reference/depth_to_space.cpp
  ops/reference/depthwise_conv_2d.cpp
  ops/reference/fully_connected.cpp
  ops/reference/hard_swish.cpp
  ops/reference/logistic.cpp
  ops/reference/max_pool_2d.cpp
  ops/reference/mean.cpp
  ops/reference/mul.cpp
  ops/reference/pad.cpp
  ops/reference/prelu.cpp
  ops/reference/relu.cpp
  ops/reference/reshape.cpp
  ops/reference/resize_bilinear.cpp
  ops/reference/strided_slice.cpp
  ops/reference/convolution_2d_transpose_bias.cpp
  ops/reference/landmarks_to_transform_matrix.cpp
  ops/reference/transform_landmarks.cpp
  ops/reference/transform_tensor_bilinear.cpp)
