// The cuda backend without a GPU: a missing driver (the device is absent and says why),
// and a fake driver over host memory (libds_fake_cuda.so, FakeCudaDriver.h) that records
// what the backend asks of the driver: allocations, copies, modules, launches, graphs.
#include "Backend.h"
#include "FakeCudaDriver.h"
#include "TestBundle.h"
#include "cuda/Nvrtc.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace ds::rt;
using json = nlohmann::json;

namespace {

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// Sets an environment variable for the scope; restores the previous value.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    const char *old = std::getenv(name);
    if (old) old_ = old;
    had_ = old != nullptr;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_.c_str(), old_.c_str(), 1);
    else unsetenv(name_.c_str());
  }

private:
  std::string name_, old_;
  bool had_ = false;
};

struct Params {
  uint64_t ptr[16];
  int64_t dims[64];
  int64_t scalars[8];
};
Params paramsOf(const FakeCudaLaunch &l) {
  Params p;
  EXPECT_EQ(l.params.size(), sizeof(Params));
  std::memcpy(&p, l.params.data(), sizeof(p));
  return p;
}

json value(int id, json shape, const char *def, int ref) {
  json v = {{"id", id}, {"dtype", "f32"}, {"shape", shape}, {"def", def}};
  if (std::string(def) == "input") v["index"] = ref;
  if (std::string(def) == "step") v["step"] = ref;
  return v;
}

json kernelEntry(const std::string &name, int perBlock, int operand, int rank,
                 const char *of = "numel", int axis = 0) {
  json grid = {{"per_block", perBlock}, {"of", of}, {"operand", operand}};
  if (std::string(of) == "rows") grid["axis"] = axis;
  return {{"name", name},
          {"source", "kernels/" + name + ".cu"},
          {"launch", {{"block", {perBlock, 1, 1}}, {"shared_bytes", 0}, {"grid", grid}}},
          {"scalars", {rank}}};
}

json binaryStep(json inputs, json outputs, const json &kernel) {
  json s = {{"kind", "binary"}, {"name", "/add"}, {"inputs", inputs}, {"outputs", outputs},
            {"attrs", {{"fn", "add"}}}};
  if (!kernel.is_null()) s["kernel"] = kernel;
  return s;
}

// A CUDA source NVRTC compiles: the fake only needs the name in the image.
std::string kernelSource(const std::string &name) {
  return "#include \"mini.cuh\"\n"
         "extern \"C\" __global__ void " + name + "(ds::KernelParams params) {\n"
         "  long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
         "#ifdef DS_SPECIALIZED_DIMS\n"
         "  const long long dims[] = DS_SPECIALIZED_DIMS;\n"
         "  long long n = dims[2];\n"
         "#else\n"
         "  long long n = params.dims[2];\n"
         "#endif\n"
         "  if (i < n) ((float *)params.ptr[2])[i] = ((const float *)params.ptr[0])[i] +\n"
         "                                             ((const float *)params.ptr[1])[i];\n"
         "}\n";
}
const char *kMiniHeader =
    "namespace ds { struct KernelParams { void *ptr[16]; long long dims[64]; "
    "long long scalars[8]; }; }\n";

// Which prebuilt images the bundle's kernels directory gets.
struct Images {
  std::vector<std::string> cubinArchs;  // fake cubins (text naming arch and kernel)
  bool ptx = true;
  bool source = true;
};

void writeKernelFiles(const std::string &bundle, const std::string &name, const Images &images) {
  std::string dir = bundle + "/kernels";
  std::filesystem::create_directories(dir);
  for (const auto &arch : images.cubinArchs)
    dstest::writeFile(dir + "/" + name + "." + arch + ".cubin", "FAKECUBIN " + arch + " " + name);
  if (images.ptx) dstest::writeFile(dir + "/" + name + ".ptx", "// PTX for " + name + "\n");
  if (images.source) dstest::writeFile(dir + "/" + name + ".cu", kernelSource(name));
  dstest::writeFile(dir + "/mini.cuh", kMiniHeader);
}

