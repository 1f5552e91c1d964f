// Tests of the cpu elementwise family: `elementwise` programs and the plain unary,
// binary, compare, select and cast steps. Every result is checked against an
// independent scalar reference computed in double (or exact integer arithmetic), with
// tolerances from the arithmetic: the fast f32 exp/tanh/erf are a few ulp, narrow float
// outputs half an ulp of their format plus that.
#include "Kernel.h"
#include "cpu/ElementwiseMath.h"
#include "cpu/ElementwiseProgram.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace ds::rt;
using nlohmann::json;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

ThreadPool &pool() {
  static ThreadPool p(4);
  return p;
}

const KernelRegistry &registry() {
  static KernelRegistry r = [] {
    KernelRegistry reg;
    registerCpuElementwiseKernels(reg);
    return reg;
  }();
  return r;
}

TensorView view(const Tensor &t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.data = const_cast<void *>(t.data());
  v.present = true;
  return v;
}

// A tensor filled cyclically from `values`, stored through the Kernel.h helpers.
Tensor makeFloat(DType dtype, Shape shape, const std::vector<double> &values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  TensorView v = view(t);
  for (int64_t i = 0; i < t.numel(); ++i) storeFromDouble(v, i, values[i % values.size()]);
  return t;
}
Tensor makeInt(DType dtype, Shape shape, const std::vector<int64_t> &values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  TensorView v = view(t);
  for (int64_t i = 0; i < t.numel(); ++i) storeFromInt(v, i, values[i % values.size()]);
  return t;
}
double at(const Tensor &t, int64_t i) { return loadAsDouble(view(t), i); }
int64_t atInt(const Tensor &t, int64_t i) { return loadAsInt(view(t), i); }

StepDesc makeStep(const std::string &kind, json attrs) {
  StepDesc s;
  s.index = 7;
  s.kind = kind;
  s.name = "test/" + kind;
  s.attrs = std::move(attrs);
  return s;
}

Shape shapeOf(const StepDesc &step, const std::vector<Tensor> &inputs,
              const std::vector<DType> &outTypes, std::vector<Shape> declared = {}) {
  const KernelDef *def = registry().find(step.kind);
  EXPECT_NE(def, nullptr);
  std::vector<TensorView> ins;
  for (const Tensor &t : inputs) {
    TensorView v = view(t);
    v.data = nullptr;  // plan time: shapes only
    ins.push_back(v);
  }
  if (declared.empty()) declared.assign(outTypes.size(), Shape{});
  ShapeContext sc{step, ins, outTypes, declared, {}};
  def->shape(sc);
  EXPECT_EQ(sc.outputShapes.size(), outTypes.size());
  return sc.outputShapes.at(0);
}

std::vector<Tensor> run(const StepDesc &step, const std::vector<Tensor> &inputs,
                        const std::vector<DType> &outTypes, std::vector<Shape> declared = {}) {
  Shape shape = shapeOf(step, inputs, outTypes, declared);
  std::vector<Tensor> outs;
  std::vector<TensorView> outViews, inViews;
  for (DType t : outTypes) {
    outs.push_back(Tensor::empty(t, shape));
    outViews.push_back(view(outs.back()));
  }
  for (const Tensor &t : inputs) inViews.push_back(view(t));
  KernelContext kc{step, inViews, outViews, pool()};
  registry().find(step.kind)->run(kc);
  return outs;
}

Tensor run1(const StepDesc &step, const std::vector<Tensor> &inputs, DType out) {
  return run(step, inputs, {out})[0];
}

// ---- independent references ---------------------------------------------------------------

// Nearest value of a binary format with `mb` mantissa bits and minimum normal exponent
// `emin`, ties to even (no overflow handling).
double roundToFormat(double v, int mb, int emin) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e;
  std::frexp(v, &e);  // v = m 2^e, m in [0.5, 1)
  int lead = std::max(e - 1, emin);
  double quantum = std::ldexp(1.0, lead - mb);
  return std::nearbyint(v / quantum) * quantum;
}

// The value a float dtype stores for v (round to nearest even; overflow to inf, NaN or
// the largest finite value as the format and `saturate` say).
double storedFloat(DType t, double v, bool saturate = false) {
  if (std::isnan(v)) return v;
  double maxFinite, r;
  bool hasInf = true;
  switch (t) {
  case DType::F64: return v;
  case DType::F32: return static_cast<float>(v);
  case DType::F16: r = roundToFormat(v, 10, -14); maxFinite = 65504; break;
  case DType::BF16: r = roundToFormat(v, 7, -126); maxFinite = 3.3895313892515355e38; break;
  case DType::F8E4M3FN: r = roundToFormat(v, 3, -6); maxFinite = 448; hasInf = false; break;
  case DType::F8E5M2: r = roundToFormat(v, 2, -14); maxFinite = 57344; break;
  default: return v;
  }
  if (std::fabs(r) > maxFinite || std::isinf(v)) {
    if (saturate) return std::copysign(maxFinite, v);
    return hasInf ? std::copysign(kInf, v) : kNaN;
  }
  return r;
}

bool sameFloat(double got, double want, double rel, double abs) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= abs + rel * std::fabs(want);
}

// Unit roundoff of a float dtype (half an ulp, relative).
double unitRoundoff(DType t) {
  switch (t) {
  case DType::F64: return 1.2e-16;
  case DType::F32: return 6e-8;
  case DType::F16: return 4.9e-4;
  case DType::BF16: return 3.9e-3;
  default: return 0.07;
  }
}

const std::vector<double> &specialValues() {
  static const std::vector<double> v = {
      0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.0, 1e-3, -1e-3, 0.09, 0.3,
      0.7, 0.899, 0.901, 1.2, -2.2, 3.9, -4.1, 6.0, -7.5, 10.0, -12.0, 20.0, -30.0, 88.0,
      -88.0, 100.0, -110.0, 1e-40, -1e-40, 1e30, -1e30, kInf, -kInf, kNaN, 0.25, 0.75};
  return v;
}

std::vector<double> testValues(uint32_t seed, int count, double lo, double hi) {
  std::vector<double> v = specialValues();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  for (int i = 0; i < count; ++i) v.push_back(d(rng));
  return v;
}

struct UnaryRef {
  const char *fn;
  double (*ref)(double x, double a, double b);
  double alpha, beta;
  double domainLo, domainHi;  // random inputs
  double rel32;               // f32 relative tolerance (beyond rounding)
};

double sigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplusRef(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

const UnaryRef kUnaryRefs[] = {
    {"neg", [](double x, double, double) { return -x; }, 0, 0, -10, 10, 0},
    {"abs", [](double x, double, double) { return std::fabs(x); }, 0, 0, -10, 10, 0},
    {"sign", [](double x, double, double) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }, 0, 0, -3, 3, 0},
    {"exp", [](double x, double, double) { return std::exp(x); }, 0, 0, -90, 90, 3e-7},
    {"log", [](double x, double, double) { return std::log(x); }, 0, 0, 0, 100, 2e-7},
    {"sqrt", [](double x, double, double) { return std::sqrt(x); }, 0, 0, 0, 100, 0},
    {"rsqrt", [](double x, double, double) { return 1 / std::sqrt(x); }, 0, 0, 0, 100, 1e-7},
    {"reciprocal", [](double x, double, double) { return 1 / x; }, 0, 0, -10, 10, 0},
    {"floor", [](double x, double, double) { return std::floor(x); }, 0, 0, -1e8, 1e8, 0},
    {"ceil", [](double x, double, double) { return std::ceil(x); }, 0, 0, -1e8, 1e8, 0},
    {"round", [](double x, double, double) { return std::nearbyint(x); }, 0, 0, -100, 100, 0},
    {"tanh", [](double x, double, double) { return std::tanh(x); }, 0, 0, -12, 12, 4e-7},
    {"erf", [](double x, double, double) { return std::erf(x); }, 0, 0, -5, 5, 4e-7},
    {"sigmoid", [](double x, double, double) { return sigmoidRef(x); }, 0, 0, -30, 30, 4e-7},
    {"relu", [](double x, double, double) { return x > 0 ? x : 0.0; }, 0, 0, -5, 5, 0},
    {"leaky_relu", [](double x, double a, double) { return x >= 0 ? x : a * x; }, 0.01, 0, -5, 5, 1e-7},
    {"gelu", [](double x, double, double) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); },
     0, 0, -8, 8, 3e-6},
    {"gelu_tanh",
     [](double x, double, double) {
       return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
     },
     0, 0, -8, 8, 2e-6},
    {"elu", [](double x, double a, double) { return x > 0 ? x : a * std::expm1(x); }, 1.3, 0, -5, 5, 1e-7},
    {"selu",
     [](double x, double a, double g) { return g * (x > 0 ? x : a * std::expm1(x)); },
     1.67326319217681884765625, 1.05070102214813232421875, -5, 5, 2e-7},
    {"celu",
     [](double x, double a, double) {
       return std::max(0.0, x) + std::min(0.0, a * std::expm1(x / a));
     },
     0.7, 0, -5, 5, 2e-7},
    {"softplus", [](double x, double, double) { return softplusRef(x); }, 0, 0, -40, 40, 2e-7},
    {"softsign", [](double x, double, double) { return x / (1 + std::fabs(x)); }, 0, 0, -10, 10, 1e-7},
    {"mish", [](double x, double, double) { return x * std::tanh(softplusRef(x)); }, 0, 0, -20, 20, 6e-7},
    {"hard_sigmoid",
     [](double x, double a, double b) { return std::max(0.0, std::min(1.0, a * x + b)); }, 0.2,
     0.5, -5, 5, 1e-7},
    {"hard_swish",
     [](double x, double, double) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }, 0, 0,
     -5, 5, 2e-7},
    {"thresholded_relu", [](double x, double a, double) { return x > a ? x : 0.0; }, 1.0, 0, -3, 3, 0},
    {"shrink",
     [](double x, double l, double b) { return x < -l ? x + b : x > l ? x - b : 0.0; }, 0.5, 0.25,
     -3, 3, 1e-7},
    {"silu", [](double x, double, double) { return x / (1 + std::exp(-x)); }, 0, 0, -30, 30, 4e-7},
    {"cos", [](double x, double, double) { return std::cos(x); }, 0, 0, -10, 10, 1e-7},
    {"sin", [](double x, double, double) { return std::sin(x); }, 0, 0, -10, 10, 1e-7},
    {"tan", [](double x, double, double) { return std::tan(x); }, 0, 0, -1.5, 1.5, 1e-7},
    {"asin", [](double x, double, double) { return std::asin(x); }, 0, 0, -1, 1, 1e-7},
    {"acos", [](double x, double, double) { return std::acos(x); }, 0, 0, -1, 1, 1e-7},
    {"atan", [](double x, double, double) { return std::atan(x); }, 0, 0, -10, 10, 1e-7},
    {"sinh", [](double x, double, double) { return std::sinh(x); }, 0, 0, -10, 10, 1e-7},
    {"cosh", [](double x, double, double) { return std::cosh(x); }, 0, 0, -10, 10, 1e-7},
    {"asinh", [](double x, double, double) { return std::asinh(x); }, 0, 0, -10, 10, 1e-7},
    {"acosh", [](double x, double, double) { return std::acosh(x); }, 0, 0, 1, 10, 1e-7},
    {"atanh", [](double x, double, double) { return std::atanh(x); }, 0, 0, -1, 1, 1e-7},
    {"identity", [](double x, double, double) { return x; }, 0, 0, -10, 10, 0},
    {"square", [](double x, double, double) { return x * x; }, 0, 0, -10, 10, 0},
};

// Functions whose f32 result for some special inputs is defined by the formula in a way
// the double reference does not reproduce; those inputs are skipped.
bool skipSpecial(const std::string &fn, double x) {
  // x * sigmoid(x) and 0.5x(1+...) give NaN at -inf (as the double formula does for
  // silu); the gelu reference through erfc gives -0. Both are the formula's artifacts.
  if ((fn == "gelu" || fn == "gelu_tanh" || fn == "mish") && std::isinf(x)) return true;
  return false;
}

}  // namespace

// ---- conversion helpers ---------------------------------------------------------------------

TEST(ElementwiseMath, NarrowEncodersMatchFormatRounding) {
  std::mt19937 rng(1);
  std::vector<float> values;
  for (int i = 0; i < 200000; ++i) values.push_back(ew::bitCast<float>(static_cast<uint32_t>(rng())));
  for (double v : specialValues()) values.push_back(static_cast<float>(v));
  // Midpoints and neighbours of every f8 code, and the overflow thresholds.
  for (int c = 0; c < 256; ++c) {
    for (float x : {f8e4m3fnToFloat(c), f8e5m2ToFloat(c)}) {
      values.push_back(x);
      values.push_back(std::nextafter(x, kInf));
      values.push_back(std::nextafter(x, -kInf));
    }
  }
  for (float x : {464.0f, 463.99f, 480.0f, 61440.0f, 61439.0f, 65520.0f, 65519.0f, 1e-9f})
    values.push_back(x);
  for (size_t i = 0, n = values.size(); i + 1 < n; ++i) values.push_back((values[i] + values[i + 1]) / 2);

  for (float x : values) {
    for (bool sat : {false, true}) {
      double want = storedFloat(DType::F8E4M3FN, x, sat);
      double got = f8e4m3fnToFloat(ew::f8e4m3fnStore(x, sat));
      ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << x << " sat " << sat;
      if (!std::isnan(want) && want == 0)
        ASSERT_EQ(std::signbit(got), std::signbit(x)) << x;
      want = storedFloat(DType::F8E5M2, x, sat);
      got = f8e5m2ToFloat(ew::f8e5m2Store(x, sat));
      ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << x << " sat " << sat;
    }
    double want = storedFloat(DType::BF16, x);
    double got = ew::bf16Load(ew::bf16Store(x));
    ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << x;
    want = storedFloat(DType::F16, x);
    got = ew::roundToF16(x);
    ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << x;
  }
  // The bf16 encoder agrees with the Kernel.h helper bit for bit (NaN payload aside).
  for (float x : values)
    if (!std::isnan(x)) ASSERT_EQ(ew::bf16Store(x), floatToBf16(x)) << x;
}

TEST(ElementwiseMath, RoundToOddAvoidsDoubleRounding) {
  // 2^24 + 2^16 + 1 lies just above a bf16 midpoint: rounding to f32 first (to even)
  // would land on the midpoint and then round down.
  double v = 16777216.0 + 65536.0 + 1.0;
  EXPECT_EQ(ew::roundToBf16(ew::f64ToF32RoundOdd(v)), storedFloat(DType::BF16, v));
  // Inexact results have an odd last bit and lie within one f32 ulp of the value.
  float r = ew::f64ToF32RoundOdd(0.1);
  EXPECT_EQ(ew::bitCast<uint32_t>(r) & 1, 1u);
  EXPECT_LT(std::fabs(r - 0.1), 1e-8);
  EXPECT_EQ(ew::f64ToF32RoundOdd(0.5), 0.5f);
}

// ---- unary ----------------------------------------------------------------------------------

