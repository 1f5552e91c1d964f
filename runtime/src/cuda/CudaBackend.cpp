//===- CudaBackend.cpp - the cuda device --------------------------------===//
//
// Runs planned calls on an NVIDIA GPU through the driver API (CudaDriver.h). The session
// builds plans on the host as for the cpu (shape functions, plan-time constants, the
// memory plan); this runner owns the device side: weights uploaded once per session, one
// device block per plan (the planner's arena plus input, output and plan-time constant
// slots), the steps' generated kernels (cubin for the device's arch > PTX > NVRTC from the
// bundle's source), launches per the kernel ABI on one stream, and a CUDA graph per plan
// captured on the second call and replayed afterwards; when the session profiles, every
// launch is timed with a pair of CUDA events instead. docs/cuda.md, "cuda backend".
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "BundleImpl.h"
#include "KernelEntry.h"
#include "EmbeddedKernelHeaders.h"
#include "cuda/CudaDriver.h"
#include "cuda/KernelCache.h"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <list>
#include <map>
#include <set>

namespace ds::rt {

bool cudaAvailable(std::string *why) { return cuda::Driver::deviceAvailable(why); }

namespace cuda {
namespace {

// ds::KernelParams of runtime/kernels/ds_device.cuh, byte for byte (passed by value).
constexpr int kMaxOperands = kKernelMaxOperands;
constexpr int kMaxDims = kKernelMaxDims;
constexpr int kMaxScalars = kKernelMaxScalars;
struct KernelParams {
  void *ptr[kMaxOperands];
  int64_t dims[kMaxDims];
  int64_t scalars[kMaxScalars];
};
static_assert(sizeof(KernelParams) == 8 * (kMaxOperands + kMaxDims + kMaxScalars),
              "KernelParams must match ds_device.cuh");

// Device allocations and slots are aligned for any vector width a kernel may use.
constexpr size_t kDeviceAlignment = 256;
// Per-plan device state kept at once (each holds a device block and maybe a graph).
constexpr size_t kMaxPlanStates = 4;
// Dynamic shared memory above this needs the opt-in attribute.
constexpr int64_t kDefaultSharedLimit = 48 * 1024;

size_t alignDevice(size_t n) { return (n + kDeviceAlignment - 1) / kDeviceAlignment * kDeviceAlignment; }

std::string label(const StepDesc &st) {
  return "step " + std::to_string(st.index) + " (" + st.kind +
         (st.name.empty() ? "" : " '" + st.name + "'") + ")";
}

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool graphsEnabled() {
  const char *env = std::getenv("DS_CUDA_GRAPHS");
  return !(env && std::string(env) == "0");
}

// A step's "kernel" entry in steps.json (docs/cuda.md, "Kernel ABI").
struct KernelSpec : KernelEntry {
  bool dynamic = false;  // some operand has a dynamic dim: JIT per concrete shape
};

std::vector<KernelSpec> readKernelSpecs(const BundleImpl &b) {
  std::string path = b.path + "/steps.json", text;
  if (!readFile(path, text)) throw Error(path + ": cannot read the file for the cuda backend");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const std::exception &e) {
    throw Error(path + ": " + e.what());
  }
  std::vector<KernelSpec> specs(b.steps.size());
  const nlohmann::json &steps = doc.at("steps");
  for (const StepDesc &st : b.steps) {
    const nlohmann::json &j = steps.at(st.index);
    if (!j.contains("kernel")) continue;
    std::string where = path + ": " + label(st) + " field 'kernel'";
    KernelSpec spec;
    static_cast<KernelEntry &>(spec) = parseKernelEntry(
        j["kernel"], static_cast<int>(st.inputs.size() + st.outputs.size()), where);
    auto isDynamic = [&](int id) {
      if (id < 0) return false;
      const Shape &s = b.value(id).shape;
      return std::any_of(s.begin(), s.end(), [](int64_t d) { return d < 0; });
    };
    spec.dynamic = std::any_of(st.inputs.begin(), st.inputs.end(), isDynamic) ||
                   std::any_of(st.outputs.begin(), st.outputs.end(), isDynamic);
    specs[st.index] = std::move(spec);
  }
  return specs;
}

// "'kind' (steps 1, 2), 'other' (step 5)".
std::string kindList(const std::map<std::string, std::vector<int>> &byKind) {
  std::string msg;
  for (const auto &[kind, steps] : byKind) {
    msg += (msg.empty() ? "'" : ", '") + kind + "' (step" + (steps.size() > 1 ? "s " : " ");
    for (size_t i = 0; i < steps.size() && i < 8; ++i) msg += (i ? ", " : "") + std::to_string(steps[i]);
    if (steps.size() > 8) msg += ", ... " + std::to_string(steps.size()) + " in all";
    msg += ")";
  }
  return msg;
}

struct Launch {
  int step = 0;
  CUfunction function = nullptr;
  unsigned grid[3] = {0, 1, 1};
  unsigned block[3] = {1, 1, 1};
  unsigned sharedBytes = 0;
  KernelParams params{};
};

// Device state of one plan (one input-shape binding).
struct PlanState {
  CUdeviceptr block = 0;
  std::vector<CUdeviceptr> ptr;         // per value: its device address, 0 when none
  std::vector<CUdeviceptr> inputSlot;   // per graph input
  std::vector<Launch> launches;
  int64_t runs = 0;
  CUgraphExec graph = nullptr;
  std::vector<CUevent> events;  // profiling: start and end per launch, made at first use
};

class CudaRunner final : public PlanRunner {
public:
  CudaRunner(const BundleImpl &b, const SessionOptions &options,
             const std::vector<KernelDef> &defs);
  ~CudaRunner() override;
  std::vector<Tensor> run(const std::vector<Shape> &key, const PlanView &plan,
                          const std::vector<Tensor> &inputs,
                          std::vector<StepProfile> *profile) override;

private:
  void check(CUresult r, const char *call, const std::string &step) const {
    driver_.check(r, call, step);
  }
  void makeCurrent() const { check(api_.cuCtxSetCurrent(context_), "cuCtxSetCurrent", "selecting the device"); }
  void release();  // frees every device resource; idempotent
  void uploadWeights();
  void precompileSources();
  std::vector<std::string> cubinArchs() const;
  std::map<std::string, std::string> kernelHeaders();
  CompileRequest sourceRequest(const StepDesc &st, const KernelSpec &spec,
                               const std::string &specialization);
  // The kernel of `st`, loading its module on first use; `specialization` is the
  // DS_SPECIALIZED_DIMS value for a dynamic step ("" otherwise).
  CUfunction functionFor(const StepDesc &st, const std::string &specialization);
  bool hasPrebuiltImage(const std::string &name);  // a usable cubin or PTX in the bundle
  CUmodule loadImage(const std::string &image, const std::string &what, const StepDesc &st,
                     bool throwOnError, std::string *error);
  std::unique_ptr<PlanState> buildState(const PlanView &plan);
  void freeState(PlanState &state);
  void launchAll(const PlanState &state);
  void launchTimed(PlanState &state);  // launchAll between event pairs
  void readTimes(const PlanState &state, std::vector<StepProfile> &profile);

