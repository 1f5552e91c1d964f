// Device functions of the quantization kernels (docs/cuda.md, "Quantization kernels"):
// quantize, dequantize, dynamic_quantize and matmul_nbits.
//
// The generator (lib/Target/Cuda/QuantCodegen.cpp) emits one kernel per step; the
// arithmetic here reproduces the cpu backend (runtime/src/cpu/QuantKernels.cpp) bit for
// bit where the cpu's result is defined by its rounding (quantize, dequantize,
// dynamic_quantize); matmul_nbits dequantizes each weight exactly as the cpu does and
// accumulates in f32 (the summation order differs from the cpu's GEMM).
//
// Only plain C++ plus ds_device.cuh: the same text compiles with NVRTC/nvcc and, against
// ds_emu.h, with the host compiler.
#pragma once

#include "ds_device.cuh"
#include "elementwise.cuh"

namespace ds {
namespace quant {

// ---- quantize / dequantize ----------------------------------------------------------------

// A value rounded to what f16 / bf16 hold (the cpu divides in the scale's type).
DS_DEVICE float round_f16(float v) { return ew::f16_load(ew::f16_store(v)); }
DS_DEVICE float round_bf16(float v) { return ew::bf16_load(ew::bf16_store(v)); }

DS_DEVICE float rint_(float v) { return rintf(v); }
DS_DEVICE double rint_(double v) { return ::rint(v); }

// clamp(round_half_even(q) + z, lo, hi); NaN gives the zero point (as the cpu). The
// rounded value is clamped to +-2^40 before it becomes an integer: exact below, and
// beyond it the result saturates either way (|z|, |lo|, |hi| < 2^33).
template <class F> DS_DEVICE int64_t quantize_int(F q, int64_t z, int64_t lo, int64_t hi) {
  F r = rint_(q);
  if (r != r)
    return z < lo ? lo : (z > hi ? hi : z);
  const F big = F(1099511627776.0);
  r = r < -big ? -big : (r > big ? big : r);
  int64_t v = static_cast<int64_t>(r) + z;
  return v < lo ? lo : (v > hi ? hi : v);
}

// Scale index of element i for a per-axis scale (dim entries along an axis with `inner`
// elements after it) and a blocked one (dim split into `blocks` blocks of `block`).
DS_DEVICE int64_t axis_index(int64_t i, int64_t inner, int64_t dim) { return (i / inner) % dim; }
DS_DEVICE int64_t blocked_index(int64_t i, int64_t inner, int64_t dim, int64_t block,
                                int64_t blocks) {
  const int64_t in = i % inner, rest = i / inner;
  const int64_t a = rest % dim, o = rest / dim;
  return (o * blocks + a / block) * inner + in;
}

// ---- dynamic_quantize ---------------------------------------------------------------------

// The cpu's std::min / std::max with 0 as the start: NaN never wins, -0 never replaces 0.
DS_DEVICE float dq_min(float lo, float v) { return v < lo ? v : lo; }
DS_DEVICE float dq_max(float hi, float v) { return hi < v ? v : hi; }

DS_DEVICE uint8_t dq_value(float x, float scale, float zp) {
  float v = scale == 0.f ? 0.f : rintf(x / scale) + zp;
  v = v < 0.f ? 0.f : (255.f < v ? 255.f : v);
  return v == v ? static_cast<uint8_t>(v) : uint8_t(0);
}

// One block does the whole tensor: the min/max reduction, then the quantization (the
// scale depends on every element; a single launch without grid-wide synchronization
// cannot share a reduction between blocks). Block size: a multiple of 32, <= 1024.
DS_DEVICE void dynamic_quantize(const float *x, uint8_t *y, float *scale_out, uint8_t *zp_out,
                                int64_t n) {
  DS_SHARED float red_lo[32];
  DS_SHARED float red_hi[32];
  const int64_t tid = thread_linear(), threads = block_dim_x();
  float lo = 0.f, hi = 0.f;
  int64_t begin = 0;
  // 16-byte loads where x is aligned.
  const bool vec = ew::aligned_for<4>(x) && ew::aligned_for<4>(y);
  if (vec) {
    const int64_t vectors = n / 4 * 4;
    for (int64_t e = tid * 4; e < vectors; e += threads * 4) {
      const ew::Pack<float, 4> p = ew::load_pack<4>(x, e);
#pragma unroll
      for (int v = 0; v < 4; ++v) {
        lo = dq_min(lo, p.v[v]);
        hi = dq_max(hi, p.v[v]);
      }
    }
    begin = vectors;
  }
  for (int64_t e = begin + tid; e < n; e += threads) {
    lo = dq_min(lo, x[e]);
    hi = dq_max(hi, x[e]);
  }
#pragma unroll
  for (int m = 16; m >= 1; m >>= 1) {
    lo = dq_min(lo, shfl_xor(lo, m));
    hi = dq_max(hi, shfl_xor(hi, m));
  }
  const int warps = static_cast<int>((threads + 31) / 32);
  if (lane_id() == 0) {
    red_lo[warp_id()] = lo;
    red_hi[warp_id()] = hi;
  }
  sync_block();
  lo = 0.f;
  hi = 0.f;
  for (int w = 0; w < warps; ++w) {
    lo = dq_min(lo, red_lo[w]);
    hi = dq_max(hi, red_hi[w]);
  }
  const float scale = (hi - lo) / 255.f;
  float zp = 0.f;
  if (scale != 0.f) {
    zp = rintf(-lo / scale);
    zp = zp < 0.f ? 0.f : (255.f < zp ? 255.f : zp);
  }
  if (tid == 0) {
    scale_out[0] = scale;
    zp_out[0] = zp == zp ? static_cast<uint8_t>(zp) : uint8_t(0);
  }
  if (vec) {
    const int64_t vectors = n / 4 * 4;
    for (int64_t e = tid * 4; e < vectors; e += threads * 4) {
      const ew::Pack<float, 4> p = ew::load_pack<4>(x, e);
      ew::Pack<uint8_t, 4> q;
#pragma unroll
      for (int v = 0; v < 4; ++v)
        q.v[v] = dq_value(p.v[v], scale, zp);
      ew::store_pack<4>(y, e, q);
    }
  }
  for (int64_t e = begin + tid; e < n; e += threads)
    y[e] = dq_value(x[e], scale, zp);
}

// ---- matmul_nbits -------------------------------------------------------------------------
//
// out[m, n] = sum_k x[m, k] * W[n, k] (+ bias[n]), W[n, k] = (q[n, k] - z[n, b]) * s[n, b]
// with b = k / kBlockSize, computed in f32 as the cpu does (the dequantized weight is
// rounded to f32 exactly like the cpu's, then multiplied and accumulated in f32).
//
// Block: 8 warps; a block owns kCols = 8 * kColsPerWarp output columns and up to kRowTile
// rows of M. Per K tile of kKTile = 32 * kChunkElems elements: the block stages x[rows,
// tile] in shared memory as f32 (lane segments padded to an odd stride: conflict-free
// reads), then each warp streams its columns' packed weights, one kChunkBytes vector load
// per lane and column (a chunk lies inside one quantization block: one scale, one zero
// point), dequantizes in registers and accumulates every row of the tile. Lane partial
// sums are reduced with shuffles at the end. For decode (M = 1) this is a GEMV streaming
// the weights once at full width; for larger M each block tile reuses its dequantized
// weights for kRowTile rows (weights are re-read per row tile, from L2).
//
// Cfg (generated) provides: kBits, kK, kN, kBlockSize, kBlocks, kZeroPoints (0 none, 1
// packed ui8, 2 float), kBias, kChunkBytes, kRowTile, kColsPerWarp, the storage types
// XS, SS, ZS, BS, OS and load_x, load_scale, load_zp, load_bias, store_out.

template <int V> struct NbitsChunk {
  static constexpr int kWords = V >= 4 ? V / 4 : 1;
  uint32_t w[kWords];
};

template <int V>
DS_DEVICE NbitsChunk<V> nbits_load_chunk(const uint8_t *p, bool aligned) {
  NbitsChunk<V> c;
  if (V >= 4 && aligned) {
    const ew::Pack<uint32_t, (V >= 4 ? V / 4 : 1)> pk =
        ew::load_pack<(V >= 4 ? V / 4 : 1)>(reinterpret_cast<const uint32_t *>(p), 0);
#pragma unroll
    for (int i = 0; i < NbitsChunk<V>::kWords; ++i)
      c.w[i] = pk.v[i];
  } else {
#pragma unroll
    for (int i = 0; i < NbitsChunk<V>::kWords; ++i) {
      uint32_t word = 0;
#pragma unroll
      for (int b = 0; b < 4; ++b)
        if (i * 4 + b < V)
          word |= static_cast<uint32_t>(p[i * 4 + b]) << (8 * b);
      c.w[i] = word;
    }
  }
  return c;
}

template <class Cfg> struct NbitsShape {
  static constexpr int kPerByte = 8 / Cfg::kBits;
  static constexpr int kPerWord = 32 / Cfg::kBits;
  static constexpr uint32_t kMask = (1u << Cfg::kBits) - 1u;
  static constexpr int kChunkElems = Cfg::kChunkBytes * kPerByte;
  static constexpr int kKTile = 32 * kChunkElems;
  static constexpr int kStride = kChunkElems % 2 == 0 ? kChunkElems + 1 : kChunkElems;
  static constexpr int kRowFloats = 32 * kStride;
  static constexpr int kCols = 8 * Cfg::kColsPerWarp;
  static constexpr int64_t kRowBytes = Cfg::kBlocks * (Cfg::kBlockSize * Cfg::kBits / 8);
  static constexpr int64_t kZpCols = (Cfg::kBlocks * Cfg::kBits + 7) / 8;
};

// Rows [m0, m0 + MT) (those < M) and columns [n0, n0 + kCols) of the output.
template <class Cfg, int MT>
DS_DEVICE void nbits_tile(const KernelParams &params, int64_t M, int64_t m0, int64_t n0,
                          float *xs) {
  using S = NbitsShape<Cfg>;
  constexpr int64_t K = Cfg::kK, N = Cfg::kN;
  const typename Cfg::XS *x = static_cast<const typename Cfg::XS *>(params.ptr[0]);
  const uint8_t *w = static_cast<const uint8_t *>(params.ptr[1]);
  const typename Cfg::SS *scales = static_cast<const typename Cfg::SS *>(params.ptr[2]);
  const typename Cfg::ZS *zps = static_cast<const typename Cfg::ZS *>(params.ptr[3]);
  const int lane = static_cast<int>(lane_id()), warp = static_cast<int>(warp_id());
  const int tid = static_cast<int>(thread_linear());
  // Every row of the weights starts V-aligned when the base is (rows are multiples of V).
  const bool aligned = reinterpret_cast<unsigned long long>(w) % Cfg::kChunkBytes == 0;

  float acc[Cfg::kColsPerWarp][MT];
#pragma unroll
  for (int c = 0; c < Cfg::kColsPerWarp; ++c)
#pragma unroll
    for (int r = 0; r < MT; ++r)
      acc[c][r] = 0.f;

  for (int64_t k0 = 0; k0 < K; k0 += S::kKTile) {
    if (k0 > 0)
      sync_block(); // the previous tile's readers are done
    for (int idx = tid; idx < MT * S::kKTile; idx += 256) {
      const int r = idx / S::kKTile, c = idx % S::kKTile;
      const int64_t m = m0 + r, k = k0 + c;
      const float v = (m < M && k < K) ? Cfg::load_x(x, m * K + k) : 0.f;
      xs[r * S::kRowFloats + (c / S::kChunkElems) * S::kStride + c % S::kChunkElems] = v;
    }
    sync_block();
    const int64_t kc = k0 + int64_t(lane) * S::kChunkElems; // this lane's chunk
    if (kc >= K)
      continue;
    const int64_t b = kc / Cfg::kBlockSize;
    NbitsChunk<Cfg::kChunkBytes> chunk[Cfg::kColsPerWarp];
    float scale[Cfg::kColsPerWarp], zero[Cfg::kColsPerWarp];
    bool live[Cfg::kColsPerWarp];
#pragma unroll
    for (int c = 0; c < Cfg::kColsPerWarp; ++c) {
      const int64_t n = n0 + warp * Cfg::kColsPerWarp + c;
      live[c] = n < N;
      scale[c] = 0.f;
      zero[c] = 0.f;
      if (!live[c])
        continue;
      chunk[c] = nbits_load_chunk<Cfg::kChunkBytes>(w + n * S::kRowBytes + kc / S::kPerByte,
                                                     aligned);
      scale[c] = Cfg::load_scale(scales, n * Cfg::kBlocks + b);
      if (Cfg::kZeroPoints == 1) {
        const uint32_t byte = static_cast<uint32_t>(zps[n * S::kZpCols + (b * Cfg::kBits) / 8]);
        zero[c] = static_cast<float>((byte >> ((b * Cfg::kBits) % 8)) & S::kMask);
      } else if (Cfg::kZeroPoints == 2) {
        zero[c] = Cfg::load_zp(zps, n * Cfg::kBlocks + b);
      } else {
        zero[c] = static_cast<float>(1 << (Cfg::kBits - 1));
      }
    }
    const float *xl = xs + lane * S::kStride;
    const bool full = kc + S::kChunkElems <= K;
#pragma unroll
    for (int c = 0; c < Cfg::kColsPerWarp; ++c) {
      if (!live[c])
        continue;
#pragma unroll
      for (int j = 0; j < S::kChunkElems; ++j) {
        if (!full && kc + j >= K)
          break;
        const uint32_t q = (chunk[c].w[j / S::kPerWord] >> ((j % S::kPerWord) * Cfg::kBits)) &
                           S::kMask;
        const float wv = (static_cast<float>(q) - zero[c]) * scale[c];
#pragma unroll
        for (int r = 0; r < MT; ++r)
          acc[c][r] += xl[r * S::kRowFloats + j] * wv;
      }
    }
  }

  // Lane partial sums -> one value per (column, row); lane r stores row r.
#pragma unroll
  for (int c = 0; c < Cfg::kColsPerWarp; ++c) {
    const int64_t n = n0 + warp * Cfg::kColsPerWarp + c;
    float mine = 0.f;
#pragma unroll
    for (int r = 0; r < MT; ++r) {
      float v = acc[c][r];
#pragma unroll
      for (int m = 16; m >= 1; m >>= 1)
        v += shfl_xor(v, m);
      if (lane == r)
        mine = v;
    }
    if (n < N && lane < MT && m0 + lane < M) {
      if (Cfg::kBias)
        mine += Cfg::load_bias(static_cast<const typename Cfg::BS *>(params.ptr[4]), n);
      Cfg::store_out(static_cast<typename Cfg::OS *>(params.ptr[Cfg::kOutput]),
                     (m0 + lane) * N + n, mine);
    }
  }
}

// The kernel body: block b covers row tile b / column tiles and column tile b % column
// tiles; the row tile runs with the smallest instantiation that covers its rows.
template <class Cfg> DS_DEVICE void matmul_nbits(const KernelParams &params, int64_t M) {
  using S = NbitsShape<Cfg>;
  DS_SHARED float xs[Cfg::kRowTile * S::kRowFloats];
  constexpr int64_t colTiles = (Cfg::kN + S::kCols - 1) / S::kCols;
  const int64_t blk = block_idx_x();
  const int64_t m0 = blk / colTiles * Cfg::kRowTile, n0 = blk % colTiles * S::kCols;
  const int64_t rows = M - m0;
  if (rows <= 1 || Cfg::kRowTile == 1)
    nbits_tile<Cfg, 1>(params, M, m0, n0, xs);
  else if (rows <= 2 || Cfg::kRowTile == 2)
    nbits_tile<Cfg, (Cfg::kRowTile >= 2 ? 2 : 1)>(params, M, m0, n0, xs);
  else if (rows <= 4 || Cfg::kRowTile == 4)
    nbits_tile<Cfg, (Cfg::kRowTile >= 4 ? 4 : 1)>(params, M, m0, n0, xs);
  else
    nbits_tile<Cfg, (Cfg::kRowTile >= 8 ? 8 : 1)>(params, M, m0, n0, xs);
}

} // namespace quant
} // namespace ds