TEST(ElementwiseUnary, FloatFunctionsAllDtypes) {
  for (const UnaryRef &u : kUnaryRefs) {
    for (DType dt : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
      std::vector<double> values = testValues(42, 3000, u.domainLo, u.domainHi);
      Tensor x = makeFloat(dt, {static_cast<int64_t>(values.size())}, values);
      // ds stores alpha/beta as f32 attributes.
      json attrs = {{"fn", u.fn}, {"alpha", static_cast<float>(u.alpha)}, {"beta", static_cast<float>(u.beta)}};
      Tensor y = run1(makeStep("unary", attrs), {x}, dt);
      double tol = dt == DType::F64 ? 1e-13 : dt == DType::F32 ? u.rel32 + 1.2e-7 : 2 * unitRoundoff(dt) + u.rel32;
      for (int64_t i = 0; i < x.numel(); ++i) {
        double in = at(x, i);  // the stored (rounded) input
        std::string f = u.fn;
        if (skipSpecial(u.fn, in)) continue;
        double want = storedFloat(dt, u.ref(in, static_cast<float>(u.alpha), static_cast<float>(u.beta)));
        // NaN propagates, except through the functions that select 0 by a comparison
        // (relu as onnxruntime's max(x, 0) and the ds folder give it).
        if (std::isnan(in)) want = (f == "relu" || f == "thresholded_relu" || f == "shrink") ? 0.0 : kNaN;
        double got = at(y, i);
        // Values that underflow in the target format are compared absolutely.
        double abs = dt == DType::F64 ? 1e-300 : dt == DType::F32 ? 1e-37 : 1e-7;
        if (std::string(u.fn) == "gelu" || std::string(u.fn) == "gelu_tanh" ||
            std::string(u.fn) == "erf")
          abs = std::max(abs, dt == DType::F64 ? 1e-15 : 2e-7);
        // a*x + b cancels: the error is relative to the terms, not the result.
        if (f == "hard_sigmoid" || f == "hard_swish" || f == "shrink")
          abs = std::max(abs, dt == DType::F64 ? 4e-16 : 2e-7);
        if (std::string(u.fn) == "tan" || std::string(u.fn) == "sin" || std::string(u.fn) == "cos")
          abs = std::max(abs, 1e-7);
        ASSERT_TRUE(sameFloat(got, want, tol, abs))
            << u.fn << " " << dtypeName(dt) << " x=" << in << " got " << got << " want " << want;
      }
    }
  }
}

TEST(ElementwiseUnary, SignedZeroAndRounding) {
  Tensor x = makeFloat(DType::F32, {8}, {-0.0, 0.0, -0.5, 0.5, 2.5, -2.5, 3.5, -1e-40});
  auto get = [&](const char *fn) { return run1(makeStep("unary", {{"fn", fn}}), {x}, DType::F32); };
  Tensor fl = get("floor"), ce = get("ceil"), ro = get("round"), ne = get("neg"), si = get("sign");
  EXPECT_TRUE(std::signbit(at(fl, 0)));
  EXPECT_EQ(at(fl, 2), -1.0);
  EXPECT_TRUE(std::signbit(at(ce, 2)));  // ceil(-0.5) == -0
  EXPECT_EQ(at(ro, 4), 2.0);             // half to even
  EXPECT_EQ(at(ro, 5), -2.0);
  EXPECT_EQ(at(ro, 6), 4.0);
  EXPECT_TRUE(std::signbit(at(ro, 2)));
  EXPECT_FALSE(std::signbit(at(ne, 0)));
  EXPECT_TRUE(std::signbit(at(ne, 1)));
  EXPECT_TRUE(std::signbit(at(si, 0)) && at(si, 0) == 0);
  EXPECT_EQ(at(si, 7), -1.0);  // denormal keeps its sign
  EXPECT_EQ(at(fl, 7), -1.0);
}

TEST(ElementwiseUnary, Predicates) {
  for (DType dt : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    Tensor x = makeFloat(dt, {6}, {0.0, kInf, -kInf, kNaN, 1e30, -1.0});
    Tensor inf = run1(makeStep("unary", {{"fn", "is_inf"}}), {x}, DType::I1);
    Tensor nan = run1(makeStep("unary", {{"fn", "is_nan"}}), {x}, DType::I1);
    bool bigIsInf = dt == DType::F16;  // 1e30 overflows f16
    std::vector<int> wantInf = {0, 1, 1, 0, bigIsInf, 0}, wantNan = {0, 0, 0, 1, 0, 0};
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(atInt(inf, i), wantInf[i]) << dtypeName(dt) << " " << i;
      EXPECT_EQ(atInt(nan, i), wantNan[i]) << dtypeName(dt) << " " << i;
    }
  }
}

TEST(ElementwiseUnary, F8Storage) {
  for (DType dt : {DType::F8E4M3FN, DType::F8E5M2}) {
    std::vector<double> values;
    for (int c = 0; c < 256; ++c) values.push_back(dt == DType::F8E4M3FN ? f8e4m3fnToFloat(c) : f8e5m2ToFloat(c));
    Tensor x = Tensor::empty(dt, {256});
    for (int c = 0; c < 256; ++c) x.as<uint8_t>()[c] = static_cast<uint8_t>(c);
    for (const char *fn : {"neg", "abs", "relu", "exp", "square"}) {
      Tensor y = run1(makeStep("unary", {{"fn", fn}}), {x}, dt);
      for (int c = 0; c < 256; ++c) {
        double in = values[c];
        double r = std::string(fn) == "neg" ? -in : std::string(fn) == "abs" ? std::fabs(in)
                   : std::string(fn) == "relu" ? (in > 0 ? in : 0.0)
                   : std::string(fn) == "exp" ? std::exp(in) : in * in;
        double want = storedFloat(dt, static_cast<float>(r));
        double got = at(y, c);
        // exp is within a few f32 ulp, which can flip an f8 rounding at a midpoint.
        double tol = std::string(fn) == "exp" ? 0.07 : 0;
        ASSERT_TRUE(sameFloat(got, want, tol, 0)) << fn << " " << dtypeName(dt) << " code " << c
                                                   << " got " << got << " want " << want;
      }
    }
  }
}

namespace {
template <class Narrow> int64_t wrapTo(__int128 v) {
  return static_cast<int64_t>(static_cast<Narrow>(static_cast<uint64_t>(static_cast<unsigned __int128>(v))));
}
int64_t wrapDtype(DType dt, __int128 v) {
  switch (dt) {
  case DType::I8: return wrapTo<int8_t>(v);
  case DType::I16: return wrapTo<int16_t>(v);
  case DType::I32: return wrapTo<int32_t>(v);
  case DType::I64: return wrapTo<int64_t>(v);
  case DType::U8: return wrapTo<uint8_t>(v);
  case DType::U16: return wrapTo<uint16_t>(v);
  case DType::U32: return wrapTo<uint32_t>(v);
  default: return static_cast<int64_t>(static_cast<uint64_t>(static_cast<unsigned __int128>(v)));
  }
}
int bitsOf(DType dt) { return static_cast<int>(dtypeSize(dt)) * 8; }
__int128 minOf(DType dt) { return isSigned(dt) ? -(static_cast<__int128>(1) << (bitsOf(dt) - 1)) : 0; }
__int128 maxOf(DType dt) {
  return isSigned(dt) ? (static_cast<__int128>(1) << (bitsOf(dt) - 1)) - 1
                      : (static_cast<__int128>(1) << bitsOf(dt)) - 1;
}
// The value of element i as a mathematical integer.
__int128 intValue(const Tensor &t, int64_t i) {
  int64_t v = atInt(t, i);
  if (t.dtype() == DType::U64) return static_cast<__int128>(static_cast<uint64_t>(v));
  return v;
}
std::vector<int64_t> intTestValues(DType dt) {
  std::vector<int64_t> v = {0, 1, 2, 3, 5, 7, 100, 127, 255, -1, -2, -3, -7, -100, -128};
  v.push_back(static_cast<int64_t>(minOf(dt)));
  v.push_back(static_cast<int64_t>(static_cast<uint64_t>(maxOf(dt))));
  v.push_back(static_cast<int64_t>(minOf(dt) + 1));
  v.push_back(static_cast<int64_t>(static_cast<uint64_t>(maxOf(dt) - 1)));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 60; ++i) v.push_back(static_cast<int64_t>(rng()));
  for (int64_t &x : v) x = wrapDtype(dt, x);
  return v;
}
const DType kIntTypes[] = {DType::I8, DType::I16, DType::I32, DType::I64,
                           DType::U8, DType::U16, DType::U32, DType::U64};
}  // namespace

