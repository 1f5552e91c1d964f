// A fake CUDA driver over host memory for cuda_backend_test.cpp (see FakeCudaDriver.h).
// Built as libds_fake_cuda.so and loaded by the backend through DS_CUDA_DRIVER_LIBRARY.
#include "FakeCudaDriver.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace {

using CUresult = int;
constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotInitialized = 3,
                   kNoDevice = 100, kInvalidDevice = 101, kInvalidImage = 200,
                   kInvalidContext = 201, kNoBinaryForGpu = 209, kInvalidPtx = 218,
                   kInvalidHandle = 400, kNotFound = 500, kIllegalAddress = 700,
                   kLaunchFailed = 719, kStreamCaptureInvalidated = 901;

std::recursive_mutex mutex;
FakeCudaState state;
bool initialized = false;

struct Module {
  std::string image;
};
struct Function {
  std::string name;
};
struct Graph {
  std::vector<FakeCudaLaunch> launches;
};
struct Stream {
  bool capturing = false;
  Graph *graph = nullptr;
};
struct Event {
  bool recorded = false;
  double ms = 0;  // the fake clock when recorded
};

// Counts the call and returns an injected failure, if any.
CUresult injected(const char *call) {
  auto it = state.failOnce.find(call);
  if (it == state.failOnce.end()) return kSuccess;
  CUresult r = it->second;
  state.failOnce.erase(it);
  return r;
}

#define FAKE_ENTER(name)                                 \
  std::lock_guard<std::recursive_mutex> lock(mutex);     \
  if (CUresult r = injected(name)) return r;             \
  if (std::strcmp(name, "cuInit") && std::strcmp(name, "cuDriverGetVersion") && \
      std::strcmp(name, "cuGetErrorName") && std::strcmp(name, "cuGetErrorString") && !initialized) \
    return kNotInitialized;

// Whether [p, p + bytes) lies inside one live allocation.
bool inAllocation(uint64_t p, size_t bytes, std::map<uint64_t, size_t> &live) {
  auto it = live.upper_bound(p);
  if (it == live.begin()) return false;
  --it;
  return p >= it->first && p + bytes <= it->first + it->second;
}
std::map<uint64_t, size_t> live;

// ELF images: the size from the section header table; text images: NUL-terminated.
std::string imageBytes(const void *image) {
  const unsigned char *p = static_cast<const unsigned char *>(image);
  if (std::memcmp(p, "\x7f" "ELF", 4) == 0 && p[4] == 2) {
    uint64_t shoff;
    uint16_t shentsize, shnum;
    std::memcpy(&shoff, p + 0x28, 8);
    std::memcpy(&shentsize, p + 0x3a, 2);
    std::memcpy(&shnum, p + 0x3c, 2);
    return std::string(reinterpret_cast<const char *>(p), shoff + uint64_t(shentsize) * shnum);
  }
  return std::string(static_cast<const char *>(image));
}

struct Params {
  void *ptr[16];
  int64_t dims[64];
  int64_t scalars[8];
};

void execute(const FakeCudaLaunch &l) {
  state.clockMs += state.launchMsPerBlock * double(l.grid[0]) * l.grid[1] * l.grid[2];
  if (l.function.rfind("fake_add", 0) != 0) return;
  Params p;
  std::memcpy(&p, l.params.data(), sizeof(p));
  int64_t rank = p.scalars[0], n = 1;
  for (int64_t d = 0; d < rank; ++d) n *= p.dims[2 * rank + d];
  int64_t threads = int64_t(l.grid[0]) * l.grid[1] * l.grid[2] * l.block[0] * l.block[1] * l.block[2];
  int64_t count = n < threads ? n : threads;
  for (int k = 0; k < 3; ++k)
    if (!inAllocation(reinterpret_cast<uint64_t>(p.ptr[k]), count * 4, live)) {
      state.errors.push_back(l.function + ": operand " + std::to_string(k) + " is not device memory");
      return;
    }
  const float *a = static_cast<const float *>(p.ptr[0]), *b = static_cast<const float *>(p.ptr[1]);
  float *out = static_cast<float *>(p.ptr[2]);
  for (int64_t i = 0; i < count; ++i) out[i] = a[i] + b[i];
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) FakeCudaState *dsFakeCudaState() { return &state; }

