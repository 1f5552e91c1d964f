// The persistent kernel cache: keys, miss then hit (no NVRTC call on a hit, also across
// cache objects), corrupt / truncated / foreign entries rebuilt, DS_DISABLE_CACHE, two
// processes compiling the same kernel at once, parallel compileMany. Plus the NVRTC
// compile-time benchmark (DS_NVRTC_BENCH=1).
#include "Kernel.h"
#include "TestKernels.h"
#include "TestProcess.h"
#include "EmbeddedKernelHeaders.h"
#include "cuda/KernelCache.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

extern char **environ;

using namespace ds::rt;
using namespace ds::rt::cuda;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string makeTempDir() {
  char pattern[] = "/tmp/ds-kcache-test-XXXXXX";
  const char *dir = mkdtemp(pattern);
  return dir ? dir : "";
}

void removeTree(const std::string &dir) {
  if (!dir.empty() && dir.rfind("/tmp/ds-kcache-test-", 0) == 0)
    std::system(("rm -rf '" + dir + "'").c_str());
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *entry = readdir(d))
      if (std::strcmp(entry->d_name, ".") && std::strcmp(entry->d_name, ".."))
        names.push_back(entry->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

size_t countEndingWith(const std::vector<std::string> &names, const std::string &suffix) {
  return std::count_if(names.begin(), names.end(), [&](const std::string &name) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}
size_t countContaining(const std::vector<std::string> &names, const std::string &part) {
  return std::count_if(names.begin(), names.end(),
                       [&](const std::string &name) { return name.find(part) != std::string::npos; });
}

// Sets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name))
      old_ = old, hadOld_ = true;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (hadOld_)
      setenv(name_.c_str(), old_.c_str(), 1);
    else
      unsetenv(name_.c_str());
  }

private:
  std::string name_, old_;
  bool hadOld_ = false;
};

using dstest::spawnSelf;
using dstest::waitExit;

// A small kernel; `value` makes distinct sources.
CompileRequest addKernel(int value, const std::string &arch = "sm_80") {
  CompileRequest request;
  request.name = "add_" + std::to_string(value);
  request.source = "extern \"C\" __global__ void add_" + std::to_string(value) +
                   "(float *out, const float *in, long n) {\n"
                   "  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;\n"
                   "  if (i < n) out[i] = in[i] + " + std::to_string(value) + ".0f;\n}\n";
  request.arch = arch;
  return request;
}

bool hasFunction(const CompileResult &result, const std::string &name) {
  std::vector<std::string> names = cubinFunctionSymbols(result.cubin);
  return std::find(names.begin(), names.end(), name) != names.end();
}

class KernelCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!Nvrtc::available(&why))
      GTEST_SKIP() << why;
    dir_ = makeTempDir();
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { removeTree(dir_); }

  std::string dir_;
  ScopedEnv noDisable_{"DS_DISABLE_CACHE", nullptr};
};

} // namespace

TEST(KernelCacheDirectory, EnvironmentPrecedence) {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv dsDir("DS_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(KernelCache::defaultDirectory(), "/home/someone/.cache/ds/kernels");
  }
  {
    ScopedEnv dsDir("DS_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
    EXPECT_EQ(KernelCache::defaultDirectory(), "/xdg/ds/kernels");
  }
  {
    ScopedEnv dsDir("DS_CACHE_DIR", "/explicit/dir");
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
    EXPECT_EQ(KernelCache::defaultDirectory(), "/explicit/dir");
    EXPECT_EQ(KernelCache().directory(), "/explicit/dir");
  }
  {
    ScopedEnv disable("DS_DISABLE_CACHE", "1");
    EXPECT_TRUE(KernelCache::disabledByEnvironment());
    EXPECT_FALSE(KernelCache("/tmp/x").enabled());
  }
  {
    ScopedEnv disable("DS_DISABLE_CACHE", "0");
    EXPECT_FALSE(KernelCache::disabledByEnvironment());
  }
}

TEST_F(KernelCacheTest, KeyCoversEverythingThatShapesTheOutput) {
  KernelCache cache(dir_);
  CompileRequest base = addKernel(1);
  base.headers["a.cuh"] = "#define A 1\n";
  std::string key = cache.keyOf(base);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(cache.keyOf(base), key);
  EXPECT_EQ(KernelCache(dir_ + "/elsewhere").keyOf(base), key);  // not the directory

  auto differs = [&](const char *what, auto change) {
    CompileRequest changed = base;
    change(changed);
    EXPECT_NE(cache.keyOf(changed), key) << what;
  };
  differs("source", [](CompileRequest &r) { r.source += " "; });
  differs("header text", [](CompileRequest &r) { r.headers["a.cuh"] = "#define A 2\n"; });
  differs("header name", [](CompileRequest &r) {
    r.headers.clear();
    r.headers["b.cuh"] = "#define A 1\n";
  });
  differs("extra header", [](CompileRequest &r) { r.headers["c.cuh"] = ""; });
  differs("option", [](CompileRequest &r) { r.options.push_back("-DX=1"); });
  differs("fast math", [](CompileRequest &r) { r.fastMath = true; });
  differs("arch", [](CompileRequest &r) { r.arch = "sm_90a"; });
  differs("std", [](CompileRequest &r) { r.std = "c++20"; });
  // The kernel's display name does not change the code.
  CompileRequest renamed = base;
  renamed.name = "other";
  EXPECT_EQ(cache.keyOf(renamed), key);
}

TEST_F(KernelCacheTest, MissThenHitWithoutNvrtc) {
  CompileRequest request = addKernel(7);
  KernelCache cache(dir_);
  CompileResult first = cache.compile(request);
  EXPECT_FALSE(first.fromCache);
  KernelCacheStats stats = cache.stats();
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 0);
  EXPECT_EQ(stats.compiles, 1);
  std::string key = cache.keyOf(request);
  EXPECT_EQ(listDir(dir_), (std::vector<std::string>{key + ".kernel"}));

  CompileResult second = cache.compile(request);
  EXPECT_TRUE(second.fromCache);
  EXPECT_EQ(cache.stats().hits, 1);
  EXPECT_EQ(cache.stats().compiles, 1);  // NVRTC was not called again
  EXPECT_EQ(second.cubin, first.cubin);
  EXPECT_TRUE(second.ptx == first.ptx);
  EXPECT_EQ(second.log, first.log);
  EXPECT_EQ(second.nvrtcVersion(), first.nvrtcVersion());
  ASSERT_EQ(second.resources.size(), 1u);
  EXPECT_EQ(second.resources[0].registers, first.resources[0].registers);
  EXPECT_EQ(second.resources[0].spillStores, 0);

  // A fresh cache object (as a new process would have) hits too.
  KernelCache fresh(dir_);
  CompileResult third = fresh.compile(request);
  EXPECT_TRUE(third.fromCache);
  EXPECT_EQ(third.cubin, first.cubin);
  EXPECT_EQ(fresh.stats().compiles, 0);
  EXPECT_EQ(fresh.stats().hits, 1);
  EXPECT_NE(fresh.stats().summary().find("1 hits"), std::string::npos);

  // Another arch is another entry.
  fresh.compile(addKernel(7, "sm_90a"));
  EXPECT_EQ(fresh.stats().misses, 1);
  EXPECT_EQ(countEndingWith(listDir(dir_), ".kernel"), 2u);
}

