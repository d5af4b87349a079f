// RAII owners for the CUDA and cuDNN objects the backend creates, the
// translation of their status codes into signprep::Error(kDevice), and the
// cuDNN type of each precision.
#pragma once

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include "core/error.h"
#include "nn/gpu_precision.h"

namespace signprep::nn::cuda {

// Throws Error(kDevice): "<what>: <CUDA's name for the error> (<its text>)".
void check(cudaError_t status, const std::string& what);
void check(cudnnStatus_t status, const std::string& what);

// The cuDNN type that stores `precision`'s values.
cudnnDataType_t cudnn_data_type(GpuPrecision precision);

// An allocation the device could not satisfy: build() turns it into a
// message that says which batch size fits.
struct OutOfDeviceMemory : Error {
  explicit OutOfDeviceMemory(const std::string& what) : Error(ErrorKind::kDevice, what) {}
};

template <auto Destroy>
struct Destroyer {
  template <typename T>
  void operator()(T* handle) const {
    Destroy(handle);
  }
};

// A cuDNN object, created by `Create` and destroyed by `Destroy`.
template <typename Handle, auto Create, auto Destroy>
class CudnnObject {
 public:
  CudnnObject() {
    Handle raw = nullptr;
    check(Create(&raw), "cuDNN could not create a descriptor");
    handle_.reset(raw);
  }
  Handle get() const { return handle_.get(); }

 private:
  std::unique_ptr<std::remove_pointer_t<Handle>, Destroyer<Destroy>> handle_;
};

using CudnnHandle = CudnnObject<cudnnHandle_t, cudnnCreate, cudnnDestroy>;
using TensorDescriptor =
    CudnnObject<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor =
    CudnnObject<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    CudnnObject<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                cudnnDestroyConvolutionDescriptor>;
using PoolingDescriptor = CudnnObject<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor,
                                      cudnnDestroyPoolingDescriptor>;
using ActivationDescriptor =
    CudnnObject<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor,
                cudnnDestroyActivationDescriptor>;

// Device memory (cudaMalloc), or page-locked host memory (cudaMallocHost).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes, const std::string& what);
  void* get() const { return memory_.get(); }
  template <typename T>
  T* as() const {
    return static_cast<T*>(memory_.get());
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<void, Destroyer<cudaFree>> memory_;
  std::size_t bytes_ = 0;
};

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  explicit PinnedBuffer(std::size_t bytes, const std::string& what);
  template <typename T>
  T* as() const {
    return static_cast<T*>(memory_.get());
  }

 private:
  std::unique_ptr<void, Destroyer<cudaFreeHost>> memory_;
};

class Stream {
 public:
  Stream();
  cudaStream_t get() const { return stream_.get(); }

 private:
  std::unique_ptr<std::remove_pointer_t<cudaStream_t>, Destroyer<cudaStreamDestroy>> stream_;
};

// A timing event (cudaEventCreate's default flags).
class Event {
 public:
  Event();
  cudaEvent_t get() const { return event_.get(); }

 private:
  std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, Destroyer<cudaEventDestroy>> event_;
};

// A descriptor of cuDNN's graph API (cudnnBackendCreateDescriptor).
class BackendDescriptor {
 public:
  explicit BackendDescriptor(cudnnBackendDescriptorType_t type);
  cudnnBackendDescriptor_t get() const { return descriptor_.get(); }

 private:
  std::unique_ptr<std::remove_pointer_t<cudnnBackendDescriptor_t>,
                  Destroyer<cudnnBackendDestroyDescriptor>>
      descriptor_;
};

}  // namespace signprep::nn::cuda
