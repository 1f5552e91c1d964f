// Shared helpers of the cpu reduction family (reduce, arg_reduce, softmax family, norms,
// cumsum, topk): compute-type dispatch, line loads/stores between storage and compute
// types, axis handling and vectorizable math helpers.
//
// Compute types: float for f32/f16/bf16/f8 storage, double for f64, the native integer
// type for integers (uint8_t for i1). Kernels load a line of elements into the compute
// type (or read it in place when storage and compute types agree), compute, and store.
#pragma once

#include "Kernel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace ds::rt::reduction {

// Family members, one per file (ReductionKernels.cpp registers them all).
void registerReduceKernels(KernelRegistry &registry);   // reduce, arg_reduce
void registerSoftmaxKernels(KernelRegistry &registry);  // softmax, log_softmax, hardmax
void registerNormKernels(KernelRegistry &registry);     // layer_norm, rms_norm
void registerScanKernels(KernelRegistry &registry);     // cumsum, topk

//===----------------------------------------------------------------------===//
// Compute-type dispatch
//===----------------------------------------------------------------------===//

// Calls f(C{}) with the compute type of `type` (see the file comment).
template <class F> void dispatchCompute(DType type, F &&f) {
  switch (type) {
  case DType::F32: case DType::F16: case DType::BF16:
  case DType::F8E4M3FN: case DType::F8E5M2: f(float{}); return;
  case DType::F64: f(double{}); return;
  case DType::I1: case DType::U8: f(uint8_t{}); return;
  case DType::I8: f(int8_t{}); return;
  case DType::I16: f(int16_t{}); return;
  case DType::I32: f(int32_t{}); return;
  case DType::I64: f(int64_t{}); return;
  case DType::U16: f(uint16_t{}); return;
  case DType::U32: f(uint32_t{}); return;
  case DType::U64: f(uint64_t{}); return;
  }
}

// Like dispatchCompute for floating-point types only (callers checked the dtype).
template <class F> void dispatchFloat(DType type, F &&f) {
  if (type == DType::F64) f(double{});
  else f(float{});
}

// True when elements of `type` can be read as C in place.
template <class C> bool storedAs(DType type) {
  switch (type) {
  case DType::F32: return std::is_same_v<C, float>;
  case DType::F64: return std::is_same_v<C, double>;
  case DType::I1: return false;  // stores normalize to 0/1
  case DType::U8: return std::is_same_v<C, uint8_t>;
  case DType::I8: return std::is_same_v<C, int8_t>;
  case DType::I16: return std::is_same_v<C, int16_t>;
  case DType::I32: return std::is_same_v<C, int32_t>;
  case DType::I64: return std::is_same_v<C, int64_t>;
  case DType::U16: return std::is_same_v<C, uint16_t>;
  case DType::U32: return std::is_same_v<C, uint32_t>;
  case DType::U64: return std::is_same_v<C, uint64_t>;
  default: return false;
  }
}

template <class C> constexpr bool kIsFloat = std::is_floating_point_v<C>;

//===----------------------------------------------------------------------===//
// Element conversions (inline so that line loops vectorize; same results as the
// helpers in Kernel.h)
//===----------------------------------------------------------------------===//

inline float bf16BitsToFloat(uint16_t bits) {
  uint32_t x = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

inline uint16_t floatToBf16Bits(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

inline void halfLineToFloat(const uint16_t *src, float *dst, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__)
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(
                                  reinterpret_cast<const __m128i *>(src + i))));
#endif
  for (; i < n; ++i) dst[i] = halfToFloat(src[i]);
}

inline void floatLineToHalf(const float *src, uint16_t *dst, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__)
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
  for (; i < n; ++i) dst[i] = floatToHalf(src[i]);
}

namespace detail {
template <class S, class C, class Conv>
void gather(const void *base, int64_t offset, int64_t stride, int64_t n, C *dst, Conv conv) {
  const S *p = static_cast<const S *>(base) + offset;
  if (stride == 1)
    for (int64_t i = 0; i < n; ++i) dst[i] = conv(p[i]);
  else
    for (int64_t i = 0; i < n; ++i) dst[i] = conv(p[i * stride]);
}
template <class S, class C, class Conv>
void scatter(void *base, int64_t offset, int64_t stride, int64_t n, const C *src, Conv conv) {
  S *p = static_cast<S *>(base) + offset;
  if (stride == 1)
    for (int64_t i = 0; i < n; ++i) p[i] = conv(src[i]);
  else
    for (int64_t i = 0; i < n; ++i) p[i * stride] = conv(src[i]);
}
}  // namespace detail

