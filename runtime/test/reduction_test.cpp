// Tests of the cpu reduction family (reduce, arg_reduce, softmax, log_softmax, hardmax,
// layer_norm, rms_norm, cumsum, topk): every kernel against an independent double-
// precision reference, over dtypes, axis patterns, odd sizes, 0-size dims and NaN/Inf.
#include "Kernel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <random>

using namespace ds::rt;
using nlohmann::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Harness {
  KernelRegistry registry;
  ThreadPool pool{3};
  Harness() { registerCpuReductionKernels(registry); }
};
Harness &harness() {
  static Harness h;
  return h;
}

TensorView viewOf(const Tensor &t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.data = const_cast<void *>(t.data());
  v.present = true;
  return v;
}

Tensor makeTensor(DType dtype, const Shape &shape, const std::vector<double> &values) {
  Tensor t = Tensor::empty(dtype, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numel());
  TensorView v = viewOf(t);
  for (int64_t i = 0; i < t.numel(); ++i) storeFromDouble(v, i, values[i]);
  return t;
}

std::vector<double> valuesOf(const Tensor &t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  TensorView v = viewOf(t);
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = loadAsDouble(v, i);
  return out;
}

// One step with its shape function run and outputs allocated; run() calls the kernel.
// An invalid Tensor in `inputs` is an absent optional operand.
struct PreparedStep {
  StepDesc step;
  const KernelDef *def = nullptr;
  std::vector<Tensor> inputs, outputs;
  std::vector<TensorView> inViews, outViews;

  PreparedStep(const std::string &kind, const json &attrs, std::vector<Tensor> ins,
               const std::vector<DType> &outputTypes)
      : inputs(std::move(ins)) {
    def = harness().registry.find(kind);
    if (!def) throw Error("no kernel for " + kind);
    step.kind = kind;
    step.name = "test_node";
    step.attrs = attrs;
    for (const Tensor &t : inputs) inViews.push_back(t.valid() ? viewOf(t) : TensorView{});
    ShapeContext sc{step, inViews, outputTypes, {}, {}};
    def->shape(sc);
    EXPECT_EQ(sc.outputShapes.size(), outputTypes.size());
    for (size_t i = 0; i < outputTypes.size(); ++i) {
      outputs.push_back(Tensor::empty(outputTypes[i], sc.outputShapes[i]));
      outViews.push_back(viewOf(outputs.back()));
    }
  }
  void run() {
    KernelContext kc{step, inViews, outViews, harness().pool};
    def->run(kc);
  }
};

std::vector<Tensor> runStep(const std::string &kind, const json &attrs,
                            const std::vector<Tensor> &inputs,
                            const std::vector<DType> &outputTypes) {
  PreparedStep p(kind, attrs, inputs, outputTypes);
  p.run();
  return p.outputs;
}

// Shape-function error text (empty when it succeeds).
std::string shapeError(const std::string &kind, const json &attrs,
                       const std::vector<Tensor> &inputs, const std::vector<DType> &types) {
  try {
    runStep(kind, attrs, inputs, types);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

// Random values rounded to `dtype` (so that references see exactly the kernel's input).
std::vector<double> randomValues(DType dtype, int64_t n, double lo, double hi, uint32_t seed,
                                 bool integral = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double &x : v) x = integral ? std::floor(dist(rng)) : dist(rng);
  Tensor t = makeTensor(dtype, {n}, v);
  return valuesOf(t);
}

double computeEps(DType dtype) { return dtype == DType::F64 ? 2.3e-16 : 1.2e-7; }
double storageEps(DType dtype) {
  switch (dtype) {
  case DType::F16: return 1.0 / 1024;
  case DType::BF16: return 1.0 / 128;
  case DType::F8E4M3FN: return 1.0 / 8;
  case DType::F8E5M2: return 1.0 / 4;
  case DType::F64: return 2.3e-16;
  default: return 1.2e-7;
  }
}

// Absolute resolution near zero (f16 subnormals are 2^-24 apart).
double storageTiny(DType dtype) {
  switch (dtype) {
  case DType::F16: return 6e-8;
  case DType::F8E4M3FN: return 2e-3;
  case DType::F8E5M2: return 1.6e-5;
  default: return 1e-300;
  }
}

// |actual - expected| <= tol[i], NaN matching NaN and infinities matching exactly.
void expectClose(const std::vector<double> &actual, const std::vector<double> &expected,
                 const std::vector<double> &tol, const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  int failures = 0;
  for (size_t i = 0; i < actual.size() && failures < 5; ++i) {
    double a = actual[i], e = expected[i];
    bool ok = std::isnan(e) ? std::isnan(a)
              : std::isinf(e) ? a == e
                              : std::fabs(a - e) <= tol[i];
    if (!ok) {
      ++failures;
      ADD_FAILURE() << what << ": element " << i << " is " << a << ", expected " << e
                    << " (tolerance " << tol[i] << ")";
    }
  }
}

void expectEqualValues(const std::vector<double> &actual, const std::vector<double> &expected,
                       const std::string &what) {
  expectClose(actual, expected, std::vector<double>(expected.size(), 0.0), what);
}

Shape stridesOf(const Shape &shape) {
  Shape s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

std::string str(const std::vector<int64_t> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// reduce
//===----------------------------------------------------------------------===//

const char *kFloatFns[] = {"sum", "mean", "max",        "min",     "prod",
                           "l1",  "l2",   "sum_square", "log_sum", "log_sum_exp"};

struct ReduceRef {
  Shape shape;
  std::vector<double> values, magnitude;  // magnitude: scale of rounding errors
};

// Naive reduction in double: each input element adds into the output it maps to.
ReduceRef referenceReduce(const std::string &fn, const Shape &shape,
                          const std::vector<double> &x, const std::vector<int64_t> &axes,
                          bool keep) {
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes) reduced[a < 0 ? a + rank : a] = true;
  ReduceRef r;
  Shape kept;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d]) kept.push_back(shape[d]);
    if (!reduced[d]) r.shape.push_back(shape[d]);
    else if (keep) r.shape.push_back(1);
  }
  int64_t outN = numElements(kept);
  Shape inStrides = stridesOf(shape), outStrides = stridesOf(kept);
  std::vector<std::vector<double>> groups(outN);
  for (int64_t i = 0; i < numElements(shape); ++i) {
    int64_t o = 0, k = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = (i / inStrides[d]) % shape[d];
      if (!reduced[d]) o += c * outStrides[k++];
    }
    groups[o].push_back(x[i]);
  }
  for (const auto &g : groups) {
    double acc = 0, mag = 0;
    bool nan = false;
    for (double v : g) nan |= std::isnan(v);
    if (fn == "sum" || fn == "mean" || fn == "log_sum") {
      for (double v : g) acc += v, mag += std::fabs(v);
      if (fn == "mean") acc /= g.size(), mag /= g.size();
      if (fn == "log_sum") mag /= std::fabs(acc), acc = std::log(acc);
    } else if (fn == "l1") {
      for (double v : g) acc += std::fabs(v);
      mag = acc;
    } else if (fn == "l2" || fn == "sum_square") {
      for (double v : g) acc += v * v;
      mag = acc;
      if (fn == "l2") acc = std::sqrt(acc), mag = acc;
    } else if (fn == "prod") {
      acc = 1;
      for (double v : g) acc *= v;
      mag = std::fabs(acc) * g.size();
    } else if (fn == "max" || fn == "min") {
      acc = fn == "max" ? -kInf : kInf;
      for (double v : g) acc = fn == "max" ? std::max(acc, v) : std::min(acc, v);
    } else if (fn == "log_sum_exp") {
      bool posInf = false;
      for (double v : g) posInf |= v == kInf, acc += std::isinf(v) ? 0 : std::exp(v);
      acc = posInf ? kInf : std::log(acc);
      mag = 4;
    }
    if (nan) acc = kNaN;
    r.values.push_back(acc);
    r.magnitude.push_back(mag);
  }
  return r;
}

