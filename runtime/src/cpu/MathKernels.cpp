// cpu backend: math kernels. This file holds matmul and linear and registers the whole
// family; attention/rope, moe and the quantization ops live in Attention*.cpp,
// Moe*.cpp and Quant*.cpp, the GEMM engine in Gemm.cpp.
#include "cpu/Gemm.h"

#include <algorithm>
#include <vector>

namespace ds::rt {
namespace cpu {

void requireFloat(const KernelContext &ctx, int input, const char *what) {
  if (!isFloat(ctx.inputs[input].dtype))
    ctx.fail(std::string(what) + " must have a float element type, got " +
             dtypeName(ctx.inputs[input].dtype));
}

namespace {

enum class Compute { F32, F64, Int };

Compute computeKind(DType t) {
  if (t == DType::F64) return Compute::F64;
  if (isFloat(t)) return Compute::F32;
  return Compute::Int;
}

// Output rows [M, N] at element `outOffset` of `out` = A * B (+ bias[N]).
// `pool` null: run on this thread (inside a parallel loop), BLAS off.
void product(int64_t m, int64_t n, int64_t k, const MatView &a, const MatView &b,
             const TensorView *bias, const TensorView &out, int64_t outOffset, ThreadPool *pool) {
  if (m == 0 || n == 0) return;
  GemmOptions options;
  options.pool = pool;
  options.allowBlas = pool != nullptr;
  options.accumulate = bias != nullptr;
  switch (computeKind(out.dtype)) {
  case Compute::F32: {
    std::vector<float> temp;
    float *c;
    if (out.dtype == DType::F32) {
      c = out.as<float>() + outOffset;
    } else {
      temp.resize(static_cast<size_t>(m * n));
      c = temp.data();
    }
    if (bias) {
      std::vector<float> row(static_cast<size_t>(n));
      loadRowF32(bias->data, bias->dtype, 0, n, row.data());
      for (int64_t i = 0; i < m; ++i) std::copy(row.begin(), row.end(), c + i * n);
    }
    gemmF32(m, n, k, a, b, c, n, options);
    if (out.dtype != DType::F32) storeRowF32(out.data, out.dtype, outOffset, m * n, c);
    return;
  }
  case Compute::F64: {
    double *c = out.as<double>() + outOffset;
    if (bias)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) c[i * n + j] = loadAsDouble(*bias, j);
    gemmF64(m, n, k, a, b, c, n, options);
    return;
  }
  case Compute::Int: {
    std::vector<int64_t> c(static_cast<size_t>(m * n));
    if (bias)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) c[i * n + j] = loadAsInt(*bias, j);
    gemmI64(m, n, k, a, b, c.data(), n, options);
    for (int64_t i = 0; i < m * n; ++i) storeFromInt(out, outOffset + i, c[i]);
    return;
  }
  }
}

// ---- matmul --------------------------------------------------------------------------------

// Operand geometry after numpy's 1-D promotion.
struct MatmulDims {
  Shape batch;            // broadcast batch dims
  Shape lhsBatch, rhsBatch;
  int64_t m = 0, n = 0, k = 0;
  bool lhsVector = false, rhsVector = false;
  bool transA = false, transB = false;
};

template <class Ctx>
MatmulDims matmulDims(const Ctx &ctx) {
  const Shape &ls = ctx.inputs[0].shape, &rs = ctx.inputs[1].shape;
  MatmulDims d;
  if (ls.empty() || rs.empty())
    ctx.fail("matmul operands must have rank >= 1, got shapes " + shapeToString(ls) + " and " +
             shapeToString(rs));
  d.lhsVector = ls.size() == 1;
  d.rhsVector = rs.size() == 1;
  // A transpose of a promoted vector is meaningless; numpy ignores it too.
  d.transA = !d.lhsVector && attrBool(ctx.step, "transpose_a");
  d.transB = !d.rhsVector && attrBool(ctx.step, "transpose_b");
  int64_t lr = static_cast<int64_t>(ls.size()), rr = static_cast<int64_t>(rs.size());
  int64_t ka;
  if (d.lhsVector) {
    d.m = 1;
    ka = ls[0];
  } else {
    d.m = ls[d.transA ? lr - 1 : lr - 2];
    ka = ls[d.transA ? lr - 2 : lr - 1];
    d.lhsBatch.assign(ls.begin(), ls.end() - 2);
  }
  int64_t kb;
  if (d.rhsVector) {
    d.n = 1;
    kb = rs[0];
  } else {
    kb = rs[d.transB ? rr - 1 : rr - 2];
    d.n = rs[d.transB ? rr - 2 : rr - 1];
    d.rhsBatch.assign(rs.begin(), rs.end() - 2);
  }
  if (ka != kb)
    ctx.fail("contraction dims differ: lhs " + shapeToString(ls) +
             (d.transA ? " (transposed)" : "") + " has K = " + std::to_string(ka) + ", rhs " +
             shapeToString(rs) + (d.transB ? " (transposed)" : "") + " has K = " +
             std::to_string(kb));
  d.k = ka;
  size_t rank = std::max(d.lhsBatch.size(), d.rhsBatch.size());
  d.batch.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i + d.lhsBatch.size() >= rank ? d.lhsBatch[i + d.lhsBatch.size() - rank] : 1;
    int64_t r = i + d.rhsBatch.size() >= rank ? d.rhsBatch[i + d.rhsBatch.size() - rank] : 1;
    if (l != r && l != 1 && r != 1)
      ctx.fail("batch dims do not broadcast: lhs " + shapeToString(ls) + " and rhs " +
               shapeToString(rs));
    d.batch[i] = l == 1 ? r : l;
  }
  return d;
}