TEST_F(KernelCacheTest, CorruptEntriesAreDetectedRemovedAndRebuilt) {
  CompileRequest request = addKernel(3);
  KernelCache cache(dir_);
  CompileResult good = cache.compile(request);
  std::string key = cache.keyOf(request);
  std::string path = cache.entryPath(key);
  const std::string intact = readFile(path);
  ASSERT_TRUE(KernelCache::decodeEntry(intact, key, nullptr));

  std::string otherKey = cache.keyOf(addKernel(4));
  struct Damage {
    const char *what;
    std::string bytes;
  };
  std::vector<Damage> damages;
  std::string flipped = intact;
  flipped[intact.size() / 2] ^= 0x5a;  // inside the cubin
  damages.push_back({"flipped payload byte", flipped});
  std::string flippedHeader = intact;
  flippedHeader[60] ^= 0x01;  // inside the stored checksum
  damages.push_back({"flipped checksum byte", flippedHeader});
  damages.push_back({"truncated payload", intact.substr(0, intact.size() - 100)});
  damages.push_back({"truncated header", intact.substr(0, 20)});
  damages.push_back({"empty file", ""});
  damages.push_back({"appended garbage", intact + "xyz"});
  std::string badMagic = intact;
  badMagic[0] = 'X';
  damages.push_back({"bad magic", badMagic});
  std::string newerFormat = intact;
  newerFormat[8] = char(KernelCache::kFormatVersion + 1);
  damages.push_back({"other format version", newerFormat});
  // A complete, valid entry of another key under this name.
  damages.push_back({"foreign entry", KernelCache::encodeEntry(otherKey, good)});

  int64_t rebuilt = 0;
  for (const Damage &damage : damages) {
    std::string why;
    EXPECT_FALSE(KernelCache::decodeEntry(damage.bytes, key, &why)) << damage.what;
    EXPECT_FALSE(why.empty()) << damage.what;
    writeFile(path, damage.bytes);
    KernelCache reader(dir_);
    CompileResult result = reader.compile(request);
    EXPECT_FALSE(result.fromCache) << damage.what;
    EXPECT_TRUE(result.cubin == good.cubin) << damage.what;
    EXPECT_EQ(reader.stats().rebuilt, 1) << damage.what << ": " << why;
    EXPECT_EQ(reader.stats().compiles, 1) << damage.what;
    // The rebuilt entry is intact and serves the next lookup.
    std::optional<CompileResult> rewritten = KernelCache::decodeEntry(readFile(path), key, &why);
    ASSERT_TRUE(rewritten) << damage.what << ": " << why;
    EXPECT_TRUE(rewritten->cubin == good.cubin) << damage.what;
    EXPECT_TRUE(reader.compile(request).fromCache) << damage.what;
    ++rebuilt;
  }
  EXPECT_EQ(rebuilt, int64_t(damages.size()));
  EXPECT_EQ(countContaining(listDir(dir_), ".tmp."), 0u);
}