// out = (x + w) + x with x: f32 [5] (static), w: weight [5]; both steps use kernel K.
std::string staticBundle(const Images &images, bool withKernels = true) {
  std::string k = "fake_add_static";
  json m = {{"format_version", 1},
            {"inputs", {{{"name", "x"}, {"dtype", "f32"}, {"shape", {5}}}}},
            {"outputs", {{{"name", "y"}, {"dtype", "f32"}, {"shape", {5}}}}}};
  json kernel = withKernels ? kernelEntry(k, 4, 2, 1) : json();
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {3}},
            {"values", {value(0, {5}, "input", 0),
                        {{"id", 1}, {"dtype", "f32"}, {"shape", {5}}, {"def", "weight"}, {"weight", "w"}},
                        value(2, {5}, "step", 0), value(3, {5}, "step", 1)}},
            {"steps", {binaryStep({0, 1}, {2}, kernel), binaryStep({2, 0}, {3}, kernel)}}};
  std::string dir = dstest::writeBundle(
      m, s, {{"w", {"f32", {5}, dstest::bytesOf(std::vector<float>{10, 20, 30, 40, 50})}}});
  writeKernelFiles(dir, k, images);
  return dir;
}

// y = a + b with a, b, y: f32 ["n"].
std::string dynamicBundle(const Images &images) {
  std::string k = "fake_add_dynamic";
  json m = {{"format_version", 1},
            {"inputs", {{{"name", "a"}, {"dtype", "f32"}, {"shape", {"n"}}},
                        {{"name", "b"}, {"dtype", "f32"}, {"shape", {"n"}}}}},
            {"outputs", {{{"name", "y"}, {"dtype", "f32"}, {"shape", {"n"}}}}}};
  json s = {{"format_version", 1}, {"inputs", {0, 1}}, {"outputs", {2}},
            {"values", {value(0, {-1}, "input", 0), value(1, {-1}, "input", 1), value(2, {-1}, "step", 0)}},
            {"steps", {binaryStep({0, 1}, {2}, kernelEntry(k, 3, 2, 1))}}};
  std::string dir = dstest::writeBundle(m, s);
  writeKernelFiles(dir, k, images);
  return dir;
}

std::vector<float> iota(int n, float start) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

