// Device templates of the reduction family (docs/cuda.md, "Reduction kernels"): reduce,
// arg_reduce, softmax / log_softmax / hardmax, layer_norm / rms_norm, cumsum, topk.
//
// The generator (lib/Target/Cuda/ReductionCodegen.cpp) emits one small kernel per step
// that calls one of the `*_lines` templates below with the dtypes, the launch shape and
// the line geometry baked in. Every template works on *lines*: a line is the set of
// elements that one result depends on (a reduced output's inputs, a softmax row, a
// cumsum row, ...). W threads cooperate on a line:
//   W == 1      one thread per line (lines along a non-innermost axis: neighbouring threads
//               read neighbouring addresses, so loads coalesce across the warp),
//   W == 32     one warp per line (short contiguous rows; warp shuffles only),
//   W == BLOCK  one block per line (long or dynamic rows; warp shuffles + shared memory).
// Contiguous lines (CONTIG) are read with 16-byte vector loads where aligned.
//
// Semantics follow the cpu backend (runtime/src/cpu/Reduction*.cpp): compute types f32
// for f32/f16/bf16/f8 and f64 for f64, native integers (sums and products wrap in 64
// bits), NaN handling and tie-breaking as there. Float sums are tree-ordered here, so they
// differ from the cpu's in rounding only.
#ifndef DS_REDUCTION_CUH
#define DS_REDUCTION_CUH

#include "ds_device.cuh"
#include "elementwise.cuh"

