// Step attributes, the kernel registry, shape-function helpers and the thread pool.
#include "Kernel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

namespace ds::rt {

namespace {
[[noreturn]] void attrError(const StepDesc &step, const char *name, const char *what) {
  throw Error("step " + std::to_string(step.index) + " (" + step.kind + " '" + step.name +
              "'): attribute '" + name + "' " + what);
}
const nlohmann::json *findAttr(const StepDesc &step, const char *name) {
  auto it = step.attrs.find(name);
  return it == step.attrs.end() ? nullptr : &*it;
}
}  // namespace

bool hasAttr(const StepDesc &step, const char *name) { return findAttr(step, name) != nullptr; }

int64_t attrInt(const StepDesc &step, const char *name) {
  const auto *a = findAttr(step, name);
  if (!a) attrError(step, name, "is missing");
  if (a->is_boolean()) return a->get<bool>() ? 1 : 0;
  if (!a->is_number_integer()) attrError(step, name, "is not an integer");
  return a->get<int64_t>();
}
int64_t attrInt(const StepDesc &step, const char *name, int64_t fallback) {
  return hasAttr(step, name) ? attrInt(step, name) : fallback;
}

double attrFloat(const StepDesc &step, const char *name) {
  const auto *a = findAttr(step, name);
  if (!a) attrError(step, name, "is missing");
  if (a->is_number()) return a->get<double>();
  if (a->is_string()) {
    const auto &s = a->get_ref<const std::string &>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  attrError(step, name, "is not a number");
}
double attrFloat(const StepDesc &step, const char *name, double fallback) {
  return hasAttr(step, name) ? attrFloat(step, name) : fallback;
}

bool attrBool(const StepDesc &step, const char *name, bool fallback) {
  const auto *a = findAttr(step, name);
  if (!a) return fallback;
  if (a->is_boolean()) return a->get<bool>();
  if (a->is_number_integer()) return a->get<int64_t>() != 0;
  attrError(step, name, "is not a boolean");
}

std::string attrString(const StepDesc &step, const char *name) {
  const auto *a = findAttr(step, name);
  if (!a) attrError(step, name, "is missing");
  if (!a->is_string()) attrError(step, name, "is not a string");
  return a->get<std::string>();
}
std::string attrString(const StepDesc &step, const char *name, const std::string &fallback) {
  return hasAttr(step, name) ? attrString(step, name) : fallback;
}

std::vector<int64_t> attrInts(const StepDesc &step, const char *name) {
  const auto *a = findAttr(step, name);
  if (!a) attrError(step, name, "is missing");
  if (!a->is_array()) attrError(step, name, "is not a list");
  std::vector<int64_t> out;
  for (const auto &e : *a) {
    if (!e.is_number_integer()) attrError(step, name, "is not a list of integers");
    out.push_back(e.get<int64_t>());
  }
  return out;
}
std::vector<int64_t> attrInts(const StepDesc &step, const char *name,
                              const std::vector<int64_t> &fallback) {
  return hasAttr(step, name) ? attrInts(step, name) : fallback;
}

// ---- shape and kernel contexts ---------------------------------------------------------

static std::string stepLabel(const StepDesc &step) {
  return "step " + std::to_string(step.index) + " (" + step.kind +
         (step.name.empty() ? "" : " '" + step.name + "'") + ")";
}

const TensorView &ShapeContext::value(int i) const {
  if (i < 0 || i >= static_cast<int>(inputs.size()) || !inputs[i].present)
    fail("operand " + std::to_string(i) + " is absent but its value is needed");
  if (!inputs[i].data && inputs[i].numel() != 0) throw NeedsValue{i};
  return inputs[i];
}

std::vector<int64_t> ShapeContext::intValues(int i) const {
  const TensorView &t = value(i);
  if (t.shape.size() > 1)
    fail("operand " + std::to_string(i) + " must be 0-d or 1-d, got shape " +
         shapeToString(t.shape));
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  for (int64_t k = 0; k < t.numel(); ++k) out[k] = loadAsInt(t, k);
  return out;
}

void ShapeContext::fail(const std::string &message) const {
  throw Error(stepLabel(step) + ": " + message);
}

void KernelContext::fail(const std::string &message) const {
  throw Error(stepLabel(step) + ": " + message);
}

void KernelRegistry::add(const std::string &kind, KernelDef def) { defs_[kind] = def; }

const KernelDef *KernelRegistry::find(const std::string &kind) const {
  auto it = defs_.find(kind);
  return it == defs_.end() ? nullptr : &it->second;
}

std::vector<std::string> KernelRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto &[k, _] : defs_) out.push_back(k);
  return out;
}

// ---- thread pool ---------------------------------------------------------------------

namespace {
thread_local bool tInsidePool = false;
}

struct ThreadPool::State {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  const std::function<void(int64_t, int64_t)> *body = nullptr;
  int64_t n = 0, chunk = 0, chunks = 0;
  std::atomic<int64_t> next{0};
  int active = 0;
  uint64_t generation = 0;
  bool stop = false;
  std::mutex callMutex;  // one parallelFor at a time per pool

  void work() {
    for (;;) {
      int64_t c = next.fetch_add(1);
      if (c >= chunks) break;
      int64_t b = c * chunk, e = std::min(n, b + chunk);
      (*body)(b, e);
    }
  }
};

ThreadPool::ThreadPool(int threads) : state_(std::make_unique<State>()) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  State *s = state_.get();
  for (int t = 1; t < threads; ++t) {
    s->workers.emplace_back([s] {
      tInsidePool = true;
      uint64_t seen = 0;
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(s->mutex);
          s->wake.wait(lock, [&] { return s->stop || s->generation != seen; });
          if (s->stop) return;
          seen = s->generation;
          ++s->active;
        }
        s->work();
        {
          std::lock_guard<std::mutex> lock(s->mutex);
          if (--s->active == 0) s->done.notify_all();
        }
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  for (auto &w : state_->workers) w.join();
}

int ThreadPool::size() const { return static_cast<int>(state_->workers.size()) + 1; }

void ThreadPool::parallelFor(int64_t n, int64_t grain,
                             const std::function<void(int64_t, int64_t)> &body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  int threads = size();
  if (tInsidePool || threads == 1 || n <= grain) {
    body(0, n);
    return;
  }
  State *s = state_.get();
  std::lock_guard<std::mutex> call(s->callMutex);
  int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, int64_t(threads) * 4);
  {
    // A worker that woke late for the previous call must leave before the state changes.
    std::unique_lock<std::mutex> lock(s->mutex);
    s->done.wait(lock, [&] { return s->active == 0; });
    s->body = &body;
    s->n = n;
    s->chunk = (n + chunks - 1) / chunks;
    s->chunks = (n + s->chunk - 1) / s->chunk;
    s->next = 0;
    ++s->generation;
  }
  s->wake.notify_all();
  tInsidePool = true;
  s->work();
  tInsidePool = false;
  std::unique_lock<std::mutex> lock(s->mutex);
  s->done.wait(lock, [&] { return s->active == 0 && s->next >= s->chunks; });
}

}  // namespace ds::rt
