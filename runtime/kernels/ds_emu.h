// ds_emu.h — the host implementation of ds_device.cuh (the CUDA emulator's kernel side).
//
// Kernel sources are compiled by the system C++ compiler into a shared object that
// includes this header. Everything that needs the scheduler (indices, barriers, warp
// collectives) goes through a small table of function pointers, `ds::emu::Api`, that the
// runtime (runtime/src/emulate/Emulator.cpp) hands to the object with ds_emu_bind() after
// dlopen. The object keeps no state of its own besides that pointer and the shared-memory
// arrays (DS_SHARED = static thread_local), which the runtime poisons before every block.
//
// Included with DS_EMU_RUNTIME_SIDE defined, it only declares the types the runtime shares
// with the kernels.
#ifndef DS_EMU_H
#define DS_EMU_H

#include <cstdint>
#include <cstring>

namespace ds {
namespace emu {

constexpr uint32_t kAbiVersion = 1;

// What a running emulated thread knows about itself.
struct ThreadCtx {
  uint32_t thread_idx[3];
  uint32_t block_idx[3];
  uint32_t block_dim[3];
  uint32_t grid_dim[3];
  uint32_t linear;                 // x fastest within the block
  unsigned char *dynamic_shared;   // the launch's shared_bytes, poisoned per block
};

// Collective kinds: the lanes of a warp must all be at the same kind (else reported).
enum Collective : int {
  kShflIdx = 1,
  kShflXor,
  kShflDown,
  kShflUp,
  kBallot,
  kAny,
  kAll,
  kSyncWarp,
  kMmaBf16,
  kMmaF16,
};

struct Api {
  uint32_t abi_version;
  ThreadCtx *(*current)();
  // Block barrier: returns once every thread of the block arrived.
  void (*sync_block)();
  // Warp exchange: every lane of the calling thread's warp contributes `words` 32-bit
  // words; when all lanes arrived each receives all lanes' words, lane-major, in `all`
  // (32 * words; lanes the warp does not have read as zero).
  void (*warp_exchange)(int collective, const uint32_t *mine, int words, uint32_t *all);
  // A scheduling point: lets the other threads of the block run.
  void (*yield)();
};

} // namespace emu
} // namespace ds

#ifndef DS_EMU_RUNTIME_SIDE