namespace ds {
namespace red {

// ---- element types -----------------------------------------------------------------------
// S: storage, C: compute type; cvt loads, back stores (as the cpu's loadLine/storeLine:
// round to nearest even, f8 saturating, integers truncated, i1 as 0/1).

struct T_f32 {
  using S = float;
  using C = float;
  static DS_DEVICE C cvt(S v) { return v; }
  static DS_DEVICE S back(C v) { return v; }
};
struct T_f64 {
  using S = double;
  using C = double;
  static DS_DEVICE C cvt(S v) { return v; }
  static DS_DEVICE S back(C v) { return v; }
};
struct T_f16 {
  using S = uint16_t;
  using C = float;
  static DS_DEVICE C cvt(S v) { return ew::f16_load(v); }
  static DS_DEVICE S back(C v) { return ew::f16_store(v); }
};
struct T_bf16 {
  using S = uint16_t;
  using C = float;
  static DS_DEVICE C cvt(S v) { return ew::bf16_load(v); }
  static DS_DEVICE S back(C v) { return ew::bf16_store(v); }
};
struct T_f8e4m3fn {
  using S = uint8_t;
  using C = float;
  static DS_DEVICE C cvt(S v) { return ew::f8e4m3fn_load(v); }
  static DS_DEVICE S back(C v) { return ew::f8e4m3fn_store(v, true); }
};
struct T_f8e5m2 {
  using S = uint8_t;
  using C = float;
  static DS_DEVICE C cvt(S v) { return ew::f8e5m2_load(v); }
  static DS_DEVICE S back(C v) { return ew::f8e5m2_store(v, true); }
};
struct T_i1 {
  using S = uint8_t;
  using C = uint8_t;
  static DS_DEVICE C cvt(S v) { return v != 0; }
  static DS_DEVICE S back(C v) { return v != 0; }
};
template <class T> struct T_int {
  using S = T;
  using C = T;
  static DS_DEVICE C cvt(S v) { return v; }
  static DS_DEVICE S back(C v) { return v; }
};

template <bool B, class T, class F> struct conditional { using type = T; };
template <class T, class F> struct conditional<false, T, F> { using type = F; };

template <class C> struct is_float_t { static constexpr bool value = false; };
template <> struct is_float_t<float> { static constexpr bool value = true; };
template <> struct is_float_t<double> { static constexpr bool value = true; };
template <class C> struct is_signed_t { static constexpr bool value = C(-1) < C(0); };

// Integer limits without <limits> (NVRTC has no standard library).
template <class T> DS_DEVICE T int_max() {
  if (is_signed_t<T>::value)
    return static_cast<T>((static_cast<uint64_t>(1) << (sizeof(T) * 8 - 1)) - 1);
  return static_cast<T>(~static_cast<T>(0));
}
template <class T> DS_DEVICE T int_lowest() {
  if (is_signed_t<T>::value)
    return static_cast<T>(-int_max<T>() - 1);
  return static_cast<T>(0);
}

template <class C> DS_DEVICE bool is_nan(C x) { return x != x; }

DS_DEVICE float exp_c(float x) { return ew::exp_f32(x); }
DS_DEVICE double exp_c(double x) { return exp_(x); }
DS_DEVICE float log_c(float x) { return logf_(x); }
DS_DEVICE double log_c(double x) { return log_(x); }
DS_DEVICE float sqrt_c(float x) { return sqrtf_(x); }
DS_DEVICE double sqrt_c(double x) { return sqrt_(x); }
DS_DEVICE float abs_c(float x) { return fabsf_(x); }
DS_DEVICE double abs_c(double x) { return x < 0 ? -x : x; }
template <class C> DS_DEVICE C inf_c() { return static_cast<C>(inf_f32()); }
template <class C> DS_DEVICE bool is_finite(C x) { return x == x && x != inf_c<C>() && x != -inf_c<C>(); }

// ---- reduction rules (the cpu's FloatRule / IntRule) -----------------------------------------

enum Fn { SUM, MEAN, MAX, MIN, PROD, L1, L2, SUM_SQUARE, LOG_SUM, LOG_SUM_EXP };

template <int F, class C> struct FloatRule {
  using A = C;
  static DS_DEVICE A init() {
    if (F == PROD) return 1;
    if (F == MAX) return -inf_c<C>();
    if (F == MIN) return inf_c<C>();
    return 0;
  }
  static DS_DEVICE A step(A a, C x) {
    if (F == L1) return a + abs_c(x);
    if (F == L2 || F == SUM_SQUARE) return a + x * x;
    if (F == PROD) return a * x;
    if (F == MAX) return (x > a || x != x) ? x : a; // a NaN sticks
    if (F == MIN) return (x < a || x != x) ? x : a;
    return a + x;
  }
  static DS_DEVICE A merge(A a, A b) {
    if (F == MAX || F == MIN) return step(a, b);
    if (F == PROD) return a * b;
    return a + b;
  }
  static DS_DEVICE C finish(A a, int64_t count) {
    if (F == MEAN) return a / static_cast<C>(count);
    if (F == L2) return sqrt_c(a);
    if (F == LOG_SUM) return log_c(a);
    return a;
  }
};

// Integers: max/min in the (widened, order-preserving) native type, sums and products
// wrap in 64 bits, mean truncates toward zero (0 when empty).
template <int F, class T> struct IntRule {
  static constexpr bool kMinMax = F == MAX || F == MIN;
  using W = typename conditional<is_signed_t<T>::value, int64_t, uint64_t>::type;
  using A = typename conditional<kMinMax, W, uint64_t>::type;
  static DS_DEVICE A widen(T x) { return static_cast<A>(static_cast<W>(x)); }
  static DS_DEVICE A init() {
    if (F == PROD) return 1;
    if (F == MAX) return static_cast<A>(static_cast<W>(int_lowest<T>()));
    if (F == MIN) return static_cast<A>(static_cast<W>(int_max<T>()));
    return 0;
  }
  static DS_DEVICE A step(A a, T x) {
    A w = widen(x);
    if (F == MAX) return w > a ? w : a;
    if (F == MIN) return w < a ? w : a;
    if (F == PROD) return a * w;
    if (F == SUM_SQUARE) return a + w * w;
    if constexpr (F == L1 && is_signed_t<T>::value)
      return a + (x < T(0) ? A(0) - w : w);
    return a + w;
  }
  static DS_DEVICE A merge(A a, A b) {
    if (F == MAX) return b > a ? b : a;
    if (F == MIN) return b < a ? b : a;
    if (F == PROD) return a * b;
    return a + b;
  }
  static DS_DEVICE T finish(A a, int64_t count) {
    if (F == MEAN) {
      if (count == 0) return 0;
      if (is_signed_t<T>::value) return static_cast<T>(static_cast<int64_t>(a) / count);
      return static_cast<T>(static_cast<uint64_t>(a) / static_cast<uint64_t>(count));
    }
    return static_cast<T>(a);
  }
};

// ---- collectives over the W threads of a line ------------------------------------------------

template <class A, class M> DS_DEVICE A warp_reduce(A v, M merge) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1)
    v = merge(v, shfl_xor(v, o));
  return v;
}

// Every thread of the block gets the merge of every thread's `v` (the same bits on
// every thread). Ends with a barrier, so it can be called again right away.
template <class A, class M> DS_DEVICE A block_reduce(A v, M merge, A init) {
  DS_SHARED A part[32];
  v = warp_reduce(v, merge);
  unsigned warps = (block_dim_x() * block_dim_y() * block_dim_z() + 31) / 32;
  if (lane_id() == 0)
    part[warp_id()] = v;
  sync_block();
  A r = init;
  for (unsigned w = 0; w < warps; ++w)
    r = merge(r, part[w]);
  sync_block();
  return r;
}

