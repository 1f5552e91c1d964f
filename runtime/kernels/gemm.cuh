// GEMM templates for `matmul` and `linear` steps (docs/cuda.md "GEMM kernels").
//
// A generated kernel defines a configuration object `cfg` and calls one of the kernels
// below with it. The object describes one batched product C[b] = A[b] * B[b] and what
// happens to each product element:
//
//   int64_t m, n, k, batches;               the product's sizes (batches >= 1)
//   int64_t sam, sak, sbk, sbn;             element strides of A (m, k) and B (k, n)
//   const TA *a(int64_t batch) const;       the batch's A / B matrix (broadcast batches
//   const TB *b(int64_t batch) const;       resolved by the generated code)
//   Acc load_a(const TA *p, int64_t i) const, load_b(...)   (SIMT kernel only)
//   void store(int64_t batch, int64_t row, int64_t col, Acc v) const;
//                                           bias, epilogue program, cast, store
//
// Blocks: block_idx_x() = (batch * tiles_m + tile_m) * tiles_n + tile_n, the launch's
// "tiles" rule batch x ceil(M / BM) x ceil(N / BN). Tails in M, N and K are zero-filled
// in shared memory, so every thread runs the same loop and reaches every barrier.
//
// Plain C++17 + ds_device.cuh: the same text compiles with NVRTC and for the emulator.
#ifndef DS_GEMM_CUH
#define DS_GEMM_CUH

#include "ds_device.cuh"

