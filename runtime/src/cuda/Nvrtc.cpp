//===- Nvrtc.cpp - NVRTC loaded at run time, cubin resource reader ---------===//

#include "cuda/Nvrtc.h"

#include "Sha256.h"
#include "ds/runtime/Runtime.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace ds::rt::cuda {

// The subset of nvrtc.h the runtime uses; the ABI is C and stable across NVRTC versions.
struct Nvrtc::Api {
  using Program = struct _nvrtcProgram *;
  using Result = int;  // nvrtcResult; 0 is NVRTC_SUCCESS, 6 NVRTC_ERROR_COMPILATION
  const char *(*getErrorString)(Result);
  Result (*version)(int *, int *);
  Result (*getNumSupportedArchs)(int *);
  Result (*getSupportedArchs)(int *);
  Result (*createProgram)(Program *, const char *, const char *, int, const char *const *,
                          const char *const *);
  Result (*destroyProgram)(Program *);
  Result (*compileProgram)(Program, int, const char *const *);
  Result (*getPTXSize)(Program, size_t *);
  Result (*getPTX)(Program, char *);
  Result (*getCUBINSize)(Program, size_t *);
  Result (*getCUBIN)(Program, char *);
  Result (*getProgramLogSize)(Program, size_t *);
  Result (*getProgramLog)(Program, char *);
};

namespace {

std::vector<std::string> libraryCandidates() {
  if (const char *forced = std::getenv("DS_NVRTC_LIBRARY"); forced && *forced)
    return {forced};
  std::vector<std::string> names = {"libnvrtc.so.13", "libnvrtc.so"};
  std::vector<std::string> candidates = names;
  std::vector<std::string> dirs;
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    dirs.push_back(std::string(home) + "/lib64");
  if (const char *path = std::getenv("CUDA_PATH"); path && *path)
    dirs.push_back(std::string(path) + "/lib64");
  dirs.push_back("/usr/local/cuda/lib64");
  for (const std::string &dir : dirs)
    for (const std::string &name : names)
      candidates.push_back(dir + "/" + name);
  return candidates;
}

struct Loaded {
  std::unique_ptr<Nvrtc::Api> api;
  std::string path;
  std::string failure;  // empty when loaded
};

template <class Fn> bool bind(void *handle, const char *symbol, Fn &slot, std::string &missing) {
  slot = reinterpret_cast<Fn>(dlsym(handle, symbol));
  if (!slot)
    missing += missing.empty() ? symbol : std::string(", ") + symbol;
  return slot != nullptr;
}

Loaded loadLibrary() {
  Loaded loaded;
  std::string tried;
  for (const std::string &candidate : libraryCandidates()) {
    void *handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      tried += "\n  " + candidate + ": " + (why ? why : "not found");
      continue;
    }
    auto api = std::make_unique<Nvrtc::Api>();
    std::string missing;
    bind(handle, "nvrtcGetErrorString", api->getErrorString, missing);
    bind(handle, "nvrtcVersion", api->version, missing);
    bind(handle, "nvrtcGetNumSupportedArchs", api->getNumSupportedArchs, missing);
    bind(handle, "nvrtcGetSupportedArchs", api->getSupportedArchs, missing);
    bind(handle, "nvrtcCreateProgram", api->createProgram, missing);
    bind(handle, "nvrtcDestroyProgram", api->destroyProgram, missing);
    bind(handle, "nvrtcCompileProgram", api->compileProgram, missing);
    bind(handle, "nvrtcGetPTXSize", api->getPTXSize, missing);
    bind(handle, "nvrtcGetPTX", api->getPTX, missing);
    bind(handle, "nvrtcGetCUBINSize", api->getCUBINSize, missing);
    bind(handle, "nvrtcGetCUBIN", api->getCUBIN, missing);
    bind(handle, "nvrtcGetProgramLogSize", api->getProgramLogSize, missing);
    bind(handle, "nvrtcGetProgramLog", api->getProgramLog, missing);
    if (!missing.empty()) {
      tried += "\n  " + candidate + ": lacks " + missing + " (NVRTC older than 11.1?)";
      dlclose(handle);
      continue;
    }
    // The library stays loaded for the life of the process (programs may be in flight).
    loaded.api = std::move(api);
    loaded.path = candidate;
    return loaded;
  }
  loaded.failure = "NVRTC (the CUDA runtime compiler) could not be loaded; it is needed to "
                   "compile CUDA kernels. Install the CUDA toolkit 13 (or its nvrtc package), "
                   "set CUDA_HOME, or point DS_NVRTC_LIBRARY at libnvrtc.so. Tried:" +
                   tried;
  return loaded;
}