template <int W, class A, class M> DS_DEVICE A line_reduce(A v, M merge, A init) {
  if constexpr (W == 1)
    return v;
  else if constexpr (W == 32)
    return warp_reduce(v, merge);
  else
    return block_reduce(v, merge, init);
}

// A (value, index) candidate of an arg reduction; index -1 = none.
template <class C> struct Cand {
  C v;
  int64_t i;
};

template <int W, class C, class Better> DS_DEVICE Cand<C> line_reduce_cand(Cand<C> c, Better better) {
  if constexpr (W == 1) {
    return c;
  } else {
    auto pick = [&](Cand<C> a, Cand<C> b) { return better(b, a) ? b : a; };
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      Cand<C> other{shfl_xor(c.v, o), shfl_xor(c.i, o)};
      c = pick(c, other);
    }
    if constexpr (W != 32) {
      DS_SHARED C pv[32];
      DS_SHARED int64_t pi[32];
      unsigned warps = (block_dim_x() * block_dim_y() * block_dim_z() + 31) / 32;
      if (lane_id() == 0) {
        pv[warp_id()] = c.v;
        pi[warp_id()] = c.i;
      }
      sync_block();
      Cand<C> r{pv[0], pi[0]};
      for (unsigned w = 1; w < warps; ++w)
        r = pick(r, Cand<C>{pv[w], pi[w]});
      sync_block();
      c = r;
    }
    return c;
  }
}

// ---- lines ----------------------------------------------------------------------------------

// Line l of a tensor seen as [outer, n, inner] (the line runs along n): first element and
// element stride. inner == 1 is a contiguous row.
struct Lines {
  int64_t n, inner;
  DS_DEVICE int64_t base(int64_t l) const { return (l / inner) * n * inner + l % inner; }
  DS_DEVICE int64_t off(int64_t j) const { return j * inner; }
};

// Where a thread works: line l (valid: it exists) as thread t of the line's W. The
// generated kernel computes it from its grid (rows_at / tiles_at below, or its own).
struct At {
  int64_t l;
  bool valid;
  int t;
};
// LPB = BLOCK / W lines per block, consecutive blocks.
template <int BLOCK, int W> DS_DEVICE At rows_at(int64_t lines) {
  int64_t l = static_cast<int64_t>(block_idx_x()) * (BLOCK / W) + thread_linear() / W;
  return At{l, l < lines, static_cast<int>(thread_linear() % W)};
}
// One thread per line of a tensor seen as [outer, n, inner]: blocks walk the lines of one
// outer index BLOCK at a time (grid outer x ceil(inner / BLOCK)), so neighbouring threads
// read neighbouring addresses.
template <int BLOCK> DS_DEVICE At columns_at(int64_t inner) {
  int64_t per = (inner + BLOCK - 1) / BLOCK;
  int64_t o = block_idx_x() / per;
  int64_t i = static_cast<int64_t>(block_idx_x() % per) * BLOCK + thread_linear();
  return At{o * inner + i, i < inner, 0};
}

// Visits the elements [0, n) of a contiguous row starting at `p` that thread t of W owns:
// scalar(j) for single elements, pack(j) for V elements j..j+V-1 whose address is
// V * sizeof(S) aligned (an unaligned head, then aligned packs, then the tail).
template <int V, class S, class FS, class FP>
DS_DEVICE void row_for(const S *p, int64_t n, int t, int w, FS scalar, FP pack) {
  if constexpr (V == 1) {
    for (int64_t j = t; j < n; j += w)
      scalar(j);
  } else {
    int64_t mis = static_cast<int64_t>((reinterpret_cast<unsigned long long>(p) / sizeof(S)) % V);
    int64_t head = mis == 0 ? 0 : V - mis;
    if (head > n)
      head = n;
    if (t < head)
      scalar(t);
    int64_t packs = (n - head) / V;
    for (int64_t k = t; k < packs; k += w)
      pack(head + k * V);
    int64_t tail = head + packs * V + t;
    if (tail < n)
      scalar(tail);
  }
}

// ---- reduce ----------------------------------------------------------------------------------

