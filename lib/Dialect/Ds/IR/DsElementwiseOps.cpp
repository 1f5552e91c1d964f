//===- DsElementwiseOps.cpp - elementwise ops -----------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APSInt.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsElementwiseOps.cpp.inc"

void DsDialect::registerElementwiseOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsElementwiseOps.cpp.inc"
      >();
}


//===----------------------------------------------------------------------===//
// Constant folding helpers
//===----------------------------------------------------------------------===//

namespace {
/// Reads the elements of a constant operand at the positions of a broadcast result.
class BroadcastReader {
public:
  BroadcastReader(DenseElementsAttr attr, ArrayRef<int64_t> resultShape)
      : attr(attr), isSplat(attr.isSplat()) {
    ArrayRef<int64_t> shape = attr.getType().getShape();
    size_t lead = resultShape.size() - shape.size();
    strides.assign(resultShape.size(), 0);
    int64_t stride = 1;
    for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
      if (shape[i] != 1)
        strides[lead + i] = stride;
      stride *= shape[i];
    }
    if (isa<FloatType>(attr.getElementType())) {
      if (isSplat)
        floats.push_back(attr.getSplatValue<APFloat>());
      else
        floats = llvm::to_vector(attr.getValues<APFloat>());
    } else {
      if (isSplat)
        ints.push_back(attr.getSplatValue<APInt>());
      else
        ints = llvm::to_vector(attr.getValues<APInt>());
    }
  }

  /// Linear index of this operand's element for result coordinates `coords`.
  int64_t index(ArrayRef<int64_t> coords) const {
    if (isSplat)
      return 0;
    int64_t i = 0;
    for (auto [c, s] : llvm::zip(coords, strides))
      i += c * s;
    return i;
  }
  const APInt &intAt(ArrayRef<int64_t> coords) const { return ints[index(coords)]; }
  const APFloat &floatAt(ArrayRef<int64_t> coords) const {
    return floats[index(coords)];
  }

  DenseElementsAttr attr;
  bool isSplat;

private:
  SmallVector<int64_t> strides;
  SmallVector<APInt> ints;
  SmallVector<APFloat> floats;
};
} // namespace

/// The operand constants when all are dense, static and small enough that the
/// result (static, at most kMaxFoldElements unless every operand is a splat) may be
/// materialized.
static std::optional<SmallVector<DenseElementsAttr>>
foldableOperands(ArrayRef<Attribute> operands, Type resultType) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  SmallVector<DenseElementsAttr> out;
  bool allSplat = true;
  for (Attribute a : operands) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(a);
    if (!dense || !dense.getType().hasStaticShape())
      return std::nullopt;
    allSplat &= dense.isSplat();
    out.push_back(dense);
  }
  if (!allSplat && type.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  return out;
}

/// Builds a result by calling `element(coords)` for each result position (once when
/// every operand is a splat); any nullopt cancels the fold.
template <typename T>
static Attribute buildElements(RankedTensorType type,
                               ArrayRef<DenseElementsAttr> operands,
                               function_ref<std::optional<T>(ArrayRef<int64_t>)> element) {
  bool allSplat = llvm::all_of(operands, [](DenseElementsAttr a) { return a.isSplat(); });
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> coords(shape.size(), 0);
  int64_t n = allSplat ? 1 : type.getNumElements();
  SmallVector<T> values;
  values.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    std::optional<T> v = element(coords);
    if (!v)
      return {};
    values.push_back(*v);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
      if (++coords[d] < shape[d])
        break;
      coords[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, values);
}


static bool isUnsignedElement(Type e) { return e.isUnsignedInteger() || e.isInteger(1); }

