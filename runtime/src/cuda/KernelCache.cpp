//===- KernelCache.cpp - persistent content-addressed NVRTC results -------===//

#include "cuda/KernelCache.h"

#include "Kernel.h"
#include "Sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

namespace ds::rt::cuda {
namespace {

constexpr char kMagic[8] = {'D', 'S', 'K', 'C', 'A', 'C', 'H', 'E'};
// magic, format version, header size, key, payload size, payload digest
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 32 + 8 + 32;

std::string envOr(const char *name) {
  const char *value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

void appendU32(std::string &out, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    out.push_back(char(uint8_t(value >> (8 * i))));
}
void appendU64(std::string &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(char(uint8_t(value >> (8 * i))));
}
uint64_t readLE(const std::string &bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int i = 0; i < width; ++i)
    value |= uint64_t(uint8_t(bytes[at + i])) << (8 * i);
  return value;
}
void appendField(std::string &out, const std::string &field) {
  appendU64(out, field.size());
  out += field;
}

std::string digestBytes(const std::string &text) {
  Sha256::Digest digest = Sha256::hash(text);
  return std::string(reinterpret_cast<const char *>(digest.data()), digest.size());
}

bool hexToBytes(const std::string &hex, std::string &bytes) {
  if (hex.size() != 64)
    return false;
  bytes.clear();
  for (size_t i = 0; i < 64; i += 2) {
    unsigned value;
    if (std::sscanf(hex.c_str() + i, "%2x", &value) != 1)
      return false;
    bytes.push_back(char(value));
  }
  return true;
}

void makeDirectories(const std::string &path) {
  std::string partial = !path.empty() && path[0] == '/' ? "/" : "";
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty())
      continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("Cannot create the kernel cache directory '" + partial +
                  "': " + std::strerror(errno) + ".");
  }
}

bool readWholeFile(const std::string &path, std::string &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

int64_t nanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start)
      .count();
}

} // namespace

std::string KernelCacheStats::summary() const {
  char line[256];
  std::snprintf(line, sizeof(line),
                "kernel cache: %lld hits, %lld misses, %lld rebuilt, %lld NVRTC compiles "
                "(%.3f s), load %.3f s%s",
                (long long)hits, (long long)misses, (long long)rebuilt, (long long)compiles,
                compileSeconds, loadSeconds,
                storeFailures ? ", some entries could not be written" : "");
  return line;
}

KernelCache::KernelCache(std::string directory)
    : directory_(directory.empty() ? defaultDirectory() : std::move(directory)),
      enabled_(!disabledByEnvironment()) {
  while (directory_.size() > 1 && directory_.back() == '/')
    directory_.pop_back();
}

std::string KernelCache::defaultDirectory() {
  if (std::string dir = envOr("DS_CACHE_DIR"); !dir.empty())
    return dir;
  if (std::string xdg = envOr("XDG_CACHE_HOME"); !xdg.empty())
    return xdg + "/ds/kernels";
  if (std::string home = envOr("HOME"); !home.empty())
    return home + "/.cache/ds/kernels";
  return "/tmp/ds-cache-" + std::to_string(getuid()) + "/kernels";
}

bool KernelCache::disabledByEnvironment() {
  std::string value = envOr("DS_DISABLE_CACHE");
  return !value.empty() && value != "0";
}

std::string KernelCache::keyOf(const CompileRequest &request) const {
  Sha256 hasher;
  hasher.updateField("ds-kernel-cache");
  hasher.updateField(std::to_string(kFormatVersion));
  hasher.updateField(request.source);
  hasher.updateField(std::to_string(request.headers.size()));
  for (const auto &[name, text] : request.headers) {  // std::map: sorted, so order-free
    hasher.updateField(name);
    hasher.updateField(text);
  }
  std::vector<std::string> options = Nvrtc::optionsFor(request);
  hasher.updateField(std::to_string(options.size()));
  for (const std::string &option : options)
    hasher.updateField(option);
  hasher.updateField(Nvrtc::get().version());
  hasher.updateField(request.arch);
  return Sha256::toHex(hasher.finish());
}