// One reduced output per line. Geometry `G`: n (elements reduced per output), base(l),
// off(j); CONTIG: off(j) == j (vector loads).
template <class TI, class R, int BLOCK, int W, int V, bool CONTIG, class G>
DS_DEVICE void reduce_lines(const typename TI::S *in, typename TI::S *out, At at,
                            const G &g) {
  using S = typename TI::S;
  using C = typename TI::C;
  using A = typename R::A;
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  int64_t n = g.n;
  const S *p = in + (valid ? g.base(l) : 0);
  auto merge = [](A a, A b) { return R::merge(a, b); };
  A acc = R::init();
  if (valid) {
    if constexpr (CONTIG) {
      row_for<V>(
          p, n, t, W, [&](int64_t j) { acc = R::step(acc, TI::cvt(p[j])); },
          [&](int64_t j) {
            ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
#pragma unroll
            for (int e = 0; e < V; ++e)
              acc = R::step(acc, TI::cvt(pk.v[e]));
          });
    } else {
      for (int64_t j = t; j < n; j += W)
        acc = R::step(acc, TI::cvt(p[g.off(j)]));
    }
  }
  acc = line_reduce<W>(acc, merge, R::init());
  if (valid && t == 0)
    out[l] = TI::back(R::finish(acc, n));
}

// log(sum(exp(x))) = max + log(sum(exp(x - max))); NaN gives NaN, an infinite or empty
// max gives itself (the cpu's runLogSumExp).
template <class TI, int BLOCK, int W, int V, bool CONTIG, class G>
DS_DEVICE void logsumexp_lines(const typename TI::S *in, typename TI::S *out, At at,
                               const G &g) {
  using S = typename TI::S;
  using C = typename TI::C;
  using MaxR = FloatRule<MAX, C>;
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  int64_t n = g.n;
  const S *p = in + (valid ? g.base(l) : 0);
  auto each = [&](auto f) {
    if (!valid)
      return;
    if constexpr (CONTIG) {
      row_for<V>(
          p, n, t, W, [&](int64_t j) { f(TI::cvt(p[j])); },
          [&](int64_t j) {
            ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
#pragma unroll
            for (int e = 0; e < V; ++e)
              f(TI::cvt(pk.v[e]));
          });
    } else {
      for (int64_t j = t; j < n; j += W)
        f(TI::cvt(p[g.off(j)]));
    }
  };
  C peak = MaxR::init();
  each([&](C x) { peak = MaxR::step(peak, x); });
  peak = line_reduce<W>(peak, [](C a, C b) { return MaxR::merge(a, b); }, MaxR::init());
  C sum = 0;
  bool finite = is_finite(peak);
  each([&](C x) { sum += finite ? exp_c(x - peak) : C(0); });
  sum = line_reduce<W>(sum, [](C a, C b) { return a + b; }, C(0));
  if (valid && t == 0)
    out[l] = TI::back(finite ? log_c(sum) + peak : peak);
}

// ---- arg_reduce / hardmax ----------------------------------------------------------------------

// Whether candidate a beats b: NaN is the extreme either way (numpy), then the larger
// (argmax) or smaller value, then the lower index (or the higher with select_last_index).
template <class C> DS_DEVICE bool arg_better(Cand<C> a, Cand<C> b, bool is_max, bool last) {
  if (b.i < 0)
    return a.i >= 0;
  if (a.i < 0)
    return false;
  bool na = is_nan(a.v), nb = is_nan(b.v);
  if (na != nb)
    return na;
  if (!na && a.v != b.v)
    return is_max ? a.v > b.v : a.v < b.v;
  return last ? a.i > b.i : a.i < b.i;
}

// The winning candidate of line l (valid on every thread of the line).
template <class TI, int W, int V, bool CONTIG, class G>
DS_DEVICE Cand<typename TI::C> arg_line(const typename TI::S *p, bool valid, int t, const G &g,
                                        bool is_max, bool last) {
  using S = typename TI::S;
  using C = typename TI::C;
  Cand<C> best{C(0), -1};
  auto better = [=](Cand<C> a, Cand<C> b) { return arg_better(a, b, is_max, last); };
  auto see = [&](int64_t j, C x) {
    Cand<C> c{x, j};
    if (better(c, best))
      best = c;
  };
  if (valid) {
    if constexpr (CONTIG) {
      row_for<V>(
          p, g.n, t, W, [&](int64_t j) { see(j, TI::cvt(p[j])); },
          [&](int64_t j) {
            ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
#pragma unroll
            for (int e = 0; e < V; ++e)
              see(j + e, TI::cvt(pk.v[e]));
          });
    } else {
      for (int64_t j = t; j < g.n; j += W)
        see(j, TI::cvt(p[g.off(j)]));
    }
  }
  return line_reduce_cand<W>(best, better);
}

template <class TI, int BLOCK, int W, int V, bool CONTIG, class G>
DS_DEVICE void arg_lines(const typename TI::S *in, int64_t *out, At at, const G &g,
                         bool is_max, bool last) {
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  auto best = arg_line<TI, W, V, CONTIG>(in + (valid ? g.base(l) : 0), valid, t, g, is_max, last);
  if (valid && t == 0)
    out[l] = best.i < 0 ? 0 : best.i;
}

