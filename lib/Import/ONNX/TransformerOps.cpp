//===- TransformerOps.cpp - ONNX transformer ops to ds ---------------------===//
//
// Attention (ai.onnx 23+, com.microsoft MultiHeadAttention / GroupQueryAttention),
// RotaryEmbedding, the fused norms of onnxruntime and com.microsoft MoE. ds ops
// are heads-first ([B, H, S, D]); 3-D [B, S, H*D] inputs are split into heads with
// reshape + transpose and merged back afterwards.
//
// Causal alignment: ds.attention masks key j for query i when j > i + (Skv - Sq)
// (bottom-right, the KV-cache form). ONNX Attention aligns top-left plus the past
// length; both agree when the new keys are as many as the queries. ai.onnx
// Attention builds the top-left mask explicitly where it cannot prove that (see
// importAttention). The com.microsoft ops fail when both lengths are static and
// differ; dynamic lengths are taken to be equal (self-attention), which is how
// those exports use causal masks.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

namespace {

std::string fstr(float f) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << f;
  return s;
}

std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

/// Binds the outputs the node declares (optional trailing outputs may be absent).
LogicalResult setOutputs(NodeContext &ctx, ArrayRef<Value> values) {
  return ctx.setOutputs(values.take_front(ctx.numOutputs()));
}

FailureOr<Value> reshape(NodeContext &ctx, Value x, ArrayRef<int64_t> shape) {
  // allow_zero is spelled out: ReshapeOp's inference reads it without a default.
  return ctx.create<ReshapeOp>({x, ctx.i64s(shape)},
                               {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
}

FailureOr<Value> transpose(NodeContext &ctx, Value x, ArrayRef<int64_t> perm) {
  return ctx.create<TransposeOp>(x, {ctx.named("perm", ctx.b.getDenseI64ArrayAttr(perm))});
}

/// [B, S, H*D] -> [B, H, S, D].
FailureOr<Value> splitHeads(NodeContext &ctx, Value x, int64_t heads) {
  auto r = reshape(ctx, x, {0, 0, heads, -1});
  if (failed(r))
    return failure();
  return transpose(ctx, *r, {0, 2, 1, 3});
}

/// [B, H, S, D] -> [B, S, H*D].
FailureOr<Value> mergeHeads(NodeContext &ctx, Value y) {
  auto t = transpose(ctx, y, {0, 2, 1, 3});
  if (failed(t))
    return failure();
  auto type = cast<RankedTensorType>(y.getType());
  int64_t h = type.getDimSize(1), d = type.getDimSize(3);
  int64_t merged = ShapedType::isDynamic(h) || ShapedType::isDynamic(d) ? -1 : h * d;
  return reshape(ctx, *t, {0, 0, merged});
}

FailureOr<Value> concat(NodeContext &ctx, ValueRange inputs, int64_t axis) {
  return ctx.create<ConcatOp>(inputs, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))});
}

/// Dim `i` of `x` as a rank-0 i64 tensor (a constant when static).
FailureOr<Value> dimScalar(NodeContext &ctx, Value x, int64_t i) {
  auto shape = ctx.create<ShapeOfOp>(x, {ctx.named("start", ctx.b.getI64IntegerAttr(i)),
                                         ctx.named("end", ctx.b.getI64IntegerAttr(i + 1))});
  if (failed(shape))
    return failure();
  return reshape(ctx, *shape, {});
}

/// [0, n) + offset as i64 positions of shape [1, n], n = dim `axis` of `x`.
FailureOr<Value> positionsFrom(NodeContext &ctx, Value x, int64_t axis, Value offset) {
  auto n = dimScalar(ctx, x, axis);
  if (failed(n))
    return failure();
  Value i64zero = ctx.scalar(ctx.b.getI64Type(), 0);
  auto limit = offset ? ctx.binary(BinaryFn::add, offset, *n) : FailureOr<Value>(*n);
  if (failed(limit))
    return failure();
  auto range = ctx.create<RangeOp>(
      {offset ? offset : i64zero, *limit, ctx.scalar(ctx.b.getI64Type(), 1)});
  if (failed(range))
    return failure();
  return reshape(ctx, *range, {1, -1});
}

/// The scale attribute, or 1/sqrt(head dim) (needs a static head dim).
FailureOr<float> attentionScale(NodeContext &ctx, std::optional<float> scale,
                                Value q4) {
  if (scale)
    return *scale;
  int64_t d = cast<RankedTensorType>(q4.getType()).getDimSize(3);
  if (ShapedType::isDynamic(d) || d <= 0) {
    (void)ctx.fail("the default scale 1/sqrt(head_size) needs a static head size; "
                   "the query head size is " + dimStr(d));
    return failure();
  }
  return 1.0f / std::sqrt((float)d);
}

/// See the file comment: ONNX top-left causal alignment versus ds.attention's.
LogicalResult checkCausalAlignment(NodeContext &ctx, Value q4, Value newK4) {
  int64_t sq = cast<RankedTensorType>(q4.getType()).getDimSize(2);
  int64_t skv = cast<RankedTensorType>(newK4.getType()).getDimSize(2);
  if (!ShapedType::isDynamic(sq) && !ShapedType::isDynamic(skv) && sq != skv)
    return ctx.fail("causal attention with " + Twine(sq) + " queries and " +
                    Twine(skv) + " new keys uses ONNX's upper-left aligned mask, "
                    "which ds.attention (aligned for KV caches) does not express");
  return success();
}

FailureOr<Value> buildAttention(NodeContext &ctx, Value q, Value k, Value v,
                                Value mask, float scale, bool causal,
                                std::optional<int64_t> window,
                                std::optional<float> softcap) {
  SmallVector<NamedAttribute> attrs{ctx.named("scale", ctx.b.getF32FloatAttr(scale))};
  if (causal)
    attrs.push_back(ctx.named("causal", ctx.b.getUnitAttr()));
  if (window)
    attrs.push_back(ctx.named("window", ctx.b.getI64IntegerAttr(*window)));
  if (softcap)
    attrs.push_back(ctx.named("softcap", ctx.b.getF32FloatAttr(*softcap)));
  SmallVector<Value> operands{q, k, v};
  if (mask)
    operands.push_back(mask);
  return ctx.create<AttentionOp>(operands, attrs);
}

