// Device functions of the fused elementwise kernels (docs/cuda.md, "Code generation").
//
// The generator (lib/Target/Cuda/ElementwiseCodegen.cpp) emits one kernel per
// `elementwise` step: loads through the storage conversions below, the program as
// straight-line calls of the u_*/b_* functions, stores through the conversions back.
// Every function computes what the cpu backend computes (runtime/src/cpu/
// ElementwiseProgram.cpp, ElementwiseMath.h) in the same compute classes: f32 for
// f32/f16/bf16/f8 (narrow floats convert on load and store), f64, int64 for signed and
// uint64 for unsigned integers (wrapped to the storage type after every instruction by
// the generated code), bool for i1. The undefined cases take the cpu's choices: integer
// division and remainder by zero give 0, shifts by >= the width give 0 or the sign, NaN
// casts to 0 and out-of-range floats saturate when cast to int64.
//
// Only plain C++ plus ds_device.cuh's DS_DEVICE: the same text compiles with NVRTC/nvcc
// and, against ds_emu.h, with the host compiler.
#pragma once

#include "ds_device.cuh"
#include "ds_math.cuh"

namespace ds {
namespace ew {

DS_DEVICE float f32_nan() { return bits_float(0x7fc00000u); }
DS_DEVICE float f32_inf() { return bits_float(0x7f800000u); }
DS_DEVICE double f64_inf() { return bits_double(0x7ff0000000000000ull); }

// ---- storage conversions ----------------------------------------------------------------
// Bit-exact with runtime/src/DType.cpp: round to nearest even, NaN stays NaN.

DS_DEVICE float f16_load(uint16_t h) { return f16_to_float(f16{h}); }
DS_DEVICE uint16_t f16_store(float v) { return float_to_f16(v).bits; }

DS_DEVICE float bf16_load(uint16_t bits) {
  return bits_float(static_cast<uint32_t>(bits) << 16);
}
DS_DEVICE uint16_t bf16_store(float v) {
  uint32_t x = float_bits(v);
  uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  uint32_t nan = (x >> 16) | 0x40u;
  return static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

// Small floats with `eb` exponent bits, `mb` mantissa bits and bias `bias`.
DS_DEVICE float f8_decode(uint8_t bits, int mb, int bias) {
  int exp = (bits >> mb) & ((0x80 >> mb) - 1);
  int mant = bits & ((1 << mb) - 1);
  float v;
  if (exp == 0) // subnormal: mant * 2^(1 - bias - mb)
    v = static_cast<float>(mant) * bits_float(static_cast<uint32_t>(127 + 1 - bias - mb) << 23);
  else
    v = bits_float((static_cast<uint32_t>(exp - bias + 127) << 23) |
                      (static_cast<uint32_t>(mant) << (23 - mb)));
  return (bits & 0x80) ? -v : v;
}
DS_DEVICE float f8e4m3fn_load(uint8_t bits) {
  if ((bits & 0x7f) == 0x7f)
    return f32_nan();
  return f8_decode(bits, 3, 7);
}
DS_DEVICE float f8e5m2_load(uint8_t bits) {
  if (((bits >> 2) & 0x1f) == 0x1f) {
    if (bits & 3)
      return f32_nan();
    return (bits & 0x80) ? -f32_inf() : f32_inf();
  }
  return f8_decode(bits, 2, 15);
}

// Round-to-nearest-even encoding; overflow gives inf/NaN, or the largest finite value
// when saturating.
DS_DEVICE uint8_t f8_encode(float v, int mb, int bias, uint32_t maxCode,
                                   uint32_t infCode, bool hasInf, bool saturate) {
  uint32_t x = float_bits(v);
  uint32_t sign = (x >> 24) & 0x80u, ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u)
    return 0x7f;
  uint32_t overflow = saturate ? maxCode : (hasInf ? infCode : 0x7fu);
  if (ax == 0x7f800000u)
    return static_cast<uint8_t>(sign | overflow);
  uint32_t minNormalBits = static_cast<uint32_t>(127 + 1 - bias) << 23;
  uint32_t code;
  if (ax < minNormalBits) {
    float scale = bits_float(static_cast<uint32_t>(127 + bias - 1 + mb) << 23);
    code = static_cast<uint32_t>(rintf(bits_float(ax) * scale));
  } else {
    int shift = 23 - mb;
    uint32_t r = (ax + ((1u << (shift - 1)) - 1u) + ((ax >> shift) & 1u)) >> shift;
    code = r - (static_cast<uint32_t>(127 - bias) << mb);
  }
  if (code > maxCode)
    return static_cast<uint8_t>(sign | overflow);
  return static_cast<uint8_t>(sign | code);
}
DS_DEVICE uint8_t f8e4m3fn_store(float v, bool saturate = false) {
  return f8_encode(v, 3, 7, 0x7e, 0x7f, false, saturate);
}
DS_DEVICE uint8_t f8e5m2_store(float v, bool saturate = false) {
  return f8_encode(v, 2, 15, 0x7b, 0x7c, true, saturate);
}

// Loads convert storage to the compute class; stores convert back (integers truncate
// to the storage width, which the per-instruction wrap has made exact).
DS_DEVICE float load(const float *p, int64_t i) { return p[i]; }
DS_DEVICE double load(const double *p, int64_t i) { return p[i]; }
DS_DEVICE int64_t load(const int8_t *p, int64_t i) { return p[i]; }
DS_DEVICE int64_t load(const int16_t *p, int64_t i) { return p[i]; }
DS_DEVICE int64_t load(const int32_t *p, int64_t i) { return p[i]; }
DS_DEVICE int64_t load(const int64_t *p, int64_t i) { return p[i]; }
DS_DEVICE uint64_t load(const uint16_t *p, int64_t i) { return p[i]; }
DS_DEVICE uint64_t load(const uint32_t *p, int64_t i) { return p[i]; }
DS_DEVICE uint64_t load(const uint64_t *p, int64_t i) { return p[i]; }
// uint8_t storage is ui8, i1, f8E4M3FN or f8E5M2: named loads.
DS_DEVICE uint64_t load_u8(const uint8_t *p, int64_t i) { return p[i]; }
DS_DEVICE bool load_i1(const uint8_t *p, int64_t i) { return p[i] != 0; }
DS_DEVICE float load_f16(const uint16_t *p, int64_t i) { return f16_load(p[i]); }
DS_DEVICE float load_bf16(const uint16_t *p, int64_t i) { return bf16_load(p[i]); }
DS_DEVICE float load_f8e4m3fn(const uint8_t *p, int64_t i) { return f8e4m3fn_load(p[i]); }
DS_DEVICE float load_f8e5m2(const uint8_t *p, int64_t i) { return f8e5m2_load(p[i]); }

template <class S, class C> DS_DEVICE void store(S *p, int64_t i, C v) {
  p[i] = static_cast<S>(v);
}
DS_DEVICE void store_i1(uint8_t *p, int64_t i, bool v) { p[i] = v ? 1 : 0; }
DS_DEVICE void store_f16(uint16_t *p, int64_t i, float v) { p[i] = f16_store(v); }
DS_DEVICE void store_bf16(uint16_t *p, int64_t i, float v) { p[i] = bf16_store(v); }
DS_DEVICE void store_f8e4m3fn(uint8_t *p, int64_t i, float v) { p[i] = f8e4m3fn_store(v); }
DS_DEVICE void store_f8e5m2(uint8_t *p, int64_t i, float v) { p[i] = f8e5m2_store(v); }

// ---- vectors and broadcasting --------------------------------------------------------------

// V consecutive storage elements moved as one aligned access (16 bytes for 4 x f32).
template <class S, int V> struct alignas(sizeof(S) * V) Pack {
  S v[V];
};

template <int V, class S> DS_DEVICE bool aligned_for(const S *p) {
  return reinterpret_cast<unsigned long long>(p) % (sizeof(S) * V) == 0;
}
template <int V, class S> DS_DEVICE Pack<S, V> load_pack(const S *p, int64_t i) {
  return *reinterpret_cast<const Pack<S, V> *>(p + i);
}
template <int V, class S> DS_DEVICE void store_pack(S *p, int64_t i, const Pack<S, V> &v) {
  *reinterpret_cast<Pack<S, V> *>(p + i) = v;
}

// The element of a broadcast operand read for output element `i`: `dims` are the
// output dims, `strides` the operand's strides over them (0 where it broadcasts). `I`
// is the index type of the division chain (32-bit where the generator proved the
// output small enough).
template <class I, int R>
DS_DEVICE int64_t broadcast_index(int64_t i, const int64_t (&dims)[R],
                                         const int64_t (&strides)[R]) {
  I rest = static_cast<I>(i);
  int64_t index = 0;
#pragma unroll
  for (int d = R - 1; d > 0; --d) {
    I dim = static_cast<I>(dims[d]);
    I q = rest / dim;
    index += static_cast<int64_t>(rest - q * dim) * strides[d];
    rest = q;
  }
  return index + static_cast<int64_t>(rest) * strides[0];
}

// Strides of an operand of rank `r` (dims `in`) over the output dims `out` of rank `R`
// (numpy broadcasting: aligned at the right, size-1 dims broadcast).
template <int R, int r>
DS_DEVICE void broadcast_strides(const int64_t (&in)[r], int64_t (&strides)[R]) {
  int64_t stride = 1;
#pragma unroll
  for (int k = 0; k < R; ++k) {
    int d = R - 1 - k, id = r - 1 - k;
    if (id >= 0) {
      strides[d] = in[id] == 1 ? 0 : stride;
      stride *= in[id];
    } else {
      strides[d] = 0;
    }
  }
}

// ---- float functions ---------------------------------------------------------------------
// f32 exp, tanh, erf and what is built on them come from ds_math.cuh, the source the cpu
// backend compiles too; the rest uses the CUDA / C math library.

using ::ds::math::erf_f32;
using ::ds::math::exp_f32;
using ::ds::math::one_plus_erf_f32;
using ::ds::math::sigmoid_f32;
using ::ds::math::tanh_f32;

// Unary functions: u_<fn>(x) or, for the parameterized ones, u_<fn>(x, alpha[, beta]).
// One overload per compute class the fn admits (the generator only calls those).

#define DS_EW_FLOAT_BOTH(name, f32expr, f64expr)                                            \
  DS_DEVICE float name(float x) { return f32expr; }                                  \
  DS_DEVICE double name(double x) { return f64expr; }

DS_EW_FLOAT_BOTH(u_exp, exp_f32(x), ::exp(x))
DS_EW_FLOAT_BOTH(u_log, logf(x), ::log(x))
DS_EW_FLOAT_BOTH(u_sqrt, sqrtf(x), ::sqrt(x))
DS_EW_FLOAT_BOTH(u_rsqrt, 1.0f / sqrtf(x), 1.0 / ::sqrt(x))
DS_EW_FLOAT_BOTH(u_reciprocal, 1.0f / x, 1.0 / x)
DS_EW_FLOAT_BOTH(u_floor, floorf(x), ::floor(x))
DS_EW_FLOAT_BOTH(u_ceil, ceilf(x), ::ceil(x))
DS_EW_FLOAT_BOTH(u_round, rintf(x), ::rint(x))
DS_EW_FLOAT_BOTH(u_tanh, tanh_f32(x), ::tanh(x))
DS_EW_FLOAT_BOTH(u_erf, erf_f32(x), ::erf(x))
DS_EW_FLOAT_BOTH(u_sigmoid, sigmoid_f32(x), 1.0 / (1.0 + ::exp(-x)))
DS_EW_FLOAT_BOTH(u_silu, x * sigmoid_f32(x), x / (1.0 + ::exp(-x)))
DS_EW_FLOAT_BOTH(u_gelu, 0.5f * x * one_plus_erf_f32(x * 0.70710678118654752f),
                 0.5 * x * ::erfc(-x * 0.70710678118654752440))
DS_EW_FLOAT_BOTH(u_gelu_tanh,
                 x * sigmoid_f32(2.0f * (0.7978845608028654f * (x + 0.044715f * x * x * x))),
                 0.5 * x * (1.0 + ::tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x))))
