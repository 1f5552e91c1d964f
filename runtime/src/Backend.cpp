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

// Best first ("auto" takes the first). "emulate" runs generated kernels on the host
// (runtime/src/emulate; it needs a C++ compiler at run time, so "auto" never picks it).
std::vector<std::string> availableDevices() {
  std::vector<std::string> devices;
  if (cudaAvailable(nullptr)) devices.push_back("cuda");
  devices.push_back("cpu");
  devices.push_back("emulate");
  return devices;
}

namespace {
std::string joinDevices() {
  std::string s;
  for (const auto &d : availableDevices()) s += (s.empty() ? "" : ", ") + d;
  return s;
}
}  // namespace

std::string resolveDevice(const std::string &requested) {
  // The best available device: availableDevices() lists them best first.
  if (requested == "auto") return availableDevices().front();
  std::string why;
  if (requested == "cuda" && !cudaAvailable(&why))
    throw Error("device 'cuda' is not available: " + why + " (available: " + joinDevices() +
                ", auto)");
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
  // cuda: shape functions and plan-time evaluation on the host; kernels come from the bundle.
  if (device == "cuda") return cpuKernelRegistry();
  throw Error("no kernel registry for device '" + device + "'");
}

}  // namespace ds::rt