// ---- softmax / log_softmax / hardmax ------------------------------------------------------------

enum SoftKind { SOFTMAX, LOG_SOFTMAX, HARDMAX };

// The register cache of the multi-pass row kernels (softmax, norms): a contiguous row is
// visited by row_slots, whose unrolled loop gives each element a slot known at compile
// time (pack s of the thread in slots [s V, s V + V), the head and tail elements in the
// last two), so the cache lives in registers. CH packs per thread at most; the row fits
// when ceil(packs / W) <= CH (row_fits).
template <int V> DS_DEVICE bool row_fits(int64_t n, int w, int ch) {
  return (n / V + w - 1) / w <= ch;
}

template <int V, int CH, class S, class FS, class FP>
DS_DEVICE void row_slots(const S *p, int64_t n, int t, int w, FS scalar, FP pack) {
  int64_t mis = V == 1 ? 0
                       : static_cast<int64_t>(
                             (reinterpret_cast<unsigned long long>(p) / sizeof(S)) % V);
  int64_t head = mis == 0 ? 0 : V - mis;
  if (head > n)
    head = n;
  if (t < head)
    scalar(static_cast<int64_t>(t), CH * V);
  int64_t packs = (n - head) / V;
#pragma unroll
  for (int s = 0; s < CH; ++s) {
    int64_t k = t + static_cast<int64_t>(s) * w;
    if (k < packs)
      pack(head + k * V, s * V);
  }
  int64_t tail = head + packs * V + t;
  if (tail < n)
    scalar(tail, CH * V + 1);
}

// Stores y[j] = value(j, x) for every element j of the line that thread t owns, x from the
// register cache when `cached`, else loaded (vector stores where the output is aligned
// like the input's packs).
template <class TI, class TO, int W, int V, bool CONTIG, int CH, class G, class F>
DS_DEVICE void line_write(const typename TI::S *p, typename TO::S *q, int t, const G &g,
                          bool cached, const typename TI::C *cache, F value) {
  using S = typename TI::S;
  using SO = typename TO::S;
  using C = typename TI::C;
  auto store_pack = [&](int64_t j, const C (&xs)[V]) {
    if (sizeof(SO) == sizeof(S) && ew::aligned_for<V>(q + j)) {
      ew::Pack<SO, V> o;
#pragma unroll
      for (int e = 0; e < V; ++e)
        o.v[e] = TO::back(value(j + e, xs[e]));
      ew::store_pack<V>(q, j, o);
    } else {
#pragma unroll
      for (int e = 0; e < V; ++e)
        q[j + e] = TO::back(value(j + e, xs[e]));
    }
  };
  if constexpr (CONTIG && CH > 0) {
    if (cached) {
      row_slots<V, CH>(
          p, g.n, t, W, [&](int64_t j, int slot) { q[j] = TO::back(value(j, cache[slot])); },
          [&](int64_t j, int slot) {
            C xs[V];
#pragma unroll
            for (int e = 0; e < V; ++e)
              xs[e] = cache[slot + e];
            store_pack(j, xs);
          });
      return;
    }
  }
  if constexpr (CONTIG) {
    row_for<V>(
        p, g.n, t, W, [&](int64_t j) { q[j] = TO::back(value(j, TI::cvt(p[j]))); },
        [&](int64_t j) {
          ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
          C xs[V];
#pragma unroll
          for (int e = 0; e < V; ++e)
            xs[e] = TI::cvt(pk.v[e]);
          store_pack(j, xs);
        });
  } else {
    for (int64_t j = t; j < g.n; j += W)
      q[g.off(j)] = TO::back(value(j, TI::cvt(p[g.off(j)])));
  }
}

// Visits the line's elements of thread t: f(j, x); fills the register cache when `cached`.
template <class TI, int W, int V, bool CONTIG, int CH, class G, class F>
DS_DEVICE void line_read(const typename TI::S *p, int t, const G &g, bool cached,
                         typename TI::C *cache, F f) {
  using S = typename TI::S;
  using C = typename TI::C;
  if constexpr (CONTIG && CH > 0) {
    if (cached) {
      row_slots<V, CH>(
          p, g.n, t, W,
          [&](int64_t j, int slot) {
            C x = TI::cvt(p[j]);
            cache[slot] = x;
            f(j, x);
          },
          [&](int64_t j, int slot) {
            ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
#pragma unroll
            for (int e = 0; e < V; ++e) {
              C x = TI::cvt(pk.v[e]);
              cache[slot + e] = x;
              f(j + e, x);
            }
          });
      return;
    }
  }
  if constexpr (CONTIG) {
    row_for<V>(
        p, g.n, t, W, [&](int64_t j) { f(j, TI::cvt(p[j])); },
        [&](int64_t j) {
          ew::Pack<S, V> pk = ew::load_pack<V>(p, j);
#pragma unroll
          for (int e = 0; e < V; ++e)
            f(j + e, TI::cvt(pk.v[e]));
        });
  } else {
    for (int64_t j = t; j < g.n; j += W)
      f(j, TI::cvt(p[g.off(j)]));
  }
}

