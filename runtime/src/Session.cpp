// Session: input validation, shape planning, the plan cache, memory planning and
// execution (docs/bundle.md §5, docs/runtime.md).
#include "Backend.h"
#include "BundleImpl.h"
#include "Planner.h"
#include "emulate/EmulateBackend.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <optional>

namespace ds::rt {

namespace {

// A step whose inputs are all known and whose outputs have at most this many elements
// runs on the host at plan time (docs/bundle.md §5).
constexpr int64_t kPlanTimeMaxElements = 4096;
constexpr size_t kPlanCacheSize = 16;

// "2x3", or "scalar" for rank 0 (shapeToString gives "").
std::string shapeText(const Shape &shape) {
  return shape.empty() ? "scalar" : shapeToString(shape);
}

// A manifest shape with its symbols: "batchx3".
std::string symbolicText(const TensorInfo &t) {
  std::string s;
  for (size_t d = 0; d < t.shape.size(); ++d)
    s += (d ? "x" : "") + (t.shape[d] >= 0 ? std::to_string(t.shape[d])
                                           : (t.dims[d].empty() ? "?" : t.dims[d]));
  return s.empty() ? "scalar" : s;
}

std::string stepLabel(const StepDesc &st) {
  return "step " + std::to_string(st.index) + " (" + st.kind +
         (st.name.empty() ? "" : " '" + st.name + "'") + ")";
}

struct AlignedBuffer {
  void *data = nullptr;
  size_t size = 0;
  ~AlignedBuffer() { std::free(data); }
  void reserve(size_t bytes) {
    if (bytes <= size) return;
    std::free(data);
    data = nullptr;
    size = 0;
    size_t rounded = alignUp(bytes, kAlignment);
    data = std::aligned_alloc(kAlignment, rounded);
    if (!data) throw Error("out of memory allocating a " + std::to_string(rounded) + "-byte arena");
    size = rounded;
  }
};

// The shapes, plan-time results and memory layout for one input-shape binding.
struct Plan {
  std::vector<Shape> shapes;       // per value
  std::vector<Tensor> constants;   // per value: evaluated at plan time (valid() when so)
  std::vector<bool> known;         // per value: data known at plan time
  std::vector<bool> skip;          // per step: evaluated at plan time
  std::vector<int64_t> offsets;    // per value: arena offset or -1
  size_t arenaBytes = 0;
};

}  // namespace

class SessionImpl {
public:
  SessionImpl(std::shared_ptr<const Bundle> bundle, SessionOptions options);

  std::vector<Tensor> run(const std::vector<Tensor> &inputs);

  std::shared_ptr<const Bundle> bundleRef;
  const BundleImpl &b;
  SessionOptions options;
  std::string device;
  std::vector<KernelDef> defs;  // per step
  std::unique_ptr<emu::EmulatedSteps> emulated;  // device "emulate"
  ThreadPool pool;
  std::vector<StepProfile> profile;
  SessionStats stats;
  size_t lastArenaBytes = 0;
  std::mutex runMutex;
  std::unique_ptr<PlanRunner> deviceRunner;  // devices with their own memory (cuda)

private:
  void validateInputs(const std::vector<Tensor> &inputs) const;
  // nullopt when a shape needs run-time data (the call then runs eagerly).
  std::optional<Plan> buildPlan(const std::vector<Shape> &inputShapes);
  void checkShapes(const StepDesc &st, const ShapeContext &ctx) const;
  void runKernel(const StepDesc &st, std::vector<TensorView> ins, std::vector<TensorView> outs);
  std::vector<Tensor> runPlanned(const Plan &plan, const std::vector<Tensor> &inputs);
  std::vector<Tensor> runEager(const std::vector<Tensor> &inputs);
  std::vector<Tensor> collectOutputs(const std::vector<TensorView> &views,
                                     std::vector<Tensor> &owned);
  TensorView view(int id, const Shape &shape, void *data) const {
    TensorView v;
    v.dtype = b.value(id).dtype;
    v.shape = shape;
    v.data = data;
    v.present = true;
    return v;
  }

