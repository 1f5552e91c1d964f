//===- DsMathOps.cpp - linear algebra, reductions, normalization ----------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsMathOps.cpp.inc"

void DsDialect::registerMathOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsMathOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// RmsNormOp, LayerNormOp
//===----------------------------------------------------------------------===//

/// Checks the normalized axis and that `param` broadcasts against the trailing dims.
static LogicalResult verifyNorm(Operation *op, RankedTensorType input, Value param,
                                StringRef paramName, int64_t axis) {
  if (failed(normalizeAxis(axis, input.getRank())))
    return op->emitOpError("axis ") << axis << " is out of range for rank "
                                    << input.getRank();
  int64_t start = *normalizeAxis(axis, input.getRank());
  auto paramType = cast<RankedTensorType>(param.getType());
  auto trailing = input.getShape().drop_front(start);
  SmallVector<int64_t> out;
  if (paramType.getRank() > (int64_t)trailing.size() ||
      failed(broadcastShapes(trailing, paramType.getShape(), out)) ||
      out.size() != trailing.size() ||
      failed(verifyCompatibleShape(out, trailing)))
    return op->emitOpError() << paramName << " of shape "
                             << shapeToString(paramType.getShape())
                             << " does not broadcast to the normalized dims "
                             << shapeToString(trailing);
  return success();
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(RmsNormOp)

LogicalResult RmsNormOp::verify() {
  return verifyNorm(*this, getInput().getType(), getScale(), "scale", getAxis());
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(LayerNormOp)

LogicalResult LayerNormOp::verify() {
  if (failed(verifyNorm(*this, getInput().getType(), getScale(), "scale", getAxis())))
    return failure();
  if (getBias())
    return verifyNorm(*this, getInput().getType(), getBias(), "bias", getAxis());
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Rank-`rank` shape of unknown dims, the lenient answer for invalid operands.
static SmallVector<int64_t> unknownShape(int64_t rank) {
  return SmallVector<int64_t>(std::max<int64_t>(rank, 0), ShapedType::kDynamic);
}

/// A constant result for `type` where every element is `value` (needs a static shape).
static Attribute splatOf(Type type, double value) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return {};
  Type e = tensor.getElementType();
  if (auto f = dyn_cast<FloatType>(e)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return DenseElementsAttr::get(tensor, v);
  }
  auto i = cast<IntegerType>(e);
  return DenseElementsAttr::get(
      tensor, APInt(i.getWidth(), (int64_t)value, /*isSigned=*/true,
                    /*implicitTrunc=*/true));
}

/// A constant operand small enough to fold, with a static shape.
static DenseElementsAttr foldableConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.getType().hasStaticShape() ||
      dense.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}


/// Row-major strides of a static shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() < 2 || rhs.getRank() < 2) {
    int64_t rank = std::max<int64_t>({lhs.getRank(), rhs.getRank(), 2});
    inferred.push_back(RankedTensorType::get(unknownShape(rank), lhs.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape = broadcastShapesLenient(
      lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  int64_t lr = lhs.getRank(), rr = rhs.getRank();
  shape.push_back(lhs.getDimSize(adaptor.getTransposeA() ? lr - 1 : lr - 2));
  shape.push_back(rhs.getDimSize(adaptor.getTransposeB() ? rr - 2 : rr - 1));
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(MatmulOp)

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getRank() < 2)
    return emitOpError("lhs must have rank >= 2, got shape ")
           << shapeToString(lhs.getShape());
  if (rhs.getRank() < 2)
    return emitOpError("rhs must have rank >= 2, got shape ")
           << shapeToString(rhs.getShape());
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError("operands have different element types: ")
           << lhs.getElementType() << " and " << rhs.getElementType();
  SmallVector<int64_t> batch;
  if (failed(broadcastShapes(lhs.getShape().drop_back(2), rhs.getShape().drop_back(2),
                             batch)))
    return emitOpError("batch dims do not broadcast: lhs ")
           << shapeToString(lhs.getShape()) << " and rhs "
           << shapeToString(rhs.getShape());
  int64_t lr = lhs.getRank(), rr = rhs.getRank();
  int64_t ka = lhs.getDimSize(getTransposeA() ? lr - 2 : lr - 1);
  int64_t kb = rhs.getDimSize(getTransposeB() ? rr - 1 : rr - 2);
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return emitOpError("contraction dims differ: lhs ")
           << shapeToString(lhs.getShape()) << (getTransposeA() ? " (transposed)" : "")
           << " has K = " << ka << ", rhs " << shapeToString(rhs.getShape())
           << (getTransposeB() ? " (transposed)" : "") << " has K = " << kb;
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  SmallVector<int64_t> shape(input.getShape().drop_back(input.getRank() > 0 ? 1 : 0));
  int64_t n = ShapedType::kDynamic;
  if (weight.getRank() == 2)
    n = weight.getDimSize(adaptor.getTransposeW() ? 0 : 1);
  shape.push_back(n);
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(LinearOp)

LogicalResult LinearOp::verify() {
  RankedTensorType input = getInput().getType(), weight = getWeight().getType();
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got a scalar");
  if (weight.getRank() != 2)
    return emitOpError("weight must have rank 2, got shape ")
           << shapeToString(weight.getShape());
  Type e = input.getElementType();
  if (weight.getElementType() != e)
    return emitOpError("input and weight have different element types: ")
           << e << " and " << weight.getElementType();
  int64_t k = input.getShape().back();
  int64_t wk = weight.getDimSize(getTransposeW() ? 1 : 0);
  int64_t n = weight.getDimSize(getTransposeW() ? 0 : 1);
  if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(wk) && k != wk)
    return emitOpError("input ") << shapeToString(input.getShape()) << " has K = " << k
                                 << " but weight " << shapeToString(weight.getShape())
                                 << (getTransposeW() ? " (transposed)" : "")
                                 << " has K = " << wk;
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getElementType() != e)
      return emitOpError("bias element type ")
             << biasType.getElementType() << " differs from " << e;
    if (biasType.getRank() != 1 ||
        (!ShapedType::isDynamic(n) && !ShapedType::isDynamic(biasType.getDimSize(0)) &&
         biasType.getDimSize(0) != n))
      return emitOpError("bias must have shape ")
             << shapeToString({n}) << ", got " << shapeToString(biasType.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

/// Normalized, sorted, deduplicated axes that are in range; invalid ones are dropped
/// (the verifier reports them).
static SmallVector<int64_t> normalizedAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes)
    if (succeeded(normalizeAxis(a, rank)))
      out.push_back(*normalizeAxis(a, rank));
  llvm::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes, bool keepDims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, (int64_t)i))
      out.push_back(d);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  // Attributes may be missing here (builders that skip them); the verifier reports it.
  ArrayRef<int64_t> given;
  if (auto attr = adaptor.getAxesAttr())
    given = attr.asArrayRef();
  auto axes = normalizedAxes(given, input.getRank());
  SmallVector<int64_t> shape =
      reducedShape(input.getShape(), axes, adaptor.getKeepDims());
  // Bad axes: a shape of unknown dims, so that the verifier reports the axes.
  int64_t invalid = llvm::count_if(given, [&](int64_t a) {
    return failed(normalizeAxis(a, input.getRank()));
  });
  if (invalid)
    shape = unknownShape(adaptor.getKeepDims()
                             ? input.getRank()
                             : input.getRank() - (int64_t)axes.size() - invalid);
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ReduceOp)

