// ds_device.cuh — the device-function layer of generated kernels.
//
// Generated kernels are plain C++ plus what this header provides; they use no CUDA
// construct directly (no threadIdx, __syncthreads, __shfl_*, atomicAdd, __shared__,
// asm). Compiled by NVRTC or nvcc (__CUDACC__) it maps onto CUDA; compiled by a host C++
// compiler it maps onto the emulator (ds_emu.h), so the very same text runs in CI.
//
// Spelling (fixed, documented in docs/cuda.md §"Device-function layer"):
//   DS_KERNEL(name) { ... }         entry point: extern "C" void name(ds::KernelParams params)
//   DS_DEVICE                       helper functions (__device__ __forceinline__ / inline)
//   DS_SHARED T buf[N];             block-shared array (__shared__ / static thread_local)
//   ds::dynamic_shared<T>()         the launch's dynamic shared memory ("shared_bytes")
//   ds::thread_idx_x() ...          indices as functions (never threadIdx.x)
//   ds::sync_block()                __syncthreads
//   ds::shfl_xor/down/up/idx, ballot, any, all     full-warp (32 lanes) collectives
//   ds::atomic_add/max/min/cas      f32, i32, i64, u64 (f32 max/min through CAS)
//   ds::f16, ds::bf16               16-bit storage types; ds::to_float / ds::from_float<T>
//   ds::expf_ ...                   math wrappers
//   ds::mma_m16n8k16_bf16/_f16      tensor-core tile op, PTX fragment layouts
#ifndef DS_DEVICE_CUH
#define DS_DEVICE_CUH

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define DS_CUDA 1
#else
#define DS_CUDA 0
#endif

#if DS_CUDA
#if defined(__CUDACC_RTC__)
// NVRTC compiles without the C library's headers: the fixed-width types by hand, spelled
// as glibc spells them on LP64 (so a redeclaration by another header agrees).
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
#else
#include <cstdint>
#endif
#define DS_DEVICE __device__ __forceinline__
#define DS_SHARED __shared__
#define DS_RESTRICT __restrict__
#define DS_KERNEL(name) extern "C" __global__ void name(ds::KernelParams params)
#define DS_KERNEL_BOUNDS(name, max_threads)                                                \
  extern "C" __global__ void __launch_bounds__(max_threads) name(ds::KernelParams params)
#else
#include <cstdint>
#include <cstring>
#include <cmath>
#define DS_DEVICE inline
// One copy per OS thread; the emulator runs one block at a time per OS thread and poisons
// the copy before each block (docs/cuda.md §Emulator).
#define DS_SHARED static thread_local
#define DS_RESTRICT __restrict__
#define DS_KERNEL(name)                                                                    \
  extern "C" __attribute__((visibility("default"))) void name(ds::KernelParams params)
#define DS_KERNEL_BOUNDS(name, max_threads) DS_KERNEL(name)
#endif

#ifndef DS_MAX_OPERANDS
#define DS_MAX_OPERANDS 16
#endif
#ifndef DS_MAX_DIMS
#define DS_MAX_DIMS 64
#endif
#define DS_MAX_SCALARS 8
#define DS_WARP_SIZE 32

