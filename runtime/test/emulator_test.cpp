// The CUDA emulator (runtime/src/emulate, runtime/kernels/ds_emu.h): barriers, warp
// collectives, atomics, shared-memory poisoning, mma fragment layouts, the host compile
// cache, launch rules, the `emulate` device end to end, and the device-function layer
// compiled for sm_80/sm_90a by nvcc and NVRTC.
#include "Backend.h"
#include "EmbeddedKernelHeaders.h"
#include "TestBundle.h"
#include "emulate/EmulateBackend.h"
#include "emulate/KernelCompiler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <dlfcn.h>
#include <random>
#include <thread>

using namespace ds::rt;
using nlohmann::json;

namespace {

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// ---- kernel sources --------------------------------------------------------------------

// out[0] += sum(in[0..n)), n = dims[0]; blocks of 256 threads, tree reduction in shared
// memory. BARRIER is the line the broken variant removes.
const char *kBlockSum = R"(#include "ds_device.cuh"
#define BARRIER ds::sync_block()
DS_KERNEL(test_block_sum) {
  DS_SHARED float partial[256];
  const float *in = static_cast<const float *>(params.ptr[0]);
  float *out = static_cast<float *>(params.ptr[1]);
  int64_t n = params.dims[0];
  unsigned t = ds::thread_idx_x();
  int64_t i = (int64_t)ds::block_idx_x() * 256 + t;
  partial[t] = i < n ? in[i] : 0.0f;
  BARRIER;
  for (unsigned stride = 128; stride > 0; stride >>= 1) {
    if (t < stride) partial[t] += partial[t + stride];
    BARRIER;
  }
  if (t == 0) ds::atomic_add(out, partial[0]);
}
)";

const char *kWarpOps = R"(#include "ds_device.cuh"
DS_KERNEL(test_warp_ops) {
  const int32_t *in = static_cast<const int32_t *>(params.ptr[0]);
  int32_t *out = static_cast<int32_t *>(params.ptr[1]);
  unsigned t = ds::thread_linear();
  int v = in[t];
  int32_t *o = out + t * 10;
  o[0] = ds::shfl_xor(v, 1);
  o[1] = ds::shfl_xor(v, 16);
  o[2] = ds::shfl_down(v, 3u);
  o[3] = ds::shfl_up(v, 5u);
  o[4] = ds::shfl_idx(v, (int)((ds::lane_id() * 7) % 32));
  o[5] = (int32_t)ds::ballot(v > 0);
  o[6] = ds::any(v > 90) ? 1 : 0;
  o[7] = ds::all(v > -100) ? 1 : 0;
  double d = v * 0.5;
  o[8] = (int32_t)(ds::shfl_xor(d, 2) * 2.0);
  ds::f16 h = ds::float_to_f16((float)v);
  o[9] = (int32_t)ds::to_float(ds::shfl_down(h, 1u));
}
)";

const char *kAtomics = R"(#include "ds_device.cuh"
DS_KERNEL(test_atomics) {
  int32_t *i32 = static_cast<int32_t *>(params.ptr[0]);
  int64_t *i64 = static_cast<int64_t *>(params.ptr[1]);
  uint64_t *u64 = static_cast<uint64_t *>(params.ptr[2]);
  float *f32 = static_cast<float *>(params.ptr[3]);
  int64_t g = (int64_t)ds::block_idx_x() * ds::block_dim_x() + ds::thread_idx_x();
  ds::atomic_add(i32, 1);
  ds::atomic_max(i32 + 1, (int32_t)(g * 7 % 1001));
  ds::atomic_min(i32 + 2, (int32_t)(1000 - g));
  ds::atomic_add(i64, g);
  ds::atomic_max(i64 + 1, g * 1000000007LL);
  ds::atomic_min(i64 + 2, -g);
  ds::atomic_add(u64, (uint64_t)g);
  ds::atomic_max(u64 + 1, (uint64_t)g << 33);
  ds::atomic_min(u64 + 2, (uint64_t)g + 5);
  ds::atomic_add(f32, 1.0f);
  ds::atomic_max(f32 + 1, (float)g * 0.5f);
  ds::atomic_min(f32 + 2, -(float)g);
  int32_t slot = (int32_t)(g % 4);
  if (ds::atomic_cas(i32 + 3 + slot, -1, (int32_t)g) == -1) ds::atomic_add(i32 + 7, 1);
}
)";

// One warp: D = A * B + C with fragments loaded by the PTX ISA formulas spelled out here
// (independently of ds_device.cuh's maps). scalars[0]: 0 bf16, 1 f16; scalars[1] = 1
// swaps a1 and a2 (a deliberately wrong layout).
const char *kMma = R"(#include "ds_device.cuh"
DS_KERNEL(test_mma) {
  const uint16_t *A = static_cast<const uint16_t *>(params.ptr[0]);  // 16x16 row-major
  const uint16_t *B = static_cast<const uint16_t *>(params.ptr[1]);  // 16x8, B[k][n]
  const float *C = static_cast<const float *>(params.ptr[2]);        // 16x8
  float *D = static_cast<float *>(params.ptr[3]);
  int lane = (int)ds::lane_id(), group = lane >> 2, tig = lane % 4;
  uint32_t a[4], b[2];
  float c[4], d[4];
  for (int i = 0; i < 8; i += 2) {
    int row = (i < 2 || (i >= 4 && i < 6)) ? group : group + 8;
    int col = tig * 2 + (i >= 4 ? 8 : 0);
    a[i / 2] = ds::pack2(A[row * 16 + col], A[row * 16 + col + 1]);
  }
  for (int i = 0; i < 4; i += 2) {
    int k = tig * 2 + (i >= 2 ? 8 : 0);
    b[i / 2] = ds::pack2(B[k * 8 + group], B[(k + 1) * 8 + group]);
  }
  for (int i = 0; i < 4; ++i) c[i] = C[(group + (i >= 2 ? 8 : 0)) * 8 + tig * 2 + (i & 1)];
  if (params.scalars[1]) {
    uint32_t keep = a[1];
    a[1] = a[2];
    a[2] = keep;
  }
  if (params.scalars[0] == 0) ds::mma_m16n8k16_bf16(d, a, b, c);
  else ds::mma_m16n8k16_f16(d, a, b, c);
  for (int i = 0; i < 4; ++i) D[(group + (i >= 2 ? 8 : 0)) * 8 + tig * 2 + (i & 1)] = d[i];
}
)";