class CudaBackendTest : public ::testing::Test {
protected:
  void SetUp() override {
    env_ = std::make_unique<ScopedEnv>("DS_CUDA_DRIVER_LIBRARY", DS_FAKE_CUDA_DRIVER);
    cacheDir_ = dstest::makeTempDir();
    cacheEnv_ = std::make_unique<ScopedEnv>("DS_CACHE_DIR", cacheDir_.c_str());
    graphsEnv_ = std::make_unique<ScopedEnv>("DS_CUDA_GRAPHS", nullptr);
    void *handle = dlopen(DS_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    auto get = reinterpret_cast<FakeCudaState *(*)()>(dlsym(handle, "dsFakeCudaState"));
    ASSERT_NE(get, nullptr);
    fake = get();
    fake->deviceCount = 1;
    fake->ccMajor = 9;
    fake->ccMinor = 0;
    fake->resetRecords();
  }
  void TearDown() override {
    if (fake) EXPECT_TRUE(fake->errors.empty()) << fake->errors.front();
  }

  FakeCudaState *fake = nullptr;
  std::string cacheDir_;

private:
  std::unique_ptr<ScopedEnv> env_, cacheEnv_, graphsEnv_;
};

std::string sessionError(const std::string &bundle, const std::string &device) {
  try {
    Session s(Bundle::load(bundle), {device});
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CudaDriverMissing, DeviceAbsentWithReason) {
  ScopedEnv env("DS_CUDA_DRIVER_LIBRARY", "/nonexistent/libcuda.so.1");
  std::vector<std::string> devices = availableDevices();
  EXPECT_EQ(std::find(devices.begin(), devices.end(), "cuda"), devices.end());
  std::string why;
  EXPECT_FALSE(cudaAvailable(&why));
  EXPECT_CONTAINS(why, "no CUDA driver library");
  EXPECT_CONTAINS(why, "/nonexistent/libcuda.so.1");
  std::string bundle = staticBundle({});
  std::string err = sessionError(bundle, "cuda");
  EXPECT_CONTAINS(err, "device 'cuda' is not available: no CUDA driver library");
  EXPECT_CONTAINS(err, "available: cpu");
  EXPECT_EQ(resolveDevice("auto"), "cpu");
}

TEST(CudaDriverMissing, DriverTooOld) {
  // A copy of the fake at another path: a separate library instance reporting CUDA 11.8.
  std::string dir = dstest::makeTempDir();
  std::filesystem::copy_file(DS_FAKE_CUDA_DRIVER, dir + "/libcuda.so.1");
  ScopedEnv version("DS_FAKE_CUDA_VERSION", "11080");
  ScopedEnv env("DS_CUDA_DRIVER_LIBRARY", (dir + "/libcuda.so.1").c_str());
  std::string why;
  EXPECT_FALSE(cudaAvailable(&why));
  EXPECT_CONTAINS(why, "is too old: version 11.8, the cuda backend needs 12.0");
  EXPECT_CONTAINS(sessionError(staticBundle({}), "cuda"), "too old");
}

TEST_F(CudaBackendTest, NoDevice) {
  fake->deviceCount = 0;
  std::string why;
  EXPECT_FALSE(cudaAvailable(&why));
  EXPECT_CONTAINS(why, "was found but reports no device");
  EXPECT_CONTAINS(sessionError(staticBundle({}), "cuda"), "reports no device");
  EXPECT_EQ(resolveDevice("auto"), "cpu");
}

TEST_F(CudaBackendTest, AutoPrefersCuda) {
  EXPECT_EQ(availableDevices().front(), "cuda");
  EXPECT_EQ(resolveDevice("auto"), "cuda");
  Session s(Bundle::load(staticBundle({{"sm_90"}})), {"auto"});
  EXPECT_EQ(s.device(), "cuda");
}

TEST_F(CudaBackendTest, StaticRunBookkeepingAndGraphs) {
  auto bundle = Bundle::load(staticBundle({{"sm_90"}}));
  {
    Session session(bundle, {"cuda"});
    // Session creation: the weights (one allocation, one upload), the module (both steps
    // share the kernel: loaded once, from the sm_90 cubin).
    ASSERT_EQ(fake->allocations.size(), 1u);
    EXPECT_EQ(fake->allocations[0], 256u);
    ASSERT_EQ(fake->htod.size(), 1u);
    EXPECT_EQ(fake->htod[0].bytes, 20u);
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0], "FAKECUBIN sm_90 fake_add_static");
    uint64_t weights = fake->allocationAddresses[0];

    for (int call = 0; call < 4; ++call) {
      std::vector<float> x = iota(5, static_cast<float>(call));
      auto out = session.run({dstest::f32Tensor({5}, x)});
      ASSERT_EQ(out.size(), 1u);
      std::vector<float> expected = {10, 20, 30, 40, 50};
      for (int i = 0; i < 5; ++i) expected[i] += 2 * x[i];
      EXPECT_EQ(dstest::f32Values(out[0]), expected) << "call " << call;
    }
    // One device block for the plan, allocated once: arena + input slot + output slot.
    ASSERT_EQ(fake->allocations.size(), 2u);
    EXPECT_EQ(fake->allocations[1], 768u) << "arena 64 (value 2), x and y slots, 256-aligned";
    EXPECT_EQ(session.lastArenaBytes(), 64u);
    EXPECT_EQ(fake->htod.size(), 1u + 4u) << "weights once, then x per call";
    ASSERT_EQ(fake->dtoh.size(), 4u);
    for (const auto &c : fake->dtoh) EXPECT_EQ(c.bytes, 20u);
    // Call 1 launches directly, call 2 captures and launches the graph, later calls replay.
    EXPECT_EQ(fake->captures, 1);
    EXPECT_EQ(fake->capturedLaunches, 2);
    EXPECT_EQ(fake->instantiations, 1);
    EXPECT_EQ(fake->graphLaunches, 3);
    ASSERT_EQ(fake->launches.size(), 8u);
    EXPECT_FALSE(fake->launches[0].fromGraph);
    EXPECT_TRUE(fake->launches[2].fromGraph);
    // Launch configuration: 5 elements, 4 per block -> 2 blocks of (4, 1, 1).
    const FakeCudaLaunch &l0 = fake->launches[0], &l1 = fake->launches[1];
    EXPECT_EQ(l0.function, "fake_add_static");
    EXPECT_EQ(l0.grid[0], 2u);
    EXPECT_EQ(l0.grid[1], 1u);
    EXPECT_EQ(l0.block[0], 4u);
    EXPECT_EQ(l0.block[1], 1u);
    // Params: operands in order (inputs then outputs), dims flattened, scalars.
    Params p0 = paramsOf(l0), p1 = paramsOf(l1);
    uint64_t block = fake->allocationAddresses[1];
    EXPECT_EQ(p0.ptr[0], block + 256) << "x: its slot after the 64-byte arena (aligned to 256)";
    EXPECT_EQ(p0.ptr[1], weights) << "w: the session's weight copy";
    EXPECT_EQ(p0.ptr[2], block) << "value 2: arena offset 0";
    EXPECT_EQ(p0.ptr[3], 0u);
    EXPECT_EQ(p1.ptr[0], p0.ptr[2]);
    EXPECT_EQ(p1.ptr[1], p0.ptr[0]);
    EXPECT_EQ(p1.ptr[2], block + 512) << "y: the output slot";
    EXPECT_EQ(std::vector<int64_t>(p0.dims, p0.dims + 4), (std::vector<int64_t>{5, 5, 5, 0}));
    EXPECT_EQ(p0.scalars[0], 1);
    EXPECT_EQ(fake->htod[1].device, block + 256);
    EXPECT_EQ(fake->dtoh[0].device, block + 512);
  }
  // Destruction frees everything it allocated and releases the context.
  EXPECT_EQ(fake->frees, 2);
  EXPECT_EQ(fake->graphExecsDestroyed, 1);
  EXPECT_EQ(fake->modulesUnloaded, 1);
  EXPECT_EQ(fake->contextsRetained, fake->contextsReleased);
  EXPECT_EQ(fake->streamsCreated, fake->streamsDestroyed);
}