DS_EW_FLOAT_BOTH(u_softplus, x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x)),
                 x > 0.0 ? x + ::log1p(::exp(-x)) : ::log1p(::exp(x)))
DS_EW_FLOAT_BOTH(u_softsign, x / (1.0f + fabsf(x)), x / (1.0 + ::fabs(x)))
DS_EW_FLOAT_BOTH(u_mish, x * tanh_f32(x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x))),
                 x * ::tanh(x > 0.0 ? x + ::log1p(::exp(-x)) : ::log1p(::exp(x))))
DS_EW_FLOAT_BOTH(u_cos, cosf(x), ::cos(x))
DS_EW_FLOAT_BOTH(u_sin, sinf(x), ::sin(x))
DS_EW_FLOAT_BOTH(u_tan, tanf(x), ::tan(x))
DS_EW_FLOAT_BOTH(u_asin, asinf(x), ::asin(x))
DS_EW_FLOAT_BOTH(u_acos, acosf(x), ::acos(x))
DS_EW_FLOAT_BOTH(u_atan, atanf(x), ::atan(x))
DS_EW_FLOAT_BOTH(u_sinh, sinhf(x), ::sinh(x))
DS_EW_FLOAT_BOTH(u_cosh, coshf(x), ::cosh(x))
DS_EW_FLOAT_BOTH(u_asinh, asinhf(x), ::asinh(x))
DS_EW_FLOAT_BOTH(u_acosh, acoshf(x), ::acosh(x))
DS_EW_FLOAT_BOTH(u_atanh, atanhf(x), ::atanh(x))
#undef DS_EW_FLOAT_BOTH