// Visits the elements again: from the register cache when `cached`, else reloaded.
template <class TI, int W, int V, bool CONTIG, int CH, class G, class F>
DS_DEVICE void line_reread(const typename TI::S *p, int t, const G &g, bool cached,
                           const typename TI::C *cache, F f) {
  if constexpr (CONTIG && CH > 0) {
    if (cached) {
      row_slots<V, CH>(
          p, g.n, t, W, [&](int64_t j, int slot) { f(j, cache[slot]); },
          [&](int64_t j, int slot) {
#pragma unroll
            for (int e = 0; e < V; ++e)
              f(j + e, cache[slot + e]);
          });
      return;
    }
  }
  line_read<TI, W, V, CONTIG, 0>(p, t, g, false, static_cast<typename TI::C *>(nullptr), f);
}

// The cpu's softmaxLine / logSoftmaxLine / hardmaxLine along each line. The max ignores
// NaN (a NaN then poisons the sum, so the whole line is NaN, as on cpu).
template <class TI, class TO, int KIND, int BLOCK, int W, int V, bool CONTIG, int CH, class G>
DS_DEVICE void softmax_lines(const typename TI::S *in, typename TO::S *out, At at,
                             const G &g) {
  using C = typename TI::C;
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  int64_t base = valid ? g.base(l) : 0;
  const typename TI::S *p = in + base;
  typename TO::S *q = out + base;
  if constexpr (KIND == HARDMAX) {
    auto best = arg_line<TI, W, V, CONTIG>(p, valid, t, g, true, false);
    if (valid)
      line_write<TI, TO, W, V, CONTIG, 0>(p, q, t, g, false, static_cast<const C *>(nullptr),
                                          [&](int64_t j, C) { return C(j == best.i ? 1 : 0); });
    return;
  } else {
    C cache[CH > 0 ? CH * V + 2 : 1];
    bool cached = CONTIG && CH > 0 && row_fits<V>(g.n, W, CH);
    C peak = -inf_c<C>();
    if (valid)
      line_read<TI, W, V, CONTIG, CH>(p, t, g, cached, cache,
                                        [&](int64_t, C x) { peak = x > peak ? x : peak; });
    peak = line_reduce<W>(peak, [](C a, C b) { return b > a ? b : a; }, -inf_c<C>());
    C sum = 0;
    if (valid)
      line_reread<TI, W, V, CONTIG, CH>(p, t, g, cached, cache,
                                          [&](int64_t, C x) { sum += exp_c(x - peak); });
    sum = line_reduce<W>(sum, [](C a, C b) { return a + b; }, C(0));
    if (!valid)
      return;
    if constexpr (KIND == SOFTMAX)
      line_write<TI, TO, W, V, CONTIG, CH>(p, q, t, g, cached, cache,
                                             [&](int64_t, C x) { return exp_c(x - peak) / sum; });
    else {
      C log_sum = log_c(sum);
      line_write<TI, TO, W, V, CONTIG, CH>(
          p, q, t, g, cached, cache, [&](int64_t, C x) { return (x - peak) - log_sum; });
    }
  }
}

// ---- layer_norm / rms_norm ------------------------------------------------------------------------

// Rows of n contiguous elements; `scale_index(j)` / `bias_index(j)` give the parameters'
// element for element j of the row (they broadcast against the normalized dims). Statistics as the cpu: layer_norm two passes (mean, then squared
// deviations), inv = 1 / sqrt(var + eps); rms_norm inv = 1 / sqrt(mean(x^2) + eps).
template <class TI, class TO, class TS, class TB, bool LAYER, int BLOCK, int W, int V, int CH,
          class PS, class PB>
