// cpu backend: GEMM engine (BLAS dispatch and the built-in blocked kernel).
//
// Built-in kernel (BLIS-style): B is packed into panels of NR columns per KC-deep slice,
// A into strips of MR rows per tile; a register-tiled micro-kernel computes an
// R x NR block (R <= MR, one instantiation per R so that edge rows cost nothing extra).
// Work is split into (MC rows x NC columns) tiles run in parallel. Small-M products
// (decode, few tokens) read f32 row-major B in place instead of packing it.
#include "cpu/Gemm.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <utility>
#include <cmath>
#include <vector>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#ifdef DS_HAVE_CBLAS
#include <cblas.h>
#include <dlfcn.h>
#endif

namespace ds::rt::cpu {

// ---- row conversions -------------------------------------------------------------------

void loadRowF32(const void *base, DType dtype, int64_t start, int64_t count, float *dst) {
  switch (dtype) {
  case DType::F32:
    std::memcpy(dst, static_cast<const float *>(base) + start, count * sizeof(float));
    return;
  case DType::BF16: {
    const uint16_t *src = static_cast<const uint16_t *>(base) + start;
    for (int64_t i = 0; i < count; ++i) dst[i] = bf16BitsToFloat(src[i]);
    return;
  }
  case DType::F16: {
    const uint16_t *src = static_cast<const uint16_t *>(base) + start;
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= count; i += 8)
      _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(
                                    reinterpret_cast<const __m128i *>(src + i))));
#endif
    for (; i < count; ++i) dst[i] = halfBitsToFloat(src[i]);
    return;
  }
  default:
    for (int64_t i = 0; i < count; ++i) dst[i] = loadF32(base, dtype, start + i);
    return;
  }
}

void storeRowF32(void *base, DType dtype, int64_t start, int64_t count, const float *src) {
  switch (dtype) {
  case DType::F32:
    std::memcpy(static_cast<float *>(base) + start, src, count * sizeof(float));
    return;
  case DType::BF16: {
    uint16_t *dst = static_cast<uint16_t *>(base) + start;
    for (int64_t i = 0; i < count; ++i) dst[i] = floatToBf16(src[i]);
    return;
  }
  case DType::F16: {
    uint16_t *dst = static_cast<uint16_t *>(base) + start;
    int64_t i = 0;
#if defined(__F16C__)
    for (; i + 8 <= count; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                       _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < count; ++i) dst[i] = floatToHalf(src[i]);
    return;
  }
  default: {
    TensorView t;
    t.dtype = dtype;
    t.data = base;
    for (int64_t i = 0; i < count; ++i) storeFromDouble(t, start + i, src[i]);
    return;
  }
  }
}

// ---- BLAS --------------------------------------------------------------------------------

namespace {
std::atomic<bool> gBlasEnabled{true};
}

bool gemmBlasAvailable() {
#ifdef DS_HAVE_CBLAS
  return true;
#else
  return false;
#endif
}
void setGemmBlasEnabled(bool enabled) { gBlasEnabled = enabled; }
const char *gemmBackendName() {
  return gemmBlasAvailable() && gBlasEnabled ? "openblas" : "builtin";
}

#ifdef DS_HAVE_CBLAS
namespace {
// OpenBLAS keeps its own thread pool: size it to the session's pool so that the two never
// run more threads than asked for. Looked up at run time because the cblas.h found may
// belong to another BLAS that lacks the call.
void setBlasThreads(int threads) {
  using SetFn = void (*)(int);
  static SetFn setFn =
      reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  static std::atomic<int> current{-1};
  if (setFn && current.load() != threads) {
    setFn(threads);
    current = threads;
  }
}

// A view BLAS can take: one of its strides is 1 and the other covers the row.
bool blasLayout(const MatView &v, int64_t rows, int64_t cols, CBLAS_TRANSPOSE &trans,
                int64_t &ld) {
  if (v.colStride == 1 && v.rowStride >= std::max<int64_t>(1, cols)) {
    trans = CblasNoTrans;
    ld = v.rowStride;
    return true;
  }
  if (v.rowStride == 1 && v.colStride >= std::max<int64_t>(1, rows)) {
    trans = CblasTrans;
    ld = v.colStride;
    return true;
  }
  return false;
}

bool useBlas(int64_t m, int64_t n, int64_t k, const GemmOptions &options) {
  // Below ~32^3 multiply-adds BLAS's call overhead dominates; the built-in kernel is fine.
  return options.pool && options.allowBlas && gBlasEnabled.load() &&
         static_cast<double>(m) * n * k >= 32.0 * 32 * 32;
}
}  // namespace
#endif