  const BundleImpl &b_;
  const std::vector<KernelDef> &defs_;
  const Driver &driver_;
  const DriverApi &api_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  int ccMajor_ = 0, ccMinor_ = 0;
  int sharedOptin_ = 0;
  std::string deviceName_;
  std::vector<KernelSpec> specs_;
  CUdeviceptr weights_ = 0;
  std::vector<CUdeviceptr> weightPtr_;  // per value id (weights only)
  std::map<std::string, CUmodule> modules_;       // by kernel name + specialization
  std::map<std::string, CUfunction> functions_;   // same key
  std::map<std::string, CompileResult> compiled_; // precompiled sources, by kernel name
  std::map<std::string, bool> prebuilt_;          // hasPrebuiltImage, by kernel name
  std::unique_ptr<KernelCache> cache_;
  bool headersRead_ = false;
  std::map<std::string, std::string> headers_;
  bool graphs_ = graphsEnabled();
  bool profile_ = false;  // the session profiles: timed direct launches, no graphs
  std::list<std::pair<std::vector<Shape>, std::unique_ptr<PlanState>>> states_;  // MRU first
};

CudaRunner::CudaRunner(const BundleImpl &b, const SessionOptions &options,
                       const std::vector<KernelDef> &defs)
    : b_(b), defs_(defs), driver_(Driver::get()), api_(driver_.api()), profile_(options.profile) {
  if (driver_.deviceCount() < 1) {
    std::string why;
    Driver::deviceAvailable(&why);
    throw Error("device 'cuda' is not available: " + why);
  }
  int ordinal = 0;
  if (const char *env = std::getenv("DS_CUDA_DEVICE"); env && *env) {
    char *end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (*end || v < 0 || v >= driver_.deviceCount())
      throw Error("DS_CUDA_DEVICE='" + std::string(env) + "' is not a device index in [0, " +
                  std::to_string(driver_.deviceCount()) + ")");
    ordinal = static_cast<int>(v);
  }
  check(api_.cuDeviceGet(&device_, ordinal), "cuDeviceGet", "opening CUDA device " + std::to_string(ordinal));
  char name[256] = {0};
  check(api_.cuDeviceGetName(name, sizeof(name) - 1, device_), "cuDeviceGetName", "opening the device");
  deviceName_ = name;
  check(api_.cuDeviceGetAttribute(&ccMajor_, kAttrComputeCapabilityMajor, device_),
        "cuDeviceGetAttribute", "reading the compute capability");
  check(api_.cuDeviceGetAttribute(&ccMinor_, kAttrComputeCapabilityMinor, device_),
        "cuDeviceGetAttribute", "reading the compute capability");
  check(api_.cuDeviceGetAttribute(&sharedOptin_, kAttrMaxSharedPerBlockOptin, device_),
        "cuDeviceGetAttribute", "reading the shared memory limit");
  check(api_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain",
        "creating the device context");
  try {
    makeCurrent();
    check(api_.cuStreamCreate(&stream_, kStreamNonBlocking), "cuStreamCreate", "creating the stream");
    specs_ = readKernelSpecs(b_);
    // Steps that read run-time data can never be evaluated at plan time: they need a
    // kernel, so a bundle without one fails here rather than at the first call.
    std::vector<bool> runtimeData(b_.values.size(), false);
    for (const auto &v : b_.values) runtimeData[v.id] = v.def == ValueDef::Input;
    std::map<std::string, std::vector<int>> missing;
    for (const StepDesc &st : b_.steps) {
      bool reads = false;
      for (int in : st.inputs) reads = reads || (in >= 0 && runtimeData[in]);
      bool dataDependent = reads && defs_[st.index].readsInputData;
      for (int out : st.outputs) runtimeData[out] = dataDependent;
      if (dataDependent && !isViewKind(st.kind) && !specs_[st.index].present)
        missing[st.kind].push_back(st.index);
    }
    if (!missing.empty())
      throw Error(b_.path + ": the cuda backend cannot run step kind" +
                  (missing.size() > 1 ? "s " : " ") + kindList(missing) +
                  " yet: the bundle has no generated CUDA kernel for them (no \"kernel\" in "
                  "steps.json); run it with --device=cpu or --device=emulate");
    uploadWeights();
    precompileSources();
    // Modules of static kernels load now, so a bad image fails at session creation.
    for (const StepDesc &st : b_.steps)
      if (specs_[st.index].present && !specs_[st.index].dynamic) functionFor(st, "");
  } catch (...) {
    release();
    throw;
  }
}

CudaRunner::~CudaRunner() { release(); }

void CudaRunner::release() {
  if (!context_) return;
  // Errors cannot propagate from here; the driver reclaims everything with the context.
  api_.cuCtxSetCurrent(context_);
  if (stream_) api_.cuStreamSynchronize(stream_);
  for (auto &[key, state] : states_) freeState(*state);
  states_.clear();
  for (auto &[key, module] : modules_) api_.cuModuleUnload(module);
  modules_.clear();
  if (weights_) api_.cuMemFree(weights_);
  weights_ = 0;
  if (stream_) api_.cuStreamDestroy(stream_);
  stream_ = nullptr;
  api_.cuDevicePrimaryCtxRelease(device_);
  context_ = nullptr;
}

void CudaRunner::uploadWeights() {
  weightPtr_.assign(b_.values.size(), 0);
  std::map<std::string, size_t> offsetOf;
  size_t total = 0;
  for (const auto &v : b_.values) {
    if (v.def != ValueDef::Weight || offsetOf.count(v.weight)) continue;
    offsetOf[v.weight] = total;
    total += alignDevice(b_.weights.at(v.weight).length);
  }
  if (total == 0) return;
  check(api_.cuMemAlloc(&weights_, total), "cuMemAlloc_v2",
        "allocating " + std::to_string(total) + " bytes of device memory for the weights");
  for (const auto &[name, offset] : offsetOf) {
    const WeightDesc &w = b_.weights.at(name);
    if (w.length)
      check(api_.cuMemcpyHtoDAsync(weights_ + offset, w.data, w.length, stream_),
            "cuMemcpyHtoDAsync_v2", "uploading weight '" + name + "'");
  }
  for (const auto &v : b_.values)
    if (v.def == ValueDef::Weight) weightPtr_[v.id] = weights_ + offsetOf[v.weight];
  check(api_.cuStreamSynchronize(stream_), "cuStreamSynchronize", "uploading the weights");
}

// Device arch first, then same-major lower-minor plain cubins (binary compatible).
std::vector<std::string> CudaRunner::cubinArchs() const {
  std::string xy = std::to_string(ccMajor_) + std::to_string(ccMinor_);
  std::vector<std::string> archs = {"sm_" + xy + "a", "sm_" + xy + "f", "sm_" + xy};
  for (int minor = ccMinor_ - 1; minor >= 0; --minor)
    archs.push_back("sm_" + std::to_string(ccMajor_) + std::to_string(minor));
  return archs;
}

// The embedded runtime/kernels headers, overridden by those the bundle writer put next to
// the sources (kernels/*.cuh, *.h): the bundle's templates are the ones its sources were
// generated against.
std::map<std::string, std::string> CudaRunner::kernelHeaders() {
  if (headersRead_) return headers_;
  headersRead_ = true;
  size_t count = 0;
  const ds::kernels::EmbeddedHeader *embedded = ds::kernels::embeddedHeaders(&count);
  for (size_t i = 0; i < count; ++i)
    headers_[embedded[i].name] = std::string(embedded[i].text, embedded[i].size);
  std::string dir = b_.path + "/kernels";
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d)) {
      std::string name = e->d_name;
      auto endsWith = [&](const char *suffix) {
        size_t n = std::strlen(suffix);
        return name.size() > n && name.compare(name.size() - n, n, suffix) == 0;
      };
      if (!endsWith(".cuh") && !endsWith(".h")) continue;
      std::string text;
      if (readFile(dir + "/" + name, text)) headers_[name] = text;
    }
    closedir(d);
  }
  return headers_;
}

