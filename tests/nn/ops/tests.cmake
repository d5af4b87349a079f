# Reference kernels (src/nn/ops/reference/): one test file per operator (the
# two pools share one, the three element-wise activations share one, and the
# three MediaPipe transform ops share one), all in one binary. Expected values
# of the larger cases come from ops/gen_expected.py (numpy), pasted into
# ops/expected_values.h.
signprep_gtest(nn_reference_ops_test
  SOURCES
    ops/reference_ops_test.cpp
    ops/activation_test.cpp
    ops/add_test.cpp
    ops/concatenation_test.cpp
    ops/conv_2d_test.cpp
    ops/convolution_2d_transpose_bias_test.cpp
    ops/depth_to_space_test.cpp
    ops/depthwise_conv_2d_test.cpp
    ops/fully_connected_test.cpp
    ops/mean_test.cpp
    ops/mul_test.cpp
    ops/pad_test.cpp
    ops/pool_2d_test.cpp
    ops/prelu_test.cpp
    ops/reshape_test.cpp
    ops/resize_bilinear_test.cpp
    ops/strided_slice_test.cpp
    ops/transform_ops_test.cpp
  LIBS signprep_nn)
