// cpu backend: the reduction family. This file registers the family and holds `reduce`
// (every ds ReduceFn over any set of axes) and `arg_reduce` (argmax / argmin).
#include "ReductionCommon.h"

namespace ds::rt {
namespace reduction {
namespace {

enum class ReduceFn { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp };

struct ReduceFnName {
  const char *name;
  ReduceFn fn;
};
constexpr ReduceFnName kReduceFns[] = {
    {"sum", ReduceFn::Sum},         {"mean", ReduceFn::Mean},
    {"max", ReduceFn::Max},         {"min", ReduceFn::Min},
    {"prod", ReduceFn::Prod},       {"l1", ReduceFn::L1},
    {"l2", ReduceFn::L2},           {"sum_square", ReduceFn::SumSquare},
    {"log_sum", ReduceFn::LogSum},  {"log_sum_exp", ReduceFn::LogSumExp},
};

template <class Ctx> ReduceFn reduceFnOf(const Ctx &ctx) {
  std::string name = attrString(ctx.step, "fn");
  for (const auto &e : kReduceFns)
    if (name == e.name) return e.fn;
  std::string known;
  for (const auto &e : kReduceFns) known += std::string(known.empty() ? "" : ", ") + e.name;
  ctx.fail("unknown reduction fn '" + name + "' (expected one of " + known + ")");
}

// Normalized, distinct axes of the `axes` attribute; fails naming the offending axis.
template <class Ctx> std::vector<bool> reducedAxes(const Ctx &ctx, const Shape &shape) {
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t axis : attrInts(ctx.step, "axes", {})) {
    int64_t a = normalizeAxis(axis, rank);
    if (a < 0)
      ctx.fail("axis " + std::to_string(axis) + " of 'axes' is out of range for input 0 of shape " +
               shapeToString(shape) + " (rank " + std::to_string(rank) + ")");
    if (reduced[a])
      ctx.fail("axis " + std::to_string(axis) + " of 'axes' is repeated (as " +
               std::to_string(a) + ")");
    reduced[a] = true;
  }
  return reduced;
}

void reduceShape(ShapeContext &ctx) {
  expectOperands(ctx, 1, 1);
  const TensorView &in = ctx.inputs[0];
  ReduceFn fn = reduceFnOf(ctx);
  std::vector<bool> reduced = reducedAxes(ctx, in.shape);
  std::string fnName = attrString(ctx.step, "fn");
  bool needsFloat = fn == ReduceFn::L2 || fn == ReduceFn::LogSum || fn == ReduceFn::LogSumExp;
  if (needsFloat && !isFloat(in.dtype))
    ctx.fail("reduction '" + fnName + "' needs floating-point elements, got " +
             dtypeName(in.dtype));
  if (in.dtype == DType::I1 && fn != ReduceFn::Max && fn != ReduceFn::Min)
    ctx.fail("reduction '" + fnName + "' is not defined on i1 elements");
  bool keep = attrBool(ctx.step, "keep_dims", false);
  Shape out;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    if (!reduced[d]) out.push_back(in.shape[d]);
    else if (keep) out.push_back(1);
  }
  expectOutputType(ctx, 0, in.dtype);
  ctx.outputShapes = {out};
}

// How a reduction walks its input. Unit dims are dropped and neighbouring dims that are
// both reduced or both kept merge into one group; the innermost group is contiguous.
//  - innermost group reduced: each output reduces `segOffsets.size()` contiguous segments
//    of `inner` elements; outputs are the units of work.
//  - innermost group kept: an output row of `inner` elements accumulates one contiguous
//    input row per entry of segOffsets (vectorized across the row).
struct ReducePlan {
  bool innerReduced = false;
  int64_t inner = 1;
  std::vector<int64_t> keptSizes, keptStrides;  // outer kept groups, outermost first
  std::vector<int64_t> segOffsets;              // reduced groups other than `inner`
  int64_t count = 1;                            // elements reduced into one output
  int64_t numOut = 1;