/// The mask's last dim must cover every key (ONNX pads a shorter one).
LogicalResult checkMaskLength(NodeContext &ctx, Value mask, Value k4,
                              StringRef inputName) {
  auto m = cast<RankedTensorType>(mask.getType());
  int64_t last = m.getRank() ? m.getShape().back() : 1;
  int64_t total = cast<RankedTensorType>(k4.getType()).getDimSize(2);
  if (!ShapedType::isDynamic(last) && !ShapedType::isDynamic(total) && last != 1 &&
      last < total)
    return ctx.fail("input '" + inputName + "' covers " + Twine(last) + " of the " +
                    Twine(total) + " keys; padding a short mask is not supported");
  return success();
}

//===----------------------------------------------------------------------===//
// ai.onnx Attention (23, 24)
//===----------------------------------------------------------------------===//

/// A 1-D i64 shape: for each (v, d), dim `d` of `v` (a ds.shape_of slice, which
/// folds when static), or the constant `d` where `v` is null.
FailureOr<Value> shapeFrom(NodeContext &ctx, ArrayRef<std::pair<Value, int64_t>> parts) {
  SmallVector<Value> pieces;
  for (auto [v, d] : parts) {
    if (!v) {
      pieces.push_back(ctx.i64s({d}));
      continue;
    }
    auto dim = ctx.create<ShapeOfOp>(v, {ctx.named("start", ctx.b.getI64IntegerAttr(d)),
                                         ctx.named("end", ctx.b.getI64IntegerAttr(d + 1))});
    if (failed(dim))
      return failure();
    pieces.push_back(*dim);
  }
  return concat(ctx, pieces, 0);
}

