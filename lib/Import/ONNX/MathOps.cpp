//===- MathOps.cpp - ONNX math ops to ds ----------------------------------===//
//
// Linear algebra (MatMul, Gemm, matmul-like Einsum), the softmax family,
// normalization (LayerNormalization, RMSNormalization), reductions, ArgMax/ArgMin,
// CumSum and TopK.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

NamedAttribute i64Attr(NodeContext &ctx, StringRef name, int64_t v) {
  return ctx.named(name, ctx.b.getI64IntegerAttr(v));
}

/// Appends a unit attribute only when `on` (unit attributes are absent when false).
void addUnit(NodeContext &ctx, SmallVectorImpl<NamedAttribute> &attrs, StringRef name,
             bool on) {
  if (on)
    attrs.push_back(ctx.named(name, ctx.b.getUnitAttr()));
}

std::string joinInts(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + std::to_string(v);
  return s + "]";
}

/// Axes [axis, rank) that ONNX opset < 13 softmax-like ops coerce into one.
SmallVector<int64_t> trailingAxes(int64_t axis, int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(axis, rank));
}

FailureOr<Value> reduce(NodeContext &ctx, ReduceFn fn, Value x, ArrayRef<int64_t> axes,
                        bool keepDims) {
  SmallVector<NamedAttribute> attrs{
      ctx.named("fn", ReduceFnAttr::get(ctx.getContext(), fn)),
      ctx.named("axes", ctx.b.getDenseI64ArrayAttr(axes))};
  addUnit(ctx, attrs, "keep_dims", keepDims);
  return ctx.create<ReduceOp>(x, attrs);
}

FailureOr<Value> matmul(NodeContext &ctx, Value a, Value b, bool transA, bool transB) {
  SmallVector<NamedAttribute> attrs;
  addUnit(ctx, attrs, "transpose_a", transA);
  addUnit(ctx, attrs, "transpose_b", transB);
  return ctx.create<MatmulOp>({a, b}, attrs);
}

FailureOr<Value> transpose(NodeContext &ctx, Value x, ArrayRef<int64_t> perm) {
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return x;
  return ctx.create<TransposeOp>(x, {ctx.named("perm", ctx.b.getDenseI64ArrayAttr(perm))});
}

//===----------------------------------------------------------------------===//
// MatMul, Gemm
//===----------------------------------------------------------------------===//

/// Numpy matmul: a 1-D lhs is a row [1, K] and a 1-D rhs a column [K, 1]; the unit
/// dim they add is squeezed from the result.
LogicalResult importMatMul(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  int64_t ra = ctx.inputType(0).getRank(), rb = ctx.inputType(1).getRank();
  if (ra == 0 || rb == 0)
    return ctx.fail("MatMul operands must have rank >= 1, got ranks " + Twine(ra) +
                    " and " + Twine(rb));
  auto unsqueeze = [&](Value v, int64_t axis) {
    return ctx.create<UnsqueezeOp>(
        v, {ctx.named("axes", ctx.b.getDenseI64ArrayAttr({axis}))});
  };
  if (ra == 1) {
    auto v = unsqueeze(a, 0);
    if (failed(v))
      return failure();
    a = *v;
  }
  if (rb == 1) {
    auto v = unsqueeze(b, 1);
    if (failed(v))
      return failure();
    b = *v;
  }
  auto y = matmul(ctx, a, b, false, false);
  if (failed(y))
    return failure();
  if (ra == 1 || rb == 1) {
    int64_t rank = cast<RankedTensorType>(y->getType()).getRank();
    SmallVector<int64_t> axes;
    if (ra == 1)
      axes.push_back(rank - 2);
    if (rb == 1)
      axes.push_back(rank - 1);
    y = ctx.create<SqueezeOp>(*y, {ctx.named("axes", ctx.b.getDenseI64ArrayAttr(axes))});
    if (failed(y))
      return failure();
  }
  return ctx.setOutput(*y);
}