// ---- built-in f32 kernel -------------------------------------------------------------

namespace {

#if defined(__AVX512F__)
constexpr int kMR = 8, kNR = 32;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kMR = 6, kNR = 16;
#else
constexpr int kMR = 4, kNR = 8;
#endif
constexpr int64_t kKC = 256;      // depth of one packed slice
constexpr int64_t kMCMax = 128;   // rows of a tile (multiple of kMR after rounding)
constexpr int64_t kDirectBMaxM = 48;  // up to this M, f32 row-major B is read in place

// c[R x nCols] (=|+=) a-strip (kc x MR) * b-panel (kc x NR, row stride bStride).
template <int R>
void microKernel(int64_t kc, const float *a, const float *b, int64_t bStride, float *c,
                 int64_t ldc, int nCols, bool accumulate) {
#if defined(__AVX512F__)
  __m512 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    for (int r = 0; r < R; ++r) {
      __m512 av = _mm512_set1_ps(a[r]);
      acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
    }
    a += kMR;
    b += bStride;
  }
  int lo = std::min(nCols, 16), hi = std::max(0, nCols - 16);
  __mmask16 m0 = static_cast<__mmask16>((1u << lo) - 1), m1 = static_cast<__mmask16>((1u << hi) - 1);
  for (int r = 0; r < R; ++r) {
    float *cr = c + r * ldc;
    if (accumulate) {
      acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(m0, cr));
      acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(m1, cr + 16));
    }
    _mm512_mask_storeu_ps(cr, m0, acc0[r]);
    _mm512_mask_storeu_ps(cr + 16, m1, acc1[r]);
  }
#elif defined(__AVX2__) && defined(__FMA__)
  __m256 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    for (int r = 0; r < R; ++r) {
      __m256 av = _mm256_broadcast_ss(a + r);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
    a += kMR;
    b += bStride;
  }
  alignas(32) float tile[kNR];
  for (int r = 0; r < R; ++r) {
    float *cr = c + r * ldc;
    if (nCols == kNR) {
      if (accumulate) {
        acc0[r] = _mm256_add_ps(acc0[r], _mm256_loadu_ps(cr));
        acc1[r] = _mm256_add_ps(acc1[r], _mm256_loadu_ps(cr + 8));
      }
      _mm256_storeu_ps(cr, acc0[r]);
      _mm256_storeu_ps(cr + 8, acc1[r]);
    } else {
      _mm256_store_ps(tile, acc0[r]);
      _mm256_store_ps(tile + 8, acc1[r]);
      for (int j = 0; j < nCols; ++j) cr[j] = accumulate ? cr[j] + tile[j] : tile[j];
    }
  }
#else
  // Portable: plain loops over a register-sized tile; the compiler vectorizes along j.
  float acc[R][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < kNR; ++j) acc[r][j] += a[r] * b[j];
    a += kMR;
    b += bStride;
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < nCols; ++j)
      c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
#endif
}

using MicroKernelFn = void (*)(int64_t, const float *, const float *, int64_t, float *, int64_t,
                               int, bool);
template <int... Rs>
constexpr auto makeKernelTable(std::integer_sequence<int, Rs...>) {
  return std::array<MicroKernelFn, sizeof...(Rs)>{&microKernel<Rs + 1>...};
}
const auto kKernels = makeKernelTable(std::make_integer_sequence<int, kMR>{});