std::string KernelCache::entryPath(const std::string &key) const {
  return directory_ + "/" + key + ".kernel";
}

std::string KernelCache::encodeEntry(const std::string &key, const CompileResult &result) {
  std::string payload;
  appendField(payload, result.arch);
  appendU32(payload, uint32_t(result.nvrtcMajor));
  appendU32(payload, uint32_t(result.nvrtcMinor));
  appendField(payload, result.cubin);
  appendField(payload, result.ptx);
  appendField(payload, result.log);

  std::string keyBytes;
  if (!hexToBytes(key, keyBytes))
    throw Error("Kernel cache key '" + key + "' is not 64 hex digits.");
  std::string entry(kMagic, sizeof(kMagic));
  appendU32(entry, kFormatVersion);
  appendU32(entry, uint32_t(kHeaderBytes));
  entry += keyBytes;
  appendU64(entry, payload.size());
  entry += digestBytes(payload);
  entry += payload;
  return entry;
}

std::optional<CompileResult> KernelCache::decodeEntry(const std::string &bytes,
                                                      const std::string &key, std::string *why) {
  auto reject = [&](const std::string &reason) -> std::optional<CompileResult> {
    if (why)
      *why = reason;
    return std::nullopt;
  };
  if (bytes.size() < kHeaderBytes)
    return reject("truncated header (" + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return reject("bad magic");
  if (readLE(bytes, 8, 4) != kFormatVersion)
    return reject("format version " + std::to_string(readLE(bytes, 8, 4)) + ", expected " +
                  std::to_string(kFormatVersion));
  if (readLE(bytes, 12, 4) != kHeaderBytes)
    return reject("bad header size");
  std::string keyBytes;
  if (!hexToBytes(key, keyBytes) || bytes.compare(16, 32, keyBytes) != 0)
    return reject("the entry's key does not match its name");
  uint64_t payloadBytes = readLE(bytes, 48, 8);
  if (payloadBytes != bytes.size() - kHeaderBytes)
    return reject("payload is " + std::to_string(bytes.size() - kHeaderBytes) +
                  " bytes, header says " + std::to_string(payloadBytes));
  std::string payload = bytes.substr(kHeaderBytes);
  if (digestBytes(payload) != bytes.substr(56, 32))
    return reject("payload checksum mismatch");

  CompileResult result;
  size_t at = 0;
  auto field = [&](std::string &out) {
    if (payload.size() - at < 8)
      return false;
    uint64_t size = readLE(payload, at, 8);
    at += 8;
    if (size > payload.size() - at)
      return false;
    out = payload.substr(at, size);
    at += size;
    return true;
  };
  bool ok = field(result.arch) && payload.size() - at >= 8;
  if (ok) {
    result.nvrtcMajor = int(readLE(payload, at, 4));
    result.nvrtcMinor = int(readLE(payload, at + 4, 4));
    at += 8;
    ok = field(result.cubin) && field(result.ptx) && field(result.log) && at == payload.size();
  }
  if (!ok)
    return reject("malformed payload");
  if (!result.cubin.empty()) {
    try {
      result.resources = kernelResources(result.cubin);
    } catch (const Error &error) {
      return reject(std::string("cubin unreadable: ") + error.what());
    }
    mergePtxasReport(result.resources, result.log);
  }
  result.fromCache = true;
  return result;
}

void KernelCache::store(const std::string &key, const CompileResult &result) {
  std::string finalPath = entryPath(key);
  std::string tempPath;
  try {
    makeDirectories(directory_);
    std::string entry = encodeEntry(key, result);
    // A unique temporary name in the same directory: rename() within one file system is
    // atomic, so readers see either no entry or a complete one, and concurrent writers of
    // the same key simply replace each other's identical bytes.
    static std::atomic<uint64_t> counter{0};
    tempPath = directory_ + "/." + key.substr(0, 16) + ".tmp." + std::to_string(getpid()) +
               "." + std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id())) +
               "." + std::to_string(counter.fetch_add(1));
    int fd = ::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      throw Error(std::string("open: ") + std::strerror(errno));
    size_t written = 0;
    while (written < entry.size()) {
      ssize_t n = ::write(fd, entry.data() + written, entry.size() - written);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        int saved = errno;
        ::close(fd);
        throw Error(std::string("write: ") + std::strerror(saved));
      }
      written += size_t(n);
    }
    // Data reaches the disk before the name does, so a crash cannot leave a named
    // half-written entry (and a checksum catches it anyway).
    ::fsync(fd);
    if (::close(fd) != 0)
      throw Error(std::string("close: ") + std::strerror(errno));
    if (std::rename(tempPath.c_str(), finalPath.c_str()) != 0)
      throw Error(std::string("rename: ") + std::strerror(errno));
  } catch (const Error &error) {
    if (!tempPath.empty())
      std::remove(tempPath.c_str());
    if (storeFailures_.fetch_add(1) == 0)
      std::fprintf(stderr, "ds: warning: cannot write kernel cache entry %s (%s); kernels "
                           "will be recompiled next time.\n",
                   finalPath.c_str(), error.what());
  }
}