CUresult cuInit(unsigned) {
  FAKE_ENTER("cuInit");
  initialized = true;
  return kSuccess;
}
CUresult cuDriverGetVersion(int *v) {
  FAKE_ENTER("cuDriverGetVersion");
  const char *env = std::getenv("DS_FAKE_CUDA_VERSION");
  *v = env ? std::atoi(env) : 12080;
  return kSuccess;
}
CUresult cuGetErrorName(CUresult e, const char **name) {
  static const std::map<int, const char *> names = {
      {kSuccess, "CUDA_SUCCESS"}, {kInvalidValue, "CUDA_ERROR_INVALID_VALUE"},
      {kOutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY"}, {kNotInitialized, "CUDA_ERROR_NOT_INITIALIZED"},
      {kNoDevice, "CUDA_ERROR_NO_DEVICE"}, {kInvalidDevice, "CUDA_ERROR_INVALID_DEVICE"},
      {kInvalidImage, "CUDA_ERROR_INVALID_IMAGE"}, {kInvalidContext, "CUDA_ERROR_INVALID_CONTEXT"},
      {kNoBinaryForGpu, "CUDA_ERROR_NO_BINARY_FOR_GPU"}, {kInvalidPtx, "CUDA_ERROR_INVALID_PTX"},
      {kInvalidHandle, "CUDA_ERROR_INVALID_HANDLE"}, {kNotFound, "CUDA_ERROR_NOT_FOUND"},
      {kIllegalAddress, "CUDA_ERROR_ILLEGAL_ADDRESS"}, {kLaunchFailed, "CUDA_ERROR_LAUNCH_FAILED"},
      {kStreamCaptureInvalidated, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"}};
  auto it = names.find(e);
  if (it == names.end()) return kInvalidValue;
  *name = it->second;
  return kSuccess;
}
CUresult cuGetErrorString(CUresult e, const char **text) {
  static const std::map<int, const char *> texts = {
      {kOutOfMemory, "out of memory"}, {kInvalidPtx, "a PTX JIT compilation failed"},
      {kNotFound, "named symbol not found"}, {kIllegalAddress, "an illegal memory access was encountered"},
      {kInvalidValue, "invalid argument"}, {kLaunchFailed, "unspecified launch failure"}};
  auto it = texts.find(e);
  if (it == texts.end()) return kInvalidValue;
  *text = it->second;
  return kSuccess;
}
CUresult cuDeviceGetCount(int *count) {
  FAKE_ENTER("cuDeviceGetCount");
  *count = state.deviceCount;
  return kSuccess;
}
CUresult cuDeviceGet(int *device, int ordinal) {
  FAKE_ENTER("cuDeviceGet");
  if (ordinal < 0 || ordinal >= state.deviceCount) return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  FAKE_ENTER("cuDeviceGetAttribute");
  switch (attribute) {
  case 75: *value = state.ccMajor; break;
  case 76: *value = state.ccMinor; break;
  case 16: *value = 132; break;
  case 97: *value = 227 * 1024; break;
  default: return kInvalidValue;
  }
  return kSuccess;
}
CUresult cuDeviceGetName(char *name, int length, int) {
  FAKE_ENTER("cuDeviceGetName");
  std::strncpy(name, state.deviceName.c_str(), length);
  return kSuccess;
}
CUresult cuDeviceTotalMem_v2(size_t *bytes, int) {
  FAKE_ENTER("cuDeviceTotalMem_v2");
  *bytes = size_t(80) << 30;
  return kSuccess;
}
CUresult cuDevicePrimaryCtxRetain(void **ctx, int) {
  FAKE_ENTER("cuDevicePrimaryCtxRetain");
  *ctx = &state;
  ++state.contextsRetained;
  return kSuccess;
}
CUresult cuDevicePrimaryCtxRelease_v2(int) {
  FAKE_ENTER("cuDevicePrimaryCtxRelease_v2");
  ++state.contextsReleased;
  return kSuccess;
}
CUresult cuCtxSetCurrent(void *ctx) {
  FAKE_ENTER("cuCtxSetCurrent");
  return ctx == &state ? kSuccess : kInvalidContext;
}
CUresult cuMemAlloc_v2(uint64_t *p, size_t bytes) {
  FAKE_ENTER("cuMemAlloc_v2");
  if (bytes == 0) return kInvalidValue;
  void *m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m) return kOutOfMemory;
  std::memset(m, 0xcd, bytes);  // garbage, as device memory would be
  *p = reinterpret_cast<uint64_t>(m);
  live[*p] = bytes;
  state.allocations.push_back(bytes);
  state.allocationAddresses.push_back(*p);
  return kSuccess;
}
CUresult cuMemFree_v2(uint64_t p) {
  FAKE_ENTER("cuMemFree_v2");
  if (!live.erase(p)) return kInvalidValue;
  std::free(reinterpret_cast<void *>(p));
  ++state.frees;
  return kSuccess;
}
CUresult cuMemcpyHtoDAsync_v2(uint64_t dst, const void *src, size_t bytes, Stream *) {
  FAKE_ENTER("cuMemcpyHtoDAsync_v2");
  if (!inAllocation(dst, bytes, live)) {
    state.errors.push_back("cuMemcpyHtoDAsync_v2 outside any allocation");
    return kInvalidValue;
  }
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  state.htod.push_back({dst, bytes});
  return kSuccess;
}
CUresult cuMemcpyDtoHAsync_v2(void *dst, uint64_t src, size_t bytes, Stream *) {
  FAKE_ENTER("cuMemcpyDtoHAsync_v2");
  if (!inAllocation(src, bytes, live)) {
    state.errors.push_back("cuMemcpyDtoHAsync_v2 outside any allocation");
    return kInvalidValue;
  }
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  state.dtoh.push_back({src, bytes});
  return kSuccess;
}
CUresult cuMemcpyDtoDAsync_v2(uint64_t dst, uint64_t src, size_t bytes, Stream *) {
  FAKE_ENTER("cuMemcpyDtoDAsync_v2");
  if (!inAllocation(dst, bytes, live) || !inAllocation(src, bytes, live)) {
    state.errors.push_back("cuMemcpyDtoDAsync_v2 outside any allocation");
    return kInvalidValue;
  }
  std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), bytes);
  state.dtod.push_back({dst, bytes});
  state.clockMs += double(bytes) / (state.copyGBps * 1e6);
  return kSuccess;
}
CUresult cuMemsetD8Async(uint64_t dst, unsigned char value, size_t count, Stream *) {
  FAKE_ENTER("cuMemsetD8Async");
  if (!inAllocation(dst, count, live)) return kInvalidValue;
  std::memset(reinterpret_cast<void *>(dst), value, count);
  return kSuccess;
}
CUresult cuStreamCreate(Stream **stream, unsigned) {
  FAKE_ENTER("cuStreamCreate");
  *stream = new Stream();
  ++state.streamsCreated;
  return kSuccess;
}
CUresult cuStreamSynchronize(Stream *) {
  FAKE_ENTER("cuStreamSynchronize");
  ++state.syncs;
  return kSuccess;
}
CUresult cuStreamDestroy_v2(Stream *s) {
  FAKE_ENTER("cuStreamDestroy_v2");
  delete s;
  ++state.streamsDestroyed;
  return kSuccess;
}
CUresult cuModuleLoadData(Module **module, const void *image) {
  FAKE_ENTER("cuModuleLoadData");
  *module = new Module{imageBytes(image)};
  state.moduleImages.push_back((*module)->image);
  return kSuccess;
}
CUresult cuModuleUnload(Module *m) {
  FAKE_ENTER("cuModuleUnload");
  delete m;
  ++state.modulesUnloaded;
  return kSuccess;
}
CUresult cuModuleGetFunction(Function **f, Module *m, const char *name) {
  FAKE_ENTER("cuModuleGetFunction");
  state.functionLookups.push_back(name);
  if (m->image.find(name) == std::string::npos) return kNotFound;
  *f = new Function{name};  // leaked, as the real driver keeps functions with the module
  return kSuccess;
}
CUresult cuFuncSetAttribute(Function *, int, int) {
  FAKE_ENTER("cuFuncSetAttribute");
  return kSuccess;
}
CUresult cuLaunchKernel(Function *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                        unsigned by, unsigned bz, unsigned shared, Stream *s, void **params,
                        void **extra) {
  FAKE_ENTER("cuLaunchKernel");
  if (!f || !params || extra) return kInvalidValue;
  if (gx == 0 || gy == 0 || gz == 0 || bx * by * bz == 0 || bx * by * bz > 1024) return kInvalidValue;
  FakeCudaLaunch l{f->name, {gx, gy, gz}, {bx, by, bz}, shared, {}, false};
  const unsigned char *bytes = static_cast<const unsigned char *>(params[0]);
  l.params.assign(bytes, bytes + sizeof(Params));
  if (s && s->capturing) {
    s->graph->launches.push_back(l);
    ++state.capturedLaunches;
    return kSuccess;
  }
  execute(l);
  state.launches.push_back(std::move(l));
  return kSuccess;
}
CUresult cuStreamBeginCapture_v2(Stream *s, int) {
  FAKE_ENTER("cuStreamBeginCapture_v2");
  if (!s || s->capturing) return kInvalidValue;
  s->capturing = true;
  s->graph = new Graph();
  ++state.captures;
  return kSuccess;
}
CUresult cuStreamEndCapture(Stream *s, Graph **graph) {
  FAKE_ENTER("cuStreamEndCapture");
  if (!s || !s->capturing) return kInvalidValue;
  s->capturing = false;
  *graph = s->graph;
  s->graph = nullptr;
  return kSuccess;
}
CUresult cuGraphInstantiateWithFlags(Graph **exec, Graph *graph, unsigned long long) {
  FAKE_ENTER("cuGraphInstantiateWithFlags");
  *exec = new Graph(*graph);
  ++state.instantiations;
  return kSuccess;
}
CUresult cuGraphLaunch(Graph *exec, Stream *) {
  FAKE_ENTER("cuGraphLaunch");
  ++state.graphLaunches;
  for (FakeCudaLaunch l : exec->launches) {
    l.fromGraph = true;
    execute(l);
    state.launches.push_back(std::move(l));
  }
  return kSuccess;
}
CUresult cuGraphExecDestroy(Graph *exec) {
  FAKE_ENTER("cuGraphExecDestroy");
  delete exec;
  ++state.graphExecsDestroyed;
  return kSuccess;
}
CUresult cuGraphDestroy(Graph *graph) {
  FAKE_ENTER("cuGraphDestroy");
  delete graph;
  return kSuccess;
}