CompileRequest CudaRunner::sourceRequest(const StepDesc &st, const KernelSpec &spec,
                                         const std::string &specialization) {
  CompileRequest request;
  request.name = spec.name;
  if (!readFile(b_.path + "/" + spec.source, request.source))
    throw Error(b_.path + ": " + label(st) + ": kernel '" + spec.name + "' has no cubin for " +
                "this device (" + deviceName_ + ", sm_" + std::to_string(ccMajor_) +
                std::to_string(ccMinor_) + "), no PTX and its source '" + spec.source +
                "' cannot be read");
  request.headers = kernelHeaders();
  if (!specialization.empty()) request.options.push_back("-DDS_SPECIALIZED_DIMS=" + specialization);
  // A device newer than NVRTC knows: PTX for the newest arch it supports (the driver JITs).
  int xy = ccMajor_ * 10 + ccMinor_;
  request.arch = "sm_" + std::to_string(xy);
  std::vector<int> supported = Nvrtc::get().supportedArchs();
  if (!supported.empty() && std::find(supported.begin(), supported.end(), xy) == supported.end()) {
    int best = 0;
    for (int a : supported)
      if (a <= xy) best = std::max(best, a);
    if (best == 0)
      throw Error(b_.path + ": " + label(st) + ": NVRTC " + Nvrtc::get().version() +
                  " supports no arch up to sm_" + std::to_string(xy) + " (" + deviceName_ + ")");
    request.arch = "compute_" + std::to_string(best);
  }
  return request;
}