// Loads n elements of t, starting at element `offset`, `stride` elements apart, as C.
template <class C>
void loadLine(const TensorView &t, int64_t offset, int64_t stride, int64_t n, C *dst) {
  using namespace detail;
  const void *d = t.data;
  switch (t.dtype) {
  case DType::F32: gather<float>(d, offset, stride, n, dst, [](float v) { return C(v); }); return;
  case DType::F64: gather<double>(d, offset, stride, n, dst, [](double v) { return C(v); }); return;
  case DType::F16:
    if constexpr (std::is_same_v<C, float>) {
      if (stride == 1) {
        halfLineToFloat(static_cast<const uint16_t *>(d) + offset, dst, n);
        return;
      }
    }
    gather<uint16_t>(d, offset, stride, n, dst, [](uint16_t v) { return C(halfToFloat(v)); });
    return;
  case DType::BF16:
    gather<uint16_t>(d, offset, stride, n, dst, [](uint16_t v) { return C(bf16BitsToFloat(v)); });
    return;
  case DType::F8E4M3FN:
    gather<uint8_t>(d, offset, stride, n, dst, [](uint8_t v) { return C(f8e4m3fnToFloat(v)); });
    return;
  case DType::F8E5M2:
    gather<uint8_t>(d, offset, stride, n, dst, [](uint8_t v) { return C(f8e5m2ToFloat(v)); });
    return;
  case DType::I1: gather<uint8_t>(d, offset, stride, n, dst, [](uint8_t v) { return C(v != 0); }); return;
  case DType::U8: gather<uint8_t>(d, offset, stride, n, dst, [](uint8_t v) { return C(v); }); return;
  case DType::I8: gather<int8_t>(d, offset, stride, n, dst, [](int8_t v) { return C(v); }); return;
  case DType::I16: gather<int16_t>(d, offset, stride, n, dst, [](int16_t v) { return C(v); }); return;
  case DType::I32: gather<int32_t>(d, offset, stride, n, dst, [](int32_t v) { return C(v); }); return;
  case DType::I64: gather<int64_t>(d, offset, stride, n, dst, [](int64_t v) { return C(v); }); return;
  case DType::U16: gather<uint16_t>(d, offset, stride, n, dst, [](uint16_t v) { return C(v); }); return;
  case DType::U32: gather<uint32_t>(d, offset, stride, n, dst, [](uint32_t v) { return C(v); }); return;
  case DType::U64: gather<uint64_t>(d, offset, stride, n, dst, [](uint64_t v) { return C(v); }); return;
  }
}

// Stores n compute-type values into t (rounding to nearest even for narrow floats,
// saturating for f8, wrapping for integers, 0/1 for i1).
template <class C>
void storeLine(const TensorView &t, int64_t offset, int64_t stride, int64_t n, const C *src) {
  using namespace detail;
  void *d = t.data;
  switch (t.dtype) {
  case DType::F32: scatter<float>(d, offset, stride, n, src, [](C v) { return float(v); }); return;
  case DType::F64: scatter<double>(d, offset, stride, n, src, [](C v) { return double(v); }); return;
  case DType::F16:
    if constexpr (std::is_same_v<C, float>) {
      if (stride == 1) {
        floatLineToHalf(src, static_cast<uint16_t *>(d) + offset, n);
        return;
      }
    }
    scatter<uint16_t>(d, offset, stride, n, src, [](C v) { return floatToHalf(float(v)); });
    return;
  case DType::BF16:
    scatter<uint16_t>(d, offset, stride, n, src, [](C v) { return floatToBf16Bits(float(v)); });
    return;
  case DType::F8E4M3FN:
    scatter<uint8_t>(d, offset, stride, n, src, [](C v) { return floatToF8e4m3fn(float(v), true); });
    return;
  case DType::F8E5M2:
    scatter<uint8_t>(d, offset, stride, n, src, [](C v) { return floatToF8e5m2(float(v), true); });
    return;
  case DType::I1: scatter<uint8_t>(d, offset, stride, n, src, [](C v) { return uint8_t(v != 0); }); return;
  case DType::U8: scatter<uint8_t>(d, offset, stride, n, src, [](C v) { return uint8_t(v); }); return;
  case DType::I8: scatter<int8_t>(d, offset, stride, n, src, [](C v) { return int8_t(v); }); return;
  case DType::I16: scatter<int16_t>(d, offset, stride, n, src, [](C v) { return int16_t(v); }); return;
  case DType::I32: scatter<int32_t>(d, offset, stride, n, src, [](C v) { return int32_t(v); }); return;
  case DType::I64: scatter<int64_t>(d, offset, stride, n, src, [](C v) { return int64_t(v); }); return;
  case DType::U16: scatter<uint16_t>(d, offset, stride, n, src, [](C v) { return uint16_t(v); }); return;
  case DType::U32: scatter<uint32_t>(d, offset, stride, n, src, [](C v) { return uint32_t(v); }); return;
  case DType::U64: scatter<uint64_t>(d, offset, stride, n, src, [](C v) { return uint64_t(v); }); return;
  }
}

