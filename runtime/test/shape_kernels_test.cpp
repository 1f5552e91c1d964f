// Tests of the cpu shape / data-movement kernels (registerCpuShapeKernels). Each step is
// run through its shape function and kernel directly; results are compared with values
// worked out by hand (or with numpy, pasted) and with naive index loops written here.
#include "Kernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace ds::rt;
using nlohmann::json;

namespace {

const KernelRegistry &registry() {
  static KernelRegistry r = [] {
    KernelRegistry reg;
    registerCpuShapeKernels(reg);
    return reg;
  }();
  return r;
}

ThreadPool &pool() {
  static ThreadPool p(4);
  return p;
}

const DType kAllTypes[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::F8E4M3FN,
                           DType::I1,  DType::I8,  DType::I16,  DType::I32, DType::I64,
                           DType::U8,  DType::U64};

// One tensor per element size, plus bool.
const DType kSizeTypes[] = {DType::U8, DType::F16, DType::F32, DType::I64, DType::I1};

TensorView view(const Tensor &t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.data = const_cast<void *>(t.data());
  v.present = t.valid() || t.data() != nullptr;
  return v;
}

Tensor ints(DType type, Shape shape, const std::vector<int64_t> &values) {
  Tensor t = Tensor::empty(type, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numel());
  for (size_t i = 0; i < values.size(); ++i) storeFromInt(view(t), i, values[i]);
  return t;
}
Tensor i64s(std::vector<int64_t> values) {
  return ints(DType::I64, {static_cast<int64_t>(values.size())}, values);
}
Tensor i64(int64_t v) { return ints(DType::I64, {}, {v}); }

Tensor floats(DType type, Shape shape, const std::vector<double> &values) {
  Tensor t = Tensor::empty(type, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numel());
  for (size_t i = 0; i < values.size(); ++i) storeFromDouble(view(t), i, values[i]);
  return t;
}

// 0, 1, 2, ... stored in `type` (modulo what the type holds).
Tensor iota(DType type, Shape shape) {
  Tensor t = Tensor::empty(type, shape);
  for (int64_t i = 0; i < t.numel(); ++i) storeFromInt(view(t), i, type == DType::I1 ? i % 3 == 0 : i % 100);
  return t;
}

// Random bytes: any byte pattern is a valid element for data movement (i1 gets 0/1).
Tensor randomBytes(DType type, Shape shape, uint32_t seed = 1) {
  Tensor t = Tensor::empty(type, shape);
  std::mt19937 rng(seed);
  auto *p = static_cast<uint8_t *>(t.data());
  for (size_t i = 0; i < t.bytes(); ++i)
    p[i] = type == DType::I1 ? rng() % 2 : static_cast<uint8_t>(rng());
  return t;
}

std::vector<int64_t> asInts(const Tensor &t) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(loadAsInt(view(t), i));
  return out;
}
std::vector<double> asDoubles(const Tensor &t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(loadAsDouble(view(t), i));
  return out;
}

StepDesc makeStep(const std::string &kind, json attrs) {
  StepDesc step;
  step.kind = kind;
  step.name = "test_" + kind;
  step.attrs = std::move(attrs);
  return step;
}

std::vector<Shape> inferShapes(const StepDesc &step, const std::vector<Tensor> &inputs,
                               const std::vector<DType> &outTypes, bool withData = true) {
  const KernelDef *def = registry().find(step.kind);
  EXPECT_NE(def, nullptr) << step.kind;
  std::vector<TensorView> views;
  for (const Tensor &t : inputs) {
    TensorView v = view(t);
    if (!withData) v.data = nullptr;
    views.push_back(v);
  }
  ShapeContext ctx{step, views, outTypes, std::vector<Shape>(outTypes.size()), {}};
  def->shape(ctx);
  return ctx.outputShapes;
}

// Shape function, allocation, kernel. An absent optional operand is a default Tensor.
std::vector<Tensor> runStep(const std::string &kind, json attrs, const std::vector<Tensor> &inputs,
                            std::vector<DType> outTypes) {
  StepDesc step = makeStep(kind, std::move(attrs));
  std::vector<Shape> shapes = inferShapes(step, inputs, outTypes);
  EXPECT_EQ(shapes.size(), outTypes.size());
  std::vector<Tensor> outputs;
  std::vector<TensorView> inViews, outViews;
  for (const Tensor &t : inputs) inViews.push_back(view(t));
  for (size_t i = 0; i < shapes.size(); ++i) {
    outputs.push_back(Tensor::empty(outTypes[i], shapes[i]));
    // Poison the output so a kernel that forgets an element is caught.
    std::memset(outputs.back().data(), 0xA5, outputs.back().bytes());
    outViews.push_back(view(outputs.back()));
  }
  KernelContext kctx{step, inViews, outViews, pool()};
  registry().find(kind)->run(kctx);
  return outputs;
}
Tensor run1(const std::string &kind, json attrs, const std::vector<Tensor> &inputs, DType outType) {
  return runStep(kind, std::move(attrs), inputs, {outType})[0];
}

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