TEST_F(CudaBackendTest, GraphsCanBeDisabled) {
  ScopedEnv graphs("DS_CUDA_GRAPHS", "0");
  Session session(Bundle::load(staticBundle({{"sm_90"}})), {"cuda"});
  for (int call = 0; call < 3; ++call) session.run({dstest::f32Tensor({5}, iota(5, 1))});
  EXPECT_EQ(fake->captures, 0);
  EXPECT_EQ(fake->graphLaunches, 0);
  EXPECT_EQ(fake->launches.size(), 6u);
}

TEST_F(CudaBackendTest, ModuleSelectionOrder) {
  // sm_90 device: sm_90a, then sm_90; never another major.
  {
    fake->resetRecords();
    Session s(Bundle::load(staticBundle({{"sm_80", "sm_90", "sm_90a"}})), {"cuda"});
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0], "FAKECUBIN sm_90a fake_add_static");
  }
  // An sm_80 cubin does not run on sm_90: PTX.
  {
    fake->resetRecords();
    Session s(Bundle::load(staticBundle({{"sm_80"}})), {"cuda"});
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0], "// PTX for fake_add_static\n");
  }
  // sm_86 runs sm_80 cubins (same major, lower minor).
  {
    fake->ccMajor = 8;
    fake->ccMinor = 6;
    fake->resetRecords();
    Session s(Bundle::load(staticBundle({{"sm_80"}})), {"cuda"});
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0], "FAKECUBIN sm_80 fake_add_static");
    fake->ccMajor = 9;
    fake->ccMinor = 0;
  }
  // Neither: NVRTC compiles the source with the bundle's headers (a real cubin).
  if (!cuda::Nvrtc::available()) GTEST_SKIP() << "NVRTC not available";
  {
    fake->resetRecords();
    Session s(Bundle::load(staticBundle({{}, false, true})), {"cuda"});
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0].substr(0, 4), "\x7f" "ELF");
    EXPECT_NE(fake->moduleImages[0].find("fake_add_static"), std::string::npos);
    auto out = s.run({dstest::f32Tensor({5}, iota(5, 0))});
    EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{10, 22, 34, 46, 58}));
  }
  // PTX the driver rejects: NVRTC from the source instead (said on stderr).
  {
    fake->resetRecords();
    fake->failOnce["cuModuleLoadData"] = 218;
    Session s(Bundle::load(staticBundle({{}, true, true})), {"cuda"});
    ASSERT_EQ(fake->moduleImages.size(), 1u);
    EXPECT_EQ(fake->moduleImages[0].substr(0, 4), "\x7f" "ELF");
  }
}