template <class T> DS_DEVICE T hard_sigmoid_core(T x, T a, T b) {
  T v = a * x + b;
  return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
}
DS_DEVICE float u_hard_sigmoid(float x, float a, float b) { return hard_sigmoid_core(x, a, b); }
DS_DEVICE double u_hard_sigmoid(double x, double a, double b) { return hard_sigmoid_core(x, a, b); }
DS_DEVICE float u_hard_swish(float x) { return x * hard_sigmoid_core(x, 1.0f / 6.0f, 0.5f); }
DS_DEVICE double u_hard_swish(double x) { return x * hard_sigmoid_core(x, 1.0 / 6.0, 0.5); }
DS_DEVICE float u_leaky_relu(float x, float a) { return x >= 0.0f ? x : a * x; }
DS_DEVICE double u_leaky_relu(double x, double a) { return x >= 0.0 ? x : a * x; }
DS_DEVICE float u_elu(float x, float a) { return x > 0.0f ? x : a * expm1f(x); }
DS_DEVICE double u_elu(double x, double a) { return x > 0.0 ? x : a * ::expm1(x); }
DS_DEVICE float u_selu(float x, float a, float b) { return b * (x > 0.0f ? x : a * expm1f(x)); }
DS_DEVICE double u_selu(double x, double a, double b) { return b * (x > 0.0 ? x : a * ::expm1(x)); }
DS_DEVICE float u_celu(float x, float a) { return x > 0.0f ? x : a * expm1f(x / a); }
DS_DEVICE double u_celu(double x, double a) { return x > 0.0 ? x : a * ::expm1(x / a); }
DS_DEVICE float u_thresholded_relu(float x, float a) { return x > a ? x : 0.0f; }
DS_DEVICE double u_thresholded_relu(double x, double a) { return x > a ? x : 0.0; }
template <class T> DS_DEVICE T shrink_core(T x, T a, T b) {
  return x < -a ? x + b : (x > a ? x - b : T(0));
}
DS_DEVICE float u_shrink(float x, float a, float b) { return shrink_core(x, a, b); }
DS_DEVICE double u_shrink(double x, double a, double b) { return shrink_core(x, a, b); }

