//===- CudaCodegen.h - CUDA C++ kernels for bundle steps ----------*- C++ -*-===//
//
// The CUDA code generator (docs/cuda.md, "Code generation"): for a bundle step it
// produces one kernel source text against runtime/kernels/ds_device.cuh and the family
// templates, a stable kernel name (identical sources get identical names, so a bundle
// stores each distinct kernel once) and the launch configuration of the kernel ABI.
//
// The generator reads a step the way the runtime does, from its steps.json form (kind,
// attrs, operand dtypes and shapes), so it does not depend on the IR and every family
// plugs in the same way: one function per step kind in kernelGenerators().
//
//===----------------------------------------------------------------------===//
#ifndef DS_TARGET_CUDA_CUDACODEGEN_H
#define DS_TARGET_CUDA_CUDACODEGEN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::ds::cuda {

/// An operand of a step: its bundle dtype name and shape (-1 for a dynamic dim).
/// Absent optional operands have `present == false`.
struct OperandInfo {
  std::string dtype;
  llvm::SmallVector<int64_t> shape;
  bool present = true;
};

/// A step as the generator sees it (the steps.json view).
struct StepInfo {
  llvm::StringRef kind;
  const llvm::json::Object &attrs;
  llvm::ArrayRef<OperandInfo> inputs;
  llvm::ArrayRef<OperandInfo> outputs;
};

/// The launch configuration of docs/cuda.md's kernel ABI.
struct LaunchConfig {
  std::array<int64_t, 3> block = {256, 1, 1};
  int64_t sharedBytes = 0;
  /// Grid: ceil(extent / perBlock) blocks, where extent is the numel of operand
  /// `operand` ("numel") or the product of its dims before `axis` ("rows").
  int64_t perBlock = 256;
  std::string of = "numel";
  int64_t operand = 0;
  std::optional<int64_t> axis;
  /// "tiles" (set when not empty; `of`, `perBlock`, `operand`, `axis` are then unused):
  /// the product over the entries {operand, begin, end, per} of
  /// ceil(product of the operand's dims [begin, end) / per), e.g. a GEMM's
  /// batch x ceil(M / TM) x ceil(N / TN). The kernel decomposes block_idx_x() itself.
  llvm::SmallVector<std::array<int64_t, 4>> tiles;

  llvm::json::Object toJson() const;
};

struct GeneratedKernel {
  /// `ds_<family name>_<8 hex digits of the source hash>`: a C identifier.
  std::string name;
  /// The complete kernel source (includes the templates by name).
  std::string source;
  LaunchConfig launch;
};

/// Generates the kernel of `step`. Returns std::nullopt when no generator handles the
/// step's kind (yet), an error (naming the step's problem) when one does and fails. A
/// step that is valid but exceeds the kernel ABI's limits (DS_MAX_OPERANDS,
/// DS_MAX_DIMS) fails with a StringError of code std::errc::not_supported: the bundle
/// writer then leaves it without a kernel and warns, so the bundle still runs on cpu.
llvm::Expected<std::optional<GeneratedKernel>> generateKernel(const StepInfo &step);

/// Whether a generator exists for steps of `kind`.
bool hasKernelGenerator(llvm::StringRef kind);

/// Finishes a generated source: the text uses `@KERNEL@` where the kernel name goes;
/// the name is `ds_<base>_<hash8>` with the hash taken over the text, so identical
/// kernels get identical names. `base` is reduced to identifier characters.
GeneratedKernel finishKernel(llvm::StringRef base, llvm::StringRef text,
                             const LaunchConfig &launch);

/// `kernel` with every occurrence of its name in the source replaced by `name`.
GeneratedKernel renameKernel(const GeneratedKernel &kernel, llvm::StringRef name);

/// Ahead-of-time compilation of a bundle's kernels (--cuda-arch): given the kernels
/// directory of the bundle being written (sources and template headers already in it),
/// the kernels and the target archs, writes `K.<arch>.cubin` / `K.ptx` next to the
/// sources. Provided by the NVRTC side; null until then.
using AotCompileFn = std::function<llvm::Error(
    llvm::StringRef kernelsDir, llvm::ArrayRef<GeneratedKernel> kernels,
    llvm::ArrayRef<std::string> archs)>;

/// The NVRTC implementation of the hook (lib/Target/Cuda/NvrtcAot.cpp): compiles every
/// kernel for every arch plus PTX for compute_<lowest XY> through the persistent kernel
/// cache (DS_CACHE_DIR), fails when NVRTC is missing, a kernel does not compile (the
/// message names the saved repro) or a cubin spills registers and the kernel is not on
/// the spill allow-list.
AotCompileFn nvrtcAotCompiler();

/// Validates and normalizes --cuda-arch values ("sm_80,sm_90a" entries, duplicates
/// dropped); an error names the bad entry.
llvm::Expected<std::vector<std::string>> parseCudaArchs(llvm::ArrayRef<std::string> archs);

/// The spill allow-list (lib/Target/Cuda/spill_allowlist.txt, embedded): kernel name
/// prefix -> reason.
std::vector<std::pair<std::string, std::string>> spillAllowlist();

/// Options of kernel emission in the bundle writer.
struct CudaOptions {
  /// Generate kernels/K.cu for every step that has a generator.
  bool emitKernels = true;
  /// --cuda-arch: target archs for ahead-of-time compilation (e.g. sm_80, sm_90a).
  std::vector<std::string> archs;
  /// Compiles the kernels for `archs`; required when `archs` is not empty.
  AotCompileFn aotCompile;
};

/// Generates the kernels of every step of a bundle's steps.json text (`stepsPath`
/// names it in messages) into `kernelsDir` (K.cu per distinct kernel plus the
/// templates) and returns steps.json with the steps' "kernel" entries set, for
/// regenerating the kernels of an existing bundle (ds-opt --emit=cuda-kernels).
llvm::Expected<std::string> generateKernelsForSteps(llvm::StringRef stepsText,
                                                    llvm::StringRef stepsPath,
                                                    llvm::StringRef kernelsDir);

/// Writes the embedded templates (runtime/kernels: ds_device.cuh, ds_emu.h, the family
/// templates) into `kernelsDir`, so that `nvcc -I kernelsDir` compiles its kernels.
llvm::Error writeKernelTemplates(llvm::StringRef kernelsDir);

} // namespace mlir::ds::cuda

#endif
