// Tests of the cpu math kernels (matmul, linear, attention, rope, moe, quantization)
// against naive double-precision references written here.
#include "Kernel.h"
#include "cpu/Gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>

using namespace ds::rt;

namespace {

// ---- harness ---------------------------------------------------------------------------------

ThreadPool &testPool() {
  static ThreadPool pool(4);
  return pool;
}

const KernelRegistry &registry() {
  static KernelRegistry r = [] {
    KernelRegistry reg;
    registerCpuMathKernels(reg);
    return reg;
  }();
  return r;
}

// Runs one step through its shape function and kernel; an absent operand is a default
// (invalid) Tensor.
std::vector<Tensor> runStep(const std::string &kind, nlohmann::json attrs,
                            const std::vector<Tensor> &inputs, std::vector<DType> outTypes,
                            ThreadPool &pool = testPool()) {
  const KernelDef *def = registry().find(kind);
  if (!def) throw Error("no kernel for " + kind);
  StepDesc step;
  step.kind = kind;
  step.name = "test";
  step.attrs = std::move(attrs);
  std::vector<TensorView> views;
  for (const Tensor &t : inputs) {
    TensorView v;
    v.dtype = t.dtype();
    v.shape = t.shape();
    v.data = const_cast<void *>(t.data());
    v.present = !t.shape().empty() || t.data() != nullptr;
    views.push_back(v);
  }
  ShapeContext sc{step, views, outTypes, {}, {}};
  def->shape(sc);
  std::vector<Tensor> outs;
  std::vector<TensorView> outViews;
  for (size_t i = 0; i < outTypes.size(); ++i) {
    outs.push_back(Tensor::empty(outTypes[i], sc.outputShapes.at(i)));
    TensorView v;
    v.dtype = outTypes[i];
    v.shape = outs.back().shape();
    v.data = outs.back().data();
    v.present = true;
    outViews.push_back(v);
  }
  KernelContext kc{step, views, outViews, pool};
  def->run(kc);
  return outs;
}

TensorView viewOf(const Tensor &t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.data = const_cast<void *>(t.data());
  v.present = true;
  return v;
}

// A tensor holding `values` converted to `dtype`.
Tensor make(DType dtype, Shape shape, const std::vector<double> &values) {
  Tensor t = Tensor::empty(dtype, shape);
  EXPECT_EQ(static_cast<size_t>(t.numel()), values.size());
  TensorView v = viewOf(t);
  for (int64_t i = 0; i < t.numel(); ++i) storeFromDouble(v, i, values[i]);
  return t;
}

Tensor random(DType dtype, Shape shape, uint32_t seed, double lo = -1, double hi = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> values(static_cast<size_t>(numElements(shape)));
  for (double &x : values) x = dist(gen);
  return make(dtype, shape, values);
}

// The values a tensor holds (after rounding to its dtype).
std::vector<double> values(const Tensor &t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  TensorView v = viewOf(t);
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = loadAsDouble(v, i);
  return out;
}

// Relative tolerance of storing into `dtype` (plus the f32 accumulation error).
double tolerance(DType dtype) {
  switch (dtype) {
  case DType::F16: return 2e-3;
  case DType::BF16: return 1.6e-2;
  case DType::F64: return 1e-12;
  default: return 2e-5;
  }
}

void expectClose(const Tensor &actual, const Shape &shape, const std::vector<double> &expected,
                 double rtol, double atol, const std::string &what) {
  ASSERT_EQ(actual.shape(), shape) << what;
  std::vector<double> got = values(actual);
  ASSERT_EQ(got.size(), expected.size()) << what;
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool ok = std::isnan(expected[i]) ? std::isnan(got[i])
                                      : std::abs(got[i] - expected[i]) <=
                                            atol + rtol * std::abs(expected[i]);
    if (!ok && reported++ < 5)
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected "
                    << expected[i];
  }
}

// ---- matmul reference --------------------------------------------------------------------

// Numpy matmul in double, with optional transposes of >= 2-D operands.
std::vector<double> refMatmul(const Tensor &a, const Tensor &b, bool ta, bool tb, Shape &outShape) {
  Shape as = a.shape(), bs = b.shape();
  bool av = as.size() == 1, bv = bs.size() == 1;
  if (av) as.insert(as.begin(), 1);
  if (bv) bs.push_back(1);
  if (ta && !av) std::swap(as[as.size() - 1], as[as.size() - 2]);
  if (tb && !bv) std::swap(bs[bs.size() - 1], bs[bs.size() - 2]);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  size_t rank = std::max(ab.size(), bb.size());
  while (ab.size() < rank) ab.insert(ab.begin(), 1);
  while (bb.size() < rank) bb.insert(bb.begin(), 1);
  Shape batch(rank);
  for (size_t i = 0; i < rank; ++i) batch[i] = ab[i] == 1 ? bb[i] : ab[i];
  std::vector<double> A = values(a), B = values(b);
  int64_t count = numElements(batch);
  std::vector<double> out(static_cast<size_t>(count * m * n));
  for (int64_t idx = 0; idx < count; ++idx) {
    int64_t rest = idx, ao = 0, bo = 0, astr = 1, bstr = 1;
    for (size_t i = rank; i-- > 0;) {
      int64_t c = rest % batch[i];
      rest /= batch[i];
      ao += (ab[i] == 1 ? 0 : c) * astr;
      bo += (bb[i] == 1 ? 0 : c) * bstr;
      astr *= ab[i];
      bstr *= bb[i];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) {
          double x = ta && !av ? A[ao * m * k + p * m + i] : A[ao * m * k + i * k + p];
          double y = tb && !bv ? B[bo * k * n + j * k + p] : B[bo * k * n + p * n + j];
          s += x * y;
        }
        out[(idx * m + i) * n + j] = s;
      }
  }
  outShape = batch;
  if (!av) outShape.push_back(m);
  if (!bv) outShape.push_back(n);
  return out;
}