TEST(ElementwiseUnary, IntegerFunctionsWrap) {
  for (DType dt : kIntTypes) {
    std::vector<int64_t> values = intTestValues(dt);
    Tensor x = makeInt(dt, {static_cast<int64_t>(values.size())}, values);
    for (const char *fn : {"neg", "abs", "sign", "relu", "square", "bitwise_not", "identity"}) {
      Tensor y = run1(makeStep("unary", {{"fn", fn}}), {x}, dt);
      std::string f = fn;
      for (int64_t i = 0; i < x.numel(); ++i) {
        __int128 a = intValue(x, i);
        __int128 r = f == "neg" ? -a : f == "abs" ? (a < 0 ? -a : a)
                     : f == "sign" ? (a > 0 ? 1 : a < 0 ? -1 : 0)
                     : f == "relu" ? (a > 0 ? a : 0)
                     : f == "square" ? static_cast<__int128>(static_cast<unsigned __int128>(a) * static_cast<unsigned __int128>(a))
                     : f == "bitwise_not" ? ~a : a;
        ASSERT_EQ(atInt(y, i), wrapDtype(dt, r)) << fn << " " << dtypeName(dt) << " x=" << (int64_t)a;
      }
    }
  }
}

TEST(ElementwiseUnary, LogicalNot) {
  Tensor x = makeInt(DType::I1, {5}, {0, 1, 1, 0, 1});
  Tensor y = run1(makeStep("unary", {{"fn", "not"}}), {x}, DType::I1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(atInt(y, i), 1 - atInt(x, i));
}

TEST(ElementwiseUnary, DefaultParametersWhenAbsent) {
  Tensor x = makeFloat(DType::F32, {3}, {-2.0, 0.1, 3.0});
  Tensor y = run1(makeStep("unary", {{"fn", "leaky_relu"}}), {x}, DType::F32);
  EXPECT_FLOAT_EQ(at(y, 0), -0.02f);
  Tensor hs = run1(makeStep("unary", {{"fn", "hard_sigmoid"}, {"alpha", nullptr}}), {x}, DType::F32);
  EXPECT_FLOAT_EQ(at(hs, 1), 0.52f);
}

// ---- binary ---------------------------------------------------------------------------------

namespace {
struct BroadcastCase {
  Shape a, b, out;
};
const BroadcastCase kBroadcasts[] = {
    {{37}, {37}, {37}},
    {{5, 301}, {301}, {5, 301}},             // bias over rows
    {{5, 1}, {1, 7}, {5, 7}},                // outer product
    {{}, {3, 4}, {3, 4}},                    // scalar lhs
    {{2, 3, 1, 5}, {3, 4, 1}, {2, 3, 4, 5}}, // mixed
    {{1, 1, 3}, {4, 1, 1}, {4, 1, 3}},
    {{2100}, {1}, {2100}},                   // crosses chunk boundaries
    {{0, 3}, {3}, {0, 3}},                   // empty
    {{3, 1}, {3, 1700}, {3, 1700}},          // inner broadcast, long rows
};

// Flat index into an operand of shape `s` for output coordinates of `out`.
int64_t bindex(const Shape &s, const Shape &out, int64_t linear) {
  int64_t idx = 0, stride = 1;
  for (int k = 0; k < static_cast<int>(out.size()); ++k) {
    int d = static_cast<int>(out.size()) - 1 - k;
    int64_t c = linear % out[d];
    linear /= out[d];
    int sd = static_cast<int>(s.size()) - 1 - k;
    if (sd < 0) continue;
    if (s[sd] != 1) idx += c * stride;
    stride *= s[sd];
  }
  return idx;
}

double floatBinaryRef(const std::string &f, double a, double b) {
  if (f == "add") return a + b;
  if (f == "sub") return a - b;
  if (f == "mul") return a * b;
  if (f == "div") return a / b;
  if (f == "fmod") return std::fmod(a, b);
  if (f == "mod") {
    double r = std::fmod(a, b);
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  }
  if (f == "max") return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b);
  if (f == "min") return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b);
  if (f == "prelu") return a < 0 ? a * b : a;
  if (f == "pow") return std::pow(a, b);
  ADD_FAILURE() << f;
  return 0;
}
}  // namespace

TEST(ElementwiseBinary, FloatFunctionsBroadcast) {
  for (const char *fn : {"add", "sub", "mul", "div", "fmod", "mod", "max", "min", "prelu", "pow"}) {
    for (DType dt : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
      for (const BroadcastCase &bc : kBroadcasts) {
        std::vector<double> av = testValues(3, 50, -20, 20), bv = testValues(9, 50, -5, 5);
        std::rotate(bv.begin(), bv.begin() + 7, bv.end());
        Tensor a = makeFloat(dt, bc.a, av), b = makeFloat(dt, bc.b, bv);
        Tensor y = run1(makeStep("binary", {{"fn", fn}}), {a, b}, dt);
        ASSERT_EQ(y.shape(), bc.out);
        for (int64_t i = 0; i < y.numel(); ++i) {
          double x0 = at(a, bindex(bc.a, bc.out, i)), x1 = at(b, bindex(bc.b, bc.out, i));
          double ref = floatBinaryRef(fn, x0, x1);
          // f32 computes in f32: one rounding (pow: powf's <1 ulp) -> the stored value.
          double want = storedFloat(dt, dt == DType::F64 ? ref : static_cast<float>(ref));
          double tol = std::string(fn) == "pow" ? 4 * unitRoundoff(dt) : dt == DType::F64 ? 0 : 1e-7;
          if (dt == DType::F16 || dt == DType::BF16) tol = 1.01 * unitRoundoff(dt);
          double got = at(y, i);
          // fmod/mod results are exact in f32 but need the f32 inputs; near a multiple
          // the Python correction r + b rounds.
          ASSERT_TRUE(sameFloat(got, want, tol, 0) || (std::string(fn) == "mod" && sameFloat(got, want, 1e-6, 1e-6)))
              << fn << " " << dtypeName(dt) << " " << shapeToString(bc.a) << " vs "
              << shapeToString(bc.b) << " i=" << i << " a=" << x0 << " b=" << x1 << " got "
              << got << " want " << want;
        }
      }
    }
  }
}

TEST(ElementwiseBinary, MaxMinPropagateNaN) {
  Tensor a = makeFloat(DType::F32, {4}, {kNaN, 1.0, kNaN, -kInf});
  Tensor b = makeFloat(DType::F32, {4}, {1.0, kNaN, kNaN, 2.0});
  Tensor mx = run1(makeStep("binary", {{"fn", "max"}}), {a, b}, DType::F32);
  Tensor mn = run1(makeStep("binary", {{"fn", "min"}}), {a, b}, DType::F32);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(at(mx, i)) && std::isnan(at(mn, i)));
  EXPECT_EQ(at(mx, 3), 2.0);
  EXPECT_EQ(at(mn, 3), -kInf);
}