DS_DEVICE bool u_is_inf(float x) { return fabsf(x) == f32_inf(); }
DS_DEVICE bool u_is_inf(double x) { return ::fabs(x) == f64_inf(); }
DS_DEVICE bool u_is_nan(float x) { return x != x; }
DS_DEVICE bool u_is_nan(double x) { return x != x; }

// Functions defined on every numeric class.
DS_DEVICE float u_neg(float x) { return -x; }
DS_DEVICE double u_neg(double x) { return -x; }
DS_DEVICE int64_t u_neg(int64_t x) {
  return static_cast<int64_t>(0ull - static_cast<uint64_t>(x));
}
DS_DEVICE uint64_t u_neg(uint64_t x) { return 0ull - x; }
DS_DEVICE float u_abs(float x) { return fabsf(x); }
DS_DEVICE double u_abs(double x) { return ::fabs(x); }
DS_DEVICE int64_t u_abs(int64_t x) { return x < 0 ? u_neg(x) : x; }
DS_DEVICE uint64_t u_abs(uint64_t x) { return x; }
DS_DEVICE float u_sign(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); }
DS_DEVICE double u_sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x); }
DS_DEVICE int64_t u_sign(int64_t x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }
DS_DEVICE uint64_t u_sign(uint64_t x) { return x != 0 ? 1 : 0; }
DS_DEVICE float u_relu(float x) { return x > 0.0f ? x : 0.0f; }
DS_DEVICE double u_relu(double x) { return x > 0.0 ? x : 0.0; }
DS_DEVICE int64_t u_relu(int64_t x) { return x > 0 ? x : 0; }
DS_DEVICE uint64_t u_relu(uint64_t x) { return x; }
DS_DEVICE float u_square(float x) { return x * x; }
DS_DEVICE double u_square(double x) { return x * x; }
DS_DEVICE int64_t u_square(int64_t x) {
  return static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(x));
}
DS_DEVICE uint64_t u_square(uint64_t x) { return x * x; }
DS_DEVICE int64_t u_bitwise_not(int64_t x) { return ~x; }
DS_DEVICE uint64_t u_bitwise_not(uint64_t x) { return ~x; }
DS_DEVICE bool u_not(bool x) { return !x; }
template <class T> DS_DEVICE T u_identity(T x) { return x; }

