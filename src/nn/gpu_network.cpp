// Finds and opens libsignprep_cuda.so. The plugin is opened only when a GPU
// is asked for, so a missing CUDA or cuDNN library is a message with its fix,
// not a program that cannot start.
#include "nn/gpu_network.h"

#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "core/error.h"
#include "nn/gpu_plugin.h"

namespace signprep::nn {
namespace {

// Beside the program (the build tree's build/signprep), then where `cmake
// --install` puts it, then the build tree it was made in (tests, benchmarks).
std::filesystem::path plugin_path() {
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const std::filesystem::path& candidate :
         {program.parent_path() / kGpuPluginFile,
          program.parent_path().parent_path() / "lib" / "signprep" / kGpuPluginFile}) {
      if (std::filesystem::exists(candidate, error)) return candidate;
    }
  }
#ifdef SIGNPREP_CUDA_PLUGIN_BUILD_PATH
  return SIGNPREP_CUDA_PLUGIN_BUILD_PATH;
#else
  return kGpuPluginFile;
#endif
}

// dlerror() names the first library the loader could not find.
std::string missing_library_fix(const std::string& reason) {
  if (reason.find("libcudnn") != std::string::npos) {
    return "install cuDNN 9 for CUDA 13 (Debian/Ubuntu: NVIDIA's cudnn9-cuda-13 package), or "
           "add the folder holding libcudnn.so.9 to LD_LIBRARY_PATH";
  }
  if (reason.find("libcudart") != std::string::npos ||
      reason.find("libcublas") != std::string::npos) {
    return "install the CUDA 13 runtime (NVIDIA's cuda-runtime-13 package), or add the folder "
           "holding libcudart.so.13 to LD_LIBRARY_PATH";
  }
  return "reinstall signprep (cmake --build build; cmake --install build)";
}

template <typename Function>
Function* symbol(void* library, const char* name, const std::filesystem::path& path) {
  void* address = dlsym(library, name);
  if (!address) {
    dlclose(library);
    throw Error(ErrorKind::kDevice, path.string() + " is not signprep's CUDA backend (no " + name +
                                        "): rebuild signprep" + kRunOnCpu);
  }
  return reinterpret_cast<Function*>(address);
}

// RTLD_NODELETE: the CUDA runtime is never unloaded under a live context;
// the handle needs no owner once the symbols are found.
GpuPluginBuildFunction* open_plugin() {
  if (!gpu_backend_built()) {
    throw Error(ErrorKind::kDevice,
                "this signprep was built without its CUDA backend (CMake found no CUDA toolkit "
                "with cuDNN): rebuild on a machine with CUDA 13 and cuDNN 9 (README, \"GPU\")" +
                    std::string(kRunOnCpu));
  }
  const std::filesystem::path path = plugin_path();
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!library) {
    const std::string reason = dlerror();
    throw Error(ErrorKind::kDevice, "cannot load the CUDA backend: " + reason + ": " +
                                        missing_library_fix(reason) + kRunOnCpu);
  }
  const int abi = symbol<GpuPluginAbiFunction>(library, kGpuPluginAbiSymbol, path)();
  if (abi != kGpuPluginAbi) {
    dlclose(library);
    throw Error(ErrorKind::kDevice, path.string() + " comes from another signprep build (ABI " +
                                        std::to_string(abi) + ", this program needs " +
                                        std::to_string(kGpuPluginAbi) + "): rebuild signprep" +
                                        kRunOnCpu);
  }
  return symbol<GpuPluginBuildFunction>(library, kGpuPluginBuildSymbol, path);
}

}  // namespace

bool gpu_backend_built() {
#ifdef SIGNPREP_CUDA_PLUGIN_BUILD_PATH
  return true;
#else
  return false;
#endif
}

std::unique_ptr<GpuNetwork> load_gpu_network(const ModelDef& def, const GpuOptions& options) {
  GpuPluginBuildFunction* build = open_plugin();
  std::unique_ptr<GpuNetwork> network;
  build(def, options, network);
  return network;
}

}  // namespace signprep::nn