struct BlasMode {
  explicit BlasMode(bool enabled) { cpu::setGemmBlasEnabled(enabled); }
  ~BlasMode() { cpu::setGemmBlasEnabled(true); }
};

void checkMatmul(DType dtype, Shape as, Shape bs, bool ta, bool tb, uint32_t seed) {
  Tensor a = random(dtype, as, seed), b = random(dtype, bs, seed + 1);
  Shape outShape;
  std::vector<double> expected = refMatmul(a, b, ta, tb, outShape);
  for (bool blas : {true, false}) {
    BlasMode mode(blas);
    auto out = runStep("matmul", {{"transpose_a", ta}, {"transpose_b", tb}}, {a, b}, {dtype});
    int64_t k = as.size() == 1 ? as[0] : as[ta ? as.size() - 2 : as.size() - 1];
    expectClose(out[0], outShape, expected, tolerance(dtype),
                tolerance(dtype) * std::sqrt(double(k)),
                "matmul " + shapeToString(as) + " x " + shapeToString(bs) + " " +
                    dtypeName(dtype) + (blas ? " blas" : " builtin"));
  }
}

TEST(MathKernels, MatmulShapesAndTransposes) {
  checkMatmul(DType::F32, {5, 7}, {7, 9}, false, false, 1);
  checkMatmul(DType::F32, {7, 5}, {9, 7}, true, true, 2);
  checkMatmul(DType::F32, {2, 1, 5, 7}, {3, 7, 9}, false, false, 3);   // batch broadcast
  checkMatmul(DType::F32, {3, 7, 5}, {1, 9, 7}, true, true, 4);
  checkMatmul(DType::F32, {4, 33, 70}, {70, 45}, false, false, 5);     // shared weight
  checkMatmul(DType::F32, {67, 300}, {300, 131}, false, false, 6);     // > one KC slice
  checkMatmul(DType::F32, {130, 257}, {71, 257}, false, true, 7);
  checkMatmul(DType::F32, {300, 40}, {40, 200}, false, false, 8);      // several M tiles
  checkMatmul(DType::F32, {1, 513}, {513, 77}, false, false, 9);       // decode row
  checkMatmul(DType::F32, {64, 2, 3, 17}, {64, 2, 17, 19}, false, false, 10);  // many small
  checkMatmul(DType::F32, {3, 101}, {300, 101}, false, true, 18);    // few rows, B^T
  checkMatmul(DType::F32, {4, 39}, {39, 601}, false, false, 19);     // few rows, row-major B
  checkMatmul(DType::F32, {39, 2}, {39, 601}, true, false, 20);      // few rows, A^T
}

TEST(MathKernels, MatmulVectorsAndEmpty) {
  checkMatmul(DType::F32, {7}, {7, 9}, false, false, 11);
  checkMatmul(DType::F32, {4, 5, 7}, {7}, false, false, 12);
  checkMatmul(DType::F32, {7}, {7}, false, false, 13);
  checkMatmul(DType::F32, {7}, {3, 7, 2}, false, false, 14);
  checkMatmul(DType::F32, {0, 3}, {3, 4}, false, false, 15);
  checkMatmul(DType::F32, {2, 0}, {0, 3}, false, false, 16);  // K = 0: zeros
  checkMatmul(DType::F32, {0, 2, 3}, {3, 4}, false, false, 17);
}

TEST(MathKernels, MatmulDtypes) {
  checkMatmul(DType::F16, {37, 70}, {70, 29}, false, false, 21);
  checkMatmul(DType::BF16, {3, 37, 70}, {29, 70}, false, true, 22);
  checkMatmul(DType::F64, {37, 70}, {70, 29}, false, false, 23);
  checkMatmul(DType::F64, {2, 70, 37}, {70, 29}, true, false, 24);
  // Integers are exact.
  std::mt19937 gen(25);
  std::uniform_int_distribution<int> dist(-1000, 1000);
  for (DType t : {DType::I32, DType::I64}) {
    std::vector<double> av(6 * 11), bv(11 * 5);
    for (double &x : av) x = dist(gen);
    for (double &x : bv) x = dist(gen);
    Tensor a = make(t, {6, 11}, av), b = make(t, {11, 5}, bv);
    Shape s;
    auto expected = refMatmul(a, b, false, false, s);
    auto out = runStep("matmul", {{"transpose_a", false}, {"transpose_b", false}}, {a, b}, {t});
    expectClose(out[0], s, expected, 0, 0, "integer matmul");
  }
}

TEST(MathKernels, MatmulErrors) {
  Tensor a = random(DType::F32, {3, 4}, 1), b = random(DType::F32, {5, 6}, 2);
  try {
    runStep("matmul", {{"transpose_a", false}, {"transpose_b", false}}, {a, b}, {DType::F32});
    FAIL() << "mismatched K accepted";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("K = 4"), std::string::npos) << e.what();
  }
  Tensor c = random(DType::F32, {2, 3, 4}, 1), d = random(DType::F32, {3, 4, 5}, 2);
  EXPECT_THROW(runStep("matmul", {{"transpose_a", false}, {"transpose_b", false}}, {c, d},
                       {DType::F32}),
               Error);
}

