//===- DsDataOps.cpp - constants, weights, kernel regions -----------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsDataOps.cpp.inc"

void DsDialect::registerDataOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsDataOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// ExternalWeightOp
//===----------------------------------------------------------------------===//

/// Bytes of a tensor whose elements may be narrower than a byte (i4 packs two).
static std::optional<int64_t> storageBytes(RankedTensorType type) {
  auto count = staticElementCount(type.getShape());
  if (!count)
    return std::nullopt;
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (bits == 1)
    bits = 8; // ONNX stores bool as one byte per element
  if (*count > std::numeric_limits<int64_t>::max() / bits)
    return std::nullopt;
  return (*count * bits + 7) / 8;
}

LogicalResult ExternalWeightOp::verify() {
  auto type = getOutput().getType();
  if (!type.hasStaticShape())
    return emitOpError("weight '") << getName() << "' must have a static shape, got "
                                   << type;
  auto bytes = storageBytes(type);
  if (!bytes)
    return emitOpError("weight '") << getName() << "' of type " << type
                                   << " is too large to address";
  if (*bytes != (int64_t)getLength())
    return emitOpError("weight '")
           << getName() << "' of type " << type << " needs " << *bytes
           << " bytes but its external data has length " << getLength();
  StringRef location = getLocation();
  // A '..' component could leave the model's directory; 'w..bin' is a fine name.
  SmallVector<StringRef> components;
  location.split(components, '/');
  if (location.empty() || location.starts_with("/") ||
      llvm::is_contained(components, ".."))
    return emitOpError("weight '") << getName() << "' has location '" << location
                                   << "'; it must be a relative path inside the "
                                      "model's directory";
  return success();
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

LogicalResult KernelOp::verify() {
  if (getKernelName().empty())
    return emitOpError("needs a non-empty kernel name");
  return success();
}

LogicalResult KernelOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("region has ")
           << body.getNumArguments() << " arguments but the kernel has "
           << getInputs().size() << " inputs";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(body.getArgumentTypes(),
                                                  getInputs().getTypes()))) {
    auto [argType, inputType] = pair;
    if (argType != inputType)
      return emitOpError("region argument #")
             << i << " has type " << argType << " but input #" << i
             << " has type " << inputType;
  }
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().size() != getNumResults())
    return emitOpError("yields ") << yield.getValues().size()
                                  << " values but has " << getNumResults()
                                  << " results";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yield.getValues().getTypes(), getResultTypes()))) {
    auto [yielded, result] = pair;
    if (yielded != result)
      return emitOpError("yielded value #")
             << i << " has type " << yielded << " but result #" << i
             << " has type " << result;
  }
  return success();
}