struct AxisCase {
  std::vector<int64_t> axes;
  bool keep;
};
const AxisCase kAxisCases[] = {
    {{-1}, false}, {{2}, true},     {{1}, false},      {{1}, true},   {{0}, false},
    {{0, 2}, true}, {{-3, -1}, false}, {{0, 1, 2}, false}, {{0, 1, 2}, true},
    {{0, 1}, false}, {{}, false},     {{}, true},
};

void checkFloatReduce(DType dtype, const Shape &shape, uint32_t seed) {
  for (const char *fn : kFloatFns) {
    std::string f = fn;
    double lo = -3, hi = 3;
    if (f == "log_sum") lo = 0.1;
    if (f == "prod") lo = 0.97, hi = 1.03;
    std::vector<double> x = randomValues(dtype, numElements(shape), lo, hi, seed++);
    Tensor in = makeTensor(dtype, shape, x);
    for (const AxisCase &c : kAxisCases) {
      std::string what = std::string(dtypeName(dtype)) + " " + f + " over " + str(c.axes) +
                         (c.keep ? " keep_dims" : "") + " of " + shapeToString(shape);
      auto out = runStep("reduce", {{"fn", f}, {"axes", c.axes}, {"keep_dims", c.keep}}, {in},
                         {dtype});
      ReduceRef ref = referenceReduce(f, shape, x, c.axes, c.keep);
      EXPECT_EQ(out[0].shape(), ref.shape) << what;
      std::vector<double> tol;
      for (size_t i = 0; i < ref.values.size(); ++i)
        tol.push_back(storageEps(dtype) * std::fabs(ref.values[i]) +
                      8 * computeEps(dtype) * ref.magnitude[i] + storageTiny(dtype));
      expectClose(valuesOf(out[0]), ref.values, tol, what);
    }
  }
}

TEST(Reduce, FloatFunctionsAxesDtypes) {
  checkFloatReduce(DType::F32, {3, 5, 67}, 1);
  checkFloatReduce(DType::F16, {2, 3, 41}, 100);
  checkFloatReduce(DType::BF16, {4, 3, 9}, 200);
  checkFloatReduce(DType::F64, {3, 4, 35}, 300);
  checkFloatReduce(DType::F8E4M3FN, {2, 3, 5}, 310);  // results stay below 448
  checkFloatReduce(DType::F8E5M2, {2, 3, 5}, 320);
}

TEST(Reduce, OddAndUnitShapes) {
  checkFloatReduce(DType::F32, {1, 1, 1}, 400);
  checkFloatReduce(DType::F32, {7, 1, 1029}, 500);  // wider than a column chunk
  checkFloatReduce(DType::F32, {33, 2, 1}, 600);
}

TEST(Reduce, RankZeroAndRankOne) {
  Tensor s = makeTensor(DType::F32, {}, {2.5});
  auto out = runStep("reduce", {{"fn", "l2"}, {"axes", json::array()}, {"keep_dims", false}},
                     {s}, {DType::F32});
  EXPECT_EQ(out[0].shape(), Shape{});
  EXPECT_EQ(valuesOf(out[0])[0], 2.5);
  std::vector<double> v = randomValues(DType::F32, 100, -1, 1, 7);
  Tensor t = makeTensor(DType::F32, {100}, v);
  out = runStep("reduce", {{"fn", "sum"}, {"axes", {0}}, {"keep_dims", true}}, {t}, {DType::F32});
  EXPECT_EQ(out[0].shape(), Shape{1});
  EXPECT_NEAR(valuesOf(out[0])[0], std::accumulate(v.begin(), v.end(), 0.0), 1e-5);
}

// Integer reductions: 64-bit wrapping sums/products, truncating mean, native max/min.
template <class T>
std::vector<double> intReference(const std::string &fn, const Shape &shape,
                                 const std::vector<double> &x, const std::vector<int64_t> &axes,
                                 Shape *outShape) {
  ReduceRef groupsOnly = referenceReduce("sum", shape, x, axes, false);
  *outShape = groupsOnly.shape;
  // Regroup exactly: collect each output's members again with integer arithmetic.
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes) reduced[a < 0 ? a + rank : a] = true;
  Shape kept;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d]) kept.push_back(shape[d]);
  Shape inStrides = stridesOf(shape), outStrides = stridesOf(kept);
  std::vector<std::vector<int64_t>> groups(numElements(kept));
  for (int64_t i = 0; i < numElements(shape); ++i) {
    int64_t o = 0, k = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d]) o += ((i / inStrides[d]) % shape[d]) * outStrides[k++];
    groups[o].push_back(static_cast<int64_t>(x[i]));
  }
  std::vector<double> out;
  for (const auto &g : groups) {
    uint64_t acc = fn == "prod" ? 1 : 0;
    int64_t best = fn == "max" ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    for (int64_t v : g) {
      if (fn == "sum" || fn == "mean") acc += static_cast<uint64_t>(v);
      if (fn == "l1") acc += static_cast<uint64_t>(v < 0 ? -v : v);
      if (fn == "sum_square") acc += static_cast<uint64_t>(v * v);
      if (fn == "prod") acc *= static_cast<uint64_t>(v);
      if (fn == "max") best = std::max(best, v);
      if (fn == "min") best = std::min(best, v);
    }
    int64_t r;
    if (fn == "max" || fn == "min") r = best;
    else if (fn == "mean")
      r = g.empty() ? 0
          : std::is_signed_v<T> ? static_cast<int64_t>(acc) / static_cast<int64_t>(g.size())
                                : static_cast<int64_t>(acc / g.size());
    else r = static_cast<int64_t>(acc);
    out.push_back(static_cast<double>(static_cast<T>(r)));
  }
  return out;
}

