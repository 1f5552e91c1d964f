// attention.cuh — fused attention (flash style) for `attention` steps (docs/cuda.md,
// "Attention and RoPE kernels").
//
// Semantics of runtime/src/cpu/AttentionKernels.cpp: query [B, Hq, Sq, Dk], key
// [B, Hkv, Skv, Dk], value [B, Hkv, Skv, Dv], output [B, Hq, Sq, Dv]; query head h reads
// kv head h / (Hq / Hkv); s = dot(query * scale, key) (the query is scaled first, in the
// compute type, as the cpu does), then softcap, the mask (additive float or i1 keep),
// causal (bottom-right: key j hidden when j > i + Skv - Sq), window (hidden when
// j < i + Skv - Sq - window); online softmax in the compute type (f32; f64 for f64); a
// row that sees no key gives NaN.
//
// One block per (batch, kv head, tile of rows), where the rows of a kv head are the
// (query position, query head of its group) pairs, position-major: a GQA group's query
// heads share every K/V tile staged in shared memory, and a tile's rows cover few
// positions, so the causal key range stays tight. The launch grid is "tiles"
// B x Hq x ceil(Sq / (NW * R)), which always has at least as many blocks per kv head as
// the rows need (blocks past the last tile return at once).
//
// Warps: NW warps form WQ x WK (runtime: WK > 1 only when all the rows of a kv head fit
// in WQ * R rows, e.g. decode Sq = 1). A warp owns R rows and every WK-th 32-key sub-tile
// of a staged tile of KT = 32 * NSUB keys: lane = key for the scores, lane = value column
// for the accumulator, each warp with its own running max / sum; warps that split the
// keys merge their states through shared memory at the end (a split over the key length
// inside the block: decode does not leave warps idle).
#ifndef DS_ATTENTION_CUH
#define DS_ATTENTION_CUH

#include "ds_device.cuh"

