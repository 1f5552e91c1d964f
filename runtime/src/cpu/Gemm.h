// cpu backend: the GEMM engine and element helpers shared by the math kernels
// (matmul, linear, attention, moe, matmul_nbits).
//
// gemmF32 multiplies matrices of any float storage type: operands are converted to f32
// while they are packed into panels, products accumulate in f32. With DS_HAVE_CBLAS,
// large f32 products go to cblas_sgemm (OpenBLAS, its thread count set to the pool's);
// otherwise a blocked, packed, register-tiled kernel runs on the ThreadPool.
#pragma once

#include "Kernel.h"

#include <cstdint>
#include <cstring>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace ds::rt::cpu {

// ---- element loads ---------------------------------------------------------------------

inline float bf16BitsToFloat(uint16_t bits) {
  uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float halfBitsToFloat(uint16_t bits) {
#if defined(__F16C__)
  return _cvtsh_ss(bits);
#else
  return halfToFloat(bits);
#endif
}

// Element i of a float (or any) tensor as f32.
inline float loadF32(const void *base, DType dtype, int64_t i) {
  switch (dtype) {
  case DType::F32: return static_cast<const float *>(base)[i];
  case DType::F16: return halfBitsToFloat(static_cast<const uint16_t *>(base)[i]);
  case DType::BF16: return bf16BitsToFloat(static_cast<const uint16_t *>(base)[i]);
  case DType::F64: return static_cast<float>(static_cast<const double *>(base)[i]);
  default: {
    TensorView t;
    t.dtype = dtype;
    t.data = const_cast<void *>(base);
    return static_cast<float>(loadAsDouble(t, i));
  }
  }
}

// Elements [start, start + count) converted to f32.
void loadRowF32(const void *base, DType dtype, int64_t start, int64_t count, float *dst);
// Stores f32 values into elements [start, start + count) of a float tensor (rounding to
// nearest even for f16/bf16, saturating for f8).
void storeRowF32(void *base, DType dtype, int64_t start, int64_t count, const float *src);

// ---- GEMM --------------------------------------------------------------------------------

// A matrix operand: element (r, c) is element `r * rowStride + c * colStride` of `data`.
// A transposed operand is the same storage with the strides swapped.
struct MatView {
  const void *data = nullptr;
  DType dtype = DType::F32;
  int64_t rowStride = 0;
  int64_t colStride = 1;

  static MatView rowMajor(const void *data, DType dtype, int64_t ld, bool transposed = false) {
    return transposed ? MatView{data, dtype, 1, ld} : MatView{data, dtype, ld, 1};
  }
  // The same view starting `elements` further into its storage.
  MatView offset(int64_t elements) const {
    MatView v = *this;
    v.data = static_cast<const char *>(data) + elements * static_cast<int64_t>(dtypeSize(dtype));
    return v;
  }
};

struct GemmOptions {
  // Threads for the product; nullptr runs on the calling thread (use that inside a
  // parallelFor body).
  ThreadPool *pool = nullptr;
  // BLAS may be used (only when pool is set: OpenBLAS runs its own threads).
  bool allowBlas = true;
  // C += A*B instead of C = A*B.
  bool accumulate = false;
};

// C[M, N] (row stride ldc, f32) = A[M, K] * B[K, N]; A and B of any float type.
void gemmF32(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, float *c,
             int64_t ldc, const GemmOptions &options);
// The f64 product (A and B f64).
void gemmF64(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, double *c,
             int64_t ldc, const GemmOptions &options);
// Exact integer product: C (int64) = A * B with operands of any integer type.
void gemmI64(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b, int64_t *c,
             int64_t ldc, const GemmOptions &options);

// Which implementation gemmF32 takes for large f32 products ("openblas" / "builtin"), and
// a switch for tests and benchmarks to force the built-in kernel.
const char *gemmBackendName();
void setGemmBlasEnabled(bool enabled);
bool gemmBlasAvailable();

// ---- families registered by registerCpuMathKernels ----------------------------------------

void registerCpuAttentionKernels(KernelRegistry &registry);  // attention, rope
void registerCpuMoeKernels(KernelRegistry &registry);        // moe
void registerCpuQuantKernels(KernelRegistry &registry);      // quantize, dequantize,
                                                             // dynamic_quantize, matmul_nbits

// Shared checks: a clear error naming the step when an operand's dtype is not a float.
void requireFloat(const KernelContext &ctx, int input, const char *what);

}  // namespace ds::rt::cpu