// ---- binary functions ------------------------------------------------------------------------

// Floats.
#define DS_EW_FLOAT_BINARY(T, SUFFIX)                                                       \
  DS_DEVICE T b_add(T a, T b) { return a + b; }                                      \
  DS_DEVICE T b_sub(T a, T b) { return a - b; }                                      \
  DS_DEVICE T b_mul(T a, T b) { return a * b; }                                      \
  DS_DEVICE T b_div(T a, T b) { return a / b; }                                      \
  DS_DEVICE T b_fmod(T a, T b) { return fmod##SUFFIX(a, b); }                         \
  DS_DEVICE T b_mod(T a, T b) {                                                      \
    T r = fmod##SUFFIX(a, b);                                                                \
    return (r != T(0) && ((r < T(0)) != (b < T(0)))) ? r + b : r;                           \
  }                                                                                         \
  DS_DEVICE T b_max(T a, T b) { return (a > b || a != a) ? a : b; }                  \
  DS_DEVICE T b_min(T a, T b) { return (a < b || a != a) ? a : b; }                  \
  DS_DEVICE T b_prelu(T a, T b) { return a < T(0) ? a * b : a; }
DS_EW_FLOAT_BINARY(float, f)
DS_EW_FLOAT_BINARY(double, )
#undef DS_EW_FLOAT_BINARY

// Signed integers: int64 arithmetic wrapping in two's complement.
DS_DEVICE int64_t b_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
DS_DEVICE int64_t b_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
DS_DEVICE int64_t b_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
DS_DEVICE int64_t b_div(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  if (b == -1)
    return u_neg(a);
  return a / b;
}
DS_DEVICE int64_t b_fmod(int64_t a, int64_t b) {
  if (b == 0 || b == -1)
    return 0;
  return a % b;
}
DS_DEVICE int64_t b_mod(int64_t a, int64_t b) {
  int64_t r = b_fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
DS_DEVICE int64_t b_max(int64_t a, int64_t b) { return a > b ? a : b; }
DS_DEVICE int64_t b_min(int64_t a, int64_t b) { return a < b ? a : b; }
DS_DEVICE int64_t b_shift_left(int64_t a, int64_t b) {
  return (b < 0 || b >= 64) ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a) << b);
}
DS_DEVICE int64_t b_shift_right(int64_t a, int64_t b) {
  return a >> ((b < 0 || b >= 64) ? 63 : b);
}
DS_DEVICE int64_t b_bitwise_and(int64_t a, int64_t b) { return a & b; }
DS_DEVICE int64_t b_bitwise_or(int64_t a, int64_t b) { return a | b; }
DS_DEVICE int64_t b_bitwise_xor(int64_t a, int64_t b) { return a ^ b; }
DS_DEVICE int64_t b_prelu(int64_t a, int64_t b) { return a < 0 ? b_mul(a, b) : a; }

