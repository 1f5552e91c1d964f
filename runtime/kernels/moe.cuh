// moe.cuh — mixture-of-experts feed-forward (`moe` steps), one kernel per step.
//
// Semantics: runtime/src/cpu/MoeKernels.cpp. A block owns one token at a time (grid-stride
// over tokens): it routes the token (softmax or sigmoid gating in f32, correction bias for
// the choice only, group-limited top-k with the cpu's tie order, normalized and scaled
// weights), then runs only the chosen experts' gated MLPs and the shared expert:
//
//   h[i] = act(x . Wg[:, i]) * (x . Wu[:, i])    f32 accumulation, h kept in f32
//   y   += w_e * (h . Wd)                          routed experts in ascending expert index
//   y   += shared(x)                               as the cpu sums them; y stored once
//
// The products are block GEMVs over row-major weights [K, N]: each thread owns V
// consecutive columns (one 16-byte load per row where the generator proved it aligned),
// KS = NT / CT slices of threads split the K rows and are summed through shared memory
// in slice order. The intermediate dim is processed in chunks of IC (sized by the
// generator to fit shared memory), so any intermediate size works.
//
// The generator (lib/Target/Cuda/MoeCodegen.cpp) emits a configuration struct C with the
// dtype tags, the sizes, the attrs, the thread layout of every GEMV and the offsets (in
// floats) of the buffers in dynamic shared memory; docs/cuda.md "MoE kernels".
#ifndef DS_MOE_CUH
#define DS_MOE_CUH

#include "ds_device.cuh"
#include "elementwise.cuh"

namespace ds {
namespace moe {

// ---- storage dtypes: loads to f32 and stores from f32 as the cpu's row conversions -----
struct F32 {
  using S = float;
  static DS_DEVICE float load(const S *p, int64_t i) { return p[i]; }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = v; }
};
struct F64 {
  using S = double;
  static DS_DEVICE float load(const S *p, int64_t i) { return (float)p[i]; }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = (double)v; }
};
struct F16 {
  using S = uint16_t;
  static DS_DEVICE float load(const S *p, int64_t i) { return ew::f16_load(p[i]); }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = ew::f16_store(v); }
};
struct BF16 {
  using S = uint16_t;
  static DS_DEVICE float load(const S *p, int64_t i) { return ew::bf16_load(p[i]); }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = ew::bf16_store(v); }
};
// f8 results saturate, as the cpu's storeFromDouble does.
struct F8E4M3FN {
  using S = uint8_t;
  static DS_DEVICE float load(const S *p, int64_t i) { return ew::f8e4m3fn_load(p[i]); }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = ew::f8e4m3fn_store(v, true); }
};
struct F8E5M2 {
  using S = uint8_t;
  static DS_DEVICE float load(const S *p, int64_t i) { return ew::f8e5m2_load(p[i]); }
  static DS_DEVICE void store(S *p, int64_t i, float v) { p[i] = ew::f8e5m2_store(v, true); }
};

enum Act { kSilu = 0, kGelu = 1, kGeluTanh = 2, kRelu = 3 };

// The cpu's activate() (std::exp / erf / tanh: libm on the host, CUDA's math on the device).
template <int A> DS_DEVICE float activate(float g) {
  if (A == kSilu) return g / (1.f + expf_(-g));
  if (A == kGelu) return 0.5f * g * (1.f + erff_(g * 0.70710678118654752f));
  if (A == kGeluTanh)
    return 0.5f * g * (1.f + tanhf_(0.7978845608028654f * (g + 0.044715f * g * g * g)));
  return g > 0.f ? g : 0.f;
}

