// Device functions of the indexing and generator kernels (docs/cuda.md, "Indexing and
// generator kernels"): gather, gather_elements, gather_nd, scatter_elements, scatter_nd,
// range, fill, one_hot, eye_like, nonzero, shape_of.
//
// The generator (lib/Target/Cuda/IndexingCodegen.cpp) emits one kernel per step that
// computes the dims (constants for static shapes, params.dims reads for dynamic ones) and
// calls the functions below. Semantics follow runtime/src/cpu/GatherKernels.cpp and
// ShapeGenerators.cpp; where the cpu raises an error (an index out of range) a kernel
// cannot, so it never touches memory out of bounds instead: a gather writes zeros, a
// scatter skips the update.
//
// Only plain C++ plus ds_device.cuh: the same text compiles with NVRTC/nvcc and, against
// ds_emu.h, with the host compiler.
#pragma once

#include "ds_device.cuh"
#include "elementwise.cuh"

namespace ds {
namespace ix {

// 16 bytes moved as one aligned access (a 128-bit load/store on the device).
struct alignas(16) U128 {
  uint32_t a, b, c, d;
};

DS_DEVICE int64_t global_thread() {
  return (int64_t)block_idx_x() * block_dim_x() + thread_idx_x();
}
DS_DEVICE int64_t grid_threads() { return (int64_t)grid_dim_x() * block_dim_x(); }

// Index k of `p` counted from the back when negative; -1 when outside [-dim, dim) (the
// cpu's error case).
template <class I> DS_DEVICE int64_t norm_index(const I *p, int64_t k, int64_t dim) {
  int64_t v = (int64_t)p[k];
  if (v < 0) v += dim;
  return (v >= 0 && v < dim) ? v : -1;
}

// static_cast<int64_t>(double) as the cpu computes it on x86-64: NaN and values outside
// the int64 range give INT64_MIN (the device's conversion would saturate instead).
DS_DEVICE int64_t double_to_int64(double d) {
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return (int64_t)d;
  return (int64_t)(~0ull >> 1) * -1 - 1;
}

// ---- row copies (gather, gather_nd) ------------------------------------------------------
// dst row r (row_bytes bytes) = the source row at byte offset src_row(r), or zeros when
// src_row(r) < 0. Moves units of U: consecutive threads take consecutive units, so both
// sides are coalesced within a row.
template <class U, class F>
DS_DEVICE void copy_rows_as(const char *src, char *dst, int64_t rows, int64_t row_bytes,
                            F src_row) {
  const int64_t row_units = row_bytes / (int64_t)sizeof(U);
  const int64_t total = rows * row_units;
  auto move = [&](int64_t u, int64_t r, int64_t c) {
    const int64_t off = src_row(r);
    U v{};
    if (off >= 0) v = reinterpret_cast<const U *>(src + off)[c];
    reinterpret_cast<U *>(dst)[u] = v;
  };
  if (total < ((int64_t)1 << 32)) {  // 32-bit division, the usual case
    const uint32_t ru = (uint32_t)row_units;
    for (int64_t u = global_thread(); u < total; u += grid_threads()) {
      const uint32_t r = (uint32_t)u / ru;
      move(u, r, (uint32_t)u - r * ru);
    }
    return;
  }
  for (int64_t u = global_thread(); u < total; u += grid_threads()) {
    const int64_t r = u / row_units;
    move(u, r, u - r * row_units);
  }
}

// Picks the widest unit that divides the row and both base addresses (source rows start
// at multiples of row_bytes from src).
template <class F>
DS_DEVICE void copy_rows(const void *src, void *dst, int64_t rows, int64_t row_bytes,
                         F src_row) {
  if (rows <= 0 || row_bytes <= 0) return;
  const char *s = static_cast<const char *>(src);
  char *d = static_cast<char *>(dst);
  const uint64_t a = (uint64_t)s | (uint64_t)d | (uint64_t)row_bytes;
  if (a % 16 == 0) copy_rows_as<U128>(s, d, rows, row_bytes, src_row);
  else if (a % 8 == 0) copy_rows_as<uint64_t>(s, d, rows, row_bytes, src_row);
  else if (a % 4 == 0) copy_rows_as<uint32_t>(s, d, rows, row_bytes, src_row);
  else if (a % 2 == 0) copy_rows_as<uint16_t>(s, d, rows, row_bytes, src_row);
  else copy_rows_as<uint8_t>(s, d, rows, row_bytes, src_row);
}

// ---- gather_elements ---------------------------------------------------------------------
// out[e] = data[pos(e) with pos[axis] = indices[e]], pos(e) the position of e in the
// indices' shape `idims`; `dstr` are data's strides.
template <int R, class T, class I>
DS_DEVICE void gather_elements(const T *src, const I *idx, T *dst, const int64_t (&idims)[R],
                               const int64_t (&dstr)[R], int axis, int64_t dim) {
  int64_t n = 1;
  for (int a = 0; a < R; ++a) n *= idims[a];
  for (int64_t e = global_thread(); e < n; e += grid_threads()) {
    int64_t rem = e, off = 0;
    for (int a = R - 1; a >= 0; --a) {
      const int64_t q = rem / idims[a];
      if (a != axis) off += (rem - q * idims[a]) * dstr[a];
      rem = q;
    }
    const int64_t v = norm_index(idx, e, dim);
    dst[e] = v >= 0 ? src[off + v * dstr[axis]] : T{};
  }
}

// ---- scatter reductions --------------------------------------------------------------------
// `Op` (generated per kernel) gives the storage type S and `S apply(S acc, S upd)`:
// acc (op) upd in the element's own type, rounded back to S after every combination as
// the cpu does (values, not pointers: an address taken would put acc in local memory).
// kNone replaces.
//
// Determinism: every destination element is owned by one thread, which copies data and
// applies the updates that hit it in index order, so repeated indices combine exactly as
// on the cpu (sequentially, first index first; for none the last one wins) and the copy
// cannot race with the scatter.

// scatter_elements: data of shape ddims (rank R), indices/updates of shape idims. The
// element at position p receives the updates at positions q with q[a] = p[a] (a != axis)
// and indices[q] == p[axis], scanned along the axis.
template <class Op, bool kNone, int R, class I>
DS_DEVICE void scatter_elements(const typename Op::S *data, const I *idx,
                                const typename Op::S *upd, typename Op::S *out,
                                const int64_t (&ddims)[R], const int64_t (&idims)[R],
                                int axis) {
  using S = typename Op::S;
  int64_t n = 1, istr[R];
  for (int a = R - 1; a >= 0; --a) {
    istr[a] = n;
    n *= idims[a];
  }
  const bool any = n > 0;
  n = 1;
  for (int a = 0; a < R; ++a) n *= ddims[a];
  const int64_t dim = ddims[axis], count = idims[axis];
  for (int64_t e = global_thread(); e < n; e += grid_threads()) {
    S acc = data[e];
    int64_t rem = e, q0 = 0, target = 0;
    bool covered = any;
    for (int a = R - 1; a >= 0; --a) {
      const int64_t q = rem / ddims[a], p = rem - q * ddims[a];
      rem = q;
      if (a == axis) target = p;
      else if (p < idims[a]) q0 += p * istr[a];
      else covered = false;
    }
    if (covered) {
      for (int64_t j = 0; j < count; ++j) {
        const int64_t k = q0 + j * istr[axis];
        if (norm_index(idx, k, dim) != target) continue;
        if (kNone) acc = upd[k];
        else acc = Op::apply(acc, upd[k]);
      }
    }
    out[e] = acc;
  }
}

// scatter_nd: index tuples of length M (the last dim of indices) address slices of
// slice_len elements; tuple t's slice starts at element sum_k indices[t, k] * dstr[k].
// The element e of out receives element e % slice_len of every update slice whose tuple
// addresses its slice, in tuple order. Tuples with an index out of range are skipped.
template <int M, class I>
DS_DEVICE int64_t tuple_offset(const I *idx, int64_t t, const int64_t (&ddims)[M > 0 ? M : 1],
                               const int64_t (&dstr)[M > 0 ? M : 1]) {
  int64_t off = 0;
  for (int k = 0; k < M; ++k) {
    const int64_t v = norm_index(idx, t * M + k, ddims[k]);
    if (v < 0) return -1;
    off += v * dstr[k];
  }
  return off;
}

// Tuple offsets are computed once per block and chunk into shared memory (kTupleTile
// at a time), then every thread compares its slice against the chunk: the cost is
// (destination elements x tuples) shared-memory compares plus one pass over the indices
// per block. The block size must not exceed kTupleTile; every thread of a block runs the
// same loops (the barriers are block-uniform).
constexpr int kTupleTile = 256;

template <class Op, bool kNone, int M, class I>
DS_DEVICE void scatter_nd(const typename Op::S *data, const I *idx, const typename Op::S *upd,
                          typename Op::S *out, int64_t n, int64_t tuples, int64_t slice_len,
                          const int64_t (&ddims)[M > 0 ? M : 1],
                          const int64_t (&dstr)[M > 0 ? M : 1]) {
  using S = typename Op::S;
  DS_SHARED int64_t offs[kTupleTile];
  const int64_t tid = thread_idx_x(), bs = block_dim_x();
  for (int64_t e0 = (int64_t)block_idx_x() * bs; e0 < n; e0 += grid_threads()) {
    const int64_t e = e0 + tid;
    const bool live = e < n;
    S acc = live ? data[e] : S{};
    const int64_t c = live ? e % slice_len : 0, start = e - c;
    for (int64_t base = 0; base < tuples; base += bs) {
      sync_block();  // the previous chunk's offsets are read by now
      offs[tid] = base + tid < tuples ? tuple_offset<M>(idx, base + tid, ddims, dstr) : -1;
      sync_block();
      const int64_t len = tuples - base < bs ? tuples - base : bs;
      if (!live) continue;
      for (int64_t j = 0; j < len; ++j) {
        if (offs[j] != start) continue;
        if (kNone) acc = upd[(base + j) * slice_len + c];
        else acc = Op::apply(acc, upd[(base + j) * slice_len + c]);
      }
    }
    if (live) out[e] = acc;
  }
}

// Combinations in a compute class C (the cpu's combineValues): integers wrap, max/min
// keep the current value unless the update compares greater/less (so a NaN already there
// stays and a NaN update is ignored), i1 add/max = or, mul/min = and.
enum Reduce { kAdd = 1, kMul = 2, kMax = 3, kMin = 4 };
template <int Red, class C> DS_DEVICE C combine(C a, C b) {
  if (Red == kMax) return b > a ? b : a;
  if (Red == kMin) return b < a ? b : a;
  if (Red == kAdd) return a + b;
  return a * b;
}
template <int Red> DS_DEVICE int64_t combine_int(int64_t a, int64_t b) {
  if (Red == kAdd) return (int64_t)((uint64_t)a + (uint64_t)b);
  if (Red == kMul) return (int64_t)((uint64_t)a * (uint64_t)b);
  return combine<Red>(a, b);
}
template <int Red> DS_DEVICE bool combine_bool(bool a, bool b) {
  return (Red == kAdd || Red == kMax) ? (a || b) : (a && b);
}

// ---- nonzero -------------------------------------------------------------------------------
// One block: chunks of block_dim * kItems elements, each thread counting kItems
// consecutive elements, a block-wide exclusive scan of the counts (warp shuffles, then the
// warp totals), then every thread writes the coordinates of its non-zero elements at
// their row-major rank. out is [R, count]; nothing is written at or beyond count.
constexpr int kNonzeroItems = 4;

DS_DEVICE int64_t block_exclusive_scan(int64_t v, int64_t *warp_sums, int64_t &total) {
  const unsigned lane = lane_id(), warp = warp_id();
  const unsigned warps = (block_dim_x() + 31) / 32;
  int64_t x = v;  // inclusive scan within the warp
  for (unsigned d = 1; d < 32; d <<= 1) {
    const int64_t y = shfl_up(x, d);
    if (lane >= d) x += y;
  }
  if (lane == 31 || thread_linear() == block_dim_x() - 1) warp_sums[warp] = x;
  sync_block();
  int64_t before = 0;
  total = 0;
  for (unsigned w = 0; w < warps; ++w) {
    if (w < warp) before += warp_sums[w];
    total += warp_sums[w];
  }
  sync_block();  // warp_sums is rewritten by the next chunk
  return before + x - v;
}

template <int R, class IsNonZero>
DS_DEVICE void nonzero(const int64_t (&dims)[R > 0 ? R : 1], int64_t n, int64_t *out,
                       int64_t count, IsNonZero is_nonzero) {
  DS_SHARED int64_t warp_sums[32];
  const int64_t chunk = (int64_t)block_dim_x() * kNonzeroItems;
  int64_t written = 0;
  for (int64_t base = 0; base < n; base += chunk) {
    const int64_t first = base + (int64_t)thread_idx_x() * kNonzeroItems;
    int64_t mine = 0;
    for (int k = 0; k < kNonzeroItems; ++k)
      if (first + k < n && is_nonzero(first + k)) ++mine;
    int64_t total = 0;
    int64_t rank = written + block_exclusive_scan(mine, warp_sums, total);
    for (int k = 0; k < kNonzeroItems; ++k) {
      const int64_t i = first + k;
      if (i >= n || !is_nonzero(i)) continue;
      if (rank < count) {
        int64_t rem = i;
        for (int a = R - 1; a >= 0; --a) {
          const int64_t q = rem / dims[a];
          out[a * count + rank] = rem - q * dims[a];
          rem = q;
        }
      }
      ++rank;
    }
    written += total;
  }
}

// ---- generators ----------------------------------------------------------------------------

// start + i * delta in double as the cpu computes it: the cpu backend is built with
// -march=native and GCC contracts the expression into one fused multiply-add, so the
// kernel spells the fma out (on both targets).
DS_DEVICE double range_value(double start, int64_t i, double delta) {
#if DS_CUDA
  return fma((double)i, delta, start);
#else
  return std::fma((double)i, delta, start);
#endif
}

// Fills n elements of S with `value`, 16 bytes at a time where dst is aligned.
template <class S> DS_DEVICE void fill(S *dst, int64_t n, S value) {
  constexpr int kPer = sizeof(U128) / sizeof(S);
  int64_t head = 0;
  if ((uint64_t)dst % sizeof(U128) == 0) {
    union {
      U128 u;
      S s[kPer];
    } pack;
    for (int k = 0; k < kPer; ++k) pack.s[k] = value;
    const int64_t units = n / kPer;
    U128 *d = reinterpret_cast<U128 *>(dst);
    for (int64_t u = global_thread(); u < units; u += grid_threads()) d[u] = pack.u;
    head = units * kPer;
  }
  for (int64_t i = head + global_thread(); i < n; i += grid_threads()) dst[i] = value;
}

} // namespace ix
} // namespace ds