namespace {
__int128 floorDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
// Reference of every integer binary function on mathematical integers, then wrapped.
int64_t intBinaryRef(const std::string &f, DType dt, __int128 a, __int128 b) {
  int bits = bitsOf(dt);
  bool s = isSigned(dt);
  auto wrap = [&](__int128 v) { return wrapDtype(dt, v); };
  auto umul = [](__int128 x, __int128 y) {
    return static_cast<__int128>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
  };
  if (f == "add") return wrap(a + b);
  if (f == "sub") return wrap(a - b);
  if (f == "mul") return wrap(umul(a, b));
  if (f == "div") return b == 0 ? 0 : wrap(a / b);  // C++ '/' truncates toward zero
  if (f == "fmod") return b == 0 ? 0 : wrap(a % b);
  if (f == "mod") return b == 0 ? 0 : wrap(a - floorDiv(a, b) * b);
  if (f == "max") return wrap(std::max(a, b));
  if (f == "min") return wrap(std::min(a, b));
  if (f == "bitwise_and") return wrap(a & b);
  if (f == "bitwise_or") return wrap(a | b);
  if (f == "bitwise_xor") return wrap(a ^ b);
  if (f == "prelu") return wrap(a < 0 ? umul(a, b) : a);
  if (f == "shift_left") {
    if (b < 0 || b >= bits) return 0;
    return wrap(static_cast<__int128>(static_cast<unsigned __int128>(a) << static_cast<int>(b)));
  }
  if (f == "shift_right") {
    if (b < 0 || b >= bits) return s && a < 0 ? -1 : 0;
    return wrap(a >> static_cast<int>(b));  // arithmetic for negative signed values
  }
  if (f == "pow") {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    unsigned __int128 r = 1;
    for (__int128 k = 0; k < b && k < 200; ++k) r = static_cast<uint64_t>(r * static_cast<unsigned __int128>(a));
    if (b >= 200) {  // large exponents: square-and-multiply on the wrapped value
      uint64_t base = static_cast<uint64_t>(a), e = static_cast<uint64_t>(b), acc = 1;
      while (e) { if (e & 1) acc *= base; base *= base; e >>= 1; }
      return wrap(acc);
    }
    return wrap(static_cast<__int128>(r));
  }
  ADD_FAILURE() << f;
  return 0;
}
}  // namespace

TEST(ElementwiseBinary, IntegerFunctions) {
  const char *fns[] = {"add", "sub", "mul", "div", "fmod", "mod", "max", "min", "bitwise_and",
                       "bitwise_or", "bitwise_xor", "prelu", "shift_left", "shift_right", "pow"};
  for (DType dt : kIntTypes) {
    std::vector<int64_t> vals = intTestValues(dt);
    std::vector<int64_t> small = {0, 1, 2, 3, 7, -1, -2, -3, 5, 8, 15, 16, 31, 32, 63, 64, 65, 100};
    for (int64_t &x : small) x = wrapDtype(dt, x);
    int64_t n = static_cast<int64_t>(vals.size());
    int64_t m = static_cast<int64_t>(small.size());
    Tensor a = makeInt(dt, {n, 1}, vals);
    for (const char *fn : fns) {
      std::string f = fn;
      bool shiftLike = f == "shift_left" || f == "shift_right" || f == "pow";
      Tensor b = shiftLike ? makeInt(dt, {1, m}, small) : makeInt(dt, {1, n}, vals);
      Tensor y = run1(makeStep("binary", {{"fn", fn}}), {a, b}, dt);
      int64_t cols = b.shape()[1];
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          __int128 x0 = intValue(a, i), x1 = intValue(b, j);
          ASSERT_EQ(atInt(y, i * cols + j), intBinaryRef(f, dt, x0, x1))
              << fn << " " << dtypeName(dt) << " a=" << (int64_t)x0 << " b=" << (int64_t)x1;
        }
    }
  }
}

TEST(ElementwiseBinary, IntegerDivisionEdgeCases) {
  Tensor a = makeInt(DType::I32, {6}, {INT32_MIN, 7, -7, 7, -7, 5});
  Tensor b = makeInt(DType::I32, {6}, {-1, -2, 2, 0, -2, 0});
  Tensor d = run1(makeStep("binary", {{"fn", "div"}}), {a, b}, DType::I32);
  Tensor m = run1(makeStep("binary", {{"fn", "mod"}}), {a, b}, DType::I32);
  Tensor f = run1(makeStep("binary", {{"fn", "fmod"}}), {a, b}, DType::I32);
  std::vector<int64_t> wd = {INT32_MIN, -3, -3, 0, 3, 0}, wm = {0, -1, 1, 0, -1, 0},
                       wf = {0, 1, -1, 0, -1, 0};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(atInt(d, i), wd[i]) << i;
    EXPECT_EQ(atInt(m, i), wm[i]) << i;
    EXPECT_EQ(atInt(f, i), wf[i]) << i;
  }
  Tensor a64 = makeInt(DType::I64, {1}, {INT64_MIN}), b64 = makeInt(DType::I64, {1}, {-1});
  EXPECT_EQ(atInt(run1(makeStep("binary", {{"fn", "div"}}), {a64, b64}, DType::I64), 0), INT64_MIN);
  EXPECT_EQ(atInt(run1(makeStep("binary", {{"fn", "mod"}}), {a64, b64}, DType::I64), 0), 0);
}

TEST(ElementwiseBinary, LogicalOnBool) {
  Tensor a = makeInt(DType::I1, {2, 1}, {0, 1}), b = makeInt(DType::I1, {2}, {0, 1});
  for (const char *fn : {"and", "or", "xor"}) {
    Tensor y = run1(makeStep("binary", {{"fn", fn}}), {a, b}, DType::I1);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        int want = std::string(fn) == "and" ? (i & j) : std::string(fn) == "or" ? (i | j) : (i ^ j);
        EXPECT_EQ(atInt(y, i * 2 + j), want) << fn;
      }
  }
}

TEST(ElementwiseBinary, PowMixedTypesAndConstantExponents) {
  // f32 base, i64 exponent (ONNX Pow allows a different exponent type).
  Tensor x = makeFloat(DType::F32, {5}, {2.0, -3.0, 0.5, -0.0, kInf});
  Tensor e = makeInt(DType::I64, {5}, {10, 3, -2, -1, 2});
  Tensor y = run1(makeStep("binary", {{"fn", "pow"}}), {x, e}, DType::F32);
  std::vector<double> want = {1024, -27, 4, -kInf, kInf};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(at(y, i), want[i]) << i;
  // i32 base, f32 exponent: pow in f64, truncated.
  Tensor xi = makeInt(DType::I32, {3}, {2, 9, -8});
  Tensor ef = makeFloat(DType::F32, {3}, {0.5, 0.5, 1.0 / 3});
  Tensor yi = run1(makeStep("binary", {{"fn", "pow"}}), {xi, ef}, DType::I32);
  EXPECT_EQ(atInt(yi, 0), 1);
  EXPECT_EQ(atInt(yi, 1), 3);
  EXPECT_EQ(atInt(yi, 2), 0);  // pow(-8, 1/3) is NaN: a defined 0
  // Scalar exponents take exact shortcuts that must agree with pow's special cases.
  Tensor v = makeFloat(DType::F32, {7}, {-0.0, -kInf, 4.0, kNaN, -2.0, 1e-40, 3.0});
  for (double p : {2.0, 0.5, 1.0, -1.0, 0.0, 3.0}) {
    Tensor ps = makeFloat(DType::F32, {}, {p});
    Tensor r = run1(makeStep("binary", {{"fn", "pow"}}), {v, ps}, DType::F32);
    for (int i = 0; i < 7; ++i) {
      double w = static_cast<float>(std::pow(at(v, i), p));
      double g = at(r, i);
      EXPECT_TRUE(std::isnan(w) ? std::isnan(g) : (g == w && std::signbit(g) == std::signbit(w)))
          << "pow(" << at(v, i) << ", " << p << ") got " << g << " want " << w;
    }
  }
}