// Unsigned integers.
DS_DEVICE uint64_t b_add(uint64_t a, uint64_t b) { return a + b; }
DS_DEVICE uint64_t b_sub(uint64_t a, uint64_t b) { return a - b; }
DS_DEVICE uint64_t b_mul(uint64_t a, uint64_t b) { return a * b; }
DS_DEVICE uint64_t b_div(uint64_t a, uint64_t b) { return b == 0 ? 0 : a / b; }
DS_DEVICE uint64_t b_mod(uint64_t a, uint64_t b) { return b == 0 ? 0 : a % b; }
DS_DEVICE uint64_t b_fmod(uint64_t a, uint64_t b) { return b_mod(a, b); }
DS_DEVICE uint64_t b_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
DS_DEVICE uint64_t b_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
DS_DEVICE uint64_t b_shift_left(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a << b; }
DS_DEVICE uint64_t b_shift_right(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a >> b; }
DS_DEVICE uint64_t b_bitwise_and(uint64_t a, uint64_t b) { return a & b; }
DS_DEVICE uint64_t b_bitwise_or(uint64_t a, uint64_t b) { return a | b; }
DS_DEVICE uint64_t b_bitwise_xor(uint64_t a, uint64_t b) { return a ^ b; }
DS_DEVICE uint64_t b_prelu(uint64_t a, uint64_t) { return a; }

// Logical (i1).
DS_DEVICE bool b_and(bool a, bool b) { return a && b; }
DS_DEVICE bool b_or(bool a, bool b) { return a || b; }
DS_DEVICE bool b_xor(bool a, bool b) { return a != b; }

// ---- pow ---------------------------------------------------------------------------------------
// Float bases: the exact shortcuts of the cpu backend for exponents 2, 1, -1 and 0.5,
// else pow (f32 in f32; other exponent classes through f64). Integer bases with integer
// exponents: exact and wrapping; with float exponents: pow in f64 truncated like a cast.

DS_DEVICE uint64_t pow_bits(uint64_t base, uint64_t exp) {
  uint64_t result = 1;
  while (exp) {
    if (exp & 1)
      result *= base;
    base *= base;
    exp >>= 1;
  }
  return result;
}

template <class T> DS_DEVICE T pow_shortcut(T a, double e, bool &done) {
  done = true;
  if (e == 2.0)
    return a * a;
  if (e == 1.0)
    return a;
  if (e == -1.0)
    return T(1) / a;
  if (e == 0.5) {
    T s = sizeof(T) == 4 ? static_cast<T>(sqrtf(static_cast<float>(a)))
                         : static_cast<T>(::sqrt(static_cast<double>(a)));
    return a == -static_cast<T>(f64_inf()) ? static_cast<T>(f64_inf()) : s + T(0);
  }
  done = false;
  return a;
}

DS_DEVICE float b_pow(float a, float b) {
  bool done;
  float s = pow_shortcut(a, static_cast<double>(b), done);
  return done ? s : powf(a, b);
}
DS_DEVICE double b_pow(double a, double b) {
  bool done;
  double s = pow_shortcut(a, b, done);
  return done ? s : ::pow(a, b);
}
template <class B> DS_DEVICE float b_pow(float a, B b) {
  bool done;
  float s = pow_shortcut(a, static_cast<double>(b), done);
  return done ? s : static_cast<float>(::pow(static_cast<double>(a), static_cast<double>(b)));
}
template <class B> DS_DEVICE double b_pow(double a, B b) {
  bool done;
  double s = pow_shortcut(a, static_cast<double>(b), done);
  return done ? s : ::pow(a, static_cast<double>(b));
}

// ---- casts -------------------------------------------------------------------------------------

