//===- DsMathOps.cpp - linear algebra, reductions, normalization ----------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsMathOps.cpp.inc"

void DsDialect::registerMathOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsMathOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// RmsNormOp, LayerNormOp
//===----------------------------------------------------------------------===//

/// Checks the normalized axis and that `param` broadcasts against the trailing dims.
static LogicalResult verifyNorm(Operation *op, RankedTensorType input, Value param,
                                StringRef paramName, int64_t axis) {
  if (failed(normalizeAxis(axis, input.getRank())))
    return op->emitOpError("axis ") << axis << " is out of range for rank "
                                    << input.getRank();
  int64_t start = *normalizeAxis(axis, input.getRank());
  auto paramType = cast<RankedTensorType>(param.getType());
  auto trailing = input.getShape().drop_front(start);
  SmallVector<int64_t> out;
  if (paramType.getRank() > (int64_t)trailing.size() ||
      failed(broadcastShapes(trailing, paramType.getShape(), out)) ||
      out.size() != trailing.size() ||
      failed(verifyCompatibleShape(out, trailing)))
    return op->emitOpError() << paramName << " of shape "
                             << shapeToString(paramType.getShape())
                             << " does not broadcast to the normalized dims "
                             << shapeToString(trailing);
  return success();
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(RmsNormOp)

LogicalResult RmsNormOp::verify() {
  return verifyNorm(*this, getInput().getType(), getScale(), "scale", getAxis());
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(LayerNormOp)

LogicalResult LayerNormOp::verify() {
  if (failed(verifyNorm(*this, getInput().getType(), getScale(), "scale", getAxis())))
    return failure();
  if (getBias())
    return verifyNorm(*this, getInput().getType(), getBias(), "bias", getAxis());
  return success();
}