// ---- block reductions (NT threads, a multiple of 32; every thread gets the result) ----
template <int NT> DS_DEVICE float block_max(float v, float *scratch) {
  for (int m = 16; m > 0; m >>= 1) {
    float o = shfl_xor(v, m);
    v = o > v ? o : v;
  }
  if (lane_id() == 0) scratch[warp_id()] = v;
  sync_block();
  float r = scratch[0];
  for (int w = 1; w < NT / 32; ++w) r = scratch[w] > r ? scratch[w] : r;
  sync_block();  // scratch is reused
  return r;
}
template <int NT> DS_DEVICE float block_sum(float v, float *scratch) {
  for (int m = 16; m > 0; m >>= 1) v += shfl_xor(v, m);
  if (lane_id() == 0) scratch[warp_id()] = v;
  sync_block();
  float r = scratch[0];
  for (int w = 1; w < NT / 32; ++w) r += scratch[w];
  sync_block();
  return r;
}

// A total order for the choice: NaN sorts as -inf so every rank is distinct (the cpu's
// comparator is not a strict weak order with NaN; for numbers the two agree).
DS_DEVICE float rank_key(float v) { return v == v ? v : -inf_f32(); }

// Routes the token whose logits start at `l`: afterwards experts[0..TOP_K) holds the chosen
// experts in ascending index order and weights[] their final weights. p, c: [E] scratch.
template <class C>
DS_DEVICE void route(const typename C::TL::S *l, const typename C::TB::S *bias, float *p,
                     float *c, float *gs, int *experts, float *weights, float *scratch) {
  constexpr int NT = C::NT;
  constexpr int64_t E = C::E;
  const int tid = (int)thread_linear();
  if (C::SIGMOID) {
    for (int64_t e = tid; e < E; e += NT) p[e] = 1.f / (1.f + expf_(-C::TL::load(l, e)));
  } else {
    float m = -inf_f32();
    for (int64_t e = tid; e < E; e += NT) {
      float v = C::TL::load(l, e);
      p[e] = v;
      m = v > m ? v : m;
    }
    m = block_max<NT>(m, scratch);
    float s = 0.f;
    for (int64_t e = tid; e < E; e += NT) {
      float v = expf_(p[e] - m);
      p[e] = v;
      s += v;
    }
    // The sum's order differs from the cpu's sequential one (an ulp in p); the choice
    // does not depend on it: every p is divided by the same sum.
    s = block_sum<NT>(s, scratch);
    for (int64_t e = tid; e < E; e += NT) p[e] /= s;
  }
  for (int64_t e = tid; e < E; e += NT) c[e] = C::HAS_BIAS ? p[e] + C::TB::load(bias, e) : p[e];
  sync_block();
  if (C::N_GROUP > 1) {
    constexpr int64_t PER = E / C::N_GROUP;
    for (int64_t g = tid; g < C::N_GROUP; g += NT) {
      const float *cg = c + g * PER;
      if (C::TOP2_SUM) {
        float first = -inf_f32(), second = -inf_f32();
        for (int64_t i = 0; i < PER; ++i) {
          if (cg[i] > first) {
            second = first;
            first = cg[i];
          } else if (cg[i] > second) {
            second = cg[i];
          }
        }
        gs[g] = first + second;
      } else {
        float m = cg[0];  // std::max_element: the first largest
        for (int64_t i = 1; i < PER; ++i) m = m < cg[i] ? cg[i] : m;
        gs[g] = m;
      }
    }
    sync_block();
    // Stable descending order of the groups: rank = groups before g. Groups ranked at
    // topk_group or later drop out (their experts' choice scores become -inf).
    for (int64_t g = tid; g < C::N_GROUP; g += NT) {
      const float key = rank_key(gs[g]);
      int64_t rank = 0;
      for (int64_t h = 0; h < C::N_GROUP && rank < C::TOPK_GROUP; ++h) {
        const float o = rank_key(gs[h]);
        rank += (o > key || (o == key && h < g)) ? 1 : 0;
      }
      if (rank >= C::TOPK_GROUP)
        for (int64_t i = 0; i < PER; ++i) c[g * PER + i] = -inf_f32();
    }
    sync_block();
  }
  // Top-k by c, ties to the lower index: the rank of e is the number of experts before it.
  for (int64_t e = tid; e < E; e += NT) {
    const float key = rank_key(c[e]);
    int64_t rank = 0;
    for (int64_t f = 0; f < E && rank < C::TOP_K; ++f) {
      const float o = rank_key(c[f]);
      rank += (o > key || (o == key && f < e)) ? 1 : 0;
    }
    if (rank < C::TOP_K) experts[rank] = (int)e;
  }
  sync_block();
  if (tid == 0) {
    // Weights in rank order (the cpu's sum order), then experts sorted by index (the
    // cpu adds expert outputs in expert order).
    float sum = 0.f;
    for (int k = 0; k < C::TOP_K; ++k) {
      weights[k] = p[experts[k]];
      sum += weights[k];
    }
    for (int k = 0; k < C::TOP_K; ++k) {
      if (C::NORMALIZE) weights[k] /= sum;
      weights[k] *= C::SCALING;
    }
    for (int k = 1; k < C::TOP_K; ++k) {
      const int e = experts[k];
      const float w = weights[k];
      int j = k - 1;
      for (; j >= 0 && experts[j] > e; --j) {
        experts[j + 1] = experts[j];
        weights[j + 1] = weights[j];
      }
      experts[j + 1] = e;
      weights[j + 1] = w;
    }
  }
  sync_block();
}