TEST_F(KernelCacheTest, DisabledByEnvironment) {
  ScopedEnv disable("DS_DISABLE_CACHE", "1");
  KernelCache cache(dir_);
  EXPECT_FALSE(cache.enabled());
  CompileRequest request = addKernel(5);
  EXPECT_FALSE(cache.compile(request).fromCache);
  EXPECT_FALSE(cache.compile(request).fromCache);
  EXPECT_EQ(cache.stats().compiles, 2);
  EXPECT_EQ(cache.stats().hits, 0);
  EXPECT_TRUE(listDir(dir_).empty());
  // An existing entry is not read either.
  KernelCache enabled(dir_);
  enabled.setEnabled(true);
  enabled.compile(request);
  EXPECT_EQ(listDir(dir_).size(), 1u);
  KernelCache bypass(dir_);
  EXPECT_FALSE(bypass.compile(request).fromCache);
  EXPECT_EQ(bypass.stats().compiles, 1);
}

TEST_F(KernelCacheTest, CompileErrorSavesReproUnderFailed) {
  KernelCache cache(dir_);
  CompileRequest request;
  request.name = "bad_kernel";
  request.source = "extern \"C\" __global__ void bad_kernel(int *p) { p[0] = missing; }\n";
  try {
    cache.compile(request);
    FAIL() << "expected Error";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("\"missing\" is undefined"), std::string::npos) << message;
    EXPECT_NE(message.find(dir_ + "/failed/bad_kernel-"), std::string::npos) << message;
    EXPECT_NE(message.find("-arch=sm_80 -std=c++17"), std::string::npos) << message;
  }
  std::vector<std::string> failed = listDir(dir_ + "/failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(readFile(dir_ + "/failed/" + failed[0] + "/bad_kernel.cu"), request.source);
  EXPECT_EQ(countEndingWith(listDir(dir_), ".kernel"), 0u);  // nothing cached
}

TEST_F(KernelCacheTest, UnwritableDirectoryStillCompiles) {
  std::string file = dir_ + "/not-a-directory";
  writeFile(file, "x");
  KernelCache cache(file + "/kernels");
  CompileResult result = cache.compile(addKernel(9));
  EXPECT_TRUE(hasFunction(result, "add_9"));
  EXPECT_EQ(cache.stats().storeFailures, 1);
}

TEST_F(KernelCacheTest, CompileManyInParallel) {
  std::vector<CompileRequest> requests;
  for (int i = 0; i < 6; ++i)
    requests.push_back(addKernel(100 + i, i % 2 ? "sm_90a" : "sm_80"));
  requests.push_back(addKernel(100));  // duplicates compile once
  requests.push_back(addKernel(103, "sm_90a"));
  KernelCache cache(dir_);
  ThreadPool pool(4);
  std::vector<CompileResult> results = cache.compileMany(requests, &pool);
  ASSERT_EQ(results.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_TRUE(hasFunction(results[i], requests[i].name)) << i;
    EXPECT_EQ(results[i].arch, requests[i].arch) << i;
  }
  EXPECT_EQ(results[6].cubin, results[0].cubin);
  EXPECT_EQ(cache.stats().compiles, 6);
  EXPECT_EQ(countEndingWith(listDir(dir_), ".kernel"), 6u);

  KernelCache again(dir_);
  std::vector<CompileResult> cached = again.compileMany(requests);  // private pool
  EXPECT_EQ(again.stats().hits, 6);
  EXPECT_EQ(again.stats().compiles, 0);
  for (size_t i = 0; i < requests.size(); ++i)
    EXPECT_EQ(cached[i].cubin, results[i].cubin) << i;

  // One failure among many: every other kernel still compiles, one Error lists it.
  std::vector<CompileRequest> mixed = {addKernel(200), addKernel(201)};
  mixed.push_back(mixed[0]);
  mixed[2].name = "oops";
  mixed[2].source = "this is not CUDA";
  try {
    again.compileMany(mixed, &pool);
    FAIL() << "expected Error";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("1 of 3 kernels failed"), std::string::npos) << message;
    EXPECT_NE(message.find("'oops'"), std::string::npos) << message;
  }
  EXPECT_TRUE(again.compile(addKernel(201)).fromCache);
}

