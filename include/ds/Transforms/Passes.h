//===- Passes.h - ds graph passes ----------------------------------*- C++ -*-===//
#ifndef DS_TRANSFORMS_PASSES_H
#define DS_TRANSFORMS_PASSES_H

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class OpPassManager;
class RewritePatternSet;
namespace ds {

#define GEN_PASS_DECL
#include "ds/Transforms/Passes.h.inc"

/// Folding and type refinement patterns of ds-fold-shapes.
void populateFoldShapesPatterns(RewritePatternSet &patterns);

/// Whether `op` is one of the ops ds-form-kernels groups (unary, binary, compare,
/// select, cast): the ops an `elementwise` bundle step can run.
bool isKernelElementwiseOp(Operation *op);

/// Whether `value` is a splat `ds.constant` (cloned into kernels, not an input).
bool isSplatConstant(Value value);

/// Registers the named pipelines (-O0 .. -O3 equivalents, see docs/passes.md).
void registerPipelines();

/// The passes that prepare a module for bundle emission (`ds-lower-to-bundle`):
/// ds-fold-shapes, canonicalize, cse, ds-form-kernels, ds-plan-memory.
void buildLowerToBundlePipeline(OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "ds/Transforms/Passes.h.inc"

} // namespace ds
} // namespace mlir

#endif