void CudaRunner::precompileSources() {
  // Static kernels that only have a source: compiled in parallel through the cache.
  std::vector<CompileRequest> requests;
  std::set<std::string> seen;
  for (const StepDesc &st : b_.steps) {
    const KernelSpec &spec = specs_[st.index];
    if (!spec.present || spec.dynamic || !seen.insert(spec.name).second) continue;
    if (!hasPrebuiltImage(spec.name)) requests.push_back(sourceRequest(st, spec, ""));
  }
  if (requests.empty()) return;
  if (!cache_) cache_ = std::make_unique<KernelCache>();
  std::vector<CompileResult> results = cache_->compileMany(requests);
  for (size_t i = 0; i < requests.size(); ++i) compiled_[requests[i].name] = std::move(results[i]);
}

CUmodule CudaRunner::loadImage(const std::string &image, const std::string &what,
                               const StepDesc &st, bool throwOnError, std::string *error) {
  CUmodule module = nullptr;
  CUresult r = api_.cuModuleLoadData(&module, image.c_str());
  if (r == kCudaSuccess) return module;
  std::string msg = "cuModuleLoadData failed with " + driver_.describe(r) + " while loading " +
                    what + " for " + label(st);
  if (throwOnError) throw Error(b_.path + ": " + msg);
  if (error) *error = msg;
  return nullptr;
}

