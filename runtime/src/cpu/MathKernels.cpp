// cpu backend: math kernels (placeholder until the family lands).
#include "Kernel.h"

namespace ds::rt {
void registerCpuMathKernels(KernelRegistry &registry) {}
}  // namespace ds::rt