TEST_F(CudaBackendTest, DynamicShapesGridAndRecapture) {
  Session session(Bundle::load(dynamicBundle({{}, true, false})), {"cuda"});
  EXPECT_EQ(fake->moduleImages.size(), 0u) << "dynamic kernels load at first sight of a shape";
  auto run = [&](int n) {
    auto out = session.run({dstest::f32Tensor({n}, iota(n, 1)), dstest::f32Tensor({n}, iota(n, 100))});
    std::vector<float> expected(n);
    for (int i = 0; i < n; ++i) expected[i] = 101 + 2.0f * i;
    EXPECT_EQ(dstest::f32Values(out[0]), expected) << "n = " << n;
  };
  run(5);
  run(5);
  EXPECT_EQ(fake->captures, 1);
  ASSERT_EQ(fake->launches.size(), 2u);
  EXPECT_EQ(fake->launches[0].grid[0], 2u) << "ceil(5 / 3)";
  Params p = paramsOf(fake->launches[0]);
  EXPECT_EQ(std::vector<int64_t>(p.dims, p.dims + 3), (std::vector<int64_t>{5, 5, 5}));
  // New shapes: a new plan block and a new capture; the old graph is not replayed for them.
  run(7);
  run(7);
  EXPECT_EQ(fake->captures, 2);
  EXPECT_EQ(fake->instantiations, 2);
  ASSERT_EQ(fake->launches.size(), 4u);
  EXPECT_EQ(fake->launches[2].grid[0], 3u) << "ceil(7 / 3)";
  p = paramsOf(fake->launches[3]);
  EXPECT_EQ(p.dims[2], 7);
  size_t allocations = fake->allocations.size();
  // Back to 5: its plan state and graph are still there.
  run(5);
  EXPECT_EQ(fake->captures, 2);
  EXPECT_EQ(fake->allocations.size(), allocations);
  EXPECT_EQ(fake->launches.size(), 5u);
  EXPECT_EQ(paramsOf(fake->launches[4]).dims[0], 5);
  // Zero elements: nothing to launch, an empty output.
  auto out = session.run({Tensor::empty(DType::F32, {0}), Tensor::empty(DType::F32, {0})});
  EXPECT_EQ(out[0].shape(), (Shape{0}));
  EXPECT_EQ(fake->launches.size(), 5u);
  EXPECT_EQ(fake->moduleImages.size(), 1u) << "PTX serves every shape: loaded once";
}