  using PlanKey = std::vector<Shape>;
  std::list<std::pair<PlanKey, std::shared_ptr<const Plan>>> cache_;  // most recent first
  AlignedBuffer arena_;
};

SessionImpl::SessionImpl(std::shared_ptr<const Bundle> bundle, SessionOptions opts)
    : bundleRef(std::move(bundle)), b(bundleRef->impl()), options(std::move(opts)),
      device(resolveDevice(options.device)), pool(options.threads) {
  const KernelRegistry &registry = kernelRegistry(device);
  // Every unknown kind at once, with the steps using it.
  std::map<std::string, std::vector<int>> unknown;
  for (const auto &st : b.steps) {
    const KernelDef *def = registry.find(st.kind);
    if (!def || !def->shape || (!def->run && !isViewKind(st.kind))) {
      unknown[st.kind].push_back(st.index);
      defs.emplace_back();
    } else {
      defs.push_back(*def);
    }
  }
  if (!unknown.empty()) {
    std::string msg = b.path + ": the " + device + " backend has no kernel for step kind" +
                      (unknown.size() > 1 ? "s " : " ");
    bool firstKind = true;
    for (const auto &[kind, steps] : unknown) {
      msg += (firstKind ? "'" : ", '") + kind + "' (step" + (steps.size() > 1 ? "s " : " ");
      for (size_t i = 0; i < steps.size() && i < 8; ++i)
        msg += (i ? ", " : "") + std::to_string(steps[i]);
      if (steps.size() > 8) msg += ", ... " + std::to_string(steps.size()) + " in all";
      msg += ")";
      firstKind = false;
    }
    throw Error(msg);
  }
  for (const auto &st : b.steps) profile.push_back({st.index, st.kind, st.name, 0.0, 0});
  if (device == "emulate") emulated = std::make_unique<emu::EmulatedSteps>(b);
  if (device == "cuda") deviceRunner = makeCudaPlanRunner(b, options, defs);
}

void SessionImpl::validateInputs(const std::vector<Tensor> &inputs) const {
  if (inputs.size() != b.inputs.size()) {
    std::string names;
    for (const auto &t : b.inputs) names += (names.empty() ? "" : ", ") + t.name;
    throw Error("expected " + std::to_string(b.inputs.size()) + " input" +
                (b.inputs.size() == 1 ? "" : "s") + " (" + names + "), got " +
                std::to_string(inputs.size()));
  }
  struct Binding { int64_t size; size_t input; size_t dim; };
  std::map<std::string, Binding> bound;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo &info = b.inputs[i];
    const Tensor &t = inputs[i];
    std::string label = "input '" + info.name + "'";
    if (t.data() == nullptr && t.numel() != 0)
      throw Error(label + " has no data");
    if (t.dtype() != info.dtype)
      throw Error(label + " must be " + dtypeName(info.dtype) + ", got " + dtypeName(t.dtype()));
    if (t.shape().size() != info.shape.size())
      throw Error(label + " must have rank " + std::to_string(info.shape.size()) + " (shape " +
                  symbolicText(info) + "), got rank " + std::to_string(t.shape().size()) +
                  " (shape " + shapeText(t.shape()) + ")");
    for (size_t d = 0; d < info.shape.size(); ++d) {
      int64_t size = t.shape()[d];
      if (size < 0)
        throw Error(label + " dim " + std::to_string(d) + " has negative size " + std::to_string(size));
      if (info.shape[d] >= 0 && size != info.shape[d])
        throw Error(label + " dim " + std::to_string(d) + " must be " +
                    std::to_string(info.shape[d]) + ", got " + std::to_string(size) +
                    " (shape " + shapeText(t.shape()) + ", expected " +
                    symbolicText(info) + ")");
      const std::string &sym = info.dims[d];
      if (info.shape[d] >= 0 || sym.empty()) continue;
      auto [it, fresh] = bound.emplace(sym, Binding{size, i, d});
      if (!fresh && it->second.size != size)
        throw Error(label + " dim " + std::to_string(d) + " (symbol '" + sym + "') is " +
                    std::to_string(size) + ", but input '" + b.inputs[it->second.input].name +
                    "' dim " + std::to_string(it->second.dim) + " bound '" + sym + "' to " +
                    std::to_string(it->second.size));
    }
  }
}

