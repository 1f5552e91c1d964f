// Bundle steps through the emulator: reading kernel entries, filling KernelParams,
// computing grids from launch rules.
#include "emulate/EmulateBackend.h"

#include <fstream>
#include <sstream>

namespace ds::rt::emu {

namespace {

using nlohmann::json;

std::string stepText(const StepDesc &st) {
  return "step " + std::to_string(st.index) + " (" + st.kind +
         (st.name.empty() ? "" : " '" + st.name + "'") + ")";
}

std::string readText(const std::string &path, const std::string &where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(where + ": cannot read kernel source " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Dim3 gridFor(const LaunchRule &rule, const std::vector<const TensorView *> &operands,
             const std::string &label) {
  GridSize g = ds::rt::gridFor(
      rule,
      [&](int i) -> const Shape * {
        if (i < 0 || static_cast<size_t>(i) >= operands.size() || !operands[i]->present)
          return nullptr;
        return &operands[i]->shape;
      },
      label);
  return Dim3{g.x, g.y, g.z};
}

EmulatedSteps::EmulatedSteps(const BundleImpl &b) {
  kernels_.resize(b.steps.size());
  // The kernel entries are read from steps.json here (the core's StepDesc does not carry
  // them).
  std::string stepsPath = b.path + "/steps.json";
  json root;
  {
    std::ifstream in(stepsPath);
    if (!in) throw Error("emulate: cannot read " + stepsPath);
    try {
      in >> root;
    } catch (const json::exception &e) {
      throw Error("emulate: " + stepsPath + ": " + e.what());
    }
  }
  const json &steps = root.at("steps");
  std::vector<KernelSource> sources;
  for (size_t k = 0; k < steps.size() && k < kernels_.size(); ++k) {
    const json &st = steps[k];
    if (!st.is_object() || !st.contains("kernel")) continue;
    std::string where = stepsPath + ": " + stepText(b.steps[k]) + " kernel";
    StepKernel &sk = kernels_[k];
    const StepDesc &desc = b.steps[k];
    sk.entry = parseKernelEntry(st["kernel"],
                                static_cast<int>(desc.inputs.size() + desc.outputs.size()), where);
    std::string path = b.path + "/" + sk.entry.source;
    sources.push_back({sk.entry.name, readText(path, where), path});
  }
  if (sources.empty()) return;
  compiled_ = compileKernels(sources, {}, "emulate: " + b.path);
  for (size_t k = 0; k < kernels_.size(); ++k) {
    StepKernel &sk = kernels_[k];
    if (!sk.entry.present) continue;
    sk.fn = compiled_.module->find(sk.entry.name);
    if (!sk.fn)
      throw Error("emulate: " + stepText(b.steps[k]) + ": kernel source " + sk.entry.source +
                  " defines no entry point '" + sk.entry.name + "' (DS_KERNEL(" + sk.entry.name +
                  "))");
    ++covered_;
  }
}

void EmulatedSteps::run(const StepDesc &st, const std::vector<TensorView> &inputs,
                        const std::vector<TensorView> &outputs, ThreadPool &pool) const {
  const StepKernel &sk = kernels_[static_cast<size_t>(st.index)];
  std::string label = stepText(st) + " kernel '" + sk.entry.name + "'";
  std::vector<const TensorView *> operands;
  for (const auto &t : inputs) operands.push_back(&t);
  for (const auto &t : outputs) operands.push_back(&t);
  if (operands.size() > DS_MAX_OPERANDS)
    throw Error(label + ": " + std::to_string(operands.size()) + " operands, the kernel ABI passes at most " +
                std::to_string(DS_MAX_OPERANDS));
  ds::KernelParams params;
  std::memset(&params, 0, sizeof params);
  size_t ndims = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    const TensorView &t = *operands[i];
    params.ptr[i] = t.present ? t.data : nullptr;
    if (!t.present) continue;
    if (ndims + t.shape.size() > DS_MAX_DIMS)
      throw Error(label + ": the operands have more than " + std::to_string(DS_MAX_DIMS) +
                  " dims in all, the kernel ABI's limit");
    for (int64_t d : t.shape) params.dims[ndims++] = d;
  }
  for (size_t i = 0; i < sk.entry.scalars.size(); ++i) params.scalars[i] = sk.entry.scalars[i];
  const LaunchRule &rule = sk.entry.launch;
  LaunchConfig config;
  config.block = Dim3{rule.block[0], rule.block[1], rule.block[2]};
  config.sharedBytes = static_cast<size_t>(rule.sharedBytes);
  config.grid = gridFor(rule, operands, label);
  if (config.grid.count() == 0) return;  // empty tensors: nothing to compute
  launch(*compiled_.module, sk.fn, config, params, pool, label);
}

}  // namespace ds::rt::emu