// Reads element (r, c) of a view as f32, specialized on the storage type.
template <DType T> struct Elem;
template <> struct Elem<DType::F32> {
  static float get(const void *p, int64_t i) { return static_cast<const float *>(p)[i]; }
};
template <> struct Elem<DType::F16> {
  static float get(const void *p, int64_t i) {
    return halfBitsToFloat(static_cast<const uint16_t *>(p)[i]);
  }
};
template <> struct Elem<DType::BF16> {
  static float get(const void *p, int64_t i) {
    return bf16BitsToFloat(static_cast<const uint16_t *>(p)[i]);
  }
};
struct ElemAny {
  DType dtype;
  float get(const void *p, int64_t i) const { return loadF32(p, dtype, i); }
};

template <class Get>
void packAImpl(const MatView &a, int64_t m0, int64_t rows, int64_t k0, int64_t kc, float *dst,
               const Get &get) {
  // Strip s holds rows [m0 + s*MR, ...) as kc columns of MR values; missing rows are 0.
  for (int64_t s = 0; s < rows; s += kMR) {
    int64_t r = std::min<int64_t>(kMR, rows - s);
    float *strip = dst + s * kc;
    for (int64_t i = 0; i < r; ++i) {
      int64_t base = (m0 + s + i) * a.rowStride + k0 * a.colStride;
      for (int64_t p = 0; p < kc; ++p) strip[p * kMR + i] = get(a.data, base + p * a.colStride);
    }
    for (int64_t i = r; i < kMR; ++i)
      for (int64_t p = 0; p < kc; ++p) strip[p * kMR + i] = 0.f;
  }
}

void packA(const MatView &a, int64_t m0, int64_t rows, int64_t k0, int64_t kc, float *dst) {
  switch (a.dtype) {
  case DType::F32: return packAImpl(a, m0, rows, k0, kc, dst, Elem<DType::F32>::get);
  case DType::F16: return packAImpl(a, m0, rows, k0, kc, dst, Elem<DType::F16>::get);
  case DType::BF16: return packAImpl(a, m0, rows, k0, kc, dst, Elem<DType::BF16>::get);
  default: {
    ElemAny any{a.dtype};
    return packAImpl(a, m0, rows, k0, kc, dst,
                     [&](const void *p, int64_t i) { return any.get(p, i); });
  }
  }
}

template <class Get>
void packBImpl(const MatView &b, int64_t k0, int64_t kc, int64_t n0, int64_t cols, float *dst,
               const Get &get) {
  // One panel: kc rows of NR values, columns past `cols` are 0.
  if (b.colStride == 1) {
    for (int64_t p = 0; p < kc; ++p) {
      int64_t base = (k0 + p) * b.rowStride + n0;
      float *row = dst + p * kNR;
      for (int64_t j = 0; j < cols; ++j) row[j] = get(b.data, base + j);
      for (int64_t j = cols; j < kNR; ++j) row[j] = 0.f;
    }
    return;
  }
  for (int64_t j = 0; j < cols; ++j) {
    int64_t base = k0 * b.rowStride + (n0 + j) * b.colStride;
    for (int64_t p = 0; p < kc; ++p) dst[p * kNR + j] = get(b.data, base + p * b.rowStride);
  }
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t j = cols; j < kNR; ++j) dst[p * kNR + j] = 0.f;
}

void packB(const MatView &b, int64_t k0, int64_t kc, int64_t n0, int64_t cols, float *dst) {
  switch (b.dtype) {
  case DType::F32: return packBImpl(b, k0, kc, n0, cols, dst, Elem<DType::F32>::get);
  case DType::F16: return packBImpl(b, k0, kc, n0, cols, dst, Elem<DType::F16>::get);
  case DType::BF16: return packBImpl(b, k0, kc, n0, cols, dst, Elem<DType::BF16>::get);
  default: {
    ElemAny any{b.dtype};
    return packBImpl(b, k0, kc, n0, cols, dst,
                     [&](const void *p, int64_t i) { return any.get(p, i); });
  }
  }
}