TEST_F(CudaBackendTest, ShapeSpecializedJit) {
  if (!cuda::Nvrtc::available()) GTEST_SKIP() << "NVRTC not available";
  Session session(Bundle::load(dynamicBundle({{}, false, true})), {"cuda"});
  session.run({dstest::f32Tensor({5}, iota(5, 1)), dstest::f32Tensor({5}, iota(5, 1))});
  session.run({dstest::f32Tensor({9}, iota(9, 1)), dstest::f32Tensor({9}, iota(9, 1))});
  session.run({dstest::f32Tensor({5}, iota(5, 1)), dstest::f32Tensor({5}, iota(5, 1))});
  // One module per concrete shape; the kernel cache got one entry each.
  EXPECT_EQ(fake->moduleImages.size(), 2u);
  EXPECT_NE(fake->moduleImages[0], fake->moduleImages[1]);
  size_t entries = 0;
  for (const auto &e : std::filesystem::directory_iterator(cacheDir_))
    entries += e.path().extension() == ".kernel";
  EXPECT_EQ(entries, 2u);
}

TEST_F(CudaBackendTest, RowsGridRule) {
  // x: [3, 5] -> grid over rows before axis 1: 3 rows, 2 per block -> 2 blocks.
  std::string k = "fake_add_rows";
  json m = {{"format_version", 1},
            {"inputs", {{{"name", "x"}, {"dtype", "f32"}, {"shape", {3, 5}}}}},
            {"outputs", {{{"name", "y"}, {"dtype", "f32"}, {"shape", {3, 5}}}}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {1}},
            {"values", {value(0, {3, 5}, "input", 0), value(1, {3, 5}, "step", 0)}},
            {"steps", {binaryStep({0, 0}, {1}, kernelEntry(k, 2, 0, 2, "rows", 1))}}};
  std::string dir = dstest::writeBundle(m, s);
  writeKernelFiles(dir, k, {{"sm_90"}, false, false});
  Session session(Bundle::load(dir), {"cuda"});
  session.run({dstest::f32Tensor({3, 5}, iota(15, 0))});
  ASSERT_EQ(fake->launches.size(), 1u);
  EXPECT_EQ(fake->launches[0].grid[0], 2u);
  Params p = paramsOf(fake->launches[0]);
  EXPECT_EQ(p.ptr[0], p.ptr[1]) << "the same value twice";
  EXPECT_EQ(std::vector<int64_t>(p.dims, p.dims + 6), (std::vector<int64_t>{3, 5, 3, 5, 3, 5}));
}

TEST_F(CudaBackendTest, StepsWithoutKernelsAreErrors) {
  std::string err = sessionError(staticBundle({}, /*withKernels=*/false), "cuda");
  EXPECT_CONTAINS(err, "the cuda backend cannot run step kind 'binary' (steps 0, 1) yet");
  EXPECT_CONTAINS(err, "no generated CUDA kernel");
  EXPECT_TRUE(fake->launches.empty());
}

TEST_F(CudaBackendTest, DriverErrorsNameTheCall) {
  fake->failOnce["cuMemAlloc_v2"] = 2;
  std::string err = sessionError(staticBundle({{"sm_90"}}), "cuda");
  EXPECT_CONTAINS(err, "cuMemAlloc_v2 failed with CUDA_ERROR_OUT_OF_MEMORY (out of memory) while "
                       "allocating 256 bytes of device memory for the weights");
  EXPECT_EQ(fake->contextsRetained, fake->contextsReleased) << "a failed session releases the context";

  fake->failOnce["cuModuleGetFunction"] = 500;
  err = sessionError(staticBundle({{"sm_90"}}), "cuda");
  EXPECT_CONTAINS(err, "cuModuleGetFunction failed with CUDA_ERROR_NOT_FOUND");
  EXPECT_CONTAINS(err, "kernel 'fake_add_static' of step 0 (binary '/add')");

  fake->failOnce["cuModuleLoadData"] = 218;
  err = sessionError(staticBundle({{}, true, false}), "cuda");
  EXPECT_CONTAINS(err, "cuModuleLoadData failed with CUDA_ERROR_INVALID_PTX");
  EXPECT_CONTAINS(err, "fake_add_static.ptx");

  Session session(Bundle::load(staticBundle({{"sm_90"}})), {"cuda"});
  fake->failOnce["cuLaunchKernel"] = 719;
  try {
    session.run({dstest::f32Tensor({5}, iota(5, 0))});
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "cuLaunchKernel failed with CUDA_ERROR_LAUNCH_FAILED");
    EXPECT_CONTAINS(e.what(), "step 0 (binary '/add')");
  }
  // A failed launch during capture ends the capture; the next call works.
  session.run({dstest::f32Tensor({5}, iota(5, 0))});
  fake->failOnce["cuLaunchKernel"] = 719;
  EXPECT_THROW(session.run({dstest::f32Tensor({5}, iota(5, 0))}), Error);
  auto out = session.run({dstest::f32Tensor({5}, iota(5, 0))});
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{10, 22, 34, 46, 58}));
}