bool CudaRunner::hasPrebuiltImage(const std::string &name) {
  auto it = prebuilt_.find(name);
  if (it != prebuilt_.end()) return it->second;
  bool found = fileExists(b_.path + "/kernels/" + name + ".ptx");
  for (const auto &arch : cubinArchs())
    found = found || fileExists(b_.path + "/kernels/" + name + "." + arch + ".cubin");
  prebuilt_[name] = found;
  return found;
}

CUfunction CudaRunner::functionFor(const StepDesc &st, const std::string &requested) {
  const KernelSpec &spec = specs_[st.index];
  // Shape specialization applies to NVRTC compiles only; cubins and PTX read params.dims.
  std::string specialization = hasPrebuiltImage(spec.name) ? "" : requested;
  std::string key = spec.name + (specialization.empty() ? "" : "@" + specialization);
  if (auto it = functions_.find(key); it != functions_.end()) return it->second;
  std::string kernelsDir = b_.path + "/kernels/";
  CUmodule module = nullptr;
  std::string image, ptxError;
  // 1. A cubin for this device's arch.
  for (const auto &arch : cubinArchs()) {
    std::string path = kernelsDir + spec.name + "." + arch + ".cubin";
    if (readFile(path, image)) {
      module = loadImage(image, "'" + path + "'", st, true, nullptr);
      break;
    }
  }
  // 2. PTX, JIT-compiled by the driver (NUL-terminated text).
  if (!module && readFile(kernelsDir + spec.name + ".ptx", image)) {
    image.push_back('\0');
    module = loadImage(image, "'" + kernelsDir + spec.name + ".ptx'", st,
                       !fileExists(b_.path + "/" + spec.source), &ptxError);
    if (!module)
      std::cerr << "ds: " << ptxError << "; compiling '" << spec.source << "' with NVRTC instead\n";
  }
  // 3. The source, through NVRTC and the kernel cache.
  if (!module) {
    CompileResult result;
    auto pre = specialization.empty() ? compiled_.find(spec.name) : compiled_.end();
    if (pre != compiled_.end()) {
      result = pre->second;
    } else {
      if (!cache_) cache_ = std::make_unique<KernelCache>();
      result = cache_->compile(sourceRequest(st, spec, specialization));
    }
    if (!result.cubin.empty()) {
      module = loadImage(result.cubin, "the NVRTC cubin of '" + spec.source + "'", st, true, nullptr);
    } else {
      std::string ptx = result.ptx + '\0';
      module = loadImage(ptx, "the NVRTC PTX of '" + spec.source + "'", st, true, nullptr);
    }
  }
  modules_[key] = module;
  CUfunction fn = nullptr;
  check(api_.cuModuleGetFunction(&fn, module, spec.name.c_str()), "cuModuleGetFunction",
        "looking up kernel '" + spec.name + "' of " + label(st));
  if (spec.launch.sharedBytes > kDefaultSharedLimit) {
    if (spec.launch.sharedBytes > sharedOptin_)
      throw Error(b_.path + ": " + label(st) + ": kernel '" + spec.name + "' needs " +
                  std::to_string(spec.launch.sharedBytes) + " bytes of shared memory; " +
                  deviceName_ + " allows " + std::to_string(sharedOptin_) + " per block");
    check(api_.cuFuncSetAttribute(fn, kFuncAttrMaxDynamicSharedBytes,
                                  static_cast<int>(spec.launch.sharedBytes)),
          "cuFuncSetAttribute", "raising the shared memory limit of kernel '" + spec.name + "'");
  }
  functions_[key] = fn;
  return fn;
}