/// Gemm: Y = alpha * A' B' + beta * C. The dense-layer form (alpha = beta = 1, no
/// transA, C absent or [N]) becomes ds.linear; the rest ds.matmul and ds.binary.
LogicalResult importGemm(NodeContext &ctx) {
  float alpha = ctx.getFloat("alpha", 1.0f), beta = ctx.getFloat("beta", 1.0f);
  bool transA = ctx.getInt("transA", 0) != 0, transB = ctx.getInt("transB", 0) != 0;
  if (ctx.failedAttributes())
    return failure();
  RankedTensorType ta = ctx.inputType(0), tb = ctx.inputType(1);
  if (ta.getRank() != 2 || tb.getRank() != 2)
    return ctx.fail("Gemm needs 2-D A and B, got ranks " + Twine(ta.getRank()) +
                    " and " + Twine(tb.getRank()));
  Value a = ctx.input(0), b = ctx.input(1), c = ctx.input(2);
  int64_t n = tb.getDimSize(transB ? 0 : 1);
  bool cIsBias = false;
  if (c) {
    RankedTensorType tc = ctx.inputType(2);
    cIsBias = tc.getRank() == 1 && !ShapedType::isDynamic(n) && tc.getDimSize(0) == n;
  }
  if (alpha == 1.0f && !transA && (!c || (beta == 1.0f && cIsBias))) {
    SmallVector<Value> operands{a, b};
    if (c)
      operands.push_back(c);
    SmallVector<NamedAttribute> attrs;
    addUnit(ctx, attrs, "transpose_w", transB);
    auto y = ctx.create<LinearOp>(operands, attrs);
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  Type e = ta.getElementType();
  auto y = matmul(ctx, a, b, transA, transB);
  if (failed(y))
    return failure();
  if (alpha != 1.0f) {
    y = ctx.binary(BinaryFn::mul, *y, ctx.scalar(e, alpha));
    if (failed(y))
      return failure();
  }
  if (c && beta != 0.0f) {
    if (beta != 1.0f) {
      auto scaled = ctx.binary(BinaryFn::mul, c, ctx.scalar(e, beta));
      if (failed(scaled))
        return failure();
      c = *scaled;
    }
    y = ctx.binary(BinaryFn::add, *y, c);
    if (failed(y))
      return failure();
  }
  return ctx.setOutput(*y);
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// An index of an einsum term: a letter (its character) or one dim of an ellipsis,
/// numbered from the right (kEllipsisBase + 0 is the last ellipsis dim), so that
/// ellipsis dims of different operands line up as numpy broadcasting does.
constexpr int kEllipsisBase = 256;

/// Expands a term into indices for a tensor of `rank` dims; the error names the term.
FailureOr<SmallVector<int>> expandTerm(StringRef term, int64_t rank, std::string &err) {
  size_t dots = term.find("...");
  int64_t letters = (int64_t)term.size() - (dots == StringRef::npos ? 0 : 3);
  if (dots != StringRef::npos && term.find("...", dots + 1) != StringRef::npos) {
    err = "term '" + term.str() + "' has more than one ellipsis";
    return failure();
  }
  for (size_t i = 0; i < term.size(); ++i) {
    if (dots != StringRef::npos && i >= dots && i < dots + 3)
      continue;
    if (!llvm::isAlpha(term[i])) {
      err = "term '" + term.str() + "' has the character '" + std::string(1, term[i]) +
            "'";
      return failure();
    }
  }
  int64_t ellipsisDims = rank - letters;
  if (ellipsisDims < 0 || (dots == StringRef::npos && ellipsisDims != 0)) {
    err = "term '" + term.str() + "' does not match an operand of rank " +
          std::to_string(rank);
    return failure();
  }
  SmallVector<int> out;
  for (size_t i = 0; i < term.size(); ++i) {
    if (dots != StringRef::npos && i == dots) {
      for (int64_t j = ellipsisDims - 1; j >= 0; --j)
        out.push_back(kEllipsisBase + (int)j);
      i += 2;
      continue;
    }
    if (llvm::is_contained(out, (int)term[i])) {
      err = "term '" + term.str() + "' repeats the index '" + std::string(1, term[i]) +
            "' (diagonals are not supported)";
      return failure();
    }
    out.push_back(term[i]);
  }
  return out;
}

/// Positions of `order`'s indices in `term`.
SmallVector<int64_t> permutationTo(ArrayRef<int> term, ArrayRef<int> order) {
  SmallVector<int64_t> perm;
  for (int idx : order)
    perm.push_back(llvm::find(term, idx) - term.begin());
  return perm;
}

/// A two-operand einsum with the one contracted index `k` as a batched ds.matmul.
/// A vector operand (no index of its own) gets a unit row or column, squeezed from
/// the product again, as numpy matmul does. Gives std::nullopt when the batch
/// indices do not fit a matmul's broadcasting; the caller then falls back.
std::optional<FailureOr<Value>>
importEinsumAsMatmul(NodeContext &ctx, Value a, Value b, SmallVector<int> ta,
                     SmallVector<int> tb, ArrayRef<int> to, int k, ArrayRef<int> onlyA,
                     ArrayRef<int> onlyB, ArrayRef<int> shared) {
  // The row (column) index is the lhs-only (rhs-only) index that comes last in the
  // result; other one-sided indices are batch dims the other operand broadcasts over.
  constexpr int kUnitRow = -1, kUnitCol = -2;
  auto lastIn = [&](ArrayRef<int> candidates, int none) {
    if (candidates.empty())
      return none;
    int best = candidates.front();
    for (int idx : candidates)
      if (llvm::find(to, idx) > llvm::find(to, best))
        best = idx;
    return best;
  };
  int m = lastIn(onlyA, kUnitRow), n = lastIn(onlyB, kUnitCol);
  SmallVector<int> batch;
  for (int idx : to)
    if (idx != m && idx != n)
      batch.push_back(idx);
  // Numpy broadcasting aligns batch dims from the right, so dims of one operand only
  // must lead, and only one operand may have them.
  bool seenShared = false, extraA = false, extraB = false;
  for (int idx : batch) {
    if (llvm::is_contained(shared, idx))
      seenShared = true;
    else if (seenShared)
      return std::nullopt;
    else
      (llvm::is_contained(ta, idx) ? extraA : extraB) = true;
  }
  if (extraA && extraB)
    return std::nullopt;
  auto unsqueeze = [&](Value v, int64_t axis) {
    return ctx.create<UnsqueezeOp>(
        v, {ctx.named("axes", ctx.b.getDenseI64ArrayAttr({axis}))});
  };
  // A vector lhs becomes a [1, K] row, a vector rhs a [K, 1] column.
  if (m == kUnitRow) {
    int64_t pos = llvm::find(ta, k) - ta.begin();
    auto v = unsqueeze(a, pos);
    if (failed(v))
      return FailureOr<Value>(failure());
    a = *v;
    ta.insert(ta.begin() + pos, m);
  }
  if (n == kUnitCol) {
    int64_t pos = llvm::find(tb, k) - tb.begin() + 1;
    auto v = unsqueeze(b, pos);
    if (failed(v))
      return FailureOr<Value>(failure());
    b = *v;
    tb.insert(tb.begin() + pos, n);
  }
  // Operand layouts: batch dims in result order, then the operand's own order of its
  // last two indices (a swap becomes a transpose flag).
  auto layout = [&](ArrayRef<int> term, int own, bool &swapped) {
    SmallVector<int> order;
    for (int idx : batch)
      if (llvm::is_contained(term, idx))
        order.push_back(idx);
    bool ownFirst = llvm::find(term, own) < llvm::find(term, k);
    swapped = !ownFirst;
    order.push_back(ownFirst ? own : k);
    order.push_back(ownFirst ? k : own);
    return order;
  };
  bool swapA, swapB;
  SmallVector<int> orderA = layout(ta, m, swapA), orderB = layout(tb, n, swapB);
  // lhs layout [.., M, K] needs no flag; rhs [.., K, N] needs none either.
  bool transA = swapA, transB = !swapB;
  // Batch dims out of result order are moved by ds.transpose.
  auto pa = transpose(ctx, a, permutationTo(ta, orderA));
  if (failed(pa))
    return FailureOr<Value>(failure());
  auto pb = transpose(ctx, b, permutationTo(tb, orderB));
  if (failed(pb))
    return FailureOr<Value>(failure());
  SmallVector<int> mn(batch), nm(batch);
  mn.append({m, n});
  nm.append({n, m});
  FailureOr<Value> y;
  SmallVector<int> produced;
  if (to == ArrayRef<int>(nm)) {
    // (A B)^T = B^T A^T: swap the operands instead of transposing the result.
    y = matmul(ctx, *pb, *pa, !transB, !transA);
    produced = nm;
  } else {
    y = matmul(ctx, *pa, *pb, transA, transB);
    produced = mn;
  }
  if (failed(y))
    return y;
  SmallVector<int64_t> unitAxes;
  for (auto [i, idx] : llvm::enumerate(produced))
    if (idx == kUnitRow || idx == kUnitCol)
      unitAxes.push_back(i);
  if (!unitAxes.empty()) {
    y = ctx.create<SqueezeOp>(*y,
                              {ctx.named("axes", ctx.b.getDenseI64ArrayAttr(unitAxes))});
    if (failed(y))
      return y;
    llvm::erase_if(produced, [](int idx) { return idx == kUnitRow || idx == kUnitCol; });
  }
  return transpose(ctx, *y, permutationTo(produced, to));
}

/// Einsum with one or two operands and no index repeated within a term (diagonals).
/// One operand is a sum and a transpose. Two operands with one contracted index are
/// a batched ds.matmul where the batch indices allow it (vectors included); other
/// two-operand forms (outer products, several contracted indices) are a broadcast
/// ds.binary mul and a ds.reduce sum.
LogicalResult importEinsum(NodeContext &ctx) {
  std::string equation = ctx.getString("equation");
  if (ctx.failedAttributes())
    return failure();
  std::string eq;
  for (char ch : equation)
    if (ch != ' ')
      eq += ch;
  auto unsupported = [&](const Twine &why) {
    return ctx.fail("Einsum equation '" + equation + "' is not supported: " + why +
                    "; ds imports Einsum with one or two operands and no index "
                    "repeated within a term");
  };
  StringRef s(eq);
  auto [lhsPart, outPart] = s.split("->");
  bool explicitOut = s.contains("->");
  SmallVector<StringRef> terms;
  lhsPart.split(terms, ',');
  std::string err;
  if ((int64_t)terms.size() != (int64_t)ctx.numInputs())
    return ctx.fail("Einsum equation '" + equation + "' has " + Twine(terms.size()) +
                    " operand term(s) for " + Twine(ctx.numInputs()) + " input(s)");
  if (terms.size() == 1) {
    // One operand: a sum over the indices the result drops, then a transpose.
    auto t = expandTerm(terms[0], ctx.inputType(0).getRank(), err);
    if (failed(t))
      return unsupported(err);
    SmallVector<int> out;
    if (explicitOut) {
      bool hasDots = outPart.contains("...");
      int64_t ellipsisDims = llvm::count_if(*t, [](int i) { return i >= kEllipsisBase; });
      auto o = expandTerm(outPart, (int64_t)outPart.size() - (hasDots ? 3 : 0) +
                                       (hasDots ? ellipsisDims : 0),
                          err);
      if (failed(o))
        return unsupported(err);
      out = *o;
    } else {
      for (int idx : *t)
        if (idx >= kEllipsisBase)
          out.push_back(idx);
      SmallVector<int> letters;
      for (int idx : *t)
        if (idx < kEllipsisBase)
          letters.push_back(idx);
      llvm::sort(letters);
      out.append(letters);
    }
    SmallVector<int64_t> summed;
    SmallVector<int> kept;
    for (auto [i, idx] : llvm::enumerate(*t)) {
      if (llvm::is_contained(out, idx))
        kept.push_back(idx);
      else
        summed.push_back(i);
    }
    for (int idx : out)
      if (!llvm::is_contained(*t, idx))
        return unsupported("an index of the result is not in the operand");
    Value x = ctx.input(0);
    if (!summed.empty()) {
      auto r = reduce(ctx, ReduceFn::sum, x, summed, false);
      if (failed(r))
        return failure();
      x = *r;
    }
    auto y = transpose(ctx, x, permutationTo(kept, out));
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  if (terms.size() != 2)
    return unsupported("it has " + Twine(terms.size()) + " operands");
  auto ta = expandTerm(terms[0], ctx.inputType(0).getRank(), err);
  if (failed(ta))
    return unsupported(err);
  auto tb = expandTerm(terms[1], ctx.inputType(1).getRank(), err);
  if (failed(tb))
    return unsupported(err);
  SmallVector<int> to;
  if (explicitOut) {
    int64_t ellipsisDims = 0;
    for (int idx : llvm::concat<int>(*ta, *tb))
      if (idx >= kEllipsisBase)
        ellipsisDims = std::max<int64_t>(ellipsisDims, idx - kEllipsisBase + 1);
    bool hasDots = outPart.contains("...");
    int64_t letters = (int64_t)outPart.size() - (hasDots ? 3 : 0);
    auto out = expandTerm(outPart, letters + (hasDots ? ellipsisDims : 0), err);
    if (failed(out))
      return unsupported(err);
    to = *out;
  } else {
    // Implicit output: the ellipsis dims, then the letters used once, sorted.
    for (int j = 63; j >= 0; --j)
      if (llvm::is_contained(*ta, kEllipsisBase + j) ||
          llvm::is_contained(*tb, kEllipsisBase + j))
        to.push_back(kEllipsisBase + j);
    SmallVector<int> once;
    for (int idx : llvm::concat<int>(*ta, *tb))
      if (idx < kEllipsisBase &&
          llvm::count(*ta, idx) + llvm::count(*tb, idx) == 1)
        once.push_back(idx);
    llvm::sort(once);
    to.append(once);
  }
  // An index of one operand that is in neither the other operand nor the result is
  // summed out of that operand first.
  Value a = ctx.input(0), b = ctx.input(1);
  SmallVector<int> termA(*ta), termB(*tb);
  auto sumPrivate = [&](Value &v, SmallVector<int> &term,
                        ArrayRef<int> other) -> LogicalResult {
    SmallVector<int64_t> axes;
    SmallVector<int> kept;
    for (auto [i, idx] : llvm::enumerate(term)) {
      if (llvm::is_contained(other, idx) || llvm::is_contained(to, idx))
        kept.push_back(idx);
      else
        axes.push_back(i);
    }
    if (axes.empty())
      return success();
    auto r = reduce(ctx, ReduceFn::sum, v, axes, false);
    if (failed(r))
      return failure();
    v = *r;
    term = kept;
    return success();
  };
  if (failed(sumPrivate(a, termA, termB)) || failed(sumPrivate(b, termB, termA)))
    return failure();
  // Classify the indices.
  SmallVector<int> contracted, onlyA, onlyB, shared;
  for (int idx : llvm::concat<int>(termA, termB, to)) {
    bool inA = llvm::is_contained(termA, idx), inB = llvm::is_contained(termB, idx),
         inO = llvm::is_contained(to, idx);
    SmallVector<int> *bucket;
    if (inA && inB)
      bucket = inO ? &shared : &contracted;
    else if (!inA && !inB)
      return unsupported((idx >= kEllipsisBase
                              ? std::string("an ellipsis dim")
                              : "index '" + std::string(1, (char)idx) + "'") +
                         " of the result is in no operand");
    else
      bucket = inA ? &onlyA : &onlyB;
    if (!llvm::is_contained(*bucket, idx))
      bucket->push_back(idx);
  }
  if (contracted.size() == 1) {
    auto y = importEinsumAsMatmul(ctx, a, b, termA, termB, to, contracted.front(),
                                  onlyA, onlyB, shared);
    // std::nullopt: not one matrix product, so the general form below.
    if (y)
      return failed(*y) ? failure() : ctx.setOutput(**y);
  }
  // General form: both operands laid out as [result indices, contracted indices]
  // (unit dims for the indices they lack), multiplied with broadcasting, and summed
  // over the contracted indices.
  SmallVector<int> order(to);
  order.append(contracted);
  auto expand = [&](Value v, ArrayRef<int> term) -> FailureOr<Value> {
    SmallVector<int> present;
    SmallVector<int64_t> missing;
    for (auto [i, idx] : llvm::enumerate(order)) {
      if (llvm::is_contained(term, idx))
        present.push_back(idx);
      else
        missing.push_back(i);
    }
    auto t = transpose(ctx, v, permutationTo(term, present));
    if (failed(t) || missing.empty())
      return t;
    return ctx.create<UnsqueezeOp>(
        *t, {ctx.named("axes", ctx.b.getDenseI64ArrayAttr(missing))});
  };
  auto ea = expand(a, termA);
  if (failed(ea))
    return failure();
  auto eb = expand(b, termB);
  if (failed(eb))
    return failure();
  auto y = ctx.binary(BinaryFn::mul, *ea, *eb);
  if (failed(y))
    return failure();
  if (!contracted.empty()) {
    y = reduce(ctx, ReduceFn::sum, *y,
               llvm::to_vector(llvm::seq<int64_t>(to.size(), order.size())), false);
    if (failed(y))
      return failure();
  }
  return ctx.setOutput(*y);
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax, Hardmax
//===----------------------------------------------------------------------===//

enum class SoftmaxKind { softmax, log_softmax, hardmax };

/// Opset 13 normalizes along `axis` (default -1). Earlier opsets coerce the input to
/// 2-D at `axis` (default 1) and normalize over all dims from `axis` on; that is the
/// single-axis op when those dims are one dim plus unit dims, and otherwise:
/// softmax-like ops reduce over the trailing axes jointly, hardmax flattens.
LogicalResult importSoftmax(NodeContext &ctx, SoftmaxKind kind) {
  bool coerced = ctx.opset < 13;
  int64_t axisAttr = ctx.getInt("axis", coerced ? 1 : -1);
  if (ctx.failedAttributes())
    return failure();
  Value x = ctx.input(0);
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  auto axisOr = normalizeAxis(axisAttr, rank);
  if (failed(axisOr))
    return ctx.fail("attribute 'axis' = " + Twine(axisAttr) +
                    " is out of range for rank " + Twine(rank));
  int64_t axis = *axisOr;
  // Among the dims [axis, rank), all but at most one are 1: normalize along that one.
  int64_t single = axis;
  bool singleAxis = true;
  if (coerced) {
    int64_t nonUnit = 0;
    for (int64_t d = axis; d < rank; ++d)
      if (type.getDimSize(d) != 1) {
        ++nonUnit;
        single = d;
      }
    singleAxis = nonUnit <= 1;
  }
  if (singleAxis) {
    auto attrs = {i64Attr(ctx, "axis", single)};
    FailureOr<Value> y;
    if (kind == SoftmaxKind::softmax)
      y = ctx.create<SoftmaxOp>(x, attrs);
    else if (kind == SoftmaxKind::log_softmax)
      y = ctx.create<LogSoftmaxOp>(x, attrs);
    else
      y = ctx.create<HardmaxOp>(x, attrs);
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  if (kind == SoftmaxKind::hardmax) {
    // First maximum in row-major order of the trailing dims: flatten, hardmax, reshape.
    auto flat = ctx.create<FlattenOp>(x, {i64Attr(ctx, "axis", axis)});
    if (failed(flat))
      return failure();
    auto h = ctx.create<HardmaxOp>(*flat, {i64Attr(ctx, "axis", 1)});
    if (failed(h))
      return failure();
    Value shape;
    if (type.hasStaticShape()) {
      shape = ctx.i64s(type.getShape());
    } else {
      auto s = ctx.create<ShapeOfOp>(x, {i64Attr(ctx, "start", 0), i64Attr(ctx, "end", rank)});
      if (failed(s))
        return failure();
      shape = *s;
    }
    auto y = ctx.create<ReshapeOp>(
        {*h, shape}, {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  SmallVector<int64_t> axes = trailingAxes(axis, rank);
  auto peak = reduce(ctx, ReduceFn::max, x, axes, true);
  if (failed(peak))
    return failure();
  auto shifted = ctx.binary(BinaryFn::sub, x, *peak);
  if (failed(shifted))
    return failure();
  auto e = ctx.unary(UnaryFn::exp, *shifted);
  if (failed(e))
    return failure();
  auto sum = reduce(ctx, ReduceFn::sum, *e, axes, true);
  if (failed(sum))
    return failure();
  FailureOr<Value> y;
  if (kind == SoftmaxKind::softmax) {
    y = ctx.binary(BinaryFn::div, *e, *sum);
  } else {
    auto logSum = ctx.unary(UnaryFn::log, *sum);
    if (failed(logSum))
      return failure();
    y = ctx.binary(BinaryFn::sub, *shifted, *logSum);
  }
  return failed(y) ? failure() : ctx.setOutput(*y);
}

//===----------------------------------------------------------------------===//
// LayerNormalization, RMSNormalization
//===----------------------------------------------------------------------===//

/// Element type of `stash_type` (the precision of statistics); f32 by default.
FailureOr<Type> stashType(NodeContext &ctx) {
  int64_t stash = ctx.getInt("stash_type", 1);
  if (ctx.failedAttributes())
    return failure();
  auto t = ctx.getElementType("stash_type", (int32_t)stash);
  if (failed(t))
    return failure();
  if (!isa<FloatType>(*t))
    return ctx.fail("attribute 'stash_type' must name a floating-point type, got " +
                    onnxTypeName((int32_t)stash));
  return t;
}

/// ds norms compute their statistics in f32, or f64 for f64 inputs: a stash type
/// wider than that is refused rather than silently narrowed; a narrower one is met
/// with more precision than asked for.
LogicalResult checkStashPrecision(NodeContext &ctx, Type stash, StringRef op) {
  Type input = ctx.inputType(0).getElementType();
  if (stash.isF64() && !input.isF64())
    return ctx.fail("attribute 'stash_type' = DOUBLE is not supported for " +
                    typeToString(input) + " inputs (" + op +
                    " computes in f32, or f64 for f64 inputs)");
  return success();
}

LogicalResult importLayerNormalization(NodeContext &ctx) {
  int64_t axisAttr = ctx.getInt("axis", -1);
  float epsilon = ctx.getFloat("epsilon", 1e-5f);
  auto stash = stashType(ctx);
  if (failed(stash) || failed(checkStashPrecision(ctx, *stash, "ds.layer_norm")))
    return failure();
  Value x = ctx.input(0);
  RankedTensorType type = ctx.inputType(0);
  auto axis = normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return ctx.fail("attribute 'axis' = " + Twine(axisAttr) +
                    " is out of range for rank " + Twine(type.getRank()));
  SmallVector<Value> operands{x, ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  auto y = ctx.create<LayerNormOp>(
      operands, {i64Attr(ctx, "axis", axisAttr),
                 ctx.named("epsilon", ctx.b.getF32FloatAttr(epsilon))});
  if (failed(y))
    return failure();
  if (!ctx.hasOutput(1) && !ctx.hasOutput(2))
    return ctx.setOutput(*y);
  // Mean and InvStdDev (dims from axis on kept as 1), in the stash type.
  SmallVector<int64_t> axes = trailingAxes(*axis, type.getRank());
  auto xs = ctx.cast(x, *stash);
  if (failed(xs))
    return failure();
  auto mean = reduce(ctx, ReduceFn::mean, *xs, axes, true);
  if (failed(mean))
    return failure();
  // A node with outputs (Y, Mean) only gets no InvStdDev.
  if (!ctx.hasOutput(2))
    return ctx.setOutputs({*y, *mean});
  auto centered = ctx.binary(BinaryFn::sub, *xs, *mean);
  if (failed(centered))
    return failure();
  auto squared = ctx.binary(BinaryFn::mul, *centered, *centered);
  if (failed(squared))
    return failure();
  auto var = reduce(ctx, ReduceFn::mean, *squared, axes, true);
  if (failed(var))
    return failure();
  auto shifted = ctx.binary(BinaryFn::add, *var, ctx.scalar(*stash, epsilon));
  if (failed(shifted))
    return failure();
  auto inv = ctx.unary(UnaryFn::rsqrt, *shifted);
  if (failed(inv))
    return failure();
  return ctx.setOutputs({*y, *mean, *inv});
}

LogicalResult importRMSNormalization(NodeContext &ctx) {
  int64_t axis = ctx.getInt("axis", -1);
  float epsilon = ctx.getFloat("epsilon", 1e-5f);
  auto stash = stashType(ctx);
  if (failed(stash) || failed(checkStashPrecision(ctx, *stash, "ds.rms_norm")))
    return failure();
  auto y = ctx.create<RmsNormOp>(
      {ctx.input(0), ctx.input(1)},
      {i64Attr(ctx, "axis", axis), ctx.named("epsilon", ctx.b.getF32FloatAttr(epsilon))});
  return failed(y) ? failure() : ctx.setOutput(*y);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Reduce<Fn>: axes is an attribute before `axesInputSince` (13 for ReduceSum, 18 for
/// the others) and an optional input from then on, with noop_with_empty_axes.
HandlerFn reduceHandler(ReduceFn fn, int64_t axesInputSince) {
  return [=](NodeContext &ctx) -> LogicalResult {
    bool keepDims = ctx.getInt("keepdims", 1) != 0;
    SmallVector<int64_t> axes;
    bool noop = false;
    if (ctx.opset < axesInputSince) {
      if (auto a = ctx.getInts("axes"))
        axes = *a;
    } else {
      noop = ctx.getInt("noop_with_empty_axes", 0) != 0;
      if (ctx.hasInput(1)) {
        auto a = ctx.requireConstantInts(1, "axes");
        if (failed(a))
          return failure();
        axes = *a;
      }
    }
    if (ctx.failedAttributes())
      return failure();
    int64_t rank = ctx.inputType(0).getRank();
    if (axes.empty() && !noop)
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    for (int64_t a : axes)
      if (failed(normalizeAxis(a, rank)))
        return ctx.fail("axes " + joinInts(axes) + " are out of range for rank " +
                        Twine(rank));
    auto y = reduce(ctx, fn, ctx.input(0), axes, keepDims);
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

HandlerFn argReduceHandler(ArgReduceFn fn) {
  return [=](NodeContext &ctx) -> LogicalResult {
    int64_t axis = ctx.getInt("axis", 0);
    bool keepDims = ctx.getInt("keepdims", 1) != 0;
    bool last = ctx.getInt("select_last_index", 0) != 0;
    if (ctx.failedAttributes())
      return failure();
    SmallVector<NamedAttribute> attrs{
        ctx.named("fn", ArgReduceFnAttr::get(ctx.getContext(), fn)),
        i64Attr(ctx, "axis", axis)};
    addUnit(ctx, attrs, "keep_dims", keepDims);
    addUnit(ctx, attrs, "select_last_index", last);
    auto y = ctx.create<ArgReduceOp>(ctx.input(0), attrs);
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

//===----------------------------------------------------------------------===//
// CumSum, TopK
//===----------------------------------------------------------------------===//

LogicalResult importCumSum(NodeContext &ctx) {
  bool exclusive = ctx.getInt("exclusive", 0) != 0;
  bool reverse = ctx.getInt("reverse", 0) != 0;
  if (ctx.failedAttributes())
    return failure();
  auto axis = ctx.requireConstantInts(1, "axis");
  if (failed(axis))
    return failure();
  if (axis->size() != 1)
    return ctx.fail("input 'axis' must hold one value, got " + joinInts(*axis));
  SmallVector<NamedAttribute> attrs{i64Attr(ctx, "axis", (*axis)[0])};
  addUnit(ctx, attrs, "exclusive", exclusive);
  addUnit(ctx, attrs, "reverse", reverse);
  auto y = ctx.create<CumsumOp>(ctx.input(0), attrs);
  return failed(y) ? failure() : ctx.setOutput(*y);
}

/// TopK: K is an attribute before opset 10 and an input from 10; largest and sorted
/// appear in opset 11.
LogicalResult importTopK(NodeContext &ctx) {
  int64_t axis = ctx.getInt("axis", -1);
  bool largest = ctx.getInt("largest", 1) != 0;
  bool sorted = ctx.getInt("sorted", 1) != 0;
  int64_t k;
  if (ctx.opset < 10) {
    auto kAttr = ctx.getOptionalInt("k");
    if (!kAttr)
      return ctx.fail("needs the attribute 'k'");
    k = *kAttr;
  } else {
    auto kInput = ctx.requireConstantInts(1, "K");
    if (failed(kInput))
      return failure();
    if (kInput->size() != 1)
      return ctx.fail("input 'K' must hold one value, got " + joinInts(*kInput));
    k = (*kInput)[0];
  }
  if (ctx.failedAttributes())
    return failure();
  auto ys = ctx.createMulti<TopKOp>(
      ctx.input(0),
      {i64Attr(ctx, "axis", axis), i64Attr(ctx, "k", k),
       ctx.named("largest", ctx.b.getBoolAttr(largest)),
       ctx.named("sorted", ctx.b.getBoolAttr(sorted))});
  return failed(ys) ? failure() : ctx.setOutputs(*ys);
}

} // namespace

void onnx_import::registerMathHandlers(HandlerRegistry &r) {
  r.add("", "MatMul", importMatMul);
  r.add("", "Gemm", importGemm);
  r.add("", "Einsum", importEinsum, 12);
  r.add("", "Softmax",
        [](NodeContext &ctx) { return importSoftmax(ctx, SoftmaxKind::softmax); });
  r.add("", "LogSoftmax",
        [](NodeContext &ctx) { return importSoftmax(ctx, SoftmaxKind::log_softmax); });
  r.add("", "Hardmax",
        [](NodeContext &ctx) { return importSoftmax(ctx, SoftmaxKind::hardmax); });
  r.add("", "LayerNormalization", importLayerNormalization, 17);
  r.add("", "RMSNormalization", importRMSNormalization, 23);
  struct {
    const char *name;
    ReduceFn fn;
  } reductions[] = {
      {"ReduceSum", ReduceFn::sum},       {"ReduceMean", ReduceFn::mean},
      {"ReduceMax", ReduceFn::max},       {"ReduceMin", ReduceFn::min},
      {"ReduceProd", ReduceFn::prod},     {"ReduceL1", ReduceFn::l1},
      {"ReduceL2", ReduceFn::l2},         {"ReduceSumSquare", ReduceFn::sum_square},
      {"ReduceLogSum", ReduceFn::log_sum}, {"ReduceLogSumExp", ReduceFn::log_sum_exp}};
  for (auto &red : reductions)
    r.add("", red.name,
          reduceHandler(red.fn, red.fn == ReduceFn::sum ? 13 : 18));
  r.add("", "ArgMax", argReduceHandler(ArgReduceFn::argmax));
  r.add("", "ArgMin", argReduceHandler(ArgReduceFn::argmin));
  r.add("", "CumSum", importCumSum, 11);
  r.add("", "TopK", importTopK);
}