  // Input offset of output unit u (an output element, or an output row of `inner`).
  int64_t baseOf(int64_t u) const {
    int64_t off = 0;
    for (size_t k = keptSizes.size(); k-- > 0;) {
      off += (u % keptSizes[k]) * keptStrides[k];
      u /= keptSizes[k];
    }
    return off;
  }
};

ReducePlan planReduce(const Shape &shape, const std::vector<bool> &reduced) {
  ReducePlan plan;
  struct Group {
    int64_t size;
    bool reduced;
    int64_t stride = 0;
  };
  std::vector<Group> groups;
  for (size_t d = 0; d < shape.size(); ++d) {
    (reduced[d] ? plan.count : plan.numOut) *= shape[d];
    if (shape[d] == 1) continue;
    if (!groups.empty() && groups.back().reduced == reduced[d]) groups.back().size *= shape[d];
    else groups.push_back({shape[d], reduced[d]});
  }
  if (plan.count == 0 || plan.numOut == 0) return plan;
  int64_t stride = 1;
  for (size_t g = groups.size(); g-- > 0;) {
    groups[g].stride = stride;
    stride *= groups[g].size;
  }
  plan.segOffsets = {0};
  if (groups.empty()) return plan;
  plan.innerReduced = groups.back().reduced;
  plan.inner = groups.back().size;
  groups.pop_back();
  for (const Group &g : groups) {
    if (!g.reduced) {
      plan.keptSizes.push_back(g.size);
      plan.keptStrides.push_back(g.stride);
      continue;
    }
    std::vector<int64_t> expanded;
    expanded.reserve(plan.segOffsets.size() * static_cast<size_t>(g.size));
    for (int64_t off : plan.segOffsets)
      for (int64_t c = 0; c < g.size; ++c) expanded.push_back(off + c * g.stride);
    plan.segOffsets = std::move(expanded);
  }
  return plan;
}

// One accumulation rule per fn: init, step (accumulator, element), merge (two partial
// accumulators) and finish (accumulator -> result).
template <ReduceFn F, class C> struct FloatRule {
  using A = C;
  static A init() {
    if constexpr (F == ReduceFn::Prod) return 1;
    else if constexpr (F == ReduceFn::Max) return -std::numeric_limits<C>::infinity();
    else if constexpr (F == ReduceFn::Min) return std::numeric_limits<C>::infinity();
    else return 0;
  }
  static A step(A a, C x) {
    if constexpr (F == ReduceFn::L1) return a + std::fabs(x);
    else if constexpr (F == ReduceFn::L2 || F == ReduceFn::SumSquare) return a + x * x;
    else if constexpr (F == ReduceFn::Prod) return a * x;
    else if constexpr (F == ReduceFn::Max) return (x > a || x != x) ? x : a;  // NaN sticks
    else if constexpr (F == ReduceFn::Min) return (x < a || x != x) ? x : a;
    else return a + x;
  }
  static A merge(A a, A b) {
    if constexpr (F == ReduceFn::Max || F == ReduceFn::Min) return step(a, b);
    else if constexpr (F == ReduceFn::Prod) return a * b;
    else return a + b;
  }
  static C finish(A a, int64_t count) {
    if constexpr (F == ReduceFn::Mean) return a / static_cast<C>(count);
    else if constexpr (F == ReduceFn::L2) return std::sqrt(a);
    else if constexpr (F == ReduceFn::LogSum) return std::log(a);
    else return a;
  }
};

// Integers: sums and products wrap in 64 bits (int64 accumulation); max/min compare in
// the native type; mean truncates toward zero (0 for an empty reduction).
template <ReduceFn F, class T> struct IntRule {
  static constexpr bool kMinMax = F == ReduceFn::Max || F == ReduceFn::Min;
  using A = std::conditional_t<kMinMax, T, uint64_t>;
  static A widen(T x) {
    if constexpr (std::is_signed_v<T>) return static_cast<A>(static_cast<int64_t>(x));
    else return static_cast<A>(x);
  }
  static A init() {
    if constexpr (F == ReduceFn::Prod) return 1;
    else if constexpr (F == ReduceFn::Max) return std::numeric_limits<T>::lowest();
    else if constexpr (F == ReduceFn::Min) return std::numeric_limits<T>::max();
    else return 0;
  }
  static A step(A a, T x) {
    if constexpr (F == ReduceFn::Max) return x > a ? x : a;
    else if constexpr (F == ReduceFn::Min) return x < a ? x : a;
    else if constexpr (F == ReduceFn::Prod) return a * widen(x);
    else if constexpr (F == ReduceFn::SumSquare) return a + widen(x) * widen(x);
    else if constexpr (F == ReduceFn::L1 && std::is_signed_v<T>)
      return a + (x < 0 ? A(0) - widen(x) : widen(x));
    else return a + widen(x);
  }
  static A merge(A a, A b) {
    if constexpr (kMinMax) return step(a, b);
    else if constexpr (F == ReduceFn::Prod) return a * b;
    else return a + b;
  }
  static T finish(A a, int64_t count) {
    if constexpr (F == ReduceFn::Mean) {
      if (count == 0) return 0;
      if constexpr (std::is_signed_v<T>)
        return static_cast<T>(static_cast<int64_t>(a) / count);
      else return static_cast<T>(a / static_cast<uint64_t>(count));
    } else {
      return static_cast<T>(a);
    }
  }
};

// Fills the output with the value of an empty reduction (a reduced dim of size 0).
template <class C> void fillOutput(KernelContext &ctx, C value) {
  const TensorView &out = ctx.outputs[0];
  std::vector<C> chunk(static_cast<size_t>(std::min<int64_t>(out.numel(), 4096)), value);
  for (int64_t b = 0; b < out.numel(); b += static_cast<int64_t>(chunk.size()))
    storeLine<C>(out, b, 1, std::min<int64_t>(chunk.size(), out.numel() - b), chunk.data());
}

constexpr int64_t kColumnChunk = 1024;  // row-accumulation width (case "innermost kept")

// With fewer outputs than threads could use, each output's reduction is cut into
// `parts` pieces folded in parallel and merged in order. The cut depends on the shape
// only, so results do not depend on the thread count.
int64_t splitParts(int64_t units, int64_t workPerUnit, int64_t maxParts) {
  constexpr int64_t kMinPartWork = 1 << 16;
  if (units >= 16 || workPerUnit < 2 * kMinPartWork) return 1;
  return std::clamp<int64_t>(workPerUnit / kMinPartWork, 1, std::min<int64_t>(maxParts, 64));
}

template <class C, class Rule> void runReduce(KernelContext &ctx, const ReducePlan &plan) {
  using A = typename Rule::A;
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  if (plan.count == 0) return fillOutput<C>(ctx, Rule::finish(Rule::init(), 0));
  auto step = [](A a, C x) { return Rule::step(a, x); };
  auto merge = [](A a, A b) { return Rule::merge(a, b); };
  if (plan.innerReduced) {
    // Folds elements [lo, hi) of output u's reduction (segments laid end to end).
    auto foldRange = [&](LineReader<C> &reader, int64_t u, int64_t lo, int64_t hi) {
      int64_t base = plan.baseOf(u);
      A acc = Rule::init();
      while (lo < hi) {
        int64_t seg = lo / plan.inner, off = lo % plan.inner;
        int64_t len = std::min(plan.inner - off, hi - lo);
        const C *x = reader.read(base + plan.segOffsets[seg] + off, len);
        acc = Rule::merge(acc, foldLine<A>(x, len, Rule::init(), step, merge));
        lo += len;
      }
      return acc;
    };
    int64_t parts = splitParts(plan.numOut, plan.count, plan.count);
    if (parts == 1) {
      ctx.pool.parallelFor(plan.numOut, grainFor(plan.count), [&](int64_t begin, int64_t end) {
        LineReader<C> reader(in);
        std::vector<C> results(static_cast<size_t>(end - begin));
        for (int64_t u = begin; u < end; ++u)
          results[u - begin] = Rule::finish(foldRange(reader, u, 0, plan.count), plan.count);
        storeLine<C>(out, begin, 1, end - begin, results.data());
      });
      return;
    }
    std::vector<A> partial(static_cast<size_t>(plan.numOut * parts));
    ctx.pool.parallelFor(plan.numOut * parts, 1, [&](int64_t begin, int64_t end) {
      LineReader<C> reader(in);
      for (int64_t t = begin; t < end; ++t) {
        int64_t u = t / parts, k = t % parts;
        partial[t] = foldRange(reader, u, plan.count * k / parts, plan.count * (k + 1) / parts);
      }
    });
    std::vector<C> results(static_cast<size_t>(plan.numOut));
    for (int64_t u = 0; u < plan.numOut; ++u) {
      A acc = Rule::init();
      for (int64_t k = 0; k < parts; ++k) acc = Rule::merge(acc, partial[u * parts + k]);
      results[u] = Rule::finish(acc, plan.count);
    }
    storeLine<C>(out, 0, 1, plan.numOut, results.data());
    return;
  }
  int64_t rows = plan.numOut / plan.inner;
  int64_t chunks = (plan.inner + kColumnChunk - 1) / kColumnChunk;
  int64_t width = std::min(plan.inner, kColumnChunk);
  int64_t units = rows * chunks, segments = static_cast<int64_t>(plan.segOffsets.size());
  // Accumulates segments [segLo, segHi) of a unit (an output row chunk) into acc[0, w).
  auto accumulate = [&](LineReader<C> &reader, int64_t unit, int64_t segLo, int64_t segHi,
                        A *acc) {
    int64_t row = unit / chunks, c0 = (unit % chunks) * kColumnChunk;
    int64_t w = std::min(kColumnChunk, plan.inner - c0);
    int64_t base = plan.baseOf(row) + c0;
    std::fill(acc, acc + w, Rule::init());
    for (int64_t s = segLo; s < segHi; ++s) {
      const C *x = reader.read(base + plan.segOffsets[s], w);
      for (int64_t j = 0; j < w; ++j) acc[j] = Rule::step(acc[j], x[j]);
    }
    return w;
  };
  int64_t parts = splitParts(units, plan.count * width, segments);
  if (parts == 1) {
    ctx.pool.parallelFor(units, grainFor(plan.count * width), [&](int64_t begin, int64_t end) {
      LineReader<C> reader(in);
      std::vector<A> acc(static_cast<size_t>(width));
      std::vector<C> results(static_cast<size_t>(width));
      for (int64_t unit = begin; unit < end; ++unit) {
        int64_t w = accumulate(reader, unit, 0, segments, acc.data());
        for (int64_t j = 0; j < w; ++j) results[j] = Rule::finish(acc[j], plan.count);
        int64_t row = unit / chunks, c0 = (unit % chunks) * kColumnChunk;
        storeLine<C>(out, row * plan.inner + c0, 1, w, results.data());
      }
    });
    return;
  }
  std::vector<A> partial(static_cast<size_t>(units * parts * width));
  ctx.pool.parallelFor(units * parts, 1, [&](int64_t begin, int64_t end) {
    LineReader<C> reader(in);
    for (int64_t t = begin; t < end; ++t) {
      int64_t unit = t / parts, k = t % parts;
      accumulate(reader, unit, segments * k / parts, segments * (k + 1) / parts,
                 partial.data() + t * width);
    }
  });
  std::vector<C> results(static_cast<size_t>(width));
  for (int64_t unit = 0; unit < units; ++unit) {
    int64_t row = unit / chunks, c0 = (unit % chunks) * kColumnChunk;
    int64_t w = std::min(kColumnChunk, plan.inner - c0);
    const A *first = partial.data() + unit * parts * width;
    for (int64_t j = 0; j < w; ++j) {
      A acc = first[j];
      for (int64_t k = 1; k < parts; ++k) acc = Rule::merge(acc, first[k * width + j]);
      results[j] = Rule::finish(acc, plan.count);
    }
    storeLine<C>(out, row * plan.inner + c0, 1, w, results.data());
  }
}

// log(sum(exp(x))) as max + log(sum(exp(x - max))). A NaN gives NaN; a +inf or an
// all -inf (or empty) reduction gives that infinity.
template <class C> void runLogSumExp(KernelContext &ctx, const ReducePlan &plan) {
  using MaxRule = FloatRule<ReduceFn::Max, C>;
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  if (plan.count == 0) return fillOutput<C>(ctx, -std::numeric_limits<C>::infinity());
  auto maxStep = [](C a, C x) { return MaxRule::step(a, x); };
  if (plan.innerReduced) {
    ctx.pool.parallelFor(plan.numOut, grainFor(2 * plan.count), [&](int64_t begin, int64_t end) {
      LineReader<C> reader(in);
      std::vector<C> results(static_cast<size_t>(end - begin));
      for (int64_t u = begin; u < end; ++u) {
        int64_t base = plan.baseOf(u);
        C peak = MaxRule::init();
        for (int64_t off : plan.segOffsets)
          peak = maxStep(peak, foldLine<C>(reader.read(base + off, plan.inner), plan.inner,
                                           MaxRule::init(), maxStep, maxStep));
        C sum = 0;
        if (std::isfinite(peak))
          for (int64_t off : plan.segOffsets)
            sum += sumExpShiftedLine<C>(reader.read(base + off, plan.inner), plan.inner, peak);
        results[u - begin] = std::isfinite(peak) ? std::log(sum) + peak : peak;
      }
      storeLine<C>(out, begin, 1, end - begin, results.data());
    });
    return;
  }
  int64_t rows = plan.numOut / plan.inner;
  int64_t chunks = (plan.inner + kColumnChunk - 1) / kColumnChunk;
  int64_t width = std::min(plan.inner, kColumnChunk);
  ctx.pool.parallelFor(rows * chunks, grainFor(2 * plan.count * width), [&](int64_t begin,
                                                                             int64_t end) {
    LineReader<C> reader(in);
    std::vector<C> peaks(static_cast<size_t>(width)), sums(static_cast<size_t>(width));
    for (int64_t unit = begin; unit < end; ++unit) {
      int64_t row = unit / chunks, c0 = (unit % chunks) * kColumnChunk;
      int64_t w = std::min(kColumnChunk, plan.inner - c0);
      int64_t base = plan.baseOf(row) + c0;
      C *p = peaks.data(), *s = sums.data();
      std::fill(p, p + w, MaxRule::init());
      std::fill(s, s + w, C(0));
      for (int64_t off : plan.segOffsets) {
        const C *x = reader.read(base + off, w);
        for (int64_t j = 0; j < w; ++j) p[j] = maxStep(p[j], x[j]);
      }
      for (int64_t off : plan.segOffsets) {
        const C *x = reader.read(base + off, w);
        for (int64_t j = 0; j < w; ++j) s[j] += expC(x[j] - p[j]);
      }
      for (int64_t j = 0; j < w; ++j) s[j] = std::isfinite(p[j]) ? std::log(s[j]) + p[j] : p[j];
      storeLine<C>(out, row * plan.inner + c0, 1, w, s);
    }
  });
}

template <class C> void runReduceFor(KernelContext &ctx, ReduceFn fn, const ReducePlan &plan) {
  if constexpr (kIsFloat<C>) {
    switch (fn) {
    case ReduceFn::Sum: return runReduce<C, FloatRule<ReduceFn::Sum, C>>(ctx, plan);
    case ReduceFn::Mean: return runReduce<C, FloatRule<ReduceFn::Mean, C>>(ctx, plan);
    case ReduceFn::Max: return runReduce<C, FloatRule<ReduceFn::Max, C>>(ctx, plan);
    case ReduceFn::Min: return runReduce<C, FloatRule<ReduceFn::Min, C>>(ctx, plan);
    case ReduceFn::Prod: return runReduce<C, FloatRule<ReduceFn::Prod, C>>(ctx, plan);
    case ReduceFn::L1: return runReduce<C, FloatRule<ReduceFn::L1, C>>(ctx, plan);
    case ReduceFn::L2: return runReduce<C, FloatRule<ReduceFn::L2, C>>(ctx, plan);
    case ReduceFn::SumSquare: return runReduce<C, FloatRule<ReduceFn::SumSquare, C>>(ctx, plan);
    case ReduceFn::LogSum: return runReduce<C, FloatRule<ReduceFn::LogSum, C>>(ctx, plan);
    case ReduceFn::LogSumExp: return runLogSumExp<C>(ctx, plan);
    }
  } else {
    switch (fn) {
    case ReduceFn::Sum: return runReduce<C, IntRule<ReduceFn::Sum, C>>(ctx, plan);
    case ReduceFn::Mean: return runReduce<C, IntRule<ReduceFn::Mean, C>>(ctx, plan);
    case ReduceFn::Max: return runReduce<C, IntRule<ReduceFn::Max, C>>(ctx, plan);
    case ReduceFn::Min: return runReduce<C, IntRule<ReduceFn::Min, C>>(ctx, plan);
    case ReduceFn::Prod: return runReduce<C, IntRule<ReduceFn::Prod, C>>(ctx, plan);
    case ReduceFn::L1: return runReduce<C, IntRule<ReduceFn::L1, C>>(ctx, plan);
    case ReduceFn::SumSquare: return runReduce<C, IntRule<ReduceFn::SumSquare, C>>(ctx, plan);
    default:
      ctx.fail(std::string("reduction '") + attrString(ctx.step, "fn") +
               "' needs floating-point elements, got " + dtypeName(ctx.inputs[0].dtype));
    }
  }
}

void reduceRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  ReduceFn fn = reduceFnOf(ctx);
  ReducePlan plan = planReduce(in.shape, reducedAxes(ctx, in.shape));
  if (plan.numOut == 0) return;
  dispatchCompute(in.dtype, [&](auto tag) { runReduceFor<decltype(tag)>(ctx, fn, plan); });
}