// ---- linear ----------------------------------------------------------------------------------

TEST(MathKernels, Linear) {
  for (DType dtype : {DType::F32, DType::F16, DType::BF16, DType::F64}) {
    for (bool transW : {false, true}) {
      for (bool withBias : {false, true}) {
        int64_t k = 45, n = 37;
        Shape xs{2, 3, k};
        Tensor x = random(dtype, xs, 31);
        Tensor w = random(dtype, transW ? Shape{n, k} : Shape{k, n}, 32);
        Tensor bias = random(dtype, {n}, 33);
        std::vector<double> X = values(x), W = values(w), Bv = values(bias);
        std::vector<double> expected(6 * n);
        for (int64_t r = 0; r < 6; ++r)
          for (int64_t j = 0; j < n; ++j) {
            double s = withBias ? Bv[j] : 0;
            for (int64_t p = 0; p < k; ++p) s += X[r * k + p] * (transW ? W[j * k + p] : W[p * n + j]);
            expected[r * n + j] = s;
          }
        std::vector<Tensor> ins{x, w};
        if (withBias) ins.push_back(bias);
        auto out = runStep("linear", {{"transpose_w", transW}}, ins, {dtype});
        expectClose(out[0], {2, 3, n}, expected, tolerance(dtype), tolerance(dtype) * 7,
                    std::string("linear ") + dtypeName(dtype));
      }
    }
  }
  // 1-D input.
  Tensor x = random(DType::F32, {5}, 1), w = random(DType::F32, {5, 3}, 2);
  Shape s;
  auto expected = refMatmul(x, w, false, false, s);
  auto out = runStep("linear", {{"transpose_w", false}}, {x, w}, {DType::F32});
  expectClose(out[0], {3}, expected, 1e-5, 1e-5, "linear 1-D");
}

// ---- attention -------------------------------------------------------------------------------

struct AttnCase {
  int64_t b = 1, hq = 2, hkv = 2, sq = 4, skv = 4, dqk = 8, dv = 8;
  bool causal = false;
  int64_t window = -1;
  double softcap = 0;
  int maskKind = 0;  // 0 none, 1 bool, 2 float
  Shape maskShape;
  DType dtype = DType::F32;
};

void checkAttention(const AttnCase &c, uint32_t seed) {
  Tensor q = random(c.dtype, {c.b, c.hq, c.sq, c.dqk}, seed);
  Tensor k = random(c.dtype, {c.b, c.hkv, c.skv, c.dqk}, seed + 1);
  Tensor v = random(c.dtype, {c.b, c.hkv, c.skv, c.dv}, seed + 2);
  Tensor mask;
  std::vector<double> M;
  Shape ms = c.maskShape;
  if (c.maskKind) {
    std::mt19937 gen(seed + 3);
    std::vector<double> mv(static_cast<size_t>(numElements(ms)));
    for (double &x : mv)
      x = c.maskKind == 1 ? double(gen() % 4 != 0) : std::uniform_real_distribution<double>(-2, 1)(gen);
    mask = make(c.maskKind == 1 ? DType::I1 : DType::F32, ms, mv);
    M = values(mask);
  }
  double scale = 1.0 / std::sqrt(double(c.dqk));
  std::vector<double> Q = values(q), K = values(k), V = values(v);
  std::vector<double> expected(static_cast<size_t>(c.b * c.hq * c.sq * c.dv));
  int64_t past = c.skv - c.sq, group = c.hq / c.hkv;
  Shape full{c.b, c.hq, c.sq, c.skv};
  auto maskAt = [&](int64_t bb, int64_t h, int64_t i, int64_t j) {
    int64_t idx[4] = {bb, h, i, j}, off = 0, stride = 1;
    size_t lead = 4 - ms.size();
    for (size_t d = ms.size(); d-- > 0;) {
      off += (ms[d] == 1 ? 0 : idx[lead + d]) * stride;
      stride *= ms[d];
    }
    return M[off];
  };
  for (int64_t bb = 0; bb < c.b; ++bb)
    for (int64_t h = 0; h < c.hq; ++h)
      for (int64_t i = 0; i < c.sq; ++i) {
        int64_t kh = h / group;
        std::vector<double> s(c.skv);
        double mx = -INFINITY;
        for (int64_t j = 0; j < c.skv; ++j) {
          double d = 0;
          for (int64_t t = 0; t < c.dqk; ++t)
            d += Q[((bb * c.hq + h) * c.sq + i) * c.dqk + t] * K[((bb * c.hkv + kh) * c.skv + j) * c.dqk + t];
          d *= scale;
          if (c.softcap > 0) d = c.softcap * std::tanh(d / c.softcap);
          if (c.maskKind == 2) d += maskAt(bb, h, i, j);
          if (c.maskKind == 1 && !maskAt(bb, h, i, j)) d = -INFINITY;
          if (c.causal && j > i + past) d = -INFINITY;
          if (c.window >= 0 && j < i + past - c.window) d = -INFINITY;
          s[j] = d;
          mx = std::max(mx, d);
        }
        double sum = 0;
        for (double &x : s) sum += x = mx == -INFINITY ? 0 : std::exp(x - mx);
        for (int64_t e = 0; e < c.dv; ++e) {
          double o = 0;
          for (int64_t j = 0; j < c.skv; ++j) o += s[j] * V[((bb * c.hkv + kh) * c.skv + j) * c.dv + e];
          expected[((bb * c.hq + h) * c.sq + i) * c.dv + e] = sum == 0 ? NAN : o / sum;
        }
      }
  nlohmann::json attrs = {{"scale", scale}, {"causal", c.causal}};
  if (c.window >= 0) attrs["window"] = c.window;
  if (c.softcap > 0) attrs["softcap"] = c.softcap;
  std::vector<Tensor> ins{q, k, v};
  if (c.maskKind) ins.push_back(mask);
  auto out = runStep("attention", attrs, ins, {c.dtype});
  expectClose(out[0], {c.b, c.hq, c.sq, c.dv}, expected, tolerance(c.dtype), tolerance(c.dtype),
              "attention seed " + std::to_string(seed));
}