template <class T> void checkIntReduce(DType dtype, const Shape &shape, double lo, double hi) {
  const char *fns[] = {"sum", "mean", "max", "min", "prod", "l1", "sum_square"};
  uint32_t seed = 900;
  for (const char *fn : fns) {
    std::vector<double> x = randomValues(dtype, numElements(shape), lo, hi, seed++, true);
    Tensor in = makeTensor(dtype, shape, x);
    for (const AxisCase &c : kAxisCases) {
      std::string what = std::string(dtypeName(dtype)) + " " + fn + " over " + str(c.axes);
      auto out = runStep("reduce", {{"fn", fn}, {"axes", c.axes}, {"keep_dims", c.keep}},
                         {in}, {dtype});
      Shape refShape;
      std::vector<double> ref = intReference<T>(fn, shape, x, c.axes, &refShape);
      EXPECT_EQ(numElements(out[0].shape()), numElements(refShape)) << what;
      expectEqualValues(valuesOf(out[0]), ref, what);
    }
  }
}

TEST(Reduce, Integers) {
  checkIntReduce<int32_t>(DType::I32, {3, 4, 37}, -9, 10);
  checkIntReduce<int64_t>(DType::I64, {2, 5, 13}, -1000, 1000);
  checkIntReduce<int8_t>(DType::I8, {3, 2, 35}, -128, 128);     // wraps
  checkIntReduce<uint8_t>(DType::U8, {3, 3, 5}, 0, 256);        // wraps
  checkIntReduce<uint16_t>(DType::U16, {2, 3, 40}, 0, 65536);
  checkIntReduce<int16_t>(DType::I16, {4, 1, 33}, -300, 300);
}

TEST(Reduce, IntegerMeanTruncatesTowardZero) {
  Tensor t = makeTensor(DType::I32, {2, 3}, {-1, -1, -2, 1, 1, 2});
  auto out = runStep("reduce", {{"fn", "mean"}, {"axes", {1}}, {"keep_dims", false}}, {t},
                     {DType::I32});
  expectEqualValues(valuesOf(out[0]), {-1, 1}, "i32 mean");  // -4/3 and 4/3
}

TEST(Reduce, BoolMaxMin) {
  Tensor t = makeTensor(DType::I1, {3, 4}, {0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1});
  auto mx = runStep("reduce", {{"fn", "max"}, {"axes", {1}}, {"keep_dims", false}}, {t},
                    {DType::I1});
  auto mn = runStep("reduce", {{"fn", "min"}, {"axes", {-1}}, {"keep_dims", true}}, {t},
                    {DType::I1});
  expectEqualValues(valuesOf(mx[0]), {0, 1, 1}, "any");
  expectEqualValues(valuesOf(mn[0]), {0, 0, 1}, "all");
  EXPECT_EQ(mn[0].shape(), (Shape{3, 1}));
}

TEST(Reduce, EmptyReductionsGiveIdentities) {
  Tensor f = makeTensor(DType::F32, {2, 0, 3}, {});
  std::map<std::string, double> expected = {
      {"sum", 0},     {"max", -kInf}, {"min", kInf},        {"prod", 1},        {"l1", 0},
      {"l2", 0},      {"sum_square", 0}, {"log_sum", -kInf}, {"log_sum_exp", -kInf},
      {"mean", kNaN}};
  for (const auto &[fn, value] : expected) {
    auto out = runStep("reduce", {{"fn", fn}, {"axes", {1}}, {"keep_dims", true}}, {f},
                       {DType::F32});
    EXPECT_EQ(out[0].shape(), (Shape{2, 1, 3})) << fn;
    expectEqualValues(valuesOf(out[0]), std::vector<double>(6, value), "empty f32 " + fn);
  }
  Tensor i = makeTensor(DType::I16, {0, 4}, {});
  auto mx = runStep("reduce", {{"fn", "max"}, {"axes", {0}}, {"keep_dims", false}}, {i},
                    {DType::I16});
  auto mn = runStep("reduce", {{"fn", "min"}, {"axes", {0}}, {"keep_dims", false}}, {i},
                    {DType::I16});
  auto pr = runStep("reduce", {{"fn", "prod"}, {"axes", {0}}, {"keep_dims", false}}, {i},
                    {DType::I16});
  auto me = runStep("reduce", {{"fn", "mean"}, {"axes", {0}}, {"keep_dims", false}}, {i},
                    {DType::I16});
  expectEqualValues(valuesOf(mx[0]), std::vector<double>(4, -32768), "empty i16 max");
  expectEqualValues(valuesOf(mn[0]), std::vector<double>(4, 32767), "empty i16 min");
  expectEqualValues(valuesOf(pr[0]), std::vector<double>(4, 1), "empty i16 prod");
  expectEqualValues(valuesOf(me[0]), std::vector<double>(4, 0), "empty i16 mean");
  // A zero-size kept dim: empty output, nothing to do.
  auto none = runStep("reduce", {{"fn", "sum"}, {"axes", {0}}, {"keep_dims", false}}, {f},
                      {DType::F32});
  EXPECT_EQ(none[0].shape(), (Shape{0, 3}));
  Tensor all = makeTensor(DType::F16, {0}, {});
  auto s = runStep("reduce", {{"fn", "sum"}, {"axes", {0}}, {"keep_dims", false}}, {all},
                   {DType::F16});
  expectEqualValues(valuesOf(s[0]), {0}, "empty f16 sum");
}