//===----------------------------------------------------------------------===//
// arg_reduce
//===----------------------------------------------------------------------===//

template <class Ctx> bool argIsMax(const Ctx &ctx) {
  std::string fn = attrString(ctx.step, "fn");
  if (fn == "argmax") return true;
  if (fn != "argmin") ctx.fail("unknown fn '" + fn + "' (expected argmax or argmin)");
  return false;
}

void argReduceShape(ShapeContext &ctx) {
  expectOperands(ctx, 1, 1);
  const TensorView &in = ctx.inputs[0];
  argIsMax(ctx);
  int64_t axis = axisAttr(ctx, "axis", 0);
  if (in.dtype == DType::I1) ctx.fail("arg_reduce is not defined on i1 elements");
  bool keep = attrBool(ctx.step, "keep_dims", false);
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(in.shape.size()); ++d) {
    if (d != axis) out.push_back(in.shape[d]);
    else if (keep) out.push_back(1);
  }
  if (in.shape[axis] == 0 && numElements(out) != 0)
    ctx.fail("cannot take " + attrString(ctx.step, "fn") + " over axis " +
             std::to_string(axis) + " of size 0 (input 0 has shape " +
             shapeToString(in.shape) + ")");
  expectOutputType(ctx, 0, DType::I64);
  ctx.outputShapes = {out};
}

