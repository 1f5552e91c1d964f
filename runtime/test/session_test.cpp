// Sessions on hand-written bundles with test kernels: execution, input validation,
// symbolic dims, plan-time evaluation, the plan cache, eager fallback, views, in-place,
// static plans, output copies and profiling.
#include "Backend.h"
#include "BundleImpl.h"
#include "TestBundle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>

using namespace ds::rt;
using nlohmann::json;

namespace {

std::atomic<int> gScaleCalls{0}, gShapeOfCalls{0};

// test_scale: y = x * attrs.factor (f32).
void scaleShape(ShapeContext &c) { c.outputShapes = {c.inputs[0].shape}; }
void scaleRun(KernelContext &c) {
  ++gScaleCalls;
  float f = static_cast<float>(attrFloat(c.step, "factor"));
  const float *x = c.inputs[0].as<float>();
  float *y = c.outputs[0].as<float>();
  for (int64_t i = 0; i < c.outputs[0].numel(); ++i) y[i] = x[i] * f;
}

// test_add: y = a + b, b repeating over a (b's element count divides a's).
void addShape(ShapeContext &c) {
  if (c.inputs[1].numel() == 0 || c.inputs[0].numel() % c.inputs[1].numel() != 0)
    c.fail("cannot add " + shapeToString(c.inputs[1].shape) + " to " + shapeToString(c.inputs[0].shape));
  c.outputShapes = {c.inputs[0].shape};
}
void addRun(KernelContext &c) {
  const float *a = c.inputs[0].as<float>(), *b = c.inputs[1].as<float>();
  float *y = c.outputs[0].as<float>();
  int64_t nb = c.inputs[1].numel();
  for (int64_t i = 0; i < c.outputs[0].numel(); ++i) y[i] = a[i] + b[i % nb];
}

// test_shape_of: i64 [rank] of the input's shape; reads no data.
void shapeOfShape(ShapeContext &c) {
  c.outputShapes = {Shape{static_cast<int64_t>(c.inputs[0].shape.size())}};
}
void shapeOfRun(KernelContext &c) {
  ++gShapeOfCalls;
  for (size_t d = 0; d < c.inputs[0].shape.size(); ++d)
    c.outputs[0].as<int64_t>()[d] = c.inputs[0].shape[d];
}

// test_wrong: claims a [3] result whatever the declared shape.
void wrongShape(ShapeContext &c) { c.outputShapes = {Shape{3}}; }

// reshape: target shape from operand 1 (one -1 inferred). A view: never run.
void reshapeShape(ShapeContext &c) {
  std::vector<int64_t> target = c.intValues(1);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) infer = static_cast<int64_t>(i);
    else known *= target[i];
  }
  if (infer >= 0) target[infer] = known ? c.inputs[0].numel() / known : 0;
  c.outputShapes = {target};
}

// Registers the test kernels; restores any previous "reshape" when destroyed.
class TestKernels {
public:
  TestKernels() {
    KernelRegistry &r = cpuKernelRegistry();
    if (const KernelDef *d = r.find("reshape")) savedReshape_ = *d;
    r.add("test_scale", {scaleShape, scaleRun, true});
    r.add("test_add", {addShape, addRun, true});
    r.add("test_shape_of", {shapeOfShape, shapeOfRun, false});
    r.add("test_wrong", {wrongShape, scaleRun, true});
    r.add("reshape", {reshapeShape, nullptr, true});
  }
  ~TestKernels() {
    if (savedReshape_) cpuKernelRegistry().add("reshape", *savedReshape_);
  }

private:
  std::optional<KernelDef> savedReshape_;
};

class SessionTest : public ::testing::Test {
protected:
  TestKernels kernels;
};

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

