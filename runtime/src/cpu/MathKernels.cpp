// cpu backend: math kernels. This file holds matmul and linear and registers the whole
// family; attention/rope, moe and the quantization ops live in Attention*.cpp,
// Moe*.cpp and Quant*.cpp, the GEMM engine in Gemm.cpp.
#include "cpu/ElementwiseProgram.h"
#include "cpu/Gemm.h"

#include <algorithm>
#include <memory>
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

// Rows of a product: `rows` rows of A (from `a`) times B, stored from output row
// `firstRow` on (output rows of all segments have N elements).
struct ProductSegment {
  MatView a, b;
  int64_t rows = 0;
  int64_t firstRow = 0;
};

struct ProductPlan {
  std::vector<ProductSegment> segments;
  int64_t n = 0, k = 0;
  const TensorView *bias = nullptr;
  // Many small products: one thread per segment, no threading inside a product.
  bool parallelSegments = false;
};

ProductPlan planMatmul(const KernelContext &ctx, const MatmulDims &d) {
  const TensorView &lhs = ctx.inputs[0], &rhs = ctx.inputs[1];
  int64_t batches = numElements(d.batch);
  int64_t m = d.m, n = d.n, k = d.k;
  ProductPlan plan;
  plan.n = n;
  plan.k = k;
  // Views of one batch's matrices (a promoted lhs vector is a 1 x K row, a promoted rhs
  // vector a K x 1 column).
  MatView a = d.lhsVector ? MatView::rowMajor(lhs.data, lhs.dtype, k)
                          : MatView::rowMajor(lhs.data, lhs.dtype, d.transA ? m : k, d.transA);
  MatView b = d.rhsVector ? MatView{rhs.data, rhs.dtype, 1, 1}
                          : MatView::rowMajor(rhs.data, rhs.dtype, d.transB ? k : n, d.transB);

  // A weight shared by every batch, with a plain lhs whose batches are consecutive: one
  // product with batches * M rows.
  bool sharedB = numElements(d.rhsBatch) == 1;
  if (batches == 1 || (sharedB && !d.transA && numElements(d.lhsBatch) == batches)) {
    plan.segments.push_back({a, b, batches * m, 0});
    return plan;
  }
  std::vector<int64_t> aOff = batchOffsets(d.batch, d.lhsBatch, m * k);
  std::vector<int64_t> bOff = batchOffsets(d.batch, d.rhsBatch, k * n);
  for (int64_t i = 0; i < batches; ++i)
    plan.segments.push_back({a.offset(aOff[i]), b.offset(bOff[i]), m, i * m});
  double flops = 2.0 * m * n * k;
  // Many small products (attention-like): one thread per batch, no per-call threading.
  plan.parallelSegments = !(flops >= 2.0 * 96 * 96 * 96 || batches < ctx.pool.size());
  return plan;
}

void runProductPlan(KernelContext &ctx, const ProductPlan &plan, const TensorView &out) {
  int64_t n = plan.n, k = plan.k;
  if (!plan.parallelSegments) {
    for (const ProductSegment &seg : plan.segments)
      product(seg.rows, n, k, seg.a, seg.b, plan.bias, out, seg.firstRow * n, &ctx.pool);
    return;
  }
  ctx.pool.parallelFor(static_cast<int64_t>(plan.segments.size()), 1,
                       [&](int64_t begin, int64_t end) {
                         for (int64_t i = begin; i < end; ++i) {
                           const ProductSegment &seg = plan.segments[i];
                           product(seg.rows, n, k, seg.a, seg.b, plan.bias, out,
                                   seg.firstRow * n, nullptr);
                         }
                       });
}

// ---- epilogues (docs/bundle.md "Epilogues") --------------------------------------------------

bool hasEpilogue(const StepDesc &step) { return step.attrs.contains("epilogue"); }

