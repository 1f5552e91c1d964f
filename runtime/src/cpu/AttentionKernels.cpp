// cpu backend: fused attention and rotary position embedding.
//
// attention runs per (batch, query head, block of queries): scores for one block of keys
// at a time in f32, an online softmax (running max and sum per query) and the weighted
// value sum, so no S x S matrix is ever materialized. Key blocks that the causal mask or
// the window hide entirely are skipped.
#include "cpu/Gemm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

namespace ds::rt::cpu {
namespace {

// An optional attribute: absent or JSON null means unset.
std::optional<int64_t> optionalInt(const StepDesc &step, const char *name) {
  auto it = step.attrs.find(name);
  if (it == step.attrs.end() || it->is_null()) return std::nullopt;
  return attrInt(step, name);
}
std::optional<double> optionalFloat(const StepDesc &step, const char *name) {
  auto it = step.attrs.find(name);
  if (it == step.attrs.end() || it->is_null()) return std::nullopt;
  return attrFloat(step, name);
}

// Dot product with 8 independent partial sums, so that it vectorizes without
// reassociation flags.
template <class T>
inline T dot(const T *a, const T *b, int64_t n) {
  T part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) part[l] += a[i + l] * b[i + l];
  T s = 0;
  for (; i < n; ++i) s += a[i] * b[i];
  return s + ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
}

// Elements [start, start + count) of a float tensor as T, and back.
template <class T>
void loadRow(const TensorView &t, int64_t start, int64_t count, T *dst) {
  if constexpr (std::is_same_v<T, double>) {
    for (int64_t i = 0; i < count; ++i) dst[i] = loadAsDouble(t, start + i);
  } else {
    loadRowF32(t.data, t.dtype, start, count, dst);
  }
}
template <class T>
void storeRow(const TensorView &t, int64_t start, int64_t count, const T *src) {
  if constexpr (std::is_same_v<T, double>) {
    for (int64_t i = 0; i < count; ++i) storeFromDouble(t, start + i, src[i]);
  } else {
    storeRowF32(t.data, t.dtype, start, count, src);
  }
}

// Strides (elements) of a tensor broadcast to `target`; 0 along broadcast dims.
std::vector<int64_t> broadcastStrides(const Shape &shape, const Shape &target) {
  std::vector<int64_t> strides(target.size(), 0);
  size_t lead = target.size() - shape.size();
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[lead + i] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

bool broadcastsTo(const Shape &shape, const Shape &target) {
  if (shape.size() > target.size()) return false;
  size_t lead = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1 && shape[i] != target[lead + i]) return false;
  return true;
}

// ---- attention -----------------------------------------------------------------------------

struct AttentionDims {
  int64_t batch, qHeads, kvHeads, qSeq, kvSeq, dqk, dv;
};

template <class Ctx>
AttentionDims attentionDims(const Ctx &ctx) {
  const char *names[] = {"query", "key", "value"};
  for (int i = 0; i < 3; ++i) {
    if (ctx.inputs[i].shape.size() != 4)
      ctx.fail(std::string(names[i]) + " must be 4-D [batch, heads, seq, head_dim], got shape " +
               shapeToString(ctx.inputs[i].shape));
    if (!isFloat(ctx.inputs[i].dtype))
      ctx.fail(std::string(names[i]) + " must have a float element type, got " +
               dtypeName(ctx.inputs[i].dtype));
  }
  const Shape &q = ctx.inputs[0].shape, &k = ctx.inputs[1].shape, &v = ctx.inputs[2].shape;
  if (ctx.inputs[1].dtype != ctx.inputs[0].dtype || ctx.inputs[2].dtype != ctx.inputs[0].dtype)
    ctx.fail(std::string("query, key and value element types differ: ") +
             dtypeName(ctx.inputs[0].dtype) + ", " + dtypeName(ctx.inputs[1].dtype) + ", " +
             dtypeName(ctx.inputs[2].dtype));
  if (q[0] != k[0] || q[0] != v[0])
    ctx.fail("batch dims differ: query " + shapeToString(q) + ", key " + shapeToString(k) +
             ", value " + shapeToString(v));
  if (k[1] != v[1] || k[2] != v[2])
    ctx.fail("key " + shapeToString(k) + " and value " + shapeToString(v) +
             " differ in heads or sequence length");
  if (k[1] == 0 || q[1] % k[1] != 0)
    ctx.fail("query heads " + std::to_string(q[1]) + " are not a positive multiple of key/value heads " +
             std::to_string(k[1]));
  if (q[3] != k[3])
    ctx.fail("query and key head dims differ: " + std::to_string(q[3]) + " and " +
             std::to_string(k[3]));
  AttentionDims d{q[0], q[1], k[1], q[2], k[2], q[3], v[3]};
  if (ctx.inputs.size() > 3 && ctx.inputs[3].present) {
    const TensorView &mask = ctx.inputs[3];
    if (mask.dtype != DType::I1 && !isFloat(mask.dtype))
      ctx.fail(std::string("mask must have i1 (true = keep) or float (additive) elements, got ") +
               dtypeName(mask.dtype));
    Shape full{d.batch, d.qHeads, d.qSeq, d.kvSeq};
    if (!broadcastsTo(mask.shape, full))
      ctx.fail("mask of shape " + shapeToString(mask.shape) +
               " does not broadcast to [batch, q_heads, q_seq, kv_seq] = " + shapeToString(full));
  }
  if (auto w = optionalInt(ctx.step, "window"); w && *w < 0)
    ctx.fail("window must be non-negative, got " + std::to_string(*w));
  if (auto c = optionalFloat(ctx.step, "softcap"); c && !(*c > 0 && std::isfinite(*c)))
    ctx.fail("softcap must be positive and finite, got " + std::to_string(*c));
  return d;
}

void attentionShape(ShapeContext &ctx) {
  AttentionDims d = attentionDims(ctx);
  ctx.outputShapes = {{d.batch, d.qHeads, d.qSeq, d.dv}};
}

constexpr int64_t kQueryBlock = 32;
constexpr int64_t kKeyBlock = 64;

// Scores, softmax and accumulation in T: f32, or f64 for f64 tensors.
template <class T>
void attentionCompute(KernelContext &ctx, const AttentionDims &d) {
  const TensorView &q = ctx.inputs[0], &k = ctx.inputs[1], &v = ctx.inputs[2];
  const TensorView *mask = ctx.inputs.size() > 3 && ctx.inputs[3].present ? &ctx.inputs[3] : nullptr;
  const TensorView &out = ctx.outputs[0];
  if (out.numel() == 0) return;
  const T scale = static_cast<T>(attrFloat(ctx.step, "scale"));
  const bool causal = attrBool(ctx.step, "causal");
  const std::optional<int64_t> window = optionalInt(ctx.step, "window");
  const std::optional<double> softcapAttr = optionalFloat(ctx.step, "softcap");
  const T softcap = softcapAttr ? static_cast<T>(*softcapAttr) : T(0);
  const int64_t past = d.kvSeq - d.qSeq;
  const int64_t group = d.qHeads / d.kvHeads;
  const bool direct = std::is_same_v<T, float> ? q.dtype == DType::F32 : q.dtype == DType::F64;

  std::vector<int64_t> maskStrides;
  if (mask) maskStrides = broadcastStrides(mask->shape, {d.batch, d.qHeads, d.qSeq, d.kvSeq});
  const bool boolMask = mask && mask->dtype == DType::I1;

  const int64_t qBlocks = (d.qSeq + kQueryBlock - 1) / kQueryBlock;
  const int64_t tasks = d.batch * d.qHeads * qBlocks;
  const T negInf = -std::numeric_limits<T>::infinity();
  const T nan = std::numeric_limits<T>::quiet_NaN();

  ctx.pool.parallelFor(tasks, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> qf(kQueryBlock * d.dqk), s(kQueryBlock * kKeyBlock),
        acc(kQueryBlock * d.dv), rowMax(kQueryBlock), rowSum(kQueryBlock);
    std::vector<T> kf, vf;
    if (!direct) {
      kf.resize(kKeyBlock * d.dqk);
      vf.resize(kKeyBlock * d.dv);
    }
    for (int64_t t = begin; t < end; ++t) {
      int64_t qb = t % qBlocks, bh = t / qBlocks;
      int64_t h = bh % d.qHeads, b = bh / d.qHeads;
      int64_t kvh = h / group;
      int64_t q0 = qb * kQueryBlock, rows = std::min(kQueryBlock, d.qSeq - q0);
      int64_t qBase = ((b * d.qHeads + h) * d.qSeq + q0) * d.dqk;
      int64_t kBase = (b * d.kvHeads + kvh) * d.kvSeq * d.dqk;
      int64_t vBase = (b * d.kvHeads + kvh) * d.kvSeq * d.dv;
      loadRow(q, qBase, rows * d.dqk, qf.data());
      for (int64_t i = 0; i < rows * d.dqk; ++i) qf[i] *= scale;
      std::fill(acc.begin(), acc.begin() + rows * d.dv, T(0));
      std::fill(rowMax.begin(), rowMax.end(), negInf);
      std::fill(rowSum.begin(), rowSum.end(), T(0));

      // Keys any query of the block may see.
      int64_t jBegin = 0, jEnd = d.kvSeq;
      if (causal) jEnd = std::clamp<int64_t>(q0 + rows - 1 + past + 1, 0, d.kvSeq);
      if (window) jBegin = std::clamp<int64_t>(q0 + past - *window, 0, d.kvSeq);

      for (int64_t j0 = jBegin; j0 < jEnd; j0 += kKeyBlock) {
        int64_t cols = std::min(kKeyBlock, jEnd - j0);
        const T *kb, *vb;
        if (direct) {
          kb = k.as<T>() + kBase + j0 * d.dqk;
          vb = v.as<T>() + vBase + j0 * d.dv;
        } else {
          loadRow(k, kBase + j0 * d.dqk, cols * d.dqk, kf.data());
          loadRow(v, vBase + j0 * d.dv, cols * d.dv, vf.data());
          kb = kf.data();
          vb = vf.data();
        }
        for (int64_t i = 0; i < rows; ++i) {
          T *si = s.data() + i * kKeyBlock;
          const T *qi = qf.data() + i * d.dqk;
          int64_t qi_abs = q0 + i;
          for (int64_t j = 0; j < cols; ++j) si[j] = dot(qi, kb + j * d.dqk, d.dqk);
          if (softcap > 0)
            for (int64_t j = 0; j < cols; ++j) si[j] = softcap * std::tanh(si[j] / softcap);
          if (mask) {
            int64_t base = b * maskStrides[0] + h * maskStrides[1] + qi_abs * maskStrides[2];
            int64_t js = maskStrides[3];
            if (boolMask) {
              const uint8_t *mp = mask->as<uint8_t>();
              for (int64_t j = 0; j < cols; ++j)
                if (!mp[base + (j0 + j) * js]) si[j] = negInf;
            } else {
              for (int64_t j = 0; j < cols; ++j)
                si[j] += std::is_same_v<T, double>
                             ? static_cast<T>(loadAsDouble(*mask, base + (j0 + j) * js))
                             : static_cast<T>(loadF32(mask->data, mask->dtype, base + (j0 + j) * js));
            }
          }
          if (causal) {
            int64_t last = qi_abs + past;  // keys j > last are hidden
            for (int64_t j = std::max<int64_t>(0, last + 1 - j0); j < cols; ++j) si[j] = negInf;
          }
          if (window) {
            int64_t first = qi_abs + past - *window;  // keys j < first are hidden
            for (int64_t j = 0; j < std::min<int64_t>(cols, first - j0); ++j) si[j] = negInf;
          }
          // Online softmax update.
          T blockMax = negInf;
          for (int64_t j = 0; j < cols; ++j) blockMax = std::max(blockMax, si[j]);
          T newMax = std::max(rowMax[i], blockMax);
          if (newMax == negInf) continue;  // nothing visible yet
          T alpha = std::exp(rowMax[i] - newMax);
          T sum = 0;
          for (int64_t j = 0; j < cols; ++j) {
            si[j] = std::exp(si[j] - newMax);
            sum += si[j];
          }
          rowSum[i] = rowSum[i] * alpha + sum;
          rowMax[i] = newMax;
          T *ai = acc.data() + i * d.dv;
          if (alpha != T(1))
            for (int64_t c = 0; c < d.dv; ++c) ai[c] *= alpha;
          for (int64_t j = 0; j < cols; ++j) {
            T p = si[j];
            if (p == T(0)) continue;
            const T *vj = vb + j * d.dv;
            for (int64_t c = 0; c < d.dv; ++c) ai[c] += p * vj[c];
          }
        }
      }
      // Rows that saw no key at all give NaN (0 / 0), as the op defines.
      for (int64_t i = 0; i < rows; ++i) {
        T inv = T(1) / rowSum[i];
        T *ai = acc.data() + i * d.dv;
        if (rowSum[i] == T(0))
          std::fill(ai, ai + d.dv, nan);
        else
          for (int64_t c = 0; c < d.dv; ++c) ai[c] *= inv;
      }
      storeRow(out, ((b * d.qHeads + h) * d.qSeq + q0) * d.dv, rows * d.dv, acc.data());
    }
  });
}