TEST(Reduce, NanAndInfinity) {
  // Rows: a NaN, a +inf, all -inf, -inf mixed with finite values.
  std::vector<double> x = {1, kNaN, 3, 4, 1, kInf, 2, 0, -kInf, -kInf, -kInf, -kInf,
                           -kInf, 1, 2, 0.5};
  for (DType dt : {DType::F32, DType::F16, DType::F64}) {
    Tensor t = makeTensor(dt, {4, 4}, x);
    for (const char *fn : {"max", "min", "sum", "log_sum_exp", "l1"}) {
      for (int64_t axis : {1, 0}) {
        auto out = runStep("reduce", {{"fn", fn}, {"axes", {axis}}, {"keep_dims", false}}, {t},
                           {dt});
        ReduceRef ref = referenceReduce(fn, {4, 4}, x, {axis}, false);
        std::vector<double> tol;
        for (double v : ref.values) tol.push_back(std::fabs(v) * storageEps(dt) + 1e-6);
        expectClose(valuesOf(out[0]), ref.values, tol,
                    std::string(dtypeName(dt)) + " " + fn + " axis " + std::to_string(axis));
      }
    }
  }
}

TEST(Reduce, LogSumExpIsStableForLargeValues) {
  Tensor t = makeTensor(DType::F32, {2, 3}, {1000, 1000, 1000, -1000, -1001, -1002});
  auto out = runStep("reduce", {{"fn", "log_sum_exp"}, {"axes", {1}}, {"keep_dims", false}},
                     {t}, {DType::F32});
  auto v = valuesOf(out[0]);
  EXPECT_NEAR(v[0], 1000 + std::log(3.0), 1e-3);
  EXPECT_NEAR(v[1], -1000 + std::log(1 + std::exp(-1.0) + std::exp(-2.0)), 1e-3);
}

TEST(Reduce, Errors) {
  Tensor f = makeTensor(DType::F32, {2, 3}, std::vector<double>(6, 1));
  Tensor i = makeTensor(DType::I32, {2, 3}, std::vector<double>(6, 1));
  Tensor b = makeTensor(DType::I1, {2, 3}, std::vector<double>(6, 1));
  auto keep = [](const char *fn, json axes) {
    return json{{"fn", fn}, {"axes", axes}, {"keep_dims", false}};
  };
  std::string e = shapeError("reduce", keep("sum", {2}), {f}, {DType::F32});
  EXPECT_NE(e.find("axis 2"), std::string::npos) << e;
  EXPECT_NE(e.find("test_node"), std::string::npos) << e;
  e = shapeError("reduce", keep("sum", {1, -1}), {f}, {DType::F32});
  EXPECT_NE(e.find("repeated"), std::string::npos) << e;
  e = shapeError("reduce", keep("l2", {1}), {i}, {DType::I32});
  EXPECT_NE(e.find("floating-point"), std::string::npos) << e;
  e = shapeError("reduce", keep("sum", {1}), {b}, {DType::I1});
  EXPECT_NE(e.find("i1"), std::string::npos) << e;
  e = shapeError("reduce", keep("median", {1}), {f}, {DType::F32});
  EXPECT_NE(e.find("median"), std::string::npos) << e;
  e = shapeError("reduce", keep("sum", {1}), {f}, {DType::F16});
  EXPECT_NE(e.find("declared f16"), std::string::npos) << e;
}

//===----------------------------------------------------------------------===//
// arg_reduce
//===----------------------------------------------------------------------===//

// NaN counts as the extreme (numpy): the first NaN, or the last with select_last_index.
std::vector<double> referenceArg(const Shape &shape, const std::vector<double> &x, int64_t axis,
                                 bool isMax, bool last) {
  int64_t outer = 1, inner = 1, n = shape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<double> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = -1;
      for (int64_t j = 0; j < n; ++j) {
        double v = x[(o * n + j) * inner + i];
        if (best < 0) { best = j; continue; }
        double b = x[(o * n + best) * inner + i];
        bool better;
        if (std::isnan(b)) better = last && std::isnan(v);
        else if (std::isnan(v)) better = true;
        else better = isMax ? (v > b || (last && v == b)) : (v < b || (last && v == b));
        if (better) best = j;
      }
      out.push_back(static_cast<double>(best));
    }
  return out;
}

TEST(ArgReduce, DtypesAxesTies) {
  Shape shape = {3, 6, 35};
  for (DType dt : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32, DType::U8,
                   DType::I64}) {
    // Few distinct values: many ties.
    std::vector<double> x = randomValues(dt, numElements(shape), 0, 6, 11, true);
    Tensor t = makeTensor(dt, shape, x);
    for (const char *fn : {"argmax", "argmin"})
      for (int64_t axis : {0, 1, 2, -1, -2})
        for (bool last : {false, true})
          for (bool keep : {false, true}) {
            auto out = runStep("arg_reduce",
                               {{"fn", fn}, {"axis", axis}, {"keep_dims", keep},
                                {"select_last_index", last}},
                               {t}, {DType::I64});
            int64_t a = axis < 0 ? axis + 3 : axis;
            Shape expShape = shape;
            if (keep) expShape[a] = 1;
            else expShape.erase(expShape.begin() + a);
            std::string what = std::string(dtypeName(dt)) + " " + fn + " axis " +
                               std::to_string(axis) + (last ? " last" : "");
            EXPECT_EQ(out[0].shape(), expShape) << what;
            expectEqualValues(valuesOf(out[0]),
                              referenceArg(shape, x, a, std::string(fn) == "argmax", last), what);
          }
  }
}

TEST(ArgReduce, NanAndEmpty) {
  std::vector<double> x = {1, kNaN, 5, kNaN, 2, -kInf, 3, kInf, 0};
  Tensor t = makeTensor(DType::F32, {3, 3}, x);
  for (const char *fn : {"argmax", "argmin"})
    for (bool last : {false, true})
      for (int64_t axis : {0, 1}) {
        auto out = runStep("arg_reduce",
                           {{"fn", fn}, {"axis", axis}, {"keep_dims", false},
                            {"select_last_index", last}},
                           {t}, {DType::I64});
        expectEqualValues(valuesOf(out[0]),
                          referenceArg({3, 3}, x, axis, std::string(fn) == "argmax", last),
                          std::string(fn) + " with NaN");
      }
  Tensor empty = makeTensor(DType::F32, {0, 4}, {});
  auto out = runStep("arg_reduce", {{"fn", "argmax"}, {"axis", 1}, {"keep_dims", true}}, {empty},
                     {DType::I64});
  EXPECT_EQ(out[0].shape(), (Shape{0, 1}));
  std::string e = shapeError("arg_reduce", {{"fn", "argmax"}, {"axis", 0}, {"keep_dims", false}},
                             {empty}, {DType::I64});
  EXPECT_NE(e.find("size 0"), std::string::npos) << e;
  e = shapeError("arg_reduce", {{"fn", "argmax"}, {"axis", 2}}, {t}, {DType::I64});
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
}