CompileResult KernelCache::compileAndStore(const CompileRequest &request,
                                           const std::string &key) {
  auto start = std::chrono::steady_clock::now();
  compiles_.fetch_add(1);
  CompileResult result;
  try {
    result = Nvrtc::get().compile(request, enabled_ ? failedDirectory() : "");
  } catch (...) {
    compileNanos_.fetch_add(nanosSince(start));
    throw;
  }
  compileNanos_.fetch_add(nanosSince(start));
  if (enabled_)
    store(key, result);
  return result;
}

CompileResult KernelCache::compile(const CompileRequest &request) {
  std::string key = keyOf(request);
  if (!enabled_) {
    misses_.fetch_add(1);
    return compileAndStore(request, key);
  }
  std::string path = entryPath(key);
  auto start = std::chrono::steady_clock::now();
  std::string bytes;
  if (readWholeFile(path, bytes)) {
    std::string why;
    std::optional<CompileResult> cached = decodeEntry(bytes, key, &why);
    loadNanos_.fetch_add(nanosSince(start));
    if (cached) {
      hits_.fetch_add(1);
      return std::move(*cached);
    }
    // Corrupt, truncated or stale: drop it (another process may have replaced it with a
    // good entry meanwhile; removing that one only costs a recompile) and rebuild.
    std::remove(path.c_str());
    rebuilt_.fetch_add(1);
  } else {
    loadNanos_.fetch_add(nanosSince(start));
    misses_.fetch_add(1);
  }
  return compileAndStore(request, key);
}

std::vector<CompileResult> KernelCache::compileMany(const std::vector<CompileRequest> &requests,
                                                    ThreadPool *pool) {
  // Identical requests (same key) compile once.
  std::vector<std::string> keys;
  std::map<std::string, size_t> uniqueIndex;
  std::vector<size_t> unique;  // request index of each distinct key
  std::vector<size_t> slotOf(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    keys.push_back(keyOf(requests[i]));
    auto [it, inserted] = uniqueIndex.emplace(keys.back(), unique.size());
    if (inserted)
      unique.push_back(i);
    slotOf[i] = it->second;
  }
  std::vector<CompileResult> compiled(unique.size());
  std::vector<std::string> failures(unique.size());
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      try {
        compiled[u] = compile(requests[unique[u]]);
      } catch (const std::exception &error) {
        failures[u] = error.what();
      }
    }
  };
  std::unique_ptr<ThreadPool> ownPool;
  if (!pool && unique.size() > 1) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ownPool = std::make_unique<ThreadPool>(int(std::min<size_t>(unique.size(), cores)));
    pool = ownPool.get();
  }
  if (pool)
    pool->parallelFor(int64_t(unique.size()), 1, body);
  else
    body(0, int64_t(unique.size()));

  std::string message;
  size_t failed = 0;
  for (size_t u = 0; u < unique.size(); ++u)
    if (!failures[u].empty()) {
      ++failed;
      message += "\n" + failures[u];
    }
  if (failed)
    throw Error(std::to_string(failed) + " of " + std::to_string(unique.size()) +
                " kernels failed to compile:" + message);
  std::vector<CompileResult> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i)
    results[i] = compiled[slotOf[i]];
  return results;
}