void SessionImpl::checkShapes(const StepDesc &st, const ShapeContext &ctx) const {
  if (ctx.outputShapes.size() != st.outputs.size())
    throw Error(stepLabel(st) + ": the shape function computed " +
                std::to_string(ctx.outputShapes.size()) + " output shapes for " +
                std::to_string(st.outputs.size()) + " outputs");
  for (size_t k = 0; k < st.outputs.size(); ++k) {
    const Shape &got = ctx.outputShapes[k];
    const Shape &declared = b.value(st.outputs[k]).shape;
    bool ok = got.size() == declared.size();
    for (size_t d = 0; ok && d < got.size(); ++d)
      ok = got[d] >= 0 && (declared[d] < 0 || declared[d] == got[d]);
    if (!ok)
      throw Error(stepLabel(st) + ": output " + std::to_string(k) + " (value " +
                  std::to_string(st.outputs[k]) + ") has shape " + shapeText(got) +
                  " at run time, which does not match its declared shape " +
                  shapeText(declared));
  }
  if (isViewKind(st.kind)) {
    const Shape &in = ctx.inputs[0].shape;
    if (numElements(in) != numElements(ctx.outputShapes[0]))
      throw Error(stepLabel(st) + ": a view of " + shapeText(in) + " cannot have shape " +
                  shapeText(ctx.outputShapes[0]) + " (element counts differ)");
  }
}

// DS_EMULATE_STRICT=1: on emulate, a step without a generated kernel is an error instead
// of a cpu fallback (tests use it to prove a bundle runs on generated kernels only).
static bool emulateStrict() {
  const char *env = std::getenv("DS_EMULATE_STRICT");
  return env && std::string(env) == "1";
}

void SessionImpl::runKernel(const StepDesc &st, std::vector<TensorView> ins,
                            std::vector<TensorView> outs) {
  KernelContext ctx{st, std::move(ins), std::move(outs), pool};
  bool generated = emulated && emulated->covers(st.index);
  if (emulated) ++(generated ? stats.emulatedSteps : stats.cpuFallbackSteps);
  if (emulated && !generated && emulateStrict())
    throw Error(stepLabel(st) + ": the bundle has no generated kernel for this step, and "
                "DS_EMULATE_STRICT=1 forbids running it on the cpu kernels");
  auto execute = [&] {
    if (generated) emulated->run(st, ctx.inputs, ctx.outputs, pool);
    else defs[st.index].run(ctx);
  };
  if (!options.profile) {
    execute();
    return;
  }
  auto start = std::chrono::steady_clock::now();
  execute();
  auto end = std::chrono::steady_clock::now();
  StepProfile &p = profile[st.index];
  p.totalMs += std::chrono::duration<double, std::milli>(end - start).count();
  p.calls += 1;
  p.shapes.clear();
  p.bytes = 0;
  for (const auto *views : {&ctx.inputs, &ctx.outputs})
    for (const TensorView &v : *views) {
      p.shapes.push_back(v.present ? v.shape : Shape());
      if (v.present) p.bytes += numElements(v.shape) * static_cast<int64_t>(dtypeSize(v.dtype));
    }
}