const Loaded &loadedOnce() {
  static Loaded loaded = loadLibrary();
  return loaded;
}

bool isRealArch(const std::string &arch) { return arch.rfind("sm_", 0) == 0; }

void checkArch(const std::string &arch) {
  auto digitsAfter = [&](size_t prefix) {
    return arch.size() > prefix && std::isdigit(static_cast<unsigned char>(arch[prefix]));
  };
  if (!((arch.rfind("sm_", 0) == 0 && digitsAfter(3)) ||
        (arch.rfind("compute_", 0) == 0 && digitsAfter(8))))
    throw Error("CUDA target architecture '" + arch +
                "' is not of the form sm_XY[a|f] (cubin) or compute_XY[a|f] (PTX only).");
}

std::string joinOptions(const std::vector<std::string> &options) {
  std::string joined;
  for (const std::string &option : options)
    joined += (joined.empty() ? "" : " ") + option;
  return joined;
}

void makeDirectories(const std::string &path) {
  std::string partial;
  std::stringstream parts(path);
  std::string part;
  if (!path.empty() && path[0] == '/')
    partial = "/";
  while (std::getline(parts, part, '/')) {
    if (part.empty())
      continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("Cannot create directory '" + partial + "': " + std::strerror(errno) + ".");
  }
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out)
    throw Error("Cannot write '" + path + "'.");
}

// A header include name as a relative path inside the repro directory.
std::string safeRelativePath(const std::string &name) {
  std::string path;
  for (char c : name)
    path.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                           c == '-' || c == '/'
                       ? c
                       : '_');
  while (!path.empty() && path[0] == '/')
    path.erase(0, 1);
  if (path.empty() || path.find("..") != std::string::npos)
    for (char &c : path)
      if (c == '/' || c == '.')
        c = '_';
  return path.empty() ? "header" : path;
}

} // namespace

std::string CompileResult::nvrtcVersion() const {
  return std::to_string(nvrtcMajor) + "." + std::to_string(nvrtcMinor);
}

bool Nvrtc::available(std::string *why) {
  const Loaded &loaded = loadedOnce();
  if (why)
    *why = loaded.failure;
  return loaded.failure.empty();
}

const Nvrtc &Nvrtc::get() {
  static std::once_flag once;
  static Nvrtc instance;
  const Loaded &loaded = loadedOnce();
  if (!loaded.failure.empty())
    throw Error(loaded.failure);
  std::call_once(once, [&] {
    instance.api_ = loaded.api.get();
    instance.libraryPath_ = loaded.path;
    if (instance.api_->version(&instance.major_, &instance.minor_) != 0)
      instance.major_ = instance.minor_ = 0;
  });
  return instance;
}

std::string Nvrtc::version() const {
  return std::to_string(major_) + "." + std::to_string(minor_);
}

std::vector<int> Nvrtc::supportedArchs() const {
  int count = 0;
  if (api_->getNumSupportedArchs(&count) != 0 || count <= 0)
    return {};
  std::vector<int> archs(static_cast<size_t>(count));
  if (api_->getSupportedArchs(archs.data()) != 0)
    return {};
  return archs;
}

std::vector<std::string> Nvrtc::optionsFor(const CompileRequest &request) {
  // -minimal: kernels use no texture/surface functions and no device-side runtime API, so
  // the front end skips those headers; -pch: NVRTC precompiles the include prefix that the
  // kernels of a bundle share (ds_device.cuh, templates) once per process and reuses it.
  // Together they cut the median compile of the test models' kernels from 91/107 ms to
  // 77/85 ms (sm_80/sm_90a; docs/perf.md, "NVRTC").
  std::vector<std::string> options = {"-arch=" + request.arch, "-std=" + request.std,
                                      "-minimal", "-pch"};
  if (request.fastMath)
    options.push_back("--use_fast_math");
  // ptxas' verbose report is the only source of spill bytes; it costs nothing measurable.
  if (isRealArch(request.arch))
    options.push_back("--ptxas-options=-v");
  options.insert(options.end(), request.options.begin(), request.options.end());
  return options;
}

