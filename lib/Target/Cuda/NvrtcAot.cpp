//===- NvrtcAot.cpp - ahead-of-time kernel compilation with NVRTC ---------===//
//
// The --cuda-arch hook of the bundle writer: compiles a bundle's generated kernels with
// the runtime's NVRTC layer (MLIR-free, dlopens NVRTC, caches results under
// DS_CACHE_DIR) and writes K.<arch>.cubin per arch plus K.ptx, the files the cuda backend
// loads before it falls back to compiling the source. A cubin that spills registers is an
// error unless the kernel is on the spill allow-list (spill_allowlist.txt, embedded).
//
// The runtime reports failures with exceptions; this file is compiled with -fexceptions
// and turns them into llvm::Error at the boundary.
//
//===----------------------------------------------------------------------===//

#include "ds/Target/Cuda/CudaCodegen.h"
#include "EmbeddedKernelHeaders.h"
#include "cuda/KernelCache.h"
#include "cuda/Nvrtc.h"
#include "ds/runtime/Runtime.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <exception>

using namespace mlir::ds;

namespace {
/// lib/Target/Cuda/spill_allowlist.txt, embedded at build time (CMakeLists.txt).
const char kSpillAllowlist[] =
#include "SpillAllowlist.inc"
    ;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Writes `bytes` to `path` (binary), naming the file on failure.
llvm::Error writeBinary(llvm::StringRef path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << bytes;
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}
} // namespace

std::vector<std::pair<std::string, std::string>> cuda::spillAllowlist() {
  std::vector<std::pair<std::string, std::string>> entries;
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(kSpillAllowlist).split(lines, '\n');
  for (llvm::StringRef line : lines) {
    line = line.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    size_t space = line.find_first_of(" \t");
    entries.emplace_back(line.substr(0, space).str(), line.substr(space).trim().str());
  }
  return entries;
}

llvm::Expected<std::vector<std::string>>
cuda::parseCudaArchs(llvm::ArrayRef<std::string> archs) {
  try {
    return ::ds::rt::cuda::parseArchList(llvm::join(archs, ","));
  } catch (const std::exception &e) {
    return makeError(e.what());
  }
}

static llvm::Error compileKernelsAot(llvm::StringRef kernelsDir,
                                     llvm::ArrayRef<cuda::GeneratedKernel> kernels,
                                     llvm::ArrayRef<std::string> archList) {
  namespace rtc = ::ds::rt::cuda;
  std::vector<std::string> archs;
  if (llvm::Error e = cuda::parseCudaArchs(archList).moveInto(archs))
    return e;
  std::string why;
  if (!rtc::Nvrtc::available(&why))
    return makeError("--cuda-arch=" + llvm::join(archs, ",") +
                     ": ahead-of-time compilation needs NVRTC, which cannot be loaded: " + why);

  // The same in-memory headers the runtime gives NVRTC (the embedded templates), so a
  // runtime compile of the same source hits the same cache entries.
  std::map<std::string, std::string> headers;
  size_t count = 0;
  const ::ds::kernels::EmbeddedHeader *embedded = ::ds::kernels::embeddedHeaders(&count);
  for (size_t i = 0; i < count; ++i)
    headers[embedded[i].name] = std::string(embedded[i].text, embedded[i].size);
  std::vector<rtc::CompileRequest> requests;
  for (const cuda::GeneratedKernel &kernel : kernels) {
    rtc::CompileRequest request;
    request.name = kernel.name;
    request.source = kernel.source;
    request.headers = headers;
    requests.push_back(std::move(request));
  }

  std::vector<rtc::AotKernel> compiled;
  try {
    rtc::KernelCache cache; // DS_CACHE_DIR, else the user's cache directory
    compiled = rtc::compileAot(cache, requests, archs);
  } catch (const std::exception &e) {
    return makeError("--cuda-arch=" + llvm::join(archs, ",") + ": " + e.what());
  }

  // Spills: every kernel whose name starts with an allow-list prefix may spill.
  std::vector<std::pair<std::string, std::string>> allowlist = cuda::spillAllowlist();
  for (const auto &[prefix, reason] : allowlist)
    if (reason.empty())
      return makeError("lib/Target/Cuda/spill_allowlist.txt: the entry '" + prefix +
                       "' gives no reason; every allowed spill needs one");
  std::map<std::string, std::string> allowed;
  for (const rtc::AotKernel &kernel : compiled)
    for (const rtc::CompileResult &cubin : kernel.cubins)
      for (const rtc::KernelResources &function : cubin.resources)
        for (const auto &[prefix, reason] : allowlist)
          if (llvm::StringRef(function.name).starts_with(prefix))
            allowed[function.name] = reason;
  std::vector<std::string> spills = rtc::spillViolations(compiled, allowed);
  if (!spills.empty())
    return makeError("--cuda-arch=" + llvm::join(archs, ",") + ": " +
                     llvm::Twine(spills.size()) +
                     " kernel(s) spill registers (allow one with a reason in "
                     "lib/Target/Cuda/spill_allowlist.txt):\n  " +
                     llvm::join(spills, "\n  "));

  for (const rtc::AotKernel &kernel : compiled) {
    for (const rtc::CompileResult &cubin : kernel.cubins) {
      if (cubin.cubin.empty())
        return makeError("NVRTC returned no cubin for kernel '" + kernel.name + "' (" +
                         cubin.arch + ")");
      llvm::SmallString<256> path(kernelsDir);
      llvm::sys::path::append(path, kernel.name + "." + cubin.arch + ".cubin");
      if (llvm::Error e = writeBinary(path, cubin.cubin))
        return e;
    }
    if (kernel.ptx.ptx.empty())
      return makeError("NVRTC returned no PTX for kernel '" + kernel.name + "' (" +
                       kernel.ptx.arch + ")");
    llvm::SmallString<256> path(kernelsDir);
    llvm::sys::path::append(path, kernel.name + ".ptx");
    if (llvm::Error e = writeBinary(path, kernel.ptx.ptx))
      return e;
  }
  return llvm::Error::success();
}

cuda::AotCompileFn cuda::nvrtcAotCompiler() { return compileKernelsAot; }