// ---- compare / select ---------------------------------------------------------------------------

TEST(ElementwiseCompare, AllFunctionsAndTypes) {
  const char *fns[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  auto ref = [](const std::string &f, auto a, auto b) {
    return f == "eq" ? a == b : f == "ne" ? a != b : f == "lt" ? a < b : f == "le" ? a <= b : f == "gt" ? a > b : a >= b;
  };
  for (DType dt : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    std::vector<double> v = {kNaN, -kInf, -1.0, -0.0, 0.0, 1.0, 2.5, kInf};
    Tensor a = makeFloat(dt, {8, 1}, v), b = makeFloat(dt, {8}, v);
    for (const char *fn : fns) {
      Tensor y = run1(makeStep("compare", {{"fn", fn}}), {a, b}, DType::I1);
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j)
          ASSERT_EQ(atInt(y, i * 8 + j), ref(fn, v[i], v[j]) ? 1 : 0) << fn << " " << v[i] << " " << v[j];
    }
  }
  for (DType dt : kIntTypes) {
    std::vector<int64_t> v = intTestValues(dt);
    v.resize(20);
    Tensor a = makeInt(dt, {20, 1}, v), b = makeInt(dt, {1, 20}, v);
    for (const char *fn : fns) {
      Tensor y = run1(makeStep("compare", {{"fn", fn}}), {a, b}, DType::I1);
      for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 20; ++j)
          ASSERT_EQ(atInt(y, i * 20 + j), ref(fn, intValue(a, i), intValue(b, j)) ? 1 : 0)
              << fn << " " << dtypeName(dt);
    }
  }
  Tensor t = makeInt(DType::I1, {2}, {0, 1});
  Tensor y = run1(makeStep("compare", {{"fn", "lt"}}), {t, makeInt(DType::I1, {2, 1}, {0, 1})}, DType::I1);
  EXPECT_EQ(atInt(y, 2), 1);  // 0 < 1
  EXPECT_EQ(atInt(y, 1), 0);
}

TEST(ElementwiseSelect, BroadcastAllTypes) {
  for (DType dt : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::I64,
                   DType::U16, DType::U64, DType::I1, DType::F8E4M3FN}) {
    Tensor c = makeInt(DType::I1, {3, 1, 5}, {1, 0, 0, 1, 1, 0, 1});
    Tensor a = makeFloat(dt, {4, 1}, {1, 0, 3, 4});
    Tensor b = makeFloat(dt, {}, {0});
    if (dt == DType::I1) b = makeInt(dt, {}, {0});
    Tensor y = run1(makeStep("select", json::object()), {c, a, b}, dt);
    ASSERT_EQ(y.shape(), (Shape{3, 4, 5}));
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t ci = (i / 20) * 5 + i % 5, ai = (i / 5) % 4;
      double want = atInt(c, ci) ? at(a, ai) : at(b, 0);
      ASSERT_EQ(at(y, i), want) << dtypeName(dt) << " " << i;
    }
  }
}

// ---- cast -------------------------------------------------------------------------------------

namespace {
const DType kAllTypes[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::F8E4M3FN,
                           DType::F8E5M2, DType::I1, DType::I8, DType::I16, DType::I32,
                           DType::I64, DType::U8, DType::U16, DType::U32, DType::U64};

// ONNX Cast of the exact value v (a float or an integer held in __int128).
double castFloatRef(DType to, double v, bool saturate) {
  bool f8 = to == DType::F8E4M3FN || to == DType::F8E5M2;  // saturate matters only there
  return storedFloat(to, v, f8 && saturate);
}
int64_t castToIntRef(DType to, double v) {
  if (to == DType::I1) return v != 0;
  if (std::isnan(v)) return 0;
  double t = std::trunc(v);
  __int128 i;
  if (t >= 9223372036854775808.0) i = to == DType::U64 && t < 18446744073709551616.0 ? static_cast<__int128>(t) : (to == DType::U64 ? static_cast<__int128>(UINT64_MAX) : INT64_MAX);
  else if (t < -9223372036854775808.0) i = INT64_MIN;
  else i = static_cast<__int128>(t);
  return wrapDtype(to, i);
}
}  // namespace

TEST(ElementwiseCast, EveryPair) {
  std::vector<double> fv = {0.0, -0.0, 1.0, -1.0, 0.4, -0.6, 1.5, 2.5, -2.5, 127.9, 128.5,
                            -129.7, 255.9, 300.2, 65504.0, 65520.0, 70000.0, 448.0, 464.0,
                            500.0, 57344.0, 1e10, -1e10, 3e38, 1e-5, 6e-8, 1e-40, 2049.0,
                            16777217.0, kInf, -kInf, kNaN};
  for (DType from : kAllTypes) {
    Tensor x;
    if (isFloat(from)) x = makeFloat(from, {static_cast<int64_t>(fv.size())}, fv);
    else if (from == DType::I1) x = makeInt(from, {2}, {0, 1});
    else {
      std::vector<int64_t> iv = intTestValues(from);
      for (int64_t k : {2049, 2051, 16777217, 65504, 65520, 16842753})
        iv.push_back(wrapDtype(from, k));
      x = makeInt(from, {static_cast<int64_t>(iv.size())}, iv);
    }
    for (DType to : kAllTypes) {
      for (bool saturate : {true, false}) {
        if (!saturate && to != DType::F8E4M3FN && to != DType::F8E5M2) continue;
        Tensor y = run1(makeStep("cast", {{"saturate", saturate}}), {x}, to);
        for (int64_t i = 0; i < x.numel(); ++i) {
          std::string what = std::string(dtypeName(from)) + "->" + dtypeName(to) + " #" + std::to_string(i);
          if (isFloat(from)) {
            double v = at(x, i);
            if (isFloat(to)) {
              double want = castFloatRef(to, v, saturate), got = at(y, i);
              ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << what << " v=" << v << " got " << got << " want " << want;
              if (want == 0) ASSERT_EQ(std::signbit(got), std::signbit(want)) << what;
            } else {
              ASSERT_EQ(atInt(y, i), castToIntRef(to, v)) << what << " v=" << v;
            }
          } else {
            __int128 v = from == DType::I1 ? atInt(x, i) : intValue(x, i);
            if (isFloat(to)) {
              // Exact integer -> one rounding: through long double (64-bit mantissa,
              // exact for all 64-bit integers) to the format.
              long double lv = static_cast<long double>(v);
              double want;
              if (to == DType::F64) want = static_cast<double>(lv);
              else if (to == DType::F32) want = static_cast<float>(lv);
              else {
                // |v| < 2^64 needs at most 64 bits; the formats need <= 11 bits, so
                // rounding through double only errs on exact ties, which roundToFormat of
                // a double sticky-bit value avoids: use the odd-rounded double.
                double d = static_cast<double>(lv);
                if (static_cast<long double>(d) != lv) {
                  uint64_t bits;
                  std::memcpy(&bits, &d, 8);
                  if (std::fabs(static_cast<long double>(d)) > std::fabs(lv)) --bits;
                  bits |= 1;
                  std::memcpy(&d, &bits, 8);
                }
                want = castFloatRef(to, d, saturate);
              }
              double got = at(y, i);
              ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << what << " v=" << (int64_t)v << " got " << got << " want " << want;
            } else {
              int64_t want = to == DType::I1 ? (v != 0) : wrapDtype(to, v);
              ASSERT_EQ(atInt(y, i), want) << what << " v=" << (int64_t)v;
            }
          }
        }
      }
    }
  }
}