DS_DEVICE void norm_rows(const typename TI::S *in, const typename TS::S *scale,
                         const typename TB::S *bias, typename TO::S *out, At at, int64_t n,
                         typename TI::C eps, PS scale_index, PB bias_index) {
  using C = typename TI::C;
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  Lines g{n, 1};
  const typename TI::S *p = in + (valid ? l * n : 0);
  typename TO::S *q = out + (valid ? l * n : 0);
  C cache[CH > 0 ? CH * V + 2 : 1];
  bool cached = CH > 0 && row_fits<V>(n, W, CH);
  auto add = [](C a, C b) { return a + b; };
  C s1 = 0;
  if (valid)
    line_read<TI, W, V, true, CH>(p, t, g, cached, cache, [&](int64_t, C x) {
      s1 += LAYER ? x : x * x;
    });
  s1 = line_reduce<W>(s1, add, C(0));
  C mean = LAYER ? s1 / static_cast<C>(n) : C(0);
  C var = LAYER ? C(0) : s1 / static_cast<C>(n);
  if (LAYER) {
    C s2 = 0;
    if (valid)
      line_reread<TI, W, V, true, CH>(p, t, g, cached, cache, [&](int64_t, C x) {
        s2 += (x - mean) * (x - mean);
      });
    s2 = line_reduce<W>(s2, add, C(0));
    var = s2 / static_cast<C>(n);
  }
  C inv = C(1) / sqrt_c(var + eps);
  if (!valid)
    return;
  line_write<TI, TO, W, V, true, CH>(p, q, t, g, cached, cache, [&](int64_t j, C x) {
    C s = static_cast<C>(TS::cvt(scale[scale_index(j)]));
    if (LAYER) {
      C y = (x - mean) * inv * s;
      return bias ? y + static_cast<C>(TB::cvt(bias[bias_index(j)])) : y;
    }
    return (x * inv) * s;
  });
}

// ---- cumsum -------------------------------------------------------------------------------------

// Accumulator of a running sum: the compute type for floats, 64-bit wrapping for integers.
template <class C> struct ScanAcc {
  using A = typename conditional<is_float_t<C>::value, C, uint64_t>::type;
  static DS_DEVICE A widen(C x) {
    if constexpr (is_float_t<C>::value)
      return x;
    else if constexpr (is_signed_t<C>::value)
      return static_cast<A>(static_cast<int64_t>(x));
    else
      return static_cast<A>(x);
  }
};

// One thread per line, sequentially (the cpu's order exactly): lines along outer axes.
template <class TI, class G>
DS_DEVICE void cumsum_lines_seq(const typename TI::S *in, typename TI::S *out, At at,
                                const G &g, bool exclusive, bool reverse) {
  using C = typename TI::C;
  using A = typename ScanAcc<C>::A;
  int64_t l = at.l;
  if (!at.valid)
    return;
  int64_t base = g.base(l);
  A acc = 0;
  for (int64_t k = 0; k < g.n; ++k) {
    int64_t j = g.off(reverse ? g.n - 1 - k : k);
    A v = ScanAcc<C>::widen(TI::cvt(in[base + j]));
    if (exclusive) {
      out[base + j] = TI::back(static_cast<C>(acc));
      acc += v;
    } else {
      acc += v;
      out[base + j] = TI::back(static_cast<C>(acc));
    }
  }
}

// W threads per contiguous row: chunks of W * PER elements, each thread scans PER
// consecutive elements, the threads' totals are scanned across the warp (shuffles) and
// the block (shared memory), and a carry runs from chunk to chunk.
template <class TI, int BLOCK, int W, int PER>
DS_DEVICE void cumsum_rows(const typename TI::S *in, typename TI::S *out, At at, int64_t n,
                           bool exclusive, bool reverse) {
  using C = typename TI::C;
  using A = typename ScanAcc<C>::A;
  int64_t l = at.l;
  int t = at.t;
  bool valid = at.valid;
  const typename TI::S *p = in + (valid ? l * n : 0);
  typename TI::S *q = out + (valid ? l * n : 0);
  A carry = 0;
  for (int64_t c0 = 0; c0 < n; c0 += static_cast<int64_t>(W) * PER) {
    A v[PER];
    A run = 0;
#pragma unroll
    for (int e = 0; e < PER; ++e) {
      int64_t k = c0 + static_cast<int64_t>(t) * PER + e;
      A x = 0;
      if (valid && k < n)
        x = ScanAcc<C>::widen(TI::cvt(p[reverse ? n - 1 - k : k]));
      run += x;
      v[e] = run; // inclusive within the thread
    }
    // Inclusive scan of the thread totals across the warp.
    A incl = run;
    unsigned lane = lane_id();
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      A y = shfl_up(incl, o);
      if (static_cast<int>(lane) >= o)
        incl += y;
    }
    A before = incl - run; // threads before this one, in this warp
    A chunk_total = shfl_idx(incl, 31);
    if constexpr (W != 32) {
      DS_SHARED A warp_tot[32];
      unsigned warps = BLOCK / 32;
      if (lane == 31)
        warp_tot[warp_id()] = incl;
      sync_block();
      A prev = 0, all = 0;
      for (unsigned w = 0; w < warps; ++w) {
        if (w < warp_id())
          prev += warp_tot[w];
        all += warp_tot[w];
      }
      sync_block();
      before += prev;
      chunk_total = all;
    }
    if (valid) {
      A start = carry + before;
#pragma unroll
      for (int e = 0; e < PER; ++e) {
        int64_t k = c0 + static_cast<int64_t>(t) * PER + e;
        if (k < n) {
          A prevSum = e == 0 ? A(0) : v[e - 1];
          A y = exclusive ? start + prevSum : start + v[e];
          q[reverse ? n - 1 - k : k] = TI::back(static_cast<C>(y));
        }
      }
    }
    carry += chunk_total;
  }
}