std::string runError(Session &s, const std::vector<Tensor> &inputs) {
  try {
    s.run(inputs);
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

json value(int id, const char *dtype, json shape, const char *def, int ref) {
  json v = {{"id", id}, {"dtype", dtype}, {"shape", shape}, {"def", def}};
  if (std::string(def) == "input") v["index"] = ref;
  if (std::string(def) == "step") v["step"] = ref;
  return v;
}

json step(const char *kind, json inputs, json outputs, json attrs = json::object()) {
  return {{"kind", kind}, {"name", std::string("/") + kind}, {"inputs", inputs},
          {"outputs", outputs}, {"attrs", attrs}};
}

json tensorInfo(const char *name, const char *dtype, json shape) {
  return {{"name", name}, {"dtype", dtype}, {"shape", shape}};
}

// y = (x * 2) + w, x: f32 [batch, 4], w: f32 [4].
std::string scaleAddBundle() {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {"batch", 4})}},
            {"outputs", {tensorInfo("y", "f32", {"batch", 4})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {3}},
            {"values", {value(0, "f32", {-1, 4}, "input", 0),
                        {{"id", 1}, {"dtype", "f32"}, {"shape", {4}}, {"def", "weight"}, {"weight", "w"}},
                        value(2, "f32", {-1, 4}, "step", 0), value(3, "f32", {-1, 4}, "step", 1)}},
            {"steps", {step("test_scale", {0}, {2}, {{"factor", 2.0}}), step("test_add", {2, 1}, {3})}}};
  return dstest::writeBundle(m, s, {{"w", {"f32", {4}, dstest::bytesOf(std::vector<float>{10, 20, 30, 40})}}});
}

}  // namespace

TEST_F(SessionTest, RunsAndCachesPlans) {
  auto bundle = Bundle::load(scaleAddBundle());
  Session session(bundle, {});
  EXPECT_EQ(session.device(), "cpu");
  auto out = session.run({dstest::f32Tensor({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 4}));
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{12, 24, 36, 48, 20, 32, 44, 56}));
  EXPECT_EQ(session.lastArenaBytes(), 64u);  // value 2: 32 bytes, aligned
  EXPECT_EQ(session.stats().plansBuilt, 1);

  // Same shapes: the cached plan; new shapes: a new plan.
  auto again = session.run({dstest::f32Tensor({2, 4}, {0, 0, 0, 0, 1, 1, 1, 1})});
  EXPECT_EQ(dstest::f32Values(again[0]), (std::vector<float>{10, 20, 30, 40, 12, 22, 32, 42}));
  EXPECT_EQ(session.stats().plansBuilt, 1);
  EXPECT_EQ(session.stats().planCacheHits, 1);
  EXPECT_NE(out[0].data(), again[0].data()) << "outputs are allocated per call";
  EXPECT_EQ(out[0].as<float>()[0], 12.0f) << "an earlier output is not overwritten";

  auto big = session.run({dstest::f32Tensor({20, 4}, std::vector<float>(80, 1.0f))});
  EXPECT_EQ(big[0].shape(), (Shape{20, 4}));
  EXPECT_EQ(big[0].as<float>()[79], 42.0f);
  EXPECT_EQ(session.lastArenaBytes(), 320u);
  EXPECT_EQ(session.stats().plansBuilt, 2);
  // Zero rows.
  auto empty = session.run({Tensor::empty(DType::F32, {0, 4})});
  EXPECT_EQ(empty[0].shape(), (Shape{0, 4}));
  EXPECT_EQ(session.stats().plansBuilt, 3);
  EXPECT_EQ(session.stats().runs, 4);
}

TEST_F(SessionTest, PlanCacheIsLru16) {
  auto bundle = Bundle::load(scaleAddBundle());
  Session session(bundle);
  for (int n = 1; n <= 17; ++n) session.run({Tensor::empty(DType::F32, {n, 4})});
  EXPECT_EQ(session.stats().plansBuilt, 17);
  session.run({Tensor::empty(DType::F32, {17, 4})});  // most recent: cached
  EXPECT_EQ(session.stats().plansBuilt, 17);
  session.run({Tensor::empty(DType::F32, {1, 4})});  // evicted
  EXPECT_EQ(session.stats().plansBuilt, 18);
  session.run({Tensor::empty(DType::F32, {3, 4})});  // still cached
  EXPECT_EQ(session.stats().plansBuilt, 18);
}

TEST_F(SessionTest, InputValidation) {
  auto bundle = Bundle::load(scaleAddBundle());
  Session session(bundle);
  EXPECT_CONTAINS(runError(session, {}), "expected 1 input (x), got 0");
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F16, {2, 4})}), "input 'x' must be f32, got f16");
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F32, {8})}),
                  "input 'x' must have rank 2 (shape batchx4), got rank 1 (shape 8)");
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F32, {})}), "got rank 0 (shape scalar)");
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F32, {2, 5})}), "input 'x' dim 1 must be 4, got 5");
  EXPECT_CONTAINS(runError(session, {Tensor::borrow(DType::F32, {2, 4}, nullptr)}), "input 'x' has no data");
  EXPECT_EQ(session.stats().runs, 0);
}

