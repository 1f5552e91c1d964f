// Tests of matmul/linear steps with an epilogue (docs/bundle.md "Epilogues"): the cpu
// kernels apply the elementwise program per product block; results are checked against
// naive double-precision references written here, on odd sizes, several thread
// counts, broadcast inputs, outputs aliasing inputs and the whole-product fallback.
#include "Kernel.h"
#include "cpu/ElementwiseProgram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

using namespace ds::rt;
using nlohmann::json;

namespace {

const KernelRegistry &registry() {
  static KernelRegistry r = [] {
    KernelRegistry reg;
    registerCpuMathKernels(reg);
    return reg;
  }();
  return r;
}

ThreadPool &pool(int threads) {
  static ThreadPool one(1), two(2), four(4);
  return threads == 1 ? one : threads == 2 ? two : four;
}

TensorView viewOf(const Tensor &t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.data = const_cast<void *>(t.data());
  v.present = t.valid();
  return v;
}

// Runs one step (shape function, then kernel). `outputs` may name preallocated buffers
// (to alias an input); otherwise fresh ones are allocated.
std::vector<Tensor> runStep(const std::string &kind, const json &attrs,
                            const std::vector<Tensor> &inputs, const std::vector<DType> &outTypes,
                            int threads, std::vector<TensorView> preset = {}) {
  const KernelDef *def = registry().find(kind);
  StepDesc step;
  step.kind = kind;
  step.name = "epilogue_test";
  step.attrs = attrs;
  std::vector<TensorView> views;
  for (const Tensor &t : inputs) views.push_back(viewOf(t));
  ShapeContext sc{step, views, outTypes, {}, {}};
  def->shape(sc);
  std::vector<Tensor> outs;
  std::vector<TensorView> outViews;
  for (size_t i = 0; i < outTypes.size(); ++i) {
    if (i < preset.size()) {
      EXPECT_EQ(preset[i].shape, sc.outputShapes.at(i));
      outViews.push_back(preset[i]);
      continue;
    }
    outs.push_back(Tensor::empty(outTypes[i], sc.outputShapes.at(i)));
    outViews.push_back(viewOf(outs.back()));
  }
  KernelContext kc{step, views, outViews, pool(threads)};
  def->run(kc);
  return outs;
}

Tensor randomF32(const Shape &shape, std::mt19937 &rng, float scale = 1.f) {
  Tensor t = Tensor::empty(DType::F32, shape);
  std::normal_distribution<float> dist(0.f, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.as<float>()[i] = dist(rng);
  return t;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Naive [M, K] x [K, N] (B given transposed as [N, K] when transB), in double.
std::vector<double> naiveProduct(const float *a, const float *b, int64_t m, int64_t k, int64_t n,
                                 bool transB) {
  std::vector<double> c(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += double(a[i * k + p]) * double(transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

void expectClose(const Tensor &got, const std::vector<double> &want, double tol,
                 const std::string &what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << what;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double g = got.dtype() == DType::F16 ? halfToFloat(got.as<uint16_t>()[i]) : got.as<float>()[i];
    ASSERT_NEAR(g, want[i], tol * (1 + std::abs(want[i]))) << what << " element " << i;
  }
}

json unary(const char *fn, int arg) {
  return {{"op", "unary"}, {"fn", fn}, {"args", {arg}}, {"dtype", "f32"}, {"alpha", 0.0},
          {"beta", 0.0}};
}
json binary(const char *fn, int a, int b) {
  return {{"op", "binary"}, {"fn", fn}, {"args", {a, b}}, {"dtype", "f32"}};
}

// matmul + bias + silu (x * sigmoid(x)), on row counts around the block size and N
// large enough for several row blocks (300 x 1030: blocks of 256 rows).
TEST(Epilogue, MatmulBiasSilu) {
  std::mt19937 rng(1);
  json attrs = {{"transpose_a", false},
                {"transpose_b", false},
                {"epilogue",
                 {{"program", {binary("add", 0, 1), unary("sigmoid", 2), binary("mul", 2, 3)}},
                  {"results", {4}},
                  {"product_dtype", "f32"}}}};
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 5, 3}, {7, 33, 70},
                         {67, 17, 129}, {300, 9, 1030}, {0, 4, 5}})
    for (int threads : {1, 2, 4}) {
      Tensor x = randomF32({m, k}, rng), w = randomF32({k, n}, rng, 0.3f),
             bias = randomF32({n}, rng);
      auto outs = runStep("matmul", attrs, {x, w, bias}, {DType::F32}, threads);
      ASSERT_EQ(outs[0].shape(), (Shape{m, n}));
      std::vector<double> want = naiveProduct(x.as<float>(), w.as<float>(), m, k, n, false);
      for (int64_t i = 0; i < m * n; ++i) {
        double v = want[i] + bias.as<float>()[i % n];
        want[i] = v * sigmoid(v);
      }
      expectClose(outs[0], want, 1e-4,
                  "m=" + std::to_string(m) + " n=" + std::to_string(n) + " threads=" +
                      std::to_string(threads));
    }
}

// linear (transposed weight, with its own bias) + residual add; the sum and the product
// itself (register 0) are both outputs.
TEST(Epilogue, LinearResidualAddTwoOutputs) {
  std::mt19937 rng(2);
  const int64_t b = 2, s = 5, k = 12, n = 19;
  Tensor x = randomF32({b, s, k}, rng), w = randomF32({n, k}, rng, 0.3f),
         bias = randomF32({n}, rng), residual = randomF32({b, s, n}, rng);
  json attrs = {{"transpose_w", true},
                {"epilogue",
                 {{"program", {binary("add", 1, 0)}}, {"results", {2, 0}}, {"product_dtype", "f32"}}}};
  for (int threads : {1, 4}) {
    auto outs = runStep("linear", attrs, {x, w, bias, residual}, {DType::F32, DType::F32}, threads);
    ASSERT_EQ(outs[0].shape(), (Shape{b, s, n}));
    std::vector<double> product = naiveProduct(x.as<float>(), w.as<float>(), b * s, k, n, true);
    std::vector<double> sum(product.size());
    for (size_t i = 0; i < product.size(); ++i) {
      product[i] += bias.as<float>()[i % n];
      sum[i] = product[i] + residual.as<float>()[i];
    }
    expectClose(outs[0], sum, 1e-5, "sum");
    expectClose(outs[1], product, 1e-5, "product");
  }
}

// A scale and a cast: the output is f16, rounded once from the f32 value.
TEST(Epilogue, CastToF16) {
  std::mt19937 rng(3);
  const int64_t m = 9, k = 31, n = 23;
  Tensor x = randomF32({m, k}, rng), w = randomF32({k, n}, rng, 0.2f);
  json attrs = {{"epilogue",
                 {{"program",
                   {{{"op", "constant"}, {"value", 0.5}, {"dtype", "f32"}},
                    binary("mul", 0, 1),
                    {{"op", "cast"}, {"args", {2}}, {"dtype", "f16"}, {"saturate", true}}}},
                  {"results", {3}},
                  {"product_dtype", "f32"}}}};
  auto outs = runStep("matmul", attrs, {x, w}, {DType::F16}, 2);
  ASSERT_EQ(outs[0].dtype(), DType::F16);
  std::vector<double> want = naiveProduct(x.as<float>(), w.as<float>(), m, k, n, false);
  for (double &v : want) v = halfToFloat(floatToHalf(static_cast<float>(0.5 * v)));
  // One f16 ulp (2^-10 relative) covers f32 summation order.
  expectClose(outs[0], want, 1.5e-3, "f16");
}

// Extra inputs broadcast to the product's shape: a scalar, a per-column row [1, N], a
// per-row column [M, 1] and a batched [B, 1, N] against a [B, M, N] product.
TEST(Epilogue, BroadcastInputs) {
  std::mt19937 rng(4);
  const int64_t batch = 3, m = 11, k = 6, n = 13;
  Tensor a = randomF32({batch, m, k}, rng), w = randomF32({k, n}, rng, 0.4f);
  Tensor scalar = randomF32({}, rng), row = randomF32({1, n}, rng), column = randomF32({m, 1}, rng),
         perBatch = randomF32({batch, 1, n}, rng);
  // ((p * scalar + row) * column) - perBatch
  json attrs = {{"epilogue",
                 {{"program",
                   {binary("mul", 0, 1), binary("add", 5, 2), binary("mul", 6, 3),
                    binary("sub", 7, 4)}},
                  {"results", {8}},
                  {"product_dtype", "f32"}}}};
  for (int threads : {1, 4}) {
    auto outs = runStep("matmul", attrs, {a, w, scalar, row, column, perBatch}, {DType::F32},
                        threads);
    ASSERT_EQ(outs[0].shape(), (Shape{batch, m, n}));
    std::vector<double> want = naiveProduct(a.as<float>(), w.as<float>(), batch * m, k, n, false);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double &v = want[(bi * m + i) * n + j];
          v = (v * scalar.as<float>()[0] + row.as<float>()[j]) * column.as<float>()[i] -
              perBatch.as<float>()[bi * n + j];
        }
    expectClose(outs[0], want, 1e-5, "broadcast threads=" + std::to_string(threads));
  }
}

// Many small batched products (each thread takes whole batches) with a batched residual.
TEST(Epilogue, ManySmallBatches) {
  std::mt19937 rng(5);
  const int64_t batch = 16, m = 3, k = 5, n = 7;
  Tensor a = randomF32({batch, m, k}, rng), bm = randomF32({batch, k, n}, rng),
         residual = randomF32({batch, m, n}, rng);
  json attrs = {{"epilogue",
                 {{"program", {binary("add", 0, 1), unary("tanh", 2)}},
                  {"results", {3}},
                  {"product_dtype", "f32"}}}};
  for (int threads : {1, 2, 4}) {
    auto outs = runStep("matmul", attrs, {a, bm, residual}, {DType::F32}, threads);
    std::vector<double> want(static_cast<size_t>(batch * m * n));
    for (int64_t bi = 0; bi < batch; ++bi) {
      auto p = naiveProduct(a.as<float>() + bi * m * k, bm.as<float>() + bi * k * n, m, k, n, false);
      for (int64_t i = 0; i < m * n; ++i)
        want[bi * m * n + i] = std::tanh(p[i] + residual.as<float>()[bi * m * n + i]);
    }
    expectClose(outs[0], want, 1e-5, "batches threads=" + std::to_string(threads));
  }
}

// The planner may put an output in place of a dead input: of the residual (same
// elements, safe block by block) or of the matmul's lhs (K == N: the whole product is
// computed first).
TEST(Epilogue, OutputAliasesInput) {
  std::mt19937 rng(6);
  json attrs = {{"epilogue",
                 {{"program", {binary("add", 0, 1)}}, {"results", {2}}, {"product_dtype", "f32"}}}};
  {
    const int64_t m = 300, k = 32, n = 1100;  // two row blocks (256 rows each)
    Tensor x = randomF32({m, k}, rng), w = randomF32({k, n}, rng, 0.2f),
           residual = randomF32({m, n}, rng);
    std::vector<double> want = naiveProduct(x.as<float>(), w.as<float>(), m, k, n, false);
    for (int64_t i = 0; i < m * n; ++i) want[i] += residual.as<float>()[i];
    runStep("matmul", attrs, {x, w, residual}, {DType::F32}, 2, {viewOf(residual)});
    expectClose(residual, want, 1e-4, "in place of the residual");
  }
  const int64_t m = 150, k = 600, n = 600;
  Tensor x = randomF32({m, k}, rng), w = randomF32({k, n}, rng, 0.05f);
  std::vector<double> want;
  Tensor x2 = Tensor::empty(DType::F32, {m, k});
  std::memcpy(x2.data(), x.data(), x.bytes());
  Tensor residual2 = randomF32({m, n}, rng);
  want = naiveProduct(x.as<float>(), w.as<float>(), m, k, n, false);
  for (int64_t i = 0; i < m * n; ++i) want[i] += residual2.as<float>()[i];
  runStep("matmul", attrs, {x2, w, residual2}, {DType::F32}, 2, {viewOf(x2)});
  expectClose(x2, want, 1e-4, "in place of the lhs");
}

// With dynamic dims the compiler may not prove the output has the product's shape: an
// extra input larger than the product broadcasts it up (whole-product path).
TEST(Epilogue, ProductBroadcastUp) {
  std::mt19937 rng(7);
  Tensor x = randomF32({1, 4}, rng), w = randomF32({4, 6}, rng), y = randomF32({5, 6}, rng);
  json attrs = {{"epilogue",
                 {{"program", {binary("add", 0, 1)}}, {"results", {2}}, {"product_dtype", "f32"}}}};
  auto outs = runStep("matmul", attrs, {x, w, y}, {DType::F32}, 2);
  ASSERT_EQ(outs[0].shape(), (Shape{5, 6}));
  auto p = naiveProduct(x.as<float>(), w.as<float>(), 1, 4, 6, false);
  std::vector<double> want(30);
  for (int64_t i = 0; i < 30; ++i) want[i] = p[i % 6] + y.as<float>()[i];
  expectClose(outs[0], want, 1e-5, "broadcast up");
}

// Bad epilogues fail with messages naming the problem.
TEST(Epilogue, Errors) {
  std::mt19937 rng(8);
  Tensor x = randomF32({2, 3}, rng), w = randomF32({3, 4}, rng), bad = randomF32({3}, rng);
  json good = {{"program", {binary("add", 0, 1)}}, {"results", {2}}, {"product_dtype", "f32"}};
  try {
    runStep("matmul", {{"epilogue", good}}, {x, w, bad}, {DType::F32}, 1);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("does not broadcast"), std::string::npos) << e.what();
  }
  json noResults = {{"program", {binary("add", 0, 1)}}};
  Tensor ok = randomF32({4}, rng);
  try {
    runStep("matmul", {{"epilogue", noResults}}, {x, w, ok}, {DType::F32}, 1);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("epilogue: attribute 'results'"), std::string::npos)
        << e.what();
  }
}

