//===- CudaDriver.cpp - the CUDA driver API loaded at run time ------------===//
#include "cuda/CudaDriver.h"

#include "ds/runtime/Runtime.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <type_traits>
#include <mutex>

namespace ds::rt::cuda {

std::string driverVersionText(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

namespace {

// One load attempt per library path: the driver, or why it cannot be used. Keyed by
// path so tests can switch $DS_CUDA_DRIVER_LIBRARY between a missing and a fake library.
struct LoadResult {
  const Driver *driver = nullptr;
  std::string error;
};

std::string requestedPath() {
  const char *env = std::getenv("DS_CUDA_DRIVER_LIBRARY");
  return env && *env ? env : "libcuda.so.1";
}

}  // namespace

class DriverLoader {
public:
  static LoadResult load(const std::string &path);
};

LoadResult DriverLoader::load(const std::string &path) {
  static std::mutex mutex;
  static std::map<std::string, LoadResult> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded.find(path);
  if (it != loaded.end()) return it->second;

  LoadResult result;
  auto fail = [&](const std::string &why) {
    result.error = why;
    loaded[path] = result;
    return result;
  };
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *err = dlerror();
    return fail("no CUDA driver library: dlopen(\"" + path + "\") failed: " +
                (err ? err : "unknown error") +
                " (install the NVIDIA driver, or set DS_CUDA_DRIVER_LIBRARY to libcuda.so.1)");
  }
  auto *driver = new Driver();  // never destroyed: the library stays loaded
  DriverApi &api = driver->api_;
  std::string missing;
  auto bind = [&](auto &fn, const char *symbol) {
    void *p = dlsym(handle, symbol);
    if (!p) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
  };
  bind(api.cuInit, "cuInit");
  bind(api.cuDriverGetVersion, "cuDriverGetVersion");
  bind(api.cuGetErrorName, "cuGetErrorName");
  bind(api.cuGetErrorString, "cuGetErrorString");
  bind(api.cuDeviceGetCount, "cuDeviceGetCount");
  bind(api.cuDeviceGet, "cuDeviceGet");
  bind(api.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  bind(api.cuDeviceGetName, "cuDeviceGetName");
  bind(api.cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  bind(api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(api.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(api.cuCtxSetCurrent, "cuCtxSetCurrent");
  bind(api.cuMemAlloc, "cuMemAlloc_v2");
  bind(api.cuMemFree, "cuMemFree_v2");
  bind(api.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  bind(api.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  bind(api.cuMemsetD8Async, "cuMemsetD8Async");
  bind(api.cuStreamCreate, "cuStreamCreate");
  bind(api.cuStreamSynchronize, "cuStreamSynchronize");
  bind(api.cuStreamDestroy, "cuStreamDestroy_v2");
  bind(api.cuModuleLoadData, "cuModuleLoadData");
  bind(api.cuModuleUnload, "cuModuleUnload");
  bind(api.cuModuleGetFunction, "cuModuleGetFunction");
  bind(api.cuFuncSetAttribute, "cuFuncSetAttribute");
  bind(api.cuLaunchKernel, "cuLaunchKernel");
  bind(api.cuStreamBeginCapture, "cuStreamBeginCapture_v2");
  bind(api.cuStreamEndCapture, "cuStreamEndCapture");
  bind(api.cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags");
  bind(api.cuGraphLaunch, "cuGraphLaunch");
  bind(api.cuGraphExecDestroy, "cuGraphExecDestroy");
  bind(api.cuGraphDestroy, "cuGraphDestroy");
  bind(api.cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  bind(api.cuEventCreate, "cuEventCreate");
  bind(api.cuEventRecord, "cuEventRecord");
  bind(api.cuEventSynchronize, "cuEventSynchronize");
  bind(api.cuEventDestroy, "cuEventDestroy_v2");
  // CUDA 12.8 added cuEventElapsedTime_v2 (same signature; cuda.h 13 maps the name to it);
  // older drivers export only the first version, which newer ones keep.
  if (void *p = dlsym(handle, "cuEventElapsedTime_v2"))
    api.cuEventElapsedTime = reinterpret_cast<decltype(api.cuEventElapsedTime)>(p);
  else
    bind(api.cuEventElapsedTime, "cuEventElapsedTime");
  // Version first: a driver too old to have some entry point should say so.
  int version = 0;
  if (api.cuDriverGetVersion && api.cuDriverGetVersion(&version) == kCudaSuccess &&
      version < kMinDriverVersion)
    return fail("the CUDA driver " + path + " is too old: version " + driverVersionText(version) +
                ", the cuda backend needs " + driverVersionText(kMinDriverVersion) +
                " or newer (update the NVIDIA driver)");
  if (!missing.empty())
    return fail("the CUDA driver library " + path + " lacks entry points: " + missing +
                " (driver too old or not a CUDA driver)");
  driver->path_ = path;
  driver->version_ = version;
  CUresult r = api.cuInit(0);
  if (r == kCudaErrorNoDevice)
    driver->noDevice_ = true;
  else if (r != kCudaSuccess)
    return fail("the CUDA driver " + path + " was found but cuInit failed with " +
                driver->describe(r));
  result.driver = driver;
  loaded[path] = result;
  return result;
}

const Driver &Driver::get() {
  LoadResult r = DriverLoader::load(requestedPath());
  if (!r.driver) throw Error(r.error);
  return *r.driver;
}

bool Driver::deviceAvailable(std::string *why) {
  LoadResult r = DriverLoader::load(requestedPath());
  if (!r.driver) {
    if (why) *why = r.error;
    return false;
  }
  if (r.driver->deviceCount() < 1) {
    if (why)
      *why = "the CUDA driver " + r.driver->libraryPath() + " (version " +
             driverVersionText(r.driver->version()) + ") was found but reports no device";
    return false;
  }
  return true;
}

int Driver::deviceCount() const {
  int count = 0;
  if (noDevice_ || api_.cuDeviceGetCount(&count) != kCudaSuccess) return 0;
  return count;
}

std::string Driver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (api_.cuGetErrorName) api_.cuGetErrorName(result, &name);
  if (api_.cuGetErrorString) api_.cuGetErrorString(result, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(result);
  if (text) s += std::string(" (") + text + ")";
  return s;
}

void Driver::check(CUresult result, const char *call, const std::string &step) const {
  if (result == kCudaSuccess) return;
  throw Error(std::string(call) + " failed with " + describe(result) + " while " + step);
}

} // namespace ds::rt::cuda