std::string saveRepro(const CompileRequest &request, const std::vector<std::string> &options,
                      const std::string &dir) {
  makeDirectories(dir);
  std::string name = request.name.empty() ? "kernel" : request.name;
  std::string sourcePath = dir + "/" + safeRelativePath(name) + ".cu";
  writeFile(sourcePath, request.source);
  for (const auto &[include, text] : request.headers) {
    std::string path = dir + "/" + safeRelativePath(include);
    size_t slash = path.rfind('/');
    makeDirectories(path.substr(0, slash));
    writeFile(path, text);
  }
  std::string optionLines;
  for (const std::string &option : options)
    optionLines += option + "\n";
  writeFile(dir + "/options.txt", optionLines);
  // nvcc is the closest command-line equivalent of NVRTC (same front end and ptxas); it
  // does not know NVRTC's compile-time switches -minimal and -pch.
  std::vector<std::string> nvccOptions;
  for (const std::string &option : options)
    if (option != "-minimal" && option != "-pch") nvccOptions.push_back(option);
  std::string script = "#!/bin/sh\n# NVRTC options (options.txt): " + joinOptions(options) +
                       "\ncd \"$(dirname \"$0\")\" && nvcc -cubin -I. " +
                       joinOptions(nvccOptions) + " '" + safeRelativePath(name) +
                       ".cu' -o /dev/null\n";
  writeFile(dir + "/repro.sh", script);
  chmod((dir + "/repro.sh").c_str(), 0755);
  return sourcePath;
}

