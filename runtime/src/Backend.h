// Backends and their kernel registries.
#pragma once

#include "Kernel.h"

#include <memory>

namespace ds::rt {

// The kernels of the cpu backend (registerCpuKernels, filled on first use). Mutable so
// tests can add kernels of their own; do not modify while a session is running.
KernelRegistry &cpuKernelRegistry();

// The registry of a resolved device name ("cpu"); throws Error for others.
const KernelRegistry &kernelRegistry(const std::string &device);

// ---- Devices that run whole plans in their own memory (cuda) ----------------------------
class BundleImpl;

// A plan as Session.cpp built it, by reference (docs/runtime.md: shapes, plan-time
// constants, skipped steps, arena offsets).
struct PlanView {
  const std::vector<Shape> &shapes;       // per value
  const std::vector<bool> &known;         // per value: computed at plan time
  const std::vector<Tensor> &constants;   // per value: the plan-time result when known
  const std::vector<bool> &skip;          // per step: evaluated at plan time
  const std::vector<int64_t> &offsets;    // per value: arena offset or -1
  size_t arenaBytes;
};

// Runs planned calls on a device; the session still validates inputs and builds plans.
class PlanRunner {
public:
  virtual ~PlanRunner() = default;
  // `key`: the input shapes the plan was built for (state such as CUDA graphs is per key).
  // `profile` (per step; null unless the session profiles): the runner adds each step's
  // device time to totalMs and counts its calls; the session fills shapes and bytes.
  virtual std::vector<Tensor> run(const std::vector<Shape> &key, const PlanView &plan,
                                  const std::vector<Tensor> &inputs,
                                  std::vector<StepProfile> *profile) = 0;
};

// The cuda backend (runtime/src/cuda/CudaBackend.cpp): available when the driver loads
// and reports a device (`why` says otherwise); the runner of a session on it.
bool cudaAvailable(std::string *why);
std::unique_ptr<PlanRunner> makeCudaPlanRunner(const BundleImpl &bundle,
                                               const SessionOptions &options,
                                               const std::vector<KernelDef> &defs);

}  // namespace ds::rt
