// The state of the fake CUDA driver (fake_cuda_driver.cpp → libds_fake_cuda.so), shared by
// the library and cuda_backend_test.cpp, which reaches it with dlsym("dsFakeCudaState").
// The fake implements the driver entry points the cuda backend uses over host memory:
// allocations are malloc, copies memcpy, modules record their image, launches record
// name / grid / block / params. One kernel does real work so data paths can be checked:
// a function whose name starts with "fake_add" computes ptr[2][i] = ptr[0][i] + ptr[1][i]
// (f32) for i < min(numel, threads launched), numel = product of the output dims, which
// follow 2 * rank input dims in params.dims (rank = params.scalars[0]).
// Time: a fake clock (clockMs) advances as work executes: launchMsPerBlock per block of a
// launch, bytes / (copyGBps * 1e6) ms per device-to-device copy. An event records the
// clock, so cuEventElapsedTime reports the fake work between two events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct FakeCudaLaunch {
  std::string function;
  unsigned grid[3];
  unsigned block[3];
  unsigned sharedBytes;
  std::vector<unsigned char> params;  // the KernelParams bytes (704)
  bool fromGraph;                     // replayed by cuGraphLaunch
};

struct FakeCudaCopy {
  uint64_t device;
  size_t bytes;
};

struct FakeCudaState {
  // Configuration (read at each call).
  int deviceCount = 1;
  int ccMajor = 9, ccMinor = 0;
  std::string deviceName = "Fake GPU";
  std::map<std::string, int> failOnce;  // entry point -> CUresult returned by its next call
  double launchMsPerBlock = 0.25;
  double copyGBps = 1000;
  // Records.
  std::vector<size_t> allocations;      // sizes, in order
  std::vector<uint64_t> allocationAddresses;
  int frees = 0;
  std::vector<FakeCudaCopy> htod, dtoh;
  std::vector<std::string> moduleImages;
  int modulesUnloaded = 0;
  std::vector<std::string> functionLookups;
  std::vector<FakeCudaLaunch> launches;  // executed (direct or replayed)
  int captures = 0, capturedLaunches = 0, instantiations = 0, graphLaunches = 0;
  int graphExecsDestroyed = 0;
  int contextsRetained = 0, contextsReleased = 0, streamsCreated = 0, streamsDestroyed = 0;
  int syncs = 0;
  double clockMs = 0;
  std::vector<FakeCudaCopy> dtod;
  int eventsCreated = 0, eventsDestroyed = 0, eventRecords = 0, elapsedQueries = 0;
  std::vector<std::string> errors;  // misuse the fake detected (bad pointers, ...)

  void resetRecords() {
    FakeCudaState fresh;
    fresh.deviceCount = deviceCount;
    fresh.ccMajor = ccMajor;
    fresh.ccMinor = ccMinor;
    fresh.deviceName = deviceName;
    fresh.launchMsPerBlock = launchMsPerBlock;
    fresh.copyGBps = copyGBps;
    *this = fresh;
  }
};