//===----------------------------------------------------------------------===//
// softmax, log_softmax, hardmax
//===----------------------------------------------------------------------===//

std::vector<double> referenceSoftmax(const std::string &kind, const Shape &shape,
                                     const std::vector<double> &x, int64_t axis) {
  int64_t outer = 1, inner = 1, n = shape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * n + j) * inner + i; };
      if (kind == "hardmax") {
        int64_t best = 0;
        for (int64_t j = 1; j < n; ++j)
          if (!std::isnan(x[at(best)]) && (x[at(j)] > x[at(best)] || std::isnan(x[at(j)])))
            best = j;
        for (int64_t j = 0; j < n; ++j) y[at(j)] = j == best;
        continue;
      }
      double m = -kInf;
      for (int64_t j = 0; j < n; ++j) m = std::max(m, x[at(j)]);
      double s = 0;
      for (int64_t j = 0; j < n; ++j) s += std::exp(x[at(j)] - m);
      for (int64_t j = 0; j < n; ++j)
        y[at(j)] = kind == "softmax" ? std::exp(x[at(j)] - m) / s : x[at(j)] - m - std::log(s);
    }
  return y;
}

void checkSoftmax(const std::string &kind, DType dt, const Shape &shape, int64_t axis,
                  std::vector<double> x) {
  Tensor t = makeTensor(dt, shape, x);
  auto out = runStep(kind, {{"axis", axis}}, {t}, {dt});
  EXPECT_EQ(out[0].shape(), shape);
  int64_t a = axis < 0 ? axis + static_cast<int64_t>(shape.size()) : axis;
  std::vector<double> ref = referenceSoftmax(kind, shape, x, a);
  std::vector<double> tol;
  // Softmax: x - max rounds with an absolute error of eps |x - max|, a relative error
  // of exp(x - max); |log v| bounds |x - max| plus log(sum).
  for (double v : ref)
    tol.push_back(storageEps(dt) * std::fabs(v) + storageTiny(dt) +
                  (kind == "log_softmax" ? 16 * computeEps(dt) * (1 + std::fabs(v))
                   : kind == "softmax"   ? 8 * computeEps(dt) * std::fabs(v) *
                                             (v > 0 ? 1 + std::fabs(std::log(v)) : 0.0)
                                         : 0.0));
  expectClose(valuesOf(out[0]), ref, tol,
              kind + " " + dtypeName(dt) + " axis " + std::to_string(axis) + " of " +
                  shapeToString(shape));
}

TEST(Softmax, DtypesAndAxes) {
  Shape shape = {3, 5, 67};
  for (const char *kind : {"softmax", "log_softmax", "hardmax"})
    for (DType dt : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::F8E4M3FN})
      for (int64_t axis : {-1, 2, 1, 0, -3}) {
        std::vector<double> x = randomValues(dt, numElements(shape), -8, 8, 21, kind[0] == 'h');
        checkSoftmax(kind, dt, shape, axis, x);
      }
}

TEST(Softmax, LargeRangeInfNanAndUnitAxis) {
  // Rows: huge values (stability), a -inf entry, all -inf, a NaN, a +inf.
  std::vector<double> x = {1000, 999, 998, -1000, 1, -kInf, 2, 3, -kInf, -kInf, -kInf,
                           -kInf, 1, kNaN, 2, 3, 1, kInf, 2, 3};
  for (const char *kind : {"softmax", "log_softmax", "hardmax"})
    for (DType dt : {DType::F32, DType::F64}) checkSoftmax(kind, dt, {5, 4}, 1, x);
  checkSoftmax("softmax", DType::F32, {4, 1}, 1, {1, 2, kInf, -3});  // unit axis
  Tensor empty = makeTensor(DType::F32, {0, 3}, {});
  EXPECT_EQ(runStep("softmax", {{"axis", -1}}, {empty}, {DType::F32})[0].numel(), 0);
  Tensor emptyAxis = makeTensor(DType::F32, {3, 0}, {});
  EXPECT_EQ(runStep("log_softmax", {{"axis", -1}}, {emptyAxis}, {DType::F32})[0].numel(), 0);
  Tensor ints = makeTensor(DType::I32, {2}, {1, 2});
  std::string e = shapeError("softmax", {{"axis", -1}}, {ints}, {DType::I32});
  EXPECT_NE(e.find("floating-point"), std::string::npos) << e;
  e = shapeError("hardmax", {{"axis", 1}}, {makeTensor(DType::F32, {2}, {1, 2})}, {DType::F32});
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
}

TEST(Softmax, HardmaxTiesPickFirst) {
  checkSoftmax("hardmax", DType::F32, {2, 4}, 1, {1, 3, 3, 0, 2, 2, 2, 2});
  checkSoftmax("hardmax", DType::F16, {4, 2}, 0, {1, 3, 3, 0, 3, 2, 0, 3});
}

TEST(Softmax, ManyRowsInParallel) {
  Shape shape = {1000, 129};
  std::vector<double> x = randomValues(DType::F32, numElements(shape), -20, 20, 33);
  checkSoftmax("softmax", DType::F32, shape, -1, x);
  checkSoftmax("log_softmax", DType::BF16, shape, 0, randomValues(DType::BF16, 129000, -5, 5, 34));
}

//===----------------------------------------------------------------------===//
// layer_norm, rms_norm
//===----------------------------------------------------------------------===//

// Broadcast index of trailing-dims position `i` into a right-aligned parameter.
double paramAt(const Shape &trailing, const Shape &pshape, const std::vector<double> &p,
               int64_t i) {
  Shape tStrides = stridesOf(trailing), pStrides = stridesOf(pshape);
  size_t off = trailing.size() - pshape.size();
  int64_t idx = 0;
  for (size_t d = 0; d < pshape.size(); ++d) {
    int64_t c = (i / tStrides[off + d]) % trailing[off + d];
    if (pshape[d] != 1) idx += c * pStrides[d];
  }
  return p[idx];
}