namespace ds {
namespace gemm {

// 16 bytes: eight 16-bit elements moved as one access.
struct alignas(16) Vec8 {
  uint16_t v[8];
};

DS_DEVICE bool aligned16(const void *p) {
  return reinterpret_cast<unsigned long long>(p) % 16 == 0;
}

DS_DEVICE int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Which tile a block computes.
struct TileIndex {
  int64_t batch, row0, col0;
};
template <int BM, int BN, class Cfg> DS_DEVICE TileIndex tile_of(const Cfg &cfg) {
  const int64_t tiles_n = ceil_div(cfg.n, BN), tiles_m = ceil_div(cfg.m, BM);
  int64_t block = ds::block_idx_x();
  TileIndex t;
  t.col0 = (block % tiles_n) * BN;
  block /= tiles_n;
  t.row0 = (block % tiles_m) * BM;
  t.batch = block / tiles_m;
  return t;
}

// Element offset of output batch `b` in an operand with batch strides `strides` over the
// broadcast batch dims `dims` (0 where the operand broadcasts).
template <int R>
DS_DEVICE int64_t batch_offset(int64_t b, const int64_t (&dims)[R], const int64_t (&strides)[R]) {
  int64_t off = 0;
#pragma unroll
  for (int d = R - 1; d >= 0; --d) {
    off += (b % dims[d]) * strides[d];
    b /= dims[d];
  }
  return off;
}

// ---- tensor-core kernel: bf16 / f16 inputs, fp32 accumulation ------------------------------
//
// Block tile BM x BN, k-step BK = 32, WARPS_M x WARPS_N warps, each a (BM / WARPS_M) x
// (BN / WARPS_N) grid of m16n8 tiles (ds::mma_m16n8k16_*). A and B go through shared
// memory k-contiguous ([row][k] and [col][k], rows padded by 8 elements so the fragment
// loads of a warp hit 32 distinct banks), which is the layout of the A (row) and B (col)
// fragments: every fragment register is one aligned 32-bit shared load. Global loads move
// 8 consecutive elements along the operand's contiguous dim (one 16-byte load when the
// chunk is inside the matrix and aligned, else element by element with zero fill).
// Double buffered: the next k-step's tiles are loaded into registers while the current
// one is multiplied, then stored into the other buffer; one barrier per k-step.
template <int BM, int BN, int WARPS_M, int WARPS_N> struct MmaShape {
  static constexpr int BK = 32;
  static constexpr int PAD = 8;
  static constexpr int BKP = BK + PAD; // shared row pitch in elements (80 bytes)
  static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
  static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
  static constexpr int MI = WM / 16, NI = WN / 8;
  static constexpr int A_CHUNKS = BM * BK / 8, B_CHUNKS = BN * BK / 8;
  static constexpr int A_PER_THREAD = (A_CHUNKS + THREADS - 1) / THREADS;
  static constexpr int B_PER_THREAD = (B_CHUNKS + THREADS - 1) / THREADS;
  static_assert(WM % 16 == 0 && WN % 8 == 0, "warp tile must be a grid of m16n8 tiles");
};

// Loads chunk `c` of a ROWS x BK tile (rows of the tile: m for A, n for B) into `v`.
// `srow`, `sk`: the operand's strides along the tile's rows and along k. When sk == 1 a
// chunk is 8 consecutive k of one row; otherwise 8 consecutive rows at one k (the
// operand is contiguous along rows, or neither: then element by element).
template <int ROWS, int BK>
DS_DEVICE void load_chunk(Vec8 &v, const uint16_t *base, int64_t srow, int64_t sk, int c,
                          int64_t row0, int64_t rows, int64_t k0, int64_t kdim, bool vec_k,
                          bool vec_rows) {
  if (sk == 1) {
    const int r = c / (BK / 8), kk = (c % (BK / 8)) * 8;
    const int64_t row = row0 + r, k = k0 + kk;
    const uint16_t *p = base + row * srow + k;
    if (row < rows && k + 8 <= kdim && vec_k) {
      v = *reinterpret_cast<const Vec8 *>(p);
    } else {
#pragma unroll
      for (int j = 0; j < 8; ++j)
        v.v[j] = (row < rows && k + j < kdim) ? p[j] : uint16_t(0);
    }
  } else {
    const int kk = c / (ROWS / 8), r = (c % (ROWS / 8)) * 8;
    const int64_t row = row0 + r, k = k0 + kk;
    const uint16_t *p = base + row * srow + k * sk;
    if (k < kdim && row + 8 <= rows && vec_rows) {
      v = *reinterpret_cast<const Vec8 *>(p);
    } else {
#pragma unroll
      for (int j = 0; j < 8; ++j)
        v.v[j] = (k < kdim && row + j < rows) ? p[j * srow] : uint16_t(0);
    }
  }
}

// Stores chunk `c` (as loaded above) into the [row][BKP] shared tile.
template <int ROWS, int BK, int BKP>
DS_DEVICE void store_chunk(uint16_t *tile, const Vec8 &v, int c, bool k_contiguous) {
  if (k_contiguous) {
    const int r = c / (BK / 8), kk = (c % (BK / 8)) * 8;
    *reinterpret_cast<Vec8 *>(tile + r * BKP + kk) = v;
  } else {
    const int kk = c / (ROWS / 8), r = (c % (ROWS / 8)) * 8;
#pragma unroll
    for (int j = 0; j < 8; ++j)
      tile[(r + j) * BKP + kk] = v.v[j];
  }
}

template <int BM, int BN, int WARPS_M, int WARPS_N> struct alignas(16) MmaSmem {
  using S = MmaShape<BM, BN, WARPS_M, WARPS_N>;
  uint16_t a[2][BM * S::BKP];
  uint16_t b[2][BN * S::BKP];
};

template <bool F16>
DS_DEVICE void mma16816(float d[4], const uint32_t a[4], const uint32_t b[2]) {
  if (F16)
    ds::mma_m16n8k16_f16(d, a, b, d);
  else
    ds::mma_m16n8k16_bf16(d, a, b, d);
}

DS_DEVICE uint32_t lds32(const uint16_t *p) { return *reinterpret_cast<const uint32_t *>(p); }

template <int BM, int BN, int WARPS_M, int WARPS_N, bool F16, class Cfg>
DS_DEVICE void mma_gemm(const Cfg &cfg) {
  using S = MmaShape<BM, BN, WARPS_M, WARPS_N>;
  constexpr int BK = S::BK, BKP = S::BKP;
  DS_SHARED MmaSmem<BM, BN, WARPS_M, WARPS_N> smem;

  const TileIndex tile = tile_of<BM, BN>(cfg);
  const uint16_t *A = cfg.a(tile.batch);
  const uint16_t *B = cfg.b(tile.batch);
  const int tid = ds::thread_linear();
  const int lane = ds::lane_id(), warp = ds::warp_id();
  const int wm = (warp / WARPS_N) * S::WM, wn = (warp % WARPS_N) * S::WN;
  const int g = lane >> 2, t = lane & 3;

  // Operands as ROWS x K tiles: A rows are m (strides sam, sak), B rows are n (sbn, sbk).
  const bool a_kc = cfg.sak == 1, b_kc = cfg.sbk == 1;
  // 16-byte loads need aligned chunks: the base and every row (or k) step aligned.
  const bool a_vec_k = a_kc && aligned16(A) && cfg.sam % 8 == 0;
  const bool a_vec_r = !a_kc && cfg.sam == 1 && aligned16(A) && cfg.sak % 8 == 0;
  const bool b_vec_k = b_kc && aligned16(B) && cfg.sbn % 8 == 0;
  const bool b_vec_r = !b_kc && cfg.sbn == 1 && aligned16(B) && cfg.sbk % 8 == 0;

  Vec8 ra[S::A_PER_THREAD], rb[S::B_PER_THREAD];
  auto load_tiles = [&](int64_t k0) {
#pragma unroll
    for (int i = 0; i < S::A_PER_THREAD; ++i) {
      const int c = tid + i * S::THREADS;
      if (c < S::A_CHUNKS)
        load_chunk<BM, BK>(ra[i], A, cfg.sam, cfg.sak, c, tile.row0, cfg.m, k0, cfg.k, a_vec_k,
                           a_vec_r);
    }
#pragma unroll
    for (int i = 0; i < S::B_PER_THREAD; ++i) {
      const int c = tid + i * S::THREADS;
      if (c < S::B_CHUNKS)
        load_chunk<BN, BK>(rb[i], B, cfg.sbn, cfg.sbk, c, tile.col0, cfg.n, k0, cfg.k, b_vec_k,
                           b_vec_r);
    }
  };
  auto store_tiles = [&](int buf) {
#pragma unroll
    for (int i = 0; i < S::A_PER_THREAD; ++i) {
      const int c = tid + i * S::THREADS;
      if (c < S::A_CHUNKS)
        store_chunk<BM, BK, BKP>(smem.a[buf], ra[i], c, a_kc);
    }
#pragma unroll
    for (int i = 0; i < S::B_PER_THREAD; ++i) {
      const int c = tid + i * S::THREADS;
      if (c < S::B_CHUNKS)
        store_chunk<BN, BK, BKP>(smem.b[buf], rb[i], c, b_kc);
    }
  };

  float acc[S::MI][S::NI][4];
#pragma unroll
  for (int i = 0; i < S::MI; ++i)
#pragma unroll
    for (int j = 0; j < S::NI; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        acc[i][j][e] = 0.0f;

  const int64_t ksteps = ceil_div(cfg.k, BK);
  if (ksteps > 0) {
    load_tiles(0);
    store_tiles(0);
  }
  ds::sync_block();
  for (int64_t ks = 0; ks < ksteps; ++ks) {
    const int buf = int(ks & 1);
    const bool more = ks + 1 < ksteps;
    if (more)
      load_tiles((ks + 1) * BK); // in flight while this step multiplies
    const uint16_t *sa = smem.a[buf], *sb = smem.b[buf];
#pragma unroll
    for (int kk = 0; kk < BK; kk += 16) {
      uint32_t fa[S::MI][4], fb[S::NI][2];
#pragma unroll
      for (int i = 0; i < S::MI; ++i) {
        const uint16_t *p = sa + (wm + i * 16 + g) * BKP + kk + 2 * t;
        fa[i][0] = lds32(p);               // row g,     k 2t..2t+1
        fa[i][1] = lds32(p + 8 * BKP);     // row g + 8
        fa[i][2] = lds32(p + 8);           // row g,     k + 8
        fa[i][3] = lds32(p + 8 * BKP + 8); // row g + 8, k + 8
      }
#pragma unroll
      for (int j = 0; j < S::NI; ++j) {
        const uint16_t *p = sb + (wn + j * 8 + g) * BKP + kk + 2 * t;
        fb[j][0] = lds32(p);     // k 2t..2t+1, col g
        fb[j][1] = lds32(p + 8); // k + 8
      }
#pragma unroll
      for (int i = 0; i < S::MI; ++i)
#pragma unroll
        for (int j = 0; j < S::NI; ++j)
          mma16816<F16>(acc[i][j], fa[i], fb[j]);
    }
    if (more)
      store_tiles(buf ^ 1); // the other buffer: everyone finished reading it (last barrier)
    ds::sync_block();
  }

  // Epilogue in registers: C fragment element e of tile (i, j) is row g (+8 for e >= 2),
  // col 2t + (e & 1).
#pragma unroll
  for (int i = 0; i < S::MI; ++i)
#pragma unroll
    for (int j = 0; j < S::NI; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int64_t row = tile.row0 + wm + i * 16 + g + ((e & 2) ? 8 : 0);
        const int64_t col = tile.col0 + wn + j * 8 + 2 * t + (e & 1);
        if (row < cfg.m && col < cfg.n)
          cfg.store(tile.batch, row, col, acc[i][j][e]);
      }
}

// ---- SIMT kernel: f32 / f64 / integer (and narrow floats without a tensor-core path) -------
//
// Block tile BM x BN (64 x 64), k-step BK (16), 256 threads as 16 x 16, each a 4 x 4
// register tile of rows ty + 16 i and cols tx + 16 j (shared reads: A broadcast across a
// half-warp, B consecutive; output stores consecutive across tx). A and B tiles are
// stored k-major in shared memory; global loads are ordered so that consecutive threads
// read along the operand's contiguous dim.
template <class Acc> DS_DEVICE Acc mul_add(Acc acc, Acc a, Acc b) { return acc + a * b; }
template <> DS_DEVICE int64_t mul_add<int64_t>(int64_t acc, int64_t a, int64_t b) {
  // Wrapping arithmetic (two's complement), without signed-overflow UB.
  return int64_t(uint64_t(acc) + uint64_t(a) * uint64_t(b));
}

template <class Acc> DS_DEVICE Acc add(Acc a, Acc b) { return a + b; }
template <> DS_DEVICE int64_t add<int64_t>(int64_t a, int64_t b) {
  return int64_t(uint64_t(a) + uint64_t(b));
}

template <class Acc, int BM, int BN, int BK> struct alignas(16) SimtSmem {
  Acc a[BK][BM];
  Acc b[BK][BN];
};

template <class Acc, class Cfg> DS_DEVICE void simt_gemm(const Cfg &cfg) {
  constexpr int BM = 64, BN = 64, BK = 16, T = 256, RM = BM / 16, RN = BN / 16;
  DS_SHARED SimtSmem<Acc, BM, BN, BK> smem;
  const TileIndex tile = tile_of<BM, BN>(cfg);
  const auto *A = cfg.a(tile.batch);
  const auto *B = cfg.b(tile.batch);
  const int tid = ds::thread_linear();
  const int tx = tid % 16, ty = tid / 16;
  const bool a_kc = cfg.sak == 1, b_nc = cfg.sbn == 1;

  Acc acc[RM][RN];
#pragma unroll
  for (int i = 0; i < RM; ++i)
#pragma unroll
    for (int j = 0; j < RN; ++j)
      acc[i][j] = Acc(0);

  for (int64_t k0 = 0; k0 < cfg.k; k0 += BK) {
    // BM * BK = BN * BK = 1024 elements each: 4 per thread.
#pragma unroll
    for (int i = 0; i < BM * BK / T; ++i) {
      const int e = tid + i * T;
      // k fastest when A is k-contiguous (coalesced along k), else m fastest.
      const int kk = a_kc ? e % BK : e / BM, r = a_kc ? e / BK : e % BM;
      const int64_t row = tile.row0 + r, k = k0 + kk;
      smem.a[kk][r] =
          row < cfg.m && k < cfg.k ? cfg.load_a(A, row * cfg.sam + k * cfg.sak) : Acc(0);
    }
#pragma unroll
    for (int i = 0; i < BN * BK / T; ++i) {
      const int e = tid + i * T;
      const int kk = b_nc ? e / BN : e % BK, c = b_nc ? e % BN : e / BK;
      const int64_t col = tile.col0 + c, k = k0 + kk;
      smem.b[kk][c] =
          col < cfg.n && k < cfg.k ? cfg.load_b(B, k * cfg.sbk + col * cfg.sbn) : Acc(0);
    }
    ds::sync_block();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      Acc av[RM], bv[RN];
#pragma unroll
      for (int i = 0; i < RM; ++i)
        av[i] = smem.a[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < RN; ++j)
        bv[j] = smem.b[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < RM; ++i)
#pragma unroll
        for (int j = 0; j < RN; ++j)
          acc[i][j] = mul_add<Acc>(acc[i][j], av[i], bv[j]);
    }
    ds::sync_block();
  }
#pragma unroll
  for (int i = 0; i < RM; ++i)
#pragma unroll
    for (int j = 0; j < RN; ++j) {
      const int64_t row = tile.row0 + ty + 16 * i, col = tile.col0 + tx + 16 * j;
      if (row < cfg.m && col < cfg.n)
        cfg.store(tile.batch, row, col, acc[i][j]);
    }
}

} // namespace gemm
} // namespace ds

#endif // DS_GEMM_CUH