Shape matmulOutputShape(const MatmulDims &d) {
  Shape out = d.batch;
  if (!d.lhsVector) out.push_back(d.m);
  if (!d.rhsVector) out.push_back(d.n);
  return out;
}

void matmulShape(ShapeContext &ctx) {
  if (ctx.inputs[0].dtype != ctx.inputs[1].dtype)
    ctx.fail(std::string("operands have different element types: ") +
             dtypeName(ctx.inputs[0].dtype) + " and " + dtypeName(ctx.inputs[1].dtype));
  ctx.outputShapes = {matmulOutputShape(matmulDims(ctx))};
}

// Element offset of each output batch's matrix in an operand with batch dims `own`.
std::vector<int64_t> batchOffsets(const Shape &batch, const Shape &own, int64_t matrixSize) {
  int64_t count = numElements(batch);
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  size_t rank = batch.size(), lead = rank - own.size();
  // Strides of `own` aligned to the broadcast dims; 0 where broadcast.
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = matrixSize;
  for (size_t i = own.size(); i-- > 0;) {
    strides[lead + i] = own[i] == 1 ? 0 : stride;
    stride *= own[i];
  }
  for (int64_t idx = 0; idx < count; ++idx) {
    int64_t rest = idx, off = 0;
    for (size_t i = rank; i-- > 0;) {
      off += (rest % batch[i]) * strides[i];
      rest /= batch[i];
    }
    offsets[idx] = off;
  }
  return offsets;
}