const char *kIndices = R"(#include "ds_device.cuh"
DS_KERNEL(test_indices) {
  int32_t *out = static_cast<int32_t *>(params.ptr[0]);
  unsigned block = ds::block_idx_x() + ds::grid_dim_x() * (ds::block_idx_y() + ds::grid_dim_y() * ds::block_idx_z());
  unsigned threads = ds::block_dim_x() * ds::block_dim_y() * ds::block_dim_z();
  unsigned t = ds::thread_linear();
  int32_t *o = out + (block * threads + t) * 4;
  o[0] = ds::thread_idx_x() + 10 * ds::thread_idx_y() + 100 * ds::thread_idx_z();
  o[1] = ds::block_idx_x() + 10 * ds::block_idx_y() + 100 * ds::block_idx_z();
  o[2] = ds::lane_id() + 100 * ds::warp_id();
  o[3] = t;
}
)";

// Reads shared memory nobody wrote in this block, then writes it (for the next block).
const char *kPoison = R"(#include "ds_device.cuh"
DS_KERNEL(test_poison) {
  DS_SHARED float s[4];
  float *o = static_cast<float *>(params.ptr[0]);
  float *dyn = ds::dynamic_shared<float>();
  o[ds::block_idx_x() * 2] = s[1];
  o[ds::block_idx_x() * 2 + 1] = dyn[3];
  s[1] = 42.0f;
  dyn[3] = 7.0f;
}
)";

// out[i] = in[i] * scalars[0] for i < dims[0] (bounds-checked tail).
const char *kScale = R"(#include "ds_device.cuh"
DS_KERNEL(test_scale) {
  const float *in = static_cast<const float *>(params.ptr[0]);
  float *out = static_cast<float *>(params.ptr[1]);
  int64_t i = (int64_t)ds::block_idx_x() * ds::block_dim_x() + ds::thread_idx_x();
  if (i < params.dims[0]) out[i] = in[i] * (float)params.scalars[0];
}
)";

const char *kEarlyExit = R"(#include "ds_device.cuh"
DS_KERNEL(test_early_exit) {
  if (ds::thread_idx_x() >= 100) return;
  ds::sync_block();
}
)";

const char *kDivergentWarp = R"(#include "ds_device.cuh"
DS_KERNEL(test_divergent_warp) {
  int v = (int)ds::lane_id();
  if (ds::lane_id() < 16) v = ds::shfl_xor(v, 1);
  else v = (int)ds::ballot(true);
  static_cast<int32_t *>(params.ptr[0])[ds::thread_linear()] = v;
}
)";

// Lane 0 waits at the block barrier while the other lanes wait at a warp collective.
const char *kDeadlock = R"(#include "ds_device.cuh"
DS_KERNEL(test_deadlock) {
  if (ds::lane_id() == 0) ds::sync_block();
  else (void)ds::ballot(true);
}
)";

// Touches every entry of the device-function layer (compiled by nvcc/NVRTC below, and
// run once on the host).
const char *kDeviceLayer = R"(#include "ds_device.cuh"
DS_DEVICE float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += ds::shfl_xor(v, offset);
  return v;
}
DS_KERNEL(test_device_layer) {
  DS_SHARED float partial[32];
  float *out = static_cast<float *>(params.ptr[0]);
  unsigned tid = ds::thread_linear();
  float v = (float)tid * 0.25f - 3.0f;
  v = ds::expf_(ds::logf_(ds::fabsf_(v) + 1.0f)) + ds::tanhf_(v) * ds::rsqrtf_(4.0f) +
      ds::sqrtf_(4.0f) + ds::erff_(0.0f) + ds::powf_(2.0f, 1.0f) + ds::fmaxf_(v, 0.0f) -
      ds::fminf_(v, 0.0f) + ds::floorf_(0.5f) + ds::ceilf_(0.5f) + ds::rintf_(0.5f) +
      ds::truncf_(0.5f) + ds::fmodf_(3.0f, 2.0f) + ds::fmaf_(1.0f, 1.0f, 1.0f) +
      ds::sinf_(0.0f) + ds::cosf_(0.0f) + ds::exp2f_(0.0f) + ds::log1pf_(0.0f) +
      ds::expm1f_(0.0f) + (float)ds::exp_(0.0) + (float)ds::log_(1.0) + (float)ds::sqrt_(1.0) +
      (float)ds::tanh_(0.0) + (float)ds::pow_(1.0, 2.0) +
      (ds::isnan_(ds::nan_f32()) ? 1.0f : 0.0f) + (ds::isinf_(ds::inf_f32()) ? 1.0f : 0.0f);
  float s = warp_sum(v) + ds::shfl_up(v, 1u) + ds::shfl_down(v, 1u) + ds::shfl_idx(v, 0);
  s += ds::to_float(ds::shfl_xor(ds::from_float<ds::bf16>(v), 1)) +
       ds::to_float(ds::shfl_idx(ds::from_float<ds::f16>(v), 2));
  uint32_t mask = ds::ballot(v > 0.0f);
  bool any = ds::any(v > 1.0f), all = ds::all(v > -100.0f);
  if (ds::lane_id() == 0) partial[ds::warp_id()] = s + (float)(mask & 1u) + (any ? 1.0f : 0.0f) + (all ? 1.0f : 0.0f);
  ds::sync_block();
  uint32_t a[4] = {ds::pack2(ds::float_to_bf16(1.0f), ds::float_to_bf16(2.0f)), 0, 0, 0};
  uint32_t b[2] = {ds::pack2(ds::float_to_bf16(1.0f), ds::float_to_bf16(2.0f)), 0};
  float c[4] = {0, 0, 0, 0}, d[4];
  ds::mma_m16n8k16_bf16(d, a, b, c);
  uint32_t ah[4] = {ds::pack2(ds::float_to_f16(1.0f), ds::float_to_f16(2.0f)), 0, 0, 0};
  uint32_t bh[2] = {ds::pack2(ds::float_to_f16(1.0f), ds::float_to_f16(2.0f)), 0};
  ds::mma_m16n8k16_f16(d, ah, bh, d);
  int32_t *counters = static_cast<int32_t *>(params.ptr[1]);
  int64_t *wide = static_cast<int64_t *>(params.ptr[2]);
  uint64_t *uwide = static_cast<uint64_t *>(params.ptr[3]);
  if (tid == 0) {
    float total = 0.0f;
    for (unsigned w = 0; w < (ds::block_dim_x() + 31) / 32; ++w) total += partial[w];
    ds::atomic_add(out, total);
    ds::atomic_max(out + 1, d[0]);
    ds::atomic_min(out + 2, total);
    ds::atomic_cas(out + 3, 0.0f, 1.0f);
  }
  ds::atomic_add(counters, 1);
  ds::atomic_max(counters + 1, (int32_t)tid);
  ds::atomic_min(counters + 2, (int32_t)tid);
  ds::atomic_cas(counters + 3, 0, 1);
  ds::atomic_add(wide, (int64_t)1);
  ds::atomic_max(wide + 1, (int64_t)tid);
  ds::atomic_min(wide + 2, (int64_t)tid);
  ds::atomic_cas(wide + 3, (int64_t)0, (int64_t)params.scalars[0]);
  ds::atomic_add(uwide, (uint64_t)1);
  ds::atomic_max(uwide + 1, (uint64_t)tid);
  ds::atomic_min(uwide + 2, (uint64_t)tid);
  ds::atomic_cas(uwide + 3, (uint64_t)0, (uint64_t)1);
  float *dyn = ds::dynamic_shared<float>();
  dyn[tid] = v;
  ds::sync_warp();
  ds::thread_fence();
  ds::yield_point();
  out[4 + tid] = dyn[tid] + (float)(ds::block_idx_y() + ds::grid_dim_y() + ds::thread_idx_y() +
                                    ds::thread_idx_z() + ds::block_idx_z() + ds::grid_dim_z() +
                                    ds::block_dim_y() + ds::block_dim_z()) - 6.0f;
}
)";

