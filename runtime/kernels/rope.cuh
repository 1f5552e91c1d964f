// rope.cuh — rotary position embedding for `rope` steps (docs/cuda.md, "Attention and
// RoPE kernels").
//
// Semantics of runtime/src/cpu/AttentionKernels.cpp (rotateRow): input [B, H, S, D], the
// first R features rotated in pairs — (i, i + R/2) for rotate_half, (2i, 2i + 1) for
// interleaved — with the token's cos/sin row of width W = R/2 (one value per pair) or
// W = R (one per feature); features [R, D) pass through. The row is cos[b, s] (table
// [S, W] or [B, S, W], dims of 1 broadcast) or cos[position_ids[b, s]] (table [P, W]).
// Arithmetic as the cpu: y0 = a * c0 - b * n0, y1 = b * c1 + a * n1 in f32 (f64 for f64).
// A position outside the table (an error on cpu) gives NaN instead of reading out of
// bounds.
//
// Elementwise-like: one thread per V consecutive pairs of a row (grid-stride), so a warp
// reads consecutive features; 16-byte vector loads of x, cos and sin when every operand
// is aligned for them, else the same loop with V = 1.
#ifndef DS_ROPE_CUH
#define DS_ROPE_CUH

#include "ds_device.cuh"

namespace ds {
namespace rope {

DS_DEVICE float to_c(float v) { return v; }
DS_DEVICE float to_c(f16 v) { return f16_to_float(v); }
DS_DEVICE float to_c(bf16 v) { return bf16_to_float(v); }
DS_DEVICE double to_c(double v) { return v; }
DS_DEVICE void store_c(float *p, int64_t i, float v) { p[i] = v; }
DS_DEVICE void store_c(f16 *p, int64_t i, float v) { p[i] = float_to_f16(v); }
DS_DEVICE void store_c(bf16 *p, int64_t i, float v) { p[i] = float_to_bf16(v); }
DS_DEVICE void store_c(double *p, int64_t i, double v) { p[i] = v; }

template <class S, int V> struct alignas(sizeof(S) * V) Pack {
  S v[V];
};
template <int V, class S> DS_DEVICE bool aligned(const S *p) {
  return reinterpret_cast<unsigned long long>(p) % (sizeof(S) * V) == 0;
}
// V consecutive elements as T (one vector access when V > 1).
template <int V, class S, class T> DS_DEVICE void load_n(const S *p, int64_t i, T out[V]) {
  if constexpr (V == 1) {
    out[0] = (T)to_c(p[i]);
  } else {
    Pack<S, V> pk = *reinterpret_cast<const Pack<S, V> *>(p + i);
    for (int k = 0; k < V; ++k) out[k] = (T)to_c(pk.v[k]);
  }
}
template <int V, class S, class T> DS_DEVICE void store_n(S *p, int64_t i, const T in[V]) {
  if constexpr (V == 1) {
    store_c(p, i, in[0]);
  } else {
    Pack<S, V> pk;
    for (int k = 0; k < V; ++k) {
      S tmp[1];
      store_c(tmp, 0, in[k]);
      pk.v[k] = tmp[0];
    }
    *reinterpret_cast<Pack<S, V> *>(p + i) = pk;
  }
}

struct Dims {
  int64_t batch, heads, seq, dim;
  int64_t lead_stride[2];  // table (or positions) [batch, seq] strides; 0 where broadcast
  int64_t table_rows;
};

// Strides over [batch, seq] of a table's (or the positions') lead dims `ld` (right-aligned,
// padded with 1).
DS_DEVICE void lead_strides(const int64_t ld[2], Dims &d) {
  d.lead_stride[1] = ld[1] == 1 ? 0 : 1;
  d.lead_stride[0] = ld[0] == 1 ? 0 : ld[1];
}

// SX: input/output storage, SC: cos/sin storage, P: position storage (int32_t/int64_t;
// unused without positions), T: compute type. R rotary features, W table width.
template <class SX_, class SC_, class P_, class T_, int R_, int W_, bool INTERLEAVED_,
          bool POSITIONS_>
struct Config {
  using SX = SX_;
  using SC = SC_;
  using P = P_;
  using T = T_;
  static constexpr int R = R_, W = W_, HALF = R_ / 2;
  static constexpr bool INTERLEAVED = INTERLEAVED_, POSITIONS = POSITIONS_, FULL = W_ == R_;
};

// Pairs [i0, i0 + V) of one row (x and y point at the row, c and n at its table row).
template <class C, int V>
DS_DEVICE void rotate_pairs(const typename C::SX *x, typename C::SX *y,
                            const typename C::SC *c, const typename C::SC *n, int i0,
                            bool bad) {
  using T = typename C::T;
  constexpr int HALF = C::HALF;
  T c0[V], n0[V], c1[V], n1[V], a[V], bb[V], y0[V], y1[V];
  if (C::INTERLEAVED) {
    T xv[2 * V];
    load_n<2 * V>(x, 2 * i0, xv);
    for (int k = 0; k < V; ++k) {
      a[k] = xv[2 * k];
      bb[k] = xv[2 * k + 1];
    }
    if (C::FULL) {
      T cv[2 * V], nv[2 * V];
      load_n<2 * V>(c, 2 * i0, cv);
      load_n<2 * V>(n, 2 * i0, nv);
      for (int k = 0; k < V; ++k) {
        c0[k] = cv[2 * k], c1[k] = cv[2 * k + 1];
        n0[k] = nv[2 * k], n1[k] = nv[2 * k + 1];
      }
    } else {
      load_n<V>(c, i0, c0);
      load_n<V>(n, i0, n0);
      for (int k = 0; k < V; ++k) c1[k] = c0[k], n1[k] = n0[k];
    }
  } else {
    load_n<V>(x, i0, a);
    load_n<V>(x, i0 + HALF, bb);
    load_n<V>(c, i0, c0);
    load_n<V>(n, i0, n0);
    if (C::FULL) {
      load_n<V>(c, i0 + HALF, c1);
      load_n<V>(n, i0 + HALF, n1);
    } else {
      for (int k = 0; k < V; ++k) c1[k] = c0[k], n1[k] = n0[k];
    }
  }
  for (int k = 0; k < V; ++k) {
    y0[k] = a[k] * c0[k] - bb[k] * n0[k];
    y1[k] = bb[k] * c1[k] + a[k] * n1[k];
    if (bad) y0[k] = y1[k] = (T)nan_f32();
  }
  if (C::INTERLEAVED) {
    T yv[2 * V];
    for (int k = 0; k < V; ++k) yv[2 * k] = y0[k], yv[2 * k + 1] = y1[k];
    store_n<2 * V>(y, 2 * i0, yv);
  } else {
    store_n<V>(y, i0, y0);
    store_n<V>(y, i0 + HALF, y1);
  }
}

template <class C, int V>
DS_DEVICE void rope_loop(const void *x_ptr, const void *cos_ptr, const void *sin_ptr,
                         const void *pos_ptr, void *out_ptr, const Dims &d) {
  using SX = typename C::SX;
  using SC = typename C::SC;
  using P = typename C::P;
  const SX *x = static_cast<const SX *>(x_ptr);
  const SC *cs = static_cast<const SC *>(cos_ptr);
  const SC *sn = static_cast<const SC *>(sin_ptr);
  const P *positions = static_cast<const P *>(pos_ptr);
  SX *y = static_cast<SX *>(out_ptr);
  constexpr int CHUNKS = C::HALF / V;  // units of V pairs per row
  const int64_t rows = d.batch * d.heads * d.seq;
  const int64_t units = rows * CHUNKS;
  const int64_t stride = (int64_t)grid_dim_x() * block_dim_x();
  for (int64_t u = (int64_t)block_idx_x() * block_dim_x() + thread_idx_x(); u < units;
       u += stride) {
    const int64_t row = u / CHUNKS;
    const int i0 = (int)(u - row * CHUNKS) * V;
    const int64_t s = row % d.seq, b = row / (d.seq * d.heads);
    const int64_t lead = b * d.lead_stride[0] + s * d.lead_stride[1];
    int64_t trow = lead;
    bool bad = false;
    if (C::POSITIONS) {
      trow = (int64_t)positions[lead];
      bad = trow < 0 || trow >= d.table_rows;
      if (bad) trow = 0;
    }
    rotate_pairs<C, V>(x + row * d.dim, y + row * d.dim, cs + trow * C::W, sn + trow * C::W,
                       i0, bad);
  }
  // Features [R, D) pass through.
  const int64_t rest = d.dim - C::R;
  if (rest > 0) {
    for (int64_t e = (int64_t)block_idx_x() * block_dim_x() + thread_idx_x(); e < rows * rest;
         e += stride) {
      int64_t row = e / rest, f = C::R + (e - row * rest);
      store_c(y, row * d.dim + f, to_c(x[row * d.dim + f]));
    }
  }
}

// The vector path when every operand's rows are aligned for V pairs, else V = 1.
template <class C, int V>
DS_DEVICE void rope(const void *x_ptr, const void *cos_ptr, const void *sin_ptr,
                    const void *pos_ptr, void *out_ptr, const Dims &d) {
  using SX = typename C::SX;
  using SC = typename C::SC;
  constexpr int XV = C::INTERLEAVED ? 2 * V : V;                // x elements per access
  constexpr int CVN = C::INTERLEAVED && C::FULL ? 2 * V : V;    // table elements per access
  bool vec = V > 1 && d.dim % XV == 0 &&
             aligned<XV>(static_cast<const SX *>(x_ptr)) &&
             aligned<XV>(static_cast<const SX *>(out_ptr)) &&
             aligned<CVN>(static_cast<const SC *>(cos_ptr)) &&
             aligned<CVN>(static_cast<const SC *>(sin_ptr));
  if (vec)
    rope_loop<C, V>(x_ptr, cos_ptr, sin_ptr, pos_ptr, out_ptr, d);
  else
    rope_loop<C, 1>(x_ptr, cos_ptr, sin_ptr, pos_ptr, out_ptr, d);
}

}  // namespace rope
}  // namespace ds

#endif  // DS_ROPE_CUH