// Reads contiguous lines of a tensor as C: in place when the storage type is C, else
// through a scratch buffer owned by the reader (one reader per worker chunk).
template <class C> class LineReader {
public:
  explicit LineReader(const TensorView &t) : t_(t), direct_(storedAs<C>(t.dtype)) {}
  const C *read(int64_t offset, int64_t n) {
    if (direct_) return static_cast<const C *>(t_.data) + offset;
    if (static_cast<int64_t>(scratch_.size()) < n) scratch_.resize(static_cast<size_t>(n));
    loadLine<C>(t_, offset, 1, n, scratch_.data());
    return scratch_.data();
  }

private:
  const TensorView &t_;
  bool direct_;
  std::vector<C> scratch_;
};

//===----------------------------------------------------------------------===//
// Axes and shapes
//===----------------------------------------------------------------------===//

// axis in [-rank, rank) -> [0, rank), or -1 when out of range.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return -1;
  return axis < 0 ? axis + rank : axis;
}

// A tensor seen as [outer, size, inner] around one axis.
struct AxisSplit {
  int64_t outer = 1, size = 1, inner = 1;
  int64_t lines() const { return outer * inner; }
  // First element and element stride of line l (l in [0, outer * inner)).
  int64_t lineStart(int64_t l) const { return (l / inner) * size * inner + l % inner; }
};

inline AxisSplit splitAt(const Shape &shape, int64_t axis) {
  AxisSplit s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis) s.outer *= shape[d];
    else if (d == axis) s.size = shape[d];
    else s.inner *= shape[d];
  }
  return s;
}

// Reads and normalizes an axis attribute against the rank of input 0; fails naming both.
inline int64_t axisAttr(const ShapeContext &ctx, const char *name, int64_t fallback) {
  int64_t rank = static_cast<int64_t>(ctx.inputs[0].shape.size());
  int64_t axis = attrInt(ctx.step, name, fallback);
  int64_t a = normalizeAxis(axis, rank);
  if (a < 0)
    ctx.fail("attribute '" + std::string(name) + "' = " + std::to_string(axis) +
             " is out of range for input 0 of shape " + shapeToString(ctx.inputs[0].shape) +
             " (rank " + std::to_string(rank) + ")");
  return a;
}

// Checks the operand count, that operand 0 is present, and (when the bundle gives
// output types) that output i has the expected dtype.
inline void expectOperands(const ShapeContext &ctx, size_t minInputs, size_t maxInputs) {
  size_t n = ctx.inputs.size();
  if (n < minInputs || n > maxInputs)
    ctx.fail("expects " + std::to_string(minInputs) +
             (minInputs == maxInputs ? "" : " to " + std::to_string(maxInputs)) +
             " operands, got " + std::to_string(n));
  for (size_t i = 0; i < minInputs; ++i)
    if (!ctx.inputs[i].present) ctx.fail("operand " + std::to_string(i) + " is absent");
}

inline void expectOutputType(const ShapeContext &ctx, size_t i, DType expected) {
  if (i < ctx.outputTypes.size() && ctx.outputTypes[i] != expected)
    ctx.fail("output " + std::to_string(i) + " is declared " + dtypeName(ctx.outputTypes[i]) +
             " but this op produces " + dtypeName(expected));
}

inline void expectFloatInput(const ShapeContext &ctx, size_t i) {
  if (!isFloat(ctx.inputs[i].dtype))
    ctx.fail("operand " + std::to_string(i) + " must have a floating-point type, got " +
             dtypeName(ctx.inputs[i].dtype));
}

// Grain (items per parallel chunk) so that one chunk holds about `target` elements of work.
inline int64_t grainFor(int64_t workPerItem, int64_t target = 16384) {
  return std::max<int64_t>(1, target / std::max<int64_t>(workPerItem, 1));
}

//===----------------------------------------------------------------------===//
// Math helpers
//===----------------------------------------------------------------------===//

