//===- DsUtils.cpp - shape and type helpers shared by ds ops --------------===//

#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

bool ds::areCompatibleReturnTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [a, b] : llvm::zip(inferred, actual)) {
    auto ta = dyn_cast<RankedTensorType>(a);
    auto tb = dyn_cast<RankedTensorType>(b);
    if (!ta || !tb) {
      if (a != b)
        return false;
      continue;
    }
    if (ta.getElementType() != tb.getElementType() ||
        failed(verifyCompatibleShape(ta.getShape(), tb.getShape())))
      return false;
  }
  return true;
}

LogicalResult ds::verifyRefinesInferredType(Operation *op) {
  auto infer = cast<InferTypeOpInterface>(op);
  SmallVector<Type> inferred;
  if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                    op->getRawDictionaryAttrs(),
                                    op->getPropertiesStorage(), op->getRegions(),
                                    inferred)))
    return op->emitOpError("cannot infer its result types from its operands");
  if (inferred.size() != op->getNumResults())
    return op->emitOpError("has ") << op->getNumResults() << " results but "
                                   << inferred.size() << " are inferred";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(inferred, op->getResultTypes()))) {
    auto [expected, actual] = pair;
    if (!areCompatibleReturnTypes(expected, actual))
      return op->emitOpError("result #")
             << i << " has type " << actual
             << ", incompatible with the type inferred from its operands, " << expected;
  }
  return success();
}

std::string ds::typeToString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

double ds::toDouble(const APFloat &value) {
  APFloat converted = value;
  bool lost;
  converted.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return converted.convertToDouble();
}

APFloat ds::fromDouble(double value, const llvm::fltSemantics &semantics) {
  APFloat converted(value);
  bool lost;
  converted.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
  return converted;
}

std::string ds::shapeToString(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += 'x';
    s += ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
  }
  return shape.empty() ? std::string("scalar") : s;
}

LogicalResult ds::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                  SmallVectorImpl<int64_t> &result,
                                  std::optional<Location> loc) {
  result.clear();
  if (OpTrait::util::getBroadcastedShape(lhs, rhs, result))
    return success();
  return emitOptionalError(loc, "shapes ", shapeToString(lhs), " and ",
                           shapeToString(rhs), " do not broadcast");
}

SmallVector<int64_t> ds::broadcastShapesLenient(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == b || b == 1)
      out[i] = a;
    else if (a == 1)
      out[i] = b;
    else if (ShapedType::isDynamic(a))
      out[i] = b; // a runtime dim broadcasting against b must be 1 or b
    else if (ShapedType::isDynamic(b))
      out[i] = a;
    else
      out[i] = ShapedType::kDynamic; // a mismatch: the verifier reports it
  }
  return out;
}

FailureOr<int64_t> ds::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  return axis < 0 ? axis + rank : axis;
}

std::optional<SmallVector<int64_t>> ds::getConstantInts(Value value) {
  DenseIntElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<int64_t> out;
  out.reserve(attr.getNumElements());
  for (const APInt &v : attr.getValues<APInt>())
    out.push_back(attr.getElementType().isUnsignedInteger() ? (int64_t)v.getZExtValue()
                                                            : v.getSExtValue());
  return out;
}

std::optional<int64_t> ds::staticElementCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || d < 0)
      return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}