TEST_F(SessionTest, SymbolicDimsBindConsistently) {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("a", "f32", {"batch", "seq"}), tensorInfo("b", "f32", {"seq"})}},
            {"outputs", {tensorInfo("y", "f32", {"batch", "seq"})}}};
  json s = {{"format_version", 1}, {"inputs", {0, 1}}, {"outputs", {2}},
            {"values", {value(0, "f32", {-1, -1}, "input", 0), value(1, "f32", {-1}, "input", 1),
                        value(2, "f32", {-1, -1}, "step", 0)}},
            {"steps", {step("test_add", {0, 1}, {2})}}};
  auto bundle = Bundle::load(dstest::writeBundle(m, s));
  Session session(bundle);
  auto out = session.run({dstest::f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6}), dstest::f32Tensor({3}, {1, 1, 1})});
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{2, 3, 4, 5, 6, 7}));
  std::string err = runError(session, {Tensor::empty(DType::F32, {2, 3}), Tensor::empty(DType::F32, {4})});
  EXPECT_CONTAINS(err, "input 'b' dim 0 (symbol 'seq') is 4, but input 'a' dim 1 bound 'seq' to 3");
}

TEST_F(SessionTest, PlanTimeEvaluationAndViews) {
  // s = shape_of(x); t = x * 3; r = reshape(t, s') where s' = shape_of(x) reversed?
  // Here: r = reshape(t, s) (same shape, through the view path) and a flattening reshape
  // with a weight shape operand; outputs r and f.
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {"n", 2})}},
            {"outputs", {tensorInfo("r", "f32", {"n", 2}), tensorInfo("f", "f32", {-1}),
                         tensorInfo("s", "i64", {2})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {3, 5, 1}},
            {"values", {value(0, "f32", {-1, 2}, "input", 0), value(1, "i64", {2}, "step", 0),
                        value(2, "f32", {-1, 2}, "step", 1),
                        {{"id", 3}, {"dtype", "f32"}, {"shape", {-1, 2}}, {"def", "step"}, {"step", 2}, {"alias_of", 2}},
                        {{"id", 4}, {"dtype", "i64"}, {"shape", {1}}, {"def", "weight"}, {"weight", "flat"}},
                        value(5, "f32", {-1}, "step", 3), value(6, "f32", {-1}, "step", 4)}},
            {"steps", {step("test_shape_of", {0}, {1}), step("test_scale", {0}, {2}, {{"factor", 3.0}}),
                       step("reshape", {2, 1}, {3}), step("reshape", {2, 4}, {5}),
                       step("test_scale", {5}, {6}, {{"factor", 1.0}})}}};
  auto bundle = Bundle::load(dstest::writeBundle(
      m, s, {{"flat", {"i64", {1}, dstest::bytesOf(std::vector<int64_t>{-1})}}}));
  SessionOptions options;
  options.profile = true;
  Session session(bundle, options);
  gShapeOfCalls = 0;
  auto out = session.run({dstest::f32Tensor({3, 2}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{3, 6, 9, 12, 15, 18}));
  EXPECT_EQ(out[1].shape(), (Shape{6}));
  EXPECT_EQ(dstest::f32Values(out[1]), (std::vector<float>{3, 6, 9, 12, 15, 18}));
  EXPECT_EQ(out[2].as<int64_t>()[0], 3);
  EXPECT_EQ(out[2].as<int64_t>()[1], 2);
  EXPECT_EQ(gShapeOfCalls, 1) << "shape_of runs once, at plan time";
  // Views are outputs here: copied, so they do not point into the arena.
  EXPECT_NE(out[0].data(), out[1].data());
  session.run({dstest::f32Tensor({3, 2}, {1, 1, 1, 1, 1, 1})});
  EXPECT_EQ(gShapeOfCalls, 1) << "the cached plan holds shape_of's result";
  EXPECT_EQ(session.stats().plansBuilt, 1);
  // Step 0 was evaluated at plan time, so its kernel never ran at run time; views
  // (steps 2, 3) run no kernel.
  EXPECT_EQ(session.profile()[0].calls, 0);
  EXPECT_EQ(session.profile()[1].calls, 2);
  EXPECT_EQ(session.profile()[2].calls, 0);
  EXPECT_EQ(session.profile()[4].calls, 2);
  EXPECT_EQ(session.stats().eagerRuns, 0);
}