std::vector<double> referenceNorm(bool layer, const Shape &shape, const std::vector<double> &x,
                                  int64_t axis, double eps, const Shape &sshape,
                                  const std::vector<double> &s, const Shape &bshape,
                                  const std::vector<double> *b) {
  Shape trailing(shape.begin() + axis, shape.end());
  int64_t n = numElements(trailing), rows = numElements(shape) / n;
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    const double *row = x.data() + r * n;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < n; ++j) mean += row[j];
    mean /= n;
    for (int64_t j = 0; j < n; ++j)
      var += layer ? (row[j] - mean) * (row[j] - mean) : row[j] * row[j];
    var /= n;
    double inv = 1 / std::sqrt(var + eps);
    for (int64_t j = 0; j < n; ++j) {
      double v = ((layer ? row[j] - mean : row[j]) * inv) * paramAt(trailing, sshape, s, j);
      if (b) v += paramAt(trailing, bshape, *b, j);
      y[r * n + j] = v;
    }
  }
  return y;
}

struct NormCase {
  Shape shape;
  int64_t axis;
  Shape scaleShape, biasShape;  // biasShape empty-with-flag below
  bool bias;
};

void checkNorm(bool layer, DType dt, DType paramType, const NormCase &c, uint32_t seed) {
  double eps = layer ? 1e-5 : 1e-6;
  std::vector<double> x = randomValues(dt, numElements(c.shape), -2, 3, seed);
  std::vector<double> s = randomValues(paramType, numElements(c.scaleShape), 0.5, 1.5, seed + 1);
  std::vector<double> b = randomValues(paramType, numElements(c.biasShape), -1, 1, seed + 2);
  std::vector<Tensor> inputs = {makeTensor(dt, c.shape, x),
                                makeTensor(paramType, c.scaleShape, s)};
  if (layer) inputs.push_back(c.bias ? makeTensor(paramType, c.biasShape, b) : Tensor());
  json attrs = {{"axis", c.axis}, {"epsilon", eps}};
  auto out = runStep(layer ? "layer_norm" : "rms_norm", attrs, inputs, {dt});
  int64_t a = c.axis < 0 ? c.axis + static_cast<int64_t>(c.shape.size()) : c.axis;
  std::vector<double> ref =
      referenceNorm(layer, c.shape, x, a, eps, c.scaleShape, s, c.biasShape,
                    layer && c.bias ? &b : nullptr);
  std::vector<double> tol;
  for (double v : ref) tol.push_back(storageEps(dt) * std::fabs(v) + 64 * computeEps(dt) * 4);
  expectClose(valuesOf(out[0]), ref, tol,
              std::string(layer ? "layer_norm " : "rms_norm ") + dtypeName(dt) + " of " +
                  shapeToString(c.shape) + " axis " + std::to_string(c.axis) + " scale " +
                  shapeToString(c.scaleShape));
}

TEST(Norm, LayerAndRmsNorm) {
  std::vector<NormCase> cases = {
      {{5, 67}, -1, {67}, {67}, true},
      {{5, 67}, 1, {67}, {67}, false},
      {{5, 67}, 0, {1, 67}, {5, 1}, true},
      {{3, 4, 6}, 1, {4, 6}, {6}, true},
      {{3, 4, 6}, -2, {4, 1}, {1}, true},
      {{2, 3, 5}, 0, {3, 5}, {2, 3, 5}, true},
      {{7, 1}, -1, {1}, {1}, true},
      {{4, 2049}, -1, {2049}, {2049}, true},
  };
  uint32_t seed = 40;
  for (bool layer : {true, false})
    for (DType dt : {DType::F32, DType::F16, DType::BF16, DType::F64})
      for (const NormCase &c : cases) checkNorm(layer, dt, dt, c, seed += 3);
  // Parameters of another float type than the input.
  checkNorm(true, DType::F16, DType::F32, cases[0], 90);
  checkNorm(false, DType::BF16, DType::F32, cases[2], 91);
  checkNorm(false, DType::F32, DType::BF16, cases[0], 92);
}

TEST(Norm, ZeroSizeAndErrors) {
  Tensor x = makeTensor(DType::F32, {0, 8}, {});
  Tensor s = makeTensor(DType::F32, {8}, std::vector<double>(8, 1));
  EXPECT_EQ(runStep("rms_norm", {{"axis", -1}, {"epsilon", 1e-6}}, {x, s}, {DType::F32})[0].numel(),
            0);
  EXPECT_EQ(runStep("layer_norm", {{"axis", -1}, {"epsilon", 1e-5}}, {x, s, Tensor()},
                    {DType::F32})[0]
                .numel(),
            0);
  Tensor x2 = makeTensor(DType::F32, {2, 3}, std::vector<double>(6, 1));
  Tensor bad = makeTensor(DType::F32, {4}, std::vector<double>(4, 1));
  std::string e = shapeError("layer_norm", {{"axis", -1}}, {x2, bad, Tensor()}, {DType::F32});
  EXPECT_NE(e.find("scale"), std::string::npos) << e;
  EXPECT_NE(e.find("does not broadcast"), std::string::npos) << e;
  e = shapeError("rms_norm", {{"axis", 2}}, {x2, s}, {DType::F32});
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  Tensor xi = makeTensor(DType::I32, {2, 3}, std::vector<double>(6, 1));
  e = shapeError("rms_norm", {{"axis", -1}}, {xi, s}, {DType::I32});
  EXPECT_NE(e.find("floating-point"), std::string::npos) << e;
  // Constant rows: variance 0, output = bias.
  Tensor c = makeTensor(DType::F32, {2, 3}, {2, 2, 2, -1, -1, -1});
  Tensor sc = makeTensor(DType::F32, {3}, {1, 2, 3});
  Tensor bi = makeTensor(DType::F32, {3}, {0.5, 0, -0.5});
  auto out = runStep("layer_norm", {{"axis", -1}, {"epsilon", 1e-5}}, {c, sc, bi}, {DType::F32});
  expectEqualValues(valuesOf(out[0]), {0.5, 0, -0.5, 0.5, 0, -0.5}, "constant rows");
}

