// cpu backend: shape kernels (placeholder until the family lands).
#include "Kernel.h"

namespace ds::rt {
void registerCpuShapeKernels(KernelRegistry &registry) {}
}  // namespace ds::rt
