//===- DsDialect.cpp - ds dialect registration ----------------------------===//

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "ds/Dialect/Ds/IR/DsOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ds;

#include "ds/Dialect/Ds/IR/DsDialect.cpp.inc"
#include "ds/Dialect/Ds/IR/DsEnums.cpp.inc"

void DsDialect::initialize() {
  registerDataOps();
  registerElementwiseOps();
  registerMathOps();
  registerShapeOps();
  registerTransformerOps();
  registerQuantOps();
}

Operation *DsDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