void attentionRun(KernelContext &ctx) {
  AttentionDims d = attentionDims(ctx);
  if (ctx.inputs[0].dtype == DType::F64)
    attentionCompute<double>(ctx, d);
  else
    attentionCompute<float>(ctx, d);
}

// ---- rope ------------------------------------------------------------------------------------

struct RopeDims {
  int64_t batch, heads, seq, dim, rotary, width;
  bool interleaved;
  bool positions;
};

template <class Ctx>
RopeDims ropeDims(const Ctx &ctx) {
  const TensorView &x = ctx.inputs[0], &cos = ctx.inputs[1], &sin = ctx.inputs[2];
  if (x.shape.size() != 4)
    ctx.fail("input must be 4-D [batch, heads, seq, head_dim], got shape " + shapeToString(x.shape));
  for (int i = 0; i < 3; ++i)
    if (!isFloat(ctx.inputs[i].dtype))
      ctx.fail(std::string(i == 0 ? "input" : i == 1 ? "cos" : "sin") +
               " must have a float element type, got " + dtypeName(ctx.inputs[i].dtype));
  RopeDims d;
  d.batch = x.shape[0];
  d.heads = x.shape[1];
  d.seq = x.shape[2];
  d.dim = x.shape[3];
  std::string style = attrString(ctx.step, "style", "rotate_half");
  if (style != "rotate_half" && style != "interleaved")
    ctx.fail("style must be 'rotate_half' or 'interleaved', got '" + style + "'");
  d.interleaved = style == "interleaved";
  d.rotary = optionalInt(ctx.step, "rotary_dim").value_or(d.dim);
  if (d.rotary <= 0 || d.rotary % 2 != 0 || d.rotary > d.dim)
    ctx.fail("rotary dim " + std::to_string(d.rotary) +
             " must be positive, even and at most the head dim " + std::to_string(d.dim));
  if (cos.shape != sin.shape)
    ctx.fail("cos and sin shapes differ: " + shapeToString(cos.shape) + " and " +
             shapeToString(sin.shape));
  if (cos.shape.empty()) ctx.fail("cos/sin must not be scalars");
  d.width = cos.shape.back();
  if (d.width != d.rotary / 2 && d.width != d.rotary)
    ctx.fail("cos/sin width " + std::to_string(d.width) + " must be half the rotary dim (" +
             std::to_string(d.rotary / 2) + ") or the rotary dim (" + std::to_string(d.rotary) + ")");
  d.positions = ctx.inputs.size() > 3 && ctx.inputs[3].present;
  if (d.positions) {
    const TensorView &p = ctx.inputs[3];
    if (cos.shape.size() != 2)
      ctx.fail("with position_ids, cos/sin must be 2-D [max_position, width], got shape " +
               shapeToString(cos.shape));
    if (isFloat(p.dtype) || p.shape.size() != 2 || !broadcastsTo(p.shape, {d.batch, d.seq}))
      ctx.fail("position_ids of shape " + shapeToString(p.shape) + " (" + dtypeName(p.dtype) +
               ") must be integers, 2-D and broadcast to [batch, seq] = " +
               shapeToString({d.batch, d.seq}));
  } else {
    Shape lead(cos.shape.begin(), cos.shape.end() - 1);
    if ((lead.size() != 1 && lead.size() != 2) || !broadcastsTo(lead, {d.batch, d.seq}))
      ctx.fail("cos/sin of shape " + shapeToString(cos.shape) +
               " must be [seq, width] or [batch, seq, width] broadcasting to the input's "
               "[batch, seq] = " + shapeToString({d.batch, d.seq}));
  }
  return d;
}

