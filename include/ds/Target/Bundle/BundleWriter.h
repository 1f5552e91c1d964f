//===- BundleWriter.h - write a module as a ds bundle -------------*- C++ -*-===//
//
// A bundle (docs/bundle.md) is the directory NAME.dsb/ with manifest.json, steps.json
// and weights.bin. The module must have been through the ds-lower-to-bundle pipeline:
// elementwise ops inside ds.kernel ops, and the memory plan attributes of
// ds-plan-memory on the steps.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_BUNDLE_BUNDLEWRITER_H
#define DS_TARGET_BUNDLE_BUNDLEWRITER_H

#include "ds/Target/Cuda/CudaCodegen.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace mlir::ds {

/// Bundle format version written in manifest.json and steps.json.
inline constexpr int64_t kBundleFormatVersion = 1;

struct BundleOptions {
  /// Directory that `ds.external_weight` locations are relative to: the directory of
  /// the model the module was imported from.
  std::string modelDir = ".";
  /// What wrote the bundle (manifest `producer`).
  std::string producer = "ds-opt";
  /// CUDA kernel generation (kernels/K.cu) and ahead-of-time compilation.
  cuda::CudaOptions cuda;
};

/// Writes `module` as the bundle directory `bundlePath`. The bundle is built in
/// `bundlePath.tmp-PID` and renamed over `bundlePath` (replacing an older bundle) only
/// when complete. On failure, reports errors at the offending op's location and leaves
/// nothing behind.
LogicalResult writeBundle(ModuleOp module, StringRef bundlePath,
                          const BundleOptions &options);

} // namespace mlir::ds

#endif