namespace ds {
namespace attn {

// ---- conversions ------------------------------------------------------------------------
DS_DEVICE float to_c(float v) { return v; }
DS_DEVICE float to_c(f16 v) { return f16_to_float(v); }
DS_DEVICE float to_c(bf16 v) { return bf16_to_float(v); }
DS_DEVICE double to_c(double v) { return v; }
DS_DEVICE void store_c(float *p, int64_t i, float v) { p[i] = v; }
DS_DEVICE void store_c(f16 *p, int64_t i, float v) { p[i] = float_to_f16(v); }
DS_DEVICE void store_c(bf16 *p, int64_t i, float v) { p[i] = float_to_bf16(v); }
DS_DEVICE void store_c(double *p, int64_t i, double v) { p[i] = v; }

DS_DEVICE float exp_c(float x) { return expf_(x); }
DS_DEVICE double exp_c(double x) { return exp_(x); }
DS_DEVICE float tanh_c(float x) { return tanhf_(x); }
DS_DEVICE double tanh_c(double x) { return tanh_(x); }
template <class T> DS_DEVICE T neg_inf();
template <> DS_DEVICE float neg_inf<float>() { return -inf_f32(); }
template <> DS_DEVICE double neg_inf<double>() { return -(double)inf_f32(); }
template <class T> DS_DEVICE T quiet_nan();
template <> DS_DEVICE float quiet_nan<float>() { return nan_f32(); }
template <> DS_DEVICE double quiet_nan<double>() { return (double)nan_f32(); }
// max ignoring a NaN operand like the cpu's std::max(running, x) does for a NaN x.
template <class T> DS_DEVICE T max_c(T a, T b) { return b > a ? b : a; }

// Mask element kinds.
constexpr int kNoMask = 0, kBoolMask = 1, kFloatMask = 2;

// Runtime sizes.
struct Dims {
  int64_t batch, q_heads, kv_heads, q_seq, kv_seq;
  int64_t mask_stride[4];  // over [B, Hq, Sq, Skv]; 0 where the mask broadcasts
};

// Strides of a mask whose dims, right-aligned and padded with 1, are `md`.
DS_DEVICE void mask_strides(const int64_t md[4], Dims &d) {
  int64_t stride = 1;
  for (int a = 3; a >= 0; --a) {
    d.mask_stride[a] = md[a] == 1 ? 0 : stride;
    stride *= md[a];
  }
}

// Compile-time configuration. S: storage of query/key/value/output; T: compute type;
// M: mask storage (uint8_t for i1); NW warps of R rows; KT = 32 * NSUB keys per staged
// tile.
template <class S_, class T_, class M_, int DK_, int DV_, int NW_, int R_, int NSUB_, bool CAUSAL_,
          bool WINDOW_, bool SOFTCAP_, int MASK_>
struct Config {
  using S = S_;
  using T = T_;
  using M = M_;
  static constexpr int DK = DK_, DV = DV_, NW = NW_, R = R_, NSUB = NSUB_;
  static constexpr bool CAUSAL = CAUSAL_, WINDOW = WINDOW_, SOFTCAP = SOFTCAP_;
  static constexpr int MASK = MASK_;
  static constexpr int KT = 32 * NSUB;
  static constexpr int KSTRIDE = DK + 1;  // padded: lane = key reads without bank conflicts
  static constexpr int CV = (DV + 31) / 32;  // value columns per lane
  // Shared memory (elements of T): K tile, V tile, scaled Q rows, per-warp P rows. The
  // merge of key-split warps reuses the K/V region.
  static constexpr int64_t K_ELEMS = (int64_t)KT * KSTRIDE;
  static constexpr int64_t V_ELEMS = (int64_t)KT * DV;
  static constexpr int64_t Q_ELEMS = (int64_t)NW * R * DK;
  static constexpr int64_t P_ELEMS = (int64_t)NW * R * 32;
  static constexpr int64_t MERGE_ELEMS = (int64_t)NW * R * (DV + 2);
  static constexpr int64_t KV_ELEMS =
      K_ELEMS + V_ELEMS > MERGE_ELEMS ? K_ELEMS + V_ELEMS : MERGE_ELEMS;
  static constexpr int64_t SHARED_BYTES = (KV_ELEMS + Q_ELEMS + P_ELEMS) * (int64_t)sizeof(T);
};

template <class T> DS_DEVICE T warp_max(T v) {
  for (int m = 16; m > 0; m >>= 1) v = max_c(v, shfl_xor(v, m));
  return v;
}
template <class T> DS_DEVICE T warp_sum(T v) {
  for (int m = 16; m > 0; m >>= 1) v += shfl_xor(v, m);
  return v;
}

// Copies `rows` rows of `width` elements (row r at src + r * width, rows >= valid are
// zeros) into shared memory with row stride `stride`, converted to T. 16-byte loads when
// the rows allow them and the source is aligned.
template <class S, class T, int width>
DS_DEVICE void stage_rows(T *dst, int stride, const S *src, int rows, int valid, int tid,
                          int nthreads) {
  constexpr int V = 16 / (int)sizeof(S);
  const bool vec = width % V == 0 &&
                   reinterpret_cast<unsigned long long>(src) % 16 == 0;
  if (vec) {
    constexpr int per_row = width / V;
    for (int e = tid; e < rows * per_row; e += nthreads) {
      int r = e / per_row, c = (e - r * per_row) * V;
      T *out = dst + (int64_t)r * stride + c;
      if (r < valid) {
        struct alignas(16) Pack {
          S v[V];
        };
        Pack p = *reinterpret_cast<const Pack *>(src + (int64_t)r * width + c);
        for (int k = 0; k < V; ++k) out[k] = to_c(p.v[k]);
      } else {
        for (int k = 0; k < V; ++k) out[k] = T(0);
      }
    }
  } else {
    for (int e = tid; e < rows * width; e += nthreads) {
      int r = e / width, c = e - r * width;
      dst[(int64_t)r * stride + c] = r < valid ? (T)to_c(src[(int64_t)r * width + c]) : T(0);
    }
  }
}

template <class C>
DS_DEVICE void attention_simt(const void *q_ptr, const void *k_ptr, const void *v_ptr,
                              const void *mask_ptr, void *out_ptr, const Dims &d,
                              typename C::T scale, int64_t window, typename C::T softcap) {
  using S = typename C::S;
  using T = typename C::T;
  using M = typename C::M;
  constexpr int DK = C::DK, DV = C::DV, NW = C::NW, R = C::R, NSUB = C::NSUB, KT = C::KT;
  constexpr int CV = C::CV;
  const S *q = static_cast<const S *>(q_ptr);
  const S *k = static_cast<const S *>(k_ptr);
  const S *v = static_cast<const S *>(v_ptr);
  const M *mask = static_cast<const M *>(mask_ptr);
  S *out = static_cast<S *>(out_ptr);

  const int64_t group = d.q_heads / d.kv_heads;
  const int64_t rows_total = group * d.q_seq;  // rows of one (batch, kv head)
  const int64_t past = d.kv_seq - d.q_seq;
  // Warps along the keys: as many as the sub-tiles allow while the rows still fit.
  int wk = 1;
  while (wk * 2 <= NW && wk * 2 <= NSUB && rows_total <= (int64_t)(NW / (wk * 2)) * R) wk *= 2;
  const int wq_count = NW / wk;
  const int64_t tile_rows = (int64_t)wq_count * R;

  // Block -> (batch, kv head, row tile); the grid has group * ceil(Sq / (NW * R)) blocks
  // per kv head, at least the ceil(rows_total / tile_rows) needed.
  const int64_t grid_tiles = group * ((d.q_seq + NW * R - 1) / (NW * R));
  const int64_t blk = block_idx_x();
  const int64_t bk = blk / grid_tiles, tile = blk - bk * grid_tiles;
  const int64_t row0 = tile * tile_rows;
  if (row0 >= rows_total) return;  // the whole block: no barrier reached yet
  const int64_t b = bk / d.kv_heads, kvh = bk - b * d.kv_heads;
  const int64_t rows = rows_total - row0 < tile_rows ? rows_total - row0 : tile_rows;

  const int tid = (int)thread_linear(), lane = (int)lane_id(), warp = (int)warp_id();
  const int wqi = warp / wk, wki = warp - wqi * wk;

  T *smem = dynamic_shared<T>();
  T *ks = smem;
  T *vs = smem + C::K_ELEMS;
  T *qs = smem + C::KV_ELEMS;
  T *ps = qs + C::Q_ELEMS + (int64_t)warp * R * 32;

  // Scaled query rows of the tile (row -> position row / group, head kvh*group + row % group).
  for (int e = tid; e < tile_rows * DK; e += NW * 32) {
    int r = e / DK, c = e - r * DK;
    T val = T(0);
    if (r < rows) {
      int64_t row = row0 + r, i = row / group, h = kvh * group + (row - (row / group) * group);
      val = (T)to_c(q[((b * d.q_heads + h) * d.q_seq + i) * DK + c]) * scale;
    }
    qs[e] = val;
  }

  // Keys any row of the tile may see.
  const int64_t i_first = row0 / group, i_last = (row0 + rows - 1) / group;
  int64_t j_begin = 0, j_end = d.kv_seq;
  if (C::CAUSAL) {
    int64_t e = i_last + past + 1;
    j_end = e < 0 ? 0 : (e > d.kv_seq ? d.kv_seq : e);
  }
  if (C::WINDOW) {
    int64_t s = i_first + past - window;
    j_begin = s < 0 ? 0 : (s > d.kv_seq ? d.kv_seq : s);
  }

  // This warp's rows: row wrow0 + r is query position pos[r] (32-bit: registers are the
  // limit here), head kvh * group + (row - pos * group); rows past `row_end` are padding.
  const int64_t wrow0 = row0 + (int64_t)wqi * R;
  const int64_t row_end = row0 + rows;
  int pos[R];
  for (int r = 0; r < R; ++r) pos[r] = (int)((wrow0 + r) / group);
  const int64_t wi_first = wrow0 / group;
  const int64_t w_last_row = wrow0 + R - 1 < row_end - 1 ? wrow0 + R - 1 : row_end - 1;
  const int64_t wi_last = w_last_row / group;
  const bool warp_live = wrow0 < row_end;

  T m_run[R], l_run[R], acc[R][CV];
  for (int r = 0; r < R; ++r) {
    m_run[r] = neg_inf<T>();
    l_run[r] = T(0);
    for (int c = 0; c < CV; ++c) acc[r][c] = T(0);
  }

  const S *kbase = k + (b * d.kv_heads + kvh) * d.kv_seq * DK;
  const S *vbase = v + (b * d.kv_heads + kvh) * d.kv_seq * DV;
#pragma unroll 1
  for (int64_t t0 = j_begin; t0 < j_end; t0 += KT) {
    const int valid = (int)(j_end - t0 < KT ? j_end - t0 : KT);
    sync_block();  // the previous tile is consumed (and the Q rows are written)
    stage_rows<S, T, DK>(ks, C::KSTRIDE, kbase + t0 * DK, KT, valid, tid, NW * 32);
    stage_rows<S, T, DV>(vs, DV, vbase + t0 * DV, KT, valid, tid, NW * 32);
    sync_block();
#pragma unroll 1
    for (int sub = wki; sub < NSUB; sub += wk) {
      const int64_t s0 = t0 + (int64_t)sub * 32;
      // Warp-uniform skips: no key of the sub-tile exists or is visible to these rows.
      if (!warp_live || s0 >= j_end) continue;
      if (C::CAUSAL && s0 > wi_last + past) continue;
      if (C::WINDOW && s0 + 31 < wi_first + past - window) continue;
      const int64_t j = s0 + lane;
      const bool key_ok = j < j_end;
      T s[R];
      for (int r = 0; r < R; ++r) s[r] = T(0);
      const T *krow = ks + (int64_t)(sub * 32 + lane) * C::KSTRIDE;
      const T *qw = qs + (int64_t)wqi * R * DK;
#pragma unroll 4
      for (int c = 0; c < DK; ++c) {
        T kd = krow[c];
        for (int r = 0; r < R; ++r) s[r] += qw[r * DK + c] * kd;
      }
      for (int r = 0; r < R; ++r) {
        const bool live = wrow0 + r < row_end;
        T x = s[r];
        if (C::SOFTCAP) x = softcap * tanh_c(x / softcap);
        if constexpr (C::MASK != kNoMask) {
          if (key_ok && live) {
            int64_t head = kvh * group + (wrow0 + r - (int64_t)pos[r] * group);
            int64_t mi = b * d.mask_stride[0] + head * d.mask_stride[1] +
                         pos[r] * d.mask_stride[2] + j * d.mask_stride[3];
            if constexpr (C::MASK == kBoolMask) {
              if (!mask[mi]) x = neg_inf<T>();
            } else {
              x += (T)to_c(mask[mi]);
            }
          }
        }
        if (C::CAUSAL && j > pos[r] + past) x = neg_inf<T>();
        if (C::WINDOW && j < pos[r] + past - window) x = neg_inf<T>();
        if (!key_ok || !live) x = neg_inf<T>();
        // Online softmax update (as the cpu: skip while nothing is visible).
        T m_new = max_c(m_run[r], warp_max(x));
        T p = T(0);
        if (!(m_new == neg_inf<T>())) {
          T alpha = exp_c(m_run[r] - m_new);
          p = exp_c(x - m_new);
          l_run[r] = l_run[r] * alpha + warp_sum(p);
          m_run[r] = m_new;
          if (alpha != T(1))
            for (int c = 0; c < CV; ++c) acc[r][c] *= alpha;
        }
        ps[r * 32 + lane] = p;
      }
      sync_warp();
      const T *vsub = vs + (int64_t)sub * 32 * DV;
      for (int jj = 0; jj < 32; ++jj) {
        T vj[CV];
        for (int c = 0; c < CV; ++c) {
          int col = c * 32 + lane;
          vj[c] = col < DV ? vsub[(int64_t)jj * DV + col] : T(0);
        }
        for (int r = 0; r < R; ++r) {
          T p = ps[r * 32 + jj];
          if (p != T(0))  // the cpu skips zero weights (a masked inf/NaN value stays out)
            for (int c = 0; c < CV; ++c) acc[r][c] += p * vj[c];
        }
      }
      sync_warp();
    }
  }

  if (wk == 1) {
    if (!warp_live) return;
    for (int r = 0; r < R; ++r) {
      if (wrow0 + r >= row_end) continue;
      T inv = T(1) / l_run[r];
      int64_t head = kvh * group + (wrow0 + r - (int64_t)pos[r] * group);
      S *o = out + ((b * d.q_heads + head) * d.q_seq + pos[r]) * DV;
      for (int c = 0; c < CV; ++c) {
        int col = c * 32 + lane;
        if (col < DV) store_c(o, col, l_run[r] == T(0) ? quiet_nan<T>() : acc[r][c] * inv);
      }
    }
    return;
  }

  // Key-split warps: merge (max, sum, accumulator) per row through shared memory.
  sync_block();
  T *mg = smem + (int64_t)warp * R * (DV + 2);
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < CV; ++c) {
      int col = c * 32 + lane;
      if (col < DV) mg[r * (DV + 2) + col] = acc[r][c];
    }
    if (lane == 0) {
      mg[r * (DV + 2) + DV] = m_run[r];
      mg[r * (DV + 2) + DV + 1] = l_run[r];
    }
  }
  sync_block();
  for (int e = tid; e < rows * DV; e += NW * 32) {
    int rr = e / DV, col = e - rr * DV;
    int wqr = rr / R, r = rr - wqr * R;
    T m_all = neg_inf<T>();
    for (int w = 0; w < wk; ++w)
      m_all = max_c(m_all, smem[((int64_t)(wqr * wk + w) * R + r) * (DV + 2) + DV]);
    T l_all = T(0), o_all = T(0);
    if (!(m_all == neg_inf<T>())) {
      for (int w = 0; w < wk; ++w) {
        const T *src = smem + ((int64_t)(wqr * wk + w) * R + r) * (DV + 2);
        T f = exp_c(src[DV] - m_all);
        l_all += src[DV + 1] * f;
        o_all += src[col] * f;
      }
    }
    int64_t row = row0 + rr, i = row / group, h = kvh * group + (row - i * group);
    S *o = out + ((b * d.q_heads + h) * d.q_seq + i) * DV;
    store_c(o, col, l_all == T(0) ? quiet_nan<T>() : o_all * (T(1) / l_all));
  }
}