TEST_F(CudaBackendTest, BadKernelEntry) {
  std::string dir = staticBundle({{"sm_90"}});
  json steps = json::parse(dstest::readFile(dir + "/steps.json"));
  steps["steps"][0]["kernel"]["launch"]["grid"]["operand"] = 7;
  dstest::writeFile(dir + "/steps.json", steps.dump());
  EXPECT_CONTAINS(sessionError(dir, "cuda"),
                  "step 0 (binary '/add') field 'kernel'.launch.grid.operand must be an "
                  "operand index in [0, 3), got 7");
  steps["steps"][0]["kernel"]["launch"]["grid"]["operand"] = 2;
  steps["steps"][0]["kernel"]["launch"]["block"] = {64, 32, 1};
  dstest::writeFile(dir + "/steps.json", steps.dump());
  EXPECT_CONTAINS(sessionError(dir, "cuda"),
                  "launch.block [64,32,1] exceeds a block's limits (1024 threads, z <= 64)");
  steps["steps"][0]["kernel"]["launch"]["block"] = {64, 1, 1};
  steps["steps"][0]["kernel"]["launch"]["grid"] = {{"of", "tiles"}, {"tiles", {{2, 0, 2, 0}}}};
  dstest::writeFile(dir + "/steps.json", steps.dump());
  EXPECT_CONTAINS(sessionError(dir, "cuda"), "needs 0 <= begin <= end and per >= 1");
}

TEST_F(CudaBackendTest, ProfileTimesEachLaunchWithEvents) {
  fake->launchMsPerBlock = 0.25;
  SessionOptions options;
  options.device = "cuda";
  options.profile = true;
  auto bundle = Bundle::load(staticBundle({{"sm_90"}}));
  {
    Session session(bundle, options);
    for (int call = 0; call < 3; ++call) {
      std::vector<float> x = iota(5, static_cast<float>(call));
      auto out = session.run({dstest::f32Tensor({5}, x)});
      std::vector<float> expected = {10, 20, 30, 40, 50};
      for (int i = 0; i < 5; ++i) expected[i] += 2 * x[i];
      EXPECT_EQ(dstest::f32Values(out[0]), expected) << "call " << call;
    }
    // Profiling launches directly (events cannot time the launches inside a graph).
    EXPECT_EQ(fake->captures, 0);
    EXPECT_EQ(fake->graphLaunches, 0);
    EXPECT_EQ(fake->launches.size(), 6u);
    // One pair of events per launch, made once per plan and reused by every call.
    EXPECT_EQ(fake->eventsCreated, 4);
    EXPECT_EQ(fake->eventRecords, 12);
    EXPECT_EQ(fake->elapsedQueries, 6);
    const auto &profile = session.profile();
    ASSERT_EQ(profile.size(), 2u);
    for (int step = 0; step < 2; ++step) {
      const StepProfile &p = profile[step];
      EXPECT_EQ(p.step, step);
      EXPECT_EQ(p.kind, "binary");
      EXPECT_EQ(p.calls, 3);
      // 2 blocks per launch at 0.25 fake ms each, three calls.
      EXPECT_NEAR(p.totalMs, 3 * 0.5, 1e-6) << "step " << step;
      EXPECT_EQ(p.shapes, (std::vector<Shape>{{5}, {5}, {5}}));
      EXPECT_EQ(p.bytes, 60);
    }
    session.resetProfile();
    EXPECT_EQ(session.profile()[0].calls, 0);
    EXPECT_EQ(session.profile()[0].totalMs, 0.0);
    session.run({dstest::f32Tensor({5}, iota(5, 0))});
    EXPECT_EQ(session.profile()[1].calls, 1);
    EXPECT_NEAR(session.profile()[1].totalMs, 0.5, 1e-6);
  }
  EXPECT_EQ(fake->eventsDestroyed, fake->eventsCreated);

  // The cpu backend reports the same shapes and bytes for the same steps.
  options.device = "cpu";
  Session cpu(bundle, options);
  cpu.run({dstest::f32Tensor({5}, iota(5, 0))});
  for (int step = 0; step < 2; ++step) {
    EXPECT_EQ(cpu.profile()[step].calls, 1);
    EXPECT_EQ(cpu.profile()[step].shapes, (std::vector<Shape>{{5}, {5}, {5}}));
    EXPECT_EQ(cpu.profile()[step].bytes, 60);
  }
}