// Naive reference for data movement: out element at multi-index idx is src element
// source(idx) (a linear index), or the fill bytes when source returns -1.
Tensor naiveMap(const Tensor &src, DType type, const Shape &outShape,
                const std::function<int64_t(const std::vector<int64_t> &)> &source,
                const void *fill = nullptr) {
  Tensor out = Tensor::empty(type, outShape);
  size_t elem = dtypeSize(type);
  std::vector<int64_t> idx(outShape.size(), 0);
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t s = source(idx);
    const void *from = s < 0 ? fill : static_cast<const char *>(src.data()) + s * elem;
    std::memcpy(static_cast<char *>(out.data()) + i * elem, from, elem);
    for (size_t d = outShape.size(); d-- > 0;) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

int64_t linearOf(const std::vector<int64_t> &idx, const Shape &shape) {
  int64_t l = 0;
  for (size_t i = 0; i < shape.size(); ++i) l = l * shape[i] + idx[i];
  return l;
}

void expectSameBytes(const Tensor &actual, const Tensor &expected, const std::string &what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  EXPECT_EQ(0, std::memcmp(actual.data(), expected.data(), actual.bytes())) << what;
}

//===------------------------------------------------------------------------------===//
// shape_of, reshape, squeeze, unsqueeze, flatten
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, ShapeOf) {
  Tensor x = Tensor::empty(DType::F32, {2, 3, 0, 5});
  EXPECT_EQ(asInts(run1("shape_of", {{"start", 0}, {"end", 4}}, {x}, DType::I64)),
            (std::vector<int64_t>{2, 3, 0, 5}));
  EXPECT_EQ(asInts(run1("shape_of", {{"start", 1}, {"end", 3}}, {x}, DType::I64)),
            (std::vector<int64_t>{3, 0}));
  // Un-normalized attributes follow ONNX: negative from the back, clamped.
  EXPECT_EQ(asInts(run1("shape_of", {{"start", -2}, {"end", 100}}, {x}, DType::I64)),
            (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(run1("shape_of", {{"start", 3}, {"end", 1}}, {x}, DType::I64).numel(), 0);
  EXPECT_FALSE(registry().find("shape_of")->readsInputData);
  // The shape function needs no data.
  EXPECT_EQ(inferShapes(makeStep("shape_of", {{"start", 0}, {"end", 4}}), {x}, {DType::I64},
                        false)[0],
            (Shape{4}));
}

TEST(ShapeKernels, ReshapeShapes) {
  Tensor x = iota(DType::F32, {2, 3, 4});
  auto shapeOf = [&](std::vector<int64_t> target, bool allowZero) {
    return inferShapes(makeStep("reshape", {{"allow_zero", allowZero}}), {x, i64s(target)},
                       {DType::F32})[0];
  };
  EXPECT_EQ(shapeOf({0, -1}, false), (Shape{2, 12}));
  EXPECT_EQ(shapeOf({-1, 0, 2}, false), (Shape{4, 3, 2}));
  EXPECT_EQ(shapeOf({4, 0, 2}, false), (Shape{4, 3, 2}));
  EXPECT_EQ(shapeOf({24}, false), (Shape{24}));
  EXPECT_EQ(shapeOf({2, 3, 4, 1}, true), (Shape{2, 3, 4, 1}));
  Tensor empty = Tensor::empty(DType::F32, {0, 3});
  EXPECT_EQ(inferShapes(makeStep("reshape", {{"allow_zero", true}}), {empty, i64s({3, 0})},
                        {DType::F32})[0],
            (Shape{3, 0}));
  EXPECT_NE(errorOf([&] { shapeOf({-1, -1}, false); }).find("more than one -1"),
            std::string::npos);
  std::string msg = errorOf([&] { shapeOf({5, 5}, false); });
  EXPECT_NE(msg.find("cannot reshape 2x3x4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test_reshape"), std::string::npos) << msg;
  EXPECT_NE(errorOf([&] { shapeOf({7, -1}, false); }).find("cannot infer"), std::string::npos);
  // An unknown target shape defers to eager execution.
  StepDesc step = makeStep("reshape", {{"allow_zero", false}});
  EXPECT_THROW(inferShapes(step, {x, i64s({24})}, {DType::F32}, false), NeedsValue);
}

TEST(ShapeKernels, ViewsCopy) {
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {2, 1, 3});
    Tensor r = run1("reshape", {{"allow_zero", false}}, {x, i64s({3, -1})}, type);
    EXPECT_EQ(r.shape(), (Shape{3, 2}));
    EXPECT_EQ(0, std::memcmp(r.data(), x.data(), x.bytes()));
    Tensor s = run1("squeeze", {{"axes", {-2}}}, {x}, type);
    EXPECT_EQ(s.shape(), (Shape{2, 3}));
    EXPECT_EQ(0, std::memcmp(s.data(), x.data(), x.bytes()));
    Tensor u = run1("unsqueeze", {{"axes", {0, -1}}}, {x}, type);
    EXPECT_EQ(u.shape(), (Shape{1, 2, 1, 3, 1}));
    EXPECT_EQ(0, std::memcmp(u.data(), x.data(), x.bytes()));
    Tensor f = run1("flatten", {{"axis", 2}}, {x}, type);
    EXPECT_EQ(f.shape(), (Shape{2, 3}));
    EXPECT_EQ(0, std::memcmp(f.data(), x.data(), x.bytes()));
  }
  Tensor x = iota(DType::F32, {2, 3, 4});
  auto flat = [&](int64_t axis) {
    return inferShapes(makeStep("flatten", {{"axis", axis}}), {x}, {DType::F32})[0];
  };
  EXPECT_EQ(flat(0), (Shape{1, 24}));
  EXPECT_EQ(flat(3), (Shape{24, 1}));
  EXPECT_EQ(flat(-1), (Shape{6, 4}));
  EXPECT_NE(errorOf([&] { flat(4); }).find("out of range"), std::string::npos);
  EXPECT_NE(errorOf([&] { inferShapes(makeStep("squeeze", {{"axes", {1}}}), {x}, {DType::F32}); })
                .find("cannot squeeze dim 1 of size 3"),
            std::string::npos);
  Tensor scalar = iota(DType::F32, {});
  EXPECT_EQ(inferShapes(makeStep("unsqueeze", {{"axes", {0}}}), {scalar}, {DType::F32})[0],
            (Shape{1}));
}

//===------------------------------------------------------------------------------===//
// transpose
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, TransposeMatchesNaive) {
  struct Case {
    Shape shape;
    std::vector<int64_t> perm;
  };
  std::vector<Case> cases = {
      {{33, 65}, {1, 0}},            // blocked 2-D with ragged tiles
      {{7, 5, 3}, {2, 0, 1}},
      {{2, 3, 4, 5}, {0, 2, 1, 3}},  // last dim kept: row copies
      {{3, 1, 4, 5}, {3, 1, 2, 0}},
      {{4, 6, 70}, {0, 2, 1}},       // batched 2-D
      {{2, 0, 3}, {2, 1, 0}},        // empty
      {{5}, {0}},
      {{1, 1}, {1, 0}},
      {{130, 3, 2}, {-1, 0, 1}},     // negative perm entry
      {{200, 130}, {1, 0}},          // several ragged tiles for every element size
      {{3, 150, 140}, {0, 2, 1}},
      {{2, 3, 70, 5}, {3, 2, 0, 1}},
  };
  for (const Case &c : cases)
    for (DType type : kSizeTypes) {
      Tensor x = randomBytes(type, c.shape, 7);
      Tensor y = run1("transpose", {{"perm", c.perm}}, {x}, type);
      std::vector<int64_t> perm = c.perm;
      for (int64_t &p : perm)
        if (p < 0) p += c.shape.size();
      Shape outShape;
      for (int64_t p : perm) outShape.push_back(c.shape[p]);
      Tensor expected = naiveMap(x, type, outShape, [&](const std::vector<int64_t> &idx) {
        std::vector<int64_t> in(idx.size());
        for (size_t i = 0; i < perm.size(); ++i) in[perm[i]] = idx[i];
        return linearOf(in, c.shape);
      });
      expectSameBytes(y, expected, "transpose " + shapeToString(c.shape) + " " + dtypeName(type));
    }
}