// Helper mode for TwoProcessesCompileTheSameKernel: waits for the go file, compiles.
TEST(KernelCacheHelper, CompileWhenTold) {
  const char *dir = std::getenv("DS_KC_HELPER_DIR");
  const char *go = std::getenv("DS_KC_HELPER_GO");
  if (!dir || !go)
    GTEST_SKIP() << "helper for KernelCacheTest.TwoProcessesCompileTheSameKernel";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (access(go, F_OK) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  KernelCache cache(dir);
  CompileResult result = cache.compile(addKernel(42, "sm_90a"));
  EXPECT_TRUE(hasFunction(result, "add_42"));
  std::printf("helper %d: %s\n", int(getpid()), cache.stats().summary().c_str());
}

TEST_F(KernelCacheTest, TwoProcessesCompileTheSameKernel) {
  // Both processes start compiling at the same moment (a go file), find no entry, compile
  // and rename their temporary files onto the same name: both succeed, one valid entry
  // remains, no temporary file is left. Repeated to hit different interleavings.
  for (int round = 0; round < 3; ++round) {
    std::string cacheDir = dir_ + "/round" + std::to_string(round);
    std::string go = dir_ + "/go" + std::to_string(round);
    std::vector<std::string> env = {"DS_KC_HELPER_DIR=" + cacheDir, "DS_KC_HELPER_GO=" + go};
    std::vector<pid_t> children;
    for (int p = 0; p < 2; ++p)
      children.push_back(spawnSelf("KernelCacheHelper.CompileWhenTold", env));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let both reach the wait
    writeFile(go, "go");
    for (pid_t child : children)
      EXPECT_EQ(waitExit(child), 0) << "round " << round;

    std::vector<std::string> names = listDir(cacheDir);
    EXPECT_EQ(countEndingWith(names, ".kernel"), 1u) << "round " << round;
    EXPECT_EQ(countContaining(names, ".tmp."), 0u) << "round " << round;
    KernelCache check(cacheDir);
    CompileRequest request = addKernel(42, "sm_90a");
    std::string key = check.keyOf(request);
    std::string why;
    EXPECT_TRUE(KernelCache::decodeEntry(readFile(check.entryPath(key)), key, &why)) << why;
    EXPECT_TRUE(check.compile(request).fromCache);
  }
}

TEST(KernelCacheAot, ArchList) {
  EXPECT_EQ(parseArchList("sm_80,sm_90a"), (std::vector<std::string>{"sm_80", "sm_90a"}));
  EXPECT_EQ(parseArchList(" sm_90a , sm_80,sm_90a,"), (std::vector<std::string>{"sm_90a", "sm_80"}));
  EXPECT_EQ(parseArchList("sm_100f"), std::vector<std::string>{"sm_100f"});
  for (const char *bad : {"", ",", "compute_80", "sm80", "sm_8", "sm_90b", "sm_90aa", "ampere"})
    EXPECT_THROW(parseArchList(bad), Error) << bad;
  try {
    parseArchList("sm_80,volta");
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("'volta'"), std::string::npos);
  }
  EXPECT_EQ(ptxArch({"sm_90a", "sm_80"}), "compute_80");
  EXPECT_EQ(ptxArch({"sm_90a"}), "compute_90");
  EXPECT_EQ(ptxArch({"sm_100f", "sm_120"}), "compute_100");
}

TEST_F(KernelCacheTest, AotCubinsPerArchPlusPtxAndSpillCheck) {
  CompileRequest clean = addKernel(11);
  CompileRequest spilling;
  spilling.name = "spills";
  spilling.options = {"-maxrregcount=24"};
  spilling.source = ds::rt::test::spillKernelSource("spills");
  KernelCache cache(dir_);
  std::vector<std::string> archs = parseArchList("sm_80,sm_90a");
  std::vector<AotKernel> aot = compileAot(cache, {clean, spilling}, archs);
  ASSERT_EQ(aot.size(), 2u);
  for (const AotKernel &kernel : aot) {
    ASSERT_EQ(kernel.cubins.size(), 2u);
    EXPECT_EQ(kernel.cubins[0].arch, "sm_80");
    EXPECT_EQ(kernel.cubins[1].arch, "sm_90a");
    for (const CompileResult &cubin : kernel.cubins)
      EXPECT_TRUE(hasFunction(cubin, kernel.name)) << kernel.name << " " << cubin.arch;
    EXPECT_TRUE(kernel.ptx.cubin.empty());
    EXPECT_EQ(kernel.ptx.arch, "compute_80");
    EXPECT_NE(kernel.ptx.ptx.find(".target sm_80"), std::string::npos);
    EXPECT_NE(kernel.ptx.ptx.find(".entry " + kernel.name), std::string::npos);
  }
  EXPECT_EQ(cache.stats().compiles, 6);

  std::vector<std::string> violations = spillViolations(aot, {});
  ASSERT_EQ(violations.size(), 2u);  // the spilling kernel on both archs
  EXPECT_NE(violations[0].find("spills (sm_80)"), std::string::npos) << violations[0];
  EXPECT_NE(violations[1].find("spills (sm_90a)"), std::string::npos) << violations[1];
  EXPECT_NE(violations[0].find("bytes spill stores"), std::string::npos);
  EXPECT_TRUE(spillViolations(aot, {{"spills", "register cap is the test"}}).empty());

  // Rebuilding the bundle is all cache hits.
  KernelCache again(dir_);
  compileAot(again, {clean, spilling}, archs);
  EXPECT_EQ(again.stats().compiles, 0);
  EXPECT_EQ(again.stats().hits, 6);
}

//===----------------------------------------------------------------------===//
// Benchmark: DS_NVRTC_BENCH=1 ds-runtime-tests --gtest_filter='NvrtcBench.*'
//===----------------------------------------------------------------------===//

