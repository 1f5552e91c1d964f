//===- DsShapeOps.cpp - shape and data movement ops ------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsShapeOps.cpp.inc"

void DsDialect::registerShapeOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsShapeOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ShapeOfOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  int64_t rank = cast<RankedTensorType>(adaptor.getInput().getType()).getRank();
  if (start > end || end > rank)
    return emitOptionalError(loc, "'ds.shape_of' op range [", start, ", ", end,
                             ") is not inside the input's rank ", rank);
  inferred.push_back(RankedTensorType::get({end - start}, IntegerType::get(ctx, 64)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ShapeOfOp)

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto shape = getInput().getType().getShape().slice(getStart(), getEnd() - getStart());
  if (ShapedType::isDynamicShape(shape))
    return {};
  return DenseIntElementsAttr::get(getType(), shape);
}
