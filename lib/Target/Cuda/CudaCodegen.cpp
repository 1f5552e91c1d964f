//===- CudaCodegen.cpp - kernel naming, launch configs, dispatch ----------===//
//
// The parts every kernel family shares: the stable kernel name (hash of the source),
// the launch configuration's JSON form, and the table of generators by step kind.
//
//===----------------------------------------------------------------------===//

#include "ds/Target/Cuda/CudaCodegen.h"
#include "CudaCodegenInternal.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/xxhash.h"

using namespace mlir::ds::cuda;
namespace json = llvm::json;

json::Object LaunchConfig::toJson() const {
  json::Object grid{{"per_block", perBlock}, {"of", of}, {"operand", operand}};
  if (axis)
    grid["axis"] = *axis;
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

namespace {
using GeneratorFn = llvm::Expected<GeneratedKernel> (*)(const StepInfo &);

const llvm::StringMap<GeneratorFn> &kernelGenerators() {
  static const llvm::StringMap<GeneratorFn> generators = {
      {"elementwise", generateElementwiseKernel},
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