// Per-thread scratch that only grows, so repeated products do not page-fault again.
float *scratch(std::vector<float> &buffer, size_t floats) {
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

void runParallel(ThreadPool *pool, int64_t n, const std::function<void(int64_t, int64_t)> &body) {
  if (pool && n > 1)
    pool->parallelFor(n, 1, body);
  else
    body(0, n);
}

void builtinGemmF32(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b,
                    float *c, int64_t ldc, bool accumulate, ThreadPool *pool) {
  int threads = pool ? pool->size() : 1;
  int64_t nPanels = (n + kNR - 1) / kNR;
  int64_t kBlocks = (k + kKC - 1) / kKC;
  bool directB = b.dtype == DType::F32 && b.colStride == 1 && m <= kDirectBMaxM;

  // Packed B: slice kb, panel j at ((kb * nPanels) + j) * kKC * kNR. In direct mode only
  // the last, partial panel is packed (the kernel reads whole NR-wide rows).
  thread_local std::vector<float> packedBStore;
  int64_t panelFloats = kKC * kNR;
  float *packedB = nullptr;
  bool partialLast = n % kNR != 0;
  if (!directB || partialLast) {
    packedB = scratch(packedBStore, static_cast<size_t>(kBlocks * nPanels * panelFloats));
    int64_t firstPanel = directB ? nPanels - 1 : 0;
    int64_t panels = nPanels - firstPanel;
    runParallel(pool, kBlocks * panels, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        int64_t kb = t / panels, j = firstPanel + t % panels;
        int64_t k0 = kb * kKC, kc = std::min(kKC, k - k0);
        int64_t n0 = j * kNR;
        packB(b, k0, kc, n0, std::min<int64_t>(kNR, n - n0),
              packedB + (kb * nPanels + j) * panelFloats);
      }
    });
  }

  // Tiles: rows in blocks of MC, columns in groups of panels; enough tiles to feed the
  // threads while keeping each tile's packed A reused across several panels.
  int64_t mc = std::min<int64_t>(kMCMax, (m + kMR - 1) / kMR * kMR);
  int64_t mTiles = (m + mc - 1) / mc;
  int64_t panelsPerTile = nPanels;
  while (panelsPerTile > 1 && mTiles * ((nPanels + panelsPerTile - 1) / panelsPerTile) <
                                  4 * static_cast<int64_t>(threads))
    panelsPerTile = (panelsPerTile + 1) / 2;
  int64_t nTiles = (nPanels + panelsPerTile - 1) / panelsPerTile;

  runParallel(pool, mTiles * nTiles, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> packedAStore;
    float *packedA = scratch(packedAStore, static_cast<size_t>(kMCMax * kKC));
    for (int64_t t = begin; t < end; ++t) {
      int64_t mt = t / nTiles, nt = t % nTiles;
      int64_t m0 = mt * mc, rows = std::min(mc, m - m0);
      int64_t j0 = nt * panelsPerTile, j1 = std::min(nPanels, j0 + panelsPerTile);
      for (int64_t kb = 0; kb < kBlocks; ++kb) {
        int64_t k0 = kb * kKC, kc = std::min(kKC, k - k0);
        packA(a, m0, rows, k0, kc, packedA);
        bool acc = accumulate || kb > 0;
        for (int64_t j = j0; j < j1; ++j) {
          int64_t n0 = j * kNR;
          int cols = static_cast<int>(std::min<int64_t>(kNR, n - n0));
          const float *panel;
          int64_t bStride;
          if (directB && cols == kNR) {
            panel = static_cast<const float *>(b.data) + k0 * b.rowStride + n0;
            bStride = b.rowStride;
          } else {
            panel = packedB + (kb * nPanels + j) * panelFloats;
            bStride = kNR;
          }
          for (int64_t s = 0; s < rows; s += kMR) {
            int r = static_cast<int>(std::min<int64_t>(kMR, rows - s));
            kKernels[r - 1](kc, packedA + s * kc, panel, bStride, c + (m0 + s) * ldc + n0, ldc,
                            cols, acc);
          }
        }
      }
    }
  });
}