void ropeShape(ShapeContext &ctx) {
  ropeDims(ctx);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

// Rotates the first R features of one row in place; c, n are the row's cos/sin (width W).
template <class T>
void rotateRow(T *x, const T *c, const T *n, int64_t rotary, int64_t width, bool interleaved,
               T *tmp) {
  int64_t half = rotary / 2;
  bool full = width == rotary;
  if (interleaved) {
    for (int64_t i = 0; i < half; ++i) {
      T a = x[2 * i], b = x[2 * i + 1];
      T c0 = full ? c[2 * i] : c[i], n0 = full ? n[2 * i] : n[i];
      T c1 = full ? c[2 * i + 1] : c[i], n1 = full ? n[2 * i + 1] : n[i];
      x[2 * i] = a * c0 - b * n0;
      x[2 * i + 1] = b * c1 + a * n1;
    }
    return;
  }
  std::copy(x, x + rotary, tmp);
  for (int64_t i = 0; i < half; ++i) {
    T a = tmp[i], b = tmp[i + half];
    T c0 = c[i], n0 = n[i];
    T c1 = full ? c[i + half] : c[i], n1 = full ? n[i + half] : n[i];
    x[i] = a * c0 - b * n0;
    x[i + half] = b * c1 + a * n1;
  }
}

template <class T>
void ropeCompute(KernelContext &ctx, const RopeDims &d) {
  const TensorView &x = ctx.inputs[0], &cos = ctx.inputs[1], &sin = ctx.inputs[2];
  const TensorView &out = ctx.outputs[0];
  const TensorView *pos = d.positions ? &ctx.inputs[3] : nullptr;
  int64_t tableRows = cos.shape.size() >= 2 ? cos.shape[cos.shape.size() - 2] : 1;
  // Broadcast strides of the table's (or positions') [batch, seq] lead dims.
  Shape lead = pos ? pos->shape : Shape(cos.shape.begin(), cos.shape.end() - 1);
  std::vector<int64_t> leadStrides = broadcastStrides(lead, {d.batch, d.seq});
  if (pos) {
    // Check every position once, before any thread starts.
    for (int64_t i = 0; i < pos->numel(); ++i) {
      int64_t p = loadAsInt(*pos, i);
      if (p < 0 || p >= tableRows)
        ctx.fail("position_ids element " + std::to_string(i) + " = " + std::to_string(p) +
                 " is outside the cos/sin table of " + std::to_string(tableRows) + " rows");
    }
  }
  int64_t rowsTotal = d.batch * d.heads * d.seq;
  ctx.pool.parallelFor(rowsTotal, 64, [&](int64_t begin, int64_t end) {
    std::vector<T> row(d.dim), c(d.width), n(d.width), tmp(d.rotary);
    for (int64_t r = begin; r < end; ++r) {
      int64_t s = r % d.seq, b = r / (d.seq * d.heads);
      int64_t leadIndex = b * leadStrides[0] + s * leadStrides[1];
      int64_t tableRow = pos ? loadAsInt(*pos, leadIndex) : leadIndex;
      loadRow(x, r * d.dim, d.dim, row.data());
      loadRow(cos, tableRow * d.width, d.width, c.data());
      loadRow(sin, tableRow * d.width, d.width, n.data());
      rotateRow(row.data(), c.data(), n.data(), d.rotary, d.width, d.interleaved, tmp.data());
      storeRow(out, r * d.dim, d.dim, row.data());
    }
  });
}

void ropeRun(KernelContext &ctx) {
  RopeDims d = ropeDims(ctx);
  if (ctx.outputs[0].numel() == 0) return;
  if (ctx.inputs[0].dtype == DType::F64)
    ropeCompute<double>(ctx, d);
  else
    ropeCompute<float>(ctx, d);
}

}  // namespace

void registerCpuAttentionKernels(KernelRegistry &registry) {
  registry.add("attention", {attentionShape, attentionRun});
  registry.add("rope", {ropeShape, ropeRun});
}

}  // namespace ds::rt::cpu