/// True when `attr` is a constant whose every element is `value`.
static bool isSplatOf(Attribute attr, int64_t value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  if (isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>().isExactlyValue((double)value);
  if (dense.getElementType().isInteger(1))
    return false;
  APInt v = dense.getSplatValue<APInt>();
  return isUnsignedElement(dense.getElementType()) ? v == (uint64_t)value
                                                   : v.getSExtValue() == value;
}

//===----------------------------------------------------------------------===//
// UnaryOp
//===----------------------------------------------------------------------===//

static bool isPredicate(UnaryFn fn) {
  return fn == UnaryFn::is_inf || fn == UnaryFn::is_nan;
}

LogicalResult UnaryOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  Type element = isPredicate(adaptor.getFn()) ? IntegerType::get(ctx, 1)
                                              : type.getElementType();
  inferred.push_back(type.clone(element));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(UnaryOp)

LogicalResult UnaryOp::verify() {
  Type element = getInput().getType().getElementType();
  UnaryFn fn = getFn();
  bool isFloat = isa<FloatType>(element);
  switch (fn) {
  case UnaryFn::neg:
  case UnaryFn::abs:
  case UnaryFn::sign:
  case UnaryFn::identity:
  case UnaryFn::square:
  case UnaryFn::relu:
    return success();
  case UnaryFn::not_:
    if (!element.isInteger(1))
      return emitOpError("'not' needs i1 elements, got ") << element;
    return success();
  case UnaryFn::bitwise_not:
    if (!isa<IntegerType>(element) || element.isInteger(1))
      return emitOpError("'bitwise_not' needs integer elements, got ") << element;
    return success();
  default:
    if (!isFloat)
      return emitOpError("'") << stringifyUnaryFn(fn)
                              << "' needs floating-point elements, got " << element;
    return success();
  }
}

/// A float function of one element, evaluated in double; nullopt when not folded
/// (parameterized functions, whose defaults live in the importer).
static std::optional<double> evalUnaryFloat(UnaryFn fn, double x) {
  switch (fn) {
  case UnaryFn::sign: return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  case UnaryFn::exp: return std::exp(x);
  case UnaryFn::log: return std::log(x);
  case UnaryFn::sqrt: return std::sqrt(x);
  case UnaryFn::rsqrt: return 1.0 / std::sqrt(x);
  case UnaryFn::reciprocal: return 1.0 / x;
  case UnaryFn::tanh: return std::tanh(x);
  case UnaryFn::erf: return std::erf(x);
  case UnaryFn::sigmoid: return 1.0 / (1.0 + std::exp(-x));
  case UnaryFn::relu: return x > 0 ? x : 0.0;
  case UnaryFn::gelu: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case UnaryFn::softplus: return std::log1p(std::exp(x));
  case UnaryFn::softsign: return x / (1.0 + std::fabs(x));
  case UnaryFn::silu: return x / (1.0 + std::exp(-x));
  case UnaryFn::square: return x * x;
  case UnaryFn::cos: return std::cos(x);
  case UnaryFn::sin: return std::sin(x);
  case UnaryFn::tan: return std::tan(x);
  case UnaryFn::asin: return std::asin(x);
  case UnaryFn::acos: return std::acos(x);
  case UnaryFn::atan: return std::atan(x);
  case UnaryFn::sinh: return std::sinh(x);
  case UnaryFn::cosh: return std::cosh(x);
  case UnaryFn::asinh: return std::asinh(x);
  case UnaryFn::acosh: return std::acosh(x);
  case UnaryFn::atanh: return std::atanh(x);
  default: return std::nullopt;
  }
}

OpFoldResult UnaryOp::fold(FoldAdaptor adaptor) {
  UnaryFn fn = getFn();
  if (fn == UnaryFn::identity && getInput().getType() == getType())
    return getInput();
  auto operands = foldableOperands(adaptor.getInput(), getType());
  if (!operands)
    return {};
  BroadcastReader in((*operands)[0], getType().getShape());
  Type e = getInput().getType().getElementType();
  if (auto ft = dyn_cast<FloatType>(e)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    if (fn == UnaryFn::is_inf || fn == UnaryFn::is_nan)
      return buildElements<APInt>(
          getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
            const APFloat &x = in.floatAt(c);
            return APInt(1, fn == UnaryFn::is_inf ? x.isInfinity() : x.isNaN());
          });
    return buildElements<APFloat>(
        getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APFloat> {
          APFloat x = in.floatAt(c);
          switch (fn) {
          case UnaryFn::identity: return x;
          case UnaryFn::neg: x.changeSign(); return x;
          case UnaryFn::abs: x.clearSign(); return x;
          case UnaryFn::floor: x.roundToIntegral(APFloat::rmTowardNegative); return x;
          case UnaryFn::ceil: x.roundToIntegral(APFloat::rmTowardPositive); return x;
          case UnaryFn::round: x.roundToIntegral(APFloat::rmNearestTiesToEven); return x;
          default:
            if (auto r = evalUnaryFloat(fn, toDouble(x)))
              return fromDouble(*r, sem);
            return std::nullopt;
          }
        });
  }
  bool isUnsigned = isUnsignedElement(e);
  unsigned width = e.getIntOrFloatBitWidth();
  return buildElements<APInt>(
      getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
        APInt x = in.intAt(c);
        bool negative = !isUnsigned && x.isNegative();
        switch (fn) {
        case UnaryFn::identity: return x;
        case UnaryFn::neg: return -x;
        case UnaryFn::abs: return negative ? -x : x;
        case UnaryFn::sign:
          return x.isZero() ? x : negative ? APInt::getAllOnes(width) : APInt(width, 1);
        case UnaryFn::relu: return negative ? APInt(width, 0) : x;
        case UnaryFn::square: return x * x;
        case UnaryFn::not_:
        case UnaryFn::bitwise_not: return ~x;
        default: return std::nullopt;
        }
      });
}

