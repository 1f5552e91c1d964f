// Scalar building blocks of the cpu elementwise kernels: branch-free float functions
// that GCC and Clang auto-vectorize (exp, tanh, erf and the activations built on them),
// the exact integer operations of the int64/uint64 compute classes, and fast storage
// conversions for f16, bf16 and f8.
//
// Everything here is inline and free of calls into libm on the hot f32 paths so that a
// loop `for (i) out[i] = f(a[i])` compiles to SIMD code at -O3 -march=native.
#pragma once

#include "Kernel.h"
#include "ds_math.cuh"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace ds::rt::ew {

template <class To, class From> inline To bitCast(From v) {
  static_assert(sizeof(To) == sizeof(From));
  To out;
  std::memcpy(&out, &v, sizeof(To));
  return out;
}

// ---- float functions ------------------------------------------------------------------

// exp, sigmoid, tanh and erf: the polynomials shared with the generated CUDA kernels.
inline float expF32(float x) { return ::ds::math::exp_f32(x); }
inline float sigmoidF32(float x) { return ::ds::math::sigmoid_f32(x); }
inline float tanhF32(float x) { return ::ds::math::tanh_f32(x); }
inline float erfF32(float x) { return ::ds::math::erf_f32(x); }
inline float onePlusErfF32(float z) { return ::ds::math::one_plus_erf_f32(z); }

inline float geluF32(float x) { return 0.5f * x * onePlusErfF32(x * 0.70710678118654752f); }

// 0.5x(1 + tanh(u)) == x * sigmoid(2u): exp only, no cancellation for negative x.
inline float geluTanhF32(float x) {
  float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
  return x * sigmoidF32(2.0f * u);
}

// ---- exact integer operations -----------------------------------------------------------
// Signed integers compute in int64 and wrap in two's complement (through uint64, so no
// signed overflow UB); the storage type is re-established after every instruction.

inline int64_t wrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t wrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
inline int64_t wrapNeg(int64_t a) { return static_cast<int64_t>(0 - static_cast<uint64_t>(a)); }

// Division by zero gives 0 (ONNX leaves it undefined; a defined value instead of a trap);
// INT64_MIN / -1 wraps to INT64_MIN.
inline int64_t divI64(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return wrapNeg(a);
  return a / b;
}
inline uint64_t divU64(uint64_t a, uint64_t b) { return b == 0 ? 0 : a / b; }
// C remainder (sign of the dividend); x % 0 gives 0.
inline int64_t fmodI64(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  return a % b;
}
// Python remainder (sign of the divisor).
inline int64_t modI64(int64_t a, int64_t b) {
  int64_t r = fmodI64(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
inline uint64_t modU64(uint64_t a, uint64_t b) { return b == 0 ? 0 : a % b; }

// Shifts by at least the width give 0 (left, logical right) or the sign fill
// (arithmetic right); a negative amount counts as a huge one.
inline int64_t shlI64(int64_t a, int64_t b) {
  return (b < 0 || b >= 64) ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a) << b);
}
inline int64_t shrI64(int64_t a, int64_t b) { return a >> ((b < 0 || b >= 64) ? 63 : b); }
inline uint64_t shlU64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a << b; }
inline uint64_t shrU64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a >> b; }

// Exact power by squaring, wrapping like repeated multiplication.
inline uint64_t powBits(uint64_t base, uint64_t exp) {
  uint64_t result = 1;
  while (exp) {
    if (exp & 1) result *= base;
    base *= base;
    exp >>= 1;
  }
  return result;
}
// Negative exponents: 1 and -1 keep their exact powers, other bases truncate to 0 (0
// included: ONNX leaves 0^-n undefined for integers).
inline int64_t powI64(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp & 1) ? -1 : 1;
    return 0;
  }
  return static_cast<int64_t>(powBits(static_cast<uint64_t>(base), static_cast<uint64_t>(exp)));
}