// ---- topk ---------------------------------------------------------------------------------------

// The cpu's order: a ranks above b when a is NaN and b not, else a > b (largest); the
// smallest mode reverses the ranking; equal ranks keep the lower index first. Index
// kNone (padding) comes last.
constexpr int64_t kNone = 0x7fffffffffffffffll;
template <class C> DS_DEVICE bool ranks_above(C a, C b) {
  if (is_nan(a))
    return !is_nan(b);
  if (is_nan(b))
    return false;
  return a > b;
}
template <class C> DS_DEVICE bool topk_first(C va, int64_t ia, C vb, int64_t ib, bool largest) {
  if (ib == kNone)
    return ia != kNone;
  if (ia == kNone)
    return false;
  bool above = largest ? ranks_above(va, vb) : ranks_above(vb, va);
  bool below = largest ? ranks_above(vb, va) : ranks_above(va, vb);
  return above || (!below && ia < ib);
}

// One block per line. Lines of at most P (a power of two) elements: bitonic sort of the
// padded line in shared memory, the first k written. Longer (or dynamic) lines: k rounds
// of a block-wide selection of the best element ordered after the previous pick.
template <class TI, int BLOCK, int P, class G>
DS_DEVICE void topk_lines(const typename TI::S *in, typename TI::S *values, int64_t *indices,
                          At at, const G &g, int64_t k, bool largest) {
  using C = typename TI::C;
  int64_t l = at.l;
  if (!at.valid)
    return; // uniform over the block
  int t = static_cast<int>(thread_linear());
  int64_t n = g.n;
  const typename TI::S *p = in + g.base(l);
  // Outputs are [outer, k, inner].
  int64_t out_base = (l / g.inner) * k * g.inner + l % g.inner;
  if (P > 0 && n <= P) {
    DS_SHARED C key[P > 0 ? P : 1];
    DS_SHARED int64_t idx[P > 0 ? P : 1];
    for (int i = t; i < P; i += BLOCK) {
      key[i] = i < n ? TI::cvt(p[g.off(i)]) : C(0);
      idx[i] = i < n ? i : kNone;
    }
    sync_block();
    for (int size = 2; size <= P; size <<= 1) {
      for (int stride = size >> 1; stride > 0; stride >>= 1) {
        for (int i = t; i < P; i += BLOCK) {
          int j = i ^ stride;
          if (j > i) {
            bool up = (i & size) == 0;
            bool swap = up ? topk_first(key[j], idx[j], key[i], idx[i], largest)
                           : topk_first(key[i], idx[i], key[j], idx[j], largest);
            if (swap) {
              C kv = key[i];
              key[i] = key[j];
              key[j] = kv;
              int64_t iv = idx[i];
              idx[i] = idx[j];
              idx[j] = iv;
            }
          }
        }
        sync_block();
      }
    }
    for (int64_t j = t; j < k; j += BLOCK) {
      values[out_base + j * g.inner] = TI::back(key[j]);
      indices[out_base + j * g.inner] = idx[j];
    }
    sync_block(); // the next line (none: one line per block) or reuse is safe
    return;
  }
  Cand<C> prev{C(0), -1};
  auto better = [=](Cand<C> a, Cand<C> b) {
    int64_t ia = a.i < 0 ? kNone : a.i, ib = b.i < 0 ? kNone : b.i;
    return topk_first(a.v, ia, b.v, ib, largest);
  };
  for (int64_t r = 0; r < k; ++r) {
    Cand<C> best{C(0), -1};
    for (int64_t j = t; j < n; j += BLOCK) {
      Cand<C> c{TI::cvt(p[g.off(j)]), j};
      if ((prev.i < 0 || better(prev, c)) && better(c, best))
        best = c;
    }
    best = line_reduce_cand<BLOCK>(best, better);
    if (t == 0) {
      values[out_base + r * g.inner] = TI::back(best.v);
      indices[out_base + r * g.inner] = best.i;
    }
    prev = best;
  }
}

} // namespace red
} // namespace ds

#endif