//===----------------------------------------------------------------------===//
// BinaryOp, CompareOp, SelectOp
//===----------------------------------------------------------------------===//

/// Inference is lenient (a dim two operands disagree on becomes `?`) so that the
/// verifier, not the generic interface check, reports bad shapes with their values.
static LogicalResult inferBroadcast(ValueRange operands, Type element,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (Value operand : operands)
    shape = broadcastShapesLenient(
        shape, cast<RankedTensorType>(operand.getType()).getShape());
  inferred.push_back(RankedTensorType::get(shape, element));
  return success();
}

/// Strict check of numpy broadcasting, for verifiers.
static LogicalResult verifyBroadcast(Operation *op, ValueRange operands) {
  SmallVector<int64_t> shape;
  for (Value operand : operands) {
    SmallVector<int64_t> next;
    auto operandShape = cast<RankedTensorType>(operand.getType()).getShape();
    if (failed(broadcastShapes(shape, operandShape, next)))
      return op->emitOpError("operand shapes do not broadcast: ")
             << shapeToString(shape) << " and " << shapeToString(operandShape);
    shape = std::move(next);
  }
  return success();
}

LogicalResult BinaryOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  return inferBroadcast({adaptor.getLhs(), adaptor.getRhs()}, lhs.getElementType(),
                        inferred);
}
DS_COMPATIBLE_RETURN_TYPES(BinaryOp)

LogicalResult BinaryOp::verify() {
  if (failed(verifyBroadcast(*this, {getLhs(), getRhs()})))
    return failure();
  Type lhs = getLhs().getType().getElementType();
  Type rhs = getRhs().getType().getElementType();
  BinaryFn fn = getFn();
  // pow allows a different exponent type, as ONNX Pow does.
  if (fn != BinaryFn::pow && lhs != rhs)
    return emitOpError("operands have different element types: ")
           << lhs << " and " << rhs;
  switch (fn) {
  case BinaryFn::and_:
  case BinaryFn::or_:
  case BinaryFn::xor_:
    if (!lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn) << "' needs i1 elements, got "
                              << lhs;
    break;
  case BinaryFn::shift_left:
  case BinaryFn::shift_right:
  case BinaryFn::bitwise_and:
  case BinaryFn::bitwise_or:
  case BinaryFn::bitwise_xor:
    if (!isa<IntegerType>(lhs) || lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn)
                              << "' needs integer elements, got " << lhs;
    break;
  default:
    if (lhs.isInteger(1))
      return emitOpError("'") << stringifyBinaryFn(fn)
                              << "' is not defined on i1 elements";
    break;
  }
  return success();
}

