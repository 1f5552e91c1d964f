// ds runtime: the public C++ API. MLIR-free: this tree never includes MLIR or LLVM.
//
//   auto bundle = ds::rt::Bundle::load("model.dsb");
//   ds::rt::Session session(bundle, {.device = "cpu"});
//   std::vector<ds::rt::Tensor> outputs = session.run(inputs);   // manifest order
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ds::rt {

// Element types, spelled as in MLIR ("f32", "bf16", "i1", "ui8", ...) in bundles and tools.
enum class DType : uint8_t {
  F32, F16, BF16, F64, F8E4M3FN, F8E5M2,
  I1, I8, I16, I32, I64, U8, U16, U32, U64,
};
const char *dtypeName(DType type);
std::optional<DType> parseDType(std::string_view name);
size_t dtypeSize(DType type);  // bytes per element; i1 is stored as one byte
bool isFloat(DType type);
bool isSigned(DType type);     // signed integers (not i1, not floats)

using Shape = std::vector<int64_t>;
int64_t numElements(const Shape &shape);
std::string shapeToString(const Shape &shape);  // "2x?x3" (-1 prints as ?)

// Every runtime failure: bad bundle, bad input, kernel error. Messages are complete
// sentences naming the file / input / step involved.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct TensorInfo {
  std::string name;
  DType dtype;
  Shape shape;                    // -1 for a dynamic dim
  std::vector<std::string> dims;  // symbolic name per dim ("" when static or unnamed)
};

// A host tensor: owns its storage or borrows caller memory. Cheap to copy (shared).
class Tensor {
public:
  Tensor() = default;
  static Tensor empty(DType dtype, Shape shape);                 // 64-byte aligned, zeroed
  static Tensor borrow(DType dtype, Shape shape, void *data);    // caller keeps it alive
  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  int64_t numel() const { return numElements(shape_); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtypeSize(dtype_); }
  void *data() { return data_; }
  const void *data() const { return data_; }
  template <class T> T *as() { return static_cast<T *>(data_); }
  template <class T> const T *as() const { return static_cast<const T *>(data_); }
  bool valid() const { return data_ != nullptr || (!shape_.empty() && numel() == 0); }

private:
  DType dtype_ = DType::F32;
  Shape shape_;
  void *data_ = nullptr;
  std::shared_ptr<void> storage_;
};

class BundleImpl;
// A loaded bundle (manifest, steps, memory-mapped weights). Immutable; shared by sessions.
class Bundle {
public:
  static std::shared_ptr<const Bundle> load(const std::string &path);  // throws Error
  ~Bundle();
  const std::string &path() const;
  int formatVersion() const;
  const std::string &dsVersion() const;
  const std::vector<TensorInfo> &inputs() const;
  const std::vector<TensorInfo> &outputs() const;
  // Human-readable summary for `ds-run --info`: inputs, outputs, steps by kind,
  // weights (count, bytes), memory plan (static arena bytes or "per shape").
  std::string describe() const;
  const BundleImpl &impl() const { return *impl_; }

private:
  Bundle();
  std::unique_ptr<BundleImpl> impl_;
};

struct SessionOptions {
  std::string device = "cpu";  // "cpu", "emulate" or "auto" (a later issue adds "cuda")
  int threads = 0;             // 0: hardware concurrency
  bool profile = false;        // collect per-step times
};

// Counters for tests and tools: how calls were served.
struct SessionStats {
  int64_t runs = 0;
  int64_t plansBuilt = 0;     // shape + memory plans computed (plan cache misses)
  int64_t planCacheHits = 0;  // calls served by a cached plan
  int64_t eagerRuns = 0;      // calls run eagerly (shapes needing run-time data)
  // device "emulate": steps run as generated kernels through the emulator, and steps
  // without a generated kernel that ran on the cpu kernels instead (summed over calls).
  int64_t emulatedSteps = 0;
  int64_t cpuFallbackSteps = 0;
};

struct StepProfile {
  int step;
  std::string kind;
  std::string name;  // ONNX node name (from the op location)
  double totalMs;
  int64_t calls;
  // The last profiled call's operands: concrete shapes of the inputs then the outputs
  // (an absent optional operand has an empty shape) and the bytes they hold (read +
  // written), so tools can turn times into bandwidth and FLOP rates.
  std::vector<Shape> shapes = {};
  int64_t bytes = 0;
};

// Devices this build and machine can run on, e.g. {"cpu"}.
std::vector<std::string> availableDevices();
// "auto" -> the best available device; an unknown or unavailable name -> Error.
std::string resolveDevice(const std::string &requested);

class SessionImpl;
class Session {
public:
  Session(std::shared_ptr<const Bundle> bundle, SessionOptions options = {});
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  const std::string &device() const;
  const Bundle &bundle() const;
  // Inputs in manifest order. One call at a time per session (calls are serialized).
  // Validates dtypes, ranks, static dims and that each symbolic
  // dim is bound consistently; throws Error naming the input and dim otherwise.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs);
  // One entry per step (calls == 0 for steps never run, e.g. evaluated at plan time);
  // accumulated over calls when options.profile.
  const std::vector<StepProfile> &profile() const;
  void resetProfile();
  // Arena bytes of the plan used by the last run (the plan is cached per input shapes);
  // 0 after an eager call (outputs of eager steps are allocated one by one).
  size_t lastArenaBytes() const;
  SessionStats stats() const;

private:
  std::unique_ptr<SessionImpl> impl_;
};

}  // namespace ds::rt
