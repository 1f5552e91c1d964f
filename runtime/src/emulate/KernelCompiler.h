// Host compilation of kernel sources for the emulator: the very text NVRTC compiles,
// built with the system C++ compiler against ds_emu.h into one shared object, cached by
// content (docs/cuda.md §Emulator).
#pragma once

#include "emulate/Emulator.h"

#include <string>
#include <vector>

namespace ds::rt::emu {

struct KernelSource {
  std::string name;    // the DS_KERNEL entry point
  std::string text;    // the complete .cu text
  std::string origin;  // where it came from, for messages ("model.dsb/kernels/K.cu")
};

struct CompileResult {
  std::shared_ptr<KernelModule> module;
  bool cacheHit = false;
  std::string entryPath;  // the cache entry (or temporary build) directory
  int translationUnits = 0;
};

// The kernel cache root: $DS_CACHE_DIR, else $XDG_CACHE_HOME/ds/kernels, else
// ~/.cache/ds/kernels; emulator entries live in its "emulate" subdirectory.
std::string kernelCacheRoot();

// Compiles every source (deduplicated by content) into one shared object and opens it.
// Identical calls reuse the cached object; a corrupt entry is rebuilt; DS_DISABLE_CACHE=1
// builds in a temporary directory. `defines` are extra -D options (part of the key).
// The compiler is $DS_EMU_CXX, else c++. On a compile error throws Error with the
// compiler output, the saved source and the command (`label` starts the message).
CompileResult compileKernels(const std::vector<KernelSource> &sources,
                             const std::vector<std::string> &defines, const std::string &label);

}  // namespace ds::rt::emu