std::optional<Plan> SessionImpl::buildPlan(const std::vector<Shape> &inputShapes) {
  const size_t nvalues = b.values.size();
  const int nsteps = static_cast<int>(b.steps.size());
  Plan plan;
  plan.shapes.resize(nvalues);
  plan.constants.resize(nvalues);
  plan.known.assign(nvalues, false);
  plan.skip.assign(b.steps.size(), false);
  std::vector<const void *> knownData(nvalues, nullptr);
  for (const auto &v : b.values) {
    if (v.def == ValueDef::Input) plan.shapes[v.id] = inputShapes[v.inputIndex];
    if (v.def == ValueDef::Weight) {
      plan.shapes[v.id] = v.shape;
      plan.known[v.id] = true;
      knownData[v.id] = v.weightData;
    }
  }

  for (const auto &st : b.steps) {
    const KernelDef &def = defs[st.index];
    ShapeContext ctx{st, {}, {}, {}, {}};
    bool allKnown = true;
    for (int in : st.inputs) {
      TensorView tv;
      if (in >= 0) {
        tv = view(in, plan.shapes[in], const_cast<void *>(knownData[in]));
        if (!plan.known[in]) {
          tv.data = nullptr;
          allKnown = false;
        }
      }
      ctx.inputs.push_back(std::move(tv));
    }
    for (int out : st.outputs) {
      ctx.outputTypes.push_back(b.value(out).dtype);
      ctx.declaredShapes.push_back(b.value(out).shape);
    }
    try {
      def.shape(ctx);
    } catch (const NeedsValue &) {
      return std::nullopt;
    }
    checkShapes(st, ctx);
    bool small = true;
    for (size_t k = 0; k < st.outputs.size(); ++k) {
      plan.shapes[st.outputs[k]] = ctx.outputShapes[k];
      small = small && numElements(ctx.outputShapes[k]) <= kPlanTimeMaxElements;
    }
    bool view = isViewKind(st.kind);
    if (!small || !(allKnown || (!def.readsInputData && !view))) continue;
    // Host evaluation at plan time; the result is part of the plan.
    std::vector<TensorView> outs;
    for (size_t k = 0; k < st.outputs.size(); ++k) {
      int out = st.outputs[k];
      Tensor t = Tensor::empty(b.value(out).dtype, ctx.outputShapes[k]);
      if (view) std::memcpy(t.data(), ctx.inputs[0].data, t.bytes());
      outs.push_back(this->view(out, t.shape(), t.data()));
      plan.constants[out] = t;
      plan.known[out] = true;
      knownData[out] = t.data();
    }
    if (!view) {
      // Not profiled: plan-time work is not part of any run.
      KernelContext kctx{st, ctx.inputs, outs, pool};
      def.run(kctx);
    }
    plan.skip[st.index] = true;
  }

  // Memory: step results that are not graph outputs or plan-time constants.
  std::vector<PlanValue> pv(nvalues);
  for (const auto &v : b.values) {
    PlanValue &p = pv[v.id];
    p.bytes = static_cast<size_t>(numElements(plan.shapes[v.id])) * dtypeSize(v.dtype);
    p.first = v.def == ValueDef::Step ? v.step : -1;
    p.last = v.isOutput ? nsteps : std::max(v.lastUse, p.first);
    p.inArena = v.def == ValueDef::Step && !v.isOutput && !plan.known[v.id];
    if (v.def == ValueDef::Step && !plan.known[v.id]) {
      if (isViewKind(b.steps[v.step].kind)) p.aliasOf = b.steps[v.step].inputs[0];
      else p.inplaceOf = v.inplaceOf;
    }
  }
  // The compiler's plan, when the bundle is static and it covers every arena buffer.
  bool useStatic = b.staticPlan;
  if (useStatic) {
    for (const auto &v : b.values) {
      const PlanValue &p = pv[v.id];
      if (!p.inArena || p.aliasOf >= 0 || p.bytes == 0) continue;
      if (v.offset < 0) { useStatic = false; break; }
      if (v.offset % static_cast<int64_t>(kAlignment) != 0 ||
          static_cast<uint64_t>(v.offset) + p.bytes > static_cast<uint64_t>(b.staticArenaBytes))
        throw Error(b.path + "/steps.json: value " + std::to_string(v.id) + " at arena offset " +
                    std::to_string(v.offset) + " (" + std::to_string(p.bytes) +
                    " bytes) does not fit the 64-byte-aligned arena of " +
                    std::to_string(b.staticArenaBytes) + " bytes");
    }
  }
  ArenaPlan arena = planArena(pv, kAlignment);
  if (useStatic) {
    plan.offsets.assign(nvalues, -1);
    for (const auto &v : b.values)
      if (pv[v.id].inArena && pv[v.id].aliasOf < 0) plan.offsets[v.id] = std::max<int64_t>(v.offset, 0);
    // Views follow their source.
    for (const auto &v : b.values)
      if (pv[v.id].aliasOf >= 0) plan.offsets[v.id] = plan.offsets[pv[v.id].aliasOf];
    plan.arenaBytes = static_cast<size_t>(b.staticArenaBytes);
  } else {
    plan.offsets = std::move(arena.offsets);
    plan.arenaBytes = arena.arenaBytes;
  }
  return plan;
}