// ---- tensor-core path (f16 / bf16) ---------------------------------------------------------
//
// FlashAttention-2 style with mma.m16n8k16: a warp owns 16 rows; per staged tile of
// KT = 64 keys it computes S = Q K^T (fp32 accumulate; the scale is applied to S in f32),
// masks, updates the running max / sum of its two rows per lane (gid, gid + 8), converts
// P to the input type (the one rounding the SIMT path does not have) and accumulates
// O += P V with the P fragments taken straight from the S accumulators. K, V and Q tiles
// sit in shared memory as 16-bit values, rows padded by 8 elements (conflict-free
// fragment loads). When all rows of a kv head fit in fewer warps (decode), WK warps split
// each staged tile's keys and merge at the end as in the SIMT path.
template <class S_, class M_, int DK_, int DV_, bool CAUSAL_, bool WINDOW_, bool SOFTCAP_,
          int MASK_>
struct MmaConfig {
  using S = S_;
  using M = M_;
  static constexpr int DK = DK_, DV = DV_, NW = 4, KT = 64;
  static constexpr bool CAUSAL = CAUSAL_, WINDOW = WINDOW_, SOFTCAP = SOFTCAP_;
  static constexpr int MASK = MASK_;
  static constexpr int KS = DK + 8, VS = DV + 8;  // shared row strides (elements)
  static constexpr int64_t KV_BYTES = (int64_t)KT * (KS + VS) * 2;
  static constexpr int64_t MERGE_BYTES = (int64_t)NW * 16 * (DV + 2) * 4;
  static constexpr int64_t REGION = KV_BYTES > MERGE_BYTES ? KV_BYTES : MERGE_BYTES;
  static constexpr int64_t SHARED_BYTES = REGION + (int64_t)NW * 16 * KS * 2;
};

