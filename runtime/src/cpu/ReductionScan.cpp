// cpu backend: cumsum (inclusive/exclusive, forward/reverse) and topk along one axis.
#include "ReductionCommon.h"

#include <numeric>

namespace ds::rt::reduction {
namespace {

//===----------------------------------------------------------------------===//
// cumsum
//===----------------------------------------------------------------------===//

void cumsumShape(ShapeContext &ctx) {
  expectOperands(ctx, 1, 1);
  axisAttr(ctx, "axis", 0);
  if (ctx.inputs[0].dtype == DType::I1) ctx.fail("cumsum is not defined on i1 elements");
  expectOutputType(ctx, 0, ctx.inputs[0].dtype);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

// Running sums in fp32 (f64 for f64; the running sum is rounded to the output type at
// each position); integers wrap in 64 bits and are truncated to their type on store.
template <class C> void cumsumLines(KernelContext &ctx, AxisSplit s, bool exclusive, bool reverse) {
  using A = std::conditional_t<kIsFloat<C>, C, uint64_t>;
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  bool direct = s.inner == 1 && storedAs<C>(in.dtype) && storedAs<C>(out.dtype);
  int64_t n = s.size;
  ctx.pool.parallelFor(s.lines(), grainFor(n), [&](int64_t begin, int64_t end) {
    std::vector<C> buffer(direct ? 0 : static_cast<size_t>(n));
    for (int64_t l = begin; l < end; ++l) {
      int64_t start = s.lineStart(l);
      const C *x = buffer.data();
      C *y = buffer.data();
      if (direct) {
        x = static_cast<const C *>(in.data) + start;
        y = static_cast<C *>(out.data) + start;
      } else {
        loadLine<C>(in, start, s.inner, n, buffer.data());
      }
      A acc = 0;
      for (int64_t k = 0; k < n; ++k) {
        int64_t j = reverse ? n - 1 - k : k;
        A v;
        if constexpr (kIsFloat<C>) v = x[j];
        else if constexpr (std::is_signed_v<C>) v = static_cast<A>(static_cast<int64_t>(x[j]));
        else v = static_cast<A>(x[j]);
        if (exclusive) {
          y[j] = static_cast<C>(acc);
          acc += v;
        } else {
          acc += v;
          y[j] = static_cast<C>(acc);
        }
      }
      if (!direct) storeLine<C>(out, start, s.inner, n, buffer.data());
    }
  });
}

void cumsumRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  int64_t rank = static_cast<int64_t>(in.shape.size());
  int64_t axis = normalizeAxis(attrInt(ctx.step, "axis"), rank);
  if (axis < 0)
    ctx.fail("attribute 'axis' = " + std::to_string(attrInt(ctx.step, "axis")) +
             " is out of range for rank " + std::to_string(rank));
  AxisSplit s = splitAt(in.shape, axis);
  if (s.lines() == 0 || s.size == 0) return;
  bool exclusive = attrBool(ctx.step, "exclusive", false);
  bool reverse = attrBool(ctx.step, "reverse", false);
  dispatchCompute(in.dtype, [&](auto tag) {
    cumsumLines<decltype(tag)>(ctx, s, exclusive, reverse);
  });
}

//===----------------------------------------------------------------------===//
// topk
//===----------------------------------------------------------------------===//

void topkShape(ShapeContext &ctx) {
  expectOperands(ctx, 1, 1);
  const TensorView &in = ctx.inputs[0];
  int64_t axis = axisAttr(ctx, "axis", -1);
  int64_t k = attrInt(ctx.step, "k");
  if (in.dtype == DType::I1) ctx.fail("topk is not defined on i1 elements");
  if (k < 0) ctx.fail("k must be non-negative, got " + std::to_string(k));
  if (k > in.shape[axis])
    ctx.fail("k = " + std::to_string(k) + " exceeds the size " +
             std::to_string(in.shape[axis]) + " of axis " + std::to_string(axis) +
             " of input 0 (shape " + shapeToString(in.shape) + ")");
  Shape out = in.shape;
  out[axis] = k;
  expectOutputType(ctx, 0, in.dtype);
  expectOutputType(ctx, 1, DType::I64);
  ctx.outputShapes = {out, out};
}

// a ranks above b: NaN above everything (numpy's sort order, which the ONNX reference
// uses), otherwise by value.
template <class C> inline bool ranksAbove(C a, C b) {
  if constexpr (kIsFloat<C>) {
    if (a != a) return b == b;
    if (b != b) return false;
  }
  return a > b;
}

template <class C> void topkLines(KernelContext &ctx, AxisSplit s, int64_t k, bool largest) {
  const TensorView &in = ctx.inputs[0], &values = ctx.outputs[0];
  int64_t *indices = ctx.outputs[1].as<int64_t>();
  int64_t n = s.size;
  // nth_element + sort of the k first is O(n + k log k); a full sort when k is close to n.
  bool select = k * 4 < n;
  ctx.pool.parallelFor(s.lines(), grainFor(4 * n), [&](int64_t begin, int64_t end) {
    std::vector<C> line(static_cast<size_t>(n)), picked(static_cast<size_t>(k));
    std::vector<int64_t> order(static_cast<size_t>(n));
    const C *v = line.data();
    // Equal values (and NaNs) keep the lower index first.
    auto first = [&](int64_t a, int64_t b) {
      bool above = largest ? ranksAbove(v[a], v[b]) : ranksAbove(v[b], v[a]);
      bool below = largest ? ranksAbove(v[b], v[a]) : ranksAbove(v[a], v[b]);
      return above || (!below && a < b);
    };
    for (int64_t l = begin; l < end; ++l) {
      loadLine<C>(in, s.lineStart(l), s.inner, n, line.data());
      std::iota(order.begin(), order.end(), int64_t(0));
      if (select) {
        std::nth_element(order.begin(), order.begin() + k, order.end(), first);
        std::sort(order.begin(), order.begin() + k, first);
      } else {
        std::sort(order.begin(), order.end(), first);
      }
      int64_t outStart = (l / s.inner) * k * s.inner + l % s.inner;
      for (int64_t j = 0; j < k; ++j) {
        picked[j] = v[order[j]];
        indices[outStart + j * s.inner] = order[j];
      }
      storeLine<C>(values, outStart, s.inner, k, picked.data());
    }
  });
}

void topkRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  int64_t rank = static_cast<int64_t>(in.shape.size());
  int64_t axis = normalizeAxis(attrInt(ctx.step, "axis", -1), rank);
  if (axis < 0)
    ctx.fail("attribute 'axis' = " + std::to_string(attrInt(ctx.step, "axis", -1)) +
             " is out of range for rank " + std::to_string(rank));
  int64_t k = attrInt(ctx.step, "k");
  AxisSplit s = splitAt(in.shape, axis);
  if (k < 0 || k > s.size)
    ctx.fail("k = " + std::to_string(k) + " is out of range for axis " +
             std::to_string(axis) + " of size " + std::to_string(s.size));
  if (k == 0 || s.lines() == 0) return;
  bool largest = attrBool(ctx.step, "largest", true);
  dispatchCompute(in.dtype, [&](auto tag) { topkLines<decltype(tag)>(ctx, s, k, largest); });
}

}  // namespace

void registerScanKernels(KernelRegistry &registry) {
  registry.add("cumsum", {cumsumShape, cumsumRun});
  registry.add("topk", {topkShape, topkRun});
}

}  // namespace ds::rt::reduction