std::vector<emu::KernelSource> goodSources() {
  return {{"test_block_sum", kBlockSum, "kBlockSum"},     {"test_warp_ops", kWarpOps, "kWarpOps"},
          {"test_atomics", kAtomics, "kAtomics"},         {"test_mma", kMma, "kMma"},
          {"test_indices", kIndices, "kIndices"},         {"test_poison", kPoison, "kPoison"},
          {"test_scale", kScale, "kScale"},               {"test_early_exit", kEarlyExit, "kEarlyExit"},
          {"test_divergent_warp", kDivergentWarp, "kDivergentWarp"},
          {"test_deadlock", kDeadlock, "kDeadlock"},
          {"test_device_layer", kDeviceLayer, "kDeviceLayer"}};
}

// Every test uses a private kernel cache.
std::string testCacheDir() {
  static std::string dir = [] {
    std::string d = dstest::makeTempDir() + "/cache";
    setenv("DS_CACHE_DIR", d.c_str(), 1);
    unsetenv("DS_DISABLE_CACHE");
    return d;
  }();
  return dir;
}

// The module of goodSources(), compiled once for the test binary.
const emu::KernelModule &goodModule() {
  static std::shared_ptr<emu::KernelModule> module = [] {
    testCacheDir();
    return emu::compileKernels(goodSources(), {}, "emulator_test").module;
  }();
  return *module;
}

emu::KernelFn kernel(const char *name) {
  emu::KernelFn fn = goodModule().find(name);
  EXPECT_NE(fn, nullptr) << name;
  return fn;
}

ds::KernelParams params(std::initializer_list<void *> ptrs, std::initializer_list<int64_t> dims = {},
                        std::initializer_list<int64_t> scalars = {}) {
  ds::KernelParams p;
  std::memset(&p, 0, sizeof p);
  int i = 0;
  for (void *q : ptrs) p.ptr[i++] = q;
  i = 0;
  for (int64_t d : dims) p.dims[i++] = d;
  i = 0;
  for (int64_t s : scalars) p.scalars[i++] = s;
  return p;
}

emu::LaunchConfig config(emu::Dim3 grid, emu::Dim3 block, size_t shared = 0) {
  emu::LaunchConfig c;
  c.grid = grid;
  c.block = block;
  c.sharedBytes = shared;
  return c;
}

