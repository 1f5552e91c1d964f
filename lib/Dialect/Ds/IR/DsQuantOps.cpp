//===- DsQuantOps.cpp - quantization ops ----------------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

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

static bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

/// Checks scale and zero point against the data shape for the per-tensor, per-axis
/// and blocked layouts (see DsQuantOps.td). `zpElement` is the element type the zero
/// point must have; `side` names it in messages.
static LogicalResult verifyQuantParams(Operation *op, RankedTensorType data,
                                       Value scale, Value zeroPoint, int64_t axis,
                                       int64_t blockSize, Type zpElement,
                                       StringRef side) {
  if (blockSize < 0)
    return op->emitOpError("block_size must be non-negative, got ") << blockSize;
  auto s = cast<RankedTensorType>(scale.getType());
  bool perTensor = blockSize == 0 && (s.getRank() == 0 ||
                                      (s.getRank() == 1 && s.getDimSize(0) == 1));
  if (!perTensor) {
    int64_t rank = data.getRank();
    auto normalized = normalizeAxis(axis, rank);
    if (failed(normalized))
      return op->emitOpError("axis ") << axis << " is out of range for rank " << rank;
    int64_t a = *normalized;
    int64_t dim = data.getDimSize(a);
    if (blockSize == 0) {
      if (s.getRank() != 1 || failed(verifyCompatibleShape({s.getDimSize(0)}, {dim})))
        return op->emitOpError("per-axis scale of shape ")
               << shapeToString(s.getShape()) << " must be [" << shapeToString({dim})
               << "] (input dim " << a << " of " << shapeToString(data.getShape())
               << "); a per-tensor scale is a scalar or [1]";
    } else {
      SmallVector<int64_t> expected(data.getShape());
      expected[a] = isDyn(dim) ? dim : llvm::divideCeil(dim, blockSize);
      if (s.getRank() != rank || failed(verifyCompatibleShape(s.getShape(), expected)))
        return op->emitOpError("blocked scale of shape ")
               << shapeToString(s.getShape()) << " must be "
               << shapeToString(expected) << " (input "
               << shapeToString(data.getShape()) << ", axis " << a << ", block_size "
               << blockSize << ")";
    }
  }
  if (!zeroPoint)
    return success();
  auto zp = cast<RankedTensorType>(zeroPoint.getType());
  // Per-tensor scale and zero point may each be a scalar or [1].
  bool zpPerTensor = zp.getRank() == 0 || (zp.getRank() == 1 && zp.getDimSize(0) == 1);
  if (!(perTensor && zpPerTensor) &&
      (zp.getRank() != s.getRank() ||
       failed(verifyCompatibleShape(zp.getShape(), s.getShape()))))
    return op->emitOpError("zero_point shape ")
           << shapeToString(zp.getShape()) << " differs from scale shape "
           << shapeToString(s.getShape());
  if (zp.getElementType() != zpElement)
    return op->emitOpError("zero_point element type ")
           << zp.getElementType() << " differs from the " << side
           << " element type " << zpElement;
  return success();
}

static LogicalResult verifySameShape(Operation *op, RankedTensorType input,
                                     RankedTensorType output) {
  if (input.getRank() != output.getRank() ||
      failed(verifyCompatibleShape(input.getShape(), output.getShape())))
    return op->emitOpError("output shape ")
           << shapeToString(output.getShape()) << " differs from input shape "
           << shapeToString(input.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(verifySameShape(*this, getInput().getType(), getType())))
    return failure();
  return verifyQuantParams(*this, getInput().getType(), getScale(), getZeroPoint(),
                           (int64_t)getAxis(), (int64_t)getBlockSize(),
                           getType().getElementType(), "output");
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifySameShape(*this, getInput().getType(), getType())))
    return failure();
  return verifyQuantParams(*this, getInput().getType(), getScale(), getZeroPoint(),
                           (int64_t)getAxis(), (int64_t)getBlockSize(),
                           getInput().getType().getElementType(), "input");
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DynamicQuantizeOp::inferReturnTypes(MLIRContext *ctx,
                                                  std::optional<Location>,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &inferred) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  inferred.push_back(x.clone(u8));
  inferred.push_back(RankedTensorType::get({}, Float32Type::get(ctx)));
  inferred.push_back(RankedTensorType::get({}, u8));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(DynamicQuantizeOp)