DS_DEVICE void mma_16816(float d[4], const uint32_t a[4], const uint32_t b[2], f16) {
  mma_m16n8k16_f16(d, a, b, d);
}
DS_DEVICE void mma_16816(float d[4], const uint32_t a[4], const uint32_t b[2], bf16) {
  mma_m16n8k16_bf16(d, a, b, d);
}
DS_DEVICE uint16_t bits_of(float v, f16) { return float_to_f16(v).bits; }
DS_DEVICE uint16_t bits_of(float v, bf16) { return float_to_bf16(v).bits; }
DS_DEVICE uint32_t lds32(const uint16_t *p) { return *reinterpret_cast<const uint32_t *>(p); }

// Rows [0, rows) of `width` 16-bit elements (rows >= valid: zeros) into shared memory with
// row stride `stride`; 16-byte copies when the rows allow them and src is aligned.
template <int width>
DS_DEVICE void stage_bits(uint16_t *dst, int stride, const uint16_t *src, int rows, int valid,
                          int tid, int nthreads) {
  const bool vec = width % 8 == 0 && reinterpret_cast<unsigned long long>(src) % 16 == 0;
  if (vec) {
    struct alignas(16) Pack {
      uint32_t w[4];
    };
    constexpr int per_row = width / 8;
    for (int e = tid; e < rows * per_row; e += nthreads) {
      int r = e / per_row, c = (e - r * per_row) * 8;
      Pack p = {{0, 0, 0, 0}};
      if (r < valid) p = *reinterpret_cast<const Pack *>(src + (int64_t)r * width + c);
      uint32_t *o = reinterpret_cast<uint32_t *>(dst + (int64_t)r * stride + c);
      for (int k = 0; k < 4; ++k) o[k] = p.w[k];
    }
  } else {
    for (int e = tid; e < rows * width; e += nthreads) {
      int r = e / width, c = e - r * width;
      dst[(int64_t)r * stride + c] = r < valid ? src[(int64_t)r * width + c] : (uint16_t)0;
    }
  }
}