FailureOr<Value> reshapeTo(NodeContext &ctx, Value x, Value shape) {
  return ctx.create<ReshapeOp>({x, shape},
                               {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
}

Value negInf(NodeContext &ctx, Type element) {
  return ctx.scalar(element, -std::numeric_limits<double>::infinity());
}

/// ONNX pads an attn_mask whose last dim is shorter than the keys (a length of 1
/// included, as the reference does) with -inf / false up to the key count.
FailureOr<Value> padMaskToKeys(NodeContext &ctx, Value mask, Value k4) {
  auto m = cast<RankedTensorType>(mask.getType());
  int64_t rank = m.getRank();
  if (rank == 0)
    return mask;
  int64_t last = m.getDimSize(rank - 1);
  int64_t total = cast<RankedTensorType>(k4.getType()).getDimSize(2);
  Value pads;
  if (!ShapedType::isDynamic(last) && !ShapedType::isDynamic(total)) {
    if (last > total) {
      (void)ctx.fail("input 'attn_mask' covers " + Twine(last) + " keys but there are " +
                     Twine(total) + " (past and new)");
      return failure();
    }
    if (last == total)
      return mask;
    pads = ctx.i64s({0, total - last});
  } else {
    auto keys = shapeFrom(ctx, {{k4, 2}});
    auto have = shapeFrom(ctx, {{mask, rank - 1}});
    if (failed(keys) || failed(have))
      return failure();
    auto missing = ctx.binary(BinaryFn::sub, *keys, *have);
    if (failed(missing))
      return failure();
    auto p = concat(ctx, {ctx.i64s({0}), *missing}, 0);
    if (failed(p))
      return failure();
    pads = *p;
  }
  Type e = m.getElementType();
  Value fill = e.isInteger(1) ? ctx.scalar(e, 0) : negInf(ctx, e);
  return ctx.create<PadOp>(
      {mask, pads, fill},
      {ctx.named("mode", PadModeAttr::get(ctx.getContext(), PadMode::constant)),
       ctx.named("axes", ctx.b.getDenseI64ArrayAttr({rank - 1}))});
}

/// ONNX's causal mask, aligned top-left after the past: key j is visible to query
/// i iff j <= i + past. An i1 [Sq, T] tensor (a constant when shapes are static).
FailureOr<Value> causalKeep(NodeContext &ctx, Value q4, Value k4, Value pastKey) {
  Value past;
  if (pastKey) {
    auto p = dimScalar(ctx, pastKey, 2);
    if (failed(p))
      return failure();
    past = *p;
  }
  auto rows = positionsFrom(ctx, q4, 2, past);
  auto cols = positionsFrom(ctx, k4, 2, Value());
  if (failed(rows) || failed(cols))
    return failure();
  auto column = reshape(ctx, *rows, {-1, 1});
  if (failed(column))
    return failure();
  return ctx.compare(CompareFn::le, *cols, *column);
}

/// nonpad_kv_seqlen: key j of batch b is valid iff j < lengths[b]. i1 [B, 1, 1, T].
FailureOr<Value> paddingKeep(NodeContext &ctx, Value lengths, Value k4) {
  auto type = cast<RankedTensorType>(lengths.getType());
  if (type.getRank() != 1) {
    (void)ctx.fail("input 'nonpad_kv_seqlen' must be 1-D [batch], got shape " +
                   shapeToString(type.getShape()));
    return failure();
  }
  if (type.getElementType() != ctx.b.getI64Type()) {
    auto c = ctx.cast(lengths, ctx.b.getI64Type());
    if (failed(c))
      return failure();
    lengths = *c;
  }
  auto perBatch = reshape(ctx, lengths, {-1, 1, 1, 1});
  auto keys = positionsFrom(ctx, k4, 2, Value());
  if (failed(perBatch) || failed(keys))
    return failure();
  auto keys4 = reshape(ctx, *keys, {1, 1, 1, -1});
  if (failed(keys4))
    return failure();
  return ctx.compare(CompareFn::lt, *keys4, *perBatch);
}

/// Both keep masks (either may be null).
FailureOr<Value> andKeep(NodeContext &ctx, Value a, Value b) {
  if (!a || !b)
    return a ? a : b;
  return ctx.binary(BinaryFn::and_, a, b);
}

/// Restricts `mask` (null, i1 keep or float additive) to the keys `keep` allows:
/// `and` for a boolean mask, -inf elsewhere for a float one.
FailureOr<Value> applyKeep(NodeContext &ctx, Value mask, Value keep) {
  if (!keep || !mask)
    return mask ? mask : keep;
  Type e = cast<RankedTensorType>(mask.getType()).getElementType();
  if (e.isInteger(1))
    return ctx.binary(BinaryFn::and_, mask, keep);
  return ctx.select(keep, mask, negInf(ctx, e));
}

/// The optional output qk_matmul_output, decomposed (ds.attention keeps the
/// scores internal). Like the ONNX reference: Q and K each scaled by sqrt(scale),
/// kv heads repeated for grouped queries; then by mode
///   0: Q·Kᵀ    1: softcap(Q·Kᵀ)    2: softcap(Q·Kᵀ) + mask
///   3: softmax(softcap(Q·Kᵀ) + mask) (in softmax_precision when given).
/// Mode 0 ignores softcap as the operator text and onnxruntime do; the Python
/// reference (onnx 1.22) softcaps there too. `mask` is the whole mask: attn_mask,
/// causal and padding.
FailureOr<Value> qkMatmulOutput(NodeContext &ctx, Value q4, Value k4, float scale,
                                float softcap, int64_t mode, Value mask,
                                Type softmaxType) {
  auto qType = cast<RankedTensorType>(q4.getType());
  auto kType = cast<RankedTensorType>(k4.getType());
  Type e = qType.getElementType();
  int64_t hq = qType.getDimSize(1), hkv = kType.getDimSize(1);
  bool staticHeads = !ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv);
  Value q = q4, k = k4;
  if (scale > 0) {
    Value root = ctx.scalar(e, std::sqrt((double)scale));
    auto qs = ctx.binary(BinaryFn::mul, q, root);
    auto ks = ctx.binary(BinaryFn::mul, k, root);
    if (failed(qs) || failed(ks))
      return failure();
    q = *qs, k = *ks;
  }
  auto transposeB = ctx.named("transpose_b", ctx.b.getUnitAttr());
  FailureOr<Value> s = failure();
  if (staticHeads && hq == hkv) {
    s = ctx.create<MatmulOp>({q, k}, {transposeB});
  } else {
    // Query head h reads kv head h / (hq / hkv): view the queries as
    // [B, Hkv, hq / hkv, Sq, D] against keys [B, Hkv, 1, T, D]. With dynamic
    // head counts the group size is the reshape's -1.
    auto groupedShape =
        staticHeads ? shapeFrom(ctx, {{q, 0}, {Value(), hkv}, {Value(), hq / hkv},
                                      {q, 2}, {q, 3}})
                    : shapeFrom(ctx, {{q, 0}, {k, 1}, {Value(), -1}, {q, 2}, {q, 3}});
    if (failed(groupedShape))
      return failure();
    auto grouped = reshapeTo(ctx, q, *groupedShape);
    auto k5 = ctx.create<UnsqueezeOp>(k, {ctx.named("axes", ctx.b.getDenseI64ArrayAttr({2}))});
    if (failed(grouped) || failed(k5))
      return failure();
    auto s5 = ctx.create<MatmulOp>({*grouped, *k5}, {transposeB});
    auto outShape = shapeFrom(ctx, {{q, 0}, {q, 1}, {q, 2}, {k, 2}});
    if (failed(s5) || failed(outShape))
      return failure();
    s = reshapeTo(ctx, *s5, *outShape);
  }
  if (failed(s))
    return failure();
  if (scale <= 0) {
    s = ctx.binary(BinaryFn::mul, *s, ctx.scalar(e, scale));
    if (failed(s))
      return failure();
  }
  if (mode == 0)
    return s;
  if (softcap > 0) {
    Value cap = ctx.scalar(e, softcap);
    auto t = ctx.binary(BinaryFn::div, *s, cap);
    if (failed(t))
      return failure();
    t = ctx.unary(UnaryFn::tanh, *t);
    if (failed(t))
      return failure();
    s = ctx.binary(BinaryFn::mul, *t, cap);
    if (failed(s))
      return failure();
  }
  if (mode == 1)
    return s;
  if (mask) {
    Type me = cast<RankedTensorType>(mask.getType()).getElementType();
    if (me.isInteger(1)) {
      s = ctx.select(mask, *s, negInf(ctx, e));
    } else {
      Value m = mask;
      if (me != e) {
        auto c = ctx.cast(mask, e);
        if (failed(c))
          return failure();
        m = *c;
      }
      s = ctx.binary(BinaryFn::add, *s, m);
    }
    if (failed(s))
      return failure();
  }
  if (mode == 2)
    return s;
  Value scores = *s;
  if (softmaxType && softmaxType != e) {
    auto c = ctx.cast(scores, softmaxType);
    if (failed(c))
      return failure();
    scores = *c;
  }
  auto p = ctx.create<SoftmaxOp>(scores, {ctx.named("axis", ctx.b.getI64IntegerAttr(-1))});
  if (failed(p) || !softmaxType || softmaxType == e)
    return p;
  return ctx.cast(*p, e);
}

/// Masks: attn_mask (bool keep or float additive, padded to the keys), is_causal
/// and nonpad_kv_seqlen combine into the one mask operand of ds.attention.
///
/// Causal alignment: ONNX shows key j to query i iff j <= i + past (top-left
/// after the past), ds.attention's `causal` iff j <= i + (T - Sq) (bottom-right,
/// the KV-cache form). They agree iff the new keys are as many as the queries;
/// when both lengths are static and equal the import uses `causal`, otherwise
/// (static and different, or either dynamic) it builds the top-left mask
/// explicitly with ds.range / ds.compare, so dynamic lengths stay exact. We do
/// not add a second alignment to ds.attention: top-left with a past needs the
/// past length, which ds.attention does not see.
LogicalResult importAttention(NodeContext &ctx) {
  bool causal = ctx.getInt("is_causal", 0) != 0;
  float softcap = ctx.getFloat("softcap", 0.0f);
  std::optional<float> scaleAttr = ctx.getOptionalFloat("scale");
  std::optional<int64_t> qHeads = ctx.getOptionalInt("q_num_heads");
  std::optional<int64_t> kvHeads = ctx.getOptionalInt("kv_num_heads");
  int64_t qkMode = ctx.getInt("qk_matmul_output_mode", 0);
  std::optional<int64_t> softmaxPrecision = ctx.getOptionalInt("softmax_precision");
  if (ctx.failedAttributes())
    return failure();
  if (qkMode < 0 || qkMode > 3)
    return ctx.fail("attribute 'qk_matmul_output_mode' = " + Twine(qkMode) +
                    " is not valid (0 to 3)");
  // ds.attention computes its softmax in fp32 whatever softmax_precision asks;
  // the attribute only matters for qk_matmul_output in mode 3.
  Type softmaxType;
  if (softmaxPrecision) {
    auto t = ctx.getElementType("softmax_precision", (int32_t)*softmaxPrecision);
    if (failed(t))
      return failure();
    if (!isa<FloatType>(*t))
      return ctx.fail("attribute 'softmax_precision' = " + Twine(*softmaxPrecision) +
                      " is not a floating-point type");
    softmaxType = *t;
  }
  if (ctx.hasInput(6) && ctx.opset < 24)
    return ctx.fail("input 'nonpad_kv_seqlen' needs opset 24, the node has opset " +
                    Twine(ctx.opset));
  if (ctx.hasInput(4) != ctx.hasInput(5))
    return ctx.fail("inputs 'past_key' and 'past_value' must be given together");

  Value q = ctx.input(0), k = ctx.input(1), v = ctx.input(2);
  int64_t rank = ctx.inputType(0).getRank();
  if ((rank != 3 && rank != 4) || ctx.inputType(1).getRank() != rank ||
      ctx.inputType(2).getRank() != rank)
    return ctx.fail("Q, K and V must all be 3-D [batch, seq, heads * head_size] or "
                    "all 4-D [batch, heads, seq, head_size]; got ranks " +
                    Twine(rank) + ", " + Twine(ctx.inputType(1).getRank()) + ", " +
                    Twine(ctx.inputType(2).getRank()));
  if (rank == 3) {
    if (!qHeads || !kvHeads || *qHeads <= 0 || *kvHeads <= 0)
      return ctx.fail("3-D Q, K and V need positive attributes 'q_num_heads' and "
                      "'kv_num_heads'");
    auto q4 = splitHeads(ctx, q, *qHeads);
    auto k4 = splitHeads(ctx, k, *kvHeads);
    auto v4 = splitHeads(ctx, v, *kvHeads);
    if (failed(q4) || failed(k4) || failed(v4))
      return failure();
    q = *q4, k = *k4, v = *v4;
  } else {
    int64_t hq = ctx.inputType(0).getDimSize(1), hkv = ctx.inputType(1).getDimSize(1);
    if (qHeads && !ShapedType::isDynamic(hq) && *qHeads != hq)
      return ctx.fail("attribute 'q_num_heads' = " + Twine(*qHeads) +
                      " differs from Q's head dim " + Twine(hq));
    if (kvHeads && !ShapedType::isDynamic(hkv) && *kvHeads != hkv)
      return ctx.fail("attribute 'kv_num_heads' = " + Twine(*kvHeads) +
                      " differs from K's head dim " + Twine(hkv));
  }
  int64_t sq = cast<RankedTensorType>(q.getType()).getDimSize(2);
  int64_t snew = cast<RankedTensorType>(k.getType()).getDimSize(2);
  Value pastKey = ctx.input(4);
  if (pastKey) {
    auto pk = concat(ctx, {pastKey, k}, 2);
    auto pv = concat(ctx, {ctx.input(5), v}, 2);
    if (failed(pk) || failed(pv))
      return failure();
    k = *pk, v = *pv;
  }
  bool wantScores = ctx.hasOutput(3);
  bool causalAttr = causal && !ShapedType::isDynamic(sq) &&
                    !ShapedType::isDynamic(snew) && sq == snew;

  Value mask = ctx.input(3);
  if (mask) {
    auto padded = padMaskToKeys(ctx, mask, k);
    if (failed(padded))
      return failure();
    mask = *padded;
  }
  Value padKeep;
  if (Value lengths = ctx.input(6)) {
    auto keep = paddingKeep(ctx, lengths, k);
    if (failed(keep))
      return failure();
    padKeep = *keep;
  }
  Value causalMask;
  if (causal && (!causalAttr || (wantScores && qkMode >= 2))) {
    auto keep = causalKeep(ctx, q, k, pastKey);
    if (failed(keep))
      return failure();
    causalMask = *keep;
  }
  auto extra = andKeep(ctx, causalAttr ? Value() : causalMask, padKeep);
  if (failed(extra))
    return failure();
  auto attentionMask = applyKeep(ctx, mask, *extra);
  if (failed(attentionMask))
    return failure();

  auto scale = attentionScale(ctx, scaleAttr, q);
  if (failed(scale))
    return failure();
  auto y = buildAttention(ctx, q, k, v, *attentionMask, *scale, causalAttr,
                          std::nullopt,
                          softcap > 0 ? std::optional<float>(softcap) : std::nullopt);
  if (failed(y))
    return failure();
  Value out = *y;
  if (rank == 3) {
    auto merged = mergeHeads(ctx, out);
    if (failed(merged))
      return failure();
    out = *merged;
  }
  SmallVector<Value> outputs{out, k, v};
  if (wantScores) {
    Value scoreMask = *attentionMask;
    if (causalAttr && qkMode >= 2) {
      auto all = andKeep(ctx, causalMask, padKeep);
      if (failed(all))
        return failure();
      auto m = applyKeep(ctx, mask, *all);
      if (failed(m))
        return failure();
      scoreMask = *m;
    }
    auto scores = qkMatmulOutput(ctx, q, k, *scale, softcap, qkMode, scoreMask,
                                 softmaxType);
    if (failed(scores))
      return failure();
    outputs.push_back(*scores);
  }
  return setOutputs(ctx, outputs);
}

//===----------------------------------------------------------------------===//
// RotaryEmbedding (ai.onnx 23, com.microsoft)
//===----------------------------------------------------------------------===//

/// Applies ds.rope to a 3-D [B, S, hidden] or 4-D [B, H, S, D] input.
LogicalResult importRopeCommon(NodeContext &ctx, Value x, Value cos, Value sin,
                               Value positions, int64_t numHeads, int64_t rotaryDim,
                               bool interleaved) {
  auto type = cast<RankedTensorType>(x.getType());
  bool is3d = type.getRank() == 3;
  if (type.getRank() != 3 && type.getRank() != 4)
    return ctx.fail("the input must be 3-D [batch, seq, hidden] or 4-D [batch, "
                    "heads, seq, head_size], got rank " + Twine(type.getRank()));
  if (is3d) {
    if (numHeads <= 0)
      return ctx.fail("a 3-D input needs a positive attribute 'num_heads'");
    auto split = splitHeads(ctx, x, numHeads);
    if (failed(split))
      return failure();
    x = *split;
  }
  SmallVector<NamedAttribute> attrs{ctx.named(
      "style", RopeStyleAttr::get(ctx.getContext(), interleaved ? RopeStyle::interleaved
                                                                : RopeStyle::rotate_half))};
  if (rotaryDim > 0)
    attrs.push_back(ctx.named("rotary_dim", ctx.b.getI64IntegerAttr(rotaryDim)));
  SmallVector<Value> operands{x, cos, sin};
  if (positions)
    operands.push_back(positions);
  auto y = ctx.create<RopeOp>(operands, attrs);
  if (failed(y))
    return failure();
  Value out = *y;
  if (is3d) {
    auto merged = mergeHeads(ctx, out);
    if (failed(merged))
      return failure();
    out = *merged;
  }
  return ctx.setOutput(out);
}

LogicalResult importRotaryEmbedding(NodeContext &ctx) {
  int64_t numHeads = ctx.getInt("num_heads", 0);
  int64_t rotaryDim = ctx.getInt("rotary_embedding_dim", 0);
  bool interleaved = ctx.getInt("interleaved", 0) != 0;
  if (ctx.failedAttributes())
    return failure();
  return importRopeCommon(ctx, ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3),
                          numHeads, rotaryDim, interleaved);
}