std::string launchError(const emu::KernelModule &m, emu::KernelFn fn, const emu::LaunchConfig &c,
                        const ds::KernelParams &p, ThreadPool &pool) {
  try {
    emu::launch(m, fn, c, p, pool, "test launch");
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

float blockSum(const emu::KernelModule &m, emu::KernelFn fn, const std::vector<float> &in,
               ThreadPool &pool) {
  float out = 0.0f;
  int64_t n = static_cast<int64_t>(in.size());
  uint32_t blocks = static_cast<uint32_t>((n + 255) / 256);
  emu::launch(m, fn, config({blocks, 1, 1}, {256, 1, 1}),
              params({const_cast<float *>(in.data()), &out}, {n}), pool, "block sum");
  return out;
}

// ---- barriers --------------------------------------------------------------------------

TEST(Emulator, BlockReductionWithBarrierIsExact) {
  ThreadPool pool(4);
  for (int64_t n : {1, 255, 256, 1000, 4099}) {
    std::vector<float> in(static_cast<size_t>(n));
    double expected = 0;
    for (int64_t i = 0; i < n; ++i) {
      in[i] = static_cast<float>((i * 37) % 101);  // integers: every order sums exactly
      expected += in[i];
    }
    EXPECT_EQ(blockSum(goodModule(), kernel("test_block_sum"), in, pool), expected) << "n=" << n;
  }
}

TEST(Emulator, RemovingTheBarrierBreaksTheReduction) {
  // The same kernel text with the barrier macro emptied: the emulator must not hide the
  // race (a GPU would give some wrong value; here threads read poisoned shared memory).
  std::string broken = kBlockSum;
  std::string line = "#define BARRIER ds::sync_block()";
  broken.replace(broken.find(line), line.size(), "#define BARRIER");
  auto mod = emu::compileKernels({{"test_block_sum", broken, "broken"}}, {}, "broken barrier").module;
  ThreadPool pool(2);
  std::vector<float> in(1000, 1.0f);
  float got = blockSum(*mod, mod->find("test_block_sum"), in, pool);
  EXPECT_FALSE(got == 1000.0f) << "a reduction without barriers must not give the right sum";
  EXPECT_EQ(blockSum(goodModule(), kernel("test_block_sum"), in, pool), 1000.0f);
}

TEST(Emulator, ThreadReturningBeforeABarrierIsReported) {
  ThreadPool pool(1);
  std::string err = launchError(goodModule(), kernel("test_early_exit"),
                                config({2, 1, 1}, {128, 1, 1}), params({}), pool);
  EXPECT_CONTAINS(err, "test launch: block (0,0,0): thread (100,0,0) returned while 100 of 128 threads wait at sync_block");
  // Every thread reaching it: fine.
  EXPECT_EQ(launchError(goodModule(), kernel("test_early_exit"), config({2, 1, 1}, {100, 1, 1}),
                        params({}), pool),
            "(no error)");
}

// ---- warps -----------------------------------------------------------------------------

TEST(Emulator, WarpCollectivesMatchAScalarModel) {
  ThreadPool pool(2);
  const int threads = 64;
  std::vector<int32_t> in(threads), out(threads * 10, -7);
  std::mt19937 rng(3);
  for (auto &v : in) v = static_cast<int32_t>(rng() % 200) - 99;
  emu::launch(goodModule(), kernel("test_warp_ops"), config({1, 1, 1}, {threads, 1, 1}),
              params({in.data(), out.data()}), pool, "warp ops");
  for (int t = 0; t < threads; ++t) {
    int warp = t / 32, lane = t % 32, base = warp * 32;
    auto at = [&](int l) { return in[base + l]; };
    uint32_t ballot = 0;
    bool any = false, all = true;
    for (int l = 0; l < 32; ++l) {
      if (at(l) > 0) ballot |= 1u << l;
      any = any || at(l) > 90;
      all = all && at(l) > -100;
    }
    const int32_t *o = &out[t * 10];
    EXPECT_EQ(o[0], at(lane ^ 1)) << "shfl_xor 1, thread " << t;
    EXPECT_EQ(o[1], at(lane ^ 16)) << "shfl_xor 16, thread " << t;
    EXPECT_EQ(o[2], lane + 3 < 32 ? at(lane + 3) : at(lane)) << "shfl_down, thread " << t;
    EXPECT_EQ(o[3], lane >= 5 ? at(lane - 5) : at(lane)) << "shfl_up, thread " << t;
    EXPECT_EQ(o[4], at((lane * 7) % 32)) << "shfl_idx, thread " << t;
    EXPECT_EQ(static_cast<uint32_t>(o[5]), ballot) << "ballot, thread " << t;
    EXPECT_EQ(o[6], any ? 1 : 0) << "any, thread " << t;
    EXPECT_EQ(o[7], all ? 1 : 0) << "all, thread " << t;
    EXPECT_EQ(o[8], at(lane ^ 2)) << "shfl_xor of a double, thread " << t;
    EXPECT_EQ(o[9], lane + 1 < 32 ? at(lane + 1) : at(lane)) << "shfl_down of an f16, thread " << t;
  }
}

TEST(Emulator, PartialWarpVotesCountOnlyItsLanes) {
  // 48 threads: warp 1 has lanes 0..15 only; missing lanes neither vote nor veto `all`.
  ThreadPool pool(1);
  const int threads = 48;
  std::vector<int32_t> in(threads, 5), out(threads * 10, -7);
  in[40] = -200;  // lane 8 of warp 1
  emu::launch(goodModule(), kernel("test_warp_ops"), config({1, 1, 1}, {threads, 1, 1}),
              params({in.data(), out.data()}), pool, "partial warp");
  for (int t = 32; t < threads; ++t) {
    const int32_t *o = &out[t * 10];
    EXPECT_EQ(static_cast<uint32_t>(o[5]), 0xffffu & ~(1u << 8)) << "ballot, thread " << t;
    EXPECT_EQ(o[6], 0) << "any, thread " << t;
    EXPECT_EQ(o[7], 0) << "all (lane 8 votes no), thread " << t;
    EXPECT_EQ(o[0], in[32 + ((t - 32) ^ 1)]) << "shfl_xor within the lanes, thread " << t;
  }
  in[40] = 5;
  emu::launch(goodModule(), kernel("test_warp_ops"), config({1, 1, 1}, {threads, 1, 1}),
              params({in.data(), out.data()}), pool, "partial warp");
  EXPECT_EQ(out[40 * 10 + 7], 1) << "all over the 16 lanes the warp has";
}

TEST(Emulator, LanesAtDifferentCollectivesAreReported) {
  ThreadPool pool(1);
  std::vector<int32_t> out(32);
  std::string err = launchError(goodModule(), kernel("test_divergent_warp"),
                                config({1, 1, 1}, {32, 1, 1}), params({out.data()}), pool);
  EXPECT_CONTAINS(err, "the lanes of warp 0 are at different warp collectives");
  EXPECT_CONTAINS(err, "shfl_xor");
  EXPECT_CONTAINS(err, "ballot");
}

TEST(Emulator, DeadlockIsReported) {
  ThreadPool pool(1);
  std::string err = launchError(goodModule(), kernel("test_deadlock"), config({1, 1, 1}, {32, 1, 1}),
                                params({}), pool);
  EXPECT_CONTAINS(err, "deadlock: 1 threads wait at sync_block and 31 at warp collectives");
}

// ---- atomics ---------------------------------------------------------------------------

TEST(Emulator, AtomicsFromManyBlocks) {
  ThreadPool pool(4);
  const int64_t blocks = 37, threads = 128, n = blocks * threads;
  std::vector<int32_t> i32 = {0, -1, 1 << 30, -1, -1, -1, -1, 0};
  std::vector<int64_t> i64 = {0, 0, 0};
  std::vector<uint64_t> u64 = {0, 0, ~0ull};
  std::vector<float> f32 = {0.0f, -1e30f, 1e30f};
  emu::launch(goodModule(), kernel("test_atomics"), config({blocks, 1, 1}, {threads, 1, 1}),
              params({i32.data(), i64.data(), u64.data(), f32.data()}), pool, "atomics");
  int32_t maxMod = 0;
  for (int64_t g = 0; g < n; ++g) maxMod = std::max<int32_t>(maxMod, static_cast<int32_t>(g * 7 % 1001));
  EXPECT_EQ(i32[0], n);
  EXPECT_EQ(i32[1], maxMod);
  EXPECT_EQ(i32[2], static_cast<int32_t>(1000 - (n - 1)));
  EXPECT_EQ(i32[7], 4) << "each CAS slot is claimed exactly once";
  for (int s = 0; s < 4; ++s) {
    EXPECT_GE(i32[3 + s], 0);
    EXPECT_EQ(i32[3 + s] % 4, s);
  }
  EXPECT_EQ(i64[0], n * (n - 1) / 2);
  EXPECT_EQ(i64[1], (n - 1) * 1000000007LL);
  EXPECT_EQ(i64[2], -(n - 1));
  EXPECT_EQ(u64[0], static_cast<uint64_t>(n * (n - 1) / 2));
  EXPECT_EQ(u64[1], static_cast<uint64_t>(n - 1) << 33);
  EXPECT_EQ(u64[2], 5u);
  EXPECT_EQ(f32[0], static_cast<float>(n));
  EXPECT_EQ(f32[1], static_cast<float>(n - 1) * 0.5f);
  EXPECT_EQ(f32[2], -static_cast<float>(n - 1));
}

// ---- shared memory ---------------------------------------------------------------------

TEST(Emulator, SharedMemoryIsPoisonedBeforeEveryBlock) {
  ThreadPool pool(1);  // one OS thread: every block reuses the same shared arrays
  std::vector<float> out(6, 0.0f);
  emu::launch(goodModule(), kernel("test_poison"), config({3, 1, 1}, {1, 1, 1}, 64),
              params({out.data()}), pool, "poison");
  for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(std::isnan(out[i])) << i << ": " << out[i];
}

// ---- tensor cores ----------------------------------------------------------------------

// The PTX ISA table, spelled out independently of ds_device.cuh.
TEST(Emulator, MmaLayoutMapsFollowThePtxTable) {
  std::vector<int> seenA(256, 0), seenB(128, 0), seenC(128, 0);
  for (int lane = 0; lane < 32; ++lane) {
    int group = lane / 4, tig = lane % 4;
    for (int i = 0; i < 8; ++i) {
      int row = (i <= 1 || i == 4 || i == 5) ? group : group + 8;
      int col = tig * 2 + (i & 1) + (i >= 4 ? 8 : 0);
      EXPECT_EQ(ds::mma_a_row(lane, i), row) << "a" << i << " lane " << lane;
      EXPECT_EQ(ds::mma_a_col(lane, i), col) << "a" << i << " lane " << lane;
      ++seenA[row * 16 + col];
    }
    for (int i = 0; i < 4; ++i) {
      int row = tig * 2 + (i & 1) + (i >= 2 ? 8 : 0);
      EXPECT_EQ(ds::mma_b_row(lane, i), row) << "b" << i << " lane " << lane;
      EXPECT_EQ(ds::mma_b_col(lane, i), group) << "b" << i << " lane " << lane;
      ++seenB[row * 8 + group];
      int crow = group + (i >= 2 ? 8 : 0), ccol = tig * 2 + (i & 1);
      EXPECT_EQ(ds::mma_c_row(lane, i), crow) << "c" << i << " lane " << lane;
      EXPECT_EQ(ds::mma_c_col(lane, i), ccol) << "c" << i << " lane " << lane;
      ++seenC[crow * 8 + ccol];
    }
  }
  for (int v : seenA) EXPECT_EQ(v, 1);
  for (int v : seenB) EXPECT_EQ(v, 1);
  for (int v : seenC) EXPECT_EQ(v, 1);
}

struct MmaCase {
  std::vector<uint16_t> a, b;
  std::vector<float> c;
  std::vector<double> expected;
};

MmaCase mmaCase(bool f16, uint32_t seed) {
  MmaCase m;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  auto encode = [&](float v) {
    return f16 ? ds::float_to_f16(v).bits : ds::float_to_bf16(v).bits;
  };
  auto decode = [&](uint16_t bits) {
    return f16 ? ds::f16_to_float(ds::f16{bits}) : ds::bf16_to_float(ds::bf16{bits});
  };
  for (int i = 0; i < 256; ++i) m.a.push_back(encode(dist(rng)));
  for (int i = 0; i < 128; ++i) m.b.push_back(encode(dist(rng)));
  for (int i = 0; i < 128; ++i) m.c.push_back(dist(rng));
  for (int r = 0; r < 16; ++r)
    for (int n = 0; n < 8; ++n) {
      double acc = m.c[r * 8 + n];
      for (int k = 0; k < 16; ++k) acc += double(decode(m.a[r * 16 + k])) * decode(m.b[k * 8 + n]);
      m.expected.push_back(acc);
    }
  return m;
}

// Element-wise mismatches of test_mma against a naive 16x8x16 matmul.
int mmaMismatches(bool f16, bool wrongLayout, uint32_t seed) {
  ThreadPool pool(1);
  MmaCase m = mmaCase(f16, seed);
  std::vector<float> d(128, 0.0f);
  emu::launch(goodModule(), kernel("test_mma"), config({1, 1, 1}, {32, 1, 1}),
              params({m.a.data(), m.b.data(), m.c.data(), d.data()}, {}, {f16 ? 1 : 0, wrongLayout ? 1 : 0}),
              pool, "mma");
  int bad = 0;
  for (int i = 0; i < 128; ++i)
    if (!(std::fabs(d[i] - m.expected[i]) <= 1e-4 * (1.0 + std::fabs(m.expected[i])))) {
      if (!wrongLayout) ADD_FAILURE() << (f16 ? "f16" : "bf16") << " D[" << i / 8 << "][" << i % 8
                                      << "] = " << d[i] << ", expected " << m.expected[i];
      ++bad;
    }
  return bad;
}

TEST(Emulator, MmaBf16MatchesANaiveMatmul) {
  for (uint32_t seed : {1u, 2u, 3u}) EXPECT_EQ(mmaMismatches(false, false, seed), 0);
}

TEST(Emulator, MmaF16MatchesANaiveMatmul) {
  for (uint32_t seed : {4u, 5u}) EXPECT_EQ(mmaMismatches(true, false, seed), 0);
}

TEST(Emulator, MmaWithAWrongFragmentLayoutFails) {
  // Swapping a1 and a2 (rows g+8 vs columns k+8) is the classic mistake: it must show.
  EXPECT_GT(mmaMismatches(false, true, 1), 64);
  EXPECT_GT(mmaMismatches(true, true, 4), 64);
}

// ---- 16-bit types ----------------------------------------------------------------------

TEST(Emulator, SixteenBitConversionsMatchTheRuntime) {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    float h = ds::f16_to_float(ds::f16{static_cast<uint16_t>(bits)});
    float ref = halfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(ref)) EXPECT_TRUE(std::isnan(h)) << bits;
    else ASSERT_EQ(ds::float_bits(h), ds::float_bits(ref)) << "f16 bits " << bits;
    float b = ds::bf16_to_float(ds::bf16{static_cast<uint16_t>(bits)});
    float bref = bf16ToFloat(static_cast<uint16_t>(bits));
    if (!std::isnan(bref)) ASSERT_EQ(ds::float_bits(b), ds::float_bits(bref)) << "bf16 bits " << bits;
  }
  std::mt19937 rng(9);
  std::vector<float> values = {0.0f, -0.0f, 65504.0f, 65519.0f, 65520.0f, 1e-8f, 5.96e-8f,
                               2.98e-8f, 2.99e-8f, 6.1e-5f, 1.0f + 1.0f / 2048, 3e38f,
                               -ds::inf_f32(), ds::inf_f32()};
  for (int i = 0; i < 200000; ++i) values.push_back(ds::bits_float(static_cast<uint32_t>(rng())));
  for (float v : values) {
    if (std::isnan(v)) {
      EXPECT_TRUE(std::isnan(ds::f16_to_float(ds::float_to_f16(v))));
      EXPECT_TRUE(std::isnan(ds::bf16_to_float(ds::float_to_bf16(v))));
      continue;
    }
    ASSERT_EQ(ds::float_to_f16(v).bits, floatToHalf(v)) << "f16 of " << v;
    ASSERT_EQ(ds::float_to_bf16(v).bits, floatToBf16(v)) << "bf16 of " << v;
  }
}