/// One element of a float binary function; nullopt where the fold is left to the
/// runtime (division by zero, modulo by zero).
static std::optional<APFloat> evalBinaryFloat(BinaryFn fn, APFloat a, const APFloat &b) {
  const auto rm = APFloat::rmNearestTiesToEven;
  switch (fn) {
  case BinaryFn::add: a.add(b, rm); return a;
  case BinaryFn::sub: a.subtract(b, rm); return a;
  case BinaryFn::mul: a.multiply(b, rm); return a;
  case BinaryFn::div:
    if (b.isZero())
      return std::nullopt;
    a.divide(b, rm);
    return a;
  case BinaryFn::max: return llvm::maximum(a, b);
  case BinaryFn::min: return llvm::minimum(a, b);
  case BinaryFn::fmod:
    if (b.isZero())
      return std::nullopt;
    a.mod(b);
    return a;
  case BinaryFn::mod: {
    if (b.isZero())
      return std::nullopt;
    // Python's sign rule: the result takes the divisor's sign.
    APFloat r = a;
    r.mod(b);
    if (!r.isZero() && r.isNegative() != b.isNegative())
      r.add(b, rm);
    return r;
  }
  case BinaryFn::prelu:
    if (a.isNegative() && !a.isZero() && !a.isNaN())
      a.multiply(b, rm);
    return a;
  default: return std::nullopt;
  }
}