namespace ds {
namespace emu {

inline const Api *api = nullptr;
inline ThreadCtx &ctx() { return *api->current(); }

template <class T> inline T exchange_pick(int collective, T v, int (*source)(int lane, int arg),
                                          int arg) {
  static_assert(sizeof(T) <= 8, "warp shuffles move values of at most 8 bytes");
  constexpr int words = sizeof(T) <= 4 ? 1 : 2;
  uint32_t mine[2] = {0, 0};
  std::memcpy(mine, &v, sizeof(T));
  uint32_t all[32 * 2];
  api->warp_exchange(collective, mine, words, all);
  int lane = (int)(ctx().linear & 31u);
  int src = source(lane, arg);
  if (src < 0) return v;  // out of range: the lane keeps its own value (CUDA semantics)
  T out;
  std::memcpy(&out, &all[src * words], sizeof(T));
  return out;
}

inline int source_xor(int lane, int mask) { return (lane ^ mask) & 31; }
inline int source_down(int lane, int delta) { return lane + delta < 32 ? lane + delta : -1; }
inline int source_up(int lane, int delta) { return lane - delta >= 0 ? lane - delta : -1; }
inline int source_idx(int lane, int src) { return src & 31; }

inline uint32_t vote(int collective, bool pred) {
  uint32_t mine = pred ? 1u : 0u;
  uint32_t all[32];
  api->warp_exchange(collective, &mine, 1, all);
  uint32_t mask = 0;
  for (int lane = 0; lane < 32; ++lane)
    if (all[lane]) mask |= 1u << lane;
  return mask;
}

// Forward declarations of the layout maps defined in ds_device.cuh after this header.
inline void mma_emulated(int collective, float d[4], const uint32_t a[4], const uint32_t b[2],
                         const float c[4], float (*to_f32)(uint16_t));

} // namespace emu

// ---- indices ---------------------------------------------------------------------------
inline unsigned thread_idx_x() { return emu::ctx().thread_idx[0]; }
inline unsigned thread_idx_y() { return emu::ctx().thread_idx[1]; }
inline unsigned thread_idx_z() { return emu::ctx().thread_idx[2]; }
inline unsigned block_idx_x() { return emu::ctx().block_idx[0]; }
inline unsigned block_idx_y() { return emu::ctx().block_idx[1]; }
inline unsigned block_idx_z() { return emu::ctx().block_idx[2]; }
inline unsigned block_dim_x() { return emu::ctx().block_dim[0]; }
inline unsigned block_dim_y() { return emu::ctx().block_dim[1]; }
inline unsigned block_dim_z() { return emu::ctx().block_dim[2]; }
inline unsigned grid_dim_x() { return emu::ctx().grid_dim[0]; }
inline unsigned grid_dim_y() { return emu::ctx().grid_dim[1]; }
inline unsigned grid_dim_z() { return emu::ctx().grid_dim[2]; }
inline unsigned thread_linear() { return emu::ctx().linear; }
inline unsigned lane_id() { return emu::ctx().linear & 31u; }
inline unsigned warp_id() { return emu::ctx().linear >> 5; }

template <class T> inline T *dynamic_shared() {
  return reinterpret_cast<T *>(emu::ctx().dynamic_shared);
}

// ---- synchronization -------------------------------------------------------------------
inline void sync_block() { emu::api->sync_block(); }
inline void sync_warp() {
  uint32_t none = 0, all[32];
  emu::api->warp_exchange(emu::kSyncWarp, &none, 1, all);
}
inline void thread_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void yield_point() { emu::api->yield(); }

// ---- warp collectives ------------------------------------------------------------------
template <class T> inline T shfl_xor(T v, int lane_mask) {
  return emu::exchange_pick(emu::kShflXor, v, emu::source_xor, lane_mask);
}
template <class T> inline T shfl_down(T v, unsigned delta) {
  return emu::exchange_pick(emu::kShflDown, v, emu::source_down, (int)delta);
}
template <class T> inline T shfl_up(T v, unsigned delta) {
  return emu::exchange_pick(emu::kShflUp, v, emu::source_up, (int)delta);
}
template <class T> inline T shfl_idx(T v, int src_lane) {
  return emu::exchange_pick(emu::kShflIdx, v, emu::source_idx, src_lane);
}
inline uint32_t ballot(bool pred) { return emu::vote(emu::kBallot, pred); }
inline bool any(bool pred) { return emu::vote(emu::kAny, pred) != 0; }
inline bool all(bool pred) {
  // Lanes a partial warp lacks do not vote (like inactive lanes on the device).
  uint32_t mine = pred ? 1u : 0u, lanes[32];
  emu::api->warp_exchange(emu::kAll, &mine, 1, lanes);
  unsigned warp_base = emu::ctx().linear & ~31u;
  const emu::ThreadCtx &c = emu::ctx();
  unsigned block_threads = c.block_dim[0] * c.block_dim[1] * c.block_dim[2];
  for (unsigned lane = 0; lane < 32 && warp_base + lane < block_threads; ++lane)
    if (!lanes[lane]) return false;
  return true;
}

// ---- atomics (real atomics: blocks run in parallel on worker threads) ------------------
inline float atomic_cas(float *p, float expected, float desired) {
  uint32_t e = float_bits(expected), d = float_bits(desired);
  __atomic_compare_exchange_n(reinterpret_cast<uint32_t *>(p), &e, d, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
  return bits_float(e);
}
inline int32_t atomic_cas(int32_t *p, int32_t expected, int32_t desired) {
  __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}
inline int64_t atomic_cas(int64_t *p, int64_t expected, int64_t desired) {
  __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}
inline uint64_t atomic_cas(uint64_t *p, uint64_t expected, uint64_t desired) {
  __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}
inline float atomic_add(float *p, float v) {
  float old = *p;
  for (;;) {
    float seen = atomic_cas(p, old, old + v);
    if (float_bits(seen) == float_bits(old)) return old;
    old = seen;
  }
}
inline int32_t atomic_add(int32_t *p, int32_t v) {
  // Wrap-around like the device: add as unsigned.
  return (int32_t)__atomic_fetch_add(reinterpret_cast<uint32_t *>(p), (uint32_t)v,
                                     __ATOMIC_SEQ_CST);
}
inline int64_t atomic_add(int64_t *p, int64_t v) {
  return (int64_t)__atomic_fetch_add(reinterpret_cast<uint64_t *>(p), (uint64_t)v,
                                     __ATOMIC_SEQ_CST);
}
inline uint64_t atomic_add(uint64_t *p, uint64_t v) {
  return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
template <class T, class Better> inline T atomic_update(T *p, T v, Better better) {
  T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (better(v, old) &&
         !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
  return old;
}
inline int32_t atomic_max(int32_t *p, int32_t v) {
  return atomic_update(p, v, [](int32_t a, int32_t b) { return a > b; });
}
inline int32_t atomic_min(int32_t *p, int32_t v) {
  return atomic_update(p, v, [](int32_t a, int32_t b) { return a < b; });
}
inline int64_t atomic_max(int64_t *p, int64_t v) {
  return atomic_update(p, v, [](int64_t a, int64_t b) { return a > b; });
}
inline int64_t atomic_min(int64_t *p, int64_t v) {
  return atomic_update(p, v, [](int64_t a, int64_t b) { return a < b; });
}
inline uint64_t atomic_max(uint64_t *p, uint64_t v) {
  return atomic_update(p, v, [](uint64_t a, uint64_t b) { return a > b; });
}
inline uint64_t atomic_min(uint64_t *p, uint64_t v) {
  return atomic_update(p, v, [](uint64_t a, uint64_t b) { return a < b; });
}

// ---- tensor cores ----------------------------------------------------------------------
inline float mma_bf16_value(uint16_t bits) { return bf16_to_float(bf16{bits}); }
inline float mma_f16_value(uint16_t bits) { return f16_to_float(f16{bits}); }

inline void mma_m16n8k16_bf16(float d[4], const uint32_t a[4], const uint32_t b[2],
                              const float c[4]) {
  emu::mma_emulated(emu::kMmaBf16, d, a, b, c, mma_bf16_value);
}
inline void mma_m16n8k16_f16(float d[4], const uint32_t a[4], const uint32_t b[2],
                             const float c[4]) {
  emu::mma_emulated(emu::kMmaF16, d, a, b, c, mma_f16_value);
}

namespace emu {
// The 32 lanes exchange their A and B fragments; each lane rebuilds the full tiles with
// the documented layout maps and computes its own four D elements (products are exact in
// fp32 for 16-bit inputs; accumulation in k order starting from C).
inline void mma_emulated(int collective, float d[4], const uint32_t a[4], const uint32_t b[2],
                         const float c[4], float (*to_f32)(uint16_t)) {
  uint32_t mine[6] = {a[0], a[1], a[2], a[3], b[0], b[1]};
  uint32_t all[32 * 6];
  api->warp_exchange(collective, mine, 6, all);
  float A[16][16], B[16][8];
  for (int lane = 0; lane < 32; ++lane) {
    const uint32_t *frag = &all[lane * 6];
    for (int i = 0; i < 8; ++i) {
      uint16_t bits = (uint16_t)(frag[i / 2] >> (16 * (i % 2)));
      A[mma_a_row(lane, i)][mma_a_col(lane, i)] = to_f32(bits);
    }
    for (int i = 0; i < 4; ++i) {
      uint16_t bits = (uint16_t)(frag[4 + i / 2] >> (16 * (i % 2)));
      B[mma_b_row(lane, i)][mma_b_col(lane, i)] = to_f32(bits);
    }
  }
  int lane = (int)(ctx().linear & 31u);
  float out[4];
  for (int i = 0; i < 4; ++i) {
    int row = mma_c_row(lane, i), col = mma_c_col(lane, i);
    float acc = c[i];
    for (int k = 0; k < 16; ++k) acc += A[row][k] * B[k][col];
    out[i] = acc;
  }
  for (int i = 0; i < 4; ++i) d[i] = out[i];
}
} // namespace emu

} // namespace ds

// Called by the runtime right after dlopen (weak: every translation unit of a kernel
// object carries it, the linker keeps one).
extern "C" __attribute__((weak, visibility("default"))) uint32_t
ds_emu_bind(const ds::emu::Api *api) {
  ds::emu::api = api;
  return ds::emu::kAbiVersion;
}
// Touching it allocates this object's thread-local block (its shared memory) on the
// calling thread, so the runtime can find and poison it.
extern "C" __attribute__((weak, visibility("default"))) void *ds_emu_tls_anchor() {
  static thread_local unsigned char anchor;
  return &anchor;
}

#endif // DS_EMU_RUNTIME_SIDE

#endif // DS_EMU_H
