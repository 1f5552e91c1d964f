//===- ShapeOps.cpp - ONNX shape ops to ds ----------------------------------===//

#include "NodeContext.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

void onnx_import::registerShapeHandlers(HandlerRegistry &r) {}