// ---- launch rules, indices, odd sizes --------------------------------------------------

TEST(Emulator, IndicesOfAThreeDimensionalLaunch) {
  ThreadPool pool(3);
  emu::Dim3 grid{3, 2, 2}, block{5, 3, 2};
  uint32_t threads = 30, blocks = 12;
  std::vector<int32_t> out(blocks * threads * 4, -1);
  emu::launch(goodModule(), kernel("test_indices"), config(grid, block), params({out.data()}), pool, "indices");
  for (uint32_t bz = 0; bz < 2; ++bz)
    for (uint32_t by = 0; by < 2; ++by)
      for (uint32_t bx = 0; bx < 3; ++bx)
        for (uint32_t t = 0; t < threads; ++t) {
          uint32_t blockLinear = bx + 3 * (by + 2 * bz);
          const int32_t *o = &out[(blockLinear * threads + t) * 4];
          uint32_t tx = t % 5, ty = (t / 5) % 3, tz = t / 15;
          EXPECT_EQ(o[0], static_cast<int32_t>(tx + 10 * ty + 100 * tz));
          EXPECT_EQ(o[1], static_cast<int32_t>(bx + 10 * by + 100 * bz));
          EXPECT_EQ(o[2], static_cast<int32_t>(t % 32 + 100 * (t / 32)));
          EXPECT_EQ(o[3], static_cast<int32_t>(t));
        }
}

