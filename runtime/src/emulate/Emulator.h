// The CUDA emulator: runs kernels compiled for the host against ds_emu.h
// (docs/cuda.md §Emulator). A block's threads are fibers on one OS thread, switched at
// every barrier, warp collective and yield point; the blocks of a grid run in parallel on
// the session's ThreadPool.
#pragma once

#include "Kernel.h"

#define DS_EMU_RUNTIME_SIDE 1
#include "ds_device.cuh"

#include <memory>
#include <string>

namespace ds::rt::emu {

using KernelFn = void (*)(ds::KernelParams);

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};

struct LaunchConfig {
  Dim3 grid, block;
  size_t sharedBytes = 0;  // dynamic shared memory (ds::dynamic_shared)
};

// A dlopen'ed kernel object, bound to the emulator. Closed on destruction.
class KernelModule {
public:
  // Throws Error naming the path when it cannot be opened or was not built against
  // this emulator's ds_emu.h.
  static std::shared_ptr<KernelModule> open(const std::string &path);
  ~KernelModule();
  KernelModule(const KernelModule &) = delete;
  KernelModule &operator=(const KernelModule &) = delete;
  // nullptr when the object has no such kernel.
  KernelFn find(const std::string &name) const;
  const std::string &path() const { return path_; }
  void *(*tlsAnchor)() = nullptr;  // see ds_emu_tls_anchor in ds_emu.h
  uint64_t serial = 0;              // unique per opened module in this process

private:
  KernelModule() = default;
  void *handle_ = nullptr;
  std::string path_;
};

// Runs `kernel` over the grid and returns when every block finished. Errors (a barrier
// not reached by every thread, lanes at different warp collectives, a deadlock, bad
// launch dimensions) throw Error starting with `label` (e.g. "step 3 (softmax)").
void launch(const KernelModule &module, KernelFn kernel, const LaunchConfig &config,
            const ds::KernelParams &params, ThreadPool &pool, const std::string &label);

// The byte written over shared memory before every block: 0xff reads as NaN in every
// float type (and -1 in integers), so reading shared memory nobody wrote shows.
constexpr unsigned char kSharedPoison = 0xff;

}  // namespace ds::rt::emu