// hs[i] = act(x . wg[:, i0 + i]) * (x . wu[:, i0 + i]) for i in [0, n): gate/up rows of
// `ld` elements, K rows. CT threads along the columns, V columns each (V > 1: n, ld and
// the column offsets are multiples of V and the pointers V-aligned, so packs are full).
template <int NT, int CT, int V, int ACT, class TG, class TU>
DS_DEVICE void gate_up(const typename TG::S *wg, const typename TU::S *wu, int64_t ld,
                       int64_t K, int64_t i0, int64_t n, const float *xs, float *hs,
                       float *red) {
  static_assert(NT % CT == 0, "column threads divide the block");
  constexpr int KS = NT / CT;
  const int tid = (int)thread_linear();
  const int cg = tid % CT, ks = tid / CT;
  for (int64_t c0 = 0; c0 < n; c0 += (int64_t)CT * V) {
    const int64_t col = c0 + (int64_t)cg * V;
    float ag[V], au[V];
    for (int j = 0; j < V; ++j) ag[j] = au[j] = 0.f;
    if (col < n) {
      const typename TG::S *pg = wg + i0 + col;
      const typename TU::S *pu = wu + i0 + col;
      if (V > 1) {
#pragma unroll 4
        for (int64_t k = ks; k < K; k += KS) {
          const float a = xs[k];
          const ew::Pack<typename TG::S, V> g = ew::load_pack<V>(pg, k * ld);
          const ew::Pack<typename TU::S, V> u = ew::load_pack<V>(pu, k * ld);
#pragma unroll
          for (int j = 0; j < V; ++j) {
            ag[j] += a * TG::load(g.v, j);
            au[j] += a * TU::load(u.v, j);
          }
        }
      } else {
#pragma unroll 4
        for (int64_t k = ks; k < K; k += KS) {
          const float a = xs[k];
          ag[0] += a * TG::load(pg, k * ld);
          au[0] += a * TU::load(pu, k * ld);
        }
      }
    }
    if (KS == 1) {
      if (col < n)
        for (int j = 0; j < V; ++j) hs[col + j] = activate<ACT>(ag[j]) * au[j];
    } else {
      constexpr int W = CT * V;  // columns of a tile
      for (int j = 0; j < V; ++j) {
        red[ks * W + cg * V + j] = ag[j];
        red[KS * W + ks * W + cg * V + j] = au[j];
      }
      sync_block();
      for (int q = tid; q < W; q += NT) {
        if (c0 + q < n) {
          float g = 0.f, u = 0.f;
          for (int s = 0; s < KS; ++s) {
            g += red[s * W + q];
            u += red[KS * W + s * W + q];
          }
          hs[c0 + q] = activate<ACT>(g) * u;
        }
      }
      sync_block();  // red is reused by the next tile
    }
  }
}