TEST(Emulator, GridRulesAndOddSizes) {
  TensorView x;
  x.present = true;
  x.shape = {3, 5, 7};
  std::vector<const TensorView *> ops = {&x};
  LaunchRule rule;
  rule.perBlock = 16;
  EXPECT_EQ(emu::gridFor(rule, ops, "r").x, 7u);  // ceil(105 / 16)
  rule.of = LaunchRule::Of::Rows;
  rule.axis = 2;
  rule.perBlock = 4;
  EXPECT_EQ(emu::gridFor(rule, ops, "r").x, 4u);  // ceil(15 / 4)
  rule.axis = -1;
  EXPECT_EQ(emu::gridFor(rule, ops, "r").x, 4u);
  rule.axis = 0;
  rule.perBlock = 1;
  EXPECT_EQ(emu::gridFor(rule, ops, "r").x, 1u);  // no dims before axis 0: one row
  LaunchRule tiles;
  tiles.of = LaunchRule::Of::Tiles;
  tiles.tiles = {{0, 0, 1, 1}, {0, 1, 2, 2}, {0, 2, 3, 4}};
  EXPECT_EQ(emu::gridFor(tiles, ops, "r").x, 3u * 3u * 2u);  // 3 * ceil(5/2) * ceil(7/4)
  tiles.tiles = {{0, 0, 3, 64}};
  EXPECT_EQ(emu::gridFor(tiles, ops, "r").x, 2u);  // ceil(105 / 64)
  tiles.tiles = {{0, 2, 4, 1}};
  try {
    emu::gridFor(tiles, ops, "t");
    ADD_FAILURE() << "expected an error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "t: the launch rule's dims [2, 4) are out of range for operand 0 of rank 3");
  }
  x.shape = {0, 5};
  rule.of = LaunchRule::Of::Numel;
  EXPECT_EQ(emu::gridFor(rule, ops, "r").x, 0u);
  tiles.tiles = {{0, 0, 1, 1}, {0, 1, 2, 1}};
  EXPECT_EQ(emu::gridFor(tiles, ops, "r").x, 0u);
  rule.operand = 3;
  try {
    emu::gridFor(rule, ops, "step 9 (x)");
    ADD_FAILURE() << "expected an error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "step 9 (x): the launch rule names operand 3");
  }

  ThreadPool pool(2);
  for (int64_t n : {1, 127, 128, 129, 1000}) {
    std::vector<float> in(n), out(n + 1, -5.0f);
    for (int64_t i = 0; i < n; ++i) in[i] = static_cast<float>(i) - 3.5f;
    uint32_t blocks = static_cast<uint32_t>((n + 127) / 128);
    emu::launch(goodModule(), kernel("test_scale"), config({blocks, 1, 1}, {128, 1, 1}),
                params({in.data(), out.data()}, {n}, {3}), pool, "scale");
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i], in[i] * 3.0f) << "n=" << n << " i=" << i;
    EXPECT_EQ(out[n], -5.0f) << "no write past the end, n=" << n;
  }
  EXPECT_CONTAINS(launchError(goodModule(), kernel("test_scale"), config({1, 1, 1}, {2048, 1, 1}), params({}), pool),
                  "invalid block (2048,1,1)");
  EXPECT_CONTAINS(launchError(goodModule(), kernel("test_scale"), config({0, 1, 1}, {32, 1, 1}), params({}), pool),
                  "invalid grid (0,1,1)");
}

TEST(Emulator, DeviceLayerRunsOnTheHost) {
  ThreadPool pool(2);
  std::vector<float> out(4 + 64, 0.0f);
  out[1] = -1e30f;
  out[2] = 1e30f;
  std::vector<int32_t> counters = {0, -1, 1000, 0};
  std::vector<int64_t> wide = {0, -1, 1000, 0};
  std::vector<uint64_t> uwide = {0, 0, 1000, 0};
  emu::launch(goodModule(), kernel("test_device_layer"), config({1, 1, 1}, {64, 1, 1}, 64 * 4),
              params({out.data(), counters.data(), wide.data(), uwide.data()}, {}, {5}), pool, "layer");
  EXPECT_EQ(counters[0], 64);
  EXPECT_EQ(counters[1], 63);
  EXPECT_EQ(counters[2], 0);
  EXPECT_EQ(counters[3], 1);
  EXPECT_EQ(wide[0], 64);
  EXPECT_EQ(wide[3], 5);
  EXPECT_EQ(uwide[1], 63u);
  EXPECT_EQ(out[3], 1.0f);
  // mma: every lane's a0/a1 is {1, 2}, so A's row 0 is 1, 2, 1, 2, ... over k < 8 (zero
  // beyond); B's column 0 likewise: D[0][0] = 4 * (1 + 4) = 20, bf16 then f16 on top.
  EXPECT_EQ(out[1], 40.0f);
  for (int t = 0; t < 64; ++t) EXPECT_TRUE(std::isfinite(out[4 + t])) << t;
}

// ---- the compile cache -----------------------------------------------------------------