TEST_F(SessionTest, EagerFallbackForDataDependentShapes) {
  // y = reshape(x, shape) * 2 where `shape` is an input: known only at run time.
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {"n"}), tensorInfo("shape", "i64", {2})}},
            {"outputs", {tensorInfo("y", "f32", {-1, -1})}}};
  json s = {{"format_version", 1}, {"inputs", {0, 1}}, {"outputs", {3}},
            {"values", {value(0, "f32", {-1}, "input", 0), value(1, "i64", {2}, "input", 1),
                        value(2, "f32", {-1, -1}, "step", 0), value(3, "f32", {-1, -1}, "step", 1)}},
            {"steps", {step("reshape", {0, 1}, {2}), step("test_scale", {2}, {3}, {{"factor", 2.0}})}}};
  auto bundle = Bundle::load(dstest::writeBundle(m, s));
  Session session(bundle);
  Tensor shape = Tensor::empty(DType::I64, {2});
  shape.as<int64_t>()[0] = 2;
  shape.as<int64_t>()[1] = 3;
  auto out = session.run({dstest::f32Tensor({6}, {1, 2, 3, 4, 5, 6}), shape});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(session.stats().eagerRuns, 1);
  EXPECT_EQ(session.stats().plansBuilt, 0);
  EXPECT_EQ(session.lastArenaBytes(), 0u);
  shape.as<int64_t>()[0] = 3;
  shape.as<int64_t>()[1] = 2;
  out = session.run({dstest::f32Tensor({6}, {1, 2, 3, 4, 5, 6}), shape});
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(session.stats().eagerRuns, 2) << "nothing is cached for eager calls";
  // A bad target shape is reported by the view check.
  shape.as<int64_t>()[0] = 4;
  EXPECT_CONTAINS(runError(session, {dstest::f32Tensor({6}, {1, 2, 3, 4, 5, 6}), shape}),
                  "step 0 (reshape '/reshape'): a view of 6 cannot have shape 4x2");
}

TEST_F(SessionTest, InPlaceSharesArenaBytes) {
  // t1 = x*2; t2 = t1*3 (inplace_of t1); t3 = t2*5 (inplace_of t2); y = t3 + x.
  auto make = [](bool inplace) {
    json m = {{"format_version", 1},
              {"inputs", {tensorInfo("x", "f32", {"n"})}},
              {"outputs", {tensorInfo("y", "f32", {"n"})}}};
    json v2 = value(2, "f32", {-1}, "step", 1), v3 = value(3, "f32", {-1}, "step", 2);
    if (inplace) {
      v2["inplace_of"] = 1;
      v3["inplace_of"] = 2;
    }
    json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {4}},
              {"values", {value(0, "f32", {-1}, "input", 0), value(1, "f32", {-1}, "step", 0), v2, v3,
                          value(4, "f32", {-1}, "step", 3)}},
              {"steps", {step("test_scale", {0}, {1}, {{"factor", 2.0}}),
                         step("test_scale", {1}, {2}, {{"factor", 3.0}}),
                         step("test_scale", {2}, {3}, {{"factor", 5.0}}),
                         step("test_add", {3, 0}, {4})}}};
    return Bundle::load(dstest::writeBundle(m, s));
  };
  std::vector<float> x(5000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  for (bool inplace : {false, true}) {
    Session session(make(inplace));
    auto out = session.run({dstest::f32Tensor({5000}, x)});
    for (size_t i = 0; i < x.size(); i += 997) EXPECT_EQ(out[0].as<float>()[i], 31.0f * x[i]);
    // 20000 bytes per buffer: two live at once without in-place, one with it.
    EXPECT_EQ(session.lastArenaBytes(), inplace ? 20032u : 40064u) << inplace;
  }
}

TEST_F(SessionTest, StaticPlanFromTheCompiler) {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {4})}},
            {"outputs", {tensorInfo("y", "f32", {4})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {2}},
            {"values", {value(0, "f32", {4}, "input", 0),
                        {{"id", 1}, {"dtype", "f32"}, {"shape", {4}}, {"def", "step"}, {"step", 0}, {"offset", 128}},
                        value(2, "f32", {4}, "step", 1)}},
            {"steps", {step("test_scale", {0}, {1}, {{"factor", 2.0}}), step("test_scale", {1}, {2}, {{"factor", 2.0}})}},
            {"memory_plan", {{"static", true}, {"arena_bytes", 192}, {"alignment", 64}}}};
  Session session(Bundle::load(dstest::writeBundle(m, s)));
  auto out = session.run({dstest::f32Tensor({4}, {1, 2, 3, 4})});
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{4, 8, 12, 16}));
  EXPECT_EQ(session.lastArenaBytes(), 192u) << "the compiler's arena size is used as is";

  s["values"][1]["offset"] = 192;
  Session bad(Bundle::load(dstest::writeBundle(m, s)));
  EXPECT_CONTAINS(runError(bad, {dstest::f32Tensor({4}, {1, 2, 3, 4})}),
                  "value 1 at arena offset 192 (16 bytes) does not fit");
}