CUresult cuEventCreate(Event **event, unsigned flags) {
  FAKE_ENTER("cuEventCreate");
  if (!event || (flags & 2)) return kInvalidValue;  // the backend needs timing events
  *event = new Event();
  ++state.eventsCreated;
  return kSuccess;
}
CUresult cuEventRecord(Event *event, Stream *s) {
  FAKE_ENTER("cuEventRecord");
  if (!event) return kInvalidHandle;
  if (s && s->capturing) state.errors.push_back("cuEventRecord on a capturing stream");
  event->recorded = true;
  event->ms = state.clockMs;
  ++state.eventRecords;
  return kSuccess;
}
CUresult cuEventSynchronize(Event *event) {
  FAKE_ENTER("cuEventSynchronize");
  return event ? kSuccess : kInvalidHandle;
}
// The fake exports the CUDA 12.8+ name only: the backend must find it by that name.
CUresult cuEventElapsedTime_v2(float *ms, Event *start, Event *end) {
  FAKE_ENTER("cuEventElapsedTime_v2");
  if (!ms || !start || !end) return kInvalidHandle;
  if (!start->recorded || !end->recorded) return kInvalidHandle;
  *ms = static_cast<float>(end->ms - start->ms);
  ++state.elapsedQueries;
  return kSuccess;
}
CUresult cuEventDestroy_v2(Event *event) {
  FAKE_ENTER("cuEventDestroy_v2");
  if (!event) return kInvalidHandle;
  delete event;
  ++state.eventsDestroyed;
  return kSuccess;
}

}  // extern "C"