TEST(EmulatorCompiler, CacheHitMissAndCorruptEntry) {
  testCacheDir();
  std::string text = std::string(kScale) + "// unique to the cache test\n";
  std::vector<emu::KernelSource> src = {{"test_scale", text, "cache-test"}};
  std::string entry;
  {
    emu::CompileResult first = emu::compileKernels(src, {}, "cache");
    EXPECT_FALSE(first.cacheHit);
    EXPECT_EQ(first.entryPath.rfind(emu::kernelCacheRoot() + "/emulate/", 0), 0u) << first.entryPath;
    emu::CompileResult second = emu::compileKernels(src, {}, "cache");
    EXPECT_TRUE(second.cacheHit);
    EXPECT_EQ(second.entryPath, first.entryPath);
    // A define is part of the key.
    EXPECT_FALSE(emu::compileKernels(src, {"DS_TEST_FLAG=1"}, "cache").cacheHit);
    // Duplicate sources are compiled once.
    EXPECT_TRUE(emu::compileKernels({src[0], src[0]}, {}, "cache").cacheHit);
    entry = first.entryPath;
  }  // unloaded: the file is rewritten below (as another process or a bad disk would)

  // Corrupt the object: detected and rebuilt.
  std::string so = entry + "/module.so";
  std::string bytes = dstest::readFile(so);
  bytes[bytes.size() / 2] ^= 0x5a;
  dstest::writeFile(so, bytes);
  emu::CompileResult rebuilt = emu::compileKernels(src, {}, "cache");
  EXPECT_FALSE(rebuilt.cacheHit);
  ThreadPool pool(1);
  std::vector<float> in = {1, 2}, out = {0, 0};
  emu::launch(*rebuilt.module, rebuilt.module->find("test_scale"), config({1, 1, 1}, {32, 1, 1}),
              params({in.data(), out.data()}, {2}, {4}), pool, "rebuilt");
  EXPECT_EQ(out, (std::vector<float>{4, 8}));
  rebuilt.module.reset();
  // Truncated: same.
  dstest::writeFile(so, "");
  EXPECT_FALSE(emu::compileKernels(src, {}, "cache").cacheHit);
  EXPECT_TRUE(emu::compileKernels(src, {}, "cache").cacheHit);

  setenv("DS_DISABLE_CACHE", "1", 1);
  emu::CompileResult uncached = emu::compileKernels(src, {}, "cache");
  unsetenv("DS_DISABLE_CACHE");
  EXPECT_FALSE(uncached.cacheHit);
  EXPECT_NE(uncached.module->find("test_scale"), nullptr);
}

TEST(EmulatorCompiler, TwoCompilersOfTheSameKernelAtOnce) {
  testCacheDir();
  std::string text = std::string(kScale) + "// unique to the concurrency test " +
                     std::to_string(std::random_device{}()) + "\n";
  std::vector<emu::KernelSource> src = {{"test_scale", text, "race"}};
  emu::CompileResult results[2];
  std::string errors[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      try {
        results[i] = emu::compileKernels(src, {}, "race");
      } catch (const std::exception &e) {
        errors[i] = e.what();
      }
    });
  for (auto &t : threads) t.join();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(errors[i], "");
    ASSERT_TRUE(results[i].module);
    EXPECT_NE(results[i].module->find("test_scale"), nullptr);
  }
  EXPECT_EQ(results[0].entryPath, results[1].entryPath);
  // No temporary build directory is left behind.
  for (const auto &e : std::filesystem::directory_iterator(emu::kernelCacheRoot() + "/emulate"))
    EXPECT_NE(e.path().filename().string().rfind("tmp-", 0), 0u) << e.path();
  EXPECT_TRUE(emu::compileKernels(src, {}, "race").cacheHit);
}

TEST(EmulatorCompiler, CompileErrorsNameTheSourceAndCommand) {
  testCacheDir();
  std::string bad = "#include \"ds_device.cuh\"\nDS_KERNEL(test_bad) { int x = ; }\n";
  try {
    emu::compileKernels({{"test_bad", bad, "model.dsb/kernels/test_bad.cu"}}, {}, "step 4 (softmax)");
    ADD_FAILURE() << "expected a compile error";
  } catch (const Error &e) {
    std::string msg = e.what();
    EXPECT_CONTAINS(msg, "step 4 (softmax): the host compiler failed on kernel 'test_bad' (model.dsb/kernels/test_bad.cu)");
    EXPECT_CONTAINS(msg, "saved source: ");
    EXPECT_CONTAINS(msg, "/emulate/failed-");
    EXPECT_CONTAINS(msg, "sources/test_bad.cu");
    EXPECT_CONTAINS(msg, "command: ");
    EXPECT_CONTAINS(msg, "error");
    size_t at = msg.find("saved source: ") + 14;
    std::string saved = msg.substr(at, msg.find('\n', at) - at);
    EXPECT_EQ(dstest::readFile(saved), bad) << "the saved source is the kernel text";
  }
  try {
    emu::compileKernels({{"k", kScale, "a.cu"}, {"k", kIndices, "b.cu"}}, {}, "dup");
    ADD_FAILURE() << "expected an error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "two different kernel sources define 'k' (a.cu and b.cu)");
  }
}

// ---- the emulate device ----------------------------------------------------------------

void scaleShape(ShapeContext &c) { c.outputShapes = {c.inputs[0].shape}; }
void scaleRun(KernelContext &c) {
  float f = static_cast<float>(attrFloat(c.step, "factor"));
  for (int64_t i = 0; i < c.outputs[0].numel(); ++i)
    c.outputs[0].as<float>()[i] = c.inputs[0].as<float>()[i] * f;
}

json value(int id, json shape, const char *def, int ref) {
  json v = {{"id", id}, {"dtype", "f32"}, {"shape", shape}, {"def", def}};
  v[std::string(def) == "input" ? "index" : "step"] = ref;
  return v;
}

TEST(EmulateDevice, GeneratedKernelsRunAndOthersFallBack) {
  testCacheDir();
  cpuKernelRegistry().add("emu_test_scale", {scaleShape, scaleRun, true});
  EXPECT_EQ(resolveDevice("emulate"), "emulate");
  EXPECT_EQ(resolveDevice("auto"), "cpu");
  // y = (x * 3) * 2: step 0 has a generated kernel (scalars[0] = 3), step 1 does not.
  json m = {{"format_version", 1},
            {"inputs", {{{"name", "x"}, {"dtype", "f32"}, {"shape", {"n"}}}}},
            {"outputs", {{{"name", "y"}, {"dtype", "f32"}, {"shape", {"n"}}}}}};
  json kernelEntry = {{"name", "test_scale"},
                      {"source", "kernels/test_scale.cu"},
                      {"scalars", {3}},
                      {"launch", {{"block", {128}}, {"grid", {{"per_block", 128}, {"of", "numel"}, {"operand", 1}}}}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {2}},
            {"values", {value(0, {-1}, "input", 0), value(1, {-1}, "step", 0), value(2, {-1}, "step", 1)}},
            {"steps", {{{"kind", "emu_test_scale"}, {"name", "/a"}, {"inputs", {0}}, {"outputs", {1}},
                        {"attrs", {{"factor", 3.0}}}, {"kernel", kernelEntry}},
                       {{"kind", "emu_test_scale"}, {"name", "/b"}, {"inputs", {1}}, {"outputs", {2}},
                        {"attrs", {{"factor", 2.0}}}}}}};
  std::string dir = dstest::writeBundle(m, s);
  mkdir((dir + "/kernels").c_str(), 0777);
  dstest::writeFile(dir + "/kernels/test_scale.cu", kScale);
  auto bundle = Bundle::load(dir);
  SessionOptions options;
  options.device = "emulate";
  Session session(bundle, options);
  EXPECT_EQ(session.device(), "emulate");
  for (int64_t n : {5000, 1, 0, 129}) {
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 17) - 8.0f;
    auto out = session.run({dstest::f32Tensor({n}, x)});
    ASSERT_EQ(out[0].numel(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[0].as<float>()[i], x[i] * 6.0f) << i;
  }
  // The n = 1 call computes step 0 at plan time (small, known input? no: the input is
  // not known at plan time), so both steps run at run time on every call.
  EXPECT_EQ(session.stats().emulatedSteps, 4);
  EXPECT_EQ(session.stats().cpuFallbackSteps, 4);

  // A kernel entry whose source lacks the entry point: a clear error at session creation.
  s["steps"][0]["kernel"]["name"] = "test_missing";
  std::string dir2 = dstest::writeBundle(m, s);
  mkdir((dir2 + "/kernels").c_str(), 0777);
  dstest::writeFile(dir2 + "/kernels/test_scale.cu", kScale);
  try {
    Session bad(Bundle::load(dir2), options);
    ADD_FAILURE() << "expected an error";
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "step 0 (emu_test_scale '/a'): kernel source kernels/test_scale.cu defines no entry point 'test_missing'");
  }
}

