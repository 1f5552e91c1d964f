//===- CudaCodegenInternal.h - shared by the kernel families ------*- C++ -*-===//
#ifndef DS_LIB_TARGET_CUDA_CUDACODEGENINTERNAL_H
#define DS_LIB_TARGET_CUDA_CUDACODEGENINTERNAL_H

#include "ds/Target/Cuda/CudaCodegen.h"

namespace mlir::ds::cuda {

/// Where a generated text puts its kernel name (see finishKernel).
inline constexpr llvm::StringLiteral kKernelNamePlaceholder = "@KERNEL@";

/// Limits of ds_device.cuh's KernelParams.
inline constexpr int64_t kMaxOperands = 16; // DS_MAX_OPERANDS
inline constexpr int64_t kMaxDims = 64;     // DS_MAX_DIMS

/// Family generators (one per step kind).
llvm::Expected<GeneratedKernel> generateElementwiseKernel(const StepInfo &step);

} // namespace mlir::ds::cuda

#endif
