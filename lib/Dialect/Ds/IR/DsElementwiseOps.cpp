//===- DsElementwiseOps.cpp - elementwise ops -----------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsElementwiseOps.cpp.inc"

void DsDialect::registerElementwiseOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsElementwiseOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// UnaryOp
//===----------------------------------------------------------------------===//

static bool isPredicate(UnaryFn fn) {
  return fn == UnaryFn::is_inf || fn == UnaryFn::is_nan;
}

LogicalResult UnaryOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  Type element = isPredicate(adaptor.getFn()) ? IntegerType::get(ctx, 1)
                                              : type.getElementType();
  inferred.push_back(type.clone(element));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(UnaryOp)

LogicalResult UnaryOp::verify() {
  Type element = getInput().getType().getElementType();
  UnaryFn fn = getFn();
  bool isFloat = isa<FloatType>(element);
  switch (fn) {
  case UnaryFn::neg:
  case UnaryFn::abs:
  case UnaryFn::sign:
  case UnaryFn::identity:
  case UnaryFn::square:
  case UnaryFn::relu:
    return success();
  case UnaryFn::not_:
    if (!element.isInteger(1))
      return emitOpError("'not' needs i1 elements, got ") << element;
    return success();
  case UnaryFn::bitwise_not:
    if (!isa<IntegerType>(element) || element.isInteger(1))
      return emitOpError("'bitwise_not' needs integer elements, got ") << element;
    return success();
  default:
    if (!isFloat)
      return emitOpError("'") << stringifyUnaryFn(fn)
                              << "' needs floating-point elements, got " << element;
    return success();
  }
}

OpFoldResult UnaryOp::fold(FoldAdaptor adaptor) {
  if (getFn() == UnaryFn::identity && getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// BinaryOp, CompareOp, SelectOp
//===----------------------------------------------------------------------===//

/// Inference is lenient (a dim two operands disagree on becomes `?`) so that the
/// verifier, not the generic interface check, reports bad shapes with their values.
static LogicalResult inferBroadcast(ValueRange operands, Type element,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (Value operand : operands)
    shape = broadcastShapesLenient(
        shape, cast<RankedTensorType>(operand.getType()).getShape());
  inferred.push_back(RankedTensorType::get(shape, element));
  return success();
}

/// Strict check of numpy broadcasting, for verifiers.
static LogicalResult verifyBroadcast(Operation *op, ValueRange operands) {
  SmallVector<int64_t> shape;
  for (Value operand : operands) {
    SmallVector<int64_t> next;
    auto operandShape = cast<RankedTensorType>(operand.getType()).getShape();
    if (failed(broadcastShapes(shape, operandShape, next)))
      return op->emitOpError("operand shapes do not broadcast: ")
             << shapeToString(shape) << " and " << shapeToString(operandShape);
    shape = std::move(next);
  }
  return success();
}

LogicalResult BinaryOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  return inferBroadcast({adaptor.getLhs(), adaptor.getRhs()}, lhs.getElementType(),
                        inferred);
}
DS_COMPATIBLE_RETURN_TYPES(BinaryOp)

LogicalResult BinaryOp::verify() {
  if (failed(verifyBroadcast(*this, {getLhs(), getRhs()})))
    return failure();
  Type lhs = getLhs().getType().getElementType();
  Type rhs = getRhs().getType().getElementType();
  BinaryFn fn = getFn();
  // pow allows a different exponent type, as ONNX Pow does.
  if (fn != BinaryFn::pow && lhs != rhs)
    return emitOpError("operands have different element types: ")
           << lhs << " and " << rhs;
  switch (fn) {
  case BinaryFn::and_:
  case BinaryFn::or_:
  case BinaryFn::xor_:
    if (!lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn) << "' needs i1 elements, got "
                              << lhs;
    break;
  case BinaryFn::shift_left:
  case BinaryFn::shift_right:
  case BinaryFn::bitwise_and:
  case BinaryFn::bitwise_or:
  case BinaryFn::bitwise_xor:
    if (!isa<IntegerType>(lhs) || lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn)
                              << "' needs integer elements, got " << lhs;
    break;
  default:
    if (lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn)
                              << "' is not defined on i1 elements";
    break;
  }
  return success();
}

OpFoldResult BinaryOp::fold(FoldAdaptor adaptor) { return {}; }

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferBroadcast({adaptor.getLhs(), adaptor.getRhs()}, IntegerType::get(ctx, 1),
                        inferred);
}
DS_COMPATIBLE_RETURN_TYPES(CompareOp)

LogicalResult CompareOp::verify() {
  Type lhs = getLhs().getType().getElementType();
  Type rhs = getRhs().getType().getElementType();
  if (lhs != rhs)
    return emitOpError("operands have different element types: ") << lhs << " and "
                                                                   << rhs;
  return verifyBroadcast(*this, {getLhs(), getRhs()});
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) { return {}; }

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto onTrue = cast<RankedTensorType>(adaptor.getOnTrue().getType());
  return inferBroadcast(
      {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      onTrue.getElementType(), inferred);
}
DS_COMPATIBLE_RETURN_TYPES(SelectOp)

LogicalResult SelectOp::verify() {
  Type onTrue = getOnTrue().getType().getElementType();
  Type onFalse = getOnFalse().getType().getElementType();
  if (onTrue != onFalse)
    return emitOpError("branches have different element types: ")
           << onTrue << " and " << onFalse;
  return verifyBroadcast(*this, {getCondition(), getOnTrue(), getOnFalse()});
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) { return {}; }

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