/// One element of an integer binary function; nullopt for division or modulo by
/// zero, signed overflow of division, negative exponents and oversized shifts.
static std::optional<APInt> evalBinaryInt(BinaryFn fn, const APInt &a, const APInt &b,
                                          bool isUnsigned) {
  unsigned width = a.getBitWidth();
  switch (fn) {
  case BinaryFn::add: return a + b;
  case BinaryFn::sub: return a - b;
  case BinaryFn::mul: return a * b;
  case BinaryFn::div:
    if (b.isZero() || (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
      return std::nullopt;
    return isUnsigned ? a.udiv(b) : a.sdiv(b); // sdiv truncates toward zero
  case BinaryFn::fmod:
    if (b.isZero() || (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
      return std::nullopt;
    return isUnsigned ? a.urem(b) : a.srem(b);
  case BinaryFn::mod: {
    if (b.isZero() || (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
      return std::nullopt;
    if (isUnsigned)
      return a.urem(b);
    APInt r = a.srem(b);
    if (!r.isZero() && r.isNegative() != b.isNegative())
      r += b;
    return r;
  }
  case BinaryFn::max: return isUnsigned ? llvm::APIntOps::umax(a, b) : llvm::APIntOps::smax(a, b);
  case BinaryFn::min: return isUnsigned ? llvm::APIntOps::umin(a, b) : llvm::APIntOps::smin(a, b);
  case BinaryFn::and_: case BinaryFn::bitwise_and: return a & b;
  case BinaryFn::or_: case BinaryFn::bitwise_or: return a | b;
  case BinaryFn::xor_: case BinaryFn::bitwise_xor: return a ^ b;
  case BinaryFn::shift_left:
    if (b.uge(width))
      return std::nullopt;
    return a.shl(b);
  case BinaryFn::shift_right:
    if (b.uge(width))
      return std::nullopt;
    return isUnsigned ? a.lshr(b) : a.ashr(b);
  case BinaryFn::prelu:
    return (!isUnsigned && a.isNegative()) ? a * b : a;
  default: return std::nullopt;
  }
}

/// Integer power by squaring (wrapping); nullopt for negative exponents.
static std::optional<APInt> powInt(APInt base, APInt exp, bool expUnsigned) {
  if (!expUnsigned && exp.isNegative())
    return std::nullopt;
  APInt result(base.getBitWidth(), 1);
  for (uint64_t e = exp.getZExtValue(); e; e >>= 1) {
    if (e & 1)
      result *= base;
    base *= base;
  }
  return result;
}

OpFoldResult BinaryOp::fold(FoldAdaptor adaptor) {
  BinaryFn fn = getFn();
  Type resultType = getType();
  // Identities. For floats x + 0 gives x also for x = -0.0 (IEEE gives +0.0): a
  // sign-of-zero difference that graph-level folding accepts.
  Attribute lhsAttr = adaptor.getLhs(), rhsAttr = adaptor.getRhs();
  if (getLhs().getType() == resultType) {
    if ((fn == BinaryFn::add || fn == BinaryFn::sub) && isSplatOf(rhsAttr, 0))
      return getLhs();
    if ((fn == BinaryFn::mul || fn == BinaryFn::div) && isSplatOf(rhsAttr, 1))
      return getLhs();
  }
  if (getRhs().getType() == resultType) {
    if (fn == BinaryFn::add && isSplatOf(lhsAttr, 0))
      return getRhs();
    if (fn == BinaryFn::mul && isSplatOf(lhsAttr, 1))
      return getRhs();
  }
  auto operands = foldableOperands({lhsAttr, rhsAttr}, resultType);
  if (!operands)
    return {};
  ArrayRef<int64_t> shape = getType().getShape();
  BroadcastReader lhs((*operands)[0], shape), rhs((*operands)[1], shape);
  Type le = getLhs().getType().getElementType(), re = getRhs().getType().getElementType();
  if (auto ft = dyn_cast<FloatType>(le)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    return buildElements<APFloat>(
        getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APFloat> {
          const APFloat &a = lhs.floatAt(c);
          if (fn == BinaryFn::pow) {
            double exponent =
                isa<FloatType>(re) ? toDouble(rhs.floatAt(c))
                : isUnsignedElement(re) ? (double)rhs.intAt(c).getZExtValue()
                                        : (double)rhs.intAt(c).getSExtValue();
            return fromDouble(std::pow(toDouble(a), exponent), sem);
          }
          return evalBinaryFloat(fn, a, rhs.floatAt(c));
        });
  }
  if (fn == BinaryFn::pow && !isa<IntegerType>(re))
    return {};
  bool isUnsigned = isUnsignedElement(le);
  return buildElements<APInt>(
      getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
        if (fn == BinaryFn::pow)
          return powInt(lhs.intAt(c), rhs.intAt(c), isUnsignedElement(re));
        return evalBinaryInt(fn, lhs.intAt(c), rhs.intAt(c), isUnsigned);
      });
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferBroadcast({adaptor.getLhs(), adaptor.getRhs()}, IntegerType::get(ctx, 1),
                        inferred);
}
DS_COMPATIBLE_RETURN_TYPES(CompareOp)

LogicalResult CompareOp::verify() {
  Type lhs = getLhs().getType().getElementType();
  Type rhs = getRhs().getType().getElementType();
  if (lhs != rhs)
    return emitOpError("operands have different element types: ") << lhs << " and "
                                                                   << rhs;
  return verifyBroadcast(*this, {getLhs(), getRhs()});
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  auto operands = foldableOperands({adaptor.getLhs(), adaptor.getRhs()}, getType());
  if (!operands)
    return {};
  ArrayRef<int64_t> shape = getType().getShape();
  BroadcastReader lhs((*operands)[0], shape), rhs((*operands)[1], shape);
  Type e = getLhs().getType().getElementType();
  bool isFloat = isa<FloatType>(e), isUnsigned = isUnsignedElement(e);
  CompareFn fn = getFn();
  return buildElements<APInt>(
      getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
        // -1, 0, 1 for less, equal, greater; NaN compares unordered.
        int order;
        if (isFloat) {
          APFloat::cmpResult r = lhs.floatAt(c).compare(rhs.floatAt(c));
          if (r == APFloat::cmpUnordered)
            return APInt(1, fn == CompareFn::ne);
          order = r == APFloat::cmpLessThan ? -1 : r == APFloat::cmpEqual ? 0 : 1;
        } else {
          const APInt &a = lhs.intAt(c), &b = rhs.intAt(c);
          order = a == b ? 0 : (isUnsigned ? a.ult(b) : a.slt(b)) ? -1 : 1;
        }
        bool v = false;
        switch (fn) {
        case CompareFn::eq: v = order == 0; break;
        case CompareFn::ne: v = order != 0; break;
        case CompareFn::lt: v = order < 0; break;
        case CompareFn::le: v = order <= 0; break;
        case CompareFn::gt: v = order > 0; break;
        case CompareFn::ge: v = order >= 0; break;
        }
        return APInt(1, v);
      });
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto onTrue = cast<RankedTensorType>(adaptor.getOnTrue().getType());
  return inferBroadcast(
      {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      onTrue.getElementType(), inferred);
}
DS_COMPATIBLE_RETURN_TYPES(SelectOp)

LogicalResult SelectOp::verify() {
  Type onTrue = getOnTrue().getType().getElementType();
  Type onFalse = getOnFalse().getType().getElementType();
  if (onTrue != onFalse)
    return emitOpError("branches have different element types: ")
           << onTrue << " and " << onFalse;
  return verifyBroadcast(*this, {getCondition(), getOnTrue(), getOnFalse()});
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  // A uniform condition picks a branch, constant or not, when no broadcast is needed.
  if (auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
      cond && cond.isSplat()) {
    Value chosen = cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
    if (chosen.getType() == getType())
      return chosen;
  }
  if (getOnTrue() == getOnFalse() && getOnTrue().getType() == getType())
    return getOnTrue();
  auto operands = foldableOperands(
      {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()}, getType());
  if (!operands)
    return {};
  ArrayRef<int64_t> shape = getType().getShape();
  BroadcastReader cond((*operands)[0], shape), t((*operands)[1], shape),
      f((*operands)[2], shape);
  if (isa<FloatType>(getType().getElementType()))
    return buildElements<APFloat>(
        getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APFloat> {
          return cond.intAt(c).isZero() ? f.floatAt(c) : t.floatAt(c);
        });
  return buildElements<APInt>(
      getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
        return cond.intAt(c).isZero() ? f.intAt(c) : t.intAt(c);
      });
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto operands = foldableOperands(adaptor.getInput(), getType());
  if (!operands)
    return {};
  BroadcastReader in((*operands)[0], getType().getShape());
  Type from = getInput().getType().getElementType();
  Type to = getType().getElementType();
  bool fromUnsigned = isUnsignedElement(from);
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    const llvm::fltSemantics &sem = toFloat.getFloatSemantics();
    bool narrow = toFloat.getWidth() < 16;
    return buildElements<APFloat>(
        getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APFloat> {
          APFloat r(sem);
          APFloat::opStatus status;
          if (isa<FloatType>(from)) {
            r = in.floatAt(c);
            bool lost;
            // f8 targets saturate or give NaN by `saturate`: leave those to the runtime.
            if (narrow && !r.isFinite())
              return std::nullopt;
            status = r.convert(sem, APFloat::rmNearestTiesToEven, &lost);
          } else {
            status = r.convertFromAPInt(in.intAt(c), /*IsSigned=*/!fromUnsigned,
                                        APFloat::rmNearestTiesToEven);
          }
          if (narrow && (status & APFloat::opOverflow))
            return std::nullopt;
          return r;
        });
  }
  unsigned width = to.getIntOrFloatBitWidth();
  bool toUnsigned = isUnsignedElement(to);
  return buildElements<APInt>(
      getType(), *operands, [&](ArrayRef<int64_t> c) -> std::optional<APInt> {
        if (isa<FloatType>(from)) {
          const APFloat &x = in.floatAt(c);
          if (width == 1)
            return APInt(1, !x.isZero());
          // Truncation toward zero; NaN and out-of-range values are not folded.
          APSInt r(width, toUnsigned);
          bool exact;
          if (x.convertToInteger(r, APFloat::rmTowardZero, &exact) &
              APFloat::opInvalidOp)
            return std::nullopt;
          return APInt(r);
        }
        const APInt &x = in.intAt(c);
        if (width == 1)
          return APInt(1, !x.isZero());
        return fromUnsigned ? x.zextOrTrunc(width) : x.sextOrTrunc(width);
      });
}
