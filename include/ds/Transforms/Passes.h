//===- Passes.h - ds graph passes ----------------------------------*- C++ -*-===//
#ifndef DS_TRANSFORMS_PASSES_H
#define DS_TRANSFORMS_PASSES_H

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace ds {

#define GEN_PASS_DECL
#include "ds/Transforms/Passes.h.inc"

/// Folding and type refinement patterns of ds-fold-shapes.
void populateFoldShapesPatterns(RewritePatternSet &patterns);

/// Registers the named pipelines (-O0 .. -O3 equivalents, see docs/passes.md).
void registerPipelines();

#define GEN_PASS_REGISTRATION
#include "ds/Transforms/Passes.h.inc"

} // namespace ds
} // namespace mlir

#endif
