//===- DsTransformerOps.cpp - attention, rope, moe ------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;

#define GET_OP_CLASSES
#include "ds/Dialect/Ds/IR/DsTransformerOps.cpp.inc"

void DsDialect::registerTransformerOps() {
  addOperations<
#define GET_OP_LIST
#include "ds/Dialect/Ds/IR/DsTransformerOps.cpp.inc"
      >();
}

static bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

/// Two dims agree when equal or when either is dynamic.
static bool dimsAgree(int64_t a, int64_t b) { return isDyn(a) || isDyn(b) || a == b; }

/// The first static dim of a list, else dynamic: the most refined value of dims
/// that must all be equal.
static int64_t joinDims(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims)
    if (!isDyn(d))
      return d;
  return ShapedType::kDynamic;
}

static std::string dimToString(int64_t d) {
  return isDyn(d) ? std::string("?") : std::to_string(d);
}

/// True when `shape` broadcasts (numpy rules) to exactly `target`: it may not add
/// dims, and each of its dims is 1 or agrees with the target's.
static bool broadcastsTo(ArrayRef<int64_t> shape, ArrayRef<int64_t> target) {
  if (shape.size() > target.size())
    return false;
  size_t lead = target.size() - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    if (d != 1 && !dimsAgree(d, target[lead + i]))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto q = cast<RankedTensorType>(adaptor.getQuery().getType());
  auto k = cast<RankedTensorType>(adaptor.getKey().getType());
  auto v = cast<RankedTensorType>(adaptor.getValue().getType());
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4) {
    // The verifier reports the ranks; any result type will do until then.
    inferred.push_back(q);
    return success();
  }
  int64_t batch = joinDims({q.getDimSize(0), k.getDimSize(0), v.getDimSize(0)});
  inferred.push_back(RankedTensorType::get(
      {batch, q.getDimSize(1), q.getDimSize(2), v.getDimSize(3)}, q.getElementType()));
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(AttentionOp)