TEST(ShapeKernels, TransposeLargeParallel) {
  // Big enough to be split over the pool.
  Tensor x = randomBytes(DType::F32, {3, 257, 129}, 3);
  Tensor y = run1("transpose", {{"perm", {2, 0, 1}}}, {x}, DType::F32);
  const float *in = x.as<float>(), *out = y.as<float>();
  for (int64_t a = 0; a < 129; ++a)
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t c = 0; c < 257; ++c)
        ASSERT_EQ(std::memcmp(&out[(a * 3 + b) * 257 + c], &in[(b * 257 + c) * 129 + a], 4), 0);
}

//===------------------------------------------------------------------------------===//
// concat, slice, split
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, Concat) {
  for (DType type : kSizeTypes) {
    Tensor a = randomBytes(type, {2, 3, 5}, 1), b = randomBytes(type, {2, 0, 5}, 2),
           c = randomBytes(type, {2, 4, 5}, 3);
    Tensor y = run1("concat", {{"axis", -2}}, {a, b, c}, type);
    // The naive source: a's elements, then c's, in one buffer.
    size_t elem = dtypeSize(type);
    Tensor both = Tensor::empty(type, {70});
    std::memcpy(both.data(), a.data(), a.bytes());
    std::memcpy(static_cast<char *>(both.data()) + 30 * elem, c.data(), c.bytes());
    Tensor expected = naiveMap(both, type, {2, 7, 5}, [&](const std::vector<int64_t> &idx) {
      return idx[1] < 3 ? linearOf(idx, {2, 3, 5})
                        : 30 + linearOf({idx[0], idx[1] - 3, idx[2]}, {2, 4, 5});
    });
    expectSameBytes(y, expected, std::string("concat ") + dtypeName(type));
  }
  Tensor s = run1("concat", {{"axis", 0}}, {i64s({1, 2}), i64s({}), i64s({3})}, DType::I64);
  EXPECT_EQ(asInts(s), (std::vector<int64_t>{1, 2, 3}));
  std::string msg = errorOf([&] {
    run1("concat", {{"axis", 0}}, {iota(DType::F32, {2, 3}), iota(DType::F32, {2, 4})}, DType::F32);
  });
  EXPECT_NE(msg.find("input 1 has shape 2x4"), std::string::npos) << msg;
}

std::vector<int64_t> slice1d(int64_t start, int64_t end, int64_t step, int64_t n = 10) {
  return asInts(run1("slice", json::object(),
                     {iota(DType::I32, {n}), i64s({start}), i64s({end}), i64s({0}), i64s({step})},
                     DType::I32));
}

TEST(ShapeKernels, SliceOnnxClamping) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  using V = std::vector<int64_t>;
  EXPECT_EQ(slice1d(-1, kMin, -1), (V{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(slice1d(8, 1, -3), (V{8, 5, 2}));
  EXPECT_EQ(slice1d(20, -20, -2), (V{9, 7, 5, 3, 1}));
  EXPECT_EQ(slice1d(-100, 100, 1), (V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(slice1d(2, kMax, 3), (V{2, 5, 8}));
  EXPECT_EQ(slice1d(5, 2, 1), V{});
  EXPECT_EQ(slice1d(2, 5, -1), V{});
  EXPECT_EQ(slice1d(kMax, kMin, kMin), (V{9}));
  EXPECT_EQ(slice1d(0, kMax, kMax), (V{0}));
  EXPECT_EQ(slice1d(-3, -1, 1), (V{7, 8}));
  EXPECT_EQ(slice1d(0, 5, -1, 0), V{});
  EXPECT_NE(errorOf([&] { slice1d(0, 5, 0); }).find("step at index 0 is 0"), std::string::npos);
}

// CPython's slice.indices(), a formulation independent of the kernel's, with the one
// place where the ONNX spec (and onnxruntime) differ from numpy: with a negative step, a
// start before the beginning clamps to 0 (numpy: an empty slice).
std::vector<int64_t> pythonSlice(int64_t len, int64_t start, int64_t stop, int64_t step) {
  auto adjust = [&](int64_t v, bool isStart) {
    if (v < 0) {
      v = v < -len ? -1 : v + len;
      if (v < 0) v = step < 0 && !(isStart && len > 0) ? -1 : 0;
    } else if (v >= len) {
      v = step < 0 ? len - 1 : len;
    }
    return v;
  };
  start = adjust(start, true);
  stop = adjust(stop, false);
  std::vector<int64_t> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(i);
  return out;
}

TEST(ShapeKernels, SliceRandomMatchesPython) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t specials[] = {kMax, kMin, kMax - 1, int64_t(std::numeric_limits<int32_t>::max()),
                              int64_t(std::numeric_limits<int32_t>::min())};
  std::mt19937 rng(17);
  for (int trial = 0; trial < 2000; ++trial) {
    int64_t len = rng() % 8;
    auto pick = [&]() -> int64_t {
      return rng() % 6 == 0 ? specials[rng() % 5] : int64_t(rng() % 25) - 12;
    };
    int64_t start = pick(), stop = pick(), step = int64_t(rng() % 7) - 3;
    if (step == 0) step = rng() % 2 ? kMin : kMax;
    // Python cannot step by kMin safely in the reference loop: use a huge finite step.
    if (step == kMin) step = -(int64_t(1) << 40);
    if (step == kMax) step = int64_t(1) << 40;
    std::vector<int64_t> expected = pythonSlice(len, start, stop, step);
    ASSERT_EQ(slice1d(start, stop, step, len), expected)
        << "len " << len << " [" << start << ":" << stop << ":" << step << "]";
  }
}

TEST(ShapeKernels, SliceMultiAxisMatchesNaive) {
  Shape shape{4, 5, 6, 3};
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, shape, 11);
    // axes given out of order and negative; dim 3 untouched.
    Tensor y = run1("slice", json::object(),
                    {x, i64s({-1, 1, 0}), i64s({0, 100, -1}), i64s({-2, 0, 1}), i64s({-2, 2, 1})},
                    type);
    // Per axis, the kept coordinates, worked out by hand.
    std::vector<std::vector<int64_t>> keep = {{1, 3}, {0, 1, 2, 3}, {5, 3, 1}, {0, 1, 2}};
    Shape outShape;
    for (auto &k : keep) outShape.push_back(k.size());
    Tensor expected = naiveMap(x, type, outShape, [&](const std::vector<int64_t> &idx) {
      std::vector<int64_t> in;
      for (size_t i = 0; i < idx.size(); ++i) in.push_back(keep[i][idx[i]]);
      return linearOf(in, shape);
    });
    expectSameBytes(y, expected, std::string("slice ") + dtypeName(type));
  }
  // Negative step through a 0-size dim, and a whole-tensor empty result.
  Tensor e = Tensor::empty(DType::F32, {0, 3});
  Tensor y = run1("slice", json::object(), {e, i64s({-1}), i64s({-100}), i64s({0}), i64s({-1})},
                  DType::F32);
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
}

TEST(ShapeKernels, Split) {
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {3, 7, 2}, 5);
    // num_outputs only: ceil(7/3) = 3, 3, and the remaining 1.
    auto parts = runStep("split", {{"axis", 1}, {"num_outputs", 3}}, {x, Tensor()},
                         {type, type, type});
    std::vector<int64_t> sizes = {3, 3, 1};
    int64_t offset = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      Tensor expected = naiveMap(x, type, {3, sizes[p], 2}, [&](const std::vector<int64_t> &idx) {
        return linearOf({idx[0], idx[1] + offset, idx[2]}, {3, 7, 2});
      });
      expectSameBytes(parts[p], expected, std::string("split part ") + std::to_string(p));
      offset += sizes[p];
    }
    // Explicit sizes with an empty piece, negative axis.
    auto pieces = runStep("split", {{"axis", -2}, {"num_outputs", 3}}, {x, i64s({2, 0, 5})},
                          {type, type, type});
    EXPECT_EQ(pieces[1].shape(), (Shape{3, 0, 2}));
    Tensor expected = naiveMap(x, type, {3, 5, 2}, [&](const std::vector<int64_t> &idx) {
      return linearOf({idx[0], idx[1] + 2, idx[2]}, {3, 7, 2});
    });
    expectSameBytes(pieces[2], expected, "split sizes");
  }
  Tensor x = iota(DType::F32, {5});
  std::string msg = errorOf([&] {
    runStep("split", {{"axis", 0}, {"num_outputs", 2}}, {x, i64s({2, 2})}, {DType::F32, DType::F32});
  });
  EXPECT_NE(msg.find("add up to 4"), std::string::npos) << msg;
  msg = errorOf([&] {
    runStep("split", {{"axis", 0}, {"num_outputs", 4}}, {x}, {DType::F32, DType::F32, DType::F32, DType::F32});
  });
  EXPECT_NE(msg.find("cannot be split into 4"), std::string::npos) << msg;
}