template <class C> void runArgReduce(KernelContext &ctx, bool isMax, bool last, AxisSplit s) {
  const TensorView &in = ctx.inputs[0];
  int64_t *out = ctx.outputs[0].as<int64_t>();
  bool direct = s.inner == 1 && storedAs<C>(in.dtype);
  ctx.pool.parallelFor(s.lines(), grainFor(s.size), [&](int64_t begin, int64_t end) {
    std::vector<C> line(direct ? 0 : static_cast<size_t>(s.size));
    for (int64_t l = begin; l < end; ++l) {
      int64_t start = s.lineStart(l);
      const C *x = static_cast<const C *>(in.data) + start;
      if (!direct) {
        loadLine<C>(in, start, s.inner, s.size, line.data());
        x = line.data();
      }
      out[l] = argExtreme<C>(x, s.size, isMax, last);
    }
  });
}

void argReduceRun(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  bool isMax = argIsMax(ctx);
  int64_t rank = static_cast<int64_t>(in.shape.size());
  int64_t axis = normalizeAxis(attrInt(ctx.step, "axis", 0), rank);
  if (axis < 0) ctx.fail("attribute 'axis' is out of range for rank " + std::to_string(rank));
  bool last = attrBool(ctx.step, "select_last_index", false);
  AxisSplit s = splitAt(in.shape, axis);
  if (s.lines() == 0) return;
  if (s.size == 0) ctx.fail("cannot take an arg reduction over an axis of size 0");
  dispatchCompute(in.dtype, [&](auto tag) { runArgReduce<decltype(tag)>(ctx, isMax, last, s); });
}

}  // namespace

void registerReduceKernels(KernelRegistry &registry) {
  registry.add("reduce", {reduceShape, reduceRun});
  registry.add("arg_reduce", {argReduceShape, argReduceRun});
}

}  // namespace reduction

void registerCpuReductionKernels(KernelRegistry &registry) {
  reduction::registerReduceKernels(registry);
  reduction::registerSoftmaxKernels(registry);
  reduction::registerNormKernels(registry);
  reduction::registerScanKernels(registry);
}

}  // namespace ds::rt
