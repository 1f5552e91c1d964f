// f32 exp, sigmoid, tanh and erf as branch-free polynomials, shared by the cpu backend
// (runtime/src/cpu/ElementwiseMath.h, where GCC/Clang auto-vectorize them) and the
// generated CUDA kernels (elementwise.cuh and the other templates, compiled by NVRTC and
// by the emulator), so the backends compute the same function. Self-contained: it
// needs neither ds_device.cuh nor the emulator, so cpu code can include it.
// Results can still differ in the last ulp where a compiler contracts a * b + c into an
// FMA (nvcc and GCC at -O3 -march=native do; the emulator's -O1 host build does not).
#ifndef DS_MATH_CUH
#define DS_MATH_CUH

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define DS_MATH_FN __device__ __forceinline__
#if defined(__CUDACC_RTC__)
typedef int int32_t;
typedef unsigned int uint32_t;
#endif
#else
#define DS_MATH_FN inline
#include <cmath>
#include <cstdint>
#include <cstring>
#endif

namespace ds {
namespace math {

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
DS_MATH_FN float f32_from_bits(uint32_t bits) { return __uint_as_float(bits); }
DS_MATH_FN float abs_f32(float x) { return fabsf(x); }
DS_MATH_FN float copysign_f32(float x, float s) { return copysignf(x, s); }
#else
DS_MATH_FN float f32_from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
DS_MATH_FN float abs_f32(float x) { return std::fabs(x); }
DS_MATH_FN float copysign_f32(float x, float s) { return std::copysign(x, s); }
#endif

// e^x in f32 with ~1 ulp error: x = n ln2 + r, |r| <= ln2/2, a degree-6 minimax
// polynomial for e^r, and the scale 2^n applied as two halves so that results in the
// subnormal range and overflow to +inf come out right. NaN propagates.
DS_MATH_FN float exp_f32(float x) {
  const float lo = -104.0f, hi = 89.0f;
  float xc = x < lo ? lo : x;
  xc = xc > hi ? hi : xc;
  xc = xc == xc ? xc : 0.0f;  // NaN handled at the end; keep the int conversion defined
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float n = (xc * 1.44269504088896341f + magic) - magic;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t ni = static_cast<int32_t>(n);
  int32_t n1 = ni >> 1, n2 = ni - n1;
  float s1 = f32_from_bits(static_cast<uint32_t>((n1 + 127) << 23));
  float s2 = f32_from_bits(static_cast<uint32_t>((n2 + 127) << 23));
  float result = p * s1 * s2;
  return x == x ? result : x;
}

DS_MATH_FN float sigmoid_f32(float x) { return 1.0f / (1.0f + exp_f32(-x)); }

// tanh: an odd polynomial near zero (where 1 - 2/(e^2x + 1) would cancel), the exp form
// elsewhere, saturated to +-1 beyond 9 (tanh(9) rounds to 1 in f32).
DS_MATH_FN float tanh_f32(float x) {
  float a = abs_f32(x);
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = x + x * z * p;
  float ac = a > 9.0f ? 9.0f : a;
  float big = 1.0f - 2.0f / (exp_f32(2.0f * ac) + 1.0f);
  big = copysign_f32(big, x);
  float result = a < 0.625f ? small : big;
  return x == x ? result : x;
}

// erfc(a) for a in [0.9, 4] as exp(Q(a - 2.45)); Q is a least-squares fit of
// log(erfc) (max error 1.2e-8). Below 4e-8 relative accuracy is not needed in f32 sums.
DS_MATH_FN float erfc_tail_f32(float a) {
  float t = a - 2.45f;
  float q = -3.162655776e-08f;
  q = q * t + 1.610217242e-06f;
  q = q * t - 1.378109411e-05f;
  q = q * t + 8.218190639e-05f;
  q = q * t - 4.443917359e-04f;
  q = q * t + 2.273136820e-03f;
  q = q * t - 1.130203273e-02f;
  q = q * t - 9.422318445e-01f;
  q = q * t - 5.258373891e+00f;
  q = q * t - 7.541539607e+00f;
  return exp_f32(q);
}

// erf(x)/x as a polynomial in x^2 on [0, 0.9] (least-squares fit, relative error 3e-10).
DS_MATH_FN float erf_small_ratio_f32(float z) {
  float p = 8.552809578290184e-05f;
  p = p * z - 8.185879401718124e-04f;
  p = p * z + 5.204866479104728e-03f;
  p = p * z - 2.686097742257299e-02f;
  p = p * z + 1.128372536533179e-01f;
  p = p * z - 3.761263589774705e-01f;
  p = p * z + 1.128379166954326e+00f;
  return p;
}

DS_MATH_FN float erf_f32(float x) {
  float a = abs_f32(x);
  float small = x * erf_small_ratio_f32(x * x);
  float ac = a > 4.0f ? 4.0f : (a < 0.9f ? 0.9f : a);
  float big = copysign_f32(1.0f - erfc_tail_f32(ac), x);
  big = a > 4.0f ? copysign_f32(1.0f, x) : big;
  float result = a < 0.9f ? small : big;
  return x == x ? result : x;
}

// 1 + erf(z), accurate in relative terms also where erf(z) is close to -1 (the negative
// tail of gelu): there it is erfc(-z) directly.
DS_MATH_FN float one_plus_erf_f32(float z) {
  float a = abs_f32(z);
  float small = 1.0f + z * erf_small_ratio_f32(z * z);
  float ac = a > 4.0f ? 4.0f : (a < 0.9f ? 0.9f : a);
  float tail = erfc_tail_f32(ac);
  tail = a > 4.0f ? 0.0f : tail;
  float big = z < 0 ? tail : 2.0f - tail;
  float result = a < 0.9f ? small : big;
  return z == z ? result : z;
}

}  // namespace math
}  // namespace ds

#endif  // DS_MATH_CUH