/// com.microsoft RotaryEmbedding: inputs (input, position_ids, cos, sin); a 1-D
/// position_ids of one element is the offset of position 0.
LogicalResult importMsRotaryEmbedding(NodeContext &ctx) {
  int64_t numHeads = ctx.getInt("num_heads", 0);
  int64_t rotaryDim = ctx.getInt("rotary_embedding_dim", 0);
  bool interleaved = ctx.getInt("interleaved", 0) != 0;
  int64_t packed = ctx.getInt("is_packed_batching", 0);
  float scale = ctx.getFloat("scale", 1.0f);
  if (ctx.failedAttributes())
    return failure();
  if (packed != 0)
    return ctx.fail("attribute 'is_packed_batching' = " + Twine(packed) +
                    " (ragged batches) is not supported");
  if (scale != 1.0f)
    return ctx.fail("attribute 'scale' = " + fstr(scale) + " is not supported");
  Value x = ctx.input(0), cos = ctx.input(2), sin = ctx.input(3);
  auto type = ctx.inputType(0);
  if (type.getRank() == 3 && numHeads == 0) {
    // The head size follows from the table: [max_seq, head_size / 2].
    int64_t half = ctx.inputType(2).getRank() == 2 ? ctx.inputType(2).getDimSize(1)
                                                    : ShapedType::kDynamic;
    int64_t hidden = type.getDimSize(2);
    if (ShapedType::isDynamic(half) || ShapedType::isDynamic(hidden) || half <= 0 ||
        hidden % (2 * half) != 0)
      return ctx.fail("without 'num_heads', the head count must follow from a static "
                      "hidden size and cos_cache width; got hidden " + dimStr(hidden) +
                      " and width " + dimStr(half));
    numHeads = hidden / (2 * half);
  }
  Value positions = ctx.input(1);
  auto pType = ctx.inputType(1);
  if (pType.getRank() == 1) {
    if (pType.getDimSize(0) != 1)
      return ctx.fail("a 1-D position_ids must have one element (the offset), got "
                      "shape " + shapeToString(pType.getShape()));
    auto offset = reshape(ctx, positions, {});
    if (failed(offset))
      return failure();
    Value off = *offset;
    if (pType.getElementType() != ctx.b.getI64Type()) {
      auto c = ctx.cast(off, ctx.b.getI64Type());
      if (failed(c))
        return failure();
      off = *c;
    }
    auto pos = positionsFrom(ctx, x, type.getRank() == 3 ? 1 : 2, off);
    if (failed(pos))
      return failure();
    positions = *pos;
  }
  return importRopeCommon(ctx, x, cos, sin, positions, numHeads, rotaryDim,
                          interleaved);
}