LogicalResult ReduceOp::verify() {
  RankedTensorType input = getInput().getType();
  int64_t rank = input.getRank();
  SmallVector<int64_t> seen;
  for (int64_t a : getAxes()) {
    if (failed(normalizeAxis(a, rank)))
      return emitOpError("axis ") << a << " is out of range for rank " << rank;
    int64_t n = *normalizeAxis(a, rank);
    if (llvm::is_contained(seen, n))
      return emitOpError("axis ") << a << " is repeated (as " << n << ")";
    seen.push_back(n);
  }
  Type e = input.getElementType();
  ReduceFn fn = getFn();
  bool needsFloat = fn == ReduceFn::l2 || fn == ReduceFn::log_sum ||
                    fn == ReduceFn::log_sum_exp;
  if (needsFloat && !isa<FloatType>(e))
    return emitOpError("'") << stringifyReduceFn(fn)
                            << "' needs floating-point elements, got " << e;
  if (e.isInteger(1) && fn != ReduceFn::max && fn != ReduceFn::min)
    return emitOpError("'") << stringifyReduceFn(fn) << "' is not defined on i1 elements";
  return success();
}

/// Reduces a small constant. Integer sums and products wrap; an empty reduction
/// (a reduced dim of size 0) is left to the runtime.
static Attribute foldReduceConstant(ReduceFn fn, DenseElementsAttr input,
                                    ArrayRef<int64_t> axes, RankedTensorType resultType) {
  if (!resultType.hasStaticShape())
    return {};
  ArrayRef<int64_t> shape = input.getType().getShape();
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shape[a];
  if (count == 0)
    return {};
  // Output index of each input element: drop the reduced coordinates.
  SmallVector<int64_t> inStrides = stridesOf(shape);
  SmallVector<int64_t> keptShape = reducedShape(shape, axes, /*keepDims=*/false);
  SmallVector<int64_t> outStrides = stridesOf(keptShape);
  int64_t outCount = resultType.getNumElements();
  auto outIndex = [&](int64_t linear) {
    int64_t o = 0, k = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t coord = (linear / inStrides[d]) % shape[d];
      if (!llvm::is_contained(axes, (int64_t)d))
        o += coord * outStrides[k++];
    }
    return o;
  };
  int64_t n = input.getNumElements();
  Type e = input.getElementType();
  if (auto ft = dyn_cast<FloatType>(e)) {
    bool isMax = fn == ReduceFn::max, isMin = fn == ReduceFn::min;
    double init = fn == ReduceFn::prod ? 1.0
                  : isMax              ? -INFINITY
                  : isMin              ? INFINITY
                  : fn == ReduceFn::log_sum_exp ? -INFINITY
                                                : 0.0;
    // log_sum_exp subtracts the maximum first, as kernels do.
    SmallVector<double> acc(outCount, init), peak(outCount, -INFINITY);
    auto values = llvm::to_vector(input.getValues<APFloat>());
    if (fn == ReduceFn::log_sum_exp)
      for (int64_t i = 0; i < n; ++i)
        peak[outIndex(i)] = std::max(peak[outIndex(i)], toDouble(values[i]));
    for (int64_t i = 0; i < n; ++i) {
      double x = toDouble(values[i]);
      double &a = acc[outIndex(i)];
      switch (fn) {
      case ReduceFn::sum: case ReduceFn::mean: case ReduceFn::log_sum: a += x; break;
      case ReduceFn::max: a = (std::isnan(x) || std::isnan(a)) ? NAN : std::max(a, x); break;
      case ReduceFn::min: a = (std::isnan(x) || std::isnan(a)) ? NAN : std::min(a, x); break;
      case ReduceFn::prod: a *= x; break;
      case ReduceFn::l1: a += std::fabs(x); break;
      case ReduceFn::l2: case ReduceFn::sum_square: a += x * x; break;
      case ReduceFn::log_sum_exp: {
        double p = peak[outIndex(i)];
        a = (a == -INFINITY ? 0.0 : a) + (std::isinf(p) ? (x == p ? 1.0 : 0.0)
                                                        : std::exp(x - p));
        break;
      }
      }
    }
    SmallVector<APFloat> out;
    for (int64_t o = 0; o < outCount; ++o) {
      double a = acc[o];
      if (fn == ReduceFn::mean) a /= (double)count;
      else if (fn == ReduceFn::l2) a = std::sqrt(a);
      else if (fn == ReduceFn::log_sum) a = std::log(a);
      else if (fn == ReduceFn::log_sum_exp) a = std::log(a) + peak[o];
      out.push_back(fromDouble(a, ft.getFloatSemantics()));
    }
    return DenseElementsAttr::get(resultType, out);
  }
  bool isUnsigned = e.isUnsignedInteger() || e.isInteger(1);
  unsigned width = e.getIntOrFloatBitWidth();
  auto values = llvm::to_vector(input.getValues<APInt>());
  SmallVector<APInt> acc;
  SmallVector<bool> started(outCount, false);
  acc.assign(outCount, APInt(width, fn == ReduceFn::prod ? 1 : 0));
  for (int64_t i = 0; i < n; ++i) {
    APInt x = values[i];
    int64_t o = outIndex(i);
    APInt &a = acc[o];
    switch (fn) {
    case ReduceFn::sum: case ReduceFn::mean: a += x; break;
    case ReduceFn::prod: a *= x; break;
    case ReduceFn::l1: a += (isUnsigned || !x.isNegative()) ? x : -x; break;
    case ReduceFn::sum_square: a += x * x; break;
    case ReduceFn::max:
      a = !started[o] ? x : isUnsigned ? llvm::APIntOps::umax(a, x) : llvm::APIntOps::smax(a, x);
      break;
    case ReduceFn::min:
      a = !started[o] ? x : isUnsigned ? llvm::APIntOps::umin(a, x) : llvm::APIntOps::smin(a, x);
      break;
    default:
      return {};
    }
    started[o] = true;
  }
  if (fn == ReduceFn::mean) {
    APInt c(width, count);
    if (c.getZExtValue() != (uint64_t)count || c.isZero())
      return {};
    for (APInt &a : acc)
      a = isUnsigned ? a.udiv(c) : a.sdiv(c);
  }
  return DenseElementsAttr::get(resultType, acc);
}

