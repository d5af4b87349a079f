#include "nn/cuda/cuda_handles.h"

namespace signprep::nn::cuda {

void check(cudaError_t status, const std::string& what) {
  if (status == cudaSuccess) return;
  const std::string text =
      what + ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
  if (status == cudaErrorMemoryAllocation) throw OutOfDeviceMemory(text);
  throw Error(ErrorKind::kDevice, text);
}

void check(cudnnStatus_t status, const std::string& what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  const std::string text = what + ": " + cudnnGetErrorString(status);
  if (status == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED) {
    throw OutOfDeviceMemory(text);
  }
  throw Error(ErrorKind::kDevice, text);
}

cudnnDataType_t cudnn_data_type(GpuPrecision precision) {
  switch (precision) {
    case GpuPrecision::kFp16:
      return CUDNN_DATA_HALF;
    case GpuPrecision::kBf16:
      return CUDNN_DATA_BFLOAT16;
    case GpuPrecision::kFp32:
      break;
  }
  return CUDNN_DATA_FLOAT;
}

DeviceBuffer::DeviceBuffer(std::size_t bytes, const std::string& what) : bytes_(bytes) {
  void* memory = nullptr;
  check(cudaMalloc(&memory, bytes), "cannot allocate " + what + " on the GPU");
  memory_.reset(memory);
}

PinnedBuffer::PinnedBuffer(std::size_t bytes, const std::string& what) {
  void* memory = nullptr;
  check(cudaMallocHost(&memory, bytes), "cannot allocate page-locked memory for " + what);
  memory_.reset(memory);
}

Stream::Stream() {
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cannot create a CUDA stream");
  stream_.reset(stream);
}

Event::Event() {
  cudaEvent_t event = nullptr;
  check(cudaEventCreate(&event), "cannot create a CUDA event");
  event_.reset(event);
}

BackendDescriptor::BackendDescriptor(cudnnBackendDescriptorType_t type) {
  cudnnBackendDescriptor_t descriptor = nullptr;
  check(cudnnBackendCreateDescriptor(type, &descriptor), "cuDNN could not create a descriptor");
  descriptor_.reset(descriptor);
}

}  // namespace signprep::nn::cuda