TEST_F(SessionTest, OutputsThatAreInputsWeightsOrRepeatedAreCopies) {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {2})}},
            {"outputs", {tensorInfo("a", "f32", {2}), tensorInfo("b", "f32", {2}),
                         tensorInfo("c", "f32", {2}), tensorInfo("d", "f32", {2})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {0, 1, 2, 2}},
            {"values", {value(0, "f32", {2}, "input", 0),
                        {{"id", 1}, {"dtype", "f32"}, {"shape", {2}}, {"def", "weight"}, {"weight", "w"}},
                        value(2, "f32", {2}, "step", 0)}},
            {"steps", {step("test_add", {0, 1}, {2})}}};
  auto bundle = Bundle::load(dstest::writeBundle(m, s, {{"w", {"f32", {2}, dstest::bytesOf(std::vector<float>{5, 6})}}}));
  Session session(bundle);
  Tensor x = dstest::f32Tensor({2}, {1, 2});
  auto out = session.run({x});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NE(out[0].data(), x.data());
  EXPECT_EQ(dstest::f32Values(out[0]), (std::vector<float>{1, 2}));
  EXPECT_NE(out[1].data(), bundle->impl().value(1).weightData);
  EXPECT_EQ(dstest::f32Values(out[1]), (std::vector<float>{5, 6}));
  EXPECT_NE(out[2].data(), out[3].data());
  EXPECT_EQ(dstest::f32Values(out[3]), (std::vector<float>{6, 8}));
  out[1].as<float>()[0] = 99;  // writable, and the weights stay intact
  EXPECT_EQ(static_cast<const float *>(bundle->impl().value(1).weightData)[0], 5.0f);
}

TEST_F(SessionTest, DeclaredShapeMismatch) {
  json m = {{"format_version", 1}, {"inputs", {tensorInfo("x", "f32", {4})}},
            {"outputs", {tensorInfo("y", "f32", {4})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {1}},
            {"values", {value(0, "f32", {4}, "input", 0), value(1, "f32", {4}, "step", 0)}},
            {"steps", {step("test_wrong", {0}, {1})}}};
  Session session(Bundle::load(dstest::writeBundle(m, s)));
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F32, {4})}),
                  "step 0 (test_wrong '/test_wrong'): output 0 (value 1) has shape 3 at run time, "
                  "which does not match its declared shape 4");
}

TEST_F(SessionTest, KernelErrorsPropagate) {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("a", "f32", {3}), tensorInfo("b", "f32", {2})}},
            {"outputs", {tensorInfo("y", "f32", {3})}}};
  json s = {{"format_version", 1}, {"inputs", {0, 1}}, {"outputs", {2}},
            {"values", {value(0, "f32", {3}, "input", 0), value(1, "f32", {2}, "input", 1),
                        value(2, "f32", {3}, "step", 0)}},
            {"steps", {step("test_add", {0, 1}, {2})}}};
  Session session(Bundle::load(dstest::writeBundle(m, s)));
  EXPECT_CONTAINS(runError(session, {Tensor::empty(DType::F32, {3}), Tensor::empty(DType::F32, {2})}),
                  "step 0 (test_add '/test_add'): cannot add 2 to 3");
}

TEST_F(SessionTest, Devices) {
  auto bundle = Bundle::load(scaleAddBundle());
  EXPECT_EQ(resolveDevice("auto"), "cpu");
  EXPECT_EQ(Session(bundle, {"auto"}).device(), "cpu");
  try {
    Session session(bundle, {"tpu"});
    FAIL();
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "unknown device 'tpu' (available: cpu");
  }
  try {
    Session session(bundle, {"cuda"});
    FAIL();
  } catch (const Error &e) {
    EXPECT_CONTAINS(e.what(), "device 'cuda' is not available");
  }
}