namespace ds {

// Passed by value to every kernel (docs/cuda.md §Kernel ABI): operand pointers (inputs
// then outputs, absent optional operands null), the operands' concrete dims flattened in
// operand order, and plan-time scalars.
struct KernelParams {
  void *ptr[DS_MAX_OPERANDS];
  int64_t dims[DS_MAX_DIMS];
  int64_t scalars[DS_MAX_SCALARS];
};

// Dim k of params.dims. A kernel JIT-compiled for one concrete shape gets the same list
// as constants (-DDS_SPECIALIZED_DIMS={d0,d1,...}, passed by the cuda backend for steps
// with dynamic dims), so its index arithmetic folds; generated code reads dynamic dims
// only through this function.
#ifdef DS_SPECIALIZED_DIMS
DS_DEVICE int64_t dim(const KernelParams &, int k) {
  constexpr int64_t specialized[] = DS_SPECIALIZED_DIMS;
  return specialized[k];
}
#else
DS_DEVICE int64_t dim(const KernelParams &params, int k) { return params.dims[k]; }
#endif

// ---- bit casts -------------------------------------------------------------------------
DS_DEVICE uint32_t float_bits(float f) {
#if DS_CUDA
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}
DS_DEVICE float bits_float(uint32_t u) {
#if DS_CUDA
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}
DS_DEVICE uint64_t double_bits(double d) {
#if DS_CUDA
  return (uint64_t)__double_as_longlong(d);
#else
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
#endif
}
DS_DEVICE double bits_double(uint64_t u) {
#if DS_CUDA
  return __longlong_as_double((long long)u);
#else
  double d;
  std::memcpy(&d, &u, 8);
  return d;
#endif
}

// ---- 16-bit floating-point storage -----------------------------------------------------
// Plain structs over the bits (trivial, so usable in shared memory); conversions use
// integer operations only, round to nearest even, identical on host and device.
struct f16 {
  uint16_t bits;
};
struct bf16 {
  uint16_t bits;
};

DS_DEVICE float f16_to_float(f16 h) {
  uint32_t sign = (uint32_t)(h.bits & 0x8000u) << 16;
  uint32_t exp = (h.bits >> 10) & 0x1fu;
  uint32_t mant = h.bits & 0x3ffu;
  if (exp == 0x1fu) return bits_float(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return bits_float(sign);
    int shift = 0;  // subnormal: normalize the mantissa
    while (!(mant & 0x400u)) {
      mant <<= 1;
      ++shift;
    }
    mant &= 0x3ffu;
    return bits_float(sign | ((uint32_t)(113 - shift) << 23) | (mant << 13));
  }
  return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
}

DS_DEVICE f16 float_to_f16(float f) {
  uint32_t x = float_bits(f);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x >= 0x7f800000u) {  // inf, or NaN kept quiet with its high payload bits
    uint16_t nan = x > 0x7f800000u ? (uint16_t)(0x7e00u | ((x >> 13) & 0x3ffu)) : 0;
    return f16{(uint16_t)(sign | 0x7c00u | nan)};
  }
  if (x >= 0x477ff000u) return f16{(uint16_t)(sign | 0x7c00u)};  // rounds to infinity
  if (x < 0x38800000u) {  // below the smallest normal: subnormal or zero
    if (x < 0x33000000u) return f16{sign};
    uint32_t exp = x >> 23;
    uint32_t mant = (x & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - exp;
    uint32_t result = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (result & 1u))) ++result;
    return f16{(uint16_t)(sign | result)};
  }
  uint32_t result = (x >> 13) - (112u << 10);
  uint32_t rem = x & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (result & 1u))) ++result;
  return f16{(uint16_t)(sign | result)};
}

DS_DEVICE float bf16_to_float(bf16 h) { return bits_float((uint32_t)h.bits << 16); }

DS_DEVICE bf16 float_to_bf16(float f) {
  uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return bf16{(uint16_t)((x >> 16) | 0x40u)};
  x += 0x7fffu + ((x >> 16) & 1u);
  return bf16{(uint16_t)(x >> 16)};
}

// Uniform load/store conversions for templates: compute in float (double for f64).
DS_DEVICE float to_float(f16 v) { return f16_to_float(v); }
DS_DEVICE float to_float(bf16 v) { return bf16_to_float(v); }
DS_DEVICE float to_float(float v) { return v; }
template <class T> DS_DEVICE T from_float(float v) { return (T)v; }
template <> DS_DEVICE f16 from_float<f16>(float v) { return float_to_f16(v); }
template <> DS_DEVICE bf16 from_float<bf16>(float v) { return float_to_bf16(v); }

// Two 16-bit values packed in one 32-bit register, low half = first element (the
// operand format of mma).
DS_DEVICE uint32_t pack2(uint16_t lo, uint16_t hi) { return (uint32_t)lo | ((uint32_t)hi << 16); }
DS_DEVICE uint32_t pack2(bf16 lo, bf16 hi) { return pack2(lo.bits, hi.bits); }
DS_DEVICE uint32_t pack2(f16 lo, f16 hi) { return pack2(lo.bits, hi.bits); }

// ---- mma.m16n8k16 fragment layout ------------------------------------------------------
// PTX ISA "Matrix Fragments for mma.m16n8k16 with floating point type": lane = 4 * groupID
// + threadID_in_group. A (16x16, row-major) element a_i, i in 0..7, lives in register i/2,
// half i%2 (low 16 bits first); B (16x8, "col") element b_i, i in 0..3, in register i/2,
// half i%2; C/D (16x8 fp32) element c_i, i in 0..3, in c[i]. Templates load fragments with
// these maps; the emulator computes mma with them.
DS_DEVICE int mma_a_row(int lane, int i) { return (lane >> 2) + ((i & 2) ? 8 : 0); }
DS_DEVICE int mma_a_col(int lane, int i) { return (lane & 3) * 2 + (i & 1) + ((i & 4) ? 8 : 0); }
DS_DEVICE int mma_b_row(int lane, int i) { return (lane & 3) * 2 + (i & 1) + ((i & 2) ? 8 : 0); }
DS_DEVICE int mma_b_col(int lane, int i) { return lane >> 2; }
DS_DEVICE int mma_c_row(int lane, int i) { return (lane >> 2) + ((i & 2) ? 8 : 0); }
DS_DEVICE int mma_c_col(int lane, int i) { return (lane & 3) * 2 + (i & 1); }