//===------------------------------------------------------------------------------===//
// expand, tile
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, Expand) {
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {3, 1}, 2);
    Tensor y = run1("expand", json::object(), {x, i64s({2, 1, 5})}, type);
    Tensor expected = naiveMap(x, type, {2, 3, 5},
                               [&](const std::vector<int64_t> &idx) { return idx[1]; });
    expectSameBytes(y, expected, std::string("expand ") + dtypeName(type));
    // A shape shorter than the rank; 1 keeps the input dim.
    Tensor z = run1("expand", json::object(), {randomBytes(type, {2, 1, 4}, 3), i64s({3, 1})}, type);
    EXPECT_EQ(z.shape(), (Shape{2, 3, 4}));
  }
  // A 1 expanded to 0.
  Tensor e = run1("expand", json::object(), {iota(DType::F32, {1, 4}), i64s({0, 4})}, DType::F32);
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
  EXPECT_NE(errorOf([&] {
              run1("expand", json::object(), {iota(DType::F32, {3}), i64s({4})}, DType::F32);
            }).find("cannot expand 3 to shape [4]"),
            std::string::npos);
}

TEST(ShapeKernels, Tile) {
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {2, 3}, 4);
    Tensor y = run1("tile", json::object(), {x, i64s({3, 2})}, type);
    Tensor expected = naiveMap(x, type, {6, 6}, [&](const std::vector<int64_t> &idx) {
      return linearOf({idx[0] % 2, idx[1] % 3}, {2, 3});
    });
    expectSameBytes(y, expected, std::string("tile ") + dtypeName(type));
  }
  EXPECT_EQ(run1("tile", json::object(), {iota(DType::F32, {2, 3}), i64s({0, 2})}, DType::F32).shape(),
            (Shape{0, 6}));
  EXPECT_EQ(asInts(run1("tile", json::object(), {i64s({1, 2}), i64s({3})}, DType::I64)),
            (std::vector<int64_t>{1, 2, 1, 2, 1, 2}));
}

//===------------------------------------------------------------------------------===//
// pad
//===------------------------------------------------------------------------------===//

std::vector<int64_t> pad1d(const std::string &mode, int64_t begin, int64_t end) {
  return asInts(run1("pad", {{"mode", mode}}, {ints(DType::I32, {3}, {1, 2, 3}), i64s({begin, end})},
                     DType::I32));
}

