// ds-run: runs a bundle on inputs from .npy files or the command line, writes or compares
// the outputs, benchmarks and profiles. See docs/runtime.md for the full usage.
#include "Kernel.h"
#include "Npy.h"
#include "ds/runtime/Runtime.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace ds::rt;

namespace {

const char *kUsage =
    "usage: ds-run MODEL.dsb [options]\n"
    "  --device=DEVICE            cpu (default), emulate (generated CUDA kernels on the\n"
    "                             host), cuda, or auto (cuda when a GPU is present, else cpu)\n"
    "  --threads=N                worker threads (default: all cores)\n"
    "  --input=NAME=@file.npy     an input from a .npy file (NAME= may be omitted: inputs\n"
    "                             without a name fill the remaining inputs in order);\n"
    "                             @file.npy:bf16 reads raw 2-byte/1-byte data as that dtype\n"
    "  --input=NAME=2x3xf32=1,2,3,4,5,6   an inline input (dims, dtype, values; one value\n"
    "                             fills the whole tensor; a scalar is f32=3)\n"
    "  --output-dir=DIR           write NAME.npy per output\n"
    "  --output=@file.npy         write outputs in order (repeatable)\n"
    "  --expected-output=@file.npy  compare outputs in order (repeatable)\n"
    "  --rtol=1e-4 --atol=1e-5    tolerances: |got - expected| <= atol + rtol*|expected|\n"
    "  --benchmark=N              one warm-up run, then N timed runs\n"
    "  --profile                  time per step (with --device=emulate: steps run through\n"
    "                             generated kernels vs on cpu kernels; with --device=cuda:\n"
    "                             GPU time of each kernel from CUDA events, no graphs);\n"
    "                             bytes = the step's inputs + outputs at the call's shapes\n"
    "  --profile-json=FILE        --profile, and the rows with operand shapes as JSON\n"
    "  --info                     describe the bundle and exit\n";

struct Options {
  std::string bundle;
  std::string device = "cpu";
  int threads = 0;
  std::vector<std::string> inputs;
  std::string outputDir;
  std::vector<std::string> outputs;
  std::vector<std::string> expected;
  double rtol = 1e-4, atol = 1e-5;
  int benchmark = 0;
  bool profile = false, info = false;
  std::string profileJson;
};

[[noreturn]] void usageError(const std::string &message) {
  throw Error(message + " (ds-run --help shows the usage)");
}

int64_t parseInt(const std::string &text, const std::string &what) {
  size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &pos);
  } catch (const std::exception &) {
    pos = 0;
  }
  if (text.empty() || pos != text.size()) throw Error(what + ": '" + text + "' is not an integer");
  return v;
}

double parseDouble(const std::string &text, const std::string &what) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  if (t == "nan" || t == "+nan" || t == "-nan") return std::nan("");
  if (t == "inf" || t == "+inf") return INFINITY;
  if (t == "-inf") return -INFINITY;
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception &) {
    pos = 0;
  }
  if (text.empty() || pos != text.size()) throw Error(what + ": '" + text + "' is not a number");
  return v;
}

std::string fileArg(const std::string &flag, const std::string &value) {
  if (value.size() < 2 || value[0] != '@')
    usageError(flag + " expects @FILE.npy, got '" + value + "'");
  return value.substr(1);
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    std::string flag = arg.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    bool hasValue = eq != std::string::npos;
    auto need = [&] {
      if (!hasValue || value.empty()) usageError(flag + " needs a value (" + flag + "=...)");
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg.rfind("-", 0) != 0) {
      if (!o.bundle.empty()) usageError("more than one bundle given: '" + o.bundle + "' and '" + arg + "'");
      o.bundle = arg;
    } else if (flag == "--device") {
      need();
      o.device = value;
    } else if (flag == "--threads") {
      need();
      int64_t n = parseInt(value, "--threads");
      if (n < 0) usageError("--threads must be >= 0, got " + value);
      o.threads = static_cast<int>(n);
    } else if (flag == "--input") {
      need();
      o.inputs.push_back(value);
    } else if (flag == "--output-dir") {
      need();
      o.outputDir = value;
    } else if (flag == "--output") {
      need();
      o.outputs.push_back(fileArg(flag, value));
    } else if (flag == "--expected-output") {
      need();
      o.expected.push_back(fileArg(flag, value));
    } else if (flag == "--rtol" || flag == "--atol") {
      need();
      double v = parseDouble(value, flag);
      if (!(v >= 0)) usageError(flag + " must be a non-negative number, got " + value);
      (flag == "--rtol" ? o.rtol : o.atol) = v;
    } else if (flag == "--benchmark") {
      need();
      int64_t n = parseInt(value, "--benchmark");
      if (n < 1) usageError("--benchmark must be >= 1, got " + value);
      o.benchmark = static_cast<int>(n);
    } else if (arg == "--profile") {
      o.profile = true;
    } else if (flag == "--profile-json") {
      need();
      o.profile = true;
      o.profileJson = value;
    } else if (arg == "--info") {
      o.info = true;
    } else {
      usageError("unknown option '" + arg + "'");
    }
  }
  if (o.bundle.empty()) usageError("no bundle given");
  return o;
}

