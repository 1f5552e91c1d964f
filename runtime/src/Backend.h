// Backends and their kernel registries.
#pragma once

#include "Kernel.h"

namespace ds::rt {

// The kernels of the cpu backend (registerCpuKernels, filled on first use). Mutable so
// tests can add kernels of their own; do not modify while a session is running.
KernelRegistry &cpuKernelRegistry();

// The registry of a resolved device name ("cpu"); throws Error for others.
const KernelRegistry &kernelRegistry(const std::string &device);

}  // namespace ds::rt
