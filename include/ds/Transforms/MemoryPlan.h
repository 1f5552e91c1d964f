//===- MemoryPlan.h - the step order and plan attributes ----------*- C++ -*-===//
//
// Shared by ds-plan-memory (which writes the plan) and the bundle writer (which
// serializes it): both must agree on what a step is and where the plan lives.
//
//===----------------------------------------------------------------------===//
#ifndef DS_TRANSFORMS_MEMORYPLAN_H
#define DS_TRANSFORMS_MEMORYPLAN_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"
#include <optional>

namespace mlir::ds {

/// Per-result arena offsets (DenseI64ArrayAttr, -1: not in the arena).
inline constexpr llvm::StringLiteral kOffsetsAttr = "ds.offsets";
/// Per-result operand index the result is a view of (DenseI64ArrayAttr, -1: none).
inline constexpr llvm::StringLiteral kAliasOfAttr = "ds.alias_of";
/// Per-result operand index whose bytes the result overwrites (DenseI64ArrayAttr).
inline constexpr llvm::StringLiteral kInplaceOfAttr = "ds.inplace_of";
/// Function attribute: bytes of the static arena (I64), absent for dynamic plans.
inline constexpr llvm::StringLiteral kArenaBytesAttr = "ds.arena_bytes";
/// Function attribute: whether the plan has offsets (BoolAttr).
inline constexpr llvm::StringLiteral kPlanStaticAttr = "ds.plan_static";
/// Alignment of every arena offset and of every weight in weights.bin.
inline constexpr int64_t kBundleAlignment = 64;

/// Whether `op` (in a function body) is a step of the bundle: everything except
/// constants and external weights (which become weights) and the terminator.
bool isBundleStep(Operation *op);

/// Whether `op` is a view: its result shares the bytes of operand 0.
bool isViewOp(Operation *op);

/// Bytes one element of `elementType` takes in a bundle (i1: one byte).
int64_t bundleElementBytes(Type elementType);

/// Bytes of a tensor in a bundle; nullopt for a dynamic shape or an overflow.
std::optional<int64_t> bundleTensorBytes(RankedTensorType type);

} // namespace mlir::ds

#endif