// ---- math wrappers (fp32; libm on the host, CUDA's math library on the device) --------
#if DS_CUDA
DS_DEVICE float expf_(float x) { return expf(x); }
DS_DEVICE float exp2f_(float x) { return exp2f(x); }
DS_DEVICE float logf_(float x) { return logf(x); }
DS_DEVICE float log1pf_(float x) { return log1pf(x); }
DS_DEVICE float expm1f_(float x) { return expm1f(x); }
DS_DEVICE float sqrtf_(float x) { return sqrtf(x); }
DS_DEVICE float rsqrtf_(float x) { return rsqrtf(x); }
DS_DEVICE float tanhf_(float x) { return tanhf(x); }
DS_DEVICE float erff_(float x) { return erff(x); }
DS_DEVICE float sinf_(float x) { return sinf(x); }
DS_DEVICE float cosf_(float x) { return cosf(x); }
DS_DEVICE float powf_(float x, float y) { return powf(x, y); }
DS_DEVICE float fabsf_(float x) { return fabsf(x); }
DS_DEVICE float floorf_(float x) { return floorf(x); }
DS_DEVICE float ceilf_(float x) { return ceilf(x); }
DS_DEVICE float rintf_(float x) { return rintf(x); }
DS_DEVICE float truncf_(float x) { return truncf(x); }
DS_DEVICE float fmodf_(float x, float y) { return fmodf(x, y); }
DS_DEVICE float fmaf_(float a, float b, float c) { return fmaf(a, b, c); }
DS_DEVICE float fmaxf_(float a, float b) { return fmaxf(a, b); }
DS_DEVICE float fminf_(float a, float b) { return fminf(a, b); }
DS_DEVICE bool isnan_(float x) { return isnan(x); }
DS_DEVICE bool isinf_(float x) { return isinf(x); }
DS_DEVICE double exp_(double x) { return exp(x); }
DS_DEVICE double log_(double x) { return log(x); }
DS_DEVICE double sqrt_(double x) { return sqrt(x); }
DS_DEVICE double tanh_(double x) { return tanh(x); }
DS_DEVICE double pow_(double x, double y) { return pow(x, y); }
#else
DS_DEVICE float expf_(float x) { return std::exp(x); }
DS_DEVICE float exp2f_(float x) { return std::exp2(x); }
DS_DEVICE float logf_(float x) { return std::log(x); }
DS_DEVICE float log1pf_(float x) { return std::log1p(x); }
DS_DEVICE float expm1f_(float x) { return std::expm1(x); }
DS_DEVICE float sqrtf_(float x) { return std::sqrt(x); }
DS_DEVICE float rsqrtf_(float x) { return 1.0f / std::sqrt(x); }
DS_DEVICE float tanhf_(float x) { return std::tanh(x); }
DS_DEVICE float erff_(float x) { return std::erf(x); }
DS_DEVICE float sinf_(float x) { return std::sin(x); }
DS_DEVICE float cosf_(float x) { return std::cos(x); }
DS_DEVICE float powf_(float x, float y) { return std::pow(x, y); }
DS_DEVICE float fabsf_(float x) { return std::fabs(x); }
DS_DEVICE float floorf_(float x) { return std::floor(x); }
DS_DEVICE float ceilf_(float x) { return std::ceil(x); }
DS_DEVICE float rintf_(float x) { return std::nearbyint(x); }
DS_DEVICE float truncf_(float x) { return std::trunc(x); }
DS_DEVICE float fmodf_(float x, float y) { return std::fmod(x, y); }
DS_DEVICE float fmaf_(float a, float b, float c) { return std::fma(a, b, c); }
DS_DEVICE float fmaxf_(float a, float b) { return std::fmax(a, b); }
DS_DEVICE float fminf_(float a, float b) { return std::fmin(a, b); }
DS_DEVICE bool isnan_(float x) { return std::isnan(x); }
DS_DEVICE bool isinf_(float x) { return std::isinf(x); }
DS_DEVICE double exp_(double x) { return std::exp(x); }
DS_DEVICE double log_(double x) { return std::log(x); }
DS_DEVICE double sqrt_(double x) { return std::sqrt(x); }
DS_DEVICE double tanh_(double x) { return std::tanh(x); }
DS_DEVICE double pow_(double x, double y) { return std::pow(x, y); }
#endif
DS_DEVICE float inf_f32() { return bits_float(0x7f800000u); }
DS_DEVICE float nan_f32() { return bits_float(0x7fc00000u); }

} // namespace ds