namespace {

const char *kElementwiseSource = R"(
// y = silu(a) * b, bf16 in and out, fp32 math: a fused MLP gate.
__device__ __forceinline__ float bf16ToFloat(unsigned short h) {
  return __uint_as_float(((unsigned)h) << 16);
}
__device__ __forceinline__ unsigned short floatToBf16(float f) {
  unsigned u = __float_as_uint(f);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (unsigned short)(u >> 16);
}
extern "C" __global__ void silu_mul(unsigned short *y, const unsigned short *a,
                                    const unsigned short *b, long n) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    float x = bf16ToFloat(a[i]);
    float g = x / (1.0f + __expf(-x));
    y[i] = floatToBf16(g * bf16ToFloat(b[i]));
  }
}
)";

const char *kReductionSource = R"(
// RMSNorm over rows: warp shuffles, then shared memory across warps.
template <int BLOCK>
__device__ float blockSum(float v, float *scratch) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < BLOCK / 32 ? scratch[lane] : 0.0f;
  if (warp == 0)
    for (int offset = 16; offset > 0; offset /= 2)
      v += __shfl_xor_sync(0xffffffffu, v, offset);
  if (threadIdx.x == 0) scratch[0] = v;
  __syncthreads();
  return scratch[0];
}
extern "C" __global__ void __launch_bounds__(256)
rms_norm(float *y, const float *x, const float *weight, int cols, float eps) {
  __shared__ float scratch[32];
  const float *row = x + (long)blockIdx.x * cols;
  float sum = 0.0f;
  for (int c = threadIdx.x; c < cols; c += 256) sum += row[c] * row[c];
  float total = blockSum<256>(sum, scratch);
  float scale = rsqrtf(total / cols + eps);
  for (int c = threadIdx.x; c < cols; c += 256)
    y[(long)blockIdx.x * cols + c] = row[c] * scale * weight[c];
}
)";