OpFoldResult ReduceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType input = getInput().getType();
  auto axes = normalizedAxes(getAxes(), input.getRank());
  if (axes.size() != getAxes().size())
    return {};
  if (DenseElementsAttr c = foldableConstant(adaptor.getInput()))
    if (Attribute r = foldReduceConstant(getFn(), c, axes, getType()))
      return r;
  // Reducing nothing (no axes, or only unit dims kept as unit dims) is the identity
  // for the functions without an element map.
  ReduceFn fn = getFn();
  bool plain = fn == ReduceFn::sum || fn == ReduceFn::mean || fn == ReduceFn::max ||
               fn == ReduceFn::min || fn == ReduceFn::prod ||
               fn == ReduceFn::log_sum_exp;
  bool unitOnly = llvm::all_of(axes, [&](int64_t a) { return input.getDimSize(a) == 1; });
  if (plain && (axes.empty() || (unitOnly && getKeepDims())) && input == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ArgReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ArgReduceOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto axisAttr = adaptor.getAxisAttr();
  SmallVector<int64_t> axes;
  if (axisAttr)
    axes = normalizedAxes({axisAttr.getInt()}, input.getRank());
  SmallVector<int64_t> shape =
      axes.empty() ? unknownShape(input.getRank() - (adaptor.getKeepDims() ? 0 : 1))
                   : reducedShape(input.getShape(), axes, adaptor.getKeepDims());
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ArgReduceOp)