#if DS_CUDA

namespace ds {

// ---- indices ---------------------------------------------------------------------------
DS_DEVICE unsigned thread_idx_x() { return threadIdx.x; }
DS_DEVICE unsigned thread_idx_y() { return threadIdx.y; }
DS_DEVICE unsigned thread_idx_z() { return threadIdx.z; }
DS_DEVICE unsigned block_idx_x() { return blockIdx.x; }
DS_DEVICE unsigned block_idx_y() { return blockIdx.y; }
DS_DEVICE unsigned block_idx_z() { return blockIdx.z; }
DS_DEVICE unsigned block_dim_x() { return blockDim.x; }
DS_DEVICE unsigned block_dim_y() { return blockDim.y; }
DS_DEVICE unsigned block_dim_z() { return blockDim.z; }
DS_DEVICE unsigned grid_dim_x() { return gridDim.x; }
DS_DEVICE unsigned grid_dim_y() { return gridDim.y; }
DS_DEVICE unsigned grid_dim_z() { return gridDim.z; }
// Linear thread index within the block (x fastest), its lane and warp.
DS_DEVICE unsigned thread_linear() {
  return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}
DS_DEVICE unsigned lane_id() { return thread_linear() & 31u; }
DS_DEVICE unsigned warp_id() { return thread_linear() >> 5; }

template <class T> DS_DEVICE T *dynamic_shared() {
  extern __shared__ __align__(16) unsigned char ds_dynamic_smem[];
  return reinterpret_cast<T *>(ds_dynamic_smem);
}

// ---- synchronization -------------------------------------------------------------------
DS_DEVICE void sync_block() { __syncthreads(); }
DS_DEVICE void sync_warp() { __syncwarp(); }
DS_DEVICE void thread_fence() { __threadfence(); }
DS_DEVICE void yield_point() {}  // an emulator scheduling point; nothing on the device

// ---- warp collectives (all 32 lanes participate) ---------------------------------------
template <class T> DS_DEVICE T shfl_xor(T v, int lane_mask) {
  return __shfl_xor_sync(0xffffffffu, v, lane_mask);
}
template <class T> DS_DEVICE T shfl_down(T v, unsigned delta) {
  return __shfl_down_sync(0xffffffffu, v, delta);
}
template <class T> DS_DEVICE T shfl_up(T v, unsigned delta) {
  return __shfl_up_sync(0xffffffffu, v, delta);
}
template <class T> DS_DEVICE T shfl_idx(T v, int src_lane) {
  return __shfl_sync(0xffffffffu, v, src_lane);
}
// 16-bit storage types travel as their bits.
template <> DS_DEVICE f16 shfl_xor<f16>(f16 v, int m) {
  return f16{(uint16_t)__shfl_xor_sync(0xffffffffu, (unsigned)v.bits, m)};
}
template <> DS_DEVICE bf16 shfl_xor<bf16>(bf16 v, int m) {
  return bf16{(uint16_t)__shfl_xor_sync(0xffffffffu, (unsigned)v.bits, m)};
}
template <> DS_DEVICE f16 shfl_down<f16>(f16 v, unsigned d) {
  return f16{(uint16_t)__shfl_down_sync(0xffffffffu, (unsigned)v.bits, d)};
}
template <> DS_DEVICE bf16 shfl_down<bf16>(bf16 v, unsigned d) {
  return bf16{(uint16_t)__shfl_down_sync(0xffffffffu, (unsigned)v.bits, d)};
}
template <> DS_DEVICE f16 shfl_up<f16>(f16 v, unsigned d) {
  return f16{(uint16_t)__shfl_up_sync(0xffffffffu, (unsigned)v.bits, d)};
}
template <> DS_DEVICE bf16 shfl_up<bf16>(bf16 v, unsigned d) {
  return bf16{(uint16_t)__shfl_up_sync(0xffffffffu, (unsigned)v.bits, d)};
}
template <> DS_DEVICE f16 shfl_idx<f16>(f16 v, int s) {
  return f16{(uint16_t)__shfl_sync(0xffffffffu, (unsigned)v.bits, s)};
}
template <> DS_DEVICE bf16 shfl_idx<bf16>(bf16 v, int s) {
  return bf16{(uint16_t)__shfl_sync(0xffffffffu, (unsigned)v.bits, s)};
}
DS_DEVICE uint32_t ballot(bool pred) { return __ballot_sync(0xffffffffu, pred); }
DS_DEVICE bool any(bool pred) { return __any_sync(0xffffffffu, pred) != 0; }
DS_DEVICE bool all(bool pred) { return __all_sync(0xffffffffu, pred) != 0; }

// ---- atomics (return the old value) ----------------------------------------------------
DS_DEVICE float atomic_add(float *p, float v) { return atomicAdd(p, v); }
DS_DEVICE int32_t atomic_add(int32_t *p, int32_t v) { return atomicAdd(p, v); }
DS_DEVICE int64_t atomic_add(int64_t *p, int64_t v) {
  return (int64_t)atomicAdd((unsigned long long *)p, (unsigned long long)v);
}
DS_DEVICE uint64_t atomic_add(uint64_t *p, uint64_t v) {
  return (uint64_t)atomicAdd((unsigned long long *)p, (unsigned long long)v);
}
DS_DEVICE int32_t atomic_cas(int32_t *p, int32_t expected, int32_t desired) {
  return atomicCAS(p, expected, desired);
}
DS_DEVICE int64_t atomic_cas(int64_t *p, int64_t expected, int64_t desired) {
  return (int64_t)atomicCAS((unsigned long long *)p, (unsigned long long)expected,
                            (unsigned long long)desired);
}
DS_DEVICE uint64_t atomic_cas(uint64_t *p, uint64_t expected, uint64_t desired) {
  return (uint64_t)atomicCAS((unsigned long long *)p, (unsigned long long)expected,
                             (unsigned long long)desired);
}
DS_DEVICE float atomic_cas(float *p, float expected, float desired) {
  return __uint_as_float(
      atomicCAS((unsigned *)p, __float_as_uint(expected), __float_as_uint(desired)));
}
DS_DEVICE int32_t atomic_max(int32_t *p, int32_t v) { return atomicMax(p, v); }
DS_DEVICE int32_t atomic_min(int32_t *p, int32_t v) { return atomicMin(p, v); }
DS_DEVICE int64_t atomic_max(int64_t *p, int64_t v) { return atomicMax((long long *)p, (long long)v); }
DS_DEVICE int64_t atomic_min(int64_t *p, int64_t v) { return atomicMin((long long *)p, (long long)v); }
DS_DEVICE uint64_t atomic_max(uint64_t *p, uint64_t v) {
  return atomicMax((unsigned long long *)p, (unsigned long long)v);
}
DS_DEVICE uint64_t atomic_min(uint64_t *p, uint64_t v) {
  return atomicMin((unsigned long long *)p, (unsigned long long)v);
}

// ---- tensor cores ----------------------------------------------------------------------
// D = A * B + C for one 16x16 (row) by 16x8 (col) tile, fp32 accumulate; fragments in the
// PTX ISA layout "Matrix Fragments for mma.m16n8k16" (see ds_emu.h for the mapping).
DS_DEVICE void mma_m16n8k16_bf16(float d[4], const uint32_t a[4], const uint32_t b[2],
                                 const float c[4]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
                 "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
}
DS_DEVICE void mma_m16n8k16_f16(float d[4], const uint32_t a[4], const uint32_t b[2],
                                const float c[4]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
               "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
                 "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
}

} // namespace ds

#else
#include "ds_emu.h"
#endif

#if DS_CUDA || !defined(DS_EMU_RUNTIME_SIDE)
namespace ds {
// f32 max/min through CAS on both targets (NaN-propagating like the cpu kernels: a NaN
// operand wins).
DS_DEVICE float atomic_max(float *p, float v) {
  float old = *p;
  for (;;) {
    bool replace = isnan_(v) ? !isnan_(old) : (!isnan_(old) && v > old);
    if (!replace) return old;
    float seen = atomic_cas(p, old, v);
    if (float_bits(seen) == float_bits(old)) return old;
    old = seen;
  }
}
DS_DEVICE float atomic_min(float *p, float v) {
  float old = *p;
  for (;;) {
    bool replace = isnan_(v) ? !isnan_(old) : (!isnan_(old) && v < old);
    if (!replace) return old;
    float seen = atomic_cas(p, old, v);
    if (float_bits(seen) == float_bits(old)) return old;
    old = seen;
  }
}
} // namespace ds
#endif

#endif // DS_DEVICE_CUH