// ys[col] += w * (hs[0..rows) . wd[row0 .. row0 + rows, col]) for every col in [0, N):
// down rows of N elements. Each column has one owner, so ys needs no atomics.
template <int NT, int CT, int V, class TD>
DS_DEVICE void down(const typename TD::S *wd, int64_t N, int64_t row0, int64_t rows,
                    const float *hs, float w, float *ys, float *red) {
  static_assert(NT % CT == 0, "column threads divide the block");
  constexpr int KS = NT / CT;
  const int tid = (int)thread_linear();
  const int cg = tid % CT, ks = tid / CT;
  for (int64_t c0 = 0; c0 < N; c0 += (int64_t)CT * V) {
    const int64_t col = c0 + (int64_t)cg * V;
    float acc[V];
    for (int j = 0; j < V; ++j) acc[j] = 0.f;
    if (col < N) {
      const typename TD::S *pd = wd + row0 * N + col;
      if (V > 1) {
#pragma unroll 4
        for (int64_t k = ks; k < rows; k += KS) {
          const float a = hs[k];
          const ew::Pack<typename TD::S, V> d = ew::load_pack<V>(pd, k * N);
#pragma unroll
          for (int j = 0; j < V; ++j) acc[j] += a * TD::load(d.v, j);
        }
      } else {
#pragma unroll 4
        for (int64_t k = ks; k < rows; k += KS) acc[0] += hs[k] * TD::load(pd, k * N);
      }
    }
    if (KS == 1) {
      if (col < N)
        for (int j = 0; j < V; ++j) ys[col + j] += w * acc[j];
    } else {
      constexpr int W = CT * V;
      for (int j = 0; j < V; ++j) red[ks * W + cg * V + j] = acc[j];
      sync_block();
      for (int q = tid; q < W; q += NT) {
        if (c0 + q < N) {
          float s = 0.f;
          for (int k = 0; k < KS; ++k) s += red[k * W + q];
          ys[c0 + q] += w * s;
        }
      }
      sync_block();
    }
  }
}

// One gated MLP on the block's token: gate/up rows of `ld` (gate column i at wg[i], up
// at wu[i]), I intermediate columns in chunks of C::IC, down [I, H]; adds w * result to ys.
template <class C, int CTA, int VA, int CTB, int VB, class TG, class TU, class TD>
DS_DEVICE void mlp(const typename TG::S *wg, const typename TU::S *wu, int64_t ld, int64_t I,
                   const typename TD::S *wd, float w, const float *xs, float *hs, float *ys,
                   float *red) {
  for (int64_t i0 = 0; i0 < I; i0 += C::IC) {
    const int64_t n = I - i0 < C::IC ? I - i0 : C::IC;
    gate_up<C::NT, CTA, VA, C::ACT, TG, TU>(wg, wu, ld, C::H, i0, n, xs, hs, red);
    sync_block();
    down<C::NT, CTB, VB, TD>(wd, C::H, i0, n, hs, w, ys, red);
    sync_block();
  }
}

