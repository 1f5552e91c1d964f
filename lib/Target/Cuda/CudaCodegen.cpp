//===- CudaCodegen.cpp - kernel naming, launch configs, dispatch ----------===//
//
// The parts every kernel family shares: the stable kernel name (hash of the source),
// the launch configuration's JSON form, and the table of generators by step kind.
//
//===----------------------------------------------------------------------===//

#include "ds/Target/Cuda/CudaCodegen.h"
#include "CudaCodegenInternal.h"
#include "EmbeddedKernelHeaders.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <map>

using namespace mlir::ds::cuda;
using llvm::SmallVector;
namespace json = llvm::json;

json::Object LaunchConfig::toJson() const {
  json::Object grid{{"per_block", perBlock}, {"of", of}, {"operand", operand}};
  if (axis)
    grid["axis"] = *axis;
  if (!tiles.empty()) {
    json::Array list;
    for (const auto &t : tiles)
      list.push_back(json::Array{t[0], t[1], t[2], t[3]});
    grid = json::Object{{"of", "tiles"}, {"tiles", std::move(list)}};
  }
  return json::Object{{"block", json::Array{block[0], block[1], block[2]}},
                      {"shared_bytes", sharedBytes},
                      {"grid", std::move(grid)}};
}

GeneratedKernel mlir::ds::cuda::finishKernel(llvm::StringRef base, llvm::StringRef text,
                                             const LaunchConfig &launch) {
  // Identifier characters only; long names are cut (the hash keeps them distinct).
  std::string ident;
  for (char c : base.take_front(48))
    ident.push_back(llvm::isAlnum(c) ? c : '_');
  if (ident.empty())
    ident = "kernel";
  // The hash covers the text and the launch configuration (it is part of the kernel's
  // contract: a vectorized body assumes its elements per block).
  std::string hashed = text.str();
  hashed += "\n// launch: ";
  llvm::raw_string_ostream(hashed) << json::Value(launch.toJson());
  uint64_t hash = llvm::xxh3_64bits(llvm::StringRef(hashed));
  GeneratedKernel kernel;
  kernel.name = "ds_" + ident + "_" + llvm::utohexstr(hash >> 32, /*LowerCase=*/true, 8);
  kernel.source = text.str();
  for (size_t pos; (pos = kernel.source.find(kKernelNamePlaceholder)) != std::string::npos;)
    kernel.source.replace(pos, kKernelNamePlaceholder.size(), kernel.name);
  kernel.launch = launch;
  return kernel;
}

GeneratedKernel mlir::ds::cuda::renameKernel(const GeneratedKernel &kernel,
                                             llvm::StringRef name) {
  GeneratedKernel renamed = kernel;
  renamed.name = name.str();
  std::string &text = renamed.source;
  for (size_t pos = 0; (pos = text.find(kernel.name, pos)) != std::string::npos;
       pos += name.size())
    text.replace(pos, kernel.name.size(), name.str());
  return renamed;
}

namespace {
using GeneratorFn = llvm::Expected<GeneratedKernel> (*)(const StepInfo &);

const llvm::StringMap<GeneratorFn> &kernelGenerators() {
  static const llvm::StringMap<GeneratorFn> generators = {
      {"elementwise", generateElementwiseKernel},
      {"gather", generateIndexingKernel},
      {"gather_elements", generateIndexingKernel},
      {"gather_nd", generateIndexingKernel},
      {"scatter_elements", generateIndexingKernel},
      {"scatter_nd", generateIndexingKernel},
      {"range", generateIndexingKernel},
      {"fill", generateIndexingKernel},
      {"one_hot", generateIndexingKernel},
      {"eye_like", generateIndexingKernel},
      {"nonzero", generateIndexingKernel},
      {"shape_of", generateIndexingKernel},
      {"attention", generateAttentionKernel},
      {"rope", generateRopeKernel},
      {"moe", generateMoeKernel},
      {"quantize", generateQuantizeKernel},
      {"dequantize", generateDequantizeKernel},
      {"dynamic_quantize", generateDynamicQuantizeKernel},
      {"matmul_nbits", generateMatmulNBitsKernel},
      {"matmul", generateGemmKernel},
      {"linear", generateGemmKernel},
      {"transpose", generateMovementKernel},
      {"concat", generateMovementKernel},
      {"slice", generateMovementKernel},
      {"split", generateMovementKernel},
      {"expand", generateMovementKernel},
      {"tile", generateMovementKernel},
      {"pad", generateMovementKernel},
      {"trilu", generateMovementKernel},
      {"reduce", generateReductionKernel},
      {"arg_reduce", generateReductionKernel},
      {"softmax", generateReductionKernel},
      {"log_softmax", generateReductionKernel},
      {"hardmax", generateReductionKernel},
      {"layer_norm", generateReductionKernel},
      {"rms_norm", generateReductionKernel},
      {"cumsum", generateReductionKernel},
      {"topk", generateReductionKernel},
  };
  return generators;
}
} // namespace

bool mlir::ds::cuda::hasKernelGenerator(llvm::StringRef kind) {
  return kernelGenerators().contains(kind);
}

llvm::Expected<std::optional<GeneratedKernel>>
mlir::ds::cuda::generateKernel(const StepInfo &step) {
  auto it = kernelGenerators().find(step.kind);
  if (it == kernelGenerators().end())
    return std::optional<GeneratedKernel>();
  auto kernel = it->second(step);
  if (!kernel)
    return kernel.takeError();
  return std::optional<GeneratedKernel>(std::move(*kernel));
}