// Register 0's dtype: the product's result type as the compiler recorded it.
template <class Ctx>
DType epilogueProductType(const Ctx &ctx, DType fallback) {
  const nlohmann::json &epilogue = ctx.step.attrs.at("epilogue");
  if (!epilogue.is_object()) ctx.fail("attribute 'epilogue' is not an object");
  auto it = epilogue.find("product_dtype");
  if (it == epilogue.end()) return fallback;
  if (!it->is_string()) ctx.fail("epilogue: 'product_dtype' is not a dtype name");
  auto t = parseDType(it->template get<std::string>());
  if (!t) ctx.fail("epilogue: unknown product_dtype '" + it->template get<std::string>() + "'");
  return *t;
}

// Every output has the product's shape broadcast with the extra inputs: the product's
// own, except where ds-form-kernels could not prove it with dynamic dims.
void epilogueShape(ShapeContext &ctx, size_t firstExtra, const Shape &productShape) {
  Shape out = productShape;
  for (size_t i = firstExtra; i < ctx.inputs.size(); ++i) {
    Shape b;
    if (!ew::broadcastShapes(out, ctx.inputs[i].shape, b))
      ctx.fail("epilogue input " + std::to_string(i) + " of shape " +
               shapeToString(ctx.inputs[i].shape) + " does not broadcast with the product's shape " +
               shapeToString(out));
    out = b;
  }
  ctx.outputShapes.assign(ctx.outputTypes.size(), out);
}

bool bytesOverlap(const TensorView &a, const TensorView &b) {
  if (!a.data || !b.data || a.bytes() == 0 || b.bytes() == 0) return false;
  auto a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a0 < b0 + b.bytes() && b0 < a0 + a.bytes();
}

// Product rows per block: the block's values (in scratch) are still in cache when the
// epilogue reads them; at least 64 rows so that packing B costs little per block.
constexpr int64_t kEpilogueBlockElements = int64_t(1) << 18;
constexpr int64_t kEpilogueMinBlockRows = 256;

// Runs a product with its epilogue program: block by block (each product block into a
// scratch buffer, then the program over the block's output rows), or, when an output
// overlaps the product's operands or the output is larger than the product, the whole
// product into a temporary and then the program as an elementwise step.
void runWithEpilogue(KernelContext &ctx, size_t firstExtra, const Shape &productShape,
                     const ProductPlan &plan) {
  auto fail = [&](const std::string &m) { ctx.fail(m); };
  DType productType = epilogueProductType(ctx, ctx.inputs[0].dtype);
  std::vector<TensorView> inputs{TensorView{productType, productShape, nullptr, true}};
  std::vector<DType> inputTypes{productType}, outputTypes;
  for (size_t i = firstExtra; i < ctx.inputs.size(); ++i) {
    inputs.push_back(ctx.inputs[i]);
    inputTypes.push_back(ctx.inputs[i].dtype);
  }
  for (const TensorView &out : ctx.outputs) outputTypes.push_back(out.dtype);
  ew::Program program = ew::buildEpilogueProgram(ctx.step, inputTypes, outputTypes, fail);
  if (ctx.outputs.empty() || ctx.outputs[0].numel() == 0) return;
  const Shape &outShape = ctx.outputs[0].shape;
  int64_t n = plan.n, k = plan.k;
  size_t elementSize = dtypeSize(productType);

  bool blocked = outShape == productShape;
  for (const TensorView &out : ctx.outputs)
    for (size_t i = 0; i < firstExtra; ++i)
      blocked = blocked && !(ctx.inputs[i].present && bytesOverlap(out, ctx.inputs[i]));
  if (!blocked) {
    TensorView whole{productType, productShape, nullptr, true};
    std::unique_ptr<uint64_t[]> storage(new uint64_t[(whole.bytes() + 7) / 8 + 1]);
    whole.data = storage.get();
    runProductPlan(ctx, plan, whole);
    inputs[0] = whole;
    KernelContext epilogueCtx{ctx.step, inputs, ctx.outputs, ctx.pool};
    ew::runProgram(epilogueCtx, program);
    return;
  }

  ew::RangeRunner runner(program, inputs, ctx.outputs, {true}, fail);
  auto computeBlock = [&](const ProductSegment &seg, int64_t r0, int64_t rows, void *scratch,
                          ThreadPool *pool) {
    TensorView block{productType, Shape{rows, n}, scratch, true};
    product(rows, n, k, seg.a.offset(r0 * seg.a.rowStride), seg.b, plan.bias, block, 0, pool);
  };
  if (plan.parallelSegments) {
    // Small products: each thread computes a whole segment and its epilogue.
    ctx.pool.parallelFor(static_cast<int64_t>(plan.segments.size()), 1,
                         [&](int64_t begin, int64_t end) {
                           thread_local std::vector<uint64_t> scratch;
                           for (int64_t i = begin; i < end; ++i) {
                             const ProductSegment &seg = plan.segments[i];
                             size_t words = (seg.rows * n * elementSize + 7) / 8;
                             if (scratch.size() < words) scratch.resize(words);
                             computeBlock(seg, 0, seg.rows, scratch.data(), nullptr);
                             const void *window = scratch.data();
                             runner.run(seg.firstRow * n, (seg.firstRow + seg.rows) * n, &window);
                           }
                         });
    return;
  }
  int64_t blockRows = std::max(kEpilogueMinBlockRows, kEpilogueBlockElements / std::max<int64_t>(n, 1));
  // Kept across calls: a fresh large buffer would page-fault on every call.
  thread_local std::vector<uint64_t> scratch;
  // Epilogue tasks of at least ~16K elements.
  int64_t rowGrain = std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1));
  for (const ProductSegment &seg : plan.segments)
    for (int64_t r0 = 0; r0 < seg.rows; r0 += blockRows) {
      int64_t rows = std::min(blockRows, seg.rows - r0);
      size_t words = (rows * n * elementSize + 7) / 8;
      if (scratch.size() < words) scratch.resize(words);
      computeBlock(seg, r0, rows, scratch.data(), &ctx.pool);
      int64_t base = (seg.firstRow + r0) * n;
      const char *block = reinterpret_cast<const char *>(scratch.data());
      ctx.pool.parallelFor(rows, rowGrain, [&](int64_t begin, int64_t end) {
        const void *window = block + begin * n * elementSize;
        runner.run(base + begin * n, base + end * n, &window);
      });
    }
}