// Truncation toward zero; NaN gives 0, values beyond the range saturate.
template <class F> DS_DEVICE int64_t trunc_i64(F x) {
  if (!(x == x))
    return 0;
  if (x >= static_cast<F>(9223372036854775808.0))
    return 0x7fffffffffffffffll;
  if (x < static_cast<F>(-9223372036854775808.0))
    return static_cast<int64_t>(0x8000000000000000ull);
  return static_cast<int64_t>(x);
}
template <class F> DS_DEVICE uint64_t trunc_u64(F x) {
  if (!(x == x))
    return 0;
  if (x >= static_cast<F>(18446744073709551616.0))
    return 0xffffffffffffffffull;
  if (x >= static_cast<F>(9223372036854775808.0))
    return static_cast<uint64_t>(x);
  return static_cast<uint64_t>(trunc_i64(x));
}

DS_DEVICE int64_t b_pow(int64_t a, int64_t b) {
  if (b < 0) {
    if (a == 1)
      return 1;
    if (a == -1)
      return (b & 1) ? -1 : 1;
    return 0;
  }
  return static_cast<int64_t>(pow_bits(static_cast<uint64_t>(a), static_cast<uint64_t>(b)));
}
DS_DEVICE int64_t b_pow(int64_t a, uint64_t b) {
  return static_cast<int64_t>(pow_bits(static_cast<uint64_t>(a), b));
}
DS_DEVICE int64_t b_pow(int64_t a, float b) {
  return trunc_i64(::pow(static_cast<double>(a), static_cast<double>(b)));
}
DS_DEVICE int64_t b_pow(int64_t a, double b) {
  return trunc_i64(::pow(static_cast<double>(a), b));
}
DS_DEVICE uint64_t b_pow(uint64_t a, uint64_t b) { return pow_bits(a, b); }
DS_DEVICE uint64_t b_pow(uint64_t a, int64_t b) {
  if (b < 0)
    return a == 1 ? 1 : 0;
  return pow_bits(a, static_cast<uint64_t>(b));
}
DS_DEVICE uint64_t b_pow(uint64_t a, float b) {
  return trunc_u64(::pow(static_cast<double>(a), static_cast<double>(b)));
}
DS_DEVICE uint64_t b_pow(uint64_t a, double b) {
  return trunc_u64(::pow(static_cast<double>(a), b));
}

// Round-to-odd f64 -> f32: rounding the result again to a format with <= 22 mantissa
// bits gives the correctly rounded value (no double rounding).
DS_DEVICE float f64_to_f32_round_odd(double d) {
  float f = static_cast<float>(d);
  if (!(f == f) || fabsf(f) == f32_inf() || static_cast<double>(f) == d)
    return f;
  uint32_t bits = float_bits(f);
  if (::fabs(static_cast<double>(f)) > ::fabs(d))
    bits -= 1;
  return bits_float(bits | 1u);
}

// The value nearest to v that the narrow format holds, as f32 (a cast to it).
DS_DEVICE float round_f16(float v) { return f16_load(f16_store(v)); }
DS_DEVICE float round_bf16(float v) { return bf16_load(bf16_store(v)); }
DS_DEVICE float round_f8e4m3fn(float v, bool saturate) {
  return f8e4m3fn_load(f8e4m3fn_store(v, saturate));
}
DS_DEVICE float round_f8e5m2(float v, bool saturate) {
  return f8e5m2_load(f8e5m2_store(v, saturate));
}

// Narrow integer storage re-established on an int64 / uint64 register.
DS_DEVICE int64_t wrap_i8(int64_t v) { return static_cast<int8_t>(v); }
DS_DEVICE int64_t wrap_i16(int64_t v) { return static_cast<int16_t>(v); }
DS_DEVICE int64_t wrap_i32(int64_t v) { return static_cast<int32_t>(v); }
DS_DEVICE uint64_t wrap_u8(uint64_t v) { return static_cast<uint8_t>(v); }
DS_DEVICE uint64_t wrap_u16(uint64_t v) { return static_cast<uint16_t>(v); }
DS_DEVICE uint64_t wrap_u32(uint64_t v) { return static_cast<uint32_t>(v); }

} // namespace ew
} // namespace ds
