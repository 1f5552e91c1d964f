//===- DsUtils.h - shape and type helpers shared by ds ops --------*- C++ -*-===//
#ifndef DS_DIALECT_DS_IR_DSUTILS_H
#define DS_DIALECT_DS_IR_DSUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mlir::ds {

/// Result types are compatible with the inferred ones when element types are equal and
/// each dim either matches or one side is dynamic: the IR may carry a refined type.
bool areCompatibleReturnTypes(TypeRange inferred, TypeRange actual);

/// A type as MLIR prints it (`f32`, `tensor<2x?xbf16>`), for messages.
std::string typeToString(Type type);

/// Prints a shape as `2x?x64` for diagnostics.
std::string shapeToString(ArrayRef<int64_t> shape);

/// Numpy broadcast of two shapes. Returns failure (with a diagnostic at `loc` when given)
/// when two static dims differ and neither is 1.
LogicalResult broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                              SmallVectorImpl<int64_t> &result,
                              std::optional<Location> loc = std::nullopt);

/// Numpy broadcast that never fails: a dim the shapes disagree on becomes dynamic.
/// Type inference uses it so that verifiers report the mismatch with its values.
SmallVector<int64_t> broadcastShapesLenient(ArrayRef<int64_t> lhs,
                                            ArrayRef<int64_t> rhs);

/// Normalizes an axis in [-rank, rank) to [0, rank); failure when out of range.
FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Reads a small integer constant tensor (shape, axes, indices) if `value` is defined
/// by a constant-like op.
std::optional<SmallVector<int64_t>> getConstantInts(Value value);

/// Element count of a static shape, or nullopt on a dynamic dim or overflow.
std::optional<int64_t> staticElementCount(ArrayRef<int64_t> shape);

/// Float conversions for folders, which compute in double and round to the element
/// type (round to nearest, ties to even).
double toDouble(const APFloat &value);
APFloat fromDouble(double value, const llvm::fltSemantics &semantics);

/// The largest constant a folder materializes; bigger results stay as ops.
constexpr int64_t kMaxFoldElements = 1 << 16;

} // namespace mlir::ds

namespace mlir::ds {
/// Verifies that every result type of an InferTypeOpInterface op refines (is as or
/// more static than, and compatible with) the type inferred from its operands.
LogicalResult verifyRefinesInferredType(Operation *op);

template <typename ConcreteType>
class RefinesInferredType : public OpTrait::TraitBase<ConcreteType, RefinesInferredType> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyRefinesInferredType(op);
  }
};
} // namespace mlir::ds

/// Defines the `isCompatibleReturnTypes` hook that InferTypeOpAdaptorWithIsCompatible
/// asks of every ds op with type inference. It accepts everything: the
/// RefinesInferredType trait does the check and prints the types involved.
#define DS_COMPATIBLE_RETURN_TYPES(OP)                                          \
  bool OP::isCompatibleReturnTypes(::mlir::TypeRange, ::mlir::TypeRange) {      \
    return true;                                                                \
  }

#endif