// "2x3xf32" -> dims and dtype; "f32" -> a scalar.
bool parseTypeSpec(const std::string &spec, Shape &shape, DType &dtype) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t x = spec.find('x', start);
    parts.push_back(spec.substr(start, x == std::string::npos ? std::string::npos : x - start));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  auto t = parseDType(parts.back());
  if (!t) return false;
  shape.clear();
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string &p = parts[i];
    if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos) return false;
    shape.push_back(std::stoll(p));
  }
  dtype = *t;
  return true;
}

Tensor parseInline(const std::string &label, const Shape &shape, DType dtype,
                   const std::string &valuesText) {
  std::vector<std::string> items;
  if (!valuesText.empty()) {
    std::stringstream ss(valuesText);
    std::string item;
    while (std::getline(ss, item, ',')) items.push_back(item);
    if (valuesText.back() == ',') items.push_back("");
  }
  Tensor t = Tensor::empty(dtype, shape);
  int64_t n = t.numel();
  if (static_cast<int64_t>(items.size()) != n && !(items.size() == 1 && n > 0))
    throw Error(label + ": " + shapeToString(shape) + "x" + dtypeName(dtype) + " needs " +
                std::to_string(n) + " value" + (n == 1 ? "" : "s") + " (or one to fill it), got " +
                std::to_string(items.size()));
  TensorView v{dtype, shape, t.data(), true};
  for (int64_t i = 0; i < n; ++i) {
    const std::string &s = items.size() == 1 ? items[0] : items[i];
    std::string what = label + " value " + std::to_string(i);
    if (isFloat(dtype)) {
      storeFromDouble(v, i, parseDouble(s, what));
    } else if (dtype == DType::I1) {
      if (s == "true" || s == "True") storeFromInt(v, i, 1);
      else if (s == "false" || s == "False") storeFromInt(v, i, 0);
      else storeFromInt(v, i, parseInt(s, what) != 0);
    } else if (dtype == DType::U64) {
      size_t pos = 0;
      unsigned long long u = 0;
      try { u = std::stoull(s, &pos); } catch (const std::exception &) { pos = 0; }
      if (s.empty() || pos != s.size() || s[0] == '-') throw Error(what + ": '" + s + "' is not an unsigned integer");
      t.as<uint64_t>()[i] = u;
    } else {
      int64_t x = parseInt(s, what);
      // Reject values the dtype cannot hold rather than wrapping silently.
      TensorView probe = v;
      storeFromInt(probe, i, x);
      if (loadAsInt(probe, i) != x)
        throw Error(what + ": " + s + " does not fit in " + dtypeName(dtype));
    }
  }
  return t;
}