//===----------------------------------------------------------------------===//
// Norms: SimplifiedLayerNormalization, Skip(Simplified)LayerNormalization
//===----------------------------------------------------------------------===//

LogicalResult importSimplifiedLayerNorm(NodeContext &ctx) {
  int64_t axis = ctx.getInt("axis", -1);
  float eps = ctx.getFloat("epsilon", 1e-5f);
  if (ctx.failedAttributes())
    return failure();
  if (ctx.hasOutput(1))
    return ctx.fail("output 'inv_std_var' (a training output) is not supported");
  auto y = ctx.create<RmsNormOp>(
      {ctx.input(0), ctx.input(1)},
      {ctx.named("axis", ctx.b.getI64IntegerAttr(axis)),
       ctx.named("epsilon", ctx.b.getF32FloatAttr(eps))});
  return failed(y) ? failure() : ctx.setOutput(*y);
}

/// input + skip (+ bias), then the norm; output 3 is the sum.
LogicalResult importSkipNorm(NodeContext &ctx, bool simplified) {
  float eps = ctx.getFloat("epsilon", 1e-12f);
  if (ctx.failedAttributes())
    return failure();
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return ctx.fail("outputs 'mean' and 'inv_std_var' (training outputs) are not "
                    "supported");
  auto sum = ctx.binary(BinaryFn::add, ctx.input(0), ctx.input(1));
  if (failed(sum))
    return failure();
  Value s = *sum;
  size_t biasIndex = simplified ? 3 : 4;
  if (Value bias = ctx.input(biasIndex)) {
    auto withBias = ctx.binary(BinaryFn::add, s, bias);
    if (failed(withBias))
      return failure();
    s = *withBias;
  }
  SmallVector<NamedAttribute> attrs{ctx.named("axis", ctx.b.getI64IntegerAttr(-1)),
                                    ctx.named("epsilon", ctx.b.getF32FloatAttr(eps))};
  FailureOr<Value> y;
  if (simplified) {
    y = ctx.create<RmsNormOp>({s, ctx.input(2)}, attrs);
  } else {
    SmallVector<Value> operands{s, ctx.input(2)};
    if (Value beta = ctx.input(3))
      operands.push_back(beta);
    y = ctx.create<LayerNormOp>(operands, attrs);
  }
  if (failed(y))
    return failure();
  // Outputs 1 and 2 were refused above; their slots are never bound.
  return setOutputs(ctx, {*y, s, s, s});
}

//===----------------------------------------------------------------------===//
// com.microsoft MultiHeadAttention
//===----------------------------------------------------------------------===//

/// x[..., start:start+len] of a 1-D bias.
FailureOr<Value> slice1d(NodeContext &ctx, Value x, int64_t start, int64_t len) {
  return ctx.create<SliceOp>({x, ctx.i64s({start}), ctx.i64s({start + len}),
                              ctx.i64s({0}), ctx.i64s({1})});
}

