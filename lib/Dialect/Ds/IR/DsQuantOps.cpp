//===- DsQuantOps.cpp ------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsQuantOps.cpp.inc"

void DsDialect::registerQuantOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsQuantOps.cpp.inc"
      >();
}