// About 200 lines: a shared-memory tiled GEMM with a fused epilogue, a softmax row kernel
// and a RoPE kernel, with the helpers a generated translation unit carries.
std::string longSource() {
  std::string s = R"(
#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define THREAD_M 4
#define THREAD_N 4
namespace ds {
struct Params { void *ptr[8]; long long dims[16]; long long scalars[8]; };
__device__ __forceinline__ float gelu(float x) {
  const float k = 0.7978845608028654f;
  return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}
__device__ __forceinline__ float silu(float x) { return x / (1.0f + __expf(-x)); }
__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
template <class Op>
__device__ float blockReduce(float v, float *scratch, Op op, float identity) {
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  int warps = (blockDim.x + 31) / 32;
  for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : identity;
  if (warp == 0)
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  if (threadIdx.x == 0) scratch[0] = v;
  __syncthreads();
  float result = scratch[0];
  __syncthreads();
  return result;
}
struct MaxOp { __device__ float operator()(float a, float b) const { return fmaxf(a, b); } };
struct SumOp { __device__ float operator()(float a, float b) const { return a + b; } };
} // namespace ds

extern "C" __global__ void __launch_bounds__(256)
gemm_bias_gelu(ds::Params params) {
  const float *a = (const float *)params.ptr[0];
  const float *b = (const float *)params.ptr[1];
  const float *bias = (const float *)params.ptr[2];
  float *c = (float *)params.ptr[3];
  const long long M = params.dims[0], K = params.dims[1], N = params.dims[3];
  __shared__ float As[TILE_K][TILE_M + 4];
  __shared__ float Bs[TILE_K][TILE_N + 4];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const long long row0 = (long long)blockIdx.y * TILE_M, col0 = (long long)blockIdx.x * TILE_N;
  float acc[THREAD_M][THREAD_N];
  #pragma unroll
  for (int i = 0; i < THREAD_M; ++i)
    #pragma unroll
    for (int j = 0; j < THREAD_N; ++j) acc[i][j] = 0.0f;
  for (long long k0 = 0; k0 < K; k0 += TILE_K) {
    for (int e = threadIdx.x; e < TILE_M * TILE_K; e += blockDim.x) {
      int r = e / TILE_K, kk = e % TILE_K;
      long long gr = row0 + r, gk = k0 + kk;
      As[kk][r] = (gr < M && gk < K) ? a[gr * K + gk] : 0.0f;
    }
    for (int e = threadIdx.x; e < TILE_N * TILE_K; e += blockDim.x) {
      int kk = e / TILE_N, cc = e % TILE_N;
      long long gk = k0 + kk, gc = col0 + cc;
      Bs[kk][cc] = (gk < K && gc < N) ? b[gk * N + gc] : 0.0f;
    }
    __syncthreads();
    #pragma unroll
    for (int kk = 0; kk < TILE_K; ++kk) {
      float av[THREAD_M], bv[THREAD_N];
      #pragma unroll
      for (int i = 0; i < THREAD_M; ++i) av[i] = As[kk][ty * THREAD_M + i];
      #pragma unroll
      for (int j = 0; j < THREAD_N; ++j) bv[j] = Bs[kk][tx * THREAD_N + j];
      #pragma unroll
      for (int i = 0; i < THREAD_M; ++i)
        #pragma unroll
        for (int j = 0; j < THREAD_N; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
    __syncthreads();
  }
  #pragma unroll
  for (int i = 0; i < THREAD_M; ++i) {
    long long r = row0 + ty * THREAD_M + i;
    if (r >= M) continue;
    #pragma unroll
    for (int j = 0; j < THREAD_N; ++j) {
      long long col = col0 + tx * THREAD_N + j;
      if (col < N) c[r * N + col] = ds::gelu(acc[i][j] + (bias ? bias[col] : 0.0f));
    }
  }
}

extern "C" __global__ void __launch_bounds__(256)
softmax_rows(ds::Params params) {
  const float *x = (const float *)params.ptr[0];
  float *y = (float *)params.ptr[1];
  const long long cols = params.dims[1];
  const float scale = __int_as_float((int)params.scalars[0]);
  __shared__ float scratch[32];
  const float *row = x + (long long)blockIdx.x * cols;
  float *out = y + (long long)blockIdx.x * cols;
  float m = __int_as_float(0xff800000);  // -inf
  for (long long c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, row[c] * scale);
  m = ds::blockReduce(m, scratch, ds::MaxOp(), __int_as_float(0xff800000));
  float s = 0.0f;
  for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += __expf(row[c] * scale - m);
  s = ds::blockReduce(s, scratch, ds::SumOp(), 0.0f);
  float inv = s > 0.0f ? 1.0f / s : 0.0f;
  for (long long c = threadIdx.x; c < cols; c += blockDim.x)
    out[c] = __expf(row[c] * scale - m) * inv;
}

extern "C" __global__ void rope_rotate(ds::Params params) {
  // x: [tokens, heads, dim]; cos/sin: [tokens, dim/2]; rotates pairs (i, i + dim/2).
  const float *x = (const float *)params.ptr[0];
  const float *cosTable = (const float *)params.ptr[1];
  const float *sinTable = (const float *)params.ptr[2];
  float *y = (float *)params.ptr[3];
  const long long tokens = params.dims[0], heads = params.dims[1], dim = params.dims[2];
  const long long half = dim / 2;
  const long long total = tokens * heads * half;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
       i += (long long)gridDim.x * blockDim.x) {
    long long p = i % half, th = i / half, t = th / heads;
    const float *src = x + th * dim;
    float *dst = y + th * dim;
    float c = cosTable[t * half + p], s = sinTable[t * half + p];
    float lo = src[p], hi = src[p + half];
    dst[p] = lo * c - hi * s;
    dst[p + half] = hi * c + lo * s;
  }
}

extern "C" __global__ void swiglu_residual(ds::Params params) {
  const float *gate = (const float *)params.ptr[0];
  const float *up = (const float *)params.ptr[1];
  const float *residual = (const float *)params.ptr[2];
  float *y = (float *)params.ptr[3];
  const long long n = params.dims[0];
  const long long stride = (long long)gridDim.x * blockDim.x * 4;
  for (long long base = (blockIdx.x * (long long)blockDim.x + threadIdx.x) * 4; base < n;
       base += stride) {
    if (base + 4 <= n && ((unsigned long long)(gate + base) % 16) == 0) {
      float4 g = *(const float4 *)(gate + base);
      float4 u = *(const float4 *)(up + base);
      float4 r = *(const float4 *)(residual + base);
      float4 o;
      o.x = ds::silu(g.x) * u.x + r.x;
      o.y = ds::silu(g.y) * u.y + r.y;
      o.z = ds::silu(g.z) * u.z + r.z;
      o.w = ds::silu(g.w) * u.w + r.w;
      *(float4 *)(y + base) = o;
    } else {
      for (long long i = base; i < n && i < base + 4; ++i)
        y[i] = ds::silu(gate[i]) * up[i] + residual[i];
    }
  }
}

extern "C" __global__ void transpose_tiled(ds::Params params) {
  // y[c][r] = x[r][c] through a padded shared tile (no bank conflicts), 32x8 threads.
  const float *x = (const float *)params.ptr[0];
  float *y = (float *)params.ptr[1];
  const long long rows = params.dims[0], cols = params.dims[1];
  __shared__ float tile[32][33];
  long long c = (long long)blockIdx.x * 32 + threadIdx.x;
  long long r = (long long)blockIdx.y * 32 + threadIdx.y;
  for (int k = 0; k < 32; k += 8)
    if (r + k < rows && c < cols) tile[threadIdx.y + k][threadIdx.x] = x[(r + k) * cols + c];
  __syncthreads();
  c = (long long)blockIdx.y * 32 + threadIdx.x;
  r = (long long)blockIdx.x * 32 + threadIdx.y;
  for (int k = 0; k < 32; k += 8)
    if (r + k < cols && c < rows) y[(r + k) * rows + c] = tile[threadIdx.x][threadIdx.y + k];
}

extern "C" __global__ void __launch_bounds__(256)
argmax_rows(ds::Params params) {
  // First index of the maximum per row (NaN counts as the maximum, like the CPU backend).
  const float *x = (const float *)params.ptr[0];
  long long *out = (long long *)params.ptr[1];
  const long long cols = params.dims[1];
  const float *row = x + (long long)blockIdx.x * cols;
  float best = __int_as_float(0xff800000);
  long long bestIndex = cols > 0 ? 0 : -1;
  for (long long c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = row[c];
    bool better = (v != v && best == best) || v > best;
    if (better) { best = v; bestIndex = c; }
  }
  __shared__ float values[256];
  __shared__ long long indices[256];
  values[threadIdx.x] = best;
  indices[threadIdx.x] = bestIndex;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      float v = values[threadIdx.x + stride];
      long long i = indices[threadIdx.x + stride];
      float b = values[threadIdx.x];
      long long bi = indices[threadIdx.x];
      bool vNan = v != v, bNan = b != b;
      bool take = (vNan && !bNan) || (vNan == bNan && (v > b || (v == b && i < bi)));
      if (vNan && bNan) take = i < bi;
      if (take) { values[threadIdx.x] = v; indices[threadIdx.x] = i; }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = indices[0];
}
)";
  return s;
}

