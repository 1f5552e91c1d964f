// Host compilation and the content-addressed cache of emulated kernel objects.
//
// An entry is a directory <root>/emulate/<key>/ holding include/ (the embedded headers),
// sources/ (one file per kernel source), unit<N>.cpp (translation units that include a
// few sources each, every source inside its own namespace so helpers of different kernels
// never clash), module.so and module.sum ("<key> <bytes> <checksum>"). It is built in a
// temporary directory and renamed into place, so readers never see a partial entry.
#include "emulate/KernelCompiler.h"

#include "EmbeddedKernelHeaders.h"
#include "Sha256.h"
#include "cuda/KernelCache.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ds::rt::emu {

namespace {

constexpr const char *kCompileFlags = "-std=c++17 -O1 -fPIC -fvisibility=hidden -g0 -w";

std::string envOr(const char *name, const std::string &fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string shellQuote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

void makeDirs(const std::string &path) {
  std::string partial;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') partial = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("emulator: cannot create directory " + partial + ": " + std::strerror(errno));
  }
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.good()) throw Error("emulator: cannot write " + path);
}

bool readFile(const std::string &path, std::string &text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

void removeTree(const std::string &path) {
  if (DIR *dir = opendir(path.c_str())) {
    while (dirent *e = readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string child = path + "/" + name;
      struct stat st;
      if (lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) removeTree(child);
      else unlink(child.c_str());
    }
    closedir(dir);
  }
  rmdir(path.c_str());
}

// Runs a shell command, returning its exit status and combined output.
int runCommand(const std::string &command, std::string &output) {
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string &compilerVersion(const std::string &compiler) {
  static std::mutex mutex;
  static std::map<std::string, std::string> versions;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = versions.find(compiler);
  if (it != versions.end()) return it->second;
  std::string out;
  int rc = runCommand(shellQuote(compiler) + " --version", out);
  if (rc != 0)
    throw Error("emulator: cannot run the host C++ compiler '" + compiler + "' (" + out +
                "); install one or set DS_EMU_CXX");
  return versions.emplace(compiler, out.substr(0, out.find('\n'))).first->second;
}

std::string moduleChecksum(const std::string &bytes) { return Sha256::hexOf(bytes); }

// An existing entry is usable when its checksum file names this key and matches the
// object's bytes.
bool entryValid(const std::string &entry, const std::string &key) {
  std::string sum, so;
  if (!readFile(entry + "/module.sum", sum) || !readFile(entry + "/module.so", so)) return false;
  std::istringstream in(sum);
  std::string gotKey, gotChecksum;
  size_t gotBytes = 0;
  in >> gotKey >> gotBytes >> gotChecksum;
  return gotKey == key && gotBytes == so.size() && gotChecksum == moduleChecksum(so);
}

std::atomic<uint64_t> gBuildCounter{0};

struct Unit {
  std::string path;
  std::vector<size_t> sources;
};

}  // namespace

// The same directory rules as the NVRTC cache (one place: cuda::KernelCache).
std::string kernelCacheRoot() { return cuda::KernelCache::defaultDirectory(); }

CompileResult compileKernels(const std::vector<KernelSource> &allSources,
                             const std::vector<std::string> &defines, const std::string &label) {
  // Deduplicate by content; one name must not carry two different texts.
  std::vector<KernelSource> sources;
  std::map<std::string, size_t> byName;
  for (const KernelSource &s : allSources) {
    auto it = byName.find(s.name);
    if (it != byName.end()) {
      if (sources[it->second].text != s.text)
        throw Error(label + ": two different kernel sources define '" + s.name + "' (" +
                    sources[it->second].origin + " and " + s.origin + ")");
      continue;
    }
    byName.emplace(s.name, sources.size());
    sources.push_back(s);
  }
  std::sort(sources.begin(), sources.end(),
            [](const KernelSource &a, const KernelSource &b) { return a.name < b.name; });
  for (const KernelSource &s : sources) {
    bool ok = !s.name.empty() && !std::isdigit(static_cast<unsigned char>(s.name[0]));
    for (char c : s.name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok)
      throw Error(label + ": kernel name '" + s.name + "' (" + s.origin +
                  ") is not a C identifier");
  }

  const std::string compiler = envOr("DS_EMU_CXX", "c++");
  size_t headerCount = 0;
  const kernels::EmbeddedHeader *headers = kernels::embeddedHeaders(&headerCount);

  // SHA-256 of everything that determines the object.
  Sha256 key;
  key.updateField("ds-emulate-module " + std::to_string(ds::emu::kAbiVersion));
  key.updateField(compiler);
  key.updateField(compilerVersion(compiler));
  key.updateField(kCompileFlags);
  for (const std::string &d : defines) key.updateField(d);
  for (size_t i = 0; i < headerCount; ++i) {
    key.updateField(headers[i].name);
    key.updateField(std::string_view(headers[i].text, headers[i].size));
  }
  for (const KernelSource &s : sources) {
    key.updateField(s.name);
    key.updateField(s.text);
  }
  const std::string keyHex = Sha256::toHex(key.finish());

  CompileResult result;
  const bool useCache = !cuda::KernelCache::disabledByEnvironment();
  const std::string root = useCache ? kernelCacheRoot() + "/emulate"
                                    : envOr("TMPDIR", "/tmp") + "/ds-emulate";
  const std::string entry = root + "/" + keyHex;
  makeDirs(root);

  if (useCache && fileExists(entry)) {
    if (entryValid(entry, keyHex)) {
      try {
        result.module = KernelModule::open(entry + "/module.so");
        result.cacheHit = true;
        result.entryPath = entry;
        return result;
      } catch (const Error &) {
        // Unloadable despite a matching checksum: rebuild below.
      }
    }
    // Corrupt or foreign: move it aside (atomically) and rebuild.
    std::string trash = root + "/corrupt-" + keyHex + "-" + std::to_string(getpid()) + "-" +
                        std::to_string(++gBuildCounter);
    if (std::rename(entry.c_str(), trash.c_str()) == 0) removeTree(trash);
  }

  // Build in a private directory.
  const std::string build = root + "/tmp-" + keyHex + "-" + std::to_string(getpid()) + "-" +
                            std::to_string(++gBuildCounter);
  removeTree(build);
  makeDirs(build + "/include");
  makeDirs(build + "/sources");
  for (size_t i = 0; i < headerCount; ++i)
    writeFile(build + "/include/" + headers[i].name, std::string(headers[i].text, headers[i].size));
  for (const KernelSource &s : sources) writeFile(build + "/sources/" + s.name + ".cu", s.text);

  // A few translation units, compiled in parallel.
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  size_t unitCount = std::max<size_t>(1, std::min<size_t>(sources.size(), hw));
  std::vector<Unit> units(unitCount);
  for (size_t i = 0; i < sources.size(); ++i) units[i % unitCount].sources.push_back(i);
  for (size_t u = 0; u < unitCount; ++u) {
    std::string text = "// Generated by the ds emulator: kernel sources, each in its own namespace.\n"
                       "#include \"ds_device.cuh\"\n";
    // The sources' own includes first, so the copies inside the namespaces are no-ops
    // (headers must be include-guarded).
    std::set<std::string> seen;
    for (size_t i : units[u].sources) {
      std::istringstream lines(sources[i].text);
      std::string line;
      while (std::getline(lines, line)) {
        size_t p = line.find_first_not_of(" \t");
        if (p != std::string::npos && line.compare(p, 8, "#include") == 0 && seen.insert(line).second)
          text += line.substr(p) + "\n";
      }
    }
    for (size_t i : units[u].sources)
      text += "namespace ds_source_" + std::to_string(i) + " {\n#include \"sources/" +
              sources[i].name + ".cu\"\n}\n";
    units[u].path = build + "/unit" + std::to_string(u) + ".cpp";
    writeFile(units[u].path, text);
  }
  std::string defineFlags;
  for (const std::string &d : defines) defineFlags += " " + shellQuote("-D" + d);
  auto compileCommand = [&](const std::string &input, const std::string &output) {
    return shellQuote(compiler) + " " + kCompileFlags + defineFlags + " -I" +
           shellQuote(build + "/include") + " -c " + shellQuote(input) + " -o " + shellQuote(output);
  };

  std::vector<std::string> outputs(unitCount), commands(unitCount);
  std::vector<int> status(unitCount, 0);
  std::vector<std::thread> workers;
  for (size_t u = 0; u < unitCount; ++u) {
    commands[u] = compileCommand(units[u].path, build + "/unit" + std::to_string(u) + ".o");
    workers.emplace_back([&, u] { status[u] = runCommand(commands[u], outputs[u]); });
  }
  for (auto &w : workers) w.join();
  // A failed build is kept for the repro, as <root>/failed-<key>; messages name it.
  auto keepFailed = [&](std::string text) {
    std::string failed = root + "/failed-" + keyHex;
    removeTree(failed);
    if (std::rename(build.c_str(), failed.c_str()) != 0) return text;
    for (size_t at = 0; (at = text.find(build, at)) != std::string::npos; at += failed.size())
      text.replace(at, build.size(), failed);
    return text;
  };
  for (size_t u = 0; u < unitCount; ++u) {
    if (status[u] == 0) continue;
    // Name the failing source: the first one the compiler output mentions.
    std::string culprit;
    for (size_t i : units[u].sources)
      if (outputs[u].find("sources/" + sources[i].name + ".cu") != std::string::npos) {
        culprit = sources[i].name;
        break;
      }
    std::string saved = culprit.empty() ? units[u].path : build + "/sources/" + culprit + ".cu";
    std::string origin;
    for (size_t i : units[u].sources)
      if (sources[i].name == culprit) origin = " (" + sources[i].origin + ")";
    throw Error(keepFailed(label + ": the host compiler failed on kernel " +
                           (culprit.empty() ? std::string("sources") : "'" + culprit + "'") +
                           origin + "\n  saved source: " + saved + "\n  command: " +
                           commands[u] + "\n" + outputs[u]));
  }
  std::string linkCommand = shellQuote(compiler) + " -shared -o " + shellQuote(build + "/module.so");
  for (size_t u = 0; u < unitCount; ++u)
    linkCommand += " " + shellQuote(build + "/unit" + std::to_string(u) + ".o");
  std::string linkOutput;
  if (runCommand(linkCommand, linkOutput) != 0)
    throw Error(keepFailed(label + ": linking the emulated kernels failed\n  directory: " + build +
                           "\n  command: " + linkCommand + "\n" + linkOutput));
  for (size_t u = 0; u < unitCount; ++u) unlink((build + "/unit" + std::to_string(u) + ".o").c_str());

  std::string so;
  if (!readFile(build + "/module.so", so)) throw Error(label + ": cannot read " + build + "/module.so");
  writeFile(build + "/module.sum", keyHex + " " + std::to_string(so.size()) + " " +
                                        moduleChecksum(so) + "\n");
  result.translationUnits = static_cast<int>(unitCount);

  if (!useCache) {
    result.module = KernelModule::open(build + "/module.so");
    removeTree(build);  // the loaded object stays mapped
    result.entryPath = build;
    return result;
  }
  if (std::rename(build.c_str(), entry.c_str()) != 0) {
    // Another process installed the same entry first: use theirs when valid.
    removeTree(build);
    if (!entryValid(entry, keyHex))
      throw Error(label + ": cannot install the kernel cache entry " + entry + ": " +
                  std::strerror(errno));
  }
  result.module = KernelModule::open(entry + "/module.so");
  result.entryPath = entry;
  return result;
}

}  // namespace ds::rt::emu