TEST(ShapeKernels, PadModesMatchNumpy) {
  using V = std::vector<int64_t>;
  // np.pad([1, 2, 3], (5, 4), mode)
  EXPECT_EQ(pad1d("reflect", 5, 4), (V{2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3}));
  EXPECT_EQ(pad1d("edge", 5, 4), (V{1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3}));
  EXPECT_EQ(pad1d("wrap", 5, 4), (V{2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1}));
  EXPECT_EQ(pad1d("constant", 2, 1), (V{0, 0, 1, 2, 3, 0}));
  // Negative pads crop first; the modes then see the cropped data (onnxruntime's results).
  EXPECT_EQ(pad1d("constant", -1, 2), (V{2, 3, 0, 0}));
  EXPECT_EQ(pad1d("edge", 1, -2), (V{1, 1}));
  auto pad5 = [](const std::string &mode, int64_t begin, int64_t end) {
    return asInts(run1("pad", {{"mode", mode}},
                       {ints(DType::I64, {5}, {1, 2, 3, 4, 5}), i64s({begin, end})}, DType::I64));
  };
  EXPECT_EQ(pad5("wrap", -1, 2), (V{2, 3, 4, 5, 2, 3}));
  EXPECT_EQ(pad5("wrap", 2, -3), (V{1, 2, 1, 2}));
  EXPECT_EQ(pad5("reflect", -1, 2), (V{2, 3, 4, 5, 4, 3}));
  EXPECT_EQ(pad5("edge", 2, -3), (V{1, 1, 1, 2}));
  EXPECT_EQ(pad5("constant", 2, -3), (V{0, 0, 1, 2}));
  EXPECT_NE(errorOf([&] { pad5("edge", -5, 1); }).find("cannot pad an empty dim"),
            std::string::npos);

  Tensor b = ints(DType::I64, {2, 3}, {1, 2, 3, 4, 5, 6});
  // np.pad(b, ((1, 2), (2, 1)), 'reflect') etc.
  EXPECT_EQ(asInts(run1("pad", {{"mode", "reflect"}}, {b, i64s({1, 2, 2, 1})}, DType::I64)),
            (V{6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}));
  EXPECT_EQ(asInts(run1("pad", {{"mode", "edge"}}, {b, i64s({1, 0, 0, 2})}, DType::I64)),
            (V{1, 2, 3, 3, 3, 1, 2, 3, 3, 3, 4, 5, 6, 6, 6}));
  EXPECT_EQ(asInts(run1("pad", {{"mode", "wrap"}}, {b, i64s({2, 1, 1, 3})}, DType::I64)),
            (V{3, 1, 2, 3, 1, 2, 3, 6, 4, 5, 6, 4, 5, 6, 3, 1, 2, 3, 1, 2, 3,
               6, 4, 5, 6, 4, 5, 6, 3, 1, 2, 3, 1, 2, 3}));
  // Constant value and axes.
  Tensor f = floats(DType::F32, {2, 2}, {1, 2, 3, 4});
  Tensor y = run1("pad", {{"mode", "constant"}, {"axes", {-1}}},
                  {f, i64s({1, 2}), floats(DType::F32, {}, {-1.5})}, DType::F32);
  EXPECT_EQ(y.shape(), (Shape{2, 5}));
  EXPECT_EQ(asDoubles(y), (std::vector<double>{-1.5, 1, 2, -1.5, -1.5, -1.5, 3, 4, -1.5, -1.5}));
  EXPECT_NE(errorOf([&] {
              run1("pad", {{"mode", "reflect"}}, {Tensor::empty(DType::F32, {0}), i64s({1, 0})},
                   DType::F32);
            }).find("cannot pad an empty dim in reflect mode"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { pad1d("constant", -2, -2); }).find("negative size"), std::string::npos);
}

TEST(ShapeKernels, PadMatchesNaiveAllTypes) {
  Shape shape{3, 4, 5};
  std::vector<int64_t> begin = {1, -1, 3}, end = {2, 6, -2};
  for (const char *mode : {"constant", "reflect", "edge", "wrap"})
    for (DType type : kSizeTypes) {
      Tensor x = randomBytes(type, shape, 9);
      Tensor value = randomBytes(type, {}, 10);
      std::vector<Tensor> inputs = {x, i64s({begin[0], begin[1], begin[2], end[0], end[1], end[2]})};
      if (std::string(mode) == "constant") inputs.push_back(value);
      Tensor y = run1("pad", {{"mode", mode}}, inputs, type);
      Shape outShape;
      for (int i = 0; i < 3; ++i) outShape.push_back(shape[i] + begin[i] + end[i]);
      std::string m = mode;
      Tensor expected = naiveMap(
          x, type, outShape,
          [&](const std::vector<int64_t> &idx) -> int64_t {
            std::vector<int64_t> in;
            for (int i = 0; i < 3; ++i) {
              // Crop first (negative pads), then pad what is left.
              int64_t crop = std::max<int64_t>(0, -begin[i]);
              int64_t d = shape[i] - crop - std::max<int64_t>(0, -end[i]);
              int64_t c = idx[i] - std::max<int64_t>(0, begin[i]);
              if (c < 0 || c >= d) {
                if (m == "constant") return -1;
                if (m == "edge") c = c < 0 ? 0 : d - 1;
                if (m == "wrap") c = ((c % d) + d) % d;
                // Reflect by repeated mirroring, step by step.
                while (m == "reflect" && (c < 0 || c >= d)) c = c < 0 ? -c : 2 * (d - 1) - c;
              }
              in.push_back(c + crop);
            }
            return linearOf(in, shape);
          },
          value.data());
      expectSameBytes(y, expected, std::string("pad ") + mode + " " + dtypeName(type));
    }
}