template <class C, int WK>
DS_DEVICE void attention_mma_body(const uint16_t *q, const uint16_t *k, const uint16_t *v,
                                  const typename C::M *mask, typename C::S *out, const Dims &d,
                                  float scale, int64_t window, float softcap, int64_t row0,
                                  int64_t rows, int64_t b, int64_t kvh) {
  using S = typename C::S;
  constexpr int DK = C::DK, DV = C::DV, NW = C::NW, KT = C::KT, KS = C::KS, VS = C::VS;
  constexpr int WQ = NW / WK;
  constexpr int NT = KT / 8 / WK;  // n-tiles of 8 keys per warp and staged tile (even)
  constexpr int DN = DV / 8;       // n-tiles of the output
  const int64_t group = d.q_heads / d.kv_heads;
  const int64_t past = d.kv_seq - d.q_seq;
  const int tid = (int)thread_linear(), lane = (int)lane_id(), warp = (int)warp_id();
  const int wqi = warp / WK, wki = warp - wqi * WK;
  const int gid = lane >> 2, tig = lane & 3;

  unsigned char *smem = dynamic_shared<unsigned char>();
  uint16_t *ks = reinterpret_cast<uint16_t *>(smem);
  uint16_t *vs = ks + KT * KS;
  uint16_t *qs = reinterpret_cast<uint16_t *>(smem + C::REGION);

  // Query rows of the tile (unscaled: the scale multiplies S in f32).
  for (int e = tid; e < WQ * 16 * DK; e += NW * 32) {
    int r = e / DK, c = e - r * DK;
    uint16_t val = 0;
    if (r < rows) {
      int64_t row = row0 + r, i = row / group, h = kvh * group + (row - i * group);
      val = q[((b * d.q_heads + h) * d.q_seq + i) * DK + c];
    }
    qs[r * KS + c] = val;
  }

  const int64_t i_first = row0 / group, i_last = (row0 + rows - 1) / group;
  int64_t j_begin = 0, j_end = d.kv_seq;
  if (C::CAUSAL) {
    int64_t e = i_last + past + 1;
    j_end = e < 0 ? 0 : (e > d.kv_seq ? d.kv_seq : e);
  }
  if (C::WINDOW) {
    int64_t s0 = i_first + past - window;
    j_begin = s0 < 0 ? 0 : (s0 > d.kv_seq ? d.kv_seq : s0);
  }

  // This lane's two rows: wrow0 + gid and wrow0 + gid + 8.
  const int64_t wrow0 = row0 + (int64_t)wqi * 16, row_end = row0 + rows;
  const bool warp_live = wrow0 < row_end;
  int64_t prow[2], ppos[2], phead[2];
  bool plive[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    prow[h] = wrow0 + gid + 8 * h;
    plive[h] = prow[h] < row_end;
    ppos[h] = prow[h] / group;
    phead[h] = kvh * group + (prow[h] - ppos[h] * group);
  }
  const int64_t wi_first = wrow0 / group;
  const int64_t wi_last = ((wrow0 + 15 < row_end - 1) ? wrow0 + 15 : row_end - 1) / group;

  float m_run[2] = {neg_inf<float>(), neg_inf<float>()}, l_run[2] = {0.f, 0.f};
  float o[DN][4];
#pragma unroll
  for (int n = 0; n < DN; ++n)
#pragma unroll
    for (int i = 0; i < 4; ++i) o[n][i] = 0.f;

  const uint16_t *kbase = k + (b * d.kv_heads + kvh) * d.kv_seq * DK;
  const uint16_t *vbase = v + (b * d.kv_heads + kvh) * d.kv_seq * DV;
  const uint16_t *qw = qs + wqi * 16 * KS;
#pragma unroll 1
  for (int64_t t0 = j_begin; t0 < j_end; t0 += KT) {
    const int valid = (int)(j_end - t0 < KT ? j_end - t0 : KT);
    sync_block();
    stage_bits<DK>(ks, KS, kbase + t0 * DK, KT, valid, tid, NW * 32);
    stage_bits<DV>(vs, VS, vbase + t0 * DV, KT, valid, tid, NW * 32);
    sync_block();
    const int kw = wki * (KT / WK);  // this warp's first key in the tile
    const int64_t s0 = t0 + kw;
    if (!warp_live || s0 >= j_end) continue;
    if (C::CAUSAL && s0 > wi_last + past) continue;
    if (C::WINDOW && s0 + KT / WK - 1 < wi_first + past - window) continue;

    float sc[NT][4];
#pragma unroll
    for (int n = 0; n < NT; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i) sc[n][i] = 0.f;
#pragma unroll 2
    for (int kk = 0; kk < DK / 16; ++kk) {
      uint32_t a[4];
      const uint16_t *qa = qw + kk * 16 + tig * 2;
      a[0] = lds32(qa + gid * KS);
      a[1] = lds32(qa + (gid + 8) * KS);
      a[2] = lds32(qa + gid * KS + 8);
      a[3] = lds32(qa + (gid + 8) * KS + 8);
#pragma unroll
      for (int n = 0; n < NT; ++n) {
        const uint16_t *kb = ks + (kw + n * 8 + gid) * KS + kk * 16 + tig * 2;
        uint32_t bf[2] = {lds32(kb), lds32(kb + 8)};
        mma_16816(sc[n], a, bf, S());
      }
    }
    // Scores: scale, softcap, mask, causal, window; the row max of this tile.
    float mx[2] = {neg_inf<float>(), neg_inf<float>()};
#pragma unroll
    for (int n = 0; n < NT; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int h = i >> 1;
        const int64_t j = s0 + n * 8 + tig * 2 + (i & 1);
        float x = sc[n][i] * scale;
        if (C::SOFTCAP) x = softcap * tanh_c(x / softcap);
        const bool ok = j < j_end && plive[h];
        if constexpr (C::MASK != kNoMask) {
          if (ok) {
            int64_t mi = b * d.mask_stride[0] + phead[h] * d.mask_stride[1] +
                         ppos[h] * d.mask_stride[2] + j * d.mask_stride[3];
            if constexpr (C::MASK == kBoolMask) {
              if (!mask[mi]) x = neg_inf<float>();
            } else {
              x += (float)to_c(mask[mi]);
            }
          }
        }
        if (C::CAUSAL && j > ppos[h] + past) x = neg_inf<float>();
        if (C::WINDOW && j < ppos[h] + past - window) x = neg_inf<float>();
        if (!ok) x = neg_inf<float>();
        sc[n][i] = x;
        mx[h] = max_c(mx[h], x);
      }
    float alpha[2];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      mx[h] = max_c(mx[h], shfl_xor(mx[h], 1));
      mx[h] = max_c(mx[h], shfl_xor(mx[h], 2));
      float m_new = max_c(m_run[h], mx[h]);
      // Nothing visible yet: weights 0, state unchanged (the cpu skips the block).
      alpha[h] = m_new == neg_inf<float>() ? 1.f : exp_c(m_run[h] - m_new);
      mx[h] = m_new;
      m_run[h] = m_new;
    }
    float psum[2] = {0.f, 0.f};
#pragma unroll
    for (int n = 0; n < NT; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int h = i >> 1;
        float p = mx[h] == neg_inf<float>() ? 0.f : exp_c(sc[n][i] - mx[h]);
        sc[n][i] = p;
        psum[h] += p;
      }
#pragma unroll
    for (int h = 0; h < 2; ++h) l_run[h] = l_run[h] * alpha[h] + psum[h];  // lane-partial
#pragma unroll
    for (int n = 0; n < DN; ++n) {
      o[n][0] *= alpha[0], o[n][1] *= alpha[0];
      o[n][2] *= alpha[1], o[n][3] *= alpha[1];
    }
    // O += P V: the S accumulators of n-tiles 2kk and 2kk + 1 are the A fragment.
#pragma unroll
    for (int kk = 0; kk < NT / 2; ++kk) {
      uint32_t a[4];
      a[0] = pack2(bits_of(sc[2 * kk][0], S()), bits_of(sc[2 * kk][1], S()));
      a[1] = pack2(bits_of(sc[2 * kk][2], S()), bits_of(sc[2 * kk][3], S()));
      a[2] = pack2(bits_of(sc[2 * kk + 1][0], S()), bits_of(sc[2 * kk + 1][1], S()));
      a[3] = pack2(bits_of(sc[2 * kk + 1][2], S()), bits_of(sc[2 * kk + 1][3], S()));
      const uint16_t *vb = vs + (kw + kk * 16 + tig * 2) * VS + gid;
#pragma unroll
      for (int n = 0; n < DN; ++n) {
        const uint16_t *vn = vb + n * 8;
        uint32_t bf[2] = {pack2(vn[0], vn[VS]), pack2(vn[8 * VS], vn[9 * VS])};
        mma_16816(o[n], a, bf, S());
      }
    }
  }
  // Row sums: the four lanes of a row hold partial sums.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    l_run[h] += shfl_xor(l_run[h], 1);
    l_run[h] += shfl_xor(l_run[h], 2);
  }

  if (WK == 1) {
    if (!warp_live) return;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (!plive[h]) continue;
      float inv = 1.f / l_run[h];
      S *orow = out + ((b * d.q_heads + phead[h]) * d.q_seq + ppos[h]) * DV;
#pragma unroll
      for (int n = 0; n < DN; ++n)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          float val = l_run[h] == 0.f ? quiet_nan<float>() : o[n][2 * h + e] * inv;
          store_c(orow, n * 8 + tig * 2 + e, val);
        }
    }
    return;
  }
  // Key-split warps: merge through shared memory (row-major [warp][16][DV + 2]).
  sync_block();
  float *mg = reinterpret_cast<float *>(smem);
  float *mine = mg + (int64_t)warp * 16 * (DV + 2);
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float *rowp = mine + (gid + 8 * h) * (DV + 2);
#pragma unroll
    for (int n = 0; n < DN; ++n)
