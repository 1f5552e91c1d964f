// SHA-256 against published vectors and sha256sum; NVRTC compiles for sm_80 / sm_90a /
// compute_90 (no GPU needed), compile errors carry a repro, a missing NVRTC is a clear
// Error in a process that still starts; cubin resource usage against cuobjdump.
#include "Sha256.h"
#include "TestProcess.h"
#include "TestKernels.h"
#include "cuda/Nvrtc.h"
#include "ds/runtime/Runtime.h"

#include <gtest/gtest.h>

#include <elf.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

extern char **environ;

using namespace ds::rt;
using namespace ds::rt::cuda;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string runCommand(const std::string &command, int *status = nullptr) {
  std::string output;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  int code = pclose(pipe);
  if (status)
    *status = code;
  return output;
}

std::string makeTempDir() {
  char pattern[] = "/tmp/ds-nvrtc-test-XXXXXX";
  const char *dir = mkdtemp(pattern);
  return dir ? dir : "";
}

using dstest::runSelf;

#define REQUIRE_NVRTC()                                                                        \
  do {                                                                                         \
    std::string why;                                                                           \
    if (!Nvrtc::available(&why))                                                               \
      GTEST_SKIP() << why;                                                                     \
  } while (0)

const char *kAddKernel = R"(
extern "C" __global__ void ds_add_one(float *out, const float *in, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] + 1.0f;
}
)";

// Static shared memory, a barrier and a local array.
const char *kSharedKernel = R"(
extern "C" __global__ void ds_tile_mix(float *out, const float *in, int n) {
  __shared__ float tile[256];
  float acc[64];
  for (int i = 0; i < 64; ++i) acc[i] = in[(threadIdx.x * 64 + i) % n];
  tile[threadIdx.x] = acc[threadIdx.x % 64];
  __syncthreads();
  float s = 0;
  for (int i = 0; i < 64; ++i) s += acc[(i * 7 + threadIdx.x) % 64] * tile[(threadIdx.x + i) % 256];
  out[threadIdx.x] = s;
}
)";

const std::string kSpillKernel = ds::rt::test::spillKernelSource("ds_spill");

