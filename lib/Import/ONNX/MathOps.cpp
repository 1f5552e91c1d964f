//===- MathOps.cpp - ONNX math ops to ds ----------------------------------===//

#include "NodeContext.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

void onnx_import::registerMathHandlers(HandlerRegistry &r) {}