LogicalResult AttentionOp::verify() {
  auto q = getQuery().getType(), k = getKey().getType(), v = getValue().getType();
  for (auto [name, type] : {std::pair<StringRef, RankedTensorType>{"query", q},
                            {"key", k},
                            {"value", v}})
    if (type.getRank() != 4)
      return emitOpError() << name
                           << " must be 4-D [batch, heads, seq, head_dim], got shape "
                           << shapeToString(type.getShape());
  if (q.getElementType() != k.getElementType() ||
      q.getElementType() != v.getElementType())
    return emitOpError("query, key and value element types differ: ")
           << q.getElementType() << ", " << k.getElementType() << ", "
           << v.getElementType();
  auto qs = q.getShape(), ks = k.getShape(), vs = v.getShape();
  if (!dimsAgree(qs[0], ks[0]) || !dimsAgree(qs[0], vs[0]) || !dimsAgree(ks[0], vs[0]))
    return emitOpError("batch dims differ: query ")
           << dimToString(qs[0]) << ", key " << dimToString(ks[0]) << ", value "
           << dimToString(vs[0]);
  if (!dimsAgree(ks[1], vs[1]))
    return emitOpError("key and value head counts differ: ")
           << ks[1] << " and " << vs[1];
  int64_t kvHeads = joinDims({ks[1], vs[1]});
  if (!isDyn(kvHeads) && kvHeads == 0)
    return emitOpError("key/value head count must be positive, got 0");
  if (!isDyn(qs[1]) && !isDyn(kvHeads) && qs[1] % kvHeads != 0)
    return emitOpError("query heads ")
           << qs[1] << " are not a multiple of key/value heads " << kvHeads;
  if (!dimsAgree(ks[2], vs[2]))
    return emitOpError("key and value sequence lengths differ: ")
           << ks[2] << " and " << vs[2];
  if (!dimsAgree(qs[3], ks[3]))
    return emitOpError("query and key head dims differ: ") << qs[3] << " and "
                                                            << ks[3];
  int64_t kvSeq = joinDims({ks[2], vs[2]});
  if (getCausal() && !isDyn(qs[2]) && !isDyn(kvSeq) && kvSeq < qs[2])
    return emitOpError("causal attention needs kv_seq >= q_seq (the past length is "
                       "kv_seq - q_seq), got q_seq ")
           << qs[2] << " and kv_seq " << kvSeq;
  if (Value mask = getMask()) {
    auto m = cast<RankedTensorType>(mask.getType());
    Type e = m.getElementType();
    if (!e.isInteger(1) && !isa<FloatType>(e))
      return emitOpError("mask must have i1 (true = keep) or float (additive) "
                         "elements, got ")
             << e;
    SmallVector<int64_t> full{joinDims({qs[0], ks[0], vs[0]}), qs[1], qs[2], kvSeq};
    if (!broadcastsTo(m.getShape(), full))
      return emitOpError("mask of shape ")
             << shapeToString(m.getShape())
             << " does not broadcast to [batch, q_heads, q_seq, kv_seq] = "
             << shapeToString(full);
  }
  // I64Attr reads back as uint64_t; the sign matters here.
  if (auto window = getWindow(); window && (int64_t)*window < 0)
    return emitOpError("window must be non-negative, got ") << (int64_t)*window;
  if (auto softcap = getSoftcap();
      softcap && !(softcap->convertToFloat() > 0 && std::isfinite(softcap->convertToFloat())))
    return emitOpError("softcap must be positive and finite, got ")
           << softcap->convertToFloat();
  float scale = getScale().convertToFloat();
  if (!std::isfinite(scale))
    return emitOpError("scale must be finite, got ") << scale;
  return success();
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(RopeOp)

LogicalResult RopeOp::verify() {
  auto x = getInput().getType();
  if (x.getRank() != 4)
    return emitOpError("input must be 4-D [batch, heads, seq, head_dim], got shape ")
           << shapeToString(x.getShape());
  int64_t headDim = x.getDimSize(3);
  std::optional<uint64_t> rotary = getRotaryDim();
  int64_t r = rotary ? (int64_t)*rotary : headDim;
  if (!isDyn(r) && (r <= 0 || r % 2 != 0 || (!isDyn(headDim) && r > headDim)))
    return emitOpError("rotary dim ")
           << r << (rotary ? "" : " (the head dim)")
           << " must be positive, even and at most the head dim "
           << dimToString(headDim);
  auto cos = getCos().getType(), sin = getSin().getType();
  if (cos != sin)
    return emitOpError("cos and sin types differ: ") << cos << " and " << sin;
  int64_t width = cos.getRank() ? cos.getShape().back() : 0;
  if (cos.getRank() && !isDyn(width) && !isDyn(r) && width != r / 2 && width != r)
    return emitOpError("cos/sin width ")
           << width << " must be half the rotary dim (" << r / 2
           << ") or the rotary dim (" << r << ")";
  int64_t batch = x.getDimSize(0), seq = x.getDimSize(2);
  if (Value positions = getPositionIds()) {
    if (cos.getRank() != 2)
      return emitOpError("with position_ids, cos/sin must be 2-D [max_position, "
                         "width], got shape ")
             << shapeToString(cos.getShape());
    auto p = cast<RankedTensorType>(positions.getType());
    if (p.getRank() != 2 || !broadcastsTo(p.getShape(), {batch, seq}))
      return emitOpError("position_ids of shape ")
             << shapeToString(p.getShape())
             << " must be 2-D and broadcast to [batch, seq] = "
             << shapeToString({batch, seq});
    return success();
  }
  if (cos.getRank() != 2 && cos.getRank() != 3)
    return emitOpError("cos/sin must be [seq, width] or [batch, seq, width], got shape ")
           << shapeToString(cos.getShape());
  auto lead = cos.getShape().drop_back();
  if (!broadcastsTo(lead, {batch, seq}))
    return emitOpError("cos/sin of shape ")
           << shapeToString(cos.getShape())
           << " do not broadcast to the input's [batch, seq] = "
           << shapeToString({batch, seq});
  return success();
}

//===----------------------------------------------------------------------===//
// MoeOp
//===----------------------------------------------------------------------===//

LogicalResult MoeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getHidden().getType());
  return success();
}
DS_COMPATIBLE_RETURN_TYPES(MoeOp)

/// "3-D [experts, hidden, inter]"-style rank check with the operand's shape.
static LogicalResult checkRank(Operation *op, Value v, StringRef name, int64_t rank,
                               StringRef layout) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == rank)
    return success();
  return op->emitOpError() << name << " must be " << rank << "-D " << layout
                           << ", got shape " << shapeToString(type.getShape());
}