//===------------------------------------------------------------------------------===//
// gather family
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, GatherMatchesNaive) {
  Shape shape{4, 5, 3};
  for (DType type : kSizeTypes)
    for (DType indexType : {DType::I32, DType::I64})
      for (int64_t axis : {0, 1, -1}) {
        int64_t a = axis < 0 ? axis + 3 : axis, d = shape[a];
        Tensor x = randomBytes(type, shape, 12);
        std::vector<int64_t> raw = {0, -1, d - 1, 1, -d, 2 % d};
        Tensor idx = ints(indexType, {2, 3}, raw);
        Tensor y = run1("gather", {{"axis", axis}}, {x, idx}, type);
        Shape outShape(shape.begin(), shape.begin() + a);
        outShape.push_back(2);
        outShape.push_back(3);
        outShape.insert(outShape.end(), shape.begin() + a + 1, shape.end());
        Tensor expected = naiveMap(x, type, outShape, [&](const std::vector<int64_t> &o) {
          std::vector<int64_t> in(o.begin(), o.begin() + a);
          int64_t v = raw[o[a] * 3 + o[a + 1]];
          in.push_back(v < 0 ? v + d : v);
          in.insert(in.end(), o.begin() + a + 2, o.end());
          return linearOf(in, shape);
        });
        expectSameBytes(y, expected, "gather axis " + std::to_string(axis));
      }
  // Scalar index drops the axis.
  Tensor s = run1("gather", {{"axis", 0}}, {i64s({10, 20, 30}), i64(-1)}, DType::I64);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(asInts(s), (std::vector<int64_t>{30}));
  std::string msg = errorOf([&] {
    run1("gather", {{"axis", 0}}, {i64s({10, 20, 30}), i64s({0, 3})}, DType::I64);
  });
  EXPECT_NE(msg.find("index value 3 at position [1] is out of range [-3, 3)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("test_gather"), std::string::npos) << msg;
}

TEST(ShapeKernels, GatherElements) {
  // ONNX examples.
  Tensor data = ints(DType::I32, {2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(asInts(run1("gather_elements", {{"axis", 1}},
                        {data, ints(DType::I64, {2, 2}, {0, 0, 1, 0})}, DType::I32)),
            (std::vector<int64_t>{1, 1, 4, 3}));
  Tensor d3 = ints(DType::I32, {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(asInts(run1("gather_elements", {{"axis", 0}},
                        {d3, ints(DType::I32, {2, 3}, {1, 2, 0, 2, 0, -3})}, DType::I32)),
            (std::vector<int64_t>{4, 8, 3, 7, 2, 3}));
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {3, 4, 5}, 13);
    std::vector<int64_t> raw;
    std::mt19937 rng(5);
    for (int i = 0; i < 2 * 6 * 3; ++i) raw.push_back(int64_t(rng() % 8) - 4);  // [-4, 4)
    Tensor idx = ints(DType::I64, {2, 6, 3}, raw);
    Tensor y = run1("gather_elements", {{"axis", -2}}, {x, idx}, type);
    Tensor expected = naiveMap(x, type, {2, 6, 3}, [&](const std::vector<int64_t> &o) {
      int64_t v = raw[linearOf(o, {2, 6, 3})];
      return linearOf({o[0], v < 0 ? v + 4 : v, o[2]}, {3, 4, 5});
    });
    expectSameBytes(y, expected, std::string("gather_elements ") + dtypeName(type));
  }
  std::string msg = errorOf([&] {
    run1("gather_elements", {{"axis", 0}}, {d3, ints(DType::I64, {1, 3}, {0, 3, 0})}, DType::I32);
  });
  EXPECT_NE(msg.find("index value 3 at position [0, 1] is out of range [-3, 3)"), std::string::npos)
      << msg;
}

TEST(ShapeKernels, GatherNd) {
  Tensor data = ints(DType::I32, {2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  // ONNX examples 3, 4 and 5.
  Tensor y = run1("gather_nd", {{"batch_dims", 0}}, {data, ints(DType::I64, {2, 2}, {0, 1, 1, 0})},
                  DType::I32);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{2, 3, 4, 5}));
  y = run1("gather_nd", {{"batch_dims", 0}}, {data, ints(DType::I64, {2, 1, 2}, {0, 1, 1, 0})},
           DType::I32);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{2, 3, 4, 5}));
  y = run1("gather_nd", {{"batch_dims", 1}}, {data, ints(DType::I64, {2, 1}, {1, 0})}, DType::I32);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{2, 3, 4, 5}));
  // Full tuples give scalars; negative indices count from the back.
  y = run1("gather_nd", {{"batch_dims", 0}},
           {data, ints(DType::I32, {2, 3}, {-1, 0, -1, 0, 1, 1})}, DType::I32);
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{5, 3}));
  // batch_dims 1 with several tuples per batch, checked against a naive loop.
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {3, 4, 5, 2}, 21);
    std::vector<int64_t> raw = {0, 1, 3, 4, 2, 0, 1, 1, -1, -1, 0, 2};  // [3, 2, 2]
    Tensor idx = ints(DType::I64, {3, 2, 2}, raw);
    Tensor out = run1("gather_nd", {{"batch_dims", 1}}, {x, idx}, type);
    Tensor expected = naiveMap(x, type, {3, 2, 2}, [&](const std::vector<int64_t> &o) {
      int64_t i = raw[(o[0] * 2 + o[1]) * 2], j = raw[(o[0] * 2 + o[1]) * 2 + 1];
      return linearOf({o[0], i < 0 ? i + 4 : i, j < 0 ? j + 5 : j, o[2]}, {3, 4, 5, 2});
    });
    expectSameBytes(out, expected, std::string("gather_nd ") + dtypeName(type));
  }
  EXPECT_NE(errorOf([&] {
              run1("gather_nd", {{"batch_dims", 0}}, {data, ints(DType::I64, {1, 2}, {0, 2})},
                   DType::I32);
            }).find("index value 2"),
            std::string::npos);
}

//===------------------------------------------------------------------------------===//
// scatter family
//===------------------------------------------------------------------------------===//