// Few rows times an f32 B stored transposed (each column of B contiguous along K, the
// nn.Linear [N, K] layout): plain dot products read B exactly once, where packing it
// would cost more than the product itself.
constexpr int64_t kDotPathMaxM = 4;

inline float dotF32(const float *x, const float *y, int64_t n) {
  float part[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) part[l] += x[i + l] * y[i + l];
  float s = 0;
  for (; i < n; ++i) s += x[i] * y[i];
  for (int l = 0; l < 8; ++l) part[l] += part[l + 8];
  return s + ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
}

void dotPathGemmF32(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, float *c,
                    int64_t ldc, bool accumulate, ThreadPool *pool) {
  const float *ad = static_cast<const float *>(a.data), *bd = static_cast<const float *>(b.data);
  constexpr int64_t kCols = 32;
  runParallel(pool, (n + kCols - 1) / kCols, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin * kCols; j < std::min(n, end * kCols); ++j) {
      const float *bj = bd + j * b.colStride;
      for (int64_t i = 0; i < m; ++i) {
        float v = dotF32(ad + i * a.rowStride, bj, k);
        c[i * ldc + j] = accumulate ? c[i * ldc + j] + v : v;
      }
    }
  });
}

// Few rows times a row-major f32 B: C[i, chunk] += A[i, p] * B[p, chunk] streams each row
// of B once, in contiguous segments the prefetcher follows.
void axpyPathGemmF32(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b,
                     float *c, int64_t ldc, bool accumulate, ThreadPool *pool) {
  const float *ad = static_cast<const float *>(a.data), *bd = static_cast<const float *>(b.data);
  constexpr int64_t kCols = 256;
  runParallel(pool, (n + kCols - 1) / kCols, [&](int64_t begin, int64_t end) {
    float acc[kDotPathMaxM][kCols];
    for (int64_t chunk = begin; chunk < end; ++chunk) {
      int64_t j0 = chunk * kCols, cols = std::min(kCols, n - j0);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < cols; ++j) acc[i][j] = accumulate ? c[i * ldc + j0 + j] : 0.f;
      // Four rows of B per pass: one load and store of the accumulators per 4 FMAs.
      int64_t p = 0;
      for (; p + 4 <= k; p += 4) {
        const float *b0 = bd + p * b.rowStride + j0, *b1 = b0 + b.rowStride,
                    *b2 = b1 + b.rowStride, *b3 = b2 + b.rowStride;
        for (int64_t i = 0; i < m; ++i) {
          const float *ap = ad + i * a.rowStride + p * a.colStride;
          float a0 = ap[0], a1 = ap[a.colStride], a2 = ap[2 * a.colStride], a3 = ap[3 * a.colStride];
          float *ai = acc[i];
          for (int64_t j = 0; j < cols; ++j)
            ai[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
      }
      for (; p < k; ++p) {
        const float *bp = bd + p * b.rowStride + j0;
        for (int64_t i = 0; i < m; ++i) {
          float av = ad[i * a.rowStride + p * a.colStride];
          float *ai = acc[i];
          for (int64_t j = 0; j < cols; ++j) ai[j] += av * bp[j];
        }
      }
      for (int64_t i = 0; i < m; ++i) std::copy(acc[i], acc[i] + cols, c + i * ldc + j0);
    }
  });
}

}  // namespace

void gemmF32(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, float *c,
             int64_t ldc, const GemmOptions &options) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!options.accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
    return;
  }
  // Decode-sized products: B is read once and never packed (BLAS is slower here too).
  if (m <= kDotPathMaxM && a.dtype == DType::F32 && b.dtype == DType::F32) {
    if (a.colStride == 1 && b.rowStride == 1) {
      dotPathGemmF32(m, n, k, a, b, c, ldc, options.accumulate, options.pool);
      return;
    }
    if (b.colStride == 1) {
      axpyPathGemmF32(m, n, k, a, b, c, ldc, options.accumulate, options.pool);
      return;
    }
  }