// ---- fused programs ---------------------------------------------------------------------------

namespace {
json instr(const char *op, const char *fn, std::vector<int> args, const char *dtype) {
  json j = {{"op", op}, {"args", args}, {"dtype", dtype}};
  if (fn) j["fn"] = fn;
  return j;
}
}  // namespace

TEST(ElementwiseProgram, MultipleOutputsCastsConstantsBroadcast) {
  // y0 = sigmoid(x*w + b) as f16, y1 = (x > 2) as i1, y2 = where(y1, x, cast(b)) in f32
  // after an i32 round trip: x [3, 1000] f32, w [1000] f32, b [3, 1] bf16.
  json program = json::array({
      instr("binary", "mul", {0, 1}, "f32"),            // 3
      instr("cast", nullptr, {2}, "f32"),               // 4
      instr("binary", "add", {3, 4}, "f32"),            // 5
      instr("unary", "sigmoid", {5}, "f32"),            // 6
      instr("cast", nullptr, {6}, "f16"),               // 7
      {{"op", "constant"}, {"value", 2.0}, {"dtype", "f32"}},  // 8
      instr("compare", "gt", {0, 8}, "i1"),             // 9
      instr("cast", nullptr, {0}, "i32"),               // 10
      instr("cast", nullptr, {10}, "f32"),              // 11
      instr("select", nullptr, {9, 11, 4}, "f32"),      // 12
  });
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {7, 9, 12}}});
  std::vector<double> xv = testValues(5, 200, -6, 6), wv = testValues(6, 100, -2, 2);
  for (double &v : xv) if (!std::isfinite(v) || std::fabs(v) > 1e6) v = 1.25;
  for (double &v : wv) if (!std::isfinite(v) || std::fabs(v) > 1e6) v = -0.75;
  Tensor x = makeFloat(DType::F32, {3, 1000}, xv), w = makeFloat(DType::F32, {1000}, wv),
         b = makeFloat(DType::BF16, {3, 1}, {0.5, -1.25, 3.0});
  auto outs = run(step, {x, w, b}, {DType::F16, DType::I1, DType::F32});
  ASSERT_EQ(outs[0].shape(), (Shape{3, 1000}));
  for (int64_t i = 0; i < 3000; ++i) {
    double xi = at(x, i), wi = at(w, i % 1000), bi = at(b, i / 1000);
    double s = sigmoidRef(static_cast<float>(static_cast<float>(xi * wi) + bi));
    ASSERT_NEAR(at(outs[0], i), storedFloat(DType::F16, s), 1e-3 * s + 1e-7) << i;
    ASSERT_EQ(atInt(outs[1], i), xi > 2 ? 1 : 0) << i;
    ASSERT_EQ(at(outs[2], i), xi > 2 ? std::trunc(xi) : bi) << i;
  }
}

TEST(ElementwiseProgram, InPlaceOutputAliasesInput) {
  // The planner may give the output the bytes of a dead input of the same size.
  for (int64_t n : {1, 5, 1023, 1024, 1025, 70001}) {
    json program = json::array({instr("binary", "mul", {0, 1}, "f32"),
                                instr("unary", "exp", {2}, "f32"),
                                instr("binary", "sub", {3, 0}, "f32")});
    StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {4}}});
    std::vector<double> xv = testValues(11, 100, -3, 3);
    for (double &v : xv) if (!std::isfinite(v) || std::fabs(v) > 50) v = 0.5;
    Tensor x = makeFloat(DType::F32, {n}, xv), s = makeFloat(DType::F32, {}, {0.5});
    std::vector<double> ref(n);
    for (int64_t i = 0; i < n; ++i) ref[i] = std::exp(static_cast<float>(at(x, i) * 0.5)) - at(x, i);
    TensorView xv0 = view(x);
    std::vector<TensorView> outs = {xv0};
    KernelContext kc{step, {view(x), view(s)}, outs, pool()};
    registry().find("elementwise")->run(kc);
    for (int64_t i = 0; i < n; ++i) ASSERT_NEAR(at(x, i), ref[i], 1e-6 * std::fabs(ref[i]) + 1e-6) << n << " " << i;
  }
  // Same bytes, different element size and a broadcast: i64 [N] -> f32 [2, N] would be
  // overwritten before its second read unless the kernel copies it first.
  int64_t n = 3000;
  Tensor buf = Tensor::empty(DType::F32, {2, n});
  std::vector<int64_t> ref(n);
  for (int64_t i = 0; i < n; ++i) ref[i] = i * 3 - 1000;
  std::memcpy(buf.data(), ref.data(), n * 8);
  TensorView in{DType::I64, {n}, buf.data(), true};
  TensorView out{DType::F32, {2, n}, buf.data(), true};
  // A cast needs equal shapes; a program broadcasts.
  json program = json::array({instr("cast", nullptr, {0}, "f32"), {{"op", "constant"}, {"value", 0.0}, {"dtype", "f32"}},
                              instr("binary", "add", {1, 2}, "f32")});
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {3}}});
  KernelContext kc2{step, {in}, {out}, pool()};
  registry().find("elementwise")->run(kc2);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(buf.as<float>()[r * n + i], static_cast<float>(ref[i])) << r << " " << i;
}

TEST(ElementwiseProgram, IntermediateIntegersWrapAndConstantsOnly) {
  // i8: (x + 100) as i8 wraps before the compare.
  json program = json::array({{{"op", "constant"}, {"value", 100}, {"dtype", "i8"}},
                              instr("binary", "add", {0, 1}, "i8"),
                              instr("compare", "lt", {2, 0}, "i1")});
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {2, 3}}});
  Tensor x = makeInt(DType::I8, {5}, {-128, 0, 27, 28, 127});
  auto outs = run(step, {x}, {DType::I8, DType::I1});
  std::vector<int64_t> sum = {-28, 100, 127, -128, -29}, lt = {0, 0, 0, 1, 1};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(atInt(outs[0], i), sum[i]);
    EXPECT_EQ(atInt(outs[1], i), lt[i]);
  }
  // A program of constants only fills its declared shape.
  json p2 = json::array({{{"op", "constant"}, {"value", "-inf"}, {"dtype", "f32"}}});
  StepDesc s2 = makeStep("elementwise", {{"program", p2}, {"results", {0}}});
  auto o2 = run(s2, {}, {DType::F32}, {{2, 3}});
  ASSERT_EQ(o2[0].shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(at(o2[0], i), -kInf);
}

TEST(ElementwiseProgram, ScalarsEmptyAndResultIsInput) {
  json program = json::array({instr("binary", "add", {0, 1}, "f64")});
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {2, 0}}});
  Tensor a = makeFloat(DType::F64, {}, {1.5}), b = makeFloat(DType::F64, {}, {2.25});
  auto outs = run(step, {a, b}, {DType::F64, DType::F64});
  EXPECT_EQ(outs[0].shape(), Shape{});
  EXPECT_EQ(at(outs[0], 0), 3.75);
  EXPECT_EQ(at(outs[1], 0), 1.5);
  Tensor e = makeFloat(DType::F64, {0, 4}, {0.0});
  auto empty = run(step, {e, b}, {DType::F64, DType::F64});
  EXPECT_EQ(empty[0].shape(), (Shape{0, 4}));
  // A broadcast input returned as a result is expanded.
  Tensor row = makeFloat(DType::F64, {3}, {1, 2, 3}), col = makeFloat(DType::F64, {2, 1}, {10, 20});
  auto bc = run(makeStep("elementwise", {{"program", program}, {"results", {2, 0}}}), {row, col},
                {DType::F64, DType::F64});
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(at(bc[0], i), (i % 3 + 1) + 10.0 * (i / 3 + 1));
    EXPECT_EQ(at(bc[1], i), i % 3 + 1);
  }
}

