# Tests of the .tflite reader (src/nn/tflite). The model tests read
# models/ (fetched by scripts/setup) and fail, never skip, without it.
set(SIGNPREP_TFLITE_TESTS
  tflite_models_test
  tflite_synthetic_test
  tflite_corruption_test
  flexbuffers_test
  densify_test
  fp16_test)
foreach(test ${SIGNPREP_TFLITE_TESTS})
  signprep_gtest(${test} SOURCES tflite/${test}.cpp LIBS signprep_nn)
  target_compile_definitions(${test} PRIVATE SIGNPREP_MODELS_DIR="${PROJECT_SOURCE_DIR}/models")
endforeach()