// Reads "file.npy" or "file.npy:DTYPE" (the suffix reinterprets raw ml_dtypes data).
Tensor readNpyArg(const std::string &arg, std::optional<DType> expected) {
  std::string path = arg;
  std::optional<DType> rawAs = expected;
  auto colon = arg.rfind(':');
  if (colon != std::string::npos) {
    if (auto t = parseDType(arg.substr(colon + 1))) {
      path = arg.substr(0, colon);
      rawAs = *t;
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throw Error(path + ": file not found");
  return readNpy(path, rawAs);
}

std::vector<Tensor> buildInputs(const Bundle &bundle, const Options &o) {
  const auto &infos = bundle.inputs();
  std::vector<Tensor> inputs(infos.size());
  std::vector<bool> given(infos.size(), false);
  std::vector<std::string> unnamed;
  auto indexOf = [&](const std::string &name) -> int {
    for (size_t i = 0; i < infos.size(); ++i)
      if (infos[i].name == name) return static_cast<int>(i);
    return -1;
  };
  auto inputNames = [&] {
    std::string s;
    for (const auto &t : infos) s += (s.empty() ? "" : ", ") + t.name;
    return s.empty() ? std::string("none") : s;
  };
  auto load = [&](int index, const std::string &spec) {
    const TensorInfo &info = infos[index];
    std::string label = "input '" + info.name + "'";
    if (given[index]) throw Error(label + " is given twice");
    given[index] = true;
    if (!spec.empty() && spec[0] == '@') {
      inputs[index] = readNpyArg(spec.substr(1), info.dtype);
      return;
    }
    auto eq = spec.find('=');
    Shape shape;
    DType dtype;
    if (eq == std::string::npos || !parseTypeSpec(spec.substr(0, eq), shape, dtype))
      throw Error(label + ": malformed inline value '" + spec +
                  "' (expected DIMSxDTYPE=v1,v2,... such as 2x3xf32=1,2,3,4,5,6, or f32=3 "
                  "for a scalar, or @file.npy)");
    inputs[index] = parseInline(label, shape, dtype, spec.substr(eq + 1));
  };
  for (const auto &spec : o.inputs) {
    if (spec[0] == '@') {
      unnamed.push_back(spec);
      continue;
    }
    auto eq = spec.find('=');
    std::string head = spec.substr(0, eq);
    int index = indexOf(head);
    Shape shape;
    DType dtype;
    if (index >= 0 && eq != std::string::npos) {
      load(index, spec.substr(eq + 1));
    } else if (eq != std::string::npos && parseTypeSpec(head, shape, dtype)) {
      unnamed.push_back(spec);
    } else if (eq != std::string::npos) {
      throw Error("--input=" + spec + ": unknown input name '" + head + "' (inputs: " +
                  inputNames() + ")");
    } else {
      throw Error("--input=" + spec + ": malformed input (expected NAME=@file.npy, "
                  "NAME=2x3xf32=1,2,..., @file.npy or 2x3xf32=1,2,...)");
    }
  }
  size_t next = 0;
  for (const auto &spec : unnamed) {
    while (next < infos.size() && given[next]) ++next;
    if (next >= infos.size())
      throw Error("--input=" + spec + ": too many inputs (the bundle has " +
                  std::to_string(infos.size()) + ": " + inputNames() + ")");
    load(static_cast<int>(next), spec);
  }
  for (size_t i = 0; i < infos.size(); ++i) {
    if (given[i]) continue;
    std::string shape;
    for (size_t d = 0; d < infos[i].shape.size(); ++d)
      shape += (d ? "x" : "") + (infos[i].shape[d] >= 0 ? std::to_string(infos[i].shape[d])
                                                        : (infos[i].dims[d].empty() ? "?" : infos[i].dims[d]));
    throw Error("missing input '" + infos[i].name + "' (" + shape + (shape.empty() ? "" : "x") +
                dtypeName(infos[i].dtype) + "); give it with --input=" + infos[i].name +
                "=@file.npy");
  }
  return inputs;
}

std::string formatValue(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string indexString(const Shape &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] > 0) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
  return s + "]";
}

std::string shapeList(const Shape &shape) {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

void printSummary(const std::string &name, const Tensor &t) {
  TensorView v{t.dtype(), t.shape(), const_cast<void *>(t.data()), true};
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  int64_t nans = 0, counted = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    double x = loadAsDouble(v, i);
    if (std::isnan(x)) { ++nans; continue; }
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    sum += x;
    ++counted;
  }
  std::cout << name << ": " << dtypeName(t.dtype()) << " " << shapeList(t.shape());
  if (counted)
    std::cout << " min=" << formatValue(mn) << " max=" << formatValue(mx)
              << " mean=" << formatValue(sum / counted);
  if (nans) std::cout << " nan=" << nans;
  std::cout << "\n  values: [";
  const int64_t shown = std::min<int64_t>(t.numel(), 8);
  for (int64_t i = 0; i < shown; ++i)
    std::cout << (i ? ", " : "") << formatValue(loadAsDouble(v, i));
  if (t.numel() > shown) std::cout << ", ... (" << t.numel() << " in all)";
  std::cout << "]\n";
}

// Returns true when `got` matches `expected`; prints the [FAILED] line otherwise.
bool compareOutput(const std::string &name, const Tensor &got, const Tensor &expected,
                   const std::string &file, double rtol, double atol) {
  if (got.dtype() != expected.dtype()) {
    std::cout << "[FAILED] output '" << name << "': dtype " << dtypeName(got.dtype())
              << ", expected " << dtypeName(expected.dtype()) << " (" << file << ")\n";
    return false;
  }
  if (got.shape() != expected.shape()) {
    std::cout << "[FAILED] output '" << name << "': shape " << shapeList(got.shape())
              << ", expected " << shapeList(expected.shape()) << " (" << file << ")\n";
    return false;
  }
  TensorView g{got.dtype(), got.shape(), const_cast<void *>(got.data()), true};
  TensorView e{expected.dtype(), expected.shape(), const_cast<void *>(expected.data()), true};
  int64_t worst = -1, bad = 0;
  double worstExcess = -INFINITY;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double a = loadAsDouble(g, i), b = loadAsDouble(e, i);
    double excess;
    if (std::isnan(a) || std::isnan(b)) {
      if (std::isnan(a) && std::isnan(b)) continue;
      excess = INFINITY;
    } else if (std::isinf(a) || std::isinf(b)) {
      if (a == b) continue;
      excess = INFINITY;
    } else {
      excess = std::fabs(a - b) - (atol + rtol * std::fabs(b));
      if (excess <= 0) continue;
    }
    ++bad;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (!bad) return true;
  double a = loadAsDouble(g, worst), b = loadAsDouble(e, worst);
  std::cout << "[FAILED] output '" << name << "': worst element at index "
            << indexString(got.shape(), worst) << " got " << formatValue(a) << " expected "
            << formatValue(b);
  if (std::isfinite(a) && std::isfinite(b))
    std::cout << " (|diff| " << formatValue(std::fabs(a - b))
              << " > atol + rtol*|E| = " << formatValue(atol + rtol * std::fabs(b)) << ")\n";
  else
    std::cout << " (NaN must match NaN and Inf the same Inf)\n";
  std::cout
            << "  " << bad << " of " << got.numel() << " elements out of tolerance\n";
  return false;
}

std::string sanitize(const std::string &name) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (s.empty() || s == "." || s == "..") s = "output";
  return s;
}