LogicalResult importMultiHeadAttention(NodeContext &ctx) {
  int64_t heads = ctx.getInt("num_heads", 0);
  std::optional<float> scaleAttr = ctx.getOptionalFloat("scale");
  bool causal = ctx.getInt("unidirectional", 0) != 0;
  float filter = ctx.getFloat("mask_filter_value", -10000.0f);
  if (ctx.failedAttributes())
    return failure();
  if (heads <= 0)
    return ctx.fail("attribute 'num_heads' must be positive, got " + Twine(heads));
  if (ctx.hasInput(8))
    return ctx.fail("input 'past_sequence_length' (shared KV buffer) is not supported");
  if (ctx.hasInput(9))
    return ctx.fail("input 'cache_indirection' (beam search) is not supported");
  if (ctx.hasOutput(3))
    return ctx.fail("output 'qk' is not supported");
  if (ctx.hasInput(6) != ctx.hasInput(7))
    return ctx.fail("inputs 'past_key' and 'past_value' must be given together");
  auto qType = ctx.inputType(0);
  if (qType.getRank() != 3)
    return ctx.fail("input 'query' of rank " + Twine(qType.getRank()) +
                    " (packed QKV) is not supported; give query, key and value "
                    "separately as 3-D tensors");
  if (!ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.fail("inputs 'key' and 'value' are required (packed QKV in 'query' "
                    "is not supported)");
  auto kType = ctx.inputType(1), vType = ctx.inputType(2);
  if (kType.getRank() == 5)
    return ctx.fail("input 'key' of rank 5 (packed KV) is not supported");
  if (kType.getRank() != vType.getRank() ||
      (kType.getRank() != 3 && kType.getRank() != 4))
    return ctx.fail("inputs 'key' and 'value' must both be 3-D [batch, seq, hidden] "
                    "or both 4-D [batch, heads, seq, head_size]");
  Value q = ctx.input(0), k = ctx.input(1), v = ctx.input(2);
  if (Value bias = ctx.input(3)) {
    if (kType.getRank() != 3)
      return ctx.fail("input 'bias' with 4-D key/value is not supported");
    int64_t hq = qType.getDimSize(2), hk = kType.getDimSize(2), hv = vType.getDimSize(2);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hk) ||
        ShapedType::isDynamic(hv))
      return ctx.fail("input 'bias' needs static hidden sizes of query, key, value");
    auto bq = slice1d(ctx, bias, 0, hq), bk = slice1d(ctx, bias, hq, hk),
         bv = slice1d(ctx, bias, hq + hk, hv);
    if (failed(bq) || failed(bk) || failed(bv))
      return failure();
    auto q2 = ctx.binary(BinaryFn::add, q, *bq), k2 = ctx.binary(BinaryFn::add, k, *bk),
         v2 = ctx.binary(BinaryFn::add, v, *bv);
    if (failed(q2) || failed(k2) || failed(v2))
      return failure();
    q = *q2, k = *k2, v = *v2;
  }
  auto q4 = splitHeads(ctx, q, heads);
  if (failed(q4))
    return failure();
  q = *q4;
  if (kType.getRank() == 3) {
    auto k4 = splitHeads(ctx, k, heads), v4 = splitHeads(ctx, v, heads);
    if (failed(k4) || failed(v4))
      return failure();
    k = *k4, v = *v4;
  }
  Value newK = k;
  if (ctx.hasInput(6)) {
    auto pk = concat(ctx, {ctx.input(6), k}, 2), pv = concat(ctx, {ctx.input(7), v}, 2);
    if (failed(pk) || failed(pv))
      return failure();
    k = *pk, v = *pv;
  }
  // Masks become one additive float mask, as onnxruntime computes it.
  Type element = qType.getElementType();
  Value mask;
  if (Value kpm = ctx.input(4)) {
    auto m = ctx.inputType(4);
    SmallVector<int64_t> shape4;
    if (m.getRank() == 2)
      shape4 = {0, 1, 1, -1};
    else if (m.getRank() == 3)
      shape4 = {0, 1, m.getDimSize(1), m.getDimSize(2)};
    if (shape4.empty() || llvm::any_of(shape4, ShapedType::isDynamic))
      return ctx.fail("input 'key_padding_mask' of shape " +
                      shapeToString(m.getShape()) +
                      " is not supported; use [batch, total_seq] or a static "
                      "[batch, seq, total_seq]");
    auto keep = ctx.compare(CompareFn::ne, kpm, ctx.scalar(m.getElementType(), 0));
    if (failed(keep))
      return failure();
    auto additive = ctx.select(*keep, ctx.scalar(element, 0.0), ctx.scalar(element, filter));
    if (failed(additive))
      return failure();
    auto m4 = reshape(ctx, *additive, shape4);
    if (failed(m4))
      return failure();
    mask = *m4;
  }
  if (Value bias = ctx.input(5)) {
    if (mask) {
      auto sum = ctx.binary(BinaryFn::add, bias, mask);
      if (failed(sum))
        return failure();
      mask = *sum;
    } else {
      mask = bias;
    }
  }
  if (mask && failed(checkMaskLength(ctx, mask, k, "key_padding_mask/attention_bias")))
    return failure();
  if (causal && failed(checkCausalAlignment(ctx, q, newK)))
    return failure();
  auto scale = attentionScale(ctx, scaleAttr, q);
  if (failed(scale))
    return failure();
  auto y = buildAttention(ctx, q, k, v, mask, *scale, causal, std::nullopt,
                          std::nullopt);
  if (failed(y))
    return failure();
  auto out = mergeHeads(ctx, *y);
  if (failed(out))
    return failure();
  return setOutputs(ctx, {*out, k, v});
}

//===----------------------------------------------------------------------===//
// com.microsoft GroupQueryAttention
//===----------------------------------------------------------------------===//

