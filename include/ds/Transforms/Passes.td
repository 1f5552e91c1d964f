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

def DSFormKernels : Pass<"ds-form-kernels", "func::FuncOp"> {
  let summary = "Group elementwise chains into ds.kernel ops";
  let description = [{
    Moves maximal producer-consumer chains of elementwise ops (`ds.unary`,
    `ds.binary`, `ds.compare`, `ds.select`, `ds.cast`) whose results all have the same
    shape into one `ds.kernel`, so that the runtime sees a single `elementwise` step per
    group. A lone elementwise op becomes a one-op kernel: every elementwise computation
    reaches the bundle as the same step kind.

    * Inputs of a group may have any shape that broadcasts to the group's shape (bias
      vectors, scalars); splat `ds.constant` operands are cloned into the kernel body
      instead of becoming inputs. Other constants stay inputs (weights).
    * The kernel replaces the group at the position of its last op. An op joins a
      producer's group only if every user of that group outside the group comes after
      the op; so the kernel's inputs all dominate it and its users all follow it, and
      no cycle through an outside op (elementwise -> matmul -> elementwise) can form.
    * Results used outside the group (including by `func.return`) become kernel results.
    * The kernel is named after its members (`sigmoid_mul`); its location is the
      `FusedLoc` of the members' locations.
  }];
  let dependentDialects = ["::mlir::ds::DsDialect"];
}

def DSPlanMemory : Pass<"ds-plan-memory", "func::FuncOp"> {
  let summary = "Plan the activation arena: liveness, views, in-place, offsets";
  let description = [{
    Computes the memory plan of docs/bundle.md section 5 over the step order (every op
    of the function body except constants, external weights and the return):

    * Views: the result of `ds.reshape`, `ds.squeeze`, `ds.unsqueeze` and
      `ds.flatten` aliases its data operand (`ds.alias_of`); a view extends the
      liveness of the value it aliases.
    * In place: a `ds.kernel` result reuses the bytes of an input (`ds.inplace_of`)
      when the input is an arena value whose last use is this kernel and the byte
      sizes are equal (for dynamic shapes: same element width and rank, no static dim
      that differs; the runtime checks the sizes).
    * Offsets: values defined by steps, except graph outputs, live in one arena.
      Liveness is [defining step, last use]. Values (merged with their in-place and
      view partners) are sorted by size, largest first, and each is placed at the
      lowest 64-byte aligned offset that does not overlap an already placed value
      with an intersecting live range.

    Attributes written (one entry per result, -1 for none): `ds.offsets` (arena
    offset; only when every shape is static), `ds.alias_of` and `ds.inplace_of`
    (operand index). The function gets `ds.arena_bytes` (the arena's size) when the
    plan is static, and `ds.plan_static`.
  }];
  let dependentDialects = ["::mlir::ds::DsDialect"];
  let statistics = [
    Statistic<"arenaBytesStat", "arena-bytes", "Peak arena bytes of static plans">,
    Statistic<"inplaceCount", "inplace", "Kernel results computed in place">,
    Statistic<"viewCount", "views", "View results that alias their input">,
  ];
}

#endif // DS_TRANSFORMS_PASSES_TD