std::vector<double> scatterElements1(const std::string &reduction, DType type) {
  Tensor data = floats(type, {1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = ints(DType::I64, {1, 3}, {1, -4, 3});  // -4 is 1 again: a duplicate
  Tensor upd = floats(type, {1, 3}, {1.5, 2.5, 4});
  return asDoubles(run1("scatter_elements", {{"reduction", reduction}, {"axis", 1}},
                        {data, idx, upd}, type));
}

TEST(ShapeKernels, ScatterElements) {
  // ONNX example 1.
  Tensor data = floats(DType::F32, {3, 3}, {0, 0, 0, 0, 0, 0, 0, 0, 0});
  Tensor idx = ints(DType::I64, {2, 3}, {1, 0, 2, 0, 2, 1});
  Tensor upd = floats(DType::F32, {2, 3}, {1.0, 1.1, 1.2, 2.0, 2.1, 2.2});
  std::vector<double> y =
      asDoubles(run1("scatter_elements", {{"reduction", "none"}, {"axis", 0}}, {data, idx, upd},
                     DType::F32));
  std::vector<double> expected = {2.0, 1.1, 0.0, 1.0, 0.0, 2.2, 0.0, 2.1, 1.2};
  for (size_t i = 0; i < y.size(); ++i) EXPECT_FLOAT_EQ(y[i], expected[i]) << i;
  // Reductions with a duplicate index, in several dtypes (values exact in all).
  for (DType type : {DType::F32, DType::F64, DType::F16, DType::BF16}) {
    EXPECT_EQ(scatterElements1("add", type), (std::vector<double>{1, 6, 3, 8, 5}));
    EXPECT_EQ(scatterElements1("mul", type), (std::vector<double>{1, 7.5, 3, 16, 5}));
    EXPECT_EQ(scatterElements1("max", type), (std::vector<double>{1, 2.5, 3, 4, 5}));
    EXPECT_EQ(scatterElements1("min", type), (std::vector<double>{1, 1.5, 3, 4, 5}));
    EXPECT_EQ(scatterElements1("none", type), (std::vector<double>{1, 2.5, 3, 4, 5}));
  }
  // Integers and bool.
  Tensor di = ints(DType::I32, {4}, {1, 2, 3, 4});
  Tensor ii = ints(DType::I32, {4}, {0, 0, 3, 3});
  Tensor ui = ints(DType::I32, {4}, {5, -7, 2, 3});
  EXPECT_EQ(asInts(run1("scatter_elements", {{"reduction", "add"}, {"axis", 0}}, {di, ii, ui},
                        DType::I32)),
            (std::vector<int64_t>{-1, 2, 3, 9}));
  EXPECT_EQ(asInts(run1("scatter_elements", {{"reduction", "mul"}, {"axis", 0}}, {di, ii, ui},
                        DType::I32)),
            (std::vector<int64_t>{-35, 2, 3, 24}));
  EXPECT_EQ(asInts(run1("scatter_elements", {{"reduction", "min"}, {"axis", 0}}, {di, ii, ui},
                        DType::I32)),
            (std::vector<int64_t>{-7, 2, 3, 2}));
  Tensor db = ints(DType::I1, {3}, {0, 1, 1});
  Tensor ib = ints(DType::I64, {2}, {0, 1});
  Tensor ub = ints(DType::I1, {2}, {1, 0});
  EXPECT_EQ(asInts(run1("scatter_elements", {{"reduction", "add"}, {"axis", 0}}, {db, ib, ub},
                        DType::I1)),
            (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(asInts(run1("scatter_elements", {{"reduction", "mul"}, {"axis", 0}}, {db, ib, ub},
                        DType::I1)),
            (std::vector<int64_t>{0, 0, 1}));
  // Naive check on 3-D data, axis 1, f32 add with random duplicates.
  std::mt19937 rng(3);
  Tensor x = floats(DType::F32, {2, 4, 3}, std::vector<double>(24, 1.0));
  std::vector<int64_t> raw;
  std::vector<double> vals;
  for (int i = 0; i < 2 * 5 * 2; ++i) {
    raw.push_back(int64_t(rng() % 8) - 4);
    vals.push_back(double(i));
  }
  Tensor y3 = run1("scatter_elements", {{"reduction", "add"}, {"axis", 1}},
                   {x, ints(DType::I64, {2, 5, 2}, raw), floats(DType::F32, {2, 5, 2}, vals)},
                   DType::F32);
  std::vector<double> ref(24, 1.0);
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 5; ++b)
      for (int c = 0; c < 2; ++c) {
        int64_t v = raw[(a * 5 + b) * 2 + c];
        ref[(a * 4 + (v < 0 ? v + 4 : v)) * 3 + c] += vals[(a * 5 + b) * 2 + c];
      }
  EXPECT_EQ(asDoubles(y3), ref);
  EXPECT_NE(errorOf([&] {
              run1("scatter_elements", {{"reduction", "none"}, {"axis", 0}},
                   {di, ints(DType::I32, {1}, {4}), ints(DType::I32, {1}, {0})}, DType::I32);
            }).find("index value 4"),
            std::string::npos);
}

TEST(ShapeKernels, ScatterNd) {
  // ONNX example 1.
  Tensor data = ints(DType::I64, {8}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor idx = ints(DType::I64, {4, 1}, {4, 3, 1, 7});
  Tensor upd = ints(DType::I64, {4}, {9, 10, 11, 12});
  EXPECT_EQ(asInts(run1("scatter_nd", {{"reduction", "none"}}, {data, idx, upd}, DType::I64)),
            (std::vector<int64_t>{1, 11, 3, 10, 9, 6, 7, 12}));
  // Duplicates combine for add and mul.
  Tensor dup = ints(DType::I64, {2, 1}, {0, -8});
  Tensor u2 = ints(DType::I64, {2}, {5, 6});
  EXPECT_EQ(asInts(run1("scatter_nd", {{"reduction", "add"}}, {data, dup, u2}, DType::I64)),
            (std::vector<int64_t>{12, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(asInts(run1("scatter_nd", {{"reduction", "mul"}}, {data, dup, u2}, DType::I64)),
            (std::vector<int64_t>{30, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(asInts(run1("scatter_nd", {{"reduction", "max"}}, {data, dup, u2}, DType::I64)),
            (std::vector<int64_t>{6, 2, 3, 4, 5, 6, 7, 8}));
  // ONNX example 2: slices of a 4x4x4 tensor (here 4x2x3, f16).
  for (DType type : kSizeTypes) {
    Tensor x = randomBytes(type, {4, 2, 3}, 30);
    Tensor u = randomBytes(type, {2, 2, 3}, 31);
    Tensor y = run1("scatter_nd", {{"reduction", "none"}},
                    {x, ints(DType::I32, {2, 1}, {2, 0}), u}, type);
    Tensor expected = Tensor::empty(type, {4, 2, 3});
    size_t slice = 6 * dtypeSize(type);
    std::memcpy(expected.data(), x.data(), x.bytes());
    std::memcpy(static_cast<char *>(expected.data()) + 2 * slice, u.data(), slice);
    std::memcpy(expected.data(), static_cast<const char *>(u.data()) + slice, slice);
    expectSameBytes(y, expected, std::string("scatter_nd ") + dtypeName(type));
  }
  // Full tuples in f32 with min.
  Tensor m = floats(DType::F32, {2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(asDoubles(run1("scatter_nd", {{"reduction", "min"}},
                           {m, ints(DType::I64, {2, 2}, {1, 1, 1, 1}), floats(DType::F32, {2}, {5, -3})},
                           DType::F32)),
            (std::vector<double>{1, 2, 3, -3}));
}

//===------------------------------------------------------------------------------===//
// generators
//===------------------------------------------------------------------------------===//

TEST(ShapeKernels, Range) {
  auto range = [](DType type, double s, double l, double d) {
    return run1("range", json::object(),
                {floats(type, {}, {s}), floats(type, {}, {l}), floats(type, {}, {d})}, type);
  };
  EXPECT_EQ(asInts(range(DType::I64, 0, 5, 2)), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(asInts(range(DType::I32, 10, 4, -3)), (std::vector<int64_t>{10, 7}));
  EXPECT_EQ(asInts(range(DType::I16, 3, 3, 1)).size(), 0u);
  EXPECT_EQ(range(DType::I64, 5, 0, 1).shape(), (Shape{0}));
  EXPECT_EQ(asDoubles(range(DType::F32, 1, 2, 0.25)), (std::vector<double>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(asDoubles(range(DType::F16, 0, -1, -0.5)), (std::vector<double>{0, -0.5}));
  EXPECT_EQ(asDoubles(range(DType::F64, 0, 1, 0.3)).size(), 4u);  // ceil(3.33)
  EXPECT_NE(errorOf([&] { range(DType::I64, 0, 5, 0); }).find("delta is 0"), std::string::npos);
  // Unknown scalars defer to eager execution.
  StepDesc step = makeStep("range", json::object());
  EXPECT_THROW(inferShapes(step, {i64(0), i64(5), i64(1)}, {DType::I64}, false), NeedsValue);
}

TEST(ShapeKernels, Fill) {
  auto fill = [](DType type, json value, std::vector<int64_t> shape) {
    json attr = {{"dtype", dtypeName(type)}, {"shape", json::array()}, {"values", json::array({value})}};
    return run1("fill", {{"value", attr}}, {i64s(shape)}, type);
  };
  Tensor f = fill(DType::F32, 1.5, {2, 3});
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  EXPECT_EQ(asDoubles(f), std::vector<double>(6, 1.5));
  EXPECT_EQ(asInts(fill(DType::I64, int64_t(1) << 40, {2})),
            (std::vector<int64_t>{int64_t(1) << 40, int64_t(1) << 40}));
  EXPECT_EQ(asInts(fill(DType::I1, true, {3})), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(asDoubles(fill(DType::BF16, -2.0, {1, 1})), (std::vector<double>{-2.0}));
  EXPECT_TRUE(std::isnan(asDoubles(fill(DType::F16, "nan", {1}))[0]));
  EXPECT_EQ(fill(DType::F32, 0.0, {2, 0}).numel(), 0);
  EXPECT_EQ(fill(DType::F32, 3.0, {}).shape(), Shape{});
  EXPECT_NE(errorOf([&] { fill(DType::F32, 1.0, {-2}); }).find("negative entry"),
            std::string::npos);
}

TEST(ShapeKernels, Trilu) {
  for (DType type : kAllTypes)
    for (bool upper : {true, false})
      for (int64_t k : {-2, 0, 1, 5, -100}) {
        Shape shape{2, 3, 5};
        Tensor x = randomBytes(type, shape, 40);
        Tensor y = run1("trilu", {{"upper", upper}}, {x, i64(k)}, type);
        uint64_t zero = 0;
        Tensor expected = naiveMap(
            x, type, shape,
            [&](const std::vector<int64_t> &o) -> int64_t {
              int64_t i = o[1], j = o[2];
              bool keep = upper ? j - i >= k : j - i <= k;
              return keep ? linearOf(o, shape) : -1;
            },
            &zero);
        expectSameBytes(y, expected, std::string("trilu ") + dtypeName(type));
      }
  // k absent: the main diagonal.
  Tensor y = run1("trilu", {{"upper", false}}, {ints(DType::I32, {2, 2}, {1, 2, 3, 4}), Tensor()},
                  DType::I32);
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{1, 0, 3, 4}));
}

TEST(ShapeKernels, NonZero) {
  Tensor x = floats(DType::F32, {2, 3}, {0, 1.5, -0.0, NAN, 0, -2});
  StepDesc step = makeStep("nonzero", json::object());
  // Without data the shape is unknown: the core must run eagerly.
  EXPECT_THROW(inferShapes(step, {x}, {DType::I64}, false), NeedsValue);
  Tensor y = run1("nonzero", json::object(), {x}, DType::I64);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  // Row-major order of the non-zeros (0,1), (1,0), (1,2).
  EXPECT_EQ(asInts(y), (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
  Tensor b = ints(DType::I1, {5}, {1, 0, 0, 1, 1});
  EXPECT_EQ(asInts(run1("nonzero", json::object(), {b}, DType::I64)),
            (std::vector<int64_t>{0, 3, 4}));
  EXPECT_EQ(run1("nonzero", json::object(), {ints(DType::I8, {2, 2}, {0, 0, 0, 0})}, DType::I64)
                .shape(),
            (Shape{2, 0}));
}

TEST(ShapeKernels, OneHot) {
  Tensor idx = ints(DType::I64, {4}, {0, -1, 3, 2});
  Tensor values = floats(DType::F32, {2}, {-1, 5});
  Tensor y = run1("one_hot", {{"axis", -1}}, {idx, i64(3), values}, DType::F32);
  EXPECT_EQ(y.shape(), (Shape{4, 3}));
  // -1 wraps to 2; 3 is out of range: an all-off row.
  EXPECT_EQ(asDoubles(y), (std::vector<double>{5, -1, -1, -1, -1, 5, -1, -1, -1, -1, -1, 5}));
  Tensor idx2 = ints(DType::I32, {2, 2}, {1, 0, -2, 5});
  Tensor z = run1("one_hot", {{"axis", 0}}, {idx2, i64s({2}), ints(DType::I64, {2}, {0, 1})},
                  DType::I64);
  EXPECT_EQ(z.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(asInts(z), (std::vector<int64_t>{0, 1, 1, 0, 1, 0, 0, 0}));
  Tensor m = run1("one_hot", {{"axis", 1}}, {idx2, i64(3), ints(DType::I1, {2}, {0, 1})}, DType::I1);
  EXPECT_EQ(m.shape(), (Shape{2, 3, 2}));
  // m[a, d, b] = (idx2[a, b] mod 3) == d; 5 is out of range.
  EXPECT_EQ(asInts(m), (std::vector<int64_t>{0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0}));
  EXPECT_NE(errorOf([&] { run1("one_hot", {{"axis", -1}}, {idx, i64(0), values}, DType::F32); })
                .find("depth 0 must be positive"),
            std::string::npos);
}

TEST(ShapeKernels, EyeLike) {
  for (DType type : kAllTypes) {
    Tensor x = Tensor::empty(DType::I32, {3, 4});
    Tensor y = run1("eye_like", {{"dtype", dtypeName(type)}, {"k", 1}}, {x}, type);
    std::vector<double> expected(12, 0.0);
    for (int i = 0; i < 3; ++i) expected[i * 4 + i + 1] = 1.0;
    EXPECT_EQ(asDoubles(y), expected) << dtypeName(type);
  }
  Tensor y = run1("eye_like", {{"dtype", "f32"}, {"k", -2}}, {Tensor::empty(DType::F32, {4, 2})},
                  DType::F32);
  EXPECT_EQ(asDoubles(y), (std::vector<double>{0, 0, 0, 0, 1, 0, 0, 1}));
  EXPECT_FALSE(registry().find("eye_like")->readsInputData);
}

TEST(ShapeKernels, RegistersEveryKind) {
  for (const char *kind :
       {"shape_of", "reshape", "squeeze", "unsqueeze", "flatten", "transpose", "concat", "slice",
        "split", "expand", "tile", "pad", "gather", "gather_elements", "gather_nd",
        "scatter_elements", "scatter_nd", "range", "fill", "trilu", "nonzero", "one_hot",
        "eye_like"}) {
    const KernelDef *def = registry().find(kind);
    ASSERT_NE(def, nullptr) << kind;
    EXPECT_NE(def->shape, nullptr) << kind;
    EXPECT_NE(def->run, nullptr) << kind;
  }
}

}  // namespace
