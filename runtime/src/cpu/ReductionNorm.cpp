// cpu backend: layer_norm and rms_norm over the trailing axes [axis, rank). Statistics
// in fp32 (f64 for f64 inputs); scale and bias broadcast against the normalized dims.
#include "ReductionCommon.h"

namespace ds::rt::reduction {
namespace {

Shape trailingDims(const Shape &shape, int64_t axis) {
  return Shape(shape.begin() + axis, shape.end());
}

// Checks that operand i (scale or bias) is a float tensor broadcasting to the
// normalized dims (right-aligned, each dim equal or 1, rank not above theirs).
void checkParam(const ShapeContext &ctx, size_t i, const char *name, const Shape &trailing) {
  const TensorView &p = ctx.inputs[i];
  expectFloatInput(ctx, i);
  bool ok = p.shape.size() <= trailing.size();
  for (size_t k = 0; ok && k < p.shape.size(); ++k) {
    int64_t pd = p.shape[p.shape.size() - 1 - k], td = trailing[trailing.size() - 1 - k];
    ok = pd == td || pd == 1;
  }
  if (!ok)
    ctx.fail(std::string(name) + " (operand " + std::to_string(i) + ") of shape " +
             shapeToString(p.shape) + " does not broadcast to the normalized dims " +
             shapeToString(trailing) + " of input 0 (shape " +
             shapeToString(ctx.inputs[0].shape) + ")");
}

template <bool kLayerNorm> void normShape(ShapeContext &ctx) {
  expectOperands(ctx, 2, kLayerNorm ? 3 : 2);
  expectFloatInput(ctx, 0);
  int64_t axis = axisAttr(ctx, "axis", -1);
  Shape trailing = trailingDims(ctx.inputs[0].shape, axis);
  checkParam(ctx, 1, "scale", trailing);
  if (kLayerNorm && ctx.inputs.size() > 2 && ctx.inputs[2].present)
    checkParam(ctx, 2, "bias", trailing);
  expectOutputType(ctx, 0, ctx.inputs[0].dtype);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

// The parameter expanded to one value per normalized element.
template <class C> std::vector<C> expandParam(const TensorView &p, const Shape &trailing) {
  int64_t n = numElements(trailing);
  std::vector<C> out(static_cast<size_t>(n));
  if (p.numel() == n) {  // same dims up to leading units: same layout
    loadLine<C>(p, 0, 1, n, out.data());
    return out;
  }
  std::vector<C> values(static_cast<size_t>(p.numel()));
  loadLine<C>(p, 0, 1, p.numel(), values.data());
  // Stride of each trailing dim inside p (0 where p broadcasts).
  size_t rank = trailing.size(), offset = rank - p.shape.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t k = p.shape.size(); k-- > 0;) {
    strides[offset + k] = p.shape[k] == 1 ? 0 : stride;
    stride *= p.shape[k];
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, src = 0;
    for (size_t d = rank; d-- > 0;) {
      src += (rest % trailing[d]) * strides[d];
      rest /= trailing[d];
    }
    out[i] = values[src];
  }
  return out;
}

template <class C, class RowFn>
void runRows(KernelContext &ctx, int64_t rows, int64_t n, RowFn rowFn) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  bool direct = storedAs<C>(in.dtype) && storedAs<C>(out.dtype);
  ctx.pool.parallelFor(rows, grainFor(4 * n), [&](int64_t begin, int64_t end) {
    std::vector<C> buffer(direct ? 0 : static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      if (direct) {
        rowFn(static_cast<const C *>(in.data) + r * n, static_cast<C *>(out.data) + r * n);
        continue;
      }
      loadLine<C>(in, r * n, 1, n, buffer.data());
      rowFn(buffer.data(), buffer.data());
      storeLine<C>(out, r * n, 1, n, buffer.data());
    }
  });
}

template <class C> void layerNorm(KernelContext &ctx, int64_t axis, C epsilon) {
  const TensorView &in = ctx.inputs[0];
  Shape trailing = trailingDims(in.shape, axis);
  int64_t n = numElements(trailing), rows = in.numel() / std::max<int64_t>(n, 1);
  if (n == 0 || rows == 0) return;
  std::vector<C> scale = expandParam<C>(ctx.inputs[1], trailing);
  bool hasBias = ctx.inputs.size() > 2 && ctx.inputs[2].present;
  std::vector<C> bias = hasBias ? expandParam<C>(ctx.inputs[2], trailing) : std::vector<C>();
  const C *s = scale.data(), *b = bias.data();
  runRows<C>(ctx, rows, n, [&](const C *x, C *y) {
    // Two passes (mean, then squared deviations): no cancellation for large means.
    C mean = sumLine(x, n) / static_cast<C>(n);
    C var = foldLine<C>(
                x, n, C(0), [mean](C a, C v) { return a + (v - mean) * (v - mean); },
                [](C a, C c) { return a + c; }) /
            static_cast<C>(n);
    C inv = C(1) / std::sqrt(var + epsilon);
    if (hasBias)
      for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - mean) * inv * s[j] + b[j];
    else
      for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - mean) * inv * s[j];
  });
}

template <class C> void rmsNorm(KernelContext &ctx, int64_t axis, C epsilon) {
  const TensorView &in = ctx.inputs[0];
  Shape trailing = trailingDims(in.shape, axis);
  int64_t n = numElements(trailing), rows = in.numel() / std::max<int64_t>(n, 1);
  if (n == 0 || rows == 0) return;
  std::vector<C> scale = expandParam<C>(ctx.inputs[1], trailing);
  const C *s = scale.data();
  runRows<C>(ctx, rows, n, [&](const C *x, C *y) {
    C meanSquare = foldLine<C>(
                       x, n, C(0), [](C a, C v) { return a + v * v; },
                       [](C a, C c) { return a + c; }) /
                   static_cast<C>(n);
    C inv = C(1) / std::sqrt(meanSquare + epsilon);
    for (int64_t j = 0; j < n; ++j) y[j] = (x[j] * inv) * s[j];
  });
}

template <bool kLayerNorm> void normRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  int64_t rank = static_cast<int64_t>(in.shape.size());
  int64_t axis = normalizeAxis(attrInt(ctx.step, "axis", -1), rank);
  if (axis < 0)
    ctx.fail("attribute 'axis' = " + std::to_string(attrInt(ctx.step, "axis", -1)) +
             " is out of range for rank " + std::to_string(rank));
  double epsilon = attrFloat(ctx.step, "epsilon", kLayerNorm ? 1e-5 : 1e-6);
  dispatchFloat(in.dtype, [&](auto tag) {
    using C = decltype(tag);
    if constexpr (kLayerNorm) layerNorm<C>(ctx, axis, static_cast<C>(epsilon));
    else rmsNorm<C>(ctx, axis, static_cast<C>(epsilon));
  });
}

}  // namespace

void registerNormKernels(KernelRegistry &registry) {
  registry.add("layer_norm", {normShape<true>, normRun<true>});
  registry.add("rms_norm", {normShape<false>, normRun<false>});
}

}  // namespace ds::rt::reduction