std::vector<Tensor> SessionImpl::collectOutputs(const std::vector<TensorView> &views,
                                                std::vector<Tensor> &owned) {
  // owned[id] is a per-call tensor that may be handed out once; anything else is copied.
  std::vector<Tensor> result;
  for (int id : b.outputIds) {
    if (owned[id].valid()) {
      result.push_back(owned[id]);
      owned[id] = Tensor();
      continue;
    }
    const TensorView &src = views[id];
    Tensor t = Tensor::empty(src.dtype, src.shape);
    if (t.bytes()) std::memcpy(t.data(), src.data, t.bytes());
    result.push_back(std::move(t));
  }
  return result;
}

std::vector<Tensor> SessionImpl::runPlanned(const Plan &plan, const std::vector<Tensor> &inputs) {
  const size_t nvalues = b.values.size();
  if (deviceRunner) {
    PlanKey key;
    for (const auto &t : inputs) key.push_back(t.shape());
    lastArenaBytes = plan.arenaBytes;
    std::vector<Tensor> outputs = deviceRunner->run(
        key, {plan.shapes, plan.known, plan.constants, plan.skip, plan.offsets, plan.arenaBytes},
        inputs, options.profile ? &profile : nullptr);
    if (options.profile)
      for (const auto &st : b.steps) {
        if (plan.skip[st.index] || isViewKind(st.kind)) continue;
        StepProfile &p = profile[st.index];
        p.shapes.clear();
        p.bytes = 0;
        for (const auto *ids : {&st.inputs, &st.outputs})
          for (int id : *ids) {
            p.shapes.push_back(id >= 0 ? plan.shapes[id] : Shape());
            if (id >= 0)
              p.bytes += numElements(plan.shapes[id]) * static_cast<int64_t>(dtypeSize(b.value(id).dtype));
          }
      }
    return outputs;
  }
  arena_.reserve(std::max<size_t>(plan.arenaBytes, 1));
  char *arenaBase = static_cast<char *>(arena_.data);
  std::vector<TensorView> views(nvalues);
  std::vector<Tensor> owned(nvalues);
  // Values are assigned in step order so a view finds its source's address.
  for (const auto &v : b.values) {
    if (v.def == ValueDef::Input)
      views[v.id] = view(v.id, plan.shapes[v.id], const_cast<void *>(inputs[v.inputIndex].data()));
    else if (v.def == ValueDef::Weight)
      views[v.id] = view(v.id, plan.shapes[v.id], const_cast<void *>(v.weightData));
  }
  for (const auto &st : b.steps) {
    bool isView = isViewKind(st.kind);
    for (int out : st.outputs) {
      const Shape &shape = plan.shapes[out];
      if (plan.known[out]) {
        views[out] = view(out, shape, const_cast<Tensor &>(plan.constants[out]).data());
      } else if (isView) {
        views[out] = view(out, shape, views[st.inputs[0]].data);
      } else if (b.value(out).isOutput) {
        owned[out] = Tensor::empty(b.value(out).dtype, shape);
        views[out] = view(out, shape, owned[out].data());
      } else {
        views[out] = view(out, shape, arenaBase + plan.offsets[out]);
      }
    }
  }
  for (const auto &st : b.steps) {
    if (plan.skip[st.index] || isViewKind(st.kind)) continue;
    std::vector<TensorView> ins, outs;
    for (int in : st.inputs) ins.push_back(in >= 0 ? views[in] : TensorView());
    for (int out : st.outputs) outs.push_back(views[out]);
    runKernel(st, std::move(ins), std::move(outs));
  }
  lastArenaBytes = plan.arenaBytes;
  return collectOutputs(views, owned);
}

