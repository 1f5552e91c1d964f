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

int64_t jsonInt(const json &j, const std::string &where) {
  if (!j.is_number_integer()) throw Error(where + " must be an integer, got " + j.dump());
  return j.get<int64_t>();
}

Dim3 jsonDim3(const json &j, const std::string &where) {
  if (!j.is_array() || j.empty() || j.size() > 3)
    throw Error(where + " must be a list of 1 to 3 positive integers, got " + j.dump());
  uint32_t v[3] = {1, 1, 1};
  for (size_t i = 0; i < j.size(); ++i) {
    int64_t x = jsonInt(j[i], where);
    if (x < 1 || x > 0x7fffffff) throw Error(where + " must be positive, got " + j.dump());
    v[i] = static_cast<uint32_t>(x);
  }
  return Dim3{v[0], v[1], v[2]};
}

LaunchRule parseLaunch(const json &j, const std::string &where) {
  if (!j.is_object()) throw Error(where + " must be an object, got " + j.dump());
  LaunchRule r;
  if (!j.contains("block")) throw Error(where + " has no 'block'");
  r.block = jsonDim3(j["block"], where + ".block");
  if (j.contains("shared_bytes")) {
    int64_t s = jsonInt(j["shared_bytes"], where + ".shared_bytes");
    if (s < 0) throw Error(where + ".shared_bytes must be >= 0, got " + std::to_string(s));
    r.sharedBytes = static_cast<size_t>(s);
  }
  if (!j.contains("grid")) throw Error(where + " has no 'grid'");
  const json &g = j["grid"];
  if (g.is_array()) {
    r.fixedGrid = true;
    r.grid = jsonDim3(g, where + ".grid");
    return r;
  }
  if (!g.is_object()) throw Error(where + ".grid must be an object or a list, got " + g.dump());
  r.perBlock = g.contains("per_block") ? jsonInt(g["per_block"], where + ".grid.per_block") : 1;
  if (r.perBlock < 1) throw Error(where + ".grid.per_block must be >= 1, got " + std::to_string(r.perBlock));
  std::string of = g.value("of", std::string("numel"));
  if (of != "numel" && of != "rows")
    throw Error(where + ".grid.of must be \"numel\" or \"rows\", got \"" + of + "\"");
  r.rows = of == "rows";
  r.operand = static_cast<int>(g.contains("operand") ? jsonInt(g["operand"], where + ".grid.operand") : 0);
  r.axis = static_cast<int>(g.contains("axis") ? jsonInt(g["axis"], where + ".grid.axis") : -1);
  if (r.rows && !g.contains("axis")) throw Error(where + ".grid: \"rows\" needs an 'axis'");
  return r;
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
  if (rule.fixedGrid) return rule.grid;
  if (rule.operand < 0 || static_cast<size_t>(rule.operand) >= operands.size() ||
      !operands[rule.operand]->present)
    throw Error(label + ": the launch rule names operand " + std::to_string(rule.operand) +
                ", which the step does not have (" + std::to_string(operands.size()) +
                " operands)");
  const Shape &shape = operands[rule.operand]->shape;
  int64_t count = 1;
  if (rule.rows) {
    int rank = static_cast<int>(shape.size());
    int axis = rule.axis < 0 ? rule.axis + rank : rule.axis;
    if (axis < 0 || axis > rank)
      throw Error(label + ": the launch rule's axis " + std::to_string(rule.axis) +
                  " is out of range for operand " + std::to_string(rule.operand) + " of rank " +
                  std::to_string(rank));
    for (int d = 0; d < axis; ++d) count *= shape[d];
  } else {
    count = numElements(shape);
  }
  int64_t blocks = (count + rule.perBlock - 1) / rule.perBlock;
  if (blocks > 0x7fffffff)
    throw Error(label + ": the launch needs " + std::to_string(blocks) +
                " blocks, more than a grid's x dimension allows");
  return Dim3{static_cast<uint32_t>(blocks), 1, 1};
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
    const json &kj = st["kernel"];
    if (!kj.is_object() || !kj.contains("name") || !kj["name"].is_string() ||
        !kj.contains("source") || !kj["source"].is_string() || !kj.contains("launch"))
      throw Error(where + " must be an object with \"name\", \"source\" and \"launch\", got " +
                  kj.dump());
    StepKernel &sk = kernels_[k];
    sk.name = kj["name"].get<std::string>();
    sk.source = kj["source"].get<std::string>();
    sk.launch = parseLaunch(kj["launch"], where + ".launch");
    if (kj.contains("scalars")) {
      const json &s = kj["scalars"];
      if (!s.is_array() || s.size() > DS_MAX_SCALARS)
        throw Error(where + ".scalars must be a list of at most " +
                    std::to_string(DS_MAX_SCALARS) + " integers, got " + s.dump());
      for (const json &v : s) sk.scalars.push_back(jsonInt(v, where + ".scalars"));
    }
    std::string path = b.path + "/" + sk.source;
    sources.push_back({sk.name, readText(path, where), path});
  }
  if (sources.empty()) return;
  compiled_ = compileKernels(sources, {}, "emulate: " + b.path);
  for (size_t k = 0; k < kernels_.size(); ++k) {
    StepKernel &sk = kernels_[k];
    if (sk.name.empty()) continue;
    sk.fn = compiled_.module->find(sk.name);
    if (!sk.fn)
      throw Error("emulate: " + stepText(b.steps[k]) + ": kernel source " + sk.source +
                  " defines no entry point '" + sk.name + "' (DS_KERNEL(" + sk.name + "))");
    ++covered_;
  }
}

void EmulatedSteps::run(const StepDesc &st, const std::vector<TensorView> &inputs,
                        const std::vector<TensorView> &outputs, ThreadPool &pool) const {
  const StepKernel &sk = kernels_[static_cast<size_t>(st.index)];
  std::string label = stepText(st) + " kernel '" + sk.name + "'";
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
  for (size_t i = 0; i < sk.scalars.size(); ++i) params.scalars[i] = sk.scalars[i];
  LaunchConfig config;
  config.block = sk.launch.block;
  config.sharedBytes = sk.launch.sharedBytes;
  config.grid = gridFor(sk.launch, operands, label);
  if (config.grid.count() == 0) return;  // empty tensors: nothing to compute
  launch(*compiled_.module, sk.fn, config, params, pool, label);
}

}  // namespace ds::rt::emu
