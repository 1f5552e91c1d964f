// cpu backend: softmax, log_softmax and hardmax along one axis (ONNX opset-13 semantics;
// the importer maps the older flattening forms onto these or onto reduce).
#include "ReductionCommon.h"

namespace ds::rt::reduction {
namespace {

void softmaxLikeShape(ShapeContext &ctx) {
  expectOperands(ctx, 1, 1);
  expectFloatInput(ctx, 0);
  axisAttr(ctx, "axis", -1);
  expectOutputType(ctx, 0, ctx.inputs[0].dtype);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

// Numerically stable: exp(x - max) / sum(exp(x - max)). A NaN anywhere in the line, or
// a line whose max is infinite, gives NaN throughout (as the ONNX reference does).
template <class C> void softmaxLine(const C *x, C *y, int64_t n) {
  C peak = maxLineIgnoringNan(x, n);
  C sum = expShiftedLine(x, y, n, peak);
  for (int64_t i = 0; i < n; ++i) y[i] = y[i] / sum;
}

// (x - max) - log(sum(exp(x - max))).
template <class C> void logSoftmaxLine(const C *x, C *y, int64_t n) {
  C peak = maxLineIgnoringNan(x, n);
  C logSum = std::log(sumExpShiftedLine(x, n, peak));
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - peak) - logSum;
}

// One at the first maximum (the first NaN, if any, as numpy's argmax), zero elsewhere.
template <class C> void hardmaxLine(const C *x, C *y, int64_t n) {
  if (n == 0) return;
  int64_t best = argExtreme<C>(x, n, /*isMax=*/true, /*last=*/false);
  for (int64_t i = 0; i < n; ++i) y[i] = 0;
  y[best] = 1;
}

// Runs lineFn(x, y, n) over every line along the axis: in place on the tensors when the
// axis is innermost and the storage type is the compute type, through a buffer otherwise.
template <class C, class LineFn> void runLines(KernelContext &ctx, int64_t axis, LineFn lineFn) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  AxisSplit s = splitAt(in.shape, axis);
  if (s.lines() == 0 || s.size == 0) return;
  bool direct = s.inner == 1 && storedAs<C>(in.dtype) && storedAs<C>(out.dtype);
  ctx.pool.parallelFor(s.lines(), grainFor(4 * s.size), [&](int64_t begin, int64_t end) {
    std::vector<C> buffer(direct ? 0 : static_cast<size_t>(s.size));
    for (int64_t l = begin; l < end; ++l) {
      int64_t start = s.lineStart(l);
      if (direct) {
        lineFn(static_cast<const C *>(in.data) + start, static_cast<C *>(out.data) + start, s.size);
        continue;
      }
      loadLine<C>(in, start, s.inner, s.size, buffer.data());
      lineFn(buffer.data(), buffer.data(), s.size);
      storeLine<C>(out, start, s.inner, s.size, buffer.data());
    }
  });
}

enum class Kind { Softmax, LogSoftmax, Hardmax };

template <Kind K> void softmaxLikeRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  int64_t rank = static_cast<int64_t>(in.shape.size());
  int64_t axis = normalizeAxis(attrInt(ctx.step, "axis", -1), rank);
  if (axis < 0)
    ctx.fail("attribute 'axis' = " + std::to_string(attrInt(ctx.step, "axis", -1)) +
             " is out of range for rank " + std::to_string(rank));
  if (!isFloat(in.dtype))
    ctx.fail(std::string("operand 0 must have a floating-point type, got ") +
             dtypeName(in.dtype));
  dispatchFloat(in.dtype, [&](auto tag) {
    using C = decltype(tag);
    if constexpr (K == Kind::Softmax)
      runLines<C>(ctx, axis, [](const C *x, C *y, int64_t n) { softmaxLine<C>(x, y, n); });
    else if constexpr (K == Kind::LogSoftmax)
      runLines<C>(ctx, axis, [](const C *x, C *y, int64_t n) { logSoftmaxLine<C>(x, y, n); });
    else
      runLines<C>(ctx, axis, [](const C *x, C *y, int64_t n) { hardmaxLine<C>(x, y, n); });
  });
}

}  // namespace

void registerSoftmaxKernels(KernelRegistry &registry) {
  registry.add("softmax", {softmaxLikeShape, softmaxLikeRun<Kind::Softmax>});
  registry.add("log_softmax", {softmaxLikeShape, softmaxLikeRun<Kind::LogSoftmax>});
  registry.add("hardmax", {softmaxLikeShape, softmaxLikeRun<Kind::Hardmax>});
}

}  // namespace ds::rt::reduction
