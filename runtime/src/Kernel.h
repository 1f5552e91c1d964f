// Internal interface between the runtime core and the kernels of a backend.
// One KernelDef per step kind: a shape function (run at plan time, per concrete input
// shapes) and a kernel. See docs/bundle.md for the step vocabulary.
#pragma once

#include "ds/runtime/Runtime.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ds::rt {

class ThreadPool;

// One step of steps.json. `inputs`/`outputs` are value ids; -1 marks an absent optional
// operand. `attrs` holds every attribute of the ds op (defaults included).
struct StepDesc {
  int index = 0;
  std::string kind;  // ds op name without "ds.", or "elementwise" for fused kernels
  std::string name;  // ONNX node name for messages and profiles
  nlohmann::json attrs = nlohmann::json::object();
  std::vector<int> inputs;
  std::vector<int> outputs;
};

// Typed attribute access; a missing required attribute or wrong JSON type throws Error
// naming the step.
int64_t attrInt(const StepDesc &step, const char *name);
int64_t attrInt(const StepDesc &step, const char *name, int64_t fallback);
double attrFloat(const StepDesc &step, const char *name);  // accepts "nan", "inf", "-inf"
double attrFloat(const StepDesc &step, const char *name, double fallback);
bool attrBool(const StepDesc &step, const char *name, bool fallback = false);
std::string attrString(const StepDesc &step, const char *name);
std::string attrString(const StepDesc &step, const char *name, const std::string &fallback);
std::vector<int64_t> attrInts(const StepDesc &step, const char *name);
std::vector<int64_t> attrInts(const StepDesc &step, const char *name,
                              const std::vector<int64_t> &fallback);
bool hasAttr(const StepDesc &step, const char *name);

// A tensor as a kernel sees it: dense, row-major, no strides.
struct TensorView {
  DType dtype = DType::F32;
  Shape shape;
  void *data = nullptr;
  bool present = false;  // false for an absent optional operand
  int64_t numel() const { return numElements(shape); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtypeSize(dtype); }
  template <class T> T *as() const { return static_cast<T *>(data); }
};

// Thrown by ShapeContext::value when a shape depends on data not known at plan time; the
// session then runs the whole call eagerly (shapes computed step by step).
struct NeedsValue {
  int input;
};

struct ShapeContext {
  const StepDesc &step;
  std::vector<TensorView> inputs;  // dtype/shape always set; data set only when the value
                                   // is known at plan time (weights, host-evaluated steps)
  std::vector<DType> outputTypes;      // from the bundle
  std::vector<Shape> declaredShapes;   // from the bundle, -1 for dynamic dims
  std::vector<Shape> outputShapes;     // the shape function fills one per output

  // The value of input i (an integer shape operand, a `k`, ...). Throws NeedsValue when
  // it is not known at plan time.
  const TensorView &value(int i) const;
  // Reads a 0-d or 1-d integer/float input as int64 values.
  std::vector<int64_t> intValues(int i) const;
  [[noreturn]] void fail(const std::string &message) const;  // Error naming the step
};

struct KernelContext {
  const StepDesc &step;
  std::vector<TensorView> inputs;
  std::vector<TensorView> outputs;  // allocated with the shapes from the shape function
  ThreadPool &pool;
  [[noreturn]] void fail(const std::string &message) const;
};

struct KernelDef {
  void (*shape)(ShapeContext &) = nullptr;
  void (*run)(KernelContext &) = nullptr;
  // false when the kernel only reads input shapes (shape_of): such a step can run at
  // plan time even though its inputs' data is unknown.
  bool readsInputData = true;
};

class KernelRegistry {
public:
  void add(const std::string &kind, KernelDef def);
  const KernelDef *find(const std::string &kind) const;
  std::vector<std::string> kinds() const;

private:
  std::map<std::string, KernelDef> defs_;
};

// Static thread pool. parallelFor splits [0, n) into chunks of at least `grain` items and
// blocks until all ran; nested calls run inline.
class ThreadPool {
public:
  explicit ThreadPool(int threads);  // 0: hardware concurrency
  ~ThreadPool();
  int size() const;
  void parallelFor(int64_t n, int64_t grain,
                   const std::function<void(int64_t begin, int64_t end)> &body);

private:
  struct State;
  std::unique_ptr<State> state_;
};

// Kernel families of the cpu backend (runtime/src/cpu/*.cpp).
void registerCpuElementwiseKernels(KernelRegistry &registry);  // elementwise, unary, binary,
                                                               // compare, select, cast
void registerCpuReductionKernels(KernelRegistry &registry);    // reduce, arg_reduce, softmax,
                                                               // log_softmax, hardmax, norms,
                                                               // cumsum, topk
void registerCpuShapeKernels(KernelRegistry &registry);        // data movement and shape ops
void registerCpuMathKernels(KernelRegistry &registry);         // matmul, linear, attention,
                                                               // rope, moe, quantization
inline void registerCpuKernels(KernelRegistry &registry) {
  registerCpuElementwiseKernels(registry);
  registerCpuReductionKernels(registry);
  registerCpuShapeKernels(registry);
  registerCpuMathKernels(registry);
}

// Element conversion helpers shared by kernels (f16/bf16/f8 <-> f32, generic load/store).
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToBf16(float value);  // round to nearest even
float f8e4m3fnToFloat(uint8_t bits);
uint8_t floatToF8e4m3fn(float value, bool saturate);
float f8e5m2ToFloat(uint8_t bits);
uint8_t floatToF8e5m2(float value, bool saturate);
// Element i of any dtype as double / int64, and stores from double / int64.
double loadAsDouble(const TensorView &t, int64_t i);
int64_t loadAsInt(const TensorView &t, int64_t i);
void storeFromDouble(const TensorView &t, int64_t i, double v);
void storeFromInt(const TensorView &t, int64_t i, int64_t v);

}  // namespace ds::rt
