//===- KernelCache.h - persistent content-addressed NVRTC results ---------===//
//
// Compiled kernels survive the process: an entry is keyed by the SHA-256 of everything
// that determines NVRTC's output (source, every header's name and text, the full option
// list, the NVRTC version, the target arch), so a lookup needs no invalidation logic.
// Layout and format: docs/cuda.md, "NVRTC and the cache".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cuda/Nvrtc.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ds::rt {
class ThreadPool;
}

namespace ds::rt::cuda {

struct KernelCacheStats {
  int64_t hits = 0;       // served from a valid entry
  int64_t misses = 0;     // no entry (or cache disabled): compiled
  int64_t rebuilt = 0;    // an entry was corrupt / truncated / stale: removed and recompiled
  int64_t compiles = 0;   // NVRTC invocations
  int64_t storeFailures = 0;  // entries that could not be written (the compile still succeeds)
  double compileSeconds = 0;  // wall time inside NVRTC, summed over threads
  double loadSeconds = 0;     // wall time reading and checking entries
  std::string summary() const;  // one line for `ds-run --profile`
};

class KernelCache {
public:
  // `directory` empty: defaultDirectory(). DS_DISABLE_CACHE=1 (read here) turns the cache
  // off: every request compiles and nothing is read or written.
  explicit KernelCache(std::string directory = "");

  // $DS_CACHE_DIR, else $XDG_CACHE_HOME/ds/kernels, else $HOME/.cache/ds/kernels.
  static std::string defaultDirectory();
  static bool disabledByEnvironment();

  const std::string &directory() const { return directory_; }
  bool enabled() const { return enabled_; }
  void setEnabled(bool enabled) { enabled_ = enabled; }

  // The hex key of a request (loads NVRTC for its version).
  std::string keyOf(const CompileRequest &request) const;
  std::string entryPath(const std::string &key) const;
  std::string failedDirectory() const { return directory_ + "/failed"; }

  // Returns the cached result or compiles and stores it. Compile errors throw Error with
  // the repro (saved under failedDirectory()).
  CompileResult compile(const CompileRequest &request);
  // Compiles the requests in parallel on `pool` (a private pool when null); identical
  // requests compile once. Results are in request order; every failure is reported in one
  // Error after all requests ran.
  std::vector<CompileResult> compileMany(const std::vector<CompileRequest> &requests,
                                         ThreadPool *pool = nullptr);

  KernelCacheStats stats() const;
  void resetStats();

  // The on-disk entry (exposed for tests): header {magic "DSKCACHE", u32 format version,
  // u32 header bytes, 32-byte key, u64 payload bytes, 32-byte payload SHA-256} + payload.
  static constexpr uint32_t kFormatVersion = 1;
  static std::string encodeEntry(const std::string &key, const CompileResult &result);
  // Nullopt (and `why`) when the bytes are not a complete, intact entry for `key`.
  static std::optional<CompileResult> decodeEntry(const std::string &bytes,
                                                  const std::string &key, std::string *why);

private:
  CompileResult compileAndStore(const CompileRequest &request, const std::string &key);
  void store(const std::string &key, const CompileResult &result);

  std::string directory_;
  bool enabled_ = true;
  std::atomic<int64_t> hits_{0}, misses_{0}, rebuilt_{0}, compiles_{0}, storeFailures_{0};
  std::atomic<int64_t> compileNanos_{0}, loadNanos_{0};
};

//===----------------------------------------------------------------------===//
// AOT: what `ds-opt --emit=bundle --cuda-arch=sm_80,sm_90a` calls per bundle
//===----------------------------------------------------------------------===//

struct AotKernel {
  std::string name;
  std::vector<CompileResult> cubins;  // one per requested arch, in the order given
  CompileResult ptx;  // PTX for ptxArch(archs): the fallback a newer GPU JIT-compiles
};

// "sm_80,sm_90a" -> {"sm_80", "sm_90a"}; every entry must be a real arch (sm_XY[a|f]),
// duplicates are dropped; throws Error naming the bad entry.
std::vector<std::string> parseArchList(const std::string &list);
// The virtual arch whose PTX every listed device can JIT: compute_XY of the lowest XY
// (arch-specific "a"/"f" suffixes dropped: their PTX only loads on that exact arch).
std::string ptxArch(const std::vector<std::string> &archs);
// Compiles every kernel for every arch plus the PTX fallback, in parallel through the cache.
// Throws one Error listing every kernel that failed (each with its repro).
std::vector<AotKernel> compileAot(KernelCache &cache, const std::vector<CompileRequest> &kernels,
                                  const std::vector<std::string> &archs,
                                  ThreadPool *pool = nullptr);
// One line per (kernel, arch) whose cubin spills and whose kernel is not in `allowed`
// (kernel name -> reason); empty when the build is clean.
std::vector<std::string> spillViolations(const std::vector<AotKernel> &kernels,
                                         const std::map<std::string, std::string> &allowed);

} // namespace ds::rt::cuda