LogicalResult MoeOp::verify() {
  Operation *op = *this;
  auto x = getHidden().getType();
  auto logits = getRouterLogits().getType();
  if (x.getRank() < 2)
    return emitOpError("hidden must be [tokens..., hidden] with at least one token "
                       "dim, got shape ")
           << shapeToString(x.getShape());
  if (logits.getRank() != x.getRank() ||
      failed(verifyCompatibleShape(logits.getShape().drop_back(),
                                   x.getShape().drop_back())))
    return emitOpError("router_logits of shape ")
           << shapeToString(logits.getShape())
           << " must be [tokens..., experts] with the token dims of hidden "
           << shapeToString(x.getShape().drop_back());
  if (failed(checkRank(op, getGateWeight(), "gate weight", 3,
                       getUpWeight() ? "[experts, hidden, inter]"
                                     : "[experts, hidden, 2 * inter]")) ||
      failed(checkRank(op, getDownWeight(), "down weight", 3,
                       "[experts, inter, hidden]")) ||
      (getUpWeight() && failed(checkRank(op, getUpWeight(), "up weight", 3,
                                         "[experts, hidden, inter]"))))
    return failure();
  auto gate = getGateWeight().getType().getShape();
  auto down = getDownWeight().getType().getShape();
  auto up = getUpWeight() ? getUpWeight().getType().getShape() : ArrayRef<int64_t>();

  // Expert counts.
  int64_t e = logits.getShape().back();
  SmallVector<int64_t> experts{e, gate[0], down[0]};
  if (getUpWeight())
    experts.push_back(up[0]);
  if (auto bias = getCorrectionBias()) {
    auto b = bias.getType().getShape();
    if (b.size() != 1)
      return emitOpError("correction bias must be 1-D [experts], got shape ")
             << shapeToString(b);
    experts.push_back(b[0]);
  }
  for (int64_t d : experts) {
    if (!dimsAgree(d, e)) {
      std::string list;
      for (auto [i, d2] : llvm::enumerate(experts))
        list += (i ? ", " : "") + dimToString(d2);
      return emitOpError("expert counts differ (router_logits, gate, down")
             << (getUpWeight() ? ", up" : "")
             << (getCorrectionBias() ? ", correction bias" : "") << "): " << list;
    }
    if (isDyn(e))
      e = d;
  }

  // Hidden and intermediate sizes.
  int64_t h = x.getShape().back();
  SmallVector<int64_t> hiddens{h, gate[1], down[2]};
  if (getUpWeight())
    hiddens.push_back(up[1]);
  int64_t hRef = joinDims({h, gate[1], down[2]});
  if (getUpWeight() && isDyn(hRef))
    hRef = up[1];
  for (int64_t d : hiddens)
    if (!dimsAgree(d, hRef))
      return emitOpError("hidden sizes differ: hidden ")
             << dimToString(h) << ", gate " << dimToString(gate[1]) << ", down "
             << dimToString(down[2]) << (getUpWeight() ? ", up " : "")
             << (getUpWeight() ? dimToString(up[1]) : "");
  int64_t inter = gate[2];
  if (!getUpWeight() && !isDyn(inter)) {
    if (inter % 2 != 0)
      return emitOpError("fused gate/up weight has odd last dim ")
             << inter << "; it must hold gate and up halves";
    inter /= 2;
  }
  int64_t iRef = joinDims({inter, down[1], getUpWeight() ? up[2] : inter});
  if (!dimsAgree(inter, iRef) || !dimsAgree(down[1], iRef) ||
      (getUpWeight() && !dimsAgree(up[2], iRef)))
    return emitOpError("intermediate sizes differ: gate ")
           << dimToString(inter) << (getUpWeight() ? "" : " (half of the fused dim)")
           << ", down " << dimToString(down[1]) << (getUpWeight() ? ", up " : "")
           << (getUpWeight() ? dimToString(up[2]) : "");

  // Shared expert.
  Value sg = getSharedGate(), su = getSharedUp(), sd = getSharedDown();
  if ((bool)sg != (bool)su || (bool)sg != (bool)sd)
    return emitOpError("shared expert needs gate, up and down weights together");
  if (sg) {
    auto sgs = cast<RankedTensorType>(sg.getType()).getShape();
    auto sus = cast<RankedTensorType>(su.getType()).getShape();
    auto sds = cast<RankedTensorType>(sd.getType()).getShape();
    int64_t is = sgs.size() == 2 ? sgs[1] : ShapedType::kDynamic;
    bool ok = sgs.size() == 2 && sus.size() == 2 && sds.size() == 2 &&
              dimsAgree(sgs[0], hRef) && dimsAgree(sus[0], hRef) &&
              dimsAgree(sds[1], hRef) &&
              dimsAgree(sus[1], is) && dimsAgree(sds[0], is) &&
              dimsAgree(sus[1], sds[0]);
    if (!ok)
      return emitOpError("shared expert weights ")
             << shapeToString(sgs) << ", " << shapeToString(sus) << ", "
             << shapeToString(sds) << " must be [hidden, inter], [hidden, inter], "
             << "[inter, hidden] with hidden " << dimToString(hRef);
  }

  // Routing attributes.
  int64_t topK = (int64_t)getTopK(), nGroup = (int64_t)getNGroup(),
          topkGroup = (int64_t)getTopkGroup();
  if (topK < 1 || (!isDyn(e) && topK > e))
    return emitOpError("top_k ") << topK << " must be in [1, num_experts "
                                 << dimToString(e) << "]";
  if (nGroup < 1 || (!isDyn(e) && e % nGroup != 0))
    return emitOpError("n_group ") << nGroup
                                   << " must be positive and divide num_experts "
                                   << dimToString(e);
  if (topkGroup < 1 || topkGroup > nGroup)
    return emitOpError("topk_group ") << topkGroup << " must be in [1, n_group "
                                      << nGroup << "]";
  if (!isDyn(e)) {
    int64_t perGroup = e / nGroup;
    if (topK > topkGroup * perGroup)
      return emitOpError("top_k ")
             << topK << " exceeds the experts of the kept groups: topk_group "
             << topkGroup << " x " << perGroup << " experts per group";
    if (getGroupScore() == GroupScoreFn::top2_sum && nGroup > 1 && perGroup < 2)
      return emitOpError("group score top2_sum needs at least 2 experts per group, "
                         "got ")
             << perGroup;
  }
  float factor = getRoutedScalingFactor().convertToFloat();
  if (!(factor > 0) || !std::isfinite(factor))
    return emitOpError("routed_scaling_factor must be positive and finite, got ")
           << factor;
  return success();
}