std::unique_ptr<PlanState> CudaRunner::buildState(const PlanView &plan) {
  const size_t nvalues = b_.values.size();
  // Steps left to run on the device must have kernels (plan-time ones ran on the host).
  std::map<std::string, std::vector<int>> missing;
  for (const StepDesc &st : b_.steps)
    if (!plan.skip[st.index] && !isViewKind(st.kind) && !specs_[st.index].present)
      missing[st.kind].push_back(st.index);
  if (!missing.empty())
    throw Error(b_.path + ": the cuda backend cannot run step kind" +
                (missing.size() > 1 ? "s " : " ") + kindList(missing) +
                " yet: the bundle has no generated CUDA kernel for them; run it with "
                "--device=cpu or --device=emulate");

  auto state = std::make_unique<PlanState>();
  auto bytesOf = [&](int id) {
    return static_cast<size_t>(numElements(plan.shapes[id])) * dtypeSize(b_.value(id).dtype);
  };
  // Layout of the plan's device block: arena, inputs, outputs, plan-time constants.
  size_t cursor = alignDevice(plan.arenaBytes);
  std::vector<int64_t> slot(nvalues, -1);
  for (int id : b_.inputIds) {
    slot[id] = static_cast<int64_t>(cursor);
    cursor += alignDevice(bytesOf(id));
  }
  std::vector<bool> readOnDevice(nvalues, false);
  for (const StepDesc &st : b_.steps)
    if (!plan.skip[st.index])
      for (int in : st.inputs)
        if (in >= 0) readOnDevice[in] = true;
  std::vector<int> constantsToUpload;
  for (const auto &v : b_.values) {
    if (v.def != ValueDef::Step) continue;
    bool view = isViewKind(b_.steps[v.step].kind);
    if (plan.known[v.id]) {
      if (!readOnDevice[v.id] || bytesOf(v.id) == 0) continue;
      slot[v.id] = static_cast<int64_t>(cursor);
      cursor += alignDevice(bytesOf(v.id));
      constantsToUpload.push_back(v.id);
    } else if (v.isOutput && !view) {
      slot[v.id] = static_cast<int64_t>(cursor);
      cursor += alignDevice(bytesOf(v.id));
    }
  }
  size_t total = std::max(cursor, kDeviceAlignment);
  check(api_.cuMemAlloc(&state->block, total), "cuMemAlloc_v2",
        "allocating the " + std::to_string(total) + "-byte device block of a plan (arena " +
            std::to_string(plan.arenaBytes) + " bytes)");
  try {
    state->ptr.assign(nvalues, 0);
    for (const auto &v : b_.values) {
      CUdeviceptr &p = state->ptr[v.id];
      if (v.def == ValueDef::Weight) p = weightPtr_[v.id];
      else if (slot[v.id] >= 0) p = state->block + static_cast<CUdeviceptr>(slot[v.id]);
    }
    // Step values in step order, so views find their source.
    for (const StepDesc &st : b_.steps)
      for (int out : st.outputs) {
        if (slot[out] >= 0 || plan.known[out]) continue;
        if (isViewKind(st.kind)) state->ptr[out] = state->ptr[st.inputs[0]];
        else if (plan.offsets[out] >= 0)
          state->ptr[out] = state->block + static_cast<CUdeviceptr>(plan.offsets[out]);
        else if (bytesOf(out) != 0)
          throw Error(b_.path + ": " + label(st) + ": value " + std::to_string(out) +
                      " has no place in the memory plan");
      }
    for (int id : b_.inputIds) state->inputSlot.push_back(state->ptr[id]);
    for (int id : constantsToUpload)
      check(api_.cuMemcpyHtoDAsync(state->ptr[id], plan.constants[id].data(), bytesOf(id), stream_),
            "cuMemcpyHtoDAsync_v2", "uploading the plan-time value " + std::to_string(id));

    for (const StepDesc &st : b_.steps) {
      if (plan.skip[st.index] || isViewKind(st.kind)) continue;
      const KernelSpec &spec = specs_[st.index];
      Launch launch;
      launch.step = st.index;
      std::vector<int> operands(st.inputs);
      operands.insert(operands.end(), st.outputs.begin(), st.outputs.end());
      std::vector<int64_t> dims;
      for (size_t i = 0; i < operands.size(); ++i) {
        int id = operands[i];
        launch.params.ptr[i] = id >= 0 ? reinterpret_cast<void *>(state->ptr[id]) : nullptr;
        if (id >= 0) dims.insert(dims.end(), plan.shapes[id].begin(), plan.shapes[id].end());
      }
      if (dims.size() > static_cast<size_t>(kMaxDims) && spec.dynamic)
        throw Error(b_.path + ": " + label(st) + ": the operands have " +
                    std::to_string(dims.size()) + " dims; a kernel reads at most " +
                    std::to_string(kMaxDims));
      for (size_t d = 0; d < dims.size() && d < static_cast<size_t>(kMaxDims); ++d)
        launch.params.dims[d] = dims[d];
      for (size_t s = 0; s < spec.scalars.size(); ++s) launch.params.scalars[s] = spec.scalars[s];
      const LaunchRule &rule = spec.launch;
      GridSize grid = gridFor(
          rule,
          [&](int i) -> const Shape * {
            return operands[i] >= 0 ? &plan.shapes[operands[i]] : nullptr;
          },
          b_.path + ": " + label(st));
      if (grid.count() == 0) continue;  // empty tensors: nothing to compute
      std::string specialization;
      if (spec.dynamic) {
        specialization = "{";
        for (size_t d = 0; d < dims.size(); ++d)
          specialization += (d ? "," : "") + std::to_string(dims[d]);
        specialization += "}";
      }
      launch.function = functionFor(st, specialization);
      launch.grid[0] = grid.x;
      launch.grid[1] = grid.y;
      launch.grid[2] = grid.z;
      std::copy(rule.block, rule.block + 3, launch.block);
      launch.sharedBytes = static_cast<unsigned>(rule.sharedBytes);
      state->launches.push_back(launch);
    }
    check(api_.cuStreamSynchronize(stream_), "cuStreamSynchronize", "uploading plan-time values");
  } catch (...) {
    freeState(*state);
    throw;
  }
  return state;
}

