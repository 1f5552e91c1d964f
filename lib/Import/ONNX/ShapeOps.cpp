//===- ShapeOps.cpp - ONNX shape ops to ds ----------------------------------===//
//
// Shape and data-movement ONNX ops map onto the ds shape ops one to one. Axes are
// normalized here (ONNX allows negative ones); attributes that became inputs in
// later opsets (Squeeze/Unsqueeze axes, Split sizes) are read in the form of the
// node's opset. NodeContext folds each op on creation, so the shape sub-graphs of
// PyTorch exports (Shape, Gather, Unsqueeze, Concat, Reshape) collapse to constants
// whenever the input dims they read are static.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "NodeContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

namespace {

std::string listToString(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + std::to_string(v);
  return s + "]";
}

NamedAttribute i64Attr(NodeContext &ctx, StringRef name, int64_t v) {
  return ctx.named(name, ctx.b.getI64IntegerAttr(v));
}

/// Binds a single created value, or propagates the failure.
LogicalResult bindResult(NodeContext &ctx, FailureOr<Value> v) {
  return failed(v) ? failure() : ctx.setOutput(*v);
}

/// An integer 1-D input as i64 (Slice allows int32 starts/ends/axes/steps).
FailureOr<Value> asI64(NodeContext &ctx, size_t i, StringRef what) {
  Value v = ctx.input(i);
  auto type = ctx.inputType(i);
  if (!isa<IntegerType>(type.getElementType()) || type.getElementType().isInteger(1))
    return ctx.fail("input '" + what + "' must be an integer tensor, got " +
                    typeToString(type));
  if (type.getRank() != 1)
    return ctx.fail("input '" + what + "' must be 1-D, got " + typeToString(type));
  return ctx.cast(v, ctx.b.getI64Type());
}

/// Normalizes an axis against `rank` with an error naming the attribute.
FailureOr<int64_t> axisIn(NodeContext &ctx, int64_t axis, int64_t rank,
                          StringRef what = "axis") {
  auto n = normalizeAxis(axis, rank);
  if (failed(n))
    return ctx.fail(what + " " + Twine(axis) + " is out of range for rank " +
                    Twine(rank));
  return *n;
}

FailureOr<SmallVector<int64_t>> axesIn(NodeContext &ctx, ArrayRef<int64_t> axes,
                                       int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    auto n = axisIn(ctx, a, rank, "axis");
    if (failed(n))
      return failure();
    if (llvm::is_contained(out, *n))
      return ctx.fail("axis " + Twine(a) + " is repeated in axes " + listToString(axes));
    out.push_back(*n);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Shapes.
//===----------------------------------------------------------------------===//

LogicalResult importShape(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  int64_t start = 0, end = rank;
  if (ctx.opset >= 15) {
    start = ctx.getInt("start", 0);
    end = ctx.getInt("end", rank);
  }
  // Negative values count from the back; both clamp to [0, rank].
  auto clampDim = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  start = clampDim(start);
  end = std::max(clampDim(end), start);
  return bindResult(ctx,
                    ctx.create<ShapeOfOp>(ctx.input(0), {i64Attr(ctx, "start", start),
                                                         i64Attr(ctx, "end", end)}));
}

LogicalResult importSize(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  Type i64 = ctx.b.getI64Type();
  if (auto count = staticElementCount(type.getShape()))
    return ctx.setOutput(ctx.scalar(i64, (double)*count));
  // Product of the dims, the dynamic ones read at run time.
  int64_t known = 1;
  auto shape = ctx.create<ShapeOfOp>(
      ctx.input(0), {i64Attr(ctx, "start", 0), i64Attr(ctx, "end", type.getRank())});
  if (failed(shape))
    return failure();
  Value acc;
  for (auto [i, d] : llvm::enumerate(type.getShape())) {
    if (!ShapedType::isDynamic(d)) {
      known *= d;
      continue;
    }
    auto dim = ctx.create<GatherOp>({*shape, ctx.scalar(i64, (double)i)},
                                    {i64Attr(ctx, "axis", 0)});
    if (failed(dim))
      return failure();
    if (!acc) {
      acc = *dim;
      continue;
    }
    auto product = ctx.binary(BinaryFn::mul, acc, *dim);
    if (failed(product))
      return failure();
    acc = *product;
  }
  if (known != 1) {
    auto product = ctx.binary(BinaryFn::mul, acc, ctx.scalar(i64, (double)known));
    if (failed(product))
      return failure();
    acc = *product;
  }
  return ctx.setOutput(acc);
}

LogicalResult importReshape(NodeContext &ctx) {
  bool allowZero = ctx.opset >= 14 && ctx.getInt("allowzero", 0) != 0;
  if (auto shape = ctx.constantInts(1)) {
    // Say what is wrong in ONNX terms before the op verifier does.
    if (llvm::count(*shape, -1) > 1)
      return ctx.fail("shape " + listToString(*shape) + " has more than one -1");
    if (allowZero && llvm::is_contained(*shape, -1) && llvm::is_contained(*shape, 0))
      return ctx.fail("shape " + listToString(*shape) +
                      " has both 0 and -1, which allowzero=1 forbids");
  }
  return bindResult(ctx, ctx.create<ReshapeOp>(
                             {ctx.input(0), ctx.input(1)},
                             {ctx.named("allow_zero", ctx.b.getBoolAttr(allowZero))}));
}

LogicalResult importTranspose(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  SmallVector<int64_t> perm;
  if (auto p = ctx.getInts("perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  return bindResult(
      ctx, ctx.create<TransposeOp>(
               ctx.input(0), {ctx.named("perm", ctx.b.getDenseI64ArrayAttr(perm))}));
}

LogicalResult importConcat(NodeContext &ctx) {
  auto axisAttr = ctx.getOptionalInt("axis");
  if (!axisAttr)
    return ctx.fail("needs the attribute 'axis'");
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i)
    if (Value v = ctx.input(i))
      inputs.push_back(v);
  if (inputs.empty())
    return ctx.fail("needs at least one input");
  auto axis = axisIn(ctx, *axisAttr, ctx.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return bindResult(ctx, ctx.create<ConcatOp>(inputs, {i64Attr(ctx, "axis", *axis)}));
}

LogicalResult importSlice(NodeContext &ctx) {
  auto starts = asI64(ctx, 1, "starts");
  auto ends = asI64(ctx, 2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  int64_t n = cast<RankedTensorType>(starts->getType()).getDimSize(0);
  int64_t rank = ctx.inputType(0).getRank();
  Value axes, steps;
  if (ctx.hasInput(3)) {
    // Constant axes are normalized; axes known only at run time make every dim `?`.
    if (auto values = ctx.constantInts(3)) {
      auto normalized = axesIn(ctx, *values, rank);
      if (failed(normalized))
        return failure();
      axes = ctx.i64s(*normalized);
    } else {
      auto a = asI64(ctx, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    if (ShapedType::isDynamic(n))
      return ctx.fail("'starts' has a dynamic length and no 'axes' are given");
    axes = ctx.i64s(llvm::to_vector(llvm::seq<int64_t>(0, n)));
  }
  if (ctx.hasInput(4)) {
    auto s = asI64(ctx, 4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    if (ShapedType::isDynamic(n))
      return ctx.fail("'starts' has a dynamic length and no 'steps' are given");
    steps = ctx.i64s(SmallVector<int64_t>(n, 1));
  }
  return bindResult(ctx,
                    ctx.create<SliceOp>({ctx.input(0), *starts, *ends, axes, steps}));
}

LogicalResult importSplit(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  auto axis = axisIn(ctx, ctx.getInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t n = ctx.numOutputs();
  Value sizes;
  if (ctx.opset < 13) {
    if (auto split = ctx.getInts("split"))
      sizes = ctx.i64s(*split);
  } else if (ctx.hasInput(1)) {
    sizes = ctx.input(1);
  }
  if (ctx.opset >= 18) {
    auto numOutputs = ctx.getOptionalInt("num_outputs");
    if (numOutputs && sizes)
      return ctx.fail("gives both the 'split' input and the 'num_outputs' attribute");
    if (!numOutputs && !sizes)
      return ctx.fail("needs the 'split' input or the 'num_outputs' attribute");
    if (numOutputs && *numOutputs != n)
      return ctx.fail("attribute 'num_outputs' is " + Twine(*numOutputs) +
                      " but the node has " + Twine(n) + " outputs");
  }
  if (sizes) {
    auto st = cast<RankedTensorType>(sizes.getType());
    if (st.getRank() != 1 || !st.getElementType().isInteger(64))
      return ctx.fail("'split' must be a 1-D int64 tensor, got " + typeToString(st));
    if (!ShapedType::isDynamic(st.getDimSize(0)) && st.getDimSize(0) != n)
      return ctx.fail("'split' has " + Twine(st.getDimSize(0)) +
                      " entries but the node has " + Twine(n) + " outputs");
  }
  SmallVector<Value> operands{ctx.input(0)};
  if (sizes)
    operands.push_back(sizes);
  auto results = ctx.createMulti<SplitOp>(
      operands, {i64Attr(ctx, "axis", *axis), i64Attr(ctx, "num_outputs", n)});
  return failed(results) ? failure() : ctx.setOutputs(*results);
}

/// Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13.
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(NodeContext &ctx) {
  if (ctx.opset < 13)
    return ctx.getInts("axes");
  if (!ctx.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  auto axes = ctx.requireConstantInts(1, "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

LogicalResult importSqueeze(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  auto axes = readAxes(ctx);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> normalized;
  if (*axes) {
    auto n = axesIn(ctx, **axes, type.getRank());
    if (failed(n))
      return failure();
    normalized = *n;
  } else {
    // No axes: every dim of size 1, which must then be known.
    for (auto [i, d] : llvm::enumerate(type.getShape())) {
      if (ShapedType::isDynamic(d))
        return ctx.fail("without 'axes' every dim must be static to know which are 1; "
                        "input has shape " +
                        shapeToString(type.getShape()));
      if (d == 1)
        normalized.push_back(i);
    }
  }
  return bindResult(
      ctx,
      ctx.create<SqueezeOp>(ctx.input(0),
                            {ctx.named("axes", ctx.b.getDenseI64ArrayAttr(normalized))}));
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto axes = readAxes(ctx);
  if (failed(axes))
    return failure();
  if (!*axes)
    return ctx.fail("needs 'axes'");
  int64_t rank = ctx.inputType(0).getRank() + (*axes)->size();
  auto normalized = axesIn(ctx, **axes, rank);
  if (failed(normalized))
    return failure();
  llvm::sort(*normalized);
  return bindResult(
      ctx,
      ctx.create<UnsqueezeOp>(
          ctx.input(0), {ctx.named("axes", ctx.b.getDenseI64ArrayAttr(*normalized))}));
}

LogicalResult importFlatten(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  int64_t axis = ctx.getInt("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.fail("axis " + Twine(axis) + " is out of range [" + Twine(-rank) + ", " +
                    Twine(rank) + "]");
  if (axis < 0)
    axis += rank;
  return bindResult(ctx,
                    ctx.create<FlattenOp>(ctx.input(0), {i64Attr(ctx, "axis", axis)}));
}

LogicalResult importExpand(NodeContext &ctx) {
  return bindResult(ctx, ctx.create<ExpandOp>({ctx.input(0), ctx.input(1)}));
}

LogicalResult importTile(NodeContext &ctx) {
  return bindResult(ctx, ctx.create<TileOp>({ctx.input(0), ctx.input(1)}));
}

LogicalResult importPad(NodeContext &ctx) {
  std::string modeName = ctx.getString("mode", "constant");
  auto mode = symbolizePadMode(modeName);
  if (!mode || (*mode == PadMode::wrap && ctx.opset < 19))
    return ctx.fail("attribute 'mode' is '" + modeName + "'; opset " + Twine(ctx.opset) +
                    " allows constant, reflect and edge" +
                    (ctx.opset >= 19 ? ", wrap" : ""));
  auto type = ctx.inputType(0);
  SmallVector<NamedAttribute> attrs{
      ctx.named("mode", PadModeAttr::get(ctx.getContext(), *mode))};
  if (ctx.opset >= 18 && ctx.hasInput(3)) {
    auto axes = ctx.requireConstantInts(3, "axes");
    if (failed(axes))
      return failure();
    auto normalized = axesIn(ctx, *axes, type.getRank());
    if (failed(normalized))
      return failure();
    attrs.push_back(ctx.named("axes", ctx.b.getDenseI64ArrayAttr(*normalized)));
  }
  SmallVector<Value> operands{ctx.input(0), ctx.input(1)};
  // The value is used only in constant mode; ONNX ignores it otherwise.
  if (*mode == PadMode::constant && ctx.hasInput(2)) {
    Value value = ctx.input(2);
    auto vt = ctx.inputType(2);
    if (vt.getRank() != 0) {
      if (!vt.hasStaticShape() || vt.getNumElements() != 1)
        return ctx.fail("input 'constant_value' must be a scalar, got " +
                        typeToString(vt));
      auto scalar = ctx.create<ReshapeOp>(
          {value, ctx.i64s({})}, {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
      if (failed(scalar))
        return failure();
      value = *scalar;
    }
    operands.push_back(value);
  }
  return bindResult(ctx, ctx.create<PadOp>(operands, attrs));
}

//===----------------------------------------------------------------------===//
// Gather and scatter.
//===----------------------------------------------------------------------===//

LogicalResult importGather(NodeContext &ctx) {
  auto axis = axisIn(ctx, ctx.getInt("axis", 0), ctx.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return bindResult(ctx, ctx.create<GatherOp>({ctx.input(0), ctx.input(1)},
                                              {i64Attr(ctx, "axis", *axis)}));
}

LogicalResult importGatherElements(NodeContext &ctx) {
  auto axis = axisIn(ctx, ctx.getInt("axis", 0), ctx.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return bindResult(ctx, ctx.create<GatherElementsOp>({ctx.input(0), ctx.input(1)},
                                                      {i64Attr(ctx, "axis", *axis)}));
}

LogicalResult importGatherND(NodeContext &ctx) {
  int64_t batchDims = ctx.opset >= 12 ? ctx.getInt("batch_dims", 0) : 0;
  if (batchDims < 0)
    return ctx.fail("attribute 'batch_dims' is " + Twine(batchDims) +
                    "; it must be non-negative");
  return bindResult(ctx, ctx.create<GatherNdOp>({ctx.input(0), ctx.input(1)},
                                                {i64Attr(ctx, "batch_dims", batchDims)}));
}

/// The `reduction` attribute of ScatterElements/ScatterND: from opset 16 (none,
/// add, mul), max and min from 18.
FailureOr<ScatterReduction> readReduction(NodeContext &ctx) {
  if (ctx.opset < 16)
    return ScatterReduction::none;
  std::string name = ctx.getString("reduction", "none");
  auto r = symbolizeScatterReduction(name);
  bool allowed = r && (ctx.opset >= 18 ||
                       (*r != ScatterReduction::max && *r != ScatterReduction::min));
  if (!allowed)
    return ctx.fail("attribute 'reduction' is '" + name + "'; opset " + Twine(ctx.opset) +
                    " allows none, add, mul" + (ctx.opset >= 18 ? ", max, min" : ""));
  return *r;
}

LogicalResult importScatterElements(NodeContext &ctx) {
  auto reduction = readReduction(ctx);
  if (failed(reduction))
    return failure();
  auto axis = axisIn(ctx, ctx.getInt("axis", 0), ctx.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return bindResult(ctx, ctx.create<ScatterElementsOp>(
                             {ctx.input(0), ctx.input(1), ctx.input(2)},
                             {ctx.named("reduction", ScatterReductionAttr::get(
                                                         ctx.getContext(), *reduction)),
                              i64Attr(ctx, "axis", *axis)}));
}

LogicalResult importScatterND(NodeContext &ctx) {
  auto reduction = readReduction(ctx);
  if (failed(reduction))
    return failure();
  return bindResult(
      ctx, ctx.create<ScatterNdOp>(
               {ctx.input(0), ctx.input(1), ctx.input(2)},
               {ctx.named("reduction",
                          ScatterReductionAttr::get(ctx.getContext(), *reduction))}));
}

//===----------------------------------------------------------------------===//
// Generators and constants.
//===----------------------------------------------------------------------===//

LogicalResult importRange(NodeContext &ctx) {
  // Range-27 stash_type: 1 (the default) accumulates float16/bfloat16 in float, which
  // is what ds does; 0 would accumulate in the narrow type.
  Type element = ctx.inputType(0).getElementType();
  if (ctx.opset >= 27 && (element.isF16() || element.isBF16())) {
    int64_t stash = ctx.getInt("stash_type", 1);
    if (stash != 1)
      return ctx.fail("attribute 'stash_type' is " + Twine(stash) +
                      "; ds computes float16 and bfloat16 ranges in float (stash_type 1)");
  }
  return bindResult(ctx, ctx.create<RangeOp>({ctx.input(0), ctx.input(1), ctx.input(2)}));
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  TypedAttr value = ctx.b.getF32FloatAttr(0.0f);
  if (ctx.hasAttr("value")) {
    auto tensor = ctx.getTensor("value");
    if (failed(tensor))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*tensor);
    if (!dense || dense.getNumElements() != 1)
      return ctx.fail("attribute 'value' must be a one-element tensor, got " +
                      typeToString(tensor->getType()));
    value = cast<TypedAttr>(dense.getSplatValue<Attribute>());
  }
  auto st = ctx.inputType(0);
  if (st.getRank() != 1 || !st.getElementType().isInteger(64))
    return ctx.fail("input 'input' must be a 1-D int64 tensor, got " + typeToString(st));
  return bindResult(ctx, ctx.create<FillOp>(ctx.input(0), {ctx.named("value", value)}));
}

LogicalResult importConstant(NodeContext &ctx) {
  for (const char *name : {"sparse_value", "value_string", "value_strings"})
    if (ctx.hasAttr(name))
      return ctx.fail("attribute '" + Twine(name) + "' is not supported: ds has no " +
                      (StringRef(name) == "sparse_value" ? "sparse" : "string") +
                      " tensors");
  Type f32 = ctx.b.getF32Type(), i64 = ctx.b.getI64Type();
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    if (!a->has_t())
      return ctx.fail("attribute 'value' must be a tensor");
    auto v = ctx.importer.importTensor(ctx.b, ctx.loc, a->t());
    return failed(v) ? failure() : ctx.setOutput(*v);
  }
  if (ctx.hasAttr("value_float"))
    return ctx.setOutput(ctx.scalar(f32, ctx.getFloat("value_float", 0)));
  if (ctx.hasAttr("value_int"))
    return ctx.setOutput(ctx.scalar(i64, (double)ctx.getInt("value_int", 0)));
  if (ctx.hasAttr("value_ints")) {
    auto ints = ctx.getInts("value_ints");
    if (!ints)
      return failure();
    return ctx.setOutput(ctx.i64s(*ints));
  }
  if (ctx.hasAttr("value_floats")) {
    auto floats = ctx.getFloats("value_floats");
    if (!floats)
      return failure();
    auto type = RankedTensorType::get({(int64_t)floats->size()}, f32);
    return ctx.setOutput(ConstantOp::create(
        ctx.b, ctx.loc, DenseElementsAttr::get(type, ArrayRef<float>(*floats))));
  }
  return ctx.fail("needs one of the attributes value, value_float(s), value_int(s)");
}

LogicalResult importTrilu(NodeContext &ctx) {
  bool upper = ctx.getInt("upper", 1) != 0;
  SmallVector<Value> operands{ctx.input(0)};
  if (ctx.hasInput(1)) {
    Value k = ctx.input(1);
    auto kt = ctx.inputType(1);
    if (kt.getRank() == 1 && kt.hasStaticShape() && kt.getNumElements() == 1) {
      auto scalar = ctx.create<ReshapeOp>(
          {k, ctx.i64s({})}, {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
      if (failed(scalar))
        return failure();
      k = *scalar;
    }
    operands.push_back(k);
  }
  return bindResult(
      ctx, ctx.create<TriluOp>(operands, {ctx.named("upper", ctx.b.getBoolAttr(upper))}));
}

LogicalResult importNonZero(NodeContext &ctx) {
  return bindResult(ctx, ctx.create<NonZeroOp>(ctx.input(0)));
}

LogicalResult importOneHot(NodeContext &ctx) {
  Value depth = ctx.input(1);
  auto dt = ctx.inputType(1);
  // Depth may be any numeric type; ds takes an i64 count.
  if (auto c = ctx.constantInput(1);
      c && c.getNumElements() == 1 && isa<FloatType>(c.getElementType())) {
    double d = (*c.getValues<APFloat>().begin()).convertToDouble();
    depth = ctx.scalar(ctx.b.getI64Type(), std::trunc(d));
  } else if (!dt.getElementType().isInteger(64)) {
    auto cast = ctx.cast(depth, ctx.b.getI64Type());
    if (failed(cast))
      return failure();
    depth = *cast;
  }
  // Indices may be of any numeric type too (floats are truncated, as in ONNX).
  Value indices = ctx.input(0);
  Type indexType = ctx.inputType(0).getElementType();
  if (!isa<IntegerType>(indexType) || indexType.isInteger(1)) {
    auto cast = ctx.cast(indices, ctx.b.getI64Type());
    if (failed(cast))
      return failure();
    indices = *cast;
  }
  int64_t rank = ctx.inputType(0).getRank() + 1;
  auto axis = axisIn(ctx, ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  return bindResult(ctx, ctx.create<OneHotOp>({indices, depth, ctx.input(2)},
                                              {i64Attr(ctx, "axis", *axis)}));
}

LogicalResult importEyeLike(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  Type element = type.getElementType();
  if (auto dtype = ctx.getOptionalInt("dtype")) {
    auto t = ctx.getElementType("dtype", (int32_t)*dtype);
    if (failed(t))
      return failure();
    element = *t;
  }
  return bindResult(ctx, ctx.create<EyeLikeOp>(
                             ctx.input(0), {ctx.named("dtype", TypeAttr::get(element)),
                                            i64Attr(ctx, "k", ctx.getInt("k", 0))}));
}

} // namespace

void onnx_import::registerShapeHandlers(HandlerRegistry &r) {
  r.add("", "Shape", importShape);
  r.add("", "Size", importSize);
  r.add("", "Reshape", importReshape);
  r.add("", "Transpose", importTranspose);
  r.add("", "Concat", importConcat);
  r.add("", "Slice", importSlice);
  r.add("", "Split", importSplit);
  r.add("", "Squeeze", importSqueeze);
  r.add("", "Unsqueeze", importUnsqueeze);
  r.add("", "Flatten", importFlatten);
  r.add("", "Expand", importExpand);
  r.add("", "Tile", importTile);
  r.add("", "Pad", importPad);
  r.add("", "Gather", importGather);
  r.add("", "GatherElements", importGatherElements);
  r.add("", "GatherND", importGatherND);
  r.add("", "ScatterElements", importScatterElements);
  // Scatter-11 is the deprecated name of ScatterElements.
  r.add("", "Scatter", importScatterElements);
  r.add("", "ScatterND", importScatterND);
  r.add("", "Range", importRange);
  r.add("", "ConstantOfShape", importConstantOfShape);
  r.add("", "Constant", importConstant);
  r.add("", "Trilu", importTrilu);
  r.add("", "NonZero", importNonZero);
  r.add("", "OneHot", importOneHot);
  r.add("", "EyeLike", importEyeLike);
}
