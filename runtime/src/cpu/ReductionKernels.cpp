// cpu backend: reduction kernels (placeholder until the family lands).
#include "Kernel.h"

namespace ds::rt {
void registerCpuReductionKernels(KernelRegistry &registry) {}
}  // namespace ds::rt