void CudaRunner::freeState(PlanState &state) {
  if (state.graph) api_.cuGraphExecDestroy(state.graph);
  state.graph = nullptr;
  for (CUevent e : state.events) api_.cuEventDestroy(e);
  state.events.clear();
  if (state.block) api_.cuMemFree(state.block);
  state.block = 0;
}

void CudaRunner::launchAll(const PlanState &state) {
  for (const Launch &l : state.launches) {
    KernelParams params = l.params;  // the driver copies the argument at the call
    void *args[] = {&params};
    check(api_.cuLaunchKernel(l.function, l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2],
                              l.sharedBytes, stream_, args, nullptr),
          "cuLaunchKernel", "launching kernel '" + specs_[l.step].name + "' of " +
                                label(b_.steps[l.step]));
  }
}

void CudaRunner::launchTimed(PlanState &state) {
  // Each launch between its own pair of events: the elapsed time is the kernel's alone,
  // not the host's launch overhead (the launches are queued ahead of the GPU).
  while (state.events.size() < 2 * state.launches.size()) {
    CUevent e = nullptr;
    check(api_.cuEventCreate(&e, kEventDefault), "cuEventCreate", "creating profiling events");
    state.events.push_back(e);
  }
  for (size_t i = 0; i < state.launches.size(); ++i) {
    const Launch &l = state.launches[i];
    const std::string what = "timing kernel '" + specs_[l.step].name + "' of " + label(b_.steps[l.step]);
    check(api_.cuEventRecord(state.events[2 * i], stream_), "cuEventRecord", what);
    KernelParams params = l.params;
    void *args[] = {&params};
    check(api_.cuLaunchKernel(l.function, l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1],
                              l.block[2], l.sharedBytes, stream_, args, nullptr),
          "cuLaunchKernel", "launching kernel '" + specs_[l.step].name + "' of " +
                                label(b_.steps[l.step]));
    check(api_.cuEventRecord(state.events[2 * i + 1], stream_), "cuEventRecord", what);
  }
}