#pragma unroll
      for (int e = 0; e < 2; ++e) rowp[n * 8 + tig * 2 + e] = o[n][2 * h + e];
    if (tig == 0) {
      rowp[DV] = m_run[h];
      rowp[DV + 1] = l_run[h];
    }
  }
  sync_block();
  for (int e = tid; e < rows * DV; e += NW * 32) {
    int rr = e / DV, col = e - rr * DV;
    int wqr = rr / 16, r = rr - wqr * 16;
    float m_all = neg_inf<float>();
    for (int w = 0; w < WK; ++w)
      m_all = max_c(m_all, mg[((int64_t)(wqr * WK + w) * 16 + r) * (DV + 2) + DV]);
    float l_all = 0.f, o_all = 0.f;
    if (!(m_all == neg_inf<float>())) {
      for (int w = 0; w < WK; ++w) {
        const float *src = mg + ((int64_t)(wqr * WK + w) * 16 + r) * (DV + 2);
        float f = exp_c(src[DV] - m_all);
        l_all += src[DV + 1] * f;
        o_all += src[col] * f;
      }
    }
    int64_t row = row0 + rr, i = row / group, h = kvh * group + (row - i * group);
    S *orow = out + ((b * d.q_heads + h) * d.q_seq + i) * DV;
    store_c(orow, col, l_all == 0.f ? quiet_nan<float>() : o_all * (1.f / l_all));
  }
}