TEST(MathKernels, Attention) {
  AttnCase c;
  checkAttention(c, 100);
  c = AttnCase{};
  c.b = 2, c.hq = 6, c.hkv = 2, c.sq = 70, c.skv = 150, c.dqk = 20, c.dv = 12;  // GQA, dk != dv
  checkAttention(c, 101);
  c.causal = true;  // bottom-right aligned, Sq != Skv
  checkAttention(c, 102);
  c.window = 7;
  checkAttention(c, 103);
  c.window = -1;
  c.softcap = 0.5;
  checkAttention(c, 104);
  c = AttnCase{};
  c.sq = 5, c.skv = 9, c.maskKind = 1, c.maskShape = {1, 1, 5, 9};
  checkAttention(c, 105);
  c.maskKind = 2, c.maskShape = {2, 1, 9};
  checkAttention(c, 106);
  c.b = 2, c.maskKind = 2, c.maskShape = {2, 1, 1, 9}, c.causal = true;
  checkAttention(c, 107);
  c = AttnCase{};
  c.hq = 4, c.hkv = 1, c.sq = 1, c.skv = 33, c.causal = true;  // MQA decode
  checkAttention(c, 108);
  c = AttnCase{};
  c.dtype = DType::F16, c.sq = 40, c.skv = 40, c.causal = true;
  checkAttention(c, 109);
  c.dtype = DType::BF16;
  checkAttention(c, 110);
  c.dtype = DType::F64;
  checkAttention(c, 111);
}

TEST(MathKernels, AttentionFullyMaskedRowIsNaN) {
  AttnCase c;
  c.sq = 2, c.skv = 3, c.maskKind = 1, c.maskShape = {2, 3};
  Tensor q = random(DType::F32, {1, 2, 2, 8}, 1), k = random(DType::F32, {1, 2, 3, 8}, 2),
         v = random(DType::F32, {1, 2, 3, 8}, 3);
  Tensor mask = make(DType::I1, {2, 3}, {0, 0, 0, 1, 0, 1});
  auto out = runStep("attention", {{"scale", 0.5}, {"causal", false}}, {q, k, v, mask}, {DType::F32});
  std::vector<double> got = values(out[0]);
  EXPECT_TRUE(std::isnan(got[0]));
  EXPECT_FALSE(std::isnan(got[8]));
}

// ---- rope --------------------------------------------------------------------------------------

void checkRope(bool interleaved, int64_t dim, int64_t rotary, bool fullWidth, bool positions,
               bool batchTable, DType dtype, uint32_t seed) {
  int64_t B = 2, H = 3, S = 5, P = 11;
  int64_t W = fullWidth ? rotary : rotary / 2;
  Tensor x = random(dtype, {B, H, S, dim}, seed);
  Shape tableShape = positions ? Shape{P, W} : batchTable ? Shape{B, S, W} : Shape{S, W};
  Tensor cos = random(DType::F32, tableShape, seed + 1), sin = random(DType::F32, tableShape, seed + 2);
  std::vector<double> pv;
  Tensor pos;
  if (positions) {
    for (int64_t i = 0; i < B * S; ++i) pv.push_back(double((i * 7 + 3) % P));
    pos = make(DType::I64, {B, S}, pv);
  }
  std::vector<double> X = values(x), C = values(cos), N = values(sin);
  std::vector<double> expected = X;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t s = 0; s < S; ++s) {
        int64_t row = positions ? int64_t(pv[b * S + s]) : batchTable ? b * S + s : s;
        const double *xr = X.data() + ((b * H + h) * S + s) * dim;
        double *yr = expected.data() + ((b * H + h) * S + s) * dim;
        auto cAt = [&](int64_t f) { return C[row * W + (fullWidth ? f : f % (rotary / 2))]; };
        auto nAt = [&](int64_t f) { return N[row * W + (fullWidth ? f : f % (rotary / 2))]; };
        for (int64_t f = 0; f < rotary; ++f) {
          if (interleaved) {
            int64_t pair = f / 2;
            double c = fullWidth ? C[row * W + f] : C[row * W + pair];
            double n = fullWidth ? N[row * W + f] : N[row * W + pair];
            yr[f] = f % 2 == 0 ? xr[f] * c - xr[f + 1] * n : xr[f] * c + xr[f - 1] * n;
          } else {
            int64_t half = rotary / 2;
            double rot = f < half ? -xr[f + half] : xr[f - half];
            yr[f] = xr[f] * cAt(f) + rot * nAt(f);
          }
        }
      }
  nlohmann::json attrs = {{"style", interleaved ? "interleaved" : "rotate_half"}};
  if (rotary != dim) attrs["rotary_dim"] = rotary;
  std::vector<Tensor> ins{x, cos, sin};
  if (positions) ins.push_back(pos);
  auto out = runStep("rope", attrs, ins, {dtype});
  expectClose(out[0], {B, H, S, dim}, expected, tolerance(dtype), tolerance(dtype),
              std::string("rope ") + (interleaved ? "interleaved" : "rotate_half"));
}