LogicalResult ArgReduceOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(normalizeAxis((int64_t)getAxis(), input.getRank())))
    return emitOpError("axis ") << (int64_t)getAxis() << " is out of range for rank "
                                << input.getRank();
  if (input.getElementType().isInteger(1))
    return emitOpError("'") << stringifyArgReduceFn(getFn())
                            << "' is not defined on i1 elements";
  return success();
}

OpFoldResult ArgReduceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType input = getInput().getType();
  auto axis = normalizeAxis((int64_t)getAxis(), input.getRank());
  if (failed(axis))
    return {};
  // The only index along a unit axis is 0.
  if (input.getDimSize(*axis) == 1)
    return splatOf(getType(), 0);
  DenseElementsAttr c = foldableConstant(adaptor.getInput());
  if (!c || !getType().hasStaticShape() || input.getDimSize(*axis) == 0)
    return {};
  ArrayRef<int64_t> shape = input.getShape();
  int64_t inner = 1;
  for (int64_t d : shape.drop_front(*axis + 1))
    inner *= d;
  int64_t size = shape[*axis], outer = c.getNumElements() / (size * inner);
  bool isMax = getFn() == ArgReduceFn::argmax, last = getSelectLastIndex();
  Type e = input.getElementType();
  bool isFloat = isa<FloatType>(e), isUnsigned = e.isUnsignedInteger();
  SmallVector<APFloat> floats;
  SmallVector<APInt> ints;
  if (isFloat)
    floats = llvm::to_vector(c.getValues<APFloat>());
  else
    ints = llvm::to_vector(c.getValues<APInt>());
  SmallVector<APInt> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      int64_t best = 0;
      for (int64_t j = 1; j < size; ++j) {
        int64_t bi = (o * size + best) * inner + in, ji = (o * size + j) * inner + in;
        int cmp; // sign of (element j - best element)
        if (isFloat) {
          const APFloat &a = floats[ji], &b = floats[bi];
          if (a.isNaN() || b.isNaN())
            return {};
          APFloat::cmpResult r = a.compare(b);
          cmp = r == APFloat::cmpGreaterThan ? 1 : r == APFloat::cmpLessThan ? -1 : 0;
        } else {
          const APInt &a = ints[ji], &b = ints[bi];
          cmp = isUnsigned ? (a.ugt(b) ? 1 : a.ult(b) ? -1 : 0)
                           : (a.sgt(b) ? 1 : a.slt(b) ? -1 : 0);
        }
        if (!isMax)
          cmp = -cmp;
        if (cmp > 0 || (cmp == 0 && last))
          best = j;
      }
      out.push_back(APInt(64, best));
    }
  return DenseElementsAttr::get(getType(), out);
}