void CudaRunner::readTimes(const PlanState &state, std::vector<StepProfile> &profile) {
  for (size_t i = 0; i < state.launches.size(); ++i) {
    const Launch &l = state.launches[i];
    const std::string what = "reading the time of kernel '" + specs_[l.step].name + "' of " +
                             label(b_.steps[l.step]);
    check(api_.cuEventSynchronize(state.events[2 * i + 1]), "cuEventSynchronize", what);
    float ms = 0;
    check(api_.cuEventElapsedTime(&ms, state.events[2 * i], state.events[2 * i + 1]),
          "cuEventElapsedTime", what);
    profile[l.step].totalMs += ms;
    profile[l.step].calls += 1;
  }
}

std::vector<Tensor> CudaRunner::run(const std::vector<Shape> &key, const PlanView &plan,
                                    const std::vector<Tensor> &inputs,
                                    std::vector<StepProfile> *profile) {
  makeCurrent();
  auto it = std::find_if(states_.begin(), states_.end(), [&](const auto &e) { return e.first == key; });
  if (it != states_.end()) {
    states_.splice(states_.begin(), states_, it);
  } else {
    states_.emplace_front(key, buildState(plan));
    if (states_.size() > kMaxPlanStates) {
      freeState(*states_.back().second);
      states_.pop_back();
    }
  }
  PlanState &state = *states_.front().second;

  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].bytes())
      check(api_.cuMemcpyHtoDAsync(state.inputSlot[i], inputs[i].data(), inputs[i].bytes(), stream_),
            "cuMemcpyHtoDAsync_v2", "copying input '" + b_.inputs[i].name + "' to the device");

  const bool timed = profile_ && profile;
  if (timed) {
    launchTimed(state);
  } else if (graphs_ && state.graph) {
    check(api_.cuGraphLaunch(state.graph, stream_), "cuGraphLaunch", "replaying the CUDA graph");
  } else if (graphs_ && state.runs >= 1 && !state.launches.empty()) {
    // Second call with these shapes: record the launches once, replay from now on.
    check(api_.cuStreamBeginCapture(stream_, kStreamCaptureModeThreadLocal),
          "cuStreamBeginCapture_v2", "starting the CUDA graph capture");
    CUgraph graph = nullptr;
    try {
      launchAll(state);
    } catch (...) {
      if (api_.cuStreamEndCapture(stream_, &graph) == kCudaSuccess && graph) api_.cuGraphDestroy(graph);
      throw;
    }
    check(api_.cuStreamEndCapture(stream_, &graph), "cuStreamEndCapture", "ending the CUDA graph capture");
    CUresult r = api_.cuGraphInstantiateWithFlags(&state.graph, graph, 0);
    api_.cuGraphDestroy(graph);
    check(r, "cuGraphInstantiateWithFlags", "instantiating the CUDA graph");
    check(api_.cuGraphLaunch(state.graph, stream_), "cuGraphLaunch", "launching the CUDA graph");
  } else {
    launchAll(state);
  }

  std::vector<Tensor> outputs;
  for (int id : b_.outputIds) {
    Tensor t = Tensor::empty(b_.value(id).dtype, plan.shapes[id]);
    const ValueDesc &v = b_.value(id);
    if (t.bytes()) {
      if (state.ptr[id]) {
        check(api_.cuMemcpyDtoHAsync(t.data(), state.ptr[id], t.bytes(), stream_),
              "cuMemcpyDtoHAsync_v2", "copying output value " + std::to_string(id) + " to the host");
      } else if (v.def == ValueDef::Step && plan.known[id]) {
        std::memcpy(t.data(), plan.constants[id].data(), t.bytes());
      } else {
        throw Error(b_.path + ": output value " + std::to_string(id) + " has no device copy");
      }
    }
    outputs.push_back(std::move(t));
  }
  check(api_.cuStreamSynchronize(stream_), "cuStreamSynchronize", "waiting for the call to finish");
  if (timed) readTimes(state, *profile);
  ++state.runs;
  return outputs;
}

}  // namespace
}  // namespace cuda

std::unique_ptr<PlanRunner> makeCudaPlanRunner(const BundleImpl &bundle, const SessionOptions &options,
                                               const std::vector<KernelDef> &defs) {
  return std::make_unique<cuda::CudaRunner>(bundle, options, defs);
}

}  // namespace ds::rt