static llvm::Error writeFile(llvm::StringRef dir, llvm::StringRef name, llvm::StringRef text) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
  }
  if (ec) {
    os.clear_error();
    return llvm::createStringError(ec, "cannot write '" + path + "': " + ec.message());
  }
  return llvm::Error::success();
}

llvm::Error mlir::ds::cuda::writeKernelTemplates(llvm::StringRef kernelsDir) {
  size_t count = 0;
  const ::ds::kernels::EmbeddedHeader *headers = ::ds::kernels::embeddedHeaders(&count);
  for (size_t i = 0; i < count; ++i)
    if (llvm::Error e = writeFile(kernelsDir, headers[i].name,
                                  llvm::StringRef(headers[i].text, headers[i].size)))
      return e;
  return llvm::Error::success();
}

llvm::Expected<std::string>
mlir::ds::cuda::generateKernelsForSteps(llvm::StringRef stepsText, llvm::StringRef stepsPath,
                                        llvm::StringRef kernelsDir) {
  auto bad = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   stepsPath + ": " + message);
  };
  llvm::Expected<json::Value> parsed = json::parse(stepsText);
  if (!parsed)
    return bad("not JSON: " + llvm::toString(parsed.takeError()));
  json::Object *root = parsed->getAsObject();
  json::Array *values = root ? root->getArray("values") : nullptr;
  json::Array *steps = root ? root->getArray("steps") : nullptr;
  if (!values || !steps)
    return bad("needs the lists 'values' and 'steps'");
  std::map<int64_t, OperandInfo> byId;
  for (const json::Value &v : *values) {
    const json::Object *value = v.getAsObject();
    std::optional<int64_t> id = value ? value->getInteger("id") : std::nullopt;
    const json::Array *shape = value ? value->getArray("shape") : nullptr;
    std::optional<llvm::StringRef> dtype = value ? value->getString("dtype") : std::nullopt;
    if (!id || !shape || !dtype)
      return bad("a value needs 'id', 'dtype' and 'shape': " + llvm::formatv("{0}", v));
    OperandInfo info;
    info.dtype = dtype->str();
    for (const json::Value &d : *shape)
      info.shape.push_back(d.getAsInteger().value_or(-1));
    byId[*id] = std::move(info);
  }
  std::map<std::string, GeneratedKernel> kernels;
  for (auto [index, s] : llvm::enumerate(*steps)) {
    json::Object *step = s.getAsObject();
    std::optional<llvm::StringRef> kind = step ? step->getString("kind") : std::nullopt;
    const json::Object *attrs = step ? step->getObject("attrs") : nullptr;
    if (!kind || !attrs)
      return bad("step " + llvm::Twine(index) + " needs 'kind' and 'attrs'");
    step->erase("kernel");
    if (!hasKernelGenerator(*kind))
      continue;
    auto operands = [&](llvm::StringRef key) -> llvm::Expected<SmallVector<OperandInfo>> {
      SmallVector<OperandInfo> list;
      const json::Array *ids = step->getArray(key);
      if (!ids)
        return bad("step " + llvm::Twine(index) + " has no '" + key + "' list");
      for (const json::Value &id : *ids) {
        std::optional<int64_t> v = id.getAsInteger();
        if (v && *v < 0) {
          OperandInfo absent;
          absent.present = false;
          list.push_back(absent);
          continue;
        }
        auto it = v ? byId.find(*v) : byId.end();
        if (it == byId.end())
          return bad("step " + llvm::Twine(index) + " names the unknown value " +
                     llvm::formatv("{0}", id));
        list.push_back(it->second);
      }
      return list;
    };
    auto inputs = operands("inputs");
    if (!inputs)
      return inputs.takeError();
    auto outputs = operands("outputs");
    if (!outputs)
      return outputs.takeError();
    auto generated = generateKernel(StepInfo{*kind, *attrs, *inputs, *outputs});
    if (!generated)
      return bad("step " + llvm::Twine(index) + " (" + *kind + " '" +
                 step->getString("name").value_or("") +
                 "'): " + llvm::toString(generated.takeError()));
    const GeneratedKernel original = std::move(**generated);
    GeneratedKernel kernel = original;
    for (int suffix = 2;; ++suffix) { // hash collisions: as in the bundle writer
      auto it = kernels.find(kernel.name);
      if (it == kernels.end() || it->second.source == kernel.source)
        break;
      kernel = renameKernel(original, original.name + "_" + std::to_string(suffix));
    }
    (*step)["kernel"] = json::Object{{"name", kernel.name},
                                     {"source", "kernels/" + kernel.name + ".cu"},
                                     {"launch", kernel.launch.toJson()}};
    kernels.try_emplace(kernel.name, std::move(kernel));
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(kernelsDir))
    return llvm::createStringError(ec, "cannot create '" + kernelsDir + "': " + ec.message());
  for (const auto &[name, kernel] : kernels)
    if (llvm::Error e = writeFile(kernelsDir, name + ".cu", kernel.source))
      return std::move(e);
  if (llvm::Error e = writeKernelTemplates(kernelsDir))
    return std::move(e);
  std::string text;
  llvm::raw_string_ostream(text) << llvm::formatv("{0:2}", json::Value(std::move(*parsed)));
  return text;
}