struct Timing {
  double median = 0, max = 0;
};
Timing summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.back()};
}
// CPU time of the process: NVRTC (front end and ptxas) runs in the calling thread, so on a
// shared machine this is the cost without the wait for a core.
double processCpuMillis() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return double(now.tv_sec) * 1e3 + double(now.tv_nsec) * 1e-6;
}
double millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

TEST(NvrtcBench, CompileTimesAndWarmStart) {
  if (!std::getenv("DS_NVRTC_BENCH"))
    GTEST_SKIP() << "set DS_NVRTC_BENCH=1 to measure NVRTC compile times";
  std::string why;
  if (!Nvrtc::available(&why))
    GTEST_SKIP() << why;
  ScopedEnv noDisable("DS_DISABLE_CACHE", nullptr);
  const int repeats = 7;
  struct Kernel {
    const char *label;
    std::string source;
  };
  std::string longText = longSource();
  std::vector<Kernel> kernels = {{"elementwise (silu*mul bf16)", kElementwiseSource},
                                 {"block reduction (rms_norm)", kReductionSource},
                                 {"213-line TU, 6 kernels (gemm..argmax)", longText}};
  double load[3] = {0, 0, 0};
  if (FILE *f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
      load[0] = -1;
    std::fclose(f);
  }
  std::printf("load average %.2f on %u hardware threads\n", load[0],
              std::thread::hardware_concurrency());
  std::printf("NVRTC %s (%s), %d repeats, single thread\n", Nvrtc::get().version().c_str(),
              Nvrtc::get().libraryPath().c_str(), repeats);
  std::printf("lines of the long kernel: %ld\n",
              std::count(longText.begin(), longText.end(), '\n'));
  {
    auto start = std::chrono::steady_clock::now();
    CompileRequest warmup;
    warmup.source = kElementwiseSource;
    warmup.arch = "sm_90a";
    Nvrtc::get().compile(warmup);
    std::printf("first compile in the process (loads NVRTC's builtins): %.1f ms\n",
                millisSince(start));
  }
  for (const char *arch : {"sm_80", "sm_90a"})
    for (const Kernel &kernel : kernels) {
      CompileRequest request;
      request.name = "bench";
      request.source = kernel.source;
      request.arch = arch;
      std::vector<double> times, cpuTimes;
      for (int r = 0; r < repeats; ++r) {
        auto start = std::chrono::steady_clock::now();
        double cpuStart = processCpuMillis();
        CompileResult result = Nvrtc::get().compile(request);
        cpuTimes.push_back(processCpuMillis() - cpuStart);
        times.push_back(millisSince(start));
        ASSERT_FALSE(result.cubin.empty());
      }
      Timing t = summarize(times), cpu = summarize(cpuTimes);
      std::printf("  %-7s %-44s wall median %7.1f ms  max %7.1f ms | cpu median %7.1f ms  "
                  "max %7.1f ms\n",
                  arch, kernel.label, t.median, t.max, cpu.median, cpu.max);
    }

  // Warm start: a model's worth of distinct kernels (the three above plus 40 elementwise
  // variants) cached, then served by a fresh cache object.
  std::string dir = makeTempDir();
  std::vector<CompileRequest> model;
  for (const Kernel &kernel : kernels) {
    CompileRequest request;
    request.source = kernel.source;
    request.arch = "sm_90a";
    model.push_back(request);
  }
  for (int i = 0; i < 40; ++i) {
    CompileRequest request = addKernel(i, "sm_90a");
    model.push_back(request);
  }
  {
    KernelCache cold(dir);
    auto start = std::chrono::steady_clock::now();
    cold.compileMany(model);
    std::printf("cold: %zu kernels compiled with compileMany (%u hardware threads): %.0f ms "
                "(%.0f ms inside NVRTC)\n",
                model.size(), std::thread::hardware_concurrency(), millisSince(start),
                cold.stats().compileSeconds * 1e3);
  }
  std::vector<double> warm;
  for (int r = 0; r < repeats; ++r) {
    KernelCache cache(dir);
    auto start = std::chrono::steady_clock::now();
    for (const CompileRequest &request : model)
      ASSERT_TRUE(cache.compile(request).fromCache);
    warm.push_back(millisSince(start));
    EXPECT_EQ(cache.stats().compiles, 0);
  }
  Timing t = summarize(warm);
  std::printf("warm start from the cache, %zu kernels, sequential: median %.1f ms, max %.1f ms "
              "(%.2f ms per kernel)\n",
              model.size(), t.median, t.max, t.median / double(model.size()));
  removeTree(dir);
}