//===----------------------------------------------------------------------===//
// SoftmaxOp, LogSoftmaxOp, HardmaxOp
//===----------------------------------------------------------------------===//

static LogicalResult verifySoftmaxAxis(Operation *op, RankedTensorType input,
                                       int64_t axis) {
  if (failed(normalizeAxis(axis, input.getRank())))
    return op->emitOpError("axis ") << axis << " is out of range for rank "
                                    << input.getRank();
  return success();
}

/// Over a unit axis softmax and hardmax are 1 and log_softmax is 0.
static Attribute foldUnitAxis(RankedTensorType input, int64_t axis, Type resultType,
                              double value) {
  auto a = normalizeAxis(axis, input.getRank());
  if (failed(a) || input.getDimSize(*a) != 1)
    return {};
  return splatOf(resultType, value);
}

#define DS_SOFTMAX_LIKE(OP, UNIT_VALUE)                                         \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location>,    \
                                     Adaptor adaptor,                           \
                                     SmallVectorImpl<Type> &inferred) {         \
    inferred.push_back(adaptor.getInput().getType());                           \
    return success();                                                           \
  }                                                                             \
  DS_COMPATIBLE_RETURN_TYPES(OP)                                                \
  LogicalResult OP::verify() {                                                  \
    return verifySoftmaxAxis(*this, getInput().getType(), (int64_t)getAxis());           \
  }                                                                             \
  OpFoldResult OP::fold(FoldAdaptor) {                                          \
    return foldUnitAxis(getInput().getType(), (int64_t)getAxis(), getType(), UNIT_VALUE); \
  }

DS_SOFTMAX_LIKE(SoftmaxOp, 1.0)
DS_SOFTMAX_LIKE(LogSoftmaxOp, 0.0)
DS_SOFTMAX_LIKE(HardmaxOp, 1.0)
#undef DS_SOFTMAX_LIKE

//===----------------------------------------------------------------------===//
// CumsumOp
//===----------------------------------------------------------------------===//

LogicalResult CumsumOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(CumsumOp)