// ---- the device-function layer on the real toolchain ---------------------------------

std::string writeHeaders(const std::string &dir) {
  size_t count = 0;
  const ds::kernels::EmbeddedHeader *h = ds::kernels::embeddedHeaders(&count);
  std::string includeAll;
  for (size_t i = 0; i < count; ++i) {
    dstest::writeFile(dir + "/" + h[i].name, std::string(h[i].text, h[i].size));
    std::string name = h[i].name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".cuh") == 0)
      includeAll += "#include \"" + name + "\"\n";
  }
  return includeAll;
}

// Every test kernel in one translation unit (their names differ; the header is guarded).
std::vector<std::pair<std::string, std::string>> deviceSources() {
  std::string all;
  for (const auto &s : goodSources()) all += s.text;
  return {{"test_kernels", all}};
}

TEST(DeviceLayer, EmbeddedHeadersArePresent) {
  ASSERT_NE(ds::kernels::findEmbeddedHeader("ds_device.cuh"), nullptr);
  ASSERT_NE(ds::kernels::findEmbeddedHeader("ds_emu.h"), nullptr);
  EXPECT_NE(std::string(ds::kernels::findEmbeddedHeader("ds_device.cuh")->text).find("DS_KERNEL"),
            std::string::npos);
  EXPECT_EQ(ds::kernels::findEmbeddedHeader("no_such.cuh"), nullptr);
}

TEST(DeviceLayer, CompilesWithNvccForSm80AndSm90a) {
  std::string probe;
  if (std::system("nvcc --version > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "nvcc is not on PATH: the CUDA compile check of ds_device.cuh and the "
                    "templates is skipped (it runs wherever the CUDA toolkit is installed)";
  std::string dir = dstest::makeTempDir();
  std::string includeAll = writeHeaders(dir);
  // Every template, then every test kernel, in one translation unit per kernel.
  std::vector<std::pair<std::string, std::string>> units = deviceSources();
  units.push_back({"all_templates", includeAll});
  for (const auto &[name, text] : units) {
    std::string path = dir + "/" + name + ".cu";
    dstest::writeFile(path, text);
    for (const char *arch : {"sm_80", "sm_90a"}) {
      std::string cmd = "nvcc -std=c++17 -arch=" + std::string(arch) + " -cubin -I" + dir + " -o " + dir +
                        "/" + name + "." + arch + ".cubin " + path + " > " + dir + "/log.txt 2>&1";
      EXPECT_EQ(std::system(cmd.c_str()), 0) << name << " for " << arch << ":\n"
                                             << dstest::readFile(dir + "/log.txt");
    }
  }
}

// NVRTC (the runtime's JIT path, __CUDACC_RTC__): headers in memory, no include paths.
TEST(DeviceLayer, CompilesWithNvrtcForSm80AndSm90a) {
  void *lib = dlopen("libnvrtc.so.13", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libnvrtc.so", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("/usr/local/cuda/lib64/libnvrtc.so", RTLD_NOW | RTLD_LOCAL);
  if (!lib) GTEST_SKIP() << "libnvrtc is not installed: the NVRTC compile check is skipped";
  using Create = int (*)(void **, const char *, const char *, int, const char *const *, const char *const *);
  using Compile = int (*)(void *, int, const char *const *);
  using LogSize = int (*)(void *, size_t *);
  using Log = int (*)(void *, char *);
  using Destroy = int (*)(void **);
  auto create = reinterpret_cast<Create>(dlsym(lib, "nvrtcCreateProgram"));
  auto compile = reinterpret_cast<Compile>(dlsym(lib, "nvrtcCompileProgram"));
  auto logSize = reinterpret_cast<LogSize>(dlsym(lib, "nvrtcGetProgramLogSize"));
  auto log = reinterpret_cast<Log>(dlsym(lib, "nvrtcGetProgramLog"));
  auto destroy = reinterpret_cast<Destroy>(dlsym(lib, "nvrtcDestroyProgram"));
  ASSERT_TRUE(create && compile && logSize && log && destroy);
  size_t count = 0;
  const ds::kernels::EmbeddedHeader *h = ds::kernels::embeddedHeaders(&count);
  std::vector<const char *> names, texts;
  std::string includeAll;
  for (size_t i = 0; i < count; ++i) {
    std::string name = h[i].name;
    if (name == "ds_emu.h") continue;  // host only
    names.push_back(h[i].name);
    texts.push_back(h[i].text);
    includeAll += "#include \"" + name + "\"\n";
  }
  std::vector<std::pair<std::string, std::string>> units = deviceSources();
  units.push_back({"all_templates", includeAll});
  for (const auto &[name, text] : units)
    for (const char *arch : {"--gpu-architecture=sm_80", "--gpu-architecture=sm_90a"}) {
      void *prog = nullptr;
      ASSERT_EQ(create(&prog, text.c_str(), (name + ".cu").c_str(), static_cast<int>(names.size()),
                       texts.data(), names.data()),
                0);
      const char *opts[] = {arch, "-std=c++17"};
      int rc = compile(prog, 2, opts);
      size_t n = 0;
      logSize(prog, &n);
      std::string text(n, '\0');
      log(prog, text.data());
      EXPECT_EQ(rc, 0) << name << " " << arch << ":\n" << text;
      destroy(&prog);
    }
}

}  // namespace