//===----------------------------------------------------------------------===//
// cumsum
//===----------------------------------------------------------------------===//

std::vector<double> referenceCumsum(const Shape &shape, const std::vector<double> &x,
                                    int64_t axis, bool exclusive, bool reverse) {
  int64_t outer = 1, inner = 1, n = shape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t k = 0; k < n; ++k) {
          bool in = reverse ? (exclusive ? k > j : k >= j) : (exclusive ? k < j : k <= j);
          if (in) s += x[(o * n + k) * inner + i];
        }
        y[(o * n + j) * inner + i] = s;
      }
  return y;
}

TEST(Cumsum, AxesFlagsDtypes) {
  Shape shape = {3, 7, 5};
  for (DType dt : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32, DType::I64,
                   DType::I8, DType::U16}) {
    bool integral = !isFloat(dt);
    std::vector<double> x = randomValues(dt, numElements(shape), dt == DType::U16 ? 0 : -4, 5,
                                         55, integral);
    Tensor t = makeTensor(dt, shape, x);
    for (int64_t axis : {0, 1, 2, -1})
      for (bool exclusive : {false, true})
        for (bool reverse : {false, true}) {
          auto out = runStep("cumsum", {{"axis", axis}, {"exclusive", exclusive},
                                        {"reverse", reverse}},
                             {t}, {dt});
          int64_t a = axis < 0 ? axis + 3 : axis;
          std::vector<double> ref = referenceCumsum(shape, x, a, exclusive, reverse);
          std::vector<double> tol;
          for (double v : ref)
            tol.push_back(integral ? 0 : storageEps(dt) * std::fabs(v) + 64 * computeEps(dt) * 5);
          expectClose(valuesOf(out[0]), ref, tol,
                      std::string("cumsum ") + dtypeName(dt) + " axis " + std::to_string(axis) +
                          (exclusive ? " exclusive" : "") + (reverse ? " reverse" : ""));
        }
  }
}

TEST(Cumsum, WrapsZeroSizeAndErrors) {
  Tensor t = makeTensor(DType::I8, {4}, {100, 100, -128, 5});
  auto out = runStep("cumsum", {{"axis", 0}}, {t}, {DType::I8});
  expectEqualValues(valuesOf(out[0]), {100, -56, 72, 77}, "i8 wraps");
  Tensor z = makeTensor(DType::F32, {3, 0}, {});
  EXPECT_EQ(runStep("cumsum", {{"axis", 1}}, {z}, {DType::F32})[0].shape(), (Shape{3, 0}));
  Tensor b = makeTensor(DType::I1, {2}, {1, 0});
  std::string e = shapeError("cumsum", {{"axis", 0}}, {b}, {DType::I1});
  EXPECT_NE(e.find("i1"), std::string::npos) << e;
  e = shapeError("cumsum", {{"axis", -2}}, {t}, {DType::I8});
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
}

//===----------------------------------------------------------------------===//
// topk
//===----------------------------------------------------------------------===//

// Sorted top k by a stable sort: NaN ranks above everything, ties keep the lower index.
void referenceTopk(const Shape &shape, const std::vector<double> &x, int64_t axis, int64_t k,
                   bool largest, std::vector<double> &values, std::vector<double> &indices) {
  int64_t outer = 1, inner = 1, n = shape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  values.assign(outer * k * inner, 0);
  indices.assign(outer * k * inner, 0);
  auto key = [&](double v) { return std::isnan(v) ? kInf : v; };  // NaN above +inf below
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      std::vector<int64_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0);
      auto v = [&](int64_t j) { return x[(o * n + j) * inner + i]; };
      std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
        double va = v(a), vb = v(b);
        if (std::isnan(va) != std::isnan(vb)) return largest ? std::isnan(va) : std::isnan(vb);
        return largest ? key(va) > key(vb) : key(va) < key(vb);
      });
      for (int64_t j = 0; j < k; ++j) {
        values[(o * k + j) * inner + i] = v(idx[j]);
        indices[(o * k + j) * inner + i] = static_cast<double>(idx[j]);
      }
    }
}

TEST(TopK, DtypesAxesKTies) {
  Shape shape = {3, 9, 40};
  for (DType dt : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32, DType::I64,
                   DType::U8}) {
    std::vector<double> x = randomValues(dt, numElements(shape), 0, 12, 77, true);  // ties
    Tensor t = makeTensor(dt, shape, x);
    for (int64_t axis : {-1, 1, 0})
      for (bool largest : {true, false}) {
        int64_t a = axis < 0 ? axis + 3 : axis, n = shape[a];
        for (int64_t k : {int64_t(0), int64_t(1), int64_t(3), n - 1, n}) {
          auto out = runStep("topk", {{"axis", axis}, {"k", k}, {"largest", largest},
                                      {"sorted", true}},
                             {t}, {dt, DType::I64});
          std::vector<double> rv, ri;
          referenceTopk(shape, x, a, k, largest, rv, ri);
          Shape expShape = shape;
          expShape[a] = k;
          std::string what = std::string("topk ") + dtypeName(dt) + " axis " +
                             std::to_string(axis) + " k " + std::to_string(k) +
                             (largest ? " largest" : " smallest");
          EXPECT_EQ(out[0].shape(), expShape) << what;
          EXPECT_EQ(out[1].shape(), expShape) << what;
          expectEqualValues(valuesOf(out[0]), rv, what + " values");
          expectEqualValues(valuesOf(out[1]), ri, what + " indices");
        }
      }
  }
}