// RangeRunner alone: ranges computed separately equal one runProgram over the whole.
TEST(Epilogue, RangeRunnerMatchesRunProgram) {
  std::mt19937 rng(9);
  const Shape shape{7, 45};
  Tensor product = randomF32(shape, rng), bias = randomF32({45}, rng);
  Tensor whole = Tensor::empty(DType::F32, shape), ranged = Tensor::empty(DType::F32, shape);
  StepDesc step;
  step.kind = "elementwise";
  step.name = "ranges";
  step.attrs = {{"program", {binary("add", 0, 1), unary("silu", 2)}}, {"results", {3}}};
  auto fail = [](const std::string &m) { throw Error(m); };
  ew::Program program = ew::buildProgram(step, {DType::F32, DType::F32}, {DType::F32}, fail);
  KernelContext ctx{step, {viewOf(product), viewOf(bias)}, {viewOf(whole)}, pool(2)};
  ew::runProgram(ctx, program);
  TensorView windowed = viewOf(product);
  windowed.data = nullptr;
  ew::RangeRunner runner(program, {windowed, viewOf(bias)}, {viewOf(ranged)}, {true}, fail);
  EXPECT_EQ(runner.size(), 7 * 45);
  // Uneven ranges (not multiples of rows or of the executor's chunk), each with its
  // window into the product.
  const int64_t cuts[] = {0, 1, 46, 170, 315};
  for (int i = 0; i + 1 < 5; ++i) {
    const void *window = product.as<float>() + cuts[i];
    runner.run(cuts[i], cuts[i + 1], &window);
  }
  EXPECT_EQ(std::memcmp(whole.data(), ranged.data(), whole.bytes()), 0);
}

}  // namespace