TEST_F(CudaBackendTest, ProfilePerShapeAndWithoutProfiling) {
  fake->launchMsPerBlock = 0.5;
  SessionOptions options;
  options.device = "cuda";
  options.profile = true;
  auto bundle = Bundle::load(dynamicBundle({{}, true, false}));
  {
    Session session(bundle, options);
    auto run = [&](int n) {
      session.run({dstest::f32Tensor({n}, iota(n, 1)), dstest::f32Tensor({n}, iota(n, 1))});
    };
    run(10);  // ceil(10 / 3) = 4 blocks: 2 ms
    run(4);   // 2 blocks: 1 ms
    run(0);   // nothing launched: no time, no call
    const StepProfile &p = session.profile()[0];
    EXPECT_EQ(p.calls, 2);
    EXPECT_NEAR(p.totalMs, 3.0, 1e-6);
    EXPECT_EQ(p.shapes, (std::vector<Shape>{{0}, {0}, {0}}));
    EXPECT_EQ(p.bytes, 0);
    run(7);
    EXPECT_EQ(session.profile()[0].shapes, (std::vector<Shape>{{7}, {7}, {7}}));
    EXPECT_EQ(session.profile()[0].bytes, 3 * 7 * 4);
    EXPECT_EQ(fake->captures, 0);
  }
  EXPECT_EQ(fake->eventsDestroyed, fake->eventsCreated);
  // Without profiling: no events, graphs as usual, an empty profile.
  fake->resetRecords();
  Session plain(bundle, {"cuda"});
  for (int i = 0; i < 3; ++i)
    plain.run({dstest::f32Tensor({5}, iota(5, 1)), dstest::f32Tensor({5}, iota(5, 1))});
  EXPECT_EQ(fake->eventsCreated, 0);
  EXPECT_EQ(fake->captures, 1);
  EXPECT_EQ(plain.profile()[0].calls, 0);
}

TEST_F(CudaBackendTest, ProfileEventErrorsNameTheCall) {
  SessionOptions options;
  options.device = "cuda";
  options.profile = true;
  Session session(Bundle::load(staticBundle({{"sm_90"}})), options);
  fake->failOnce["cuEventElapsedTime_v2"] = 400;
  try {
    session.run({dstest::f32Tensor({5}, iota(5, 0))});
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "cuEventElapsedTime failed with CUDA_ERROR_INVALID_HANDLE");
    EXPECT_CONTAINS(e.what(), "reading the time of kernel 'fake_add_static' of step 0");
  }
}