TEST(ElementwiseProgram, HighRankBroadcastMatchesReference) {
  Shape sa = {2, 1, 3, 1, 5}, sb = {4, 1, 7, 5}, sc = {1, 1, 1, 7, 1}, out = {2, 4, 3, 7, 5};
  Tensor a = makeFloat(DType::F32, sa, testValues(1, 30, -2, 2)),
         b = makeFloat(DType::F16, sb, testValues(2, 140, -2, 2)),
         c = makeFloat(DType::F32, sc, testValues(3, 7, -2, 2));
  // b is f16: the program casts it to f32 first.
  json prog = json::array({instr("cast", nullptr, {1}, "f32"),   // 3
                           instr("binary", "mul", {0, 3}, "f32"),  // 4
                           instr("binary", "sub", {4, 2}, "f32")});  // 5
  StepDesc s = makeStep("elementwise", {{"program", prog}, {"results", {5}}});
  Tensor y = run(s, {a, b, c}, {DType::F32})[0];
  ASSERT_EQ(y.shape(), out);
  for (int64_t i = 0; i < y.numel(); ++i) {
    double want = static_cast<float>(static_cast<float>(at(a, bindex(sa, out, i)) * at(b, bindex(sb, out, i))) -
                                     at(c, bindex(sc, out, i)));
    if (std::isnan(want)) { ASSERT_TRUE(std::isnan(at(y, i))); continue; }
    ASSERT_EQ(at(y, i), want) << i;
  }
}

// ---- shapes and errors ---------------------------------------------------------------------

TEST(ElementwiseShape, PlanTimeShapesAndErrors) {
  Tensor a = makeFloat(DType::F32, {4, 1, 3}, {0}), b = makeFloat(DType::F32, {5, 1}, {0});
  EXPECT_EQ(shapeOf(makeStep("binary", {{"fn", "add"}}), {a, b}, {DType::F32}), (Shape{4, 5, 3}));
  Tensor c = makeFloat(DType::F32, {2, 3}, {0}), d = makeFloat(DType::F32, {4}, {0});
  try {
    shapeOf(makeStep("binary", {{"fn", "add"}}), {c, d}, {DType::F32});
    FAIL() << "expected an error";
  } catch (const Error &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("2x3"), std::string::npos) << m;
    EXPECT_NE(m.find("4"), std::string::npos) << m;
    EXPECT_NE(m.find("test/binary"), std::string::npos) << m;
  }
  Tensor cond = makeInt(DType::I1, {2, 1}, {1});
  try {
    shapeOf(makeStep("select", json::object()), {cond, c, d}, {DType::F32});
    FAIL() << "expected an error";
  } catch (const Error &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("input 2"), std::string::npos) << m;
    EXPECT_NE(m.find("2x3"), std::string::npos) << m;
  }
  json program = json::array({instr("binary", "add", {0, 1}, "f32")});
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {2}}});
  EXPECT_EQ(shapeOf(step, {a, b}, {DType::F32}, {{-1, 5, -1}}), (Shape{4, 5, 3}));
  EXPECT_THROW(shapeOf(step, {a, b}, {DType::F32}, {{4, 6, 3}}), Error);
}

TEST(ElementwiseShape, BadProgramsFailCleanly) {
  Tensor x = makeFloat(DType::F32, {4}, {1});
  Tensor i = makeInt(DType::I32, {4}, {1});
  auto expectError = [&](const StepDesc &s, std::vector<Tensor> ins, std::vector<DType> outs,
                         const char *needle) {
    try {
      run(s, ins, outs);
      ADD_FAILURE() << "expected an error containing " << needle;
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expectError(makeStep("unary", {{"fn", "frobnicate"}}), {x}, {DType::F32}, "frobnicate");
  expectError(makeStep("unary", {{"fn", "exp"}}), {i}, {DType::I32}, "floating-point");
  expectError(makeStep("binary", {{"fn", "add"}}), {x, i}, {DType::F32}, "different element types");
  expectError(makeStep("binary", {{"fn", "shift_left"}}), {x, x}, {DType::F32}, "integer");
  expectError(makeStep("binary", {{"fn", "and"}}), {i, i}, {DType::I32}, "i1");
  expectError(makeStep("select", json::object()), {x, x, x}, {DType::F32}, "condition");
  json bad = json::array({instr("binary", "add", {0, 5}, "f32")});
  expectError(makeStep("elementwise", {{"program", bad}, {"results", {1}}}), {x}, {DType::F32}, "register 5");
  json good = json::array({instr("unary", "exp", {0}, "f32")});
  expectError(makeStep("elementwise", {{"program", good}, {"results", {1}}}), {x}, {DType::F16}, "output 0");
  expectError(makeStep("elementwise", {{"program", good}, {"results", {9}}}), {x}, {DType::F32}, "result register");
  expectError(makeStep("elementwise", {{"results", {0}}}), {x}, {DType::F32}, "program");
}

// ---- benchmark (printed, not asserted) ------------------------------------------------------

TEST(ElementwiseBenchmark, FusedAddMulSigmoid16M) {
  const int64_t n = 16 << 20;
  Tensor a = Tensor::empty(DType::F32, {n}), b = Tensor::empty(DType::F32, {n}),
         c = Tensor::empty(DType::F32, {n}), y = Tensor::empty(DType::F32, {n});
  for (int64_t i = 0; i < n; ++i) {
    a.as<float>()[i] = static_cast<float>(i % 1000) * 0.01f - 5;
    b.as<float>()[i] = 0.5f;
    c.as<float>()[i] = static_cast<float>(i % 7) * 0.1f;
  }
  json program = json::array({instr("binary", "add", {0, 1}, "f32"),
                              instr("binary", "mul", {3, 2}, "f32"),
                              instr("unary", "sigmoid", {4}, "f32")});
  StepDesc step = makeStep("elementwise", {{"program", program}, {"results", {5}}});
  auto once = [&](ThreadPool &p) {
    KernelContext kc{step, {view(a), view(b), view(c)}, {view(y)}, p};
    registry().find("elementwise")->run(kc);
  };
  for (int threads : {1, 0}) {
    ThreadPool p(threads);
    once(p);
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      once(p);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    double gbs = 4.0 * n * 4 / best / 1e9;
    std::printf("[bench] fused add+mul+sigmoid, 16M f32, %d threads: %.2f ms, %.1f GB/s\n", p.size(),
                best * 1e3, gbs);
  }
  for (int64_t i = 0; i < n; i += 99991) {
    double want = sigmoidRef((a.as<float>()[i] + 0.5f) * c.as<float>()[i]);
    ASSERT_NEAR(y.as<float>()[i], want, 1e-6);
  }
  // A reference point: a plain copy-free streaming loop (y = a * b + c) in this process.
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    const float *pa = a.as<float>(), *pb = b.as<float>(), *pc = c.as<float>();
    float *py = y.as<float>();
    for (int64_t i = 0; i < n; ++i) py[i] = pa[i] * pb[i] + pc[i];
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("[bench] plain fma loop (memory-bound reference), 1 thread: %.2f ms, %.1f GB/s\n",
              best * 1e3, 4.0 * n * 4 / best / 1e9);
}