CompileResult Nvrtc::compile(const CompileRequest &request, const std::string &failedDir) const {
  checkArch(request.arch);
  std::vector<std::string> options = optionsFor(request);
  std::string name = request.name.empty() ? "kernel" : request.name;

  std::vector<const char *> headerTexts, headerNames;
  for (const auto &[include, text] : request.headers) {
    headerNames.push_back(include.c_str());
    headerTexts.push_back(text.c_str());
  }
  std::vector<const char *> optionPointers;
  for (const std::string &option : options)
    optionPointers.push_back(option.c_str());

  auto fail = [&](const std::string &what, int code, const std::string &log) -> Error {
    std::string reproDir;
    if (failedDir.empty()) {
      std::string tmp = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
      std::string pattern = tmp + "/ds-nvrtc-XXXXXX";
      std::vector<char> buffer(pattern.begin(), pattern.end());
      buffer.push_back('\0');
      reproDir = mkdtemp(buffer.data()) ? std::string(buffer.data()) : tmp + "/ds-nvrtc-failed";
    } else {
      Sha256 hasher;
      hasher.updateField(request.source);
      hasher.updateField(joinOptions(options));
      reproDir = failedDir + "/" + safeRelativePath(name) + "-" + Sha256::toHex(hasher.finish()).substr(0, 16);
    }
    std::string savedAt;
    try {
      savedAt = saveRepro(request, options, reproDir);
    } catch (const Error &error) {
      savedAt = std::string("(not saved: ") + error.what() + ")";
    }
    return Error("NVRTC " + version() + " failed to " + what + " kernel '" + name + "' for " +
                 request.arch + " (" + api_->getErrorString(code) + ").\n  source saved to: " +
                 savedAt + "\n  options: " + joinOptions(options) + "\n  repro: " + reproDir +
                 "/repro.sh\n  log:\n" + log);
  };

  Api::Program program = nullptr;
  int status = api_->createProgram(&program, request.source.c_str(), (name + ".cu").c_str(),
                                   static_cast<int>(headerNames.size()), headerTexts.data(),
                                   headerNames.data());
  if (status != 0)
    throw fail("create a program for", status, "");
  struct Destroy {
    const Api *api;
    Api::Program *program;
    ~Destroy() { api->destroyProgram(program); }
  } destroy{api_, &program};

  status = api_->compileProgram(program, static_cast<int>(optionPointers.size()),
                                optionPointers.data());
  CompileResult result;
  size_t logSize = 0;
  if (api_->getProgramLogSize(program, &logSize) == 0 && logSize > 1) {
    result.log.resize(logSize);
    api_->getProgramLog(program, result.log.data());
    result.log.resize(std::strlen(result.log.c_str()));  // drop the terminating NUL(s)
  }
  if (status != 0)
    throw fail("compile", status, result.log);

  result.arch = request.arch;
  result.nvrtcMajor = major_;
  result.nvrtcMinor = minor_;
  size_t size = 0;
  if (api_->getPTXSize(program, &size) == 0 && size > 1) {
    result.ptx.resize(size);
    if (api_->getPTX(program, result.ptx.data()) == 0)
      result.ptx.resize(size - 1);
    else
      result.ptx.clear();
  }
  if (isRealArch(request.arch)) {
    if ((status = api_->getCUBINSize(program, &size)) != 0 || size == 0)
      throw fail("produce a cubin of", status, result.log);
    result.cubin.resize(size);
    if ((status = api_->getCUBIN(program, result.cubin.data())) != 0)
      throw fail("produce a cubin of", status, result.log);
    result.resources = kernelResources(result.cubin);
    mergePtxasReport(result.resources, result.log);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Cubin ELF reading
//===----------------------------------------------------------------------===//

namespace {

// .nv.info entries: {u8 format, u8 attribute, u16 value-or-size}; EIFMT_SVAL (4) is
// followed by `size` bytes. Attribute codes as cuobjdump names them.
constexpr uint8_t kFormatSizedValue = 4;
constexpr uint8_t kAttrFrameSize = 0x11;
constexpr uint8_t kAttrMinStackSize = 0x12;
constexpr uint8_t kAttrMaxStackSize = 0x23;
constexpr uint8_t kAttrRegCount = 0x2f;

class CubinReader {
public:
  explicit CubinReader(const std::string &bytes) : bytes_(bytes) {
    if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
      throw Error("Not a cubin: the " + std::to_string(bytes.size()) +
                  " bytes do not start with an ELF header.");
    std::memcpy(&header_, bytes.data(), sizeof(header_));
    if (header_.e_ident[EI_CLASS] != ELFCLASS64 || header_.e_ident[EI_DATA] != ELFDATA2LSB)
      throw Error("Not a cubin: only 64-bit little-endian ELF is read.");
    if (header_.e_shentsize != sizeof(Elf64_Shdr))
      throw Error("Malformed cubin: section header size " +
                  std::to_string(header_.e_shentsize) + ".");
    check(header_.e_shoff, uint64_t(header_.e_shnum) * sizeof(Elf64_Shdr), "section headers");
    sections_.resize(header_.e_shnum);
    for (size_t i = 0; i < sections_.size(); ++i)
      std::memcpy(&sections_[i], bytes.data() + header_.e_shoff + i * sizeof(Elf64_Shdr),
                  sizeof(Elf64_Shdr));
    if (header_.e_shstrndx >= sections_.size())
      throw Error("Malformed cubin: no section name table.");
    for (const Elf64_Shdr &section : sections_)
      if (section.sh_type != SHT_NOBITS)
        check(section.sh_offset, section.sh_size, "a section");
  }

  size_t sectionCount() const { return sections_.size(); }
  const Elf64_Shdr &section(size_t i) const { return sections_[i]; }
  std::string sectionName(size_t i) const {
    return stringAt(header_.e_shstrndx, sections_[i].sh_name);
  }
  std::string_view contents(size_t i) const {
    if (sections_[i].sh_type == SHT_NOBITS)
      return {};
    return std::string_view(bytes_).substr(sections_[i].sh_offset, sections_[i].sh_size);
  }
  std::string stringAt(size_t tableIndex, uint32_t offset) const {
    std::string_view table = contents(tableIndex);
    if (offset >= table.size())
      return "";
    std::string_view rest = table.substr(offset);
    return std::string(rest.substr(0, rest.find('\0')));
  }

  // Symbol index -> (name, type) of the (single) symbol table.
  std::vector<std::pair<std::string, int>> symbols() const {
    std::vector<std::pair<std::string, int>> result;
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (sections_[i].sh_type != SHT_SYMTAB)
        continue;
      std::string_view table = contents(i);
      for (size_t at = 0; at + sizeof(Elf64_Sym) <= table.size(); at += sizeof(Elf64_Sym)) {
        Elf64_Sym symbol;
        std::memcpy(&symbol, table.data() + at, sizeof(symbol));
        result.emplace_back(stringAt(sections_[i].sh_link, symbol.st_name),
                            ELF64_ST_TYPE(symbol.st_info));
      }
      break;
    }
    return result;
  }

private:
  void check(uint64_t offset, uint64_t size, const char *what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset)
      throw Error(std::string("Malformed cubin: ") + what + " at offset " +
                  std::to_string(offset) + " (+" + std::to_string(size) +
                  " bytes) runs past the end of the " + std::to_string(bytes_.size()) +
                  " bytes.");
  }

  const std::string &bytes_;
  Elf64_Ehdr header_;
  std::vector<Elf64_Shdr> sections_;
};

// Calls `visit(attribute, payload)` for each sized entry of a .nv.info section.
template <class Visit> void forEachInfoEntry(std::string_view info, Visit visit) {
  size_t at = 0;
  while (at + 4 <= info.size()) {
    uint8_t format = uint8_t(info[at]);
    uint8_t attribute = uint8_t(info[at + 1]);
    uint16_t value;
    std::memcpy(&value, info.data() + at + 2, 2);
    at += 4;
    if (format != kFormatSizedValue)
      continue;
    if (value > info.size() - at)
      throw Error("Malformed cubin: a .nv.info entry runs past its section.");
    visit(attribute, info.substr(at, value));
    at += value;
  }
}

} // namespace

