//===- DsShapeOps.cpp - shape and data movement ops ------------------------===//
//
// Type inference here is lenient (a dim the operands do not determine, or determine
// inconsistently, becomes `?`) and verifiers report bad operands with their values.
// Shape operands are often computed (PyTorch exports build them from Shape, Gather,
// Unsqueeze and Concat), so inference reads them through getPartialInts, which knows
// the constant entries of such sub-graphs even when some entries are dynamic.
//
//===----------------------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsShapeOps.cpp.inc"

void DsDialect::registerShapeOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsShapeOps.cpp.inc"
      >();
}

static constexpr int64_t kDyn = ShapedType::kDynamic;
static bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }
static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Length of a 1-D operand (shape, sizes, pads). Inference may run before the ODS
/// constraints are checked (the importer infers before it creates an op): anything
/// but 1-D answers "dynamic" here and the verifier reports it.
static int64_t vectorLength(Value v) {
  auto type = tensorType(v);
  return type.getRank() == 1 ? type.getDimSize(0) : ShapedType::kDynamic;
}

/// The static length of the shape operand of `opName` (reshape, expand, fill), or an
/// error at `loc`: without it the result rank is unknown.
static FailureOr<int64_t> staticShapeLength(std::optional<Location> loc,
                                            StringRef opName, Value shape) {
  int64_t len = vectorLength(shape);
  if (isDyn(len))
    return emitOptionalError(loc, "'", opName,
                             "' op shape operand must have a static length, got ",
                             shape.getType());
  return len;
}

/// Prints a list of ints as `[1, -1, 4]` for diagnostics.
static std::string listToString(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + std::to_string(v);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Partly known shape tensors.
//===----------------------------------------------------------------------===//

namespace {
/// One entry of a small integer tensor that the IR may know only in part: a
/// constant, or symbolically "dim `srcDim` of `src`" (from ds.shape_of), or nothing.
struct DimValue {
  int64_t value = kDyn;
  Value src;
  int64_t srcDim = -1;

  bool known() const { return !isDyn(value); }
  static DimValue constant(int64_t v) {
    DimValue d;
    d.value = v;
    return d;
  }
  static DimValue dimOf(Value src, int64_t dim) {
    DimValue d;
    int64_t size = tensorType(src).getDimSize(dim);
    if (!isDyn(size))
      d.value = size;
    else {
      d.src = src;
      d.srcDim = dim;
    }
    return d;
  }
};
using PartialInts = SmallVector<DimValue>;
} // namespace

/// Shape tensors longer than this are not traced (they are not shapes).
static constexpr int64_t kMaxTracedLength = 64;

static FailureOr<std::pair<int64_t, int64_t>> sliceRange(int64_t start, int64_t end,
                                                         int64_t step, int64_t dim);

/// The entries of a 0-D or 1-D integer tensor, as far as the IR determines them;
/// nullopt when its length is unknown or it is too long to be a shape.
static std::optional<PartialInts> getPartialInts(Value v, unsigned depth = 0) {
  if (!v)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() > 1 || !type.hasStaticShape() ||
      !isa<IntegerType>(type.getElementType()) || type.getElementType().isInteger(1))
    return std::nullopt;
  int64_t n = type.getNumElements();
  if (n > kMaxTracedLength)
    return std::nullopt;
  if (auto ints = getConstantInts(v)) {
    PartialInts out;
    for (int64_t i : *ints)
      out.push_back(DimValue::constant(i));
    return out;
  }
  PartialInts unknown(n);
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return unknown;
  auto trace = [&](Value x) { return getPartialInts(x, depth + 1); };
  auto ifLength = [&](std::optional<PartialInts> p) {
    return p && (int64_t)p->size() == n ? *p : unknown;
  };

  if (auto op = dyn_cast<ShapeOfOp>(def)) {
    PartialInts out;
    int64_t rank = tensorType(op.getInput()).getRank();
    for (int64_t i = op.getStart(); i < (int64_t)op.getEnd() && i < rank; ++i)
      out.push_back(DimValue::dimOf(op.getInput(), i));
    return ifLength(out);
  }
  if (auto op = dyn_cast<ConcatOp>(def)) {
    PartialInts out;
    for (Value in : op.getInputs()) {
      auto part = trace(in);
      if (!part || tensorType(in).getRank() != 1)
        return unknown;
      out.append(part->begin(), part->end());
    }
    return ifLength(out);
  }
  // Ops that keep the element order of a small vector.
  if (isa<UnsqueezeOp, SqueezeOp, ReshapeOp, FlattenOp>(def))
    return ifLength(trace(def->getOperand(0)));
  if (auto op = dyn_cast<CastOp>(def)) {
    Type from = tensorType(op.getInput()).getElementType();
    if (isa<IntegerType>(from) && !from.isInteger(1))
      return ifLength(trace(op.getInput()));
    return unknown;
  }
  if (auto op = dyn_cast<GatherOp>(def)) {
    auto data = trace(op.getData());
    auto indices = getConstantInts(op.getIndices());
    if (!data || !indices || tensorType(op.getData()).getRank() != 1)
      return unknown;
    int64_t len = data->size();
    PartialInts out;
    for (int64_t i : *indices) {
      int64_t j = i < 0 ? i + len : i;
      if (j < 0 || j >= len)
        return unknown;
      out.push_back((*data)[j]);
    }
    return ifLength(out);
  }
  if (auto op = dyn_cast<SliceOp>(def)) {
    auto data = trace(op.getData());
    auto starts = getConstantInts(op.getStarts());
    auto ends = getConstantInts(op.getEnds());
    auto steps = getConstantInts(op.getSteps());
    auto axes = getConstantInts(op.getAxes());
    if (!data || !starts || !ends || !steps || !axes ||
        tensorType(op.getData()).getRank() != 1 || starts->size() != 1 ||
        ends->size() != 1 || steps->size() != 1 || axes->size() != 1 ||
        ((*axes)[0] != 0 && (*axes)[0] != -1))
      return unknown;
    auto range = sliceRange((*starts)[0], (*ends)[0], (*steps)[0], data->size());
    if (failed(range))
      return unknown;
    PartialInts out;
    for (int64_t i = 0; i < range->second; ++i)
      out.push_back((*data)[range->first + i * (*steps)[0]]);
    return ifLength(out);
  }
  return unknown;
}

/// Partial entries of a shape operand, all unknown when not traceable.
static PartialInts partialShape(Value shape, int64_t length) {
  auto partial = getPartialInts(shape);
  if (partial && (int64_t)partial->size() == length)
    return *partial;
  return PartialInts(length);
}

//===----------------------------------------------------------------------===//
// Folding helpers.
//===----------------------------------------------------------------------===//

/// A dense constant that a folder may read element by element.
static DenseElementsAttr smallConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || (!dense.isSplat() && dense.getNumElements() > kMaxFoldElements))
    return {};
  return dense;
}