//===----------------------------------------------------------------------===//
// MatmulNBitsOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulNBitsOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  if (x.getRank() == 0) {
    inferred.push_back(x); // the verifier reports the rank
    return success();
  }
  SmallVector<int64_t> shape(x.getShape());
  shape.back() = (int64_t)adaptor.getN();
  inferred.push_back(x.clone(shape));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(MatmulNBitsOp)

/// `[rows, cols]` or its flat form `[rows * cols]`.
static bool matchesTable(ArrayRef<int64_t> shape, int64_t rows, int64_t cols) {
  if (shape.size() == 2)
    return succeeded(verifyCompatibleShape(shape, {rows, cols}));
  if (shape.size() == 1)
    return succeeded(verifyCompatibleShape(shape, {rows * cols}));
  return false;
}

LogicalResult MatmulNBitsOp::verify() {
  int64_t bits = (int64_t)getBits(), blockSize = (int64_t)getBlockSize();
  int64_t k = (int64_t)getK(), n = (int64_t)getN();
  if (bits != 2 && bits != 4 && bits != 8)
    return emitOpError("bits must be 2, 4 or 8, got ") << bits;
  if (blockSize < 16 || !llvm::isPowerOf2_64(blockSize))
    return emitOpError("block_size must be a power of two >= 16, got ") << blockSize;
  if (k <= 0 || n <= 0)
    return emitOpError("K and N must be positive, got K = ") << k << ", N = " << n;
  auto x = getInput().getType();
  if (x.getRank() == 0 || !(isDyn(x.getShape().back()) || x.getShape().back() == k))
    return emitOpError("input of shape ")
           << shapeToString(x.getShape()) << " must end in K = " << k;
  int64_t blocks = llvm::divideCeil(k, blockSize);
  int64_t blob = blockSize * bits / 8;
  auto w = getWeight().getType();
  if (failed(verifyCompatibleShape(w.getShape(), {n, blocks, blob})) ||
      w.getRank() != 3)
    return emitOpError("weight of shape ")
           << shapeToString(w.getShape()) << " must be [N, n_blocks, blob] = "
           << shapeToString({n, blocks, blob});
  Type element = x.getElementType();
  auto scales = getScales().getType();
  if (scales.getElementType() != element)
    return emitOpError("scales element type ")
           << scales.getElementType() << " differs from the input's " << element;
  if (!matchesTable(scales.getShape(), n, blocks))
    return emitOpError("scales of shape ")
           << shapeToString(scales.getShape()) << " must be [N, n_blocks] = "
           << shapeToString({n, blocks}) << " or flat [" << n * blocks << "]";
  if (Value zpValue = getZeroPoints()) {
    auto zp = cast<RankedTensorType>(zpValue.getType());
    Type zpElement = zp.getElementType();
    if (zpElement.isUnsignedInteger(8)) {
      int64_t packed = llvm::divideCeil(blocks * bits, 8);
      if (!matchesTable(zp.getShape(), n, packed))
        return emitOpError("packed zero_points of shape ")
               << shapeToString(zp.getShape()) << " must be [N, ceil(n_blocks * bits "
               << "/ 8)] = " << shapeToString({n, packed}) << " or flat ["
               << n * packed << "]";
    } else if (zpElement == element) {
      if (!matchesTable(zp.getShape(), n, blocks))
        return emitOpError("unpacked zero_points of shape ")
               << shapeToString(zp.getShape()) << " must be [N, n_blocks] = "
               << shapeToString({n, blocks}) << " or flat [" << n * blocks << "]";
    } else {
      return emitOpError("zero_points element type ")
             << zpElement << " must be ui8 (packed) or the input's " << element;
    }
  }
  if (Value biasValue = getBias()) {
    auto bias = cast<RankedTensorType>(biasValue.getType());
    if (bias.getElementType() != element || bias.getRank() != 1 ||
        !(isDyn(bias.getDimSize(0)) || bias.getDimSize(0) == n))
      return emitOpError("bias of type ")
             << bias << " must be [N] = [" << n << "] of the input's " << element;
  }
  return success();
}