// Grid: "tiles" B x Hq x ceil(Sq / 64) (at least the ceil(rows / 64) blocks a kv head needs).
template <class C>
DS_DEVICE void attention_mma(const void *q_ptr, const void *k_ptr, const void *v_ptr,
                             const void *mask_ptr, void *out_ptr, const Dims &d, float scale,
                             int64_t window, float softcap) {
  const int64_t group = d.q_heads / d.kv_heads;
  const int64_t rows_total = group * d.q_seq;
  const int wk = rows_total <= 16 ? 4 : rows_total <= 32 ? 2 : 1;
  const int64_t tile_rows = (int64_t)(C::NW / wk) * 16;
  const int64_t grid_tiles = group * ((d.q_seq + 63) / 64);
  const int64_t blk = block_idx_x();
  const int64_t bk = blk / grid_tiles, tile = blk - bk * grid_tiles;
  const int64_t row0 = tile * tile_rows;
  if (row0 >= rows_total) return;
  const int64_t b = bk / d.kv_heads, kvh = bk - b * d.kv_heads;
  const int64_t rows = rows_total - row0 < tile_rows ? rows_total - row0 : tile_rows;
  const uint16_t *q = static_cast<const uint16_t *>(q_ptr);
  const uint16_t *k = static_cast<const uint16_t *>(k_ptr);
  const uint16_t *v = static_cast<const uint16_t *>(v_ptr);
  const typename C::M *mask = static_cast<const typename C::M *>(mask_ptr);
  typename C::S *out = static_cast<typename C::S *>(out_ptr);
  if (wk == 4)
    attention_mma_body<C, 4>(q, k, v, mask, out, d, scale, window, softcap, row0, rows, b, kvh);
  else if (wk == 2)
    attention_mma_body<C, 2>(q, k, v, mask, out, d, scale, window, softcap, row0, rows, b, kvh);
  else
    attention_mma_body<C, 1>(q, k, v, mask, out, d, scale, window, softcap, row0, rows, b, kvh);
}

}  // namespace attn
}  // namespace ds

#endif  // DS_ATTENTION_CUH