TEST(TopK, NanInfLargeRowsAndErrors) {
  std::vector<double> x = {3, kNaN, -kInf, kInf, 3, kNaN, 0, -1};
  Tensor t = makeTensor(DType::F32, {1, 8}, x);
  for (bool largest : {true, false})
    for (int64_t k : {1, 4, 8}) {
      auto out = runStep("topk", {{"axis", -1}, {"k", k}, {"largest", largest}}, {t},
                         {DType::F32, DType::I64});
      std::vector<double> rv, ri;
      referenceTopk({1, 8}, x, 1, k, largest, rv, ri);
      expectEqualValues(valuesOf(out[0]), rv, "topk NaN values");
      expectEqualValues(valuesOf(out[1]), ri, "topk NaN indices");
    }
  // Router-like: many rows of 256 with k = 8, run in parallel.
  Shape big = {300, 256};
  std::vector<double> y = randomValues(DType::F32, numElements(big), -1, 1, 78);
  auto out = runStep("topk", {{"axis", -1}, {"k", 8}}, {makeTensor(DType::F32, big, y)},
                     {DType::F32, DType::I64});
  std::vector<double> rv, ri;
  referenceTopk(big, y, 1, 8, true, rv, ri);
  expectEqualValues(valuesOf(out[0]), rv, "router topk values");
  expectEqualValues(valuesOf(out[1]), ri, "router topk indices");

  std::string e = shapeError("topk", {{"axis", -1}, {"k", 9}}, {t}, {DType::F32, DType::I64});
  EXPECT_NE(e.find("k = 9 exceeds the size 8"), std::string::npos) << e;
  e = shapeError("topk", {{"axis", -1}, {"k", -1}}, {t}, {DType::F32, DType::I64});
  EXPECT_NE(e.find("non-negative"), std::string::npos) << e;
  e = shapeError("topk", {{"axis", -1}, {"k", 1}}, {t}, {DType::F32, DType::I32});
  EXPECT_NE(e.find("i64"), std::string::npos) << e;
  Tensor empty = makeTensor(DType::F32, {0, 5}, {});
  out = runStep("topk", {{"axis", 1}, {"k", 2}}, {empty}, {DType::F32, DType::I64});
  EXPECT_EQ(out[0].shape(), (Shape{0, 2}));
}

//===----------------------------------------------------------------------===//
// Throughput of the transformer-critical kernels (reported, loosely bounded).
//===----------------------------------------------------------------------===//

TEST(Reduction, RowKernelThroughput) {
  Shape shape = {256, 4096};
  std::vector<double> x = randomValues(DType::F32, numElements(shape), -3, 3, 99);
  Tensor t = makeTensor(DType::F32, shape, x);
  Tensor s = makeTensor(DType::F32, {4096}, randomValues(DType::F32, 4096, 0.5, 1.5, 98));
  Tensor th = makeTensor(DType::BF16, shape, x);
  Tensor sh = makeTensor(DType::BF16, {4096}, randomValues(DType::BF16, 4096, 0.5, 1.5, 98));
  // Kernel time only (outputs allocated once), best of a few runs: the machine is shared.
  auto time = [](PreparedStep p) {
    double best = 1e9;
    for (int i = 0; i < 7; ++i) {
      auto start = std::chrono::steady_clock::now();
      p.run();
      best = std::min(best, std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start).count());
    }
    return best;
  };
  double softmax = time(PreparedStep("softmax", {{"axis", -1}}, {t}, {DType::F32}));
  double logSoftmax = time(PreparedStep("log_softmax", {{"axis", -1}}, {t}, {DType::F32}));
  double rms = time(PreparedStep("rms_norm", {{"axis", -1}, {"epsilon", 1e-6}}, {t, s},
                                 {DType::F32}));
  double rmsBf16 = time(PreparedStep("rms_norm", {{"axis", -1}, {"epsilon", 1e-6}}, {th, sh},
                                     {DType::BF16}));
  double layer = time(PreparedStep("layer_norm", {{"axis", -1}, {"epsilon", 1e-5}},
                                   {t, s, Tensor()}, {DType::F32}));
  double sum = time(PreparedStep("reduce", {{"fn", "sum"}, {"axes", {-1}}, {"keep_dims", true}},
                                 {t}, {DType::F32}));
  double sum0 = time(PreparedStep("reduce", {{"fn", "sum"}, {"axes", {0}}, {"keep_dims", true}},
                                  {t}, {DType::F32}));
  double argmax = time(PreparedStep("arg_reduce", {{"fn", "argmax"}, {"axis", -1}}, {t},
                                    {DType::I64}));
  std::printf("[256x4096, %d threads] softmax %.3f ms, log_softmax %.3f ms, rms_norm f32 %.3f "
              "ms, rms_norm bf16 %.3f ms, layer_norm %.3f ms, sum(-1) %.3f ms, sum(0) %.3f ms, "
              "argmax %.3f ms\n",
              harness().pool.size(), softmax, logSoftmax, rms, rmsBf16, layer, sum, sum0, argmax);
  // 1M elements: well under 50 ms even on one slow shared core with vectorized loops
  // (bounded only in optimized builds without sanitizers).
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
  for (double ms : {softmax, logSoftmax, rms, rmsBf16, layer, sum, sum0, argmax})
    EXPECT_LT(ms, 50.0);
#endif
}

TEST(Reduce, FewOutputsSplitAcrossThreads) {
  struct Case {
    Shape shape;
    std::vector<int64_t> axes;
  };
  for (const Case &c : {Case{{300, 1000}, {0, 1}}, Case{{70000, 3}, {0}},
                        Case{{2, 150000}, {1}}, Case{{40000, 2, 5}, {0, 2}}}) {
    for (const char *fn : {"sum", "mean", "max", "l2", "prod"}) {
      std::string f = fn;
      double lo = f == "prod" ? 0.99995 : -1, hi = f == "prod" ? 1.00005 : 1;
      std::vector<double> x = randomValues(DType::F32, numElements(c.shape), lo, hi, 5);
      auto out = runStep("reduce", {{"fn", f}, {"axes", c.axes}, {"keep_dims", false}},
                         {makeTensor(DType::F32, c.shape, x)}, {DType::F32});
      ReduceRef ref = referenceReduce(f, c.shape, x, c.axes, false);
      std::vector<double> tol;
      for (size_t i = 0; i < ref.values.size(); ++i)
        tol.push_back(1.2e-7 * std::fabs(ref.values[i]) + 1e-5 * ref.magnitude[i]);
      expectClose(valuesOf(out[0]), ref.values, tol,
                  f + " over " + str(c.axes) + " of " + shapeToString(c.shape));
    }
    std::vector<double> xi = randomValues(DType::I32, numElements(c.shape), -50, 50, 6, true);
    auto out = runStep("reduce", {{"fn", "sum"}, {"axes", c.axes}, {"keep_dims", false}},
                       {makeTensor(DType::I32, c.shape, xi)}, {DType::I32});
    Shape refShape;
    expectEqualValues(valuesOf(out[0]), intReference<int32_t>("sum", c.shape, xi, c.axes, &refShape),
                      "i32 sum over " + str(c.axes) + " of " + shapeToString(c.shape));
  }
}

}  // namespace