std::vector<std::string> cubinFunctionSymbols(const std::string &cubin) {
  CubinReader reader(cubin);
  std::vector<std::string> names;
  for (const auto &[name, type] : reader.symbols())
    if (type == STT_FUNC)
      names.push_back(name);
  return names;
}

std::vector<KernelResources> kernelResources(const std::string &cubin) {
  CubinReader reader(cubin);
  const std::string infoPrefix = ".nv.info.", sharedPrefix = ".nv.shared.";
  std::vector<KernelResources> kernels;
  std::map<std::string, size_t> byName;
  for (size_t i = 0; i < reader.sectionCount(); ++i) {
    std::string name = reader.sectionName(i);
    if (name.rfind(infoPrefix, 0) == 0) {
      byName[name.substr(infoPrefix.size())] = kernels.size();
      kernels.push_back({name.substr(infoPrefix.size())});
    }
  }
  struct PerSymbol {
    int64_t registers = -1, frame = 0, minStack = 0, maxStack = -1;
  };
  std::map<uint32_t, PerSymbol> perSymbol;
  for (size_t i = 0; i < reader.sectionCount(); ++i) {
    std::string name = reader.sectionName(i);
    if (name == ".nv.info") {
      forEachInfoEntry(reader.contents(i), [&](uint8_t attribute, std::string_view payload) {
        if (payload.size() < 8)
          return;
        uint32_t symbol, value;
        std::memcpy(&symbol, payload.data(), 4);
        std::memcpy(&value, payload.data() + 4, 4);
        PerSymbol &entry = perSymbol[symbol];
        switch (attribute) {
        case kAttrRegCount: entry.registers = value; break;
        case kAttrFrameSize: entry.frame = value; break;
        case kAttrMinStackSize: entry.minStack = value; break;
        case kAttrMaxStackSize: entry.maxStack = value; break;
        default: break;
        }
      });
    } else if (name.rfind(sharedPrefix, 0) == 0) {
      auto found = byName.find(name.substr(sharedPrefix.size()));
      if (found != byName.end())
        kernels[found->second].sharedBytes = int64_t(reader.section(i).sh_size);
    }
  }
  std::vector<std::pair<std::string, int>> symbols = reader.symbols();
  for (const auto &[index, entry] : perSymbol) {
    if (index >= symbols.size())
      continue;
    auto found = byName.find(symbols[index].first);
    if (found == byName.end())
      continue;
    KernelResources &kernel = kernels[found->second];
    kernel.registers = int(std::max<int64_t>(entry.registers, 0));
    kernel.frameBytes = entry.frame;
    // A kernel that calls non-inlined functions needs their frames too (max stack).
    kernel.stackBytes = entry.maxStack >= 0 ? entry.maxStack : entry.minStack;
  }
  return kernels;
}

void mergePtxasReport(std::vector<KernelResources> &resources, const std::string &log) {
  // "ptxas info    : Function properties for K\n    F bytes stack frame, S bytes spill
  // stores, L bytes spill loads"
  const std::string marker = "Function properties for ";
  size_t at = 0;
  while ((at = log.find(marker, at)) != std::string::npos) {
    at += marker.size();
    size_t end = log.find('\n', at);
    if (end == std::string::npos)
      break;
    std::string name = log.substr(at, end - at);
    while (!name.empty() && (name.back() == '\r' || name.back() == ' '))
      name.pop_back();
    size_t lineEnd = log.find('\n', end + 1);
    std::string line = log.substr(end + 1, lineEnd == std::string::npos ? std::string::npos
                                                                         : lineEnd - end - 1);
    // nvcc prints "    F bytes ..."; NVRTC prefixes "ptxas         .": read the numbers
    // just before the phrases.
    auto numberBefore = [&](const char *phrase) -> int64_t {
      size_t found = line.find(phrase);
      if (found == std::string::npos)
        return -1;
      size_t begin = found;
      while (begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1])))
        --begin;
      return begin == found ? -1 : std::stoll(line.substr(begin, found - begin));
    };
    int64_t stores = numberBefore(" bytes spill stores");
    int64_t loads = numberBefore(" bytes spill loads");
    if (stores < 0 || loads < 0)
      continue;
    for (KernelResources &kernel : resources)
      if (kernel.name == name) {
        kernel.spillStores = stores;
        kernel.spillLoads = loads;
      }
  }
}

} // namespace ds::rt::cuda
