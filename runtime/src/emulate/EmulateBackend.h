// The `emulate` device: steps with a generated kernel ("kernel" in steps.json, docs/cuda.md
// §Kernel ABI) run through the emulator; the others run on the cpu kernels (a transitional
// state until every step kind has a generated kernel; counted in SessionStats).
#pragma once

#include "BundleImpl.h"
#include "KernelEntry.h"
#include "emulate/KernelCompiler.h"

namespace ds::rt::emu {

struct StepKernel {
  KernelEntry entry;
  KernelFn fn = nullptr;
};

class EmulatedSteps {
public:
  // Reads the kernel entries of the bundle's steps.json and compiles their sources
  // (through the kernel cache). Throws Error naming the step on a malformed entry.
  explicit EmulatedSteps(const BundleImpl &bundle);
  bool covers(int step) const { return kernels_[static_cast<size_t>(step)].fn != nullptr; }
  void run(const StepDesc &step, const std::vector<TensorView> &inputs,
           const std::vector<TensorView> &outputs, ThreadPool &pool) const;
  int coveredSteps() const { return covered_; }
  bool cacheHit() const { return compiled_.cacheHit; }

private:
  std::vector<StepKernel> kernels_;  // per step; fn null: no generated kernel
  CompileResult compiled_;
  int covered_ = 0;
};

// The grid of `rule` for the operands' concrete shapes (0 blocks: nothing to run).
Dim3 gridFor(const LaunchRule &rule, const std::vector<const TensorView *> &operands,
             const std::string &label);

}  // namespace ds::rt::emu