KernelCacheStats KernelCache::stats() const {
  KernelCacheStats stats;
  stats.hits = hits_.load();
  stats.misses = misses_.load();
  stats.rebuilt = rebuilt_.load();
  stats.compiles = compiles_.load();
  stats.storeFailures = storeFailures_.load();
  stats.compileSeconds = double(compileNanos_.load()) * 1e-9;
  stats.loadSeconds = double(loadNanos_.load()) * 1e-9;
  return stats;
}

void KernelCache::resetStats() {
  hits_ = misses_ = rebuilt_ = compiles_ = storeFailures_ = 0;
  compileNanos_ = loadNanos_ = 0;
}

std::vector<std::string> parseArchList(const std::string &list) {
  std::vector<std::string> archs;
  std::stringstream parts(list);
  std::string arch;
  while (std::getline(parts, arch, ',')) {
    arch.erase(0, arch.find_first_not_of(" \t"));
    arch.erase(arch.find_last_not_of(" \t") + 1);
    if (arch.empty())
      continue;
    size_t digits = 3;
    while (digits < arch.size() && std::isdigit(static_cast<unsigned char>(arch[digits])))
      ++digits;
    bool valid = arch.rfind("sm_", 0) == 0 && digits >= 5 &&
                 (digits == arch.size() ||
                  (digits + 1 == arch.size() && (arch.back() == 'a' || arch.back() == 'f')));
    if (!valid)
      throw Error("CUDA arch '" + arch + "' in --cuda-arch=" + list +
                  " is not of the form sm_XY, sm_XYa or sm_XYf (e.g. sm_80,sm_90a).");
    if (std::find(archs.begin(), archs.end(), arch) == archs.end())
      archs.push_back(arch);
  }
  if (archs.empty())
    throw Error("--cuda-arch='" + list + "' names no CUDA architecture.");
  return archs;
}

std::string ptxArch(const std::vector<std::string> &archs) {
  int lowest = -1;
  for (const std::string &arch : archs) {
    int number = std::atoi(arch.c_str() + arch.find('_') + 1);
    if (lowest < 0 || number < lowest)
      lowest = number;
  }
  if (lowest < 0)
    throw Error("No CUDA architecture to derive a PTX target from.");
  return "compute_" + std::to_string(lowest);
}

std::vector<AotKernel> compileAot(KernelCache &cache, const std::vector<CompileRequest> &kernels,
                                  const std::vector<std::string> &archs, ThreadPool *pool) {
  std::string virtualArch = ptxArch(archs);
  std::vector<CompileRequest> requests;
  for (const CompileRequest &kernel : kernels) {
    for (const std::string &arch : archs) {
      requests.push_back(kernel);
      requests.back().arch = arch;
    }
    requests.push_back(kernel);
    requests.back().arch = virtualArch;
  }
  std::vector<CompileResult> results = cache.compileMany(requests, pool);
  std::vector<AotKernel> aot(kernels.size());
  size_t next = 0;
  for (size_t k = 0; k < kernels.size(); ++k) {
    aot[k].name = kernels[k].name;
    for (size_t a = 0; a < archs.size(); ++a)
      aot[k].cubins.push_back(std::move(results[next++]));
    aot[k].ptx = std::move(results[next++]);
  }
  return aot;
}

std::vector<std::string> spillViolations(const std::vector<AotKernel> &kernels,
                                         const std::map<std::string, std::string> &allowed) {
  std::vector<std::string> violations;
  for (const AotKernel &kernel : kernels)
    for (const CompileResult &cubin : kernel.cubins)
      for (const KernelResources &function : cubin.resources) {
        if (function.spillStores <= 0 && function.spillLoads <= 0)
          continue;
        if (allowed.count(function.name) || allowed.count(kernel.name))
          continue;
        violations.push_back(function.name + " (" + cubin.arch + "): " +
                             std::to_string(function.spillStores) + " bytes spill stores, " +
                             std::to_string(function.spillLoads) + " bytes spill loads, " +
                             std::to_string(function.registers) + " registers");
      }
  return violations;
}

} // namespace ds::rt::cuda