// exp for float in branch-free form so that loops over it vectorize: range reduction
// x = n ln2 + r and a degree-7 polynomial on r (max error below 1 ulp for normal
// results). NaN stays NaN, results below the subnormal range are 0, overflow is inf.
inline float expf32(float x) {
  const float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  const float kLo = -104.0f, kHi = 88.72283935546875f;
  // Argument order matters: a NaN x clamps to kLo (no undefined int conversion below).
  float c = std::min(kHi, std::max(kLo, x));
  // Round to nearest through the 1.5 * 2^23 trick (floor does not vectorize here).
  float n = (c * kLog2e + 12582912.0f) - 12582912.0f;
  float r = c - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n as two factors so that both stay normal across [-150, 128].
  int32_t ni = static_cast<int32_t>(n);
  int32_t n1 = ni >> 1, n2 = ni - n1;
  uint32_t b1 = static_cast<uint32_t>(n1 + 127) << 23, b2 = static_cast<uint32_t>(n2 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  float y = p * s1 * s2;
  y = x < kLo ? 0.0f : y;
  y = x > kHi ? std::numeric_limits<float>::infinity() : y;
  return x != x ? x : y;
}
inline float expC(float x) { return expf32(x); }
inline double expC(double x) { return std::exp(x); }

constexpr int kLanes = 32;  // independent accumulators: vector registers and less rounding

// Folds x[0, n) into an accumulator with kLanes independent partial accumulators.
template <class A, class C, class Step, class Merge>
inline A foldLine(const C *x, int64_t n, A init, Step step, Merge merge) {
  A lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = init;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = step(lanes[j], x[i + j]);
  A acc = init;
  for (; i < n; ++i) acc = step(acc, x[i]);
  for (int j = 0; j < kLanes; ++j) acc = merge(acc, lanes[j]);
  return acc;
}

template <class C> inline C sumLine(const C *x, int64_t n) {
  return foldLine<C>(x, n, C(0), [](C a, C v) { return a + v; }, [](C a, C b) { return a + b; });
}

// Largest element ignoring NaN (-inf for none): callers whose results propagate NaN
// through later arithmetic anyway.
template <class C> inline C maxLineIgnoringNan(const C *x, int64_t n) {
  auto step = [](C a, C v) { return v > a ? v : a; };
  return foldLine<C>(x, n, -std::numeric_limits<C>::infinity(), step, step);
}

// Stores exp(x - shift) into y (may alias x) and returns the sum of what it stored.
template <class C> inline C expShiftedLine(const C *x, C *y, int64_t n, C shift) {
  C lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      C e = expC(x[i + j] - shift);
      y[i + j] = e;
      lanes[j] += e;
    }
  C acc = 0;
  for (; i < n; ++i) {
    C e = expC(x[i] - shift);
    y[i] = e;
    acc += e;
  }
  for (int j = 0; j < kLanes; ++j) acc += lanes[j];
  return acc;
}

// Sum of exp(x - shift) without storing.
template <class C> inline C sumExpShiftedLine(const C *x, int64_t n, C shift) {
  return foldLine<C>(x, n, C(0), [shift](C a, C v) { return a + expC(v - shift); },
                     [](C a, C b) { return a + b; });
}

// Index of the largest (isMax) or smallest element of x[0, n), n > 0: the first one, or
// the last one when `last`. NaN counts as the extreme either way (numpy's argmax and
// argmin, which the ONNX reference uses, return the first NaN).
template <class C> int64_t argExtreme(const C *x, int64_t n, bool isMax, bool last) {
  C m;
  if constexpr (kIsFloat<C>) {
    auto maxStep = [](C a, C v) { return (v > a || v != v) ? v : a; };
    auto minStep = [](C a, C v) { return (v < a || v != v) ? v : a; };
    m = isMax ? foldLine<C>(x, n, x[0], maxStep, maxStep)
              : foldLine<C>(x, n, x[0], minStep, minStep);
    if (m != m) {
      if (last) {
        for (int64_t i = n - 1; i >= 0; --i)
          if (x[i] != x[i]) return i;
      }
      for (int64_t i = 0; i < n; ++i)
        if (x[i] != x[i]) return i;
    }
  } else {
    auto maxStep = [](C a, C v) { return v > a ? v : a; };
    auto minStep = [](C a, C v) { return v < a ? v : a; };
    m = isMax ? foldLine<C>(x, n, x[0], maxStep, maxStep)
              : foldLine<C>(x, n, x[0], minStep, minStep);
  }
  if (last) {
    for (int64_t i = n - 1; i >= 0; --i)
      if (x[i] == m) return i;
  } else {
    for (int64_t i = 0; i < n; ++i)
      if (x[i] == m) return i;
  }
  return 0;
}

}  // namespace ds::rt::reduction