// The generated kernels of real bundles: DS_NVRTC_BENCH_BUNDLES=DIR[:DIR...] (bundles
// written by ds-opt --emit=bundle; bench/nvrtc_models.sh makes them for the test models).
// Every distinct kernel is compiled once per arch in one thread with the embedded
// headers, as the cuda backend's JIT does; then the whole set cold through compileMany
// and warm from a fresh cache object (the start of a process whose kernels are cached).
TEST(NvrtcBench, BundleKernels) {
  const char *list = std::getenv("DS_NVRTC_BENCH_BUNDLES");
  if (!list) GTEST_SKIP() << "set DS_NVRTC_BENCH_BUNDLES=BUNDLE[:BUNDLE...] to measure";
  std::string why;
  if (!Nvrtc::available(&why)) GTEST_SKIP() << why;
  ScopedEnv noDisable("DS_DISABLE_CACHE", nullptr);
  std::map<std::string, std::string> headers;
  size_t count = 0;
  const ds::kernels::EmbeddedHeader *embedded = ds::kernels::embeddedHeaders(&count);
  for (size_t i = 0; i < count; ++i)
    headers[embedded[i].name] = std::string(embedded[i].text, embedded[i].size);
  // DS_NVRTC_BENCH_OPTIONS: extra NVRTC options, space-separated (e.g. "-pch").
  std::vector<std::string> extraOptions;
  if (const char *o = std::getenv("DS_NVRTC_BENCH_OPTIONS")) {
    std::string opts(o);
    for (size_t p = 0; p < opts.size();) {
      size_t q = opts.find(' ', p);
      if (q == std::string::npos) q = opts.size();
      if (q > p) extraOptions.push_back(opts.substr(p, q - p));
      p = q + 1;
    }
  }
  std::map<std::string, std::string> sources;  // kernel name -> text (deduplicated)
  std::string text(list);
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find(':', start);
    if (end == std::string::npos) end = text.size();
    std::string kernels = text.substr(start, end - start) + "/kernels";
    start = end + 1;
    DIR *d = opendir(kernels.c_str());
    ASSERT_NE(d, nullptr) << "cannot open " << kernels;
    while (dirent *e = readdir(d)) {
      std::string file = e->d_name;
      if (file.size() < 4 || file.substr(file.size() - 3) != ".cu") continue;
      std::ifstream in(kernels + "/" + file);
      sources[file.substr(0, file.size() - 3)].assign(std::istreambuf_iterator<char>(in), {});
    }
    closedir(d);
  }
  ASSERT_FALSE(sources.empty());
  double load = -1;
  if (FILE *f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  std::printf("%zu distinct kernels; NVRTC %s; load average %.2f on %u hardware threads\n",
              sources.size(), Nvrtc::get().version().c_str(), load,
              std::thread::hardware_concurrency());
  {
    CompileRequest warmup;
    warmup.source = sources.begin()->second;
    warmup.headers = headers;
    warmup.arch = "sm_90a";
    warmup.options = extraOptions;
    Nvrtc::get().compile(warmup);  // NVRTC loads its builtins once per process
  }
  std::vector<CompileRequest> all;
  for (const char *arch : {"sm_80", "sm_90a"}) {
    std::vector<double> wall, cpu;
    std::string slowest;
    double slowestMs = 0;
    for (const auto &[name, source] : sources) {
      CompileRequest request;
      request.name = name;
      request.source = source;
      request.headers = headers;
      request.arch = arch;
      request.options = extraOptions;
      auto start = std::chrono::steady_clock::now();
      double cpuStart = processCpuMillis();
      CompileResult result = Nvrtc::get().compile(request);
      cpu.push_back(processCpuMillis() - cpuStart);
      wall.push_back(millisSince(start));
      ASSERT_FALSE(result.cubin.empty()) << name;
      if (cpu.back() > slowestMs) slowestMs = cpu.back(), slowest = name;
      if (std::string(arch) == "sm_90a") all.push_back(request);
    }
    Timing w = summarize(wall), c = summarize(cpu);
    std::printf("  %-7s wall median %7.1f ms  max %7.1f ms | cpu median %7.1f ms  max %7.1f ms "
                "(%s)\n",
                arch, w.median, w.max, c.median, c.max, slowest.c_str());
  }
  std::string dir = makeTempDir();
  {
    KernelCache cold(dir);
    auto start = std::chrono::steady_clock::now();
    cold.compileMany(all);
    std::printf("cold: %zu kernels with compileMany: %.0f ms wall (%.0f ms inside NVRTC)\n",
                all.size(), millisSince(start), cold.stats().compileSeconds * 1e3);
  }
  std::vector<double> warm;
  for (int r = 0; r < 5; ++r) {
    KernelCache cache(dir);
    auto start = std::chrono::steady_clock::now();
    for (const CompileRequest &request : all) ASSERT_TRUE(cache.compile(request).fromCache);
    warm.push_back(millisSince(start));
  }
  Timing t = summarize(warm);
  std::printf("warm start from the cache, %zu kernels: median %.1f ms, max %.1f ms\n", all.size(),
              t.median, t.max);
  removeTree(dir);
}