// The kernel body. VEC: the weights are aligned for the vector widths of C (checked by
// the caller); otherwise every product runs with V = 1.
template <class C, bool VEC>
DS_DEVICE void run(const KernelParams &params, int64_t tokens) {
  constexpr int NT = C::NT;
  constexpr int64_t H = C::H, E = C::E, I = C::I;
  float *sm = dynamic_shared<float>();
  float *xs = sm + C::OFF_X, *ys = sm + C::OFF_Y, *hs = sm + C::OFF_H, *red = sm + C::OFF_RED;
  float *p = sm + C::OFF_P, *c = sm + C::OFF_C, *gs = sm + C::OFF_G, *ws = sm + C::OFF_W;
  float *scratch = sm + C::OFF_SCRATCH;
  int *es = reinterpret_cast<int *>(sm + C::OFF_E);

  const auto *x = static_cast<const typename C::TX::S *>(params.ptr[0]);
  const auto *logits = static_cast<const typename C::TL::S *>(params.ptr[1]);
  const auto *wg = static_cast<const typename C::TG::S *>(params.ptr[2]);
  const auto *wu = static_cast<const typename C::TU::S *>(params.ptr[C::FUSED ? 2 : 3]);
  const auto *wd = static_cast<const typename C::TD::S *>(params.ptr[4]);
  const auto *bias = static_cast<const typename C::TB::S *>(params.ptr[5]);
  const auto *sg = static_cast<const typename C::TSG::S *>(params.ptr[6]);
  const auto *su = static_cast<const typename C::TSU::S *>(params.ptr[7]);
  const auto *sd = static_cast<const typename C::TSD::S *>(params.ptr[8]);
  auto *out = static_cast<typename C::TY::S *>(params.ptr[9]);
  // Fused [E, H, 2I]: gate columns [0, I), up columns [I, 2I) of each row.
  constexpr int64_t LD = C::FUSED ? 2 * I : I;
  constexpr int64_t UP_OFF = C::FUSED ? I : 0;

  const int tid = (int)thread_linear();
  for (int64_t t = block_idx_x(); t < tokens; t += grid_dim_x()) {
    for (int64_t k = tid; k < H; k += NT) {
      xs[k] = C::TX::load(x, t * H + k);
      ys[k] = 0.f;
    }
    route<C>(logits + t * E, bias, p, c, gs, es, ws, scratch);  // syncs before and after
    for (int k = 0; k < C::TOP_K; ++k) {
      const int64_t e = es[k];
      mlp<C, C::CTA, VEC ? C::VA : 1, C::CTB, VEC ? C::VB : 1, typename C::TG,
          typename C::TU, typename C::TD>(wg + e * H * LD, wu + e * H * LD + UP_OFF, LD, I,
                                          wd + e * I * H, ws[k], xs, hs, ys, red);
    }
    if (C::SHARED)
      mlp<C, C::CTSA, VEC ? C::VSA : 1, C::CTSB, VEC ? C::VSB : 1, typename C::TSG,
          typename C::TSU, typename C::TSD>(sg, su, C::IS, C::IS, sd, 1.f, xs, hs, ys, red);
    for (int64_t k = tid; k < H; k += NT) C::TY::store(out, t * H + k, ys[k]);
    sync_block();  // xs, ys are refilled for the next token
  }
}

template <int V, class S> DS_DEVICE bool aligned(const void *p) {
  return p == nullptr || ew::aligned_for<V>(static_cast<const S *>(p));
}

// Entry: the vector path when every weight is aligned for its width.
template <class C> DS_DEVICE void kernel(const KernelParams &params, int64_t tokens) {
  if constexpr (C::ANY_VEC) {
    const bool vec = aligned<C::VA, typename C::TG::S>(params.ptr[2]) &&
                     aligned<C::VA, typename C::TU::S>(params.ptr[3]) &&
                     aligned<C::VB, typename C::TD::S>(params.ptr[4]) &&
                     aligned<C::VSA, typename C::TSG::S>(params.ptr[6]) &&
                     aligned<C::VSA, typename C::TSU::S>(params.ptr[7]) &&
                     aligned<C::VSB, typename C::TSD::S>(params.ptr[8]);
    if (vec) {
      run<C, true>(params, tokens);
      return;
    }
  }
  run<C, false>(params, tokens);
}

}  // namespace moe
}  // namespace ds

#endif  // DS_MOE_CUH