TEST_F(SessionTest, Profile) {
  auto bundle = Bundle::load(scaleAddBundle());
  SessionOptions options;
  options.profile = true;
  options.threads = 2;
  Session session(bundle, options);
  for (int i = 0; i < 3; ++i) session.run({Tensor::empty(DType::F32, {2, 4})});
  const auto &p = session.profile();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].kind, "test_scale");
  EXPECT_EQ(p[0].name, "/test_scale");
  EXPECT_EQ(p[0].calls, 3);
  EXPECT_EQ(p[1].calls, 3);
  EXPECT_GE(p[1].totalMs, 0.0);
  session.resetProfile();
  EXPECT_EQ(session.profile()[0].calls, 0);
}

// The core with the real cpu kernels: matmul, binary add, softmax, a reshape view with a
// weight shape operand, and shape_of evaluated at plan time.
TEST(SessionCpuKernels, SmallGraphEndToEnd) {
  json m = {{"format_version", 1},
            {"inputs", {tensorInfo("x", "f32", {"batch", 4})}},
            {"outputs", {tensorInfo("probs", "f32", {-1}), tensorInfo("shape", "i64", {2})}}};
  json s = {{"format_version", 1}, {"inputs", {0}}, {"outputs", {7, 8}},
            {"values", {value(0, "f32", {-1, 4}, "input", 0),
                        {{"id", 1}, {"dtype", "f32"}, {"shape", {4, 3}}, {"def", "weight"}, {"weight", "w"}},
                        {{"id", 2}, {"dtype", "f32"}, {"shape", {3}}, {"def", "weight"}, {"weight", "b"}},
                        value(3, "f32", {-1, 3}, "step", 0),
                        {{"id", 4}, {"dtype", "f32"}, {"shape", {-1, 3}}, {"def", "step"}, {"step", 1}, {"inplace_of", 3}},
                        value(5, "f32", {-1, 3}, "step", 2),
                        {{"id", 6}, {"dtype", "i64"}, {"shape", {1}}, {"def", "weight"}, {"weight", "flat"}},
                        {{"id", 7}, {"dtype", "f32"}, {"shape", {-1}}, {"def", "step"}, {"step", 3}, {"alias_of", 5}},
                        value(8, "i64", {2}, "step", 4)}},
            {"steps", {step("matmul", {0, 1}, {3}, {{"transpose_a", false}, {"transpose_b", false}}),
                       step("binary", {3, 2}, {4}, {{"fn", "add"}}),
                       step("softmax", {4}, {5}, {{"axis", -1}}),
                       step("reshape", {5, 6}, {7}, {{"allow_zero", false}}),
                       step("shape_of", {0}, {8}, {{"start", 0}, {"end", 2}})}}};
  std::vector<float> w = {0.5f, -1, 2, 1, 0, -0.5f, -2, 1.5f, 0.25f, 0, 1, -1};
  std::vector<float> bias = {0.1f, -0.2f, 0.3f};
  auto bundle = Bundle::load(dstest::writeBundle(
      m, s, {{"w", {"f32", {4, 3}, dstest::bytesOf(w)}},
             {"b", {"f32", {3}, dstest::bytesOf(bias)}},
             {"flat", {"i64", {1}, dstest::bytesOf(std::vector<int64_t>{-1})}}}));
  Session session(bundle);
  for (int batch : {3, 1, 3}) {
    std::vector<float> x(batch * 4);
    for (size_t i = 0; i < x.size(); ++i) x[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
    auto out = session.run({dstest::f32Tensor({batch, 4}, x)});
    ASSERT_EQ(out[0].shape(), (Shape{batch * 3}));
    EXPECT_EQ(out[1].as<int64_t>()[0], batch);
    EXPECT_EQ(out[1].as<int64_t>()[1], 4);
    for (int r = 0; r < batch; ++r) {
      double logits[3], mx = -1e30, sum = 0;
      for (int c = 0; c < 3; ++c) {
        logits[c] = bias[c];
        for (int k = 0; k < 4; ++k) logits[c] += double(x[r * 4 + k]) * w[k * 3 + c];
        mx = std::max(mx, logits[c]);
      }
      for (double l : logits) sum += std::exp(l - mx);
      for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(out[0].as<float>()[r * 3 + c], std::exp(logits[c] - mx) / sum, 1e-5)
            << "batch " << batch << " row " << r << " col " << c;
    }
  }
  EXPECT_EQ(session.stats().plansBuilt, 2);
  EXPECT_EQ(session.stats().planCacheHits, 1);
}