TEST(MathKernels, Rope) {
  uint32_t seed = 200;
  for (bool inter : {false, true})
    for (bool fullWidth : {false, true}) {
      checkRope(inter, 16, 16, fullWidth, false, false, DType::F32, seed++);
      checkRope(inter, 18, 10, fullWidth, false, true, DType::F32, seed++);  // partial
      checkRope(inter, 16, 12, fullWidth, true, false, DType::F32, seed++);  // positions
      checkRope(inter, 16, 16, fullWidth, true, false, DType::F16, seed++);
      checkRope(inter, 16, 16, fullWidth, false, false, DType::F64, seed++);
    }
}

TEST(MathKernels, RopePositionOutOfRange) {
  Tensor x = random(DType::F32, {1, 1, 2, 4}, 1), cos = random(DType::F32, {3, 2}, 2),
         sin = random(DType::F32, {3, 2}, 3);
  Tensor pos = make(DType::I64, {1, 2}, {0, 3});
  EXPECT_THROW(runStep("rope", {{"style", "rotate_half"}}, {x, cos, sin, pos}, {DType::F32}), Error);
}

// ---- moe -------------------------------------------------------------------------------------

struct MoeCase {
  int64_t tokens = 7, hidden = 12, experts = 8, inter = 6, sharedInter = 0;
  int64_t topK = 2, nGroup = 1, topkGroup = 1;
  bool sigmoid = false, top2Sum = false, norm = false, bias = false, fused = false;
  double scaling = 1.0;
  std::string act = "silu";
  DType dtype = DType::F32;
};

double refAct(const std::string &act, double g) {
  if (act == "silu") return g / (1 + std::exp(-g));
  if (act == "gelu") return 0.5 * g * (1 + std::erf(g / std::sqrt(2.0)));
  if (act == "gelu_tanh")
    return 0.5 * g * (1 + std::tanh(std::sqrt(2 / M_PI) * (g + 0.044715 * g * g * g)));
  return std::max(0.0, g);
}

// Brute-force routing: every subset of topk_group groups is scored, the best kept (first
// in index order on ties); experts chosen by full sort.
std::vector<std::pair<int64_t, double>> refRoute(const MoeCase &c, const double *logits,
                                                 const std::vector<double> &bias) {
  int64_t E = c.experts;
  std::vector<double> p(E), s(E);
  if (c.sigmoid) {
    for (int64_t e = 0; e < E; ++e) p[e] = 1 / (1 + std::exp(-logits[e]));
  } else {
    double mx = *std::max_element(logits, logits + E), sum = 0;
    for (int64_t e = 0; e < E; ++e) sum += p[e] = std::exp(logits[e] - mx);
    for (double &x : p) x /= sum;
  }
  for (int64_t e = 0; e < E; ++e) s[e] = p[e] + (c.bias ? bias[e] : 0);
  std::vector<bool> allowed(E, true);
  if (c.nGroup > 1) {
    int64_t per = E / c.nGroup;
    std::vector<double> gs(c.nGroup);
    for (int64_t g = 0; g < c.nGroup; ++g) {
      std::vector<double> v(s.begin() + g * per, s.begin() + (g + 1) * per);
      std::sort(v.rbegin(), v.rend());
      gs[g] = c.top2Sum ? v[0] + v[1] : v[0];
    }
    double best = -INFINITY;
    uint32_t bestMask = 0;
    for (uint32_t m = 0; m < (1u << c.nGroup); ++m) {
      if (__builtin_popcount(m) != c.topkGroup) continue;
      double total = 0;
      for (int64_t g = 0; g < c.nGroup; ++g)
        if (m & (1u << g)) total += gs[g];
      if (total > best) best = total, bestMask = m;
    }
    for (int64_t e = 0; e < E; ++e) allowed[e] = bestMask & (1u << (e / per));
  }
  std::vector<int64_t> order(E);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    if (allowed[a] != allowed[b]) return bool(allowed[a]);
    return s[a] > s[b];
  });
  std::vector<std::pair<int64_t, double>> chosen;
  double sum = 0;
  for (int64_t i = 0; i < c.topK; ++i) {
    chosen.push_back({order[i], p[order[i]]});
    sum += p[order[i]];
  }
  for (auto &[e, w] : chosen) w = (c.norm ? w / sum : w) * c.scaling;
  return chosen;
}

