//===- Passes.td - ds graph passes ------------------------------*- tablegen -*-===//

#ifndef DS_TRANSFORMS_PASSES_TD
#define DS_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DSFoldShapes : Pass<"ds-fold-shapes", "func::FuncOp"> {
  let summary = "Fold shape sub-graphs and propagate static shapes";
  let description = [{
    Folds every op whose operands are constant (shape_of of static dims, the
    Gather/Concat/arithmetic that exporters build shapes with, reshape targets),
    then re-infers result types so that static dims reach every op, and finally
    updates the function's result types. Dynamic dims that depend on inputs stay `?`.
  }];
  let dependentDialects = ["::mlir::ds::DsDialect"];
}

#endif // DS_TRANSFORMS_PASSES_TD
