// ds-cuda-probe: what the GPU benchmarks compare against (bench/gpu_kernels.py). Prints the
// device (name, compute capability, SM count, memory, driver) and its measured
// device-to-device copy bandwidth: cuMemcpyDtoDAsync of --bytes (default 1 GiB) timed with
// CUDA events, --repeats times after one warm-up copy. Bandwidth counts the bytes read
// plus the bytes written (2 x size / time), the same convention as the "bytes" of
// ds-run --profile (inputs + outputs of a step). Uses the driver API through the runtime's
// loader (DS_CUDA_DRIVER_LIBRARY, DS_CUDA_DEVICE as for the cuda backend).
//
//   ds-cuda-probe [--bytes=N] [--repeats=N] [--json]
#include "cuda/CudaDriver.h"
#include "ds/runtime/Runtime.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

using namespace ds::rt;
using namespace ds::rt::cuda;

namespace {

int64_t parsePositive(const std::string &flag, const std::string &value) {
  char *end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || v <= 0)
    throw Error(flag + " must be a positive integer, got '" + value + "'");
  return v;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

int probe(int argc, char **argv) {
  int64_t bytes = int64_t(1) << 30;
  int repeats = 10;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    std::string flag = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (arg == "-h" || arg == "--help") {
      std::cout << "usage: ds-cuda-probe [--bytes=N (default 1073741824)] [--repeats=N (default 10)] "
                   "[--json]\n";
      return 0;
    } else if (flag == "--bytes") {
      bytes = parsePositive(flag, value);
    } else if (flag == "--repeats") {
      repeats = static_cast<int>(std::min<int64_t>(parsePositive(flag, value), 1000));
    } else if (arg == "--json") {
      json = true;
    } else {
      throw Error("unknown option '" + arg + "' (ds-cuda-probe --help)");
    }
  }
  std::string why;
  if (!Driver::deviceAvailable(&why)) throw Error("no CUDA device: " + why);
  const Driver &driver = Driver::get();
  const DriverApi &api = driver.api();
  int ordinal = 0;
  if (const char *env = std::getenv("DS_CUDA_DEVICE"); env && *env) ordinal = std::atoi(env);
  CUdevice device = 0;
  driver.check(api.cuDeviceGet(&device, ordinal), "cuDeviceGet", "opening the device");
  char name[256] = {0};
  driver.check(api.cuDeviceGetName(name, sizeof(name) - 1, device), "cuDeviceGetName", "reading the name");
  int major = 0, minor = 0, sms = 0;
  driver.check(api.cuDeviceGetAttribute(&major, kAttrComputeCapabilityMajor, device),
               "cuDeviceGetAttribute", "reading the compute capability");
  driver.check(api.cuDeviceGetAttribute(&minor, kAttrComputeCapabilityMinor, device),
               "cuDeviceGetAttribute", "reading the compute capability");
  driver.check(api.cuDeviceGetAttribute(&sms, kAttrMultiprocessorCount, device),
               "cuDeviceGetAttribute", "reading the SM count");
  size_t memory = 0;
  driver.check(api.cuDeviceTotalMem(&memory, device), "cuDeviceTotalMem_v2", "reading the memory size");

  CUcontext context = nullptr;
  driver.check(api.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain", "creating the context");
  driver.check(api.cuCtxSetCurrent(context), "cuCtxSetCurrent", "selecting the device");
  CUstream stream = nullptr;
  driver.check(api.cuStreamCreate(&stream, kStreamNonBlocking), "cuStreamCreate", "creating a stream");
  CUdeviceptr src = 0, dst = 0;
  const std::string what = "the " + std::to_string(bytes) + "-byte copy benchmark";
  driver.check(api.cuMemAlloc(&src, bytes), "cuMemAlloc_v2", "allocating " + what);
  driver.check(api.cuMemAlloc(&dst, bytes), "cuMemAlloc_v2", "allocating " + what);
  driver.check(api.cuMemsetD8Async(src, 0x3c, bytes, stream), "cuMemsetD8Async", "filling " + what);
  CUevent start = nullptr, end = nullptr;
  driver.check(api.cuEventCreate(&start, kEventDefault), "cuEventCreate", "creating events");
  driver.check(api.cuEventCreate(&end, kEventDefault), "cuEventCreate", "creating events");
  std::vector<double> ms;
  for (int r = 0; r <= repeats; ++r) {  // r == 0: warm-up
    driver.check(api.cuEventRecord(start, stream), "cuEventRecord", what);
    driver.check(api.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2", what);
    driver.check(api.cuEventRecord(end, stream), "cuEventRecord", what);
    driver.check(api.cuEventSynchronize(end), "cuEventSynchronize", what);
    float t = 0;
    driver.check(api.cuEventElapsedTime(&t, start, end), "cuEventElapsedTime", what);
    if (r > 0) ms.push_back(t);
  }
  api.cuEventDestroy(start);
  api.cuEventDestroy(end);
  api.cuMemFree(src);
  api.cuMemFree(dst);
  api.cuStreamDestroy(stream);
  api.cuDevicePrimaryCtxRelease(device);

  std::sort(ms.begin(), ms.end());
  double best = ms.front(), median = ms[ms.size() / 2];
  auto gbps = [&](double t) { return t > 0 ? 2.0 * static_cast<double>(bytes) / (t * 1e6) : 0.0; };
  std::string cc = std::to_string(major) + "." + std::to_string(minor);
  if (json) {
    std::printf("{\"device\": %s, \"compute_capability\": \"%s\", \"sm_count\": %d, "
                "\"memory_bytes\": %zu, \"driver\": \"%s\", \"copy_bytes\": %lld, "
                "\"copy_repeats\": %d, \"copy_ms_best\": %.6f, \"copy_ms_median\": %.6f, "
                "\"copy_gbps\": %.3f, \"copy_gbps_median\": %.3f}\n",
                jsonString(name).c_str(), cc.c_str(), sms, memory,
                driverVersionText(driver.version()).c_str(), static_cast<long long>(bytes),
                repeats, best, median, gbps(best), gbps(median));
  } else {
    std::printf("device: %s\ncompute capability: %s\nSMs: %d\nmemory: %.1f GiB\ndriver: %s\n",
                name, cc.c_str(), sms, static_cast<double>(memory) / (1 << 30),
                driverVersionText(driver.version()).c_str());
    std::printf("D2D copy of %lld bytes, %d runs: best %.3f ms, median %.3f ms -> %.1f GB/s "
                "(best), %.1f GB/s (median), counting read + write\n",
                static_cast<long long>(bytes), repeats, best, median, gbps(best), gbps(median));
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    return probe(argc, argv);
  } catch (const std::exception &e) {
    std::cerr << "ds-cuda-probe: error: " << e.what() << "\n";
    return 1;
  }
}
