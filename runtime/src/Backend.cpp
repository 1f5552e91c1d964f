// Devices and their kernel registries.
#include "Backend.h"

namespace ds::rt {

KernelRegistry &cpuKernelRegistry() {
  static KernelRegistry *registry = [] {
    auto *r = new KernelRegistry();  // never destroyed: sessions may outlive statics
    registerCpuKernels(*r);
    return r;
  }();
  return *registry;
}

// "emulate" runs generated kernels on the host (runtime/src/emulate; it needs a C++
// compiler at run time, so "auto" never picks it).
std::vector<std::string> availableDevices() { return {"cpu", "emulate"}; }

namespace {
std::string joinDevices() {
  std::string s;
  for (const auto &d : availableDevices()) s += (s.empty() ? "" : ", ") + d;
  return s;
}
}  // namespace

std::string resolveDevice(const std::string &requested) {
  // The best available device; only the cpu backend exists so far (emulate is for tests).
  if (requested == "auto") return availableDevices().front();
  for (const auto &d : availableDevices())
    if (d == requested) return d;
  if (requested == "cuda" || requested == "emulate")
    throw Error("device '" + requested + "' is not available in this build (available: " +
                joinDevices() + ", auto)");
  throw Error("unknown device '" + requested + "' (available: " + joinDevices() + ", auto)");
}

const KernelRegistry &kernelRegistry(const std::string &device) {
  // emulate: shape functions, and the kernels of steps without a generated kernel.
  if (device == "cpu" || device == "emulate") return cpuKernelRegistry();
  throw Error("no kernel registry for device '" + device + "'");
}

}  // namespace ds::rt