void checkMoe(const MoeCase &c, uint32_t seed) {
  int64_t T = c.tokens, H = c.hidden, E = c.experts, I = c.inter, Is = c.sharedInter;
  Tensor x = random(c.dtype, {T, H}, seed);
  Tensor logits = random(DType::F32, {T, E}, seed + 1, -3, 3);
  Tensor wg = random(c.dtype, {E, H, c.fused ? 2 * I : I}, seed + 2);
  Tensor wu = random(c.dtype, {E, H, I}, seed + 3);
  Tensor wd = random(c.dtype, {E, I, H}, seed + 4);
  // A bias large enough to change the choice, so using it for the weights would show.
  Tensor bias = random(DType::F32, {E}, seed + 5, -0.5, 0.5);
  Tensor sg = random(c.dtype, {H, std::max<int64_t>(Is, 1)}, seed + 6);
  Tensor su = random(c.dtype, {H, std::max<int64_t>(Is, 1)}, seed + 7);
  Tensor sd = random(c.dtype, {std::max<int64_t>(Is, 1), H}, seed + 8);
  std::vector<double> X = values(x), L = values(logits), G = values(wg), U = values(wu),
                      D = values(wd), Bv = values(bias), SG = values(sg), SU = values(su),
                      SD = values(sd);
  int64_t gc = c.fused ? 2 * I : I;
  std::vector<double> expected(static_cast<size_t>(T * H), 0.0);
  for (int64_t t = 0; t < T; ++t) {
    const double *xt = X.data() + t * H;
    for (auto [e, w] : refRoute(c, L.data() + t * E, Bv)) {
      std::vector<double> h(I);
      for (int64_t i = 0; i < I; ++i) {
        double g = 0, u = 0;
        for (int64_t j = 0; j < H; ++j) {
          g += xt[j] * G[(e * H + j) * gc + i];
          u += xt[j] * (c.fused ? G[(e * H + j) * gc + I + i] : U[(e * H + j) * I + i]);
        }
        h[i] = refAct(c.act, g) * u;
      }
      for (int64_t j = 0; j < H; ++j) {
        double y = 0;
        for (int64_t i = 0; i < I; ++i) y += h[i] * D[(e * I + i) * H + j];
        expected[t * H + j] += w * y;
      }
    }
    if (Is) {
      std::vector<double> h(Is);
      for (int64_t i = 0; i < Is; ++i) {
        double g = 0, u = 0;
        for (int64_t j = 0; j < H; ++j) g += xt[j] * SG[j * Is + i], u += xt[j] * SU[j * Is + i];
        h[i] = refAct(c.act, g) * u;
      }
      for (int64_t j = 0; j < H; ++j)
        for (int64_t i = 0; i < Is; ++i) expected[t * H + j] += h[i] * SD[i * H + j];
    }
  }
  nlohmann::json attrs = {{"top_k", c.topK},
                          {"gating", c.sigmoid ? "sigmoid" : "softmax"},
                          {"n_group", c.nGroup},
                          {"topk_group", c.topkGroup},
                          {"group_score", c.top2Sum ? "top2_sum" : "max"},
                          {"norm_topk_prob", c.norm},
                          {"routed_scaling_factor", c.scaling},
                          {"activation", c.act}};
  Tensor absent;
  std::vector<Tensor> ins{x, logits, wg, c.fused ? absent : wu, wd, c.bias ? bias : absent,
                          Is ? sg : absent, Is ? su : absent, Is ? sd : absent};
  auto out = runStep("moe", attrs, ins, {c.dtype});
  expectClose(out[0], {T, H}, expected, tolerance(c.dtype) * 2, tolerance(c.dtype) * 2,
              "moe seed " + std::to_string(seed));
}

TEST(MathKernels, Moe) {
  MoeCase c;
  checkMoe(c, 300);  // softmax top-2
  c.norm = true, c.scaling = 1.5, c.act = "gelu";
  checkMoe(c, 301);
  c = MoeCase{};
  c.sigmoid = true, c.bias = true, c.nGroup = 4, c.topkGroup = 2, c.top2Sum = true, c.topK = 3,
  c.norm = true, c.scaling = 2.5, c.sharedInter = 5;  // DeepSeek-V3 style
  checkMoe(c, 302);
  c.tokens = 40, c.fused = true, c.act = "gelu_tanh";
  checkMoe(c, 303);
  c = MoeCase{};
  c.nGroup = 4, c.topkGroup = 3, c.topK = 4, c.act = "relu";  // V2 group max
  checkMoe(c, 304);
  c = MoeCase{};
  c.dtype = DType::BF16, c.sharedInter = 4, c.bias = true, c.sigmoid = true;
  checkMoe(c, 305);
  c = MoeCase{};
  c.tokens = 0;
  checkMoe(c, 306);
}

// ---- quantization --------------------------------------------------------------------------

TEST(MathKernels, QuantizeRoundingAndSaturation) {
  // x / scale = 2.5, 3.5, -2.5, -3.5, 0.5, 1.5, 1000, -1000
  Tensor x = make(DType::F32, {8}, {5, 7, -5, -7, 1, 3, 2000, -2000});
  Tensor scale = make(DType::F32, {}, {2});
  auto out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}},
                     {x, scale}, {DType::I8});
  expectClose(out[0], {8}, {2, 4, -2, -4, 0, 2, 127, -128}, 0, 0, "quantize i8 ties");
  Tensor zp = make(DType::U8, {}, {128});
  out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}}, {x, scale, zp},
                {DType::U8});
  expectClose(out[0], {8}, {130, 132, 126, 124, 128, 130, 255, 0}, 0, 0, "quantize u8 zp");
  Tensor zp16 = make(DType::I16, {1}, {-3});
  out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}},
                {x, scale, zp16}, {DType::I16});
  expectClose(out[0], {8}, {-1, 1, -5, -7, -3, -1, 997, -1003}, 0, 0, "quantize i16");
  // f8: saturate clamps to the largest finite value (448), otherwise NaN for e4m3fn.
  Tensor big = make(DType::F32, {3}, {1000, -1000, 1.0});
  Tensor one = make(DType::F32, {}, {1});
  out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}}, {big, one},
                {DType::F8E4M3FN});
  expectClose(out[0], {3}, {448, -448, 1}, 0, 0, "quantize f8 saturate");
  out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", false}}, {big, one},
                {DType::F8E4M3FN});
  std::vector<double> v = values(out[0]);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[2], 1.0);
}

