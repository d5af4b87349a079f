# The .tflite reader: bounded FlatBuffer/FlexBuffers views, TFLite schema
# mapping, and the load-time folding of DEQUANTIZE and DENSIFY.
list(APPEND SIGNPREP_NN_SOURCES
  tflite/tflite_reader.cpp
  tflite/tflite_schema.cpp
  tflite/flatbuffer_view.cpp
  tflite/flexbuffers.cpp
  tflite/op_options.cpp
  tflite/densify.cpp
)
