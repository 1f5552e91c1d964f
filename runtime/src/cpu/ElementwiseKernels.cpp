// cpu backend: elementwise kernels (placeholder until the family lands).
#include "Kernel.h"

namespace ds::rt {
void registerCpuElementwiseKernels(KernelRegistry &registry) {}
}  // namespace ds::rt