TEST(MathKernels, QuantizeLayouts) {
  // Per-axis along axis 1 of [2, 3, 2] and blocked (block 2) along axis 2 of [2, 2, 5].
  Tensor x = random(DType::F32, {2, 3, 2}, 400, -10, 10);
  Tensor scale = make(DType::F32, {3}, {0.5, 0.25, 2});
  Tensor zp = make(DType::I8, {3}, {1, -2, 3});
  std::vector<double> X = values(x), expected;
  for (int64_t i = 0; i < 12; ++i) {
    int64_t a = (i / 2) % 3;
    double s[] = {0.5, 0.25, 2}, z[] = {1, -2, 3};
    expected.push_back(std::clamp(std::nearbyint(X[i] / s[a]) + z[a], -128.0, 127.0));
  }
  auto out = runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}},
                     {x, scale, zp}, {DType::I8});
  expectClose(out[0], {2, 3, 2}, expected, 0, 0, "quantize per-axis");
  // Dequantize back with the same layout.
  std::vector<double> q = values(out[0]), back;
  for (int64_t i = 0; i < 12; ++i) {
    int64_t a = (i / 2) % 3;
    double s[] = {0.5, 0.25, 2}, z[] = {1, -2, 3};
    back.push_back((q[i] - z[a]) * s[a]);
  }
  auto deq = runStep("dequantize", {{"axis", -2}, {"block_size", 0}}, {out[0], scale, zp},
                     {DType::F32});
  expectClose(deq[0], {2, 3, 2}, back, 1e-6, 0, "dequantize per-axis");

  Tensor xb = random(DType::F32, {2, 2, 5}, 401, -4, 4);
  Tensor sb = random(DType::F32, {2, 2, 3}, 402, 0.05, 0.5);
  Tensor zb = make(DType::U8, {2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  std::vector<double> XB = values(xb), SB = values(sb), ZB = values(zb), eb, db;
  for (int64_t i = 0; i < 20; ++i) {
    int64_t row = i / 5, col = i % 5, si = row * 3 + col / 2;
    double qv = std::clamp(std::nearbyint(double(float(XB[i]) / float(SB[si]))) + ZB[si], 0.0, 255.0);
    eb.push_back(qv);
    db.push_back((qv - ZB[si]) * SB[si]);
  }
  out = runStep("quantize", {{"axis", 2}, {"block_size", 2}, {"saturate", true}}, {xb, sb, zb},
                {DType::U8});
  expectClose(out[0], {2, 2, 5}, eb, 0, 0, "quantize blocked");
  deq = runStep("dequantize", {{"axis", 2}, {"block_size", 2}}, {out[0], sb, zb}, {DType::BF16});
  expectClose(deq[0], {2, 2, 5}, db, 8e-3, 1e-6, "dequantize blocked to bf16");
  // int32 input (accumulators), per tensor, no zero point.
  Tensor acc = make(DType::I32, {3}, {100000, -7, 2147483647});
  Tensor s32 = make(DType::F32, {1}, {0.001});
  deq = runStep("dequantize", {{"axis", 1}, {"block_size", 0}}, {acc, s32}, {DType::F32});
  expectClose(deq[0], {3}, {100, -0.007, 2147483.647}, 1e-6, 0, "dequantize i32");
  // A wrong scale shape is an error naming the expected shape.
  Tensor bad = make(DType::F32, {2}, {1, 2});
  EXPECT_THROW(runStep("quantize", {{"axis", 1}, {"block_size", 0}, {"saturate", true}},
                       {x, bad}, {DType::I8}),
               Error);
}

TEST(MathKernels, DynamicQuantize) {
  // The example of the ONNX operator documentation.
  Tensor x = make(DType::F32, {6}, {0, 2, -3, -2.5, 1.34, 0.5});
  auto out = runStep("dynamic_quantize", nlohmann::json::object(), {x},
                     {DType::U8, DType::F32, DType::U8});
  expectClose(out[0], {6}, {153, 255, 0, 26, 221, 179}, 0, 0, "dynamic_quantize y");
  expectClose(out[1], {}, {0.0196078438}, 1e-6, 0, "dynamic_quantize scale");
  expectClose(out[2], {}, {153}, 0, 0, "dynamic_quantize zero point");
  // All-positive input: the range still includes 0; all zeros: scale 0.
  Tensor pos = make(DType::F32, {3}, {1, 2, 2.55});
  out = runStep("dynamic_quantize", nlohmann::json::object(), {pos}, {DType::U8, DType::F32, DType::U8});
  expectClose(out[0], {3}, {100, 200, 255}, 0, 0, "dynamic_quantize positive");
  expectClose(out[2], {}, {0}, 0, 0, "dynamic_quantize positive zp");
  Tensor zeros = make(DType::F32, {2}, {0, 0});
  out = runStep("dynamic_quantize", nlohmann::json::object(), {zeros}, {DType::U8, DType::F32, DType::U8});
  expectClose(out[0], {2}, {0, 0}, 0, 0, "dynamic_quantize zeros");
  expectClose(out[1], {}, {0}, 0, 0, "dynamic_quantize zero scale");
}

void checkNBits(int64_t bits, int zpKind, bool withBias, DType dtype, int64_t m, int64_t k,
                int64_t n, int64_t blockSize, uint32_t seed) {
  int64_t blocks = (k + blockSize - 1) / blockSize, blob = blockSize * bits / 8;
  std::mt19937 gen(seed);
  std::vector<double> wv(static_cast<size_t>(n * blocks * blob));
  for (double &v : wv) v = gen() % 256;
  Tensor w = make(DType::U8, {n, blocks, blob}, wv);
  Tensor scales = random(dtype, {n, blocks}, seed + 1, 0.01, 0.1);
  Tensor x = random(dtype, {m, k}, seed + 2);
  Tensor bias = random(dtype, {n}, seed + 3);
  int64_t zpCols = (blocks * bits + 7) / 8;
  std::vector<double> zpv;
  Tensor zp;
  if (zpKind == 1) {
    for (int64_t i = 0; i < n * zpCols; ++i) zpv.push_back(gen() % 256);
    zp = make(DType::U8, {n, zpCols}, zpv);
  } else if (zpKind == 2) {
    zp = random(dtype, {n * blocks}, seed + 4, 0, double(1 << bits));  // flat, unpacked
    zpv = values(zp);
  }
  std::vector<double> S = values(scales), X = values(x), Bv = values(bias);
  int64_t mask = (1 << bits) - 1, perByte = 8 / bits;
  std::vector<double> W(static_cast<size_t>(n * k));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) {
      int64_t b = c / blockSize, j = c % blockSize;
      int64_t q = (int64_t(wv[(r * blocks + b) * blob + j / perByte]) >> ((j % perByte) * bits)) & mask;
      double z = 1 << (bits - 1);
      if (zpKind == 1)
        z = (int64_t(zpv[r * zpCols + b * bits / 8]) >> ((b * bits) % 8)) & mask;
      else if (zpKind == 2)
        z = zpv[r * blocks + b];
      W[r * k + c] = (q - z) * S[r * blocks + b];
    }
  std::vector<double> expected(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = withBias ? Bv[j] : 0;
      for (int64_t p = 0; p < k; ++p) s += X[i * k + p] * W[j * k + p];
      expected[i * n + j] = s;
    }
  Tensor absent;
  auto out = runStep("matmul_nbits", {{"k", k}, {"n", n}, {"bits", bits}, {"block_size", blockSize}},
                     {x, w, scales, zpKind ? zp : absent, withBias ? bias : absent}, {dtype});
  expectClose(out[0], {m, n}, expected, tolerance(dtype) * 2, tolerance(dtype) * 4,
              "matmul_nbits bits " + std::to_string(bits));
}

