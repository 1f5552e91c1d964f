//===- Nvrtc.h - NVRTC loaded at run time ---------------------------------===//
//
// The runtime compiles CUDA C++ with NVRTC, which it loads with dlopen on first use:
// every binary links and starts on machines without the CUDA toolkit, and only a compile
// request there fails (with an Error that says what was searched). No CUDA header is
// included; the few entry points are declared here as function pointer types.
//
// Also here: kernelResources(), which reads registers / stack / shared memory per kernel
// from a cubin's ELF (.nv.info attributes), and the parsing of ptxas' verbose report for
// spill bytes, for the spill check of AOT builds.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ds::rt::cuda {

// One compilation: a translation unit, its in-memory headers and options. `arch` is a
// real architecture ("sm_80", "sm_90a": the result holds a cubin and the PTX) or a virtual
// one ("compute_90": PTX only).
struct CompileRequest {
  std::string name;                           // names the saved repro files; "kernel" if empty
  std::string source;
  std::map<std::string, std::string> headers; // include name -> text
  std::vector<std::string> options;           // extra NVRTC options (e.g. "-DN=4")
  std::string arch = "sm_80";
  bool fastMath = false;                      // adds --use_fast_math
  std::string std = "c++17";
};

// What a kernel needs per thread / block, as the cubin records it (cuobjdump's
// "--dump-resource-usage" reads the same attributes). Spill bytes are not in the cubin;
// they come from ptxas' verbose report (-1 when unknown).
struct KernelResources {
  std::string name;
  int registers = 0;
  int64_t sharedBytes = 0;  // static shared memory (.nv.shared.<kernel>)
  int64_t stackBytes = 0;   // per-thread stack (max of frame and min stack size)
  int64_t frameBytes = 0;   // per-thread local frame (arrays, spill slots)
  int64_t spillStores = -1; // bytes, from the ptxas report
  int64_t spillLoads = -1;
};

struct CompileResult {
  std::string cubin;  // ELF bytes; empty for a virtual arch
  std::string ptx;    // empty when NVRTC did not keep it
  std::string log;    // NVRTC's log (warnings; ptxas' verbose report for real archs)
  std::string arch;
  int nvrtcMajor = 0, nvrtcMinor = 0;
  std::vector<KernelResources> resources;  // per kernel, for real archs
  bool fromCache = false;                  // set by KernelCache
  std::string nvrtcVersion() const;        // "13.0"
};

class Nvrtc {
public:
  // The process-wide instance; throws Error (naming every path tried) when NVRTC cannot be
  // loaded. Loading happens once; a failure is remembered.
  static const Nvrtc &get();
  // True when NVRTC can be loaded; `why` receives the reason otherwise.
  static bool available(std::string *why = nullptr);

  int versionMajor() const { return major_; }
  int versionMinor() const { return minor_; }
  std::string version() const;
  const std::string &libraryPath() const { return libraryPath_; }
  std::vector<int> supportedArchs() const;  // e.g. {75, 80, 86, 89, 90, 100, 120}

  // The full option list NVRTC receives for `request` (what the cache key and repro use).
  static std::vector<std::string> optionsFor(const CompileRequest &request);

  // Compiles; on failure throws Error carrying the log, the path of the saved source (under
  // `failedDir`, or a fresh temporary directory when empty) and the full option list.
  CompileResult compile(const CompileRequest &request, const std::string &failedDir = "") const;

  struct Api;  // dlsym'ed entry points

private:
  Nvrtc() = default;
  const Api *api_ = nullptr;
  std::string libraryPath_;
  int major_ = 0, minor_ = 0;
};

// Every kernel (function with a .nv.info.<name> section) of a cubin. Throws Error when the
// bytes are not a 64-bit little-endian ELF or a section runs past the end.
std::vector<KernelResources> kernelResources(const std::string &cubin);
// Names of the function symbols (STT_FUNC) in a cubin's symbol table.
std::vector<std::string> cubinFunctionSymbols(const std::string &cubin);
// Fills spillStores / spillLoads (and registers when the cubin had none) from ptxas'
// verbose report ("Function properties for K ... N bytes spill stores, M bytes spill loads").
void mergePtxasReport(std::vector<KernelResources> &resources, const std::string &log);

// Writes the request's source, headers and a repro script into `dir` (created); returns
// the path of the saved source.
std::string saveRepro(const CompileRequest &request, const std::vector<std::string> &options,
                      const std::string &dir);

} // namespace ds::rt::cuda