std::vector<std::string> sortedFunctions(const std::string &cubin) {
  std::vector<std::string> names = cubinFunctionSymbols(cubin);
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

//===----------------------------------------------------------------------===//
// SHA-256
//===----------------------------------------------------------------------===//

TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(Sha256::hexOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hexOf("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256::hexOf("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklm"
                          "nopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(Sha256::hexOf("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  EXPECT_EQ(Sha256::hexOf(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalUpdatesMatchOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text.push_back(char((i * 131 + 7) & 0xff));
  for (size_t step : {1, 3, 55, 63, 64, 65, 200}) {
    Sha256 hasher;
    for (size_t at = 0; at < text.size(); at += step)
      hasher.update(std::string_view(text).substr(at, step));
    EXPECT_EQ(Sha256::toHex(hasher.finish()), Sha256::hexOf(text)) << "step " << step;
  }
}

TEST(Sha256, PaddingBoundariesMatchSha256sum) {
  if (system("command -v sha256sum >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "sha256sum not installed";
  std::string dir = makeTempDir();
  for (size_t length : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000}) {
    std::string text;
    for (size_t i = 0; i < length; ++i)
      text.push_back(char((i * 37 + length) & 0xff));
    std::string path = dir + "/blob";
    std::ofstream(path, std::ios::binary) << text;
    std::string reference = runCommand("sha256sum " + path).substr(0, 64);
    EXPECT_EQ(Sha256::hexOf(text), reference) << "length " << length;
  }
  runCommand("rm -rf " + dir);
}

TEST(Sha256, FieldsAreLengthPrefixed) {
  Sha256 a, b;
  a.updateField("ab");
  a.updateField("c");
  b.updateField("a");
  b.updateField("bc");
  EXPECT_NE(Sha256::toHex(a.finish()), Sha256::toHex(b.finish()));
}

//===----------------------------------------------------------------------===//
// NVRTC
//===----------------------------------------------------------------------===//

TEST(Nvrtc, OptionList) {
  CompileRequest request;
  request.arch = "sm_90a";
  request.options = {"-DN=4"};
  std::vector<std::string> options = Nvrtc::optionsFor(request);
  EXPECT_EQ(options[0], "-arch=sm_90a");
  EXPECT_EQ(options[1], "-std=c++17");
  EXPECT_EQ(std::count(options.begin(), options.end(), "-minimal"), 1);
  EXPECT_EQ(std::count(options.begin(), options.end(), "-pch"), 1);
  EXPECT_EQ(options.back(), "-DN=4");
  EXPECT_EQ(std::count(options.begin(), options.end(), "--use_fast_math"), 0);
  request.fastMath = true;
  options = Nvrtc::optionsFor(request);
  EXPECT_EQ(std::count(options.begin(), options.end(), "--use_fast_math"), 1);
  request.arch = "compute_90";  // no ptxas for PTX-only output
  options = Nvrtc::optionsFor(request);
  EXPECT_EQ(std::count(options.begin(), options.end(), "--ptxas-options=-v"), 0);
}

TEST(Nvrtc, CompilesCubinsForSm80AndSm90a) {
  REQUIRE_NVRTC();
  const Nvrtc &nvrtc = Nvrtc::get();
  EXPECT_GE(nvrtc.versionMajor(), 12);
  std::vector<int> archs = nvrtc.supportedArchs();
  EXPECT_NE(std::find(archs.begin(), archs.end(), 80), archs.end());
  EXPECT_NE(std::find(archs.begin(), archs.end(), 90), archs.end());
  for (const char *arch : {"sm_80", "sm_90a"}) {
    CompileRequest request;
    request.name = "add_one";
    request.source = kAddKernel;
    request.arch = arch;
    CompileResult result = nvrtc.compile(request);
    ASSERT_GT(result.cubin.size(), sizeof(Elf64_Ehdr)) << arch;
    EXPECT_EQ(result.cubin.compare(0, 4, "\x7f" "ELF"), 0);
    Elf64_Ehdr header;
    std::memcpy(&header, result.cubin.data(), sizeof(header));
    EXPECT_EQ(header.e_machine, 190) << "EM_CUDA";
    EXPECT_EQ(sortedFunctions(result.cubin), std::vector<std::string>{"ds_add_one"});
    EXPECT_NE(result.ptx.find(".entry ds_add_one"), std::string::npos);
    EXPECT_EQ(result.nvrtcVersion(), nvrtc.version());
    EXPECT_EQ(result.arch, arch);
    ASSERT_EQ(result.resources.size(), 1u);
    EXPECT_EQ(result.resources[0].name, "ds_add_one");
    EXPECT_GT(result.resources[0].registers, 0);
    EXPECT_EQ(result.resources[0].spillStores, 0);
    EXPECT_EQ(result.resources[0].spillLoads, 0);
  }
}

TEST(Nvrtc, VirtualArchGivesPtxOnly) {
  REQUIRE_NVRTC();
  CompileRequest request;
  request.source = kAddKernel;
  request.arch = "compute_90";
  CompileResult result = Nvrtc::get().compile(request);
  EXPECT_TRUE(result.cubin.empty());
  EXPECT_NE(result.ptx.find(".target sm_90"), std::string::npos);
  EXPECT_NE(result.ptx.find(".entry ds_add_one"), std::string::npos);
}

TEST(Nvrtc, InMemoryHeadersAndOptions) {
  REQUIRE_NVRTC();
  CompileRequest request;
  request.name = "scaled";
  request.headers["ds/scale.cuh"] = "#pragma once\n#define DS_SCALE SCALE_FROM_OPTION\n";
  request.source = "#include \"ds/scale.cuh\"\n"
                   "extern \"C\" __global__ void scaled(float *p) { p[threadIdx.x] *= DS_SCALE; }\n";
  request.options = {"-DSCALE_FROM_OPTION=3.5f"};
  CompileResult result = Nvrtc::get().compile(request);
  EXPECT_EQ(sortedFunctions(result.cubin), std::vector<std::string>{"scaled"});
  // 3.5f is 0x40600000 in the PTX.
  EXPECT_NE(result.ptx.find("0f40600000"), std::string::npos) << result.ptx;
}

TEST(Nvrtc, CompileErrorCarriesLogSavedSourceAndOptions) {
  REQUIRE_NVRTC();
  std::string dir = makeTempDir();
  CompileRequest request;
  request.name = "broken";
  request.headers["helper.cuh"] = "#define HELPER 1\n";
  request.source = "#include \"helper.cuh\"\n"
                   "extern \"C\" __global__ void broken(float *p) { p[0] = no_such_name; }\n";
  request.options = {"-DEXTRA=1"};
  request.arch = "sm_90a";
  try {
    Nvrtc::get().compile(request, dir + "/failed");
    FAIL() << "expected a compile error";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("no_such_name"), std::string::npos) << message;
    EXPECT_NE(message.find("is undefined"), std::string::npos) << message;
    EXPECT_NE(message.find("-arch=sm_90a -std=c++17"), std::string::npos) << message;
    EXPECT_NE(message.find("-DEXTRA=1"), std::string::npos) << message;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(message, match, std::regex("source saved to: (\\S+)")))
        << message;
    std::string saved = match[1];
    EXPECT_EQ(saved.rfind(dir + "/failed/broken-", 0), 0u) << saved;
    EXPECT_EQ(readFile(saved), request.source);
    std::string reproDir = saved.substr(0, saved.rfind('/'));
    EXPECT_EQ(readFile(reproDir + "/helper.cuh"), "#define HELPER 1\n");
    EXPECT_NE(readFile(reproDir + "/options.txt").find("-DEXTRA=1\n"), std::string::npos);
    EXPECT_NE(readFile(reproDir + "/repro.sh").find("nvcc"), std::string::npos);
    // The nvcc command leaves out the NVRTC-only switches -minimal and -pch.
    EXPECT_NE(readFile(reproDir + "/repro.sh").find("nvcc -cubin -I. -arch=sm_90a -std=c++17 --ptxas-options=-v"), std::string::npos);
  }
  // Without a directory the repro goes to a fresh temporary directory.
  try {
    Nvrtc::get().compile(request);
    FAIL() << "expected a compile error";
  } catch (const Error &error) {
    std::smatch match;
    std::string message = error.what();
    ASSERT_TRUE(std::regex_search(message, match, std::regex("source saved to: (\\S+)")));
    EXPECT_EQ(readFile(match[1]), request.source);
    std::string saved = match[1];
    runCommand("rm -rf " + saved.substr(0, saved.rfind('/')));
  }
  runCommand("rm -rf " + dir);
}

TEST(Nvrtc, RejectsMalformedArch) {
  REQUIRE_NVRTC();
  CompileRequest request;
  request.source = kAddKernel;
  request.arch = "ampere";
  EXPECT_THROW(Nvrtc::get().compile(request), Error);
}

// Helper mode: run by MissingLibraryIsAClearError in a child with DS_NVRTC_LIBRARY set.
TEST(NvrtcHelper, ReportMissing) {
  if (!std::getenv("DS_TEST_EXPECT_NO_NVRTC"))
    GTEST_SKIP() << "helper for Nvrtc.MissingLibraryIsAClearError";
  std::string why;
  EXPECT_FALSE(Nvrtc::available(&why));
  try {
    Nvrtc::get();
    FAIL() << "expected Error";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("NVRTC"), std::string::npos);
    EXPECT_NE(message.find("could not be loaded"), std::string::npos);
    EXPECT_NE(message.find("/nonexistent/libnvrtc.so"), std::string::npos) << message;
  }
}

TEST(Nvrtc, MissingLibraryIsAClearError) {
  // A process whose NVRTC cannot be found starts, runs and reports it when asked.
  EXPECT_EQ(runSelf("NvrtcHelper.ReportMissing",
                    {"DS_NVRTC_LIBRARY=/nonexistent/libnvrtc.so", "DS_TEST_EXPECT_NO_NVRTC=1"}),
            0);
}

//===----------------------------------------------------------------------===//
// Cubin resources
//===----------------------------------------------------------------------===//

TEST(CubinResources, RejectsNonElfAndTruncatedCubins) {
  EXPECT_THROW(kernelResources("not an elf at all, just some text long enough to parse......."),
               Error);
  EXPECT_THROW(kernelResources(""), Error);
  std::string why;
  if (!Nvrtc::available(&why))
    return;
  CompileRequest request;
  request.source = kAddKernel;
  std::string cubin = Nvrtc::get().compile(request).cubin;
  EXPECT_THROW(kernelResources(cubin.substr(0, cubin.size() / 2)), Error);
  EXPECT_THROW(kernelResources(cubin.substr(0, 80)), Error);
}

TEST(CubinResources, PtxasReportGivesSpills) {
  std::vector<KernelResources> kernels = {{"a"}, {"b"}};
  mergePtxasReport(kernels, "ptxas info    : Function properties for a\n"
                            "ptxas         .     568 bytes stack frame, 564 bytes spill stores, "
                            "960 bytes spill loads\n"
                            "ptxas info    : Function properties for b\n"
                            "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n");
  EXPECT_EQ(kernels[0].spillStores, 564);
  EXPECT_EQ(kernels[0].spillLoads, 960);
  EXPECT_EQ(kernels[1].spillStores, 0);
  EXPECT_EQ(kernels[1].spillLoads, 0);
}

namespace {

// cuobjdump from $DS_CUOBJDUMP, the toolkit, or PATH; empty when absent.
std::string findCuobjdump() {
  std::vector<std::string> candidates;
  if (const char *forced = std::getenv("DS_CUOBJDUMP"))
    candidates.push_back(forced);
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(std::string(home) + "/bin/cuobjdump");
  candidates.push_back("/usr/local/cuda/bin/cuobjdump");
  for (const std::string &candidate : candidates)
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  std::string onPath = runCommand("command -v cuobjdump 2>/dev/null");
  while (!onPath.empty() && (onPath.back() == '\n' || onPath.back() == ' '))
    onPath.pop_back();
  return onPath;
}

struct DumpedResources {
  int registers = -1;
  int64_t stack = -1, shared = -1;
};

// " Function NAME:\n  REG:10 STACK:0 SHARED:0 LOCAL:0 ..."
std::map<std::string, DumpedResources> parseResourceUsage(const std::string &dump) {
  std::map<std::string, DumpedResources> result;
  std::regex function(R"(Function ([^:\s]+):\s*\n\s*REG:(\d+) STACK:(\d+) SHARED:(\d+))");
  for (auto it = std::sregex_iterator(dump.begin(), dump.end(), function);
       it != std::sregex_iterator(); ++it) {
    DumpedResources &entry = result[(*it)[1]];
    entry.registers = std::stoi((*it)[2]);
    entry.stack = std::stoll((*it)[3]);
    entry.shared = std::stoll((*it)[4]);
  }
  return result;
}

} // namespace

TEST(CubinResources, MatchCuobjdump) {
  REQUIRE_NVRTC();
  std::string cuobjdump = findCuobjdump();
  std::string dir = makeTempDir();
  struct Case {
    const char *source;
    std::vector<std::string> options;
    std::string spilling;  // kernel expected to spill ("" none)
  };
  std::vector<Case> cases = {{kAddKernel, {}, ""},
                             {kSharedKernel, {}, ""},
                             {kSpillKernel.c_str(), {"-maxrregcount=24"}, "ds_spill"}};
  int compared = 0;
  for (const char *arch : {"sm_80", "sm_90a"}) {
    for (const Case &c : cases) {
      CompileRequest request;
      request.source = c.source;
      request.options = c.options;
      request.arch = arch;
      CompileResult result = Nvrtc::get().compile(request);
      ASSERT_EQ(result.resources.size(), 1u);
      const KernelResources &mine = result.resources[0];
      EXPECT_GT(mine.registers, 0);
      if (c.spilling.empty()) {
        EXPECT_EQ(mine.spillStores, 0) << mine.name << " " << arch;
      } else {
        EXPECT_GT(mine.spillStores, 0) << mine.name << " " << arch;
        EXPECT_GT(mine.spillLoads, 0) << mine.name << " " << arch;
        EXPECT_LE(mine.registers, 24);
      }
      if (mine.name == "ds_tile_mix") {
        EXPECT_GE(mine.sharedBytes, 1024);  // the 256-float tile
      }
      if (cuobjdump.empty())
        continue;
      std::string path = dir + "/" + mine.name + "_" + arch + ".cubin";
      std::ofstream(path, std::ios::binary) << result.cubin;
      int status = 0;
      std::string dump = runCommand(cuobjdump + " --dump-resource-usage " + path + " 2>&1", &status);
      ASSERT_EQ(status, 0) << dump;
      std::map<std::string, DumpedResources> theirs = parseResourceUsage(dump);
      ASSERT_EQ(theirs.count(mine.name), 1u) << dump;
      EXPECT_EQ(mine.registers, theirs[mine.name].registers) << mine.name << " " << arch;
      EXPECT_EQ(mine.stackBytes, theirs[mine.name].stack) << mine.name << " " << arch;
      EXPECT_EQ(mine.sharedBytes, theirs[mine.name].shared) << mine.name << " " << arch;
      ++compared;
    }
  }
  runCommand("rm -rf " + dir);
  if (cuobjdump.empty())
    GTEST_SKIP() << "cuobjdump not found (set DS_CUOBJDUMP): compared with ptxas' report only";
  EXPECT_EQ(compared, 6);
}

TEST(CubinResources, SeveralKernelsInOneCubin) {
  REQUIRE_NVRTC();
  CompileRequest request;
  request.source = std::string(kAddKernel) + kSharedKernel;
  request.arch = "sm_90a";
  CompileResult result = Nvrtc::get().compile(request);
  EXPECT_EQ(sortedFunctions(result.cubin), (std::vector<std::string>{"ds_add_one", "ds_tile_mix"}));
  std::map<std::string, KernelResources> byName;
  for (const KernelResources &kernel : result.resources)
    byName[kernel.name] = kernel;
  ASSERT_EQ(byName.size(), 2u);
  EXPECT_EQ(byName["ds_add_one"].sharedBytes, 0);
  EXPECT_GE(byName["ds_tile_mix"].sharedBytes, 1024);
  EXPECT_EQ(byName["ds_add_one"].stackBytes, 0);
  EXPECT_GE(byName["ds_tile_mix"].stackBytes, 256);  // float acc[64] lives on the stack
}