TEST(MathKernels, MatmulNBits) {
  checkNBits(4, 0, false, DType::F32, 3, 40, 70, 16, 500);   // K not a block multiple
  checkNBits(4, 1, true, DType::F32, 1, 64, 33, 32, 501);
  checkNBits(4, 2, true, DType::F32, 9, 64, 130, 16, 502);
  checkNBits(2, 1, false, DType::F32, 5, 70, 20, 32, 503);
  checkNBits(8, 1, true, DType::F32, 4, 48, 17, 16, 504);
  checkNBits(4, 1, true, DType::F16, 6, 64, 40, 32, 505);
}

// ---- GEMM throughput (DS_GEMM_BENCH=1) ----------------------------------------------------

TEST(MathKernels, GemmBenchmark) {
  if (!std::getenv("DS_GEMM_BENCH")) GTEST_SKIP() << "set DS_GEMM_BENCH=1 to run";
  int threads = std::getenv("DS_GEMM_THREADS") ? std::atoi(std::getenv("DS_GEMM_THREADS")) : 0;
  ThreadPool pool(threads);
  struct Shp { int64_t m, k, n; bool transB; };
  std::vector<Shp> shapes = {{512, 512, 512, false},   {1024, 1024, 1024, false},
                             {2048, 2048, 2048, false}, {1, 2048, 2048, false},
                             {4, 2048, 2048, false},    {16, 2048, 2048, false},
                             {64, 2048, 2048, false},   {128, 2048, 2048, false},
                             {256, 2048, 2048, false},  {512, 2048, 2048, false},
                             {1, 2048, 2048, true},     {64, 2048, 2048, true},
                             {512, 2048, 2048, true}};
  if (const char *only = std::getenv("DS_GEMM_BENCH_M")) {
    int64_t m = std::atoll(only);
    shapes.erase(std::remove_if(shapes.begin(), shapes.end(), [&](const Shp &s) { return s.m != m; }),
                 shapes.end());
  }
  for (const Shp &s : shapes) {
    Tensor a = random(DType::F32, {s.m, s.k}, 1);
    Tensor b = random(DType::F32, s.transB ? Shape{s.n, s.k} : Shape{s.k, s.n}, 2);
    for (bool blas : {true, false}) {
      if (blas && !cpu::gemmBlasAvailable()) continue;
      BlasMode mode(blas);
      auto once = [&] {
        return runStep("matmul", {{"transpose_a", false}, {"transpose_b", s.transB}}, {a, b},
                       {DType::F32}, pool);
      };
      once();
      double flops = 2.0 * s.m * s.n * s.k;
      int reps = std::max(3, int(2e9 / flops));
      double best = 1e30;
      for (int r = 0; r < reps; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        once();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("gemm %-8s threads %2d  M %5lld K %5lld N %5lld%s  %8.3f ms  %7.1f GFLOP/s\n",
                  blas ? "openblas" : "builtin", pool.size(), (long long)s.m, (long long)s.k,
                  (long long)s.n, s.transB ? " (B^T)" : "      ", best * 1e3, flops / best * 1e-9);
    }
  }
}

}  // namespace