LogicalResult CumsumOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(normalizeAxis((int64_t)getAxis(), input.getRank())))
    return emitOpError("axis ") << (int64_t)getAxis() << " is out of range for rank "
                                << input.getRank();
  if (input.getElementType().isInteger(1))
    return emitOpError("is not defined on i1 elements");
  return success();
}

OpFoldResult CumsumOp::fold(FoldAdaptor adaptor) {
  RankedTensorType input = getInput().getType();
  auto axis = normalizeAxis((int64_t)getAxis(), input.getRank());
  if (failed(axis))
    return {};
  if (input.getDimSize(*axis) == 1) {
    if (!getExclusive() && input == getType())
      return getInput();
    if (getExclusive())
      return splatOf(getType(), 0);
  }
  DenseElementsAttr c = foldableConstant(adaptor.getInput());
  if (!c || !getType().hasStaticShape())
    return {};
  ArrayRef<int64_t> shape = input.getShape();
  int64_t inner = 1;
  for (int64_t d : shape.drop_front(*axis + 1))
    inner *= d;
  int64_t size = shape[*axis];
  if (size == 0)
    return c;
  int64_t outer = c.getNumElements() / (size * inner);
  bool rev = getReverse(), excl = getExclusive();
  // Visits the positions of one line in summation order.
  auto forEachLine = [&](auto &&step) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        step(-1); // starts a line
        for (int64_t k = 0; k < size; ++k) {
          int64_t j = rev ? size - 1 - k : k;
          step((o * size + j) * inner + in);
        }
      }
  };
  if (auto ft = dyn_cast<FloatType>(input.getElementType())) {
    auto values = llvm::to_vector(c.getValues<APFloat>());
    SmallVector<APFloat> out(c.getNumElements(), APFloat::getZero(ft.getFloatSemantics()));
    APFloat acc = APFloat::getZero(ft.getFloatSemantics());
    forEachLine([&](int64_t i) {
      if (i < 0) {
        acc = APFloat::getZero(ft.getFloatSemantics());
        return;
      }
      if (excl) {
        out[i] = acc;
        acc.add(values[i], APFloat::rmNearestTiesToEven);
      } else {
        acc.add(values[i], APFloat::rmNearestTiesToEven);
        out[i] = acc;
      }
    });
    return DenseElementsAttr::get(getType(), out);
  }
  unsigned width = input.getElementType().getIntOrFloatBitWidth();
  auto values = llvm::to_vector(c.getValues<APInt>());
  SmallVector<APInt> out(c.getNumElements(), APInt(width, 0));
  APInt acc(width, 0);
  forEachLine([&](int64_t i) {
    if (i < 0) {
      acc = APInt(width, 0);
      return;
    }
    if (excl) {
      out[i] = acc;
      acc += values[i];
    } else {
      acc += values[i];
      out[i] = acc;
    }
  });
  return DenseElementsAttr::get(getType(), out);
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  SmallVector<int64_t> shape(input.getShape());
  auto kAttr = adaptor.getKAttr();
  auto axisAttr = adaptor.getAxisAttr();
  int64_t k = kAttr ? kAttr.getInt() : -1;
  if (auto axis = normalizeAxis(axisAttr ? axisAttr.getInt() : -1, input.getRank());
      succeeded(axis))
    shape[*axis] = k >= 0 ? k : ShapedType::kDynamic;
  else
    shape = unknownShape(input.getRank());
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(TopKOp)

LogicalResult TopKOp::verify() {
  RankedTensorType input = getInput().getType();
  auto axis = normalizeAxis((int64_t)getAxis(), input.getRank());
  if (failed(axis))
    return emitOpError("axis ") << (int64_t)getAxis() << " is out of range for rank "
                                << input.getRank();
  int64_t k = (int64_t)getK(), dim = input.getDimSize(*axis);
  if (k < 0)
    return emitOpError("k must be non-negative, got ") << k;
  if (!ShapedType::isDynamic(dim) && k > dim)
    return emitOpError("k = ") << k << " exceeds the size " << dim << " of axis "
                               << (int64_t)getAxis();
  if (input.getElementType().isInteger(1))
    return emitOpError("is not defined on i1 elements");
  return success();
}