void makeDirs(const std::string &dir) {
  std::string partial;
  std::stringstream ss(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') partial = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error(dir + ": cannot create directory: " + std::strerror(errno));
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(dir + ": not a directory");
}

double percentile(std::vector<double> sorted, double p) {
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::min(sorted.size() - 1, rank ? rank - 1 : 0)];
}

int runTool(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  std::shared_ptr<const Bundle> bundle = Bundle::load(o.bundle);
  if (o.info) {
    std::cout << bundle->describe();
    return 0;
  }
  std::string device = resolveDevice(o.device);
  if (o.device == "auto") std::cerr << "ds-run: --device=auto chose " << device << "\n";
  if (o.outputs.size() > bundle->outputs().size())
    throw Error(std::to_string(o.outputs.size()) + " --output files given but the bundle has " +
                std::to_string(bundle->outputs().size()) + " outputs");
  if (o.expected.size() > bundle->outputs().size())
    throw Error(std::to_string(o.expected.size()) + " --expected-output files given but the "
                "bundle has " + std::to_string(bundle->outputs().size()) + " outputs");
  // Read expected outputs before running so a missing file fails fast.
  std::vector<Tensor> expected;
  for (size_t i = 0; i < o.expected.size(); ++i)
    expected.push_back(readNpyArg(o.expected[i], bundle->outputs()[i].dtype));
  std::vector<Tensor> inputs = buildInputs(*bundle, o);

  SessionOptions so;
  so.device = device;
  so.threads = o.threads;
  so.profile = o.profile;
  Session session(bundle, so);
  std::vector<Tensor> outputs = session.run(inputs);

  if (o.benchmark > 0) {
    session.resetProfile();  // the first call (planning, warm-up) is not profiled
    std::vector<double> ms;
    for (int i = 0; i < o.benchmark; ++i) {
      auto start = std::chrono::steady_clock::now();
      outputs = session.run(inputs);
      auto end = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("benchmark: %d runs (after 1 warm-up), latency ms: min %.3f  p50 %.3f  "
                "p90 %.3f  p99 %.3f\n",
                o.benchmark, ms.front(), percentile(ms, 50), percentile(ms, 90),
                percentile(ms, 99));
  }

  const auto &infos = bundle->outputs();
  if (!o.outputDir.empty()) {
    makeDirs(o.outputDir);
    std::set<std::string> used;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string base = sanitize(infos[i].name);
      std::string file = base;
      for (int k = 1; !used.insert(file).second; ++k) file = base + "_" + std::to_string(k);
      writeNpy(o.outputDir + "/" + file + ".npy", outputs[i]);
    }
  }
  for (size_t i = 0; i < o.outputs.size(); ++i) writeNpy(o.outputs[i], outputs[i]);
  if (o.outputDir.empty() && o.outputs.empty())
    for (size_t i = 0; i < outputs.size(); ++i) printSummary(infos[i].name, outputs[i]);

  if (o.profile) {
    std::vector<StepProfile> rows;
    double total = 0;
    for (const auto &p : session.profile())
      if (p.calls > 0) {
        rows.push_back(p);
        total += p.totalMs;
      }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const StepProfile &a, const StepProfile &b) { return a.totalMs > b.totalMs; });
    std::printf("profile: %zu steps run, %.3f ms in all\n", rows.size(), total);
    std::printf("%6s  %-20s  %12s  %7s  %6s  %10s  %12s  %8s  %s\n", "step", "kind", "total ms",
                "%", "calls", "us/call", "bytes", "GB/s", "name");
    for (const auto &p : rows) {
      double perCallMs = p.totalMs / static_cast<double>(p.calls);
      std::printf("%6d  %-20s  %12.3f  %6.2f%%  %6lld  %10.2f  %12lld  %8.1f  %s\n", p.step,
                  p.kind.c_str(), p.totalMs, total > 0 ? 100.0 * p.totalMs / total : 0.0,
                  static_cast<long long>(p.calls), 1000.0 * perCallMs,
                  static_cast<long long>(p.bytes),
                  perCallMs > 0 ? static_cast<double>(p.bytes) / (perCallMs * 1e6) : 0.0,
                  p.name.c_str());
    }
  }
  if (!o.profileJson.empty()) {
    // Every step (calls == 0: evaluated at plan time or a view), in step order.
    nlohmann::json doc = {{"bundle", o.bundle}, {"device", session.device()},
                          {"runs", o.benchmark > 0 ? o.benchmark : 1}};
    nlohmann::json steps = nlohmann::json::array();
    for (const auto &p : session.profile())
      steps.push_back({{"step", p.step}, {"kind", p.kind}, {"name", p.name},
                       {"total_ms", p.totalMs}, {"calls", p.calls}, {"bytes", p.bytes},
                       {"shapes", p.shapes}});
    doc["steps"] = std::move(steps);
    std::ofstream f(o.profileJson);
    f << doc.dump(1) << "\n";
    if (!f) throw Error(o.profileJson + ": cannot write the profile");
  }
  if (o.profile && session.device() == "emulate") {
    // Transitional: steps without a generated kernel run on the cpu kernels.
    SessionStats st = session.stats();
    std::printf("emulate: %lld step runs through generated kernels, %lld on cpu kernels (no "
                "generated kernel yet)\n",
                static_cast<long long>(st.emulatedSteps), static_cast<long long>(st.cpuFallbackSteps));
  }

  if (!expected.empty()) {
    bool ok = true;
    for (size_t i = 0; i < expected.size(); ++i)
      ok = compareOutput(infos[i].name, outputs[i], expected[i], o.expected[i], o.rtol, o.atol) && ok;
    std::cout << (ok ? "[SUCCESS]" : "[FAILED]") << "\n";
    if (!ok) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    return runTool(argc, argv);
  } catch (const std::exception &e) {
    std::cout.flush();
    std::cerr << "ds-run: error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "ds-run: error: unknown failure\n";
    return 1;
  }
}