// ---- float -> integer conversion --------------------------------------------------------
// Truncation toward zero (ONNX Cast). NaN gives 0 and values beyond int64 saturate; the
// result then wraps into the storage type as C's integer conversions do (-1.0 -> ui8 is
// 255, as onnxruntime and numpy give on x86).
template <class F> inline int64_t truncToI64(F x) {
  if (!(x == x)) return 0;
  if (x >= static_cast<F>(9223372036854775808.0)) return std::numeric_limits<int64_t>::max();
  if (x < static_cast<F>(-9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(x);
}
template <class F> inline uint64_t truncToU64(F x) {
  if (!(x == x)) return 0;
  if (x >= static_cast<F>(18446744073709551616.0)) return std::numeric_limits<uint64_t>::max();
  if (x >= static_cast<F>(9223372036854775808.0)) return static_cast<uint64_t>(x);
  return static_cast<uint64_t>(truncToI64(x));
}

// ---- narrow float formats ----------------------------------------------------------------

inline float bf16Load(uint16_t bits) { return bitCast<float>(static_cast<uint32_t>(bits) << 16); }
// Round to nearest even; NaN stays a (quiet) NaN.
inline uint16_t bf16Store(float v) {
  uint32_t x = bitCast<uint32_t>(v);
  uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1)) >> 16;
  uint32_t nan = (x >> 16) | 0x40u;
  return static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

// Round-to-nearest-even encoding of f32 into a small float with `mb` mantissa bits and
// exponent bias `bias`; `maxCode` is the largest finite magnitude code. Overflow gives
// `overflowCode` (inf or NaN) or, when saturating, the largest finite value.
inline uint8_t encodeF8(float v, int mb, int bias, uint8_t maxCode, uint8_t infCode,
                        bool hasInf, bool saturate) {
  uint32_t x = bitCast<uint32_t>(v);
  uint8_t sign = static_cast<uint8_t>((x >> 24) & 0x80u);
  uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return 0x7f;  // NaN
  uint8_t overflow = saturate ? maxCode : (hasInf ? infCode : 0x7f);
  if (ax == 0x7f800000u) return static_cast<uint8_t>(sign | overflow);
  float a = bitCast<float>(ax);
  // Smallest normal of the target is 2^(1-bias).
  uint32_t minNormalBits = static_cast<uint32_t>(127 + 1 - bias) << 23;
  uint32_t code;
  if (ax < minNormalBits) {
    // Subnormal: the mantissa is a / 2^(1-bias-mb), rounded to nearest even (the
    // scaling is exact, nearbyint rounds ties to even). A carry into 1<<mb is exactly
    // the smallest normal's code.
    float scaled = a * std::ldexp(1.0f, bias - 1 + mb);
    code = static_cast<uint32_t>(std::nearbyint(scaled));
  } else {
    int shift = 23 - mb;
    uint32_t r = (ax + ((1u << (shift - 1)) - 1) + ((ax >> shift) & 1)) >> shift;
    code = r - (static_cast<uint32_t>(127 - bias) << mb);
  }
  if (code > maxCode) return static_cast<uint8_t>(sign | overflow);
  return static_cast<uint8_t>(sign | code);
}
inline uint8_t f8e4m3fnStore(float v, bool saturate) {
  return encodeF8(v, 3, 7, 0x7e, 0x7f, false, saturate);
}
inline uint8_t f8e5m2Store(float v, bool saturate) {
  return encodeF8(v, 2, 15, 0x7b, 0x7c, true, saturate);
}

// The value nearest to v that f16 / bf16 / f8 can hold, as f32 (what a cast to that type
// followed by a cast back gives).
float roundToF16(float v);
inline float roundToBf16(float v) { return bf16Load(bf16Store(v)); }

// Round-to-odd f64 -> f32: rounding that result again to any format with at most 22
// mantissa bits gives the correctly rounded value (no double-rounding error).
inline float f64ToF32RoundOdd(double d) {
  float f = static_cast<float>(d);
  if (!(f == f) || std::isinf(f) || static_cast<double>(f) == d) return f;
  uint32_t bits = bitCast<uint32_t>(f);
  // Step back toward zero when nearest rounding went away from zero.
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) bits -= 1;
  return bitCast<float>(bits | 1u);
}

}  // namespace ds::rt::ew