#ifdef DS_HAVE_CBLAS
  CBLAS_TRANSPOSE ta, tb;
  int64_t lda, ldb;
  if (a.dtype == DType::F32 && b.dtype == DType::F32 && useBlas(m, n, k, options) &&
      blasLayout(a, m, k, ta, lda) && blasLayout(b, k, n, tb, ldb)) {
    setBlasThreads(options.pool->size());
    cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.f, static_cast<const float *>(a.data),
                static_cast<int>(lda), static_cast<const float *>(b.data),
                static_cast<int>(ldb), options.accumulate ? 1.f : 0.f, c,
                static_cast<int>(ldc));
    return;
  }
#endif
  builtinGemmF32(m, n, k, a, b, c, ldc, options.accumulate, options.pool);
}

void gemmF64(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, double *c,
             int64_t ldc, const GemmOptions &options) {
  if (m <= 0 || n <= 0) return;
  if (!options.accumulate)
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0);
  if (k <= 0) return;
#ifdef DS_HAVE_CBLAS
  CBLAS_TRANSPOSE ta, tb;
  int64_t lda, ldb;
  if (useBlas(m, n, k, options) && blasLayout(a, m, k, ta, lda) &&
      blasLayout(b, k, n, tb, ldb)) {
    setBlasThreads(options.pool->size());
    cblas_dgemm(CblasRowMajor, ta, tb, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0, static_cast<const double *>(a.data),
                static_cast<int>(lda), static_cast<const double *>(b.data),
                static_cast<int>(ldb), 1.0, c, static_cast<int>(ldc));
    return;
  }
#endif
  // Row-major B in one contiguous block, then C[i, :] += A[i, p] * B[p, :] (vectorizes
  // along the row without reassociating sums).
  const double *bd = static_cast<const double *>(b.data);
  const double *ad = static_cast<const double *>(a.data);
  std::vector<double> bCopy;
  int64_t bRowStride = b.rowStride;
  if (b.colStride != 1) {
    bCopy.resize(static_cast<size_t>(k * n));
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) bCopy[p * n + j] = bd[p * b.rowStride + j * b.colStride];
    bd = bCopy.data();
    bRowStride = n;
  }
  runParallel(options.pool, m, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      double *ci = c + i * ldc;
      for (int64_t p = 0; p < k; ++p) {
        double av = ad[i * a.rowStride + p * a.colStride];
        const double *bp = bd + p * bRowStride;
        for (int64_t j = 0; j < n; ++j) ci[j] += av * bp[j];
      }
    }
  });
}

void gemmI64(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, int64_t *c,
             int64_t ldc, const GemmOptions &options) {
  if (m <= 0 || n <= 0) return;
  if (!options.accumulate)
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, int64_t{0});
  if (k <= 0) return;
  // Both operands widened to int64 once; unsigned 64-bit wraps as two's complement.
  TensorView av, bv;
  av.dtype = a.dtype;
  av.data = const_cast<void *>(a.data);
  bv.dtype = b.dtype;
  bv.data = const_cast<void *>(b.data);
  std::vector<int64_t> bw(static_cast<size_t>(k * n));
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < n; ++j)
      bw[p * n + j] = loadAsInt(bv, p * b.rowStride + j * b.colStride);
  runParallel(options.pool, m, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t *ci = c + i * ldc;
      for (int64_t p = 0; p < k; ++p) {
        // Unsigned arithmetic: overflow wraps (as the stored integer type would) instead
        // of being undefined.
        uint64_t x = static_cast<uint64_t>(loadAsInt(av, i * a.rowStride + p * a.colStride));
        const int64_t *bp = bw.data() + p * n;
        for (int64_t j = 0; j < n; ++j)
          ci[j] = static_cast<int64_t>(static_cast<uint64_t>(ci[j]) +
                                       x * static_cast<uint64_t>(bp[j]));
      }
    }
  });
}

}  // namespace ds::rt::cpu
