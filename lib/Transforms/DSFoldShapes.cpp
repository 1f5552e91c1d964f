//===- DSFoldShapes.cpp - fold shape sub-graphs, propagate static shapes --===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ds-fold-shapes"

namespace mlir::ds {
#define GEN_PASS_DEF_DSFOLDSHAPES
#include "ds/Transforms/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

/// Replaces a ds op's result types by the inferred ones when those are more static
/// (a `?` that the operands now determine). Users see a refined type, which every
/// ds op accepts.
struct RefineResultTypes : public OpInterfaceRewritePattern<InferTypeOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(InferTypeOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (!isa<DsDialect>(op->getDialect()))
      return rewriter.notifyMatchFailure(op, "not a ds op");
    SmallVector<Type> inferred;
    if (failed(op.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                   op->getAttrDictionary(), op->getPropertiesStorage(),
                                   op->getRegions(), inferred)))
      return rewriter.notifyMatchFailure(op, "type inference failed");
    bool changed = false;
    SmallVector<Type> refined;
    for (auto [oldType, newType] : llvm::zip(op->getResultTypes(), inferred)) {
      auto oldT = dyn_cast<RankedTensorType>(oldType);
      auto newT = dyn_cast<RankedTensorType>(newType);
      if (!oldT || !newT || oldT.getRank() != newT.getRank()) {
        refined.push_back(oldType);
        continue;
      }
      SmallVector<int64_t> dims(oldT.getShape());
      for (auto [i, d] : llvm::enumerate(newT.getShape()))
        if (ShapedType::isDynamic(dims[i]) && !ShapedType::isDynamic(d)) {
          dims[i] = d;
          changed = true;
        }
      refined.push_back(oldT.clone(dims));
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "result types are already as static");
    rewriter.modifyOpInPlace(op, [&] {
      for (auto [result, type] : llvm::zip(op->getResults(), refined))
        result.setType(type);
    });
    return success();
  }
};

struct DSFoldShapesPass : public ds::impl::DSFoldShapesBase<DSFoldShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;  // a declaration has no body to fold
    RewritePatternSet patterns(&getContext());
    populateFoldShapesPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      LLVM_DEBUG(llvm::dbgs() << "ds-fold-shapes: did not converge\n");
    // Refined types may reach the return: keep the signature in step.
    auto ret = dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
    if (!ret)
      return;
    func.setFunctionType(FunctionType::get(&getContext(),
                                           func.getArgumentTypes(),
                                           ret.getOperandTypes()));
  }
};

} // namespace

void mlir::ds::populateFoldShapesPatterns(RewritePatternSet &patterns) {
  patterns.add<RefineResultTypes>(patterns.getContext());
  // Canonicalizations of ds ops simplify what the folders leave.
  MLIRContext *ctx = patterns.getContext();
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    if (name.getDialectNamespace() == DsDialect::getDialectNamespace())
      name.getCanonicalizationPatterns(patterns, ctx);
}
