//===- DsOps.h - ds dialect ops -----------------------------------*- C++ -*-===//
#ifndef DS_DIALECT_DS_IR_DSOPS_H
#define DS_DIALECT_DS_IR_DSOPS_H

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "ds/Dialect/Ds/IR/DsEnums.h.inc"

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsDataOps.h.inc"
#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsElementwiseOps.h.inc"
#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsMathOps.h.inc"
#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsShapeOps.h.inc"
#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsTransformerOps.h.inc"
#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsQuantOps.h.inc"

#endif