/// Supported: separate 3-D query/key/value without a KV cache (a prompt), with
/// optional rotary embedding, per-head q/k RMS norm, attention bias, local window
/// and softcap. seqlens_k marks right padding: key j of batch b takes part iff
/// j <= seqlens_k[b].
LogicalResult importGroupQueryAttention(NodeContext &ctx) {
  int64_t heads = ctx.getInt("num_heads", 0);
  int64_t kvHeads = ctx.getInt("kv_num_heads", 0);
  std::optional<float> scaleAttr = ctx.getOptionalFloat("scale");
  bool causal = ctx.getInt("causal", 1) != 0;
  int64_t window = ctx.getInt("local_window_size", -1);
  float softcap = ctx.getFloat("softcap", 0.0f);
  bool rotary = ctx.getInt("do_rotary", 0) != 0;
  bool interleaved = ctx.getInt("rotary_interleaved", 0) != 0;
  int64_t qkOutput = ctx.getInt("qk_output", 0);
  int64_t smooth = ctx.getInt("smooth_softmax", -1);
  std::string kQuant = ctx.getString("k_quant_type", "NONE");
  std::string vQuant = ctx.getString("v_quant_type", "NONE");
  float qkEps = ctx.getFloat("qk_norm_epsilon", 1e-6f);
  float qEps = ctx.getFloat("q_norm_epsilon", qkEps);
  float kEps = ctx.getFloat("k_norm_epsilon", qkEps);
  if (ctx.failedAttributes())
    return failure();
  if (heads <= 0 || kvHeads <= 0)
    return ctx.fail("attributes 'num_heads' and 'kv_num_heads' must be positive, got " +
                    Twine(heads) + " and " + Twine(kvHeads));
  if (!ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.fail("packed QKV in input 'query' (no 'key'/'value') is not supported");
  if (ctx.hasInput(3) || ctx.hasInput(4))
    return ctx.fail("inputs 'past_key'/'past_value' (in-place KV cache indexed by "
                    "seqlens_k) are not supported yet");
  if (ctx.hasInput(11) || smooth > 0)
    return ctx.fail("smooth softmax ('head_sink' input or 'smooth_softmax' attribute) "
                    "is not supported");
  if (ctx.hasInput(12) || ctx.hasInput(13) || kQuant != "NONE" || vQuant != "NONE")
    return ctx.fail("a quantized KV cache (k_scale/v_scale, k_quant_type '" + kQuant +
                    "', v_quant_type '" + vQuant + "') is not supported");
  if (ctx.hasInput(16))
    return ctx.fail("input 'query_seqlens' (chunked prefill) is not supported");
  if (qkOutput != 0 || ctx.hasOutput(3))
    return ctx.fail("attribute 'qk_output' = " + Twine(qkOutput) +
                    " (output 'output_qk') is not supported");
  if (ctx.hasInput(14) != ctx.hasInput(15))
    return ctx.fail("inputs 'q_norm_weight' and 'k_norm_weight' must be given together");
  if (ctx.inputType(0).getRank() != 3 || ctx.inputType(1).getRank() != 3 ||
      ctx.inputType(2).getRank() != 3)
    return ctx.fail("query, key and value must be 3-D [batch, seq, hidden]");

  auto q4 = splitHeads(ctx, ctx.input(0), heads);
  auto k4 = splitHeads(ctx, ctx.input(1), kvHeads);
  auto v4 = splitHeads(ctx, ctx.input(2), kvHeads);
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  Value q = *q4, k = *k4, v = *v4;
  if (ctx.hasInput(14)) {
    auto qn = ctx.create<RmsNormOp>({q, ctx.input(14)},
                                    {ctx.named("axis", ctx.b.getI64IntegerAttr(-1)),
                                     ctx.named("epsilon", ctx.b.getF32FloatAttr(qEps))});
    auto kn = ctx.create<RmsNormOp>({k, ctx.input(15)},
                                    {ctx.named("axis", ctx.b.getI64IntegerAttr(-1)),
                                     ctx.named("epsilon", ctx.b.getF32FloatAttr(kEps))});
    if (failed(qn) || failed(kn))
      return failure();
    q = *qn, k = *kn;
  }
  if (rotary) {
    if (!ctx.hasInput(7) || !ctx.hasInput(8))
      return ctx.fail("do_rotary needs inputs 'cos_cache' and 'sin_cache'");
    Value positions = ctx.input(9);
    if (!positions) {
      // No cache: the new tokens sit at positions 0..S-1.
      auto pos = positionsFrom(ctx, q, 2, Value());
      if (failed(pos))
        return failure();
      positions = *pos;
    }
    auto style = RopeStyleAttr::get(ctx.getContext(), interleaved
                                                          ? RopeStyle::interleaved
                                                          : RopeStyle::rotate_half);
    auto qr = ctx.create<RopeOp>({q, ctx.input(7), ctx.input(8), positions},
                                 {ctx.named("style", style)});
    auto kr = ctx.create<RopeOp>({k, ctx.input(7), ctx.input(8), positions},
                                 {ctx.named("style", style)});
    if (failed(qr) || failed(kr))
      return failure();
    q = *qr, k = *kr;
  }

  // Padding mask from seqlens_k: [1, 1, 1, T] key index <= [B, 1, 1, 1] length - 1.
  auto keys = positionsFrom(ctx, k, 2, Value());
  if (failed(keys))
    return failure();
  auto keys4 = reshape(ctx, *keys, {1, 1, 1, -1});
  if (failed(keys4))
    return failure();
  if (!ctx.hasInput(5))
    return ctx.fail("input 'seqlens_k' is required");
  auto seqlens64 = ctx.cast(ctx.input(5), ctx.b.getI64Type());
  if (failed(seqlens64))
    return failure();
  auto last = reshape(ctx, *seqlens64, {-1, 1, 1, 1});
  if (failed(last))
    return failure();
  auto keep = ctx.compare(CompareFn::le, *keys4, *last);
  if (failed(keep))
    return failure();
  Value mask = *keep;
  if (Value bias = ctx.input(10)) {
    Type e = cast<RankedTensorType>(bias.getType()).getElementType();
    auto masked = ctx.select(mask, bias,
                             ctx.scalar(e, -std::numeric_limits<double>::infinity()));
    if (failed(masked))
      return failure();
    mask = *masked;
  }
  if (causal && failed(checkCausalAlignment(ctx, q, k)))
    return failure();
  auto scale = attentionScale(ctx, scaleAttr, q);
  if (failed(scale))
    return failure();
  std::optional<int64_t> win;
  if (window >= 0)
    win = window;
  auto y = buildAttention(ctx, q, k, v, mask, *scale, causal, win,
                          softcap > 0 ? std::optional<float>(softcap) : std::nullopt);
  if (failed(y))
    return failure();
  auto out = mergeHeads(ctx, *y);
  if (failed(out))
    return failure();
  return setOutputs(ctx, {*out, k, v});
}

//===----------------------------------------------------------------------===//
// com.microsoft MoE
//===----------------------------------------------------------------------===//

LogicalResult importMoE(NodeContext &ctx) {
  int64_t k = ctx.getInt("k", 1);
  std::string activation = ctx.getString("activation_type", "relu");
  bool normalize = ctx.getInt("normalize_routing_weights", 0) != 0;
  int64_t sparseMixer = ctx.getInt("use_sparse_mixer", 0);
  int64_t fusion = ctx.getInt("swiglu_fusion", 0);
  float alpha = ctx.getFloat("activation_alpha", 1.0f);
  float beta = ctx.getFloat("activation_beta", 0.0f);
  bool hasLimit = ctx.hasAttr("swiglu_limit");
  if (ctx.failedAttributes())
    return failure();
  if (sparseMixer != 0)
    return ctx.fail("attribute 'use_sparse_mixer' = " + Twine(sparseMixer) +
                    " is not supported");
  if (activation != "swiglu")
    return ctx.fail("attribute 'activation_type' = '" + activation +
                    "' is not supported: ds.moe experts are gated ('swiglu')");
  if (alpha != 1.0f || beta != 0.0f || hasLimit)
    return ctx.fail("swiglu with activation_alpha = " + fstr(alpha) +
                    ", activation_beta = " + fstr(beta) +
                    (hasLimit ? Twine(", swiglu_limit") : Twine("")) +
                    " is not supported; ds.moe uses silu(gate) * up");
  for (auto [index, name] : {std::pair<size_t, const char *>{3, "fc1_experts_bias"},
                             {5, "fc2_experts_bias"},
                             {7, "fc3_experts_bias"}})
    if (ctx.hasInput(index))
      return ctx.fail("input '" + Twine(name) + "' is not supported (ds.moe experts "
                      "have no biases)");
  bool separateUp = fusion == 0;
  if (fusion == 1)
    return ctx.fail("attribute 'swiglu_fusion' = 1 (gate and up interleaved in fc1) "
                    "is not supported; ds.moe takes [gate | up] (swiglu_fusion = 2)");
  if (fusion != 0 && fusion != 2)
    return ctx.fail("attribute 'swiglu_fusion' = " + Twine(fusion) + " is not valid");
  if (separateUp && !ctx.hasInput(6))
    return ctx.fail("swiglu_fusion = 0 needs input 'fc3_experts_weights' (the up "
                    "projection)");
  if (!separateUp && ctx.hasInput(6))
    return ctx.fail("input 'fc3_experts_weights' is not used with swiglu_fusion = 2");

  // onnxruntime stores expert weights [E, out, in]; ds.moe takes [E, in, out].
  auto gate = transpose(ctx, ctx.input(2), {0, 2, 1});
  auto down = transpose(ctx, ctx.input(4), {0, 2, 1});
  if (failed(gate) || failed(down))
    return failure();
  Value up;
  if (separateUp) {
    auto u = transpose(ctx, ctx.input(6), {0, 2, 1});
    if (failed(u))
      return failure();
    up = *u;
  }
  Value x = ctx.input(0);
  auto xType = ctx.inputType(0);
  if (xType.getRank() != 2 && xType.getRank() != 3)
    return ctx.fail("input 'input' must be 2-D [tokens, hidden] or 3-D [batch, seq, "
                    "hidden], got shape " + shapeToString(xType.getShape()));
  if (xType.getRank() == 3) {
    if (ShapedType::isDynamic(xType.getDimSize(2)))
      return ctx.fail("a 3-D input needs a static hidden size");
    auto flat = reshape(ctx, x, {-1, xType.getDimSize(2)});
    if (failed(flat))
      return failure();
    x = *flat;
  }
  Value logits = ctx.input(1);
  if (Type le = ctx.inputType(1).getElementType(); le != xType.getElementType())
    return ctx.fail("router_probs element type " + typeToString(le) + " differs from input's " +
                    typeToString(xType.getElementType()));
  SmallVector<Value> operands{x, logits, *gate};
  if (up)
    operands.push_back(up);
  operands.push_back(*down);
  SmallVector<NamedAttribute> attrs{
      ctx.named("operandSegmentSizes",
                ctx.b.getDenseI32ArrayAttr({1, 1, 1, up ? 1 : 0, 1, 0, 0, 0, 0})),
      ctx.named("top_k", ctx.b.getI64IntegerAttr(k)),
      ctx.named("gating", GatingFnAttr::get(ctx.getContext(), GatingFn::softmax))};
  if (normalize)
    attrs.push_back(ctx.named("norm_topk_prob", ctx.b.getUnitAttr()));
  auto y = ctx.create<MoeOp>(operands, attrs);
  if (failed(y))
    return failure();
  Value out = *y;
  if (xType.getRank() == 3) {
    auto shape = ctx.create<ShapeOfOp>(
        ctx.input(0), {ctx.named("start", ctx.b.getI64IntegerAttr(0)),
                       ctx.named("end", ctx.b.getI64IntegerAttr(3))});
    if (failed(shape))
      return failure();
    auto back = ctx.create<ReshapeOp>(
        {out, *shape}, {ctx.named("allow_zero", ctx.b.getBoolAttr(false))});
    if (failed(back))
      return failure();
    out = *back;
  }
  return ctx.setOutput(out);
}

} // namespace

void onnx_import::registerTransformerHandlers(HandlerRegistry &r) {
  r.add("", "Attention", importAttention, 23);
  r.add("", "RotaryEmbedding", importRotaryEmbedding, 23);
  r.add("com.microsoft", "RotaryEmbedding", importMsRotaryEmbedding);
  // onnxruntime registers SimplifiedLayerNormalization in the default domain.
  r.add("", "SimplifiedLayerNormalization", importSimplifiedLayerNorm);
  r.add("com.microsoft", "SimplifiedLayerNormalization", importSimplifiedLayerNorm);
  r.add("com.microsoft", "SkipSimplifiedLayerNormalization",
        [](NodeContext &ctx) { return importSkipNorm(ctx, /*simplified=*/true); });
  r.add("com.microsoft", "SkipLayerNormalization",
        [](NodeContext &ctx) { return importSkipNorm(ctx, /*simplified=*/false); });
  r.add("com.microsoft", "MultiHeadAttention", importMultiHeadAttention);
  r.add("com.microsoft", "GroupQueryAttention", importGroupQueryAttention);
  r.add("com.microsoft", "MoE", importMoE);
}