void matmulShape(ShapeContext &ctx) {
  if (ctx.inputs[0].dtype != ctx.inputs[1].dtype)
    ctx.fail(std::string("operands have different element types: ") +
             dtypeName(ctx.inputs[0].dtype) + " and " + dtypeName(ctx.inputs[1].dtype));
  Shape productShape = matmulOutputShape(matmulDims(ctx));
  if (hasEpilogue(ctx.step))
    epilogueShape(ctx, 2, productShape);
  else
    ctx.outputShapes = {productShape};
}

void matmulRun(KernelContext &ctx) {
  MatmulDims d = matmulDims(ctx);
  ProductPlan plan = planMatmul(ctx, d);
  if (hasEpilogue(ctx.step)) {
    runWithEpilogue(ctx, 2, matmulOutputShape(d), plan);
    return;
  }
  if (ctx.outputs[0].numel() == 0) return;
  runProductPlan(ctx, plan, ctx.outputs[0]);
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
  if (hasEpilogue(ctx.step))
    epilogueShape(ctx, 3, out);
  else
    ctx.outputShapes = {out};
}

void linearRun(KernelContext &ctx) {
  int64_t k, n;
  bool transW;
  linearDims(ctx.step, ctx.inputs, k, n, transW, [&](const std::string &m) { ctx.fail(m); });
  const TensorView &x = ctx.inputs[0], &w = ctx.inputs[1], &out = ctx.outputs[0];
  int64_t m = k == 0 ? numElements(Shape(x.shape.begin(), x.shape.end() - 1)) : x.numel() / k;
  ProductPlan plan;
  plan.n = n;
  plan.k = k;
  plan.bias = ctx.inputs.size() > 2 && ctx.inputs[2].present ? &ctx.inputs[2] : nullptr;
  plan.segments.push_back({MatView::rowMajor(x.data, x.dtype, k),
                           MatView::rowMajor(w.data, w.dtype, transW ? k : n, transW), m, 0});
  if (hasEpilogue(ctx.step)) {
    Shape productShape = x.shape;
    productShape.back() = n;
    runWithEpilogue(ctx, 3, productShape, plan);
    return;
  }
  runProductPlan(ctx, plan, out);
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
