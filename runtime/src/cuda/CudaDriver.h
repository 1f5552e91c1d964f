//===- CudaDriver.h - the CUDA driver API loaded at run time --------------===//
//
// The cuda backend talks to the GPU through the driver API, which it dlopens
// (libcuda.so.1, or $DS_CUDA_DRIVER_LIBRARY): every binary links and starts on machines
// without a driver, and only asking for the cuda device there fails, with a reason. No
// CUDA header is included: the entry points used are declared here by hand, with the
// exported symbol names (the `_v2` ones where the driver has them).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ds::rt::cuda {

class DriverLoader;

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = uint64_t;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;
using CUevent = struct CUevent_st *;

// The few enum values used (cuda.h's numbering).
constexpr CUresult kCudaSuccess = 0;
constexpr CUresult kCudaErrorNoDevice = 100;
constexpr int kAttrComputeCapabilityMajor = 75;
constexpr int kAttrComputeCapabilityMinor = 76;
constexpr int kAttrMultiprocessorCount = 16;
constexpr int kAttrMaxSharedPerBlockOptin = 97;
constexpr int kFuncAttrMaxDynamicSharedBytes = 8;
constexpr int kStreamCaptureModeThreadLocal = 1;
constexpr unsigned kStreamNonBlocking = 1;
constexpr unsigned kEventDefault = 0;  // with timing (profiling, ds-cuda-probe)

// The oldest driver the backend accepts: CUDA 12.0 (graph instantiation with flags,
// the primary-context API and cubins of current toolkits).
constexpr int kMinDriverVersion = 12000;

struct DriverApi {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDriverGetVersion)(int *version);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDeviceGetName)(char *name, int length, CUdevice device);
  CUresult (*cuDeviceTotalMem)(size_t *bytes, CUdevice device);                  // _v2
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);                        // _v2
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes);                    // _v2
  CUresult (*cuMemFree)(CUdeviceptr pointer);                                    // _v2
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr dst, const void *src, size_t bytes,
                                CUstream stream);                                // _v2
  CUresult (*cuMemcpyDtoHAsync)(void *dst, CUdeviceptr src, size_t bytes,
                                CUstream stream);                                // _v2
  CUresult (*cuMemsetD8Async)(CUdeviceptr dst, unsigned char value, size_t count,
                              CUstream stream);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamDestroy)(CUstream stream);                                  // _v2
  CUresult (*cuModuleLoadData)(CUmodule *module, const void *image);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module, const char *name);
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned gridX, unsigned gridY,
                             unsigned gridZ, unsigned blockX, unsigned blockY, unsigned blockZ,
                             unsigned sharedBytes, CUstream stream, void **params,
                             void **extra);
  CUresult (*cuStreamBeginCapture)(CUstream stream, int mode);                   // _v2
  CUresult (*cuStreamEndCapture)(CUstream stream, CUgraph *graph);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *exec, CUgraph graph,
                                          unsigned long long flags);
  CUresult (*cuGraphLaunch)(CUgraphExec exec, CUstream stream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec exec);
  CUresult (*cuGraphDestroy)(CUgraph graph);
  CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                                CUstream stream);                                // _v2
  // Events time launches when a session profiles (no graphs then) and ds-cuda-probe's copies.
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuEventSynchronize)(CUevent event);
  CUresult (*cuEventElapsedTime)(float *ms, CUevent start, CUevent end);     // _v2 if present
  CUresult (*cuEventDestroy)(CUevent event);                                    // _v2
};

// A loaded driver library. Instances live for the process (the library stays loaded).
class Driver {
public:
  // The driver for the current $DS_CUDA_DRIVER_LIBRARY (else libcuda.so.1), loaded and
  // initialized (cuInit) on first use; throws Error saying why it cannot be used: no
  // library, a missing entry point, cuInit failing, a driver older than
  // kMinDriverVersion. Having no device is not an error here (deviceCount() == 0).
  static const Driver &get();
  // The device usable by the cuda backend: a driver and at least one device. `why`
  // receives the reason otherwise ("no CUDA driver library: ...", "... but no device").
  static bool deviceAvailable(std::string *why = nullptr);

  const DriverApi &api() const { return api_; }
  const std::string &libraryPath() const { return path_; }
  int version() const { return version_; }  // e.g. 12040
  // Asked of the driver each time (0 when cuInit reported no device).
  int deviceCount() const;

  // Throws Error when `result` is not success: "<call> failed with <NAME> (<text>)
  // while <step>".
  void check(CUresult result, const char *call, const std::string &step) const;
  // "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"; the number when the driver knows no name.
  std::string describe(CUresult result) const;

private:
  friend class DriverLoader;
  Driver() = default;
  DriverApi api_{};
  std::string path_;
  int version_ = 0;
  bool noDevice_ = false;  // cuInit said CUDA_ERROR_NO_DEVICE
};

// "12.4" for 12040.
std::string driverVersionText(int version);

} // namespace ds::rt::cuda