std::vector<Tensor> SessionImpl::runEager(const std::vector<Tensor> &inputs) {
  const size_t nvalues = b.values.size();
  if (deviceRunner)
    throw Error(b.path + ": the " + device + " backend runs planned calls only, and the "
                "shapes of this call depend on tensor data computed at run time (use "
                "--device=cpu for this model)");
  std::vector<TensorView> views(nvalues);
  std::vector<Tensor> owned(nvalues), storage(nvalues);
  for (const auto &v : b.values) {
    if (v.def == ValueDef::Input)
      views[v.id] = view(v.id, inputs[v.inputIndex].shape(),
                         const_cast<void *>(inputs[v.inputIndex].data()));
    else if (v.def == ValueDef::Weight)
      views[v.id] = view(v.id, v.shape, const_cast<void *>(v.weightData));
  }
  for (const auto &st : b.steps) {
    ShapeContext ctx{st, {}, {}, {}, {}};
    for (int in : st.inputs) ctx.inputs.push_back(in >= 0 ? views[in] : TensorView());
    for (int out : st.outputs) {
      ctx.outputTypes.push_back(b.value(out).dtype);
      ctx.declaredShapes.push_back(b.value(out).shape);
    }
    try {
      defs[st.index].shape(ctx);
    } catch (const NeedsValue &nv) {
      throw Error(stepLabel(st) + ": the shape function needs the value of operand " +
                  std::to_string(nv.input) + ", which is absent");
    }
    checkShapes(st, ctx);
    std::vector<TensorView> outs;
    for (size_t k = 0; k < st.outputs.size(); ++k) {
      int out = st.outputs[k];
      if (isViewKind(st.kind)) {
        views[out] = view(out, ctx.outputShapes[k], ctx.inputs[0].data);
      } else {
        storage[out] = Tensor::empty(b.value(out).dtype, ctx.outputShapes[k]);
        views[out] = view(out, ctx.outputShapes[k], storage[out].data());
        if (b.value(out).isOutput) owned[out] = storage[out];
      }
      outs.push_back(views[out]);
    }
    if (!isViewKind(st.kind)) runKernel(st, ctx.inputs, std::move(outs));
  }
  lastArenaBytes = 0;
  return collectOutputs(views, owned);
}

std::vector<Tensor> SessionImpl::run(const std::vector<Tensor> &inputs) {
  std::lock_guard<std::mutex> lock(runMutex);
  validateInputs(inputs);
  ++stats.runs;
  PlanKey key;
  for (const auto &t : inputs) key.push_back(t.shape());
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->first != key) continue;
    cache_.splice(cache_.begin(), cache_, it);  // most recently used first
    ++stats.planCacheHits;
    return runPlanned(*cache_.front().second, inputs);
  }
  std::optional<Plan> plan = buildPlan(key);
  if (!plan) {
    ++stats.eagerRuns;
    return runEager(inputs);
  }
  ++stats.plansBuilt;
  cache_.emplace_front(key, std::make_shared<const Plan>(std::move(*plan)));
  if (cache_.size() > kPlanCacheSize) cache_.pop_back();
  return runPlanned(*cache_.front().second, inputs);
}

// ---- Session -------------------------------------------------------------------------

Session::Session(std::shared_ptr<const Bundle> bundle, SessionOptions options) {
  if (!bundle) throw Error("Session: no bundle");
  impl_ = std::make_unique<SessionImpl>(std::move(bundle), std::move(options));
}
Session::~Session() = default;
const std::string &Session::device() const { return impl_->device; }
const Bundle &Session::bundle() const { return *impl_->bundleRef; }
std::vector<Tensor> Session::run(const std::vector<Tensor> &inputs) { return impl_->run(inputs); }
const std::vector<StepProfile> &Session::profile() const { return impl_->profile; }
void Session::resetProfile() {
  for (auto &p : impl_->profile) {
    p.totalMs = 0;
    p.calls = 0;
  }
}
size_t Session::lastArenaBytes() const { return impl_->lastArenaBytes; }
SessionStats Session::stats() const { return impl_->stats; }

}  // namespace ds::rt