void matmulRun(KernelContext &ctx) {
  MatmulDims d = matmulDims(ctx);
  const TensorView &lhs = ctx.inputs[0], &rhs = ctx.inputs[1], &out = ctx.outputs[0];
  if (out.numel() == 0) return;
  int64_t batches = numElements(d.batch);
  int64_t m = d.m, n = d.n, k = d.k;
  // Views of one batch's matrices (a promoted lhs vector is a 1 x K row, a promoted rhs
  // vector a K x 1 column).
  MatView a = d.lhsVector ? MatView::rowMajor(lhs.data, lhs.dtype, k)
                          : MatView::rowMajor(lhs.data, lhs.dtype, d.transA ? m : k, d.transA);
  MatView b = d.rhsVector ? MatView{rhs.data, rhs.dtype, 1, 1}
                          : MatView::rowMajor(rhs.data, rhs.dtype, d.transB ? k : n, d.transB);
  std::vector<int64_t> aOff = batchOffsets(d.batch, d.lhsBatch, m * k);
  std::vector<int64_t> bOff = batchOffsets(d.batch, d.rhsBatch, k * n);

  // A weight shared by every batch, with a plain lhs whose batches are consecutive: one
  // product with batches * M rows.
  bool sharedB = numElements(d.rhsBatch) == 1;
  if (batches == 1 || (sharedB && !d.transA && numElements(d.lhsBatch) == batches)) {
    product(batches * m, n, k, a, b, nullptr, out, 0, &ctx.pool);
    return;
  }
  double flops = 2.0 * m * n * k;
  if (flops >= 2.0 * 96 * 96 * 96 || batches < ctx.pool.size()) {
    for (int64_t i = 0; i < batches; ++i)
      product(m, n, k, a.offset(aOff[i]), b.offset(bOff[i]), nullptr, out, i * m * n,
              &ctx.pool);
    return;
  }
  // Many small products (attention-like): one thread per batch, no per-call threading.
  ctx.pool.parallelFor(batches, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      product(m, n, k, a.offset(aOff[i]), b.offset(bOff[i]), nullptr, out, i * m * n, nullptr);
  });
}

// ---- linear --------------------------------------------------------------------------------

void linearDims(const StepDesc &step, const std::vector<TensorView> &in, int64_t &k, int64_t &n,
                bool &transW, const std::function<void(const std::string &)> &fail) {
  const Shape &xs = in[0].shape, &ws = in[1].shape;
  if (xs.empty()) fail("input must have rank >= 1, got a scalar");
  if (ws.size() != 2) fail("weight must be 2-D, got shape " + shapeToString(ws));
  transW = attrBool(step, "transpose_w");
  k = xs.back();
  int64_t wk = ws[transW ? 1 : 0];
  n = ws[transW ? 0 : 1];
  if (wk != k)
    fail("input " + shapeToString(xs) + " has K = " + std::to_string(k) + " but weight " +
         shapeToString(ws) + (transW ? " (transposed)" : "") + " has K = " +
         std::to_string(wk));
  if (in[1].dtype != in[0].dtype)
    fail(std::string("input and weight have different element types: ") +
         dtypeName(in[0].dtype) + " and " + dtypeName(in[1].dtype));
  if (in.size() > 2 && in[2].present) {
    if (in[2].shape != Shape{n})
      fail("bias must have shape [" + std::to_string(n) + "], got " +
           shapeToString(in[2].shape));
  }
}

void linearShape(ShapeContext &ctx) {
  int64_t k, n;
  bool transW;
  linearDims(ctx.step, ctx.inputs, k, n, transW, [&](const std::string &m) { ctx.fail(m); });
  Shape out = ctx.inputs[0].shape;
  out.back() = n;
  ctx.outputShapes = {out};
}

void linearRun(KernelContext &ctx) {
  int64_t k, n;
  bool transW;
  linearDims(ctx.step, ctx.inputs, k, n, transW, [&](const std::string &m) { ctx.fail(m); });
  const TensorView &x = ctx.inputs[0], &w = ctx.inputs[1], &out = ctx.outputs[0];
  int64_t m = k == 0 ? numElements(Shape(x.shape.begin(), x.shape.end() - 1)) : x.numel() / k;
  const TensorView *bias = ctx.inputs.size() > 2 && ctx.inputs[2].present ? &ctx.inputs[2] : nullptr;
  product(m, n, k, MatView::rowMajor(x.data, x.dtype, k),
          MatView::rowMajor(w.data, w.dtype, transW ? k : n, transW), bias, out, 0, &ctx.pool);
}

}  // namespace
}  // namespace cpu

void registerCpuMathKernels(KernelRegistry &registry) {
  registry.add("matmul", {cpu::matmulShape, cpu::matmulRun});
  registry.add("linear", {cpu::linearShape, cpu::linearRun});
  cpu::registerCpuAttentionKernels(registry);
  cpu::registerCpuMoeKernels(registry);
  cpu::registerCpuQuantKernels(registry);
}

}  // namespace ds::rt