static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn` on every index of a static shape in row-major order.
static void forEachIndex(ArrayRef<int64_t> shape,
                         function_ref<void(ArrayRef<int64_t>)> fn) {
  auto count = staticElementCount(shape);
  if (!count || *count == 0)
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t n = 0; n < *count; ++n) {
    fn(index);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// A constant of `type` whose element at each result index is `input`'s element at
/// the linear index `map(index)`, or `fill` where that is negative. Null when the
/// result is too large or not static.
static DenseElementsAttr remapElements(DenseElementsAttr input, RankedTensorType type,
                                       function_ref<int64_t(ArrayRef<int64_t>)> map,
                                       Attribute fill = {}) {
  if (!input || !type.hasStaticShape() || input.getElementType() != type.getElementType())
    return {};
  if (input.isSplat() && !fill)
    return DenseElementsAttr::get(type, input.getSplatValue<Attribute>());
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<Attribute> source;
  Attribute splat;
  if (input.isSplat())
    splat = input.getSplatValue<Attribute>();
  else
    source.assign(input.getValues<Attribute>().begin(),
                  input.getValues<Attribute>().end());
  SmallVector<Attribute> out;
  out.reserve(type.getNumElements());
  bool ok = true;
  int64_t size = input.getNumElements();
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
    int64_t i = map(index);
    if (i < 0)
      out.push_back(fill);
    else if (i >= size)
      ok = false; // an out-of-range index: no fold, even for a splat input
    else
      out.push_back(splat ? splat : source[i]);
  });
  if (!ok || llvm::any_of(out, [](Attribute a) { return !a; }))
    return {};
  return DenseElementsAttr::get(type, out);
}

static DenseElementsAttr int64Constant(RankedTensorType type, ArrayRef<int64_t> values) {
  if (!type.hasStaticShape() || type.getNumElements() != (int64_t)values.size())
    return {};
  auto element = dyn_cast<IntegerType>(type.getElementType());
  if (!element)
    return {};
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(
        APInt(element.getWidth(), v, /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, ints);
}

/// The values of a small constant integer tensor (indices, depth) for folders.
static std::optional<SmallVector<int64_t>> smallInts(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  bool isUnsigned = dense.getElementType().isUnsignedInteger();
  SmallVector<int64_t> out;
  out.reserve(dense.getNumElements());
  for (const APInt &v : dense.getValues<APInt>())
    out.push_back(isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue());
  return out;
}

/// Row-major linear index of `index` in a tensor with `strides`.
static int64_t linearIndex(ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
  int64_t linear = 0;
  for (auto [i, s] : llvm::zip(index, strides))
    linear += i * s;
  return linear;
}

/// Normalizes and checks a list of axes; failure on one out of range or repeated.
static FailureOr<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                                     int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    auto n = normalizeAxis(a, rank);
    if (failed(n) || llvm::is_contained(out, *n))
      return failure();
    out.push_back(*n);
  }
  return out;
}

/// Verifier form of normalizeAxes, naming the offending axis.
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank,
                                StringRef what = "axis") {
  SmallVector<int64_t> seen;
  for (int64_t a : axes) {
    auto n = normalizeAxis(a, rank);
    if (failed(n))
      return op->emitOpError() << what << " " << a << " is out of range for rank "
                               << rank;
    if (llvm::is_contained(seen, *n))
      return op->emitOpError() << what << " " << a << " is listed twice in "
                               << listToString(axes);
    seen.push_back(*n);
  }
  return success();
}

/// Reads a rank-0 (or one-element) integer or float constant as a double.
static std::optional<double> constantScalar(Value v, bool *isInt = nullptr) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  Type e = attr.getElementType();
  if (auto it = dyn_cast<IntegerType>(e)) {
    if (isInt)
      *isInt = true;
    APInt i = *attr.getValues<APInt>().begin();
    return it.isUnsigned() ? (double)i.getZExtValue() : (double)i.getSExtValue();
  }
  if (isa<FloatType>(e)) {
    if (isInt)
      *isInt = false;
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// ShapeOfOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  int64_t rank = tensorType(adaptor.getInput()).getRank();
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  // An invalid range gets a dynamic length; the verifier reports it.
  int64_t length = start <= end && end <= rank ? end - start : kDyn;
  inferred.push_back(RankedTensorType::get({length}, IntegerType::get(ctx, 64)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ShapeOfOp)

LogicalResult ShapeOfOp::verify() {
  int64_t start = getStart(), end = getEnd();
  int64_t rank = getInput().getType().getRank();
  if (start > end || end > rank)
    return emitOpError("range [")
           << start << ", " << end << ") is not inside the input's rank " << rank;
  return success();
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  int64_t rank = getInput().getType().getRank();
  if (getStart() > getEnd() || (int64_t)getEnd() > rank || !getType().hasStaticShape())
    return {};
  auto shape = getInput().getType().getShape().slice(getStart(), getEnd() - getStart());
  if (ShapedType::isDynamicShape(shape))
    return {};
  return DenseIntElementsAttr::get(getType(), shape);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

/// Result dims of a reshape from the known part of its shape operand. A `-1` entry
/// is inferred when the other entries are static or name input dims (shape_of of
/// the data), which cancel against the same input dims.
static SmallVector<int64_t> inferReshapeDims(Value data, Value shape, bool allowZero,
                                             int64_t rank) {
  auto dataType = tensorType(data);
  int64_t dataRank = dataType.getRank();
  PartialInts entries = partialShape(shape, rank);
  SmallVector<DimValue> out(rank);
  int64_t inferAt = -1, numInfer = 0;
  for (auto [i, e] : llvm::enumerate(entries)) {
    if (!e.known()) {
      out[i] = e;
    } else if (e.value == -1) {
      inferAt = i;
      ++numInfer;
    } else if (e.value == 0 && !allowZero) {
      if ((int64_t)i < dataRank)
        out[i] = DimValue::dimOf(data, i);
    } else if (e.value >= 0) {
      out[i] = e;
    }
  }
  SmallVector<int64_t> dims;
  for (const DimValue &d : out)
    dims.push_back(d.value);
  if (numInfer != 1)
    return dims;
  SmallVector<bool> cancelled(dataRank, false);
  int64_t num = 1, den = 1;
  for (auto [i, d] : llvm::enumerate(out)) {
    if ((int64_t)i == inferAt)
      continue;
    if (d.known()) {
      if (llvm::MulOverflow(den, d.value, den))
        return dims;
      continue;
    }
    if (d.src != data || d.srcDim < 0 || d.srcDim >= dataRank || cancelled[d.srcDim])
      return dims;
    cancelled[d.srcDim] = true;
  }
  for (int64_t k = 0; k < dataRank; ++k) {
    if (cancelled[k])
      continue;
    int64_t size = dataType.getDimSize(k);
    if (isDyn(size) || llvm::MulOverflow(num, size, num))
      return dims;
  }
  if (den > 0 && num % den == 0)
    dims[inferAt] = num / den;
  return dims;
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto rank = staticShapeLength(loc, getOperationName(), adaptor.getShape());
  if (failed(rank))
    return failure();
  auto dims = inferReshapeDims(
      adaptor.getData(), adaptor.getShape(),
      adaptor.getAllowZeroAttr() && adaptor.getAllowZeroAttr().getValue(), *rank);
  inferred.push_back(
      RankedTensorType::get(dims, tensorType(adaptor.getData()).getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ReshapeOp)

LogicalResult ReshapeOp::verify() {
  auto dataType = getData().getType();
  auto outType = getType();
  if (auto shape = getConstantInts(getShape())) {
    int64_t numInfer = llvm::count(*shape, -1);
    if (numInfer > 1)
      return emitOpError("shape has more than one -1: ") << listToString(*shape);
    for (auto [i, v] : llvm::enumerate(*shape)) {
      if (v < -1)
        return emitOpError("shape entry ")
               << v << " at index " << i << " is invalid (must be >= -1)";
      if (v == 0 && !getAllowZero() && (int64_t)i >= dataType.getRank())
        return emitOpError("shape entry 0 at index ")
               << i << " copies an input dim but the input has rank "
               << dataType.getRank();
    }
    if (getAllowZero() && numInfer && llvm::is_contained(*shape, 0))
      return emitOpError("shape ")
             << listToString(*shape) << " has both 0 and -1 while allow_zero is set";
    // A -1 needs the element count to divide.
    auto count = staticElementCount(dataType.getShape());
    if (numInfer && count) {
      int64_t known = 1;
      bool all = true;
      for (auto [i, v] : llvm::enumerate(*shape)) {
        int64_t d = v;
        if (v == 0 && !getAllowZero())
          d = dataType.getDimSize(i);
        if (v == -1)
          continue;
        if (isDyn(d)) {
          all = false;
          break;
        }
        known *= d;
      }
      if (all && ((known == 0 && *count != 0) || (known != 0 && *count % known)))
        return emitOpError("cannot infer the -1 dim of shape ")
               << listToString(*shape) << ": " << *count
               << " input elements are not a multiple of " << known;
    }
  }
  auto inCount = staticElementCount(dataType.getShape());
  auto outCount = staticElementCount(outType.getShape());
  if (inCount && outCount && *inCount != *outCount)
    return emitOpError("input of ")
           << *inCount << " elements (" << shapeToString(dataType.getShape())
           << ") cannot be reshaped to " << shapeToString(outType.getShape()) << " ("
           << *outCount << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  auto type = getType();
  if (type == getData().getType() && type.hasStaticShape())
    return getData();
  if (auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData()))
    if (type.hasStaticShape() && input.getNumElements() == type.getNumElements())
      return input.reshape(type);
  // reshape(reshape(x)) == reshape(x) when no entry can copy a dim of the middle.
  if (auto inner = getData().getDefiningOp<ReshapeOp>()) {
    PartialInts entries = partialShape(getShape(), type.getRank());
    bool noCopy = getAllowZero() || llvm::all_of(entries, [](const DimValue &d) {
                    return d.known() && d.value != 0;
                  });
    if (noCopy) {
      getDataMutable().set(inner.getData());
      return getResult();
    }
  }
  return {};
}

namespace {
/// A reshape with a static result gets the explicit dims as its shape operand, so
/// the computed shape sub-graph it used becomes dead.
struct ReshapeToStaticShape : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "result shape is not static");
    auto current = getConstantInts(op.getShape());
    bool hasZero = llvm::is_contained(type.getShape(), 0);
    if (current && ArrayRef<int64_t>(*current) == type.getShape() &&
        (!hasZero || op.getAllowZero()))
      return rewriter.notifyMatchFailure(op, "shape is already explicit");
    auto shapeType = RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = ConstantOp::create(
        rewriter, op.getLoc(), DenseIntElementsAttr::get(shapeType, type.getShape()));
    rewriter.modifyOpInPlace(op, [&] {
      op.getShapeMutable().set(shape);
      if (hasZero)
        op.setAllowZero(true);
    });
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *ctx) {
  results.add<ReshapeToStaticShape>(ctx);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

static bool isPermutation(ArrayRef<int64_t> perm, int64_t rank) {
  if ((int64_t)perm.size() != rank)
    return false;
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  SmallVector<int64_t> dims(perm.size(), kDyn);
  if (isPermutation(perm, type.getRank()))
    for (auto [i, p] : llvm::enumerate(perm))
      dims[i] = type.getDimSize(p);
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(TransposeOp)

LogicalResult TransposeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if ((int64_t)getPerm().size() != rank)
    return emitOpError("perm has ")
           << getPerm().size() << " entries but the input has rank " << rank;
  if (!isPermutation(getPerm(), rank))
    return emitOpError("perm ")
           << listToString(getPerm()) << " is not a permutation of [0, " << rank << ")";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (!isPermutation(perm, getInput().getType().getRank()))
    return {};
  if (llvm::equal(perm, llvm::seq<int64_t>(0, (int64_t)perm.size())) &&
      getInput().getType() == getType())
    return getInput();
  if (auto input = smallConstant(adaptor.getInput())) {
    auto inStrides = stridesOf(getInput().getType().getShape());
    if (auto folded = remapElements(input, getType(), [&](ArrayRef<int64_t> idx) {
          int64_t linear = 0;
          for (auto [i, p] : llvm::enumerate(perm))
            linear += idx[i] * inStrides[p];
          return linear;
        }))
      return folded;
  }
  // transpose(transpose(x, p), q) == transpose(x, p o q).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    if (!isPermutation(innerPerm, inner.getInput().getType().getRank()))
      return {};
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().set(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "'ds.concat' op needs at least one input");
  auto first = tensorType(adaptor.getInputs().front());
  int64_t rank = first.getRank();
  SmallVector<int64_t> dims(rank, kDyn);
  auto axis = normalizeAxis((int64_t)adaptor.getAxis(), rank);
  bool sameRank = llvm::all_of(adaptor.getInputs(),
                               [&](Value v) { return tensorType(v).getRank() == rank; });
  if (succeeded(axis) && sameRank) {
    int64_t sum = 0;
    for (Value v : adaptor.getInputs()) {
      int64_t d = tensorType(v).getDimSize(*axis);
      sum = (isDyn(sum) || isDyn(d)) ? kDyn : sum + d;
    }
    for (int64_t i = 0; i < rank; ++i) {
      if (i == *axis) {
        dims[i] = sum;
        continue;
      }
      for (Value v : adaptor.getInputs()) {
        int64_t d = tensorType(v).getDimSize(i);
        if (!isDyn(d)) {
          dims[i] = d;
          break;
        }
      }
    }
  }
  inferred.push_back(first.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ConcatOp)

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto first = getInputs().front().getType();
  auto firstType = cast<RankedTensorType>(first);
  int64_t rank = firstType.getRank();
  auto axis = normalizeAxis((int64_t)getAxis(), rank);
  if (failed(axis))
    return emitOpError("axis ")
           << (int64_t)getAxis() << " is out of range for rank " << rank;
  for (auto [n, v] : llvm::enumerate(getInputs())) {
    auto t = tensorType(v);
    if (t.getElementType() != firstType.getElementType())
      return emitOpError("input #") << n << " has element type " << t.getElementType()
                                    << " but input #0 has " << firstType.getElementType();
    if (t.getRank() != rank)
      return emitOpError("input #")
             << n << " has rank " << t.getRank() << " but input #0 has rank " << rank;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t a = firstType.getDimSize(i), b = t.getDimSize(i);
      if (i != *axis && !isDyn(a) && !isDyn(b) && a != b)
        return emitOpError("input #")
               << n << " has shape " << shapeToString(t.getShape())
               << ", which differs from input #0 (" << shapeToString(firstType.getShape())
               << ") in dim " << i << " (axis is " << *axis << ")";
    }
  }
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  auto type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  auto axis = normalizeAxis((int64_t)getAxis(), type.getRank());
  if (failed(axis))
    return {};
  SmallVector<SmallVector<Attribute>> sources;
  SmallVector<int64_t> offsets; // start of each input along the axis
  int64_t offset = 0;
  for (auto [v, attr] : llvm::zip(getInputs(), adaptor.getInputs())) {
    auto dense = smallConstant(attr);
    if (!dense)
      return {};
    auto t = tensorType(v);
    if (!t.hasStaticShape())
      return {};
    sources.emplace_back(dense.getValues<Attribute>().begin(),
                         dense.getValues<Attribute>().end());
    offsets.push_back(offset);
    offset += t.getDimSize(*axis);
  }
  SmallVector<Attribute> out;
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx) {
    int64_t k = std::upper_bound(offsets.begin(), offsets.end(), idx[*axis]) -
                offsets.begin() - 1;
    // Skip inputs that are empty along the axis.
    auto t = tensorType(getInputs()[k]);
    SmallVector<int64_t> local(idx);
    local[*axis] -= offsets[k];
    auto strides = stridesOf(t.getShape());
    int64_t linear = 0;
    for (auto [i, s] : llvm::enumerate(strides))
      linear += local[i] * s;
    out.push_back(sources[k][linear]);
  });
  if ((int64_t)out.size() != type.getNumElements())
    return {};
  return DenseElementsAttr::get(type, out);
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

/// ONNX Slice on a dim of size `dim`: the clamped start and the result length.
static FailureOr<std::pair<int64_t, int64_t>> sliceRange(int64_t start, int64_t end,
                                                         int64_t step, int64_t dim) {
  if (step == 0 || dim < 0)
    return failure();
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return std::make_pair(start, end > start ? (end - start - 1) / step + 1 : 0);
  }
  if (dim == 0)
    return std::make_pair<int64_t, int64_t>(0, 0);
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  int64_t stride = step == std::numeric_limits<int64_t>::min()
                       ? std::numeric_limits<int64_t>::max()
                       : -step;
  return std::make_pair(start, start > end ? (start - end - 1) / stride + 1 : 0);
}

/// Ends at least this large mean "to the end" of a dim (exporters write INT64_MAX
/// or INT32_MAX); no tensor dim comes near it.
static bool isToTheEnd(int64_t end) { return end >= std::numeric_limits<int32_t>::max(); }

namespace {
/// Slicing parameters of one axis.
struct SliceAxis {
  int64_t axis;
  DimValue start, end, step;
};
} // namespace

/// Per-axis slicing parameters when the axes are constant; nullopt otherwise.
static std::optional<SmallVector<SliceAxis>>
sliceAxes(Value data, Value starts, Value ends, Value axes, Value steps) {
  auto axisValues = getConstantInts(axes);
  if (!axisValues)
    return std::nullopt;
  int64_t n = axisValues->size(), rank = tensorType(data).getRank();
  PartialInts s = partialShape(starts, n), e = partialShape(ends, n),
              st = partialShape(steps, n);
  auto normalized = normalizeAxes(*axisValues, rank);
  if (failed(normalized))
    return std::nullopt;
  SmallVector<SliceAxis> out;
  for (int64_t i = 0; i < n; ++i)
    out.push_back({(*normalized)[i], s[i], e[i], st[i]});
  return out;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getData());
  SmallVector<int64_t> dims(type.getShape());
  auto axes = sliceAxes(adaptor.getData(), adaptor.getStarts(), adaptor.getEnds(),
                        adaptor.getAxes(), adaptor.getSteps());
  if (!axes) {
    inferred.push_back(type.clone(SmallVector<int64_t>(type.getRank(), kDyn)));
    return success();
  }
  for (const SliceAxis &a : *axes) {
    int64_t d = type.getDimSize(a.axis);
    dims[a.axis] = kDyn;
    if (!a.start.known() || !a.end.known() || !a.step.known())
      continue;
    int64_t start = a.start.value, end = a.end.value, step = a.step.value;
    if (!isDyn(d)) {
      if (auto range = sliceRange(start, end, step, d); succeeded(range))
        dims[a.axis] = range->second;
      continue;
    }
    // A whole dim of unknown size: [0:end] forward or [-1::-1] backward.
    if ((step == 1 && start == 0 && isToTheEnd(end)) ||
        (step == -1 && (start == -1 || isToTheEnd(start)) && isToTheEnd(-end)))
      dims[a.axis] = d;
  }
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(SliceOp)

LogicalResult SliceOp::verify() {
  int64_t lengths[] = {
      getStarts().getType().getDimSize(0), getEnds().getType().getDimSize(0),
      getAxes().getType().getDimSize(0), getSteps().getType().getDimSize(0)};
  for (int64_t l : lengths)
    if (!isDyn(l) && !isDyn(lengths[0]) && l != lengths[0])
      return emitOpError("starts, ends, axes and steps have lengths ")
             << lengths[0] << ", " << lengths[1] << ", " << lengths[2] << ", "
             << lengths[3] << "; they must be equal";
  int64_t rank = getData().getType().getRank();
  if (auto axes = getConstantInts(getAxes()))
    if (failed(verifyAxes(*this, *axes, rank)))
      return failure();
  if (auto steps = getConstantInts(getSteps()))
    for (auto [i, s] : llvm::enumerate(*steps))
      if (s == 0)
        return emitOpError("step at index ") << i << " is 0";
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto dataType = getData().getType();
  auto axes = sliceAxes(getData(), getStarts(), getEnds(), getAxes(), getSteps());
  if (!axes)
    return {};
  // Per dim: the start and step of the slice (0 and 1 for dims not sliced).
  int64_t rank = dataType.getRank();
  SmallVector<int64_t> start(rank, 0), step(rank, 1);
  bool identity = true;
  for (const SliceAxis &a : *axes) {
    if (!a.start.known() || !a.end.known() || !a.step.known())
      return {};
    int64_t d = dataType.getDimSize(a.axis);
    if (isDyn(d)) {
      if (!(a.step.value == 1 && a.start.value == 0 && isToTheEnd(a.end.value)))
        identity = false;
      continue;
    }
    auto range = sliceRange(a.start.value, a.end.value, a.step.value, d);
    if (failed(range))
      return {};
    start[a.axis] = range->first;
    step[a.axis] = a.step.value;
    if (range->first != 0 || a.step.value != 1 || range->second != d)
      identity = false;
  }
  if (identity && dataType == getType())
    return getData();
  auto input = smallConstant(adaptor.getData());
  if (!input || !dataType.hasStaticShape())
    return {};
  auto strides = stridesOf(dataType.getShape());
  return remapElements(input, getType(), [&](ArrayRef<int64_t> idx) {
    int64_t linear = 0;
    for (int64_t i = 0; i < rank; ++i)
      linear += (start[i] + idx[i] * step[i]) * strides[i];
    return linear;
  });
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

/// Sizes of the pieces along the split dim (kDyn where unknown).
static SmallVector<int64_t> splitSizes(Value sizes, int64_t dim, int64_t n) {
  SmallVector<int64_t> out(n, kDyn);
  if (sizes) {
    PartialInts p = partialShape(sizes, n);
    for (int64_t i = 0; i < n; ++i)
      if (p[i].known() && p[i].value >= 0)
        out[i] = p[i].value;
    return out;
  }
  if (isDyn(dim))
    return out;
  int64_t chunk = ((dim + n - 1) / n);
  int64_t last = dim - chunk * (n - 1);
  for (int64_t i = 0; i < n; ++i)
    out[i] = i + 1 < n ? chunk : (last >= 0 ? last : kDyn);
  return out;
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  int64_t n = (int64_t)adaptor.getNumOutputs();
  if (n <= 0 || n > 4096)
    return emitOptionalError(loc, "'ds.split' op num_outputs ", n,
                             " is not in [1, 4096]");
  auto axis = normalizeAxis((int64_t)adaptor.getAxis(), type.getRank());
  if (failed(axis)) {
    for (int64_t i = 0; i < n; ++i)
      inferred.push_back(type.clone(SmallVector<int64_t>(type.getRank(), kDyn)));
    return success();
  }
  auto sizes = splitSizes(adaptor.getSizes(), type.getDimSize(*axis), n);
  for (int64_t s : sizes) {
    SmallVector<int64_t> dims(type.getShape());
    dims[*axis] = s;
    inferred.push_back(type.clone(dims));
  }
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(SplitOp)

LogicalResult SplitOp::verify() {
  auto type = getInput().getType();
  auto axis = normalizeAxis((int64_t)getAxis(), type.getRank());
  if (failed(axis))
    return emitOpError("axis ")
           << (int64_t)getAxis() << " is out of range for rank " << type.getRank();
  int64_t n = (int64_t)getNumOutputs(), dim = type.getDimSize(*axis);
  if (Value sizes = getSizes()) {
    int64_t len = vectorLength(sizes);
    if (!isDyn(len) && len != n)
      return emitOpError("sizes has ") << len << " entries for " << n << " outputs";
    if (auto values = getConstantInts(sizes)) {
      int64_t sum = 0;
      for (auto [i, s] : llvm::enumerate(*values)) {
        if (s < 0)
          return emitOpError("size ") << s << " at index " << i << " is negative";
        sum += s;
      }
      if (!isDyn(dim) && sum != dim)
        return emitOpError("sizes ") << listToString(*values) << " add up to " << sum
                                     << " but dim " << *axis << " has size " << dim;
    }
  } else if (!isDyn(dim) && dim - ((dim + n - 1) / n) * (n - 1) < 0) {
    return emitOpError("dim ") << *axis << " of size " << dim << " cannot be split into "
                               << n << " pieces of " << ((dim + n - 1) / n);
  }
  return success();
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult> &results) {
  auto type = getInput().getType();
  if (getNumResults() == 1 && getResult(0).getType() == type) {
    results.push_back(getInput());
    return success();
  }
  auto input = smallConstant(adaptor.getInput());
  auto axis = normalizeAxis((int64_t)getAxis(), type.getRank());
  if (!input || failed(axis) || !type.hasStaticShape())
    return failure();
  auto strides = stridesOf(type.getShape());
  int64_t offset = 0;
  SmallVector<OpFoldResult> folded;
  for (Value r : getResults()) {
    auto rt = tensorType(r);
    auto piece = remapElements(input, rt, [&](ArrayRef<int64_t> idx) {
      int64_t linear = 0;
      for (auto [i, s] : llvm::enumerate(strides))
        linear += (idx[i] + ((int64_t)i == *axis ? offset : 0)) * s;
      return linear;
    });
    if (!piece)
      return failure();
    folded.push_back(piece);
    offset += rt.getDimSize(*axis);
  }
  results.append(folded.begin(), folded.end());
  return success();
}

//===----------------------------------------------------------------------===//
// SqueezeOp, UnsqueezeOp, FlattenOp
//===----------------------------------------------------------------------===//

/// Folds ops that only change the shape of a constant.
static OpFoldResult foldReshapeLike(Attribute input, RankedTensorType type) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(input);
  if (!dense || !type.hasStaticShape() || dense.getNumElements() != type.getNumElements())
    return {};
  return dense.reshape(type);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  SmallVector<int64_t> drop;
  for (int64_t a : adaptor.getAxes())
    if (auto n = normalizeAxis(a, type.getRank()); succeeded(n))
      drop.push_back(*n);
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(drop, i))
      dims.push_back(type.getDimSize(i));
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(SqueezeOp)

LogicalResult SqueezeOp::verify() {
  auto type = getInput().getType();
  if (failed(verifyAxes(*this, getAxes(), type.getRank())))
    return failure();
  for (int64_t a : getAxes()) {
    int64_t i = *normalizeAxis(a, type.getRank());
    int64_t d = type.getDimSize(i);
    if (!isDyn(d) && d != 1)
      return emitOpError("cannot squeeze dim ") << i << " of size " << d;
  }
  return success();
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return foldReshapeLike(adaptor.getInput(), getType());
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  int64_t rank = type.getRank() + adaptor.getAxes().size();
  SmallVector<int64_t> dims(rank, kDyn);
  auto axes = normalizeAxes(adaptor.getAxes(), rank);
  if (succeeded(axes)) {
    auto in = type.getShape().begin();
    for (int64_t i = 0; i < rank; ++i)
      dims[i] = llvm::is_contained(*axes, i) ? 1 : *in++;
  }
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(UnsqueezeOp)

LogicalResult UnsqueezeOp::verify() {
  return verifyAxes(*this, getAxes(), getInput().getType().getRank() + getAxes().size());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return foldReshapeLike(adaptor.getInput(), getType());
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  int64_t rank = type.getRank(), axis = (int64_t)adaptor.getAxis();
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> dims{kDyn, kDyn};
  if (axis >= 0 && axis <= rank) {
    auto outer = staticElementCount(type.getShape().take_front(axis));
    auto inner = staticElementCount(type.getShape().drop_front(axis));
    dims = {outer ? *outer : kDyn, inner ? *inner : kDyn};
  }
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(FlattenOp)

LogicalResult FlattenOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if ((int64_t)getAxis() < -rank || (int64_t)getAxis() > rank)
    return emitOpError("axis ")
           << (int64_t)getAxis() << " is out of range [" << -rank << ", " << rank << "]";
  return success();
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return foldReshapeLike(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// ExpandOp, TileOp
//===----------------------------------------------------------------------===//

static SmallVector<int64_t> knownOrDynamic(const PartialInts &entries) {
  SmallVector<int64_t> out;
  for (const DimValue &d : entries)
    out.push_back(d.known() && d.value >= 0 ? d.value : kDyn);
  return out;
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  auto len = staticShapeLength(loc, getOperationName(), adaptor.getShape());
  if (failed(len))
    return failure();
  auto target = knownOrDynamic(partialShape(adaptor.getShape(), *len));
  inferred.push_back(type.clone(broadcastShapesLenient(type.getShape(), target)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ExpandOp)

LogicalResult ExpandOp::verify() {
  auto type = getInput().getType();
  int64_t len = getShape().getType().getDimSize(0);
  if (isDyn(len))
    return success();
  PartialInts entries = partialShape(getShape(), len);
  for (auto [i, d] : llvm::enumerate(entries))
    if (d.known() && d.value < 0)
      return emitOpError("shape entry ")
             << d.value << " at index " << i << " is negative";
  SmallVector<int64_t> target = knownOrDynamic(entries), result;
  if (failed(broadcastShapes(type.getShape(), target, result)))
    return emitOpError("cannot expand ")
           << shapeToString(type.getShape()) << " to " << shapeToString(target);
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  auto inType = getInput().getType();
  auto type = getType();
  if (inType == type && type.hasStaticShape())
    return getInput();
  auto input = smallConstant(adaptor.getInput());
  if (!input || !inType.hasStaticShape())
    return {};
  auto strides = stridesOf(inType.getShape());
  int64_t lead = type.getRank() - inType.getRank();
  return remapElements(input, type, [&](ArrayRef<int64_t> idx) {
    int64_t linear = 0;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      linear += (inType.getDimSize(i) == 1 ? 0 : idx[lead + i]) * strides[i];
    return linear;
  });
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  int64_t rank = type.getRank();
  PartialInts repeats = partialShape(adaptor.getRepeats(), rank);
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = type.getDimSize(i);
    const DimValue &r = repeats[i];
    if (r.known() && (r.value == 1 || r.value == 0))
      dims.push_back(r.value == 1 ? d : 0);
    else if (r.known() && r.value > 0 && !isDyn(d))
      dims.push_back(d * r.value);
    else
      dims.push_back(d == 0 ? 0 : kDyn);
  }
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(TileOp)

LogicalResult TileOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t len = getRepeats().getType().getDimSize(0);
  if (!isDyn(len) && len != rank)
    return emitOpError("repeats has ") << len << " entries for an input of rank " << rank;
  if (auto repeats = getConstantInts(getRepeats()))
    for (auto [i, r] : llvm::enumerate(*repeats))
      if (r < 0)
        return emitOpError("repeat ") << r << " at index " << i << " is negative";
  return success();
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  auto inType = getInput().getType();
  if (inType == getType() && inType.hasStaticShape())
    return getInput();
  auto input = smallConstant(adaptor.getInput());
  if (!input || !inType.hasStaticShape())
    return {};
  auto strides = stridesOf(inType.getShape());
  return remapElements(input, getType(), [&](ArrayRef<int64_t> idx) {
    int64_t linear = 0;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      linear += (idx[i] % inType.getDimSize(i)) * strides[i];
    return linear;
  });
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

/// The padded axes (all dims when `axes` is absent), normalized; failure if invalid.
static FailureOr<SmallVector<int64_t>> padAxes(std::optional<ArrayRef<int64_t>> axes,
                                               int64_t rank) {
  if (!axes)
    return llvm::to_vector(llvm::seq<int64_t>(0, rank));
  return normalizeAxes(*axes, rank);
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  SmallVector<int64_t> dims(type.getShape());
  auto axes = padAxes(adaptor.getAxes(), type.getRank());
  int64_t len = vectorLength(adaptor.getPads());
  if (failed(axes) || isDyn(len) || len != 2 * (int64_t)axes->size()) {
    inferred.push_back(type.clone(SmallVector<int64_t>(type.getRank(), kDyn)));
    return success();
  }
  PartialInts pads = partialShape(adaptor.getPads(), len);
  int64_t n = axes->size();
  for (auto [i, a] : llvm::enumerate(*axes)) {
    const DimValue &begin = pads[i], &end = pads[n + i];
    int64_t d = type.getDimSize(a);
    if (begin.known() && end.known() && begin.value == 0 && end.value == 0)
      continue;
    dims[a] =
        (begin.known() && end.known() && !isDyn(d) && d + begin.value + end.value >= 0)
            ? d + begin.value + end.value
            : kDyn;
  }
  inferred.push_back(type.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(PadOp)

LogicalResult PadOp::verify() {
  auto type = getInput().getType();
  int64_t rank = type.getRank();
  if (auto axes = getAxes())
    if (failed(verifyAxes(*this, *axes, rank)))
      return failure();
  int64_t n = getAxes() ? getAxes()->size() : rank;
  int64_t len = getPads().getType().getDimSize(0);
  if (!isDyn(len) && len != 2 * n)
    return emitOpError("pads has ")
           << len << " entries but " << n << " axes need " << 2 * n;
  if (Value value = getValue()) {
    auto vt = tensorType(value);
    if (vt.getRank() != 0 || vt.getElementType() != type.getElementType())
      return emitOpError("value must be a rank-0 tensor of ")
             << type.getElementType() << ", got " << vt;
    if (getMode() != PadMode::constant)
      return emitOpError("a pad value is only used in constant mode, not ")
             << stringifyPadMode(getMode());
  }
  if (auto pads = getConstantInts(getPads()); pads && (int64_t)pads->size() == 2 * n) {
    auto axes = *padAxes(getAxes(), rank);
    for (auto [i, a] : llvm::enumerate(axes)) {
      int64_t d = type.getDimSize(a), begin = (*pads)[i], end = (*pads)[n + i];
      if (!isDyn(d) && d + begin + end < 0)
        return emitOpError("padding dim ") << a << " of size " << d << " by " << begin
                                           << " and " << end << " gives a negative size";
      if (!isDyn(d) && getMode() != PadMode::constant && d == 0 && (begin > 0 || end > 0))
        return emitOpError("cannot pad the empty dim ")
               << a << " in " << stringifyPadMode(getMode()) << " mode";
    }
  }
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  auto inType = getInput().getType();
  auto type = getType();
  auto pads = getConstantInts(getPads());
  if (!pads)
    return {};
  if (llvm::all_of(*pads, [](int64_t p) { return p == 0; }) && inType == type)
    return getInput();
  auto input = smallConstant(adaptor.getInput());
  auto axes = padAxes(getAxes(), inType.getRank());
  if (!input || !inType.hasStaticShape() || failed(axes) ||
      pads->size() != 2 * axes->size())
    return {};
  int64_t rank = inType.getRank();
  SmallVector<int64_t> begin(rank, 0);
  for (auto [i, a] : llvm::enumerate(*axes))
    begin[a] = (*pads)[i];
  Attribute fill;
  if (getMode() == PadMode::constant) {
    if (getValue()) {
      auto value = dyn_cast_or_null<DenseElementsAttr>(adaptor.getValue());
      if (!value)
        return {};
      fill = value.getSplatValue<Attribute>();
    } else {
      fill = Builder(getContext()).getZeroAttr(inType.getElementType());
    }
  }
  if (llvm::any_of(inType.getShape(), [](int64_t d) { return d == 0; }))
    return {};
  auto strides = stridesOf(inType.getShape());
  PadMode mode = getMode();
  return remapElements(
      input, type,
      [&](ArrayRef<int64_t> idx) -> int64_t {
        int64_t linear = 0;
        for (int64_t i = 0; i < rank; ++i) {
          int64_t d = inType.getDimSize(i), j = idx[i] - begin[i];
          if (j < 0 || j >= d) {
            switch (mode) {
            case PadMode::constant:
              return -1;
            case PadMode::edge:
              j = std::clamp<int64_t>(j, 0, d - 1);
              break;
            case PadMode::wrap:
              j = ((j % d) + d) % d;
              break;
            case PadMode::reflect: {
              if (d == 1) {
                j = 0;
                break;
              }
              int64_t period = 2 * (d - 1);
              j = ((j % period) + period) % period;
              if (j >= d)
                j = period - j;
              break;
            }
            }
          }
          linear += j * strides[i];
        }
        return linear;
      },
      fill);
}

//===----------------------------------------------------------------------===//
// GatherOp, GatherElementsOp, GatherNdOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto data = tensorType(adaptor.getData());
  auto indices = tensorType(adaptor.getIndices());
  auto axis = normalizeAxis((int64_t)adaptor.getAxis(), data.getRank());
  SmallVector<int64_t> dims;
  if (failed(axis)) {
    dims.assign(std::max<int64_t>(data.getRank() - 1, 0) + indices.getRank(), kDyn);
  } else {
    dims.append(data.getShape().begin(), data.getShape().begin() + *axis);
    dims.append(indices.getShape().begin(), indices.getShape().end());
    dims.append(data.getShape().begin() + *axis + 1, data.getShape().end());
  }
  inferred.push_back(data.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(GatherOp)

/// Checks the gather axis and, when the indices are constant, that each index (negative
/// ones count from the back) falls inside that dim.
static LogicalResult verifyGatherIndices(Operation *op, RankedTensorType data,
                                         int64_t axisAttr, Value indices) {
  auto axis = normalizeAxis(axisAttr, data.getRank());
  if (failed(axis))
    return op->emitOpError("axis ")
           << axisAttr << " is out of range for rank " << data.getRank();
  int64_t d = data.getDimSize(*axis);
  if (auto values = getConstantInts(indices); values && !isDyn(d))
    for (int64_t i : *values)
      if (i < -d || i >= d)
        return op->emitOpError("index ")
               << i << " is out of range for dim " << *axis << " of size " << d;
  return success();
}

LogicalResult GatherOp::verify() {
  return verifyGatherIndices(*this, getData().getType(), (int64_t)getAxis(),
                             getIndices());
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto type = getType();
  auto dataType = getData().getType();
  auto indices = getConstantInts(getIndices());
  auto axis = normalizeAxis((int64_t)getAxis(), dataType.getRank());
  if (!indices || failed(axis) || !type.hasStaticShape())
    return {};
  int64_t d = dataType.getDimSize(*axis);
  // Entries of a shape vector that are static even when others are not.
  if (dataType.getRank() == 1 && !isDyn(d)) {
    if (auto entries = getPartialInts(getData())) {
      SmallVector<int64_t> values;
      for (int64_t i : *indices) {
        int64_t j = i < 0 ? i + d : i;
        if (j < 0 || j >= d || !(*entries)[j].known())
          return {};
        values.push_back((*entries)[j].value);
      }
      return int64Constant(type, values);
    }
  }
  auto input = smallConstant(adaptor.getData());
  if (!input || !dataType.hasStaticShape())
    return {};
  int64_t indexRank = getIndices().getType().getRank();
  auto strides = stridesOf(dataType.getShape());
  auto indexStrides = stridesOf(getIndices().getType().getShape());
  return remapElements(input, type, [&](ArrayRef<int64_t> idx) -> int64_t {
    int64_t k = 0;
    for (int64_t j = 0; j < indexRank; ++j)
      k += idx[*axis + j] * indexStrides[j];
    int64_t at = (*indices)[k];
    if (at < 0)
      at += d;
    if (at < 0 || at >= d)
      return std::numeric_limits<int64_t>::max(); // out of range: no fold
    int64_t linear = 0;
    for (int64_t i = 0; i < dataType.getRank(); ++i) {
      int64_t pos = i < *axis ? idx[i] : i == *axis ? at : idx[i - 1 + indexRank];
      linear += pos * strides[i];
    }
    return linear;
  });
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &inferred) {
  auto data = tensorType(adaptor.getData());
  inferred.push_back(data.clone(tensorType(adaptor.getIndices()).getShape()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(GatherElementsOp)

LogicalResult GatherElementsOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  if (data.getRank() != indices.getRank())
    return emitOpError("indices have rank ")
           << indices.getRank() << " but data has rank " << data.getRank();
  return verifyGatherIndices(*this, data, (int64_t)getAxis(), getIndices());
}

OpFoldResult GatherElementsOp::fold(FoldAdaptor adaptor) {
  auto input = smallConstant(adaptor.getData());
  auto indices = getConstantInts(getIndices());
  auto dataType = getData().getType();
  auto axis = normalizeAxis((int64_t)getAxis(), dataType.getRank());
  if (!input || !indices || failed(axis) || !dataType.hasStaticShape() ||
      dataType.getRank() != getType().getRank())
    return {};
  auto strides = stridesOf(dataType.getShape());
  auto outStrides = stridesOf(getType().getShape());
  int64_t d = dataType.getDimSize(*axis);
  return remapElements(input, getType(), [&](ArrayRef<int64_t> idx) -> int64_t {
    int64_t k = 0;
    for (auto [i, s] : llvm::enumerate(outStrides))
      k += idx[i] * s;
    int64_t at = (*indices)[k] < 0 ? (*indices)[k] + d : (*indices)[k];
    if (at < 0 || at >= d)
      return std::numeric_limits<int64_t>::max();
    int64_t linear = 0;
    for (int64_t i = 0; i < dataType.getRank(); ++i)
      linear += (i == *axis ? at : idx[i]) * strides[i];
    return linear;
  });
}

LogicalResult GatherNdOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto data = tensorType(adaptor.getData());
  auto indices = tensorType(adaptor.getIndices());
  int64_t q = indices.getRank(), r = data.getRank();
  int64_t b = adaptor.getBatchDimsAttr() ? (int64_t)adaptor.getBatchDims() : 0;
  if (q < 1 || isDyn(indices.getDimSize(q - 1)))
    return emitOptionalError(loc,
                             "'ds.gather_nd' op the last dim of indices must be "
                             "static, got ",
                             indices);
  int64_t m = indices.getDimSize(q - 1);
  SmallVector<int64_t> dims(indices.getShape().drop_back());
  if (b + m <= r)
    dims.append(data.getShape().begin() + b + m, data.getShape().end());
  inferred.push_back(data.clone(dims));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(GatherNdOp)

LogicalResult GatherNdOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  int64_t q = indices.getRank(), r = data.getRank(), b = (int64_t)getBatchDims();
  if (b >= std::min(q, r))
    return emitOpError("batch_dims ") << b << " must be less than the ranks of data ("
                                      << r << ") and indices (" << q << ")";
  int64_t m = indices.getDimSize(q - 1);
  if (m < 1 || b + m > r)
    return emitOpError("index tuples of length ")
           << m << " do not fit data of rank " << r << " after " << b << " batch dims";
  for (int64_t i = 0; i < b; ++i) {
    int64_t x = data.getDimSize(i), y = indices.getDimSize(i);
    if (!isDyn(x) && !isDyn(y) && x != y)
      return emitOpError("batch dim ")
             << i << " is " << x << " in data but " << y << " in indices";
  }
  return success();
}

OpFoldResult GatherNdOp::fold(FoldAdaptor adaptor) {
  auto input = smallConstant(adaptor.getData());
  auto indices = smallInts(adaptor.getIndices());
  auto dataType = getData().getType();
  auto indexType = getIndices().getType();
  auto type = getType();
  if (!input || !indices || !dataType.hasStaticShape() || !indexType.hasStaticShape() ||
      !type.hasStaticShape())
    return {};
  int64_t q = indexType.getRank(), r = dataType.getRank(), b = (int64_t)getBatchDims();
  int64_t m = indexType.getDimSize(q - 1);
  if (m < 1 || b >= q || b + m > r || type.getRank() != q - 1 + r - b - m)
    return {};
  // An index out of range is a run-time error, not a fold (even of a splat).
  for (auto [k, at] : llvm::enumerate(*indices)) {
    int64_t d = dataType.getDimSize(b + k % m);
    if (at < -d || at >= d)
      return {};
  }
  auto dataStrides = stridesOf(dataType.getShape());
  auto indexStrides = stridesOf(indexType.getShape());
  return remapElements(input, type, [&](ArrayRef<int64_t> idx) -> int64_t {
    // idx = [batch dims, other index dims, trailing data dims].
    int64_t tuple = linearIndex(idx.take_front(q - 1), indexStrides);
    SmallVector<int64_t> pos(idx.take_front(b));
    for (int64_t j = 0; j < m; ++j) {
      int64_t d = dataType.getDimSize(b + j), at = (*indices)[tuple + j];
      if (at < 0)
        at += d;
      if (at < 0 || at >= d)
        return std::numeric_limits<int64_t>::max(); // out of range: no fold
      pos.push_back(at);
    }
    pos.append(idx.begin() + q - 1, idx.end());
    return linearIndex(pos, dataStrides);
  });
}

//===----------------------------------------------------------------------===//
// ScatterElementsOp, ScatterNdOp
//===----------------------------------------------------------------------===//

LogicalResult ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getData().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ScatterElementsOp)

static LogicalResult verifyUpdatesType(Operation *op, RankedTensorType data,
                                       RankedTensorType updates) {
  if (data.getElementType() != updates.getElementType())
    return op->emitOpError("updates have element type ")
           << updates.getElementType() << " but data has " << data.getElementType();
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (failed(verifyUpdatesType(*this, data, updates)))
    return failure();
  if (indices.getRank() != data.getRank())
    return emitOpError("indices have rank ")
           << indices.getRank() << " but data has rank " << data.getRank();
  if (failed(verifyCompatibleShape(indices.getShape(), updates.getShape())))
    return emitOpError("updates shape ")
           << shapeToString(updates.getShape()) << " differs from indices shape "
           << shapeToString(indices.getShape());
  if (failed(normalizeAxis((int64_t)getAxis(), data.getRank())))
    return emitOpError("axis ")
           << (int64_t)getAxis() << " is out of range for rank " << data.getRank();
  return success();
}

/// `current` combined with `update` by a scatter reduction; null when the element
/// type has no such arithmetic here (bool add, say).
static Attribute combineScatter(ScatterReduction reduction, Attribute current,
                                Attribute update) {
  if (reduction == ScatterReduction::none)
    return update;
  if (auto a = dyn_cast<IntegerAttr>(current)) {
    auto b = dyn_cast<IntegerAttr>(update);
    if (!b || a.getType().isInteger(1))
      return {};
    const APInt &x = a.getValue(), &y = b.getValue();
    bool isUnsigned = a.getType().isUnsignedInteger();
    APInt out;
    switch (reduction) {
    case ScatterReduction::add:
      out = x + y;
      break;
    case ScatterReduction::mul:
      out = x * y;
      break;
    case ScatterReduction::max:
      out = isUnsigned ? llvm::APIntOps::umax(x, y) : llvm::APIntOps::smax(x, y);
      break;
    case ScatterReduction::min:
      out = isUnsigned ? llvm::APIntOps::umin(x, y) : llvm::APIntOps::smin(x, y);
      break;
    case ScatterReduction::none:
      break;
    }
    return IntegerAttr::get(a.getType(), out);
  }
  if (auto a = dyn_cast<FloatAttr>(current)) {
    auto b = dyn_cast<FloatAttr>(update);
    if (!b)
      return {};
    APFloat x = a.getValue();
    const APFloat &y = b.getValue();
    switch (reduction) {
    case ScatterReduction::add:
      x.add(y, APFloat::rmNearestTiesToEven);
      break;
    case ScatterReduction::mul:
      x.multiply(y, APFloat::rmNearestTiesToEven);
      break;
    case ScatterReduction::max:
      x = llvm::maximum(x, y);
      break;
    case ScatterReduction::min:
      x = llvm::minimum(x, y);
      break;
    case ScatterReduction::none:
      break;
    }
    return FloatAttr::get(a.getType(), x);
  }
  return {};
}

/// Applies updates to a copy of `data`: `targets[k]` (a linear index, or -1 for an
/// index out of range) receives `updates[k]`. Null, i.e. no fold, on an index out of
/// range, on an element written twice without a reduction (ONNX leaves the order
/// undefined) or on a reduction the element type does not support.
static DenseElementsAttr scatterConstant(RankedTensorType type, DenseElementsAttr data,
                                         DenseElementsAttr updates,
                                         ArrayRef<int64_t> targets,
                                         ScatterReduction reduction) {
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements ||
      data.getType().getShape() != type.getShape() ||
      updates.getNumElements() != (int64_t)targets.size())
    return {};
  SmallVector<Attribute> out(data.getValues<Attribute>().begin(),
                             data.getValues<Attribute>().end());
  SmallVector<Attribute> values(updates.getValues<Attribute>().begin(),
                                updates.getValues<Attribute>().end());
  SmallVector<bool> written(out.size(), false);
  for (auto [k, t] : llvm::enumerate(targets)) {
    if (t < 0 || t >= (int64_t)out.size())
      return {};
    if (reduction == ScatterReduction::none && written[t])
      return {};
    written[t] = true;
    out[t] = combineScatter(reduction, out[t], values[k]);
    if (!out[t])
      return {};
  }
  return DenseElementsAttr::get(type, out);
}

OpFoldResult ScatterElementsOp::fold(FoldAdaptor adaptor) {
  auto data = smallConstant(adaptor.getData());
  auto updates = smallConstant(adaptor.getUpdates());
  auto indices = smallInts(adaptor.getIndices());
  auto dataType = getData().getType();
  auto indexType = getIndices().getType();
  if (!data || !updates || !indices || !dataType.hasStaticShape() ||
      !indexType.hasStaticShape() || indexType.getRank() != dataType.getRank() ||
      updates.getType().getShape() != indexType.getShape())
    return {};
  auto axis = normalizeAxis((int64_t)getAxis(), dataType.getRank());
  if (failed(axis))
    return {};
  auto dataStrides = stridesOf(dataType.getShape());
  auto indexStrides = stridesOf(indexType.getShape());
  SmallVector<int64_t> targets;
  forEachIndex(indexType.getShape(), [&](ArrayRef<int64_t> idx) {
    int64_t d = dataType.getDimSize(*axis);
    int64_t at = (*indices)[linearIndex(idx, indexStrides)];
    if (at < 0)
      at += d;
    SmallVector<int64_t> pos(idx);
    pos[*axis] = at;
    bool inRange = llvm::all_of(llvm::enumerate(pos), [&](auto p) {
      return p.value() >= 0 && p.value() < dataType.getDimSize(p.index());
    });
    targets.push_back(inRange ? linearIndex(pos, dataStrides) : -1);
  });
  return scatterConstant(getType(), data, updates, targets, getReduction());
}

OpFoldResult ScatterNdOp::fold(FoldAdaptor adaptor) {
  auto data = smallConstant(adaptor.getData());
  auto updates = smallConstant(adaptor.getUpdates());
  auto indices = smallInts(adaptor.getIndices());
  auto dataType = getData().getType();
  auto indexType = getIndices().getType();
  if (!data || !updates || !indices || !dataType.hasStaticShape() ||
      !indexType.hasStaticShape() || !updates.getType().hasStaticShape())
    return {};
  int64_t q = indexType.getRank(), m = indexType.getDimSize(q - 1);
  if (m > dataType.getRank())
    return {};
  // Each index tuple addresses a block of the trailing data dims.
  auto block = staticElementCount(dataType.getShape().drop_front(m));
  auto dataStrides = stridesOf(dataType.getShape());
  int64_t tuples = m ? (int64_t)indices->size() / m : 0;
  if (!block || m == 0)
    return {};
  SmallVector<int64_t> targets;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t base = 0;
    for (int64_t j = 0; j < m; ++j) {
      int64_t d = dataType.getDimSize(j), at = (*indices)[t * m + j];
      if (at < 0)
        at += d;
      if (at < 0 || at >= d) {
        base = -1;
        break;
      }
      base += at * dataStrides[j];
    }
    for (int64_t e = 0; e < *block; ++e)
      targets.push_back(base < 0 ? -1 : base + e);
  }
  return scatterConstant(getType(), data, updates, targets, getReduction());
}

LogicalResult ScatterNdOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getData().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(ScatterNdOp)

LogicalResult ScatterNdOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (failed(verifyUpdatesType(*this, data, updates)))
    return failure();
  int64_t q = indices.getRank();
  if (q < 1 || isDyn(indices.getDimSize(q - 1)))
    return emitOpError("the last dim of indices must be static, got ") << indices;
  int64_t m = indices.getDimSize(q - 1);
  if (m > data.getRank())
    return emitOpError("index tuples of length ")
           << m << " exceed the data rank " << data.getRank();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  expected.append(data.getShape().begin() + m, data.getShape().end());
  if (failed(verifyCompatibleShape(expected, updates.getShape())))
    return emitOpError("updates have shape ")
           << shapeToString(updates.getShape()) << " but indices and data need "
           << shapeToString(expected);
  return success();
}

//===----------------------------------------------------------------------===//
// RangeOp
//===----------------------------------------------------------------------===//

/// Length of a range with constant operands, or nullopt.
static std::optional<int64_t> rangeLength(Value start, Value limit, Value delta) {
  bool isInt = false;
  auto s = constantScalar(start, &isInt), l = constantScalar(limit),
       d = constantScalar(delta);
  if (!s || !l || !d || *d == 0)
    return std::nullopt;
  if (isInt) {
    auto si = getConstantInts(start), li = getConstantInts(limit),
         di = getConstantInts(delta);
    if (!si || !li || !di)
      return std::nullopt;
    int64_t a = (*si)[0], b = (*li)[0], c = (*di)[0];
    // ceil((b - a) / c) without overflow for shape-sized values.
    __int128 diff = (__int128)b - a;
    __int128 n = diff / c + ((diff % c != 0) && ((diff > 0) == (c > 0)) ? 1 : 0);
    if (n < 0)
      n = 0;
    if (n > std::numeric_limits<int32_t>::max())
      return std::nullopt;
    return (int64_t)n;
  }
  double n = std::ceil((*l - *s) / *d);
  if (!(n >= 0))
    return 0;
  if (n > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return (int64_t)n;
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto n = rangeLength(adaptor.getStart(), adaptor.getLimit(), adaptor.getDelta());
  inferred.push_back(RankedTensorType::get(
      {n ? *n : kDyn}, tensorType(adaptor.getStart()).getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(RangeOp)

LogicalResult RangeOp::verify() {
  Type element = getStart().getType().getElementType();
  std::pair<StringRef, Value> operands[] = {
      {"start", getStart()}, {"limit", getLimit()}, {"delta", getDelta()}};
  for (auto [name, v] : operands) {
    auto t = tensorType(v);
    if (t.getRank() != 0 || t.getElementType() != element)
      return emitOpError() << name << " must be a rank-0 tensor of " << element
                           << ", got " << t;
  }
  if (element.isInteger(1))
    return emitOpError("range of i1 is not defined");
  if (auto d = constantScalar(getDelta()); d && *d == 0)
    return emitOpError("delta is 0");
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor) {
  auto type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  int64_t n = type.getNumElements();
  Type element = type.getElementType();
  if (isa<IntegerType>(element)) {
    auto s = getConstantInts(getStart()), d = getConstantInts(getDelta());
    if (!s || !d || !getConstantInts(getLimit()) ||
        rangeLength(getStart(), getLimit(), getDelta()) != n)
      return {};
    SmallVector<int64_t> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back((*s)[0] + i * (*d)[0]);
    return int64Constant(type, values);
  }
  auto s = constantScalar(getStart()), d = constantScalar(getDelta());
  if (!s || !d || rangeLength(getStart(), getLimit(), getDelta()) != n)
    return {};
  auto ft = cast<FloatType>(element);
  SmallVector<APFloat> values;
  for (int64_t i = 0; i < n; ++i) {
    APFloat v(*s + i * *d);
    bool lost;
    v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v);
  }
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// FillOp
//===----------------------------------------------------------------------===//

LogicalResult FillOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto len = staticShapeLength(loc, getOperationName(), adaptor.getShape());
  if (failed(len))
    return failure();
  if (!isa<IntegerAttr, FloatAttr>(adaptor.getValue()))
    return emitOptionalError(loc,
                             "'ds.fill' op value must be an integer or float "
                             "scalar, got ",
                             adaptor.getValue());
  auto dims = knownOrDynamic(partialShape(adaptor.getShape(), *len));
  inferred.push_back(RankedTensorType::get(dims, adaptor.getValue().getType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(FillOp)

LogicalResult FillOp::verify() {
  if (auto shape = getConstantInts(getShape()))
    for (auto [i, d] : llvm::enumerate(*shape))
      if (d < 0)
        return emitOpError("shape entry ") << d << " at index " << i << " is negative";
  return success();
}

OpFoldResult FillOp::fold(FoldAdaptor) {
  auto type = getType();
  if (!type.hasStaticShape() || !isa<IntegerAttr, FloatAttr>(getValue()) ||
      type.getElementType() != getValue().getType())
    return {};
  return DenseElementsAttr::get(type, getValue());
}

//===----------------------------------------------------------------------===//
// TriluOp
//===----------------------------------------------------------------------===//

LogicalResult TriluOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(TriluOp)

LogicalResult TriluOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank < 2)
    return emitOpError("input must have rank >= 2, got ") << rank;
  if (Value k = getK()) {
    auto t = tensorType(k);
    if (t.getRank() != 0 || !t.getElementType().isInteger(64))
      return emitOpError("k must be a rank-0 i64 tensor, got ") << t;
  }
  return success();
}

OpFoldResult TriluOp::fold(FoldAdaptor adaptor) {
  int64_t k = 0;
  if (getK()) {
    auto ks = getConstantInts(getK());
    if (!ks)
      return {};
    k = (*ks)[0];
  }
  auto type = getType();
  auto input = smallConstant(adaptor.getInput());
  if (!input || !type.hasStaticShape() || type.getRank() < 2)
    return {};
  int64_t rank = type.getRank();
  auto strides = stridesOf(type.getShape());
  bool upper = getUpper();
  Attribute zero = Builder(getContext()).getZeroAttr(type.getElementType());
  return remapElements(
      input, type,
      [&](ArrayRef<int64_t> idx) -> int64_t {
        int64_t i = idx[rank - 2], j = idx[rank - 1];
        bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep)
          return -1;
        int64_t linear = 0;
        for (auto [n, s] : llvm::enumerate(strides))
          linear += idx[n] * s;
        return linear;
      },
      zero);
}

//===----------------------------------------------------------------------===//
// NonZeroOp, OneHotOp, EyeLikeOp
//===----------------------------------------------------------------------===//

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  inferred.push_back(RankedTensorType::get(
      {tensorType(adaptor.getInput()).getRank(), kDyn}, IntegerType::get(ctx, 64)));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(NonZeroOp)

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto indices = tensorType(adaptor.getIndices());
  Type element = tensorType(adaptor.getValues()).getElementType();
  int64_t rank = indices.getRank() + 1;
  // Inference may run before the default of `axis` is filled in.
  auto axis =
      normalizeAxis(adaptor.getAxisAttr() ? (int64_t)adaptor.getAxis() : -1, rank);
  int64_t depth = kDyn;
  if (auto d = constantScalar(adaptor.getDepth());
      d && *d >= 0 && *d < std::numeric_limits<int32_t>::max())
    depth = (int64_t)*d;
  SmallVector<int64_t> dims(rank, kDyn);
  if (succeeded(axis)) {
    dims.assign(indices.getShape().begin(), indices.getShape().end());
    dims.insert(dims.begin() + *axis, depth);
  }
  inferred.push_back(RankedTensorType::get(dims, element));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(OneHotOp)

LogicalResult OneHotOp::verify() {
  int64_t rank = getIndices().getType().getRank() + 1;
  if (failed(normalizeAxis((int64_t)getAxis(), rank)))
    return emitOpError("axis ")
           << (int64_t)getAxis() << " is out of range for result rank " << rank;
  auto indices = getIndices().getType();
  if (!isa<IntegerType>(indices.getElementType()) ||
      indices.getElementType().isInteger(1))
    return emitOpError("indices must have integer elements, got ")
           << indices.getElementType();
  auto depth = getDepth().getType();
  if (depth.getRank() > 1 || (depth.hasStaticShape() && depth.getNumElements() != 1) ||
      !isa<IntegerType>(depth.getElementType()) || depth.getElementType().isInteger(1))
    return emitOpError("depth must be a one-element integer tensor, got ") << depth;
  if (auto d = constantScalar(getDepth()); d && *d < 1)
    return emitOpError("depth ") << (int64_t)*d << " must be positive";
  auto values = getValues().getType();
  if (values.getRank() != 1 || values.getDimSize(0) != 2)
    return emitOpError("values must be a 1-D tensor of [off, on], got ") << values;
  return success();
}

OpFoldResult OneHotOp::fold(FoldAdaptor adaptor) {
  auto indices = smallInts(adaptor.getIndices());
  auto depth = smallInts(adaptor.getDepth());
  auto values = smallConstant(adaptor.getValues());
  auto type = getType();
  auto indexType = getIndices().getType();
  if (!indices || !depth || depth->size() != 1 || !values ||
      values.getNumElements() != 2 || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements || !indexType.hasStaticShape() ||
      values.getElementType() != type.getElementType())
    return {};
  auto axis = normalizeAxis((int64_t)getAxis(), type.getRank());
  if (failed(axis) || type.getDimSize(*axis) != (*depth)[0])
    return {};
  Attribute off = values.getValues<Attribute>()[0];
  Attribute on = values.getValues<Attribute>()[1];
  auto indexStrides = stridesOf(indexType.getShape());
  int64_t d = (*depth)[0];
  SmallVector<Attribute> out;
  out.reserve(type.getNumElements());
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx) {
    SmallVector<int64_t> pos(idx);
    pos.erase(pos.begin() + *axis);
    // Indices outside [-depth, depth) give an all-off row.
    int64_t i = (*indices)[linearIndex(pos, indexStrides)];
    if (i < 0)
      i += d;
    out.push_back(i == idx[*axis] ? on : off);
  });
  return DenseElementsAttr::get(type, out);
}

LogicalResult EyeLikeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  if (!isa<IntegerType, FloatType>(adaptor.getDtype()))
    return emitOptionalError(loc,
                             "'ds.eye_like' op dtype must be an integer or "
                             "float type, got ",
                             adaptor.getDtype());
  inferred.push_back(RankedTensorType::get(tensorType(adaptor.getInput()).getShape(),
                                           adaptor.getDtype()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(EyeLikeOp)

LogicalResult EyeLikeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank != 2)
    return emitOpError("input must have rank 2, got ") << rank;
  return success();
}

OpFoldResult EyeLikeOp::fold(FoldAdaptor) {
  auto type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements ||
      !isa<IntegerType, FloatType>(type.getElementType()))
    return {};
  Builder b(getContext());
  Attribute zero = b.getZeroAttr(type.getElementType());
  Attribute one = isa<FloatType>(type.getElementType())
                      ? Attribute(b.getFloatAttr(type.getElementType(), 1.0))
                      : Attribute(b.getIntegerAttr(type.getElementType(), 1));
  int64_t k = (int64_t)getK();
  SmallVector<Attribute> values;
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> idx) {
    values.push_back(idx[1] - idx[0] == k ? one : zero);
  });
  return DenseElementsAttr::get(type, values);
}
