//===- TransformerOps.cpp - ONNX transformer ops to ds ----------------------------------===//

#include "NodeContext.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

void onnx_import::registerTransformerHandlers(HandlerRegistry &r) {}
