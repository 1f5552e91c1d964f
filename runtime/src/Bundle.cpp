// Bundle::load: reads and validates manifest.json, steps.json and weights.bin
// (docs/bundle.md). Every defect is reported as an Error naming the file and the field;
// nothing here trusts the bundle.
#include "BundleImpl.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#ifndef DS_VERSION
#define DS_VERSION "unknown"
#endif

namespace ds::rt {

using nlohmann::json;

bool isViewKind(const std::string &kind) {
  return kind == "reshape" || kind == "squeeze" || kind == "unsqueeze" || kind == "flatten";
}

// ---- memory-mapped file ----------------------------------------------------------------

MappedFile::~MappedFile() {
  if (base_) munmap(base_, size_);
}

void MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(path + ": cannot stat: " + std::strerror(err));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void *p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Error(path + ": cannot memory-map " + std::to_string(size_) +
                  " bytes: " + std::strerror(err));
    }
    base_ = p;
  }
  ::close(fd);
}

// ---- JSON helpers ------------------------------------------------------------------------

namespace {

bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

json readJsonFile(const std::string &path) {
  if (!fileExists(path)) throw Error(path + ": file is missing");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::parse_error &e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

// Error context: "<file>: <where>: <message>".
struct Ctx {
  std::string file;
  std::string where;
  [[noreturn]] void fail(const std::string &message) const {
    throw Error(file + ": " + (where.empty() ? "" : where + ": ") + message);
  }
  Ctx sub(const std::string &w) const { return {file, where.empty() ? w : where + "." + w}; }
};

std::string jsonType(const json &j) { return j.type_name(); }

const json &member(const Ctx &c, const json &obj, const char *key) {
  if (!obj.is_object()) c.fail("expected an object, got " + jsonType(obj));
  auto it = obj.find(key);
  if (it == obj.end()) c.fail(std::string("missing field '") + key + "'");
  return *it;
}
const json *optMember(const Ctx &c, const json &obj, const char *key) {
  if (!obj.is_object()) c.fail("expected an object, got " + jsonType(obj));
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}
int64_t asInt(const Ctx &c, const json &j, const char *key) {
  if (!j.is_number_integer())
    c.fail(std::string("field '") + key + "' must be an integer, got " + jsonType(j) +
           " " + j.dump());
  return j.get<int64_t>();
}
int64_t intMember(const Ctx &c, const json &obj, const char *key) {
  return asInt(c, member(c, obj, key), key);
}
std::string stringMember(const Ctx &c, const json &obj, const char *key) {
  const json &j = member(c, obj, key);
  if (!j.is_string())
    c.fail(std::string("field '") + key + "' must be a string, got " + jsonType(j));
  return j.get<std::string>();
}
const json &arrayMember(const Ctx &c, const json &obj, const char *key) {
  const json &j = member(c, obj, key);
  if (!j.is_array())
    c.fail(std::string("field '") + key + "' must be a list, got " + jsonType(j));
  return j;
}
DType dtypeMember(const Ctx &c, const json &obj, const char *key) {
  std::string name = stringMember(c, obj, key);
  auto t = parseDType(name);
  if (!t)
    c.fail("unknown dtype '" + name +
           "' (known: f32 f16 bf16 f64 f8E4M3FN f8E5M2 i1 i8 i16 i32 i64 ui8 ui16 ui32 ui64)");
  return *t;
}
Shape intShape(const Ctx &c, const json &j, bool allowDynamic) {
  if (!j.is_array()) c.fail("shape must be a list, got " + jsonType(j));
  Shape s;
  for (const auto &d : j) {
    if (!d.is_number_integer()) c.fail("shape " + j.dump() + " has a non-integer dim");
    int64_t v = d.get<int64_t>();
    if (v < (allowDynamic ? -1 : 0)) c.fail("shape " + j.dump() + " has an invalid dim " +
                                           std::to_string(v));
    s.push_back(v);
  }
  return s;
}

// A manifest tensor: shape entries are sizes, -1 or "?" (unnamed dynamic), or symbol names.
TensorInfo parseTensorInfo(const Ctx &c, const json &j) {
  TensorInfo info;
  info.name = stringMember(c, j, "name");
  info.dtype = dtypeMember(c, j, "dtype");
  const json &shape = arrayMember(c, j, "shape");
  for (const auto &d : shape) {
    if (d.is_number_integer() && d.get<int64_t>() >= -1) {
      info.shape.push_back(d.get<int64_t>());
      info.dims.emplace_back();
    } else if (d.is_string() && !d.get<std::string>().empty()) {
      info.shape.push_back(-1);
      std::string sym = d.get<std::string>();
      info.dims.push_back(sym == "?" ? "" : sym);
    } else {
      c.fail("shape " + shape.dump() + " of '" + info.name +
             "' has an invalid dim (expected a size, -1 or a symbol name)");
    }
  }
  // Optional separate symbol list (same rank), for writers that keep `shape` numeric.
  if (const json *dims = optMember(c, j, "dims")) {
    if (!dims->is_array() || dims->size() != info.shape.size())
      c.fail("'dims' of '" + info.name + "' must be a list of " +
             std::to_string(info.shape.size()) + " names");
    for (size_t i = 0; i < dims->size(); ++i) {
      const json &d = (*dims)[i];
      if (d.is_string() && !d.get<std::string>().empty() && d.get<std::string>() != "?") {
        if (info.shape[i] >= 0)
          c.fail("'" + info.name + "' dim " + std::to_string(i) + " is static (" +
                 std::to_string(info.shape[i]) + ") but named '" + d.get<std::string>() + "'");
        info.dims[i] = d.get<std::string>();
      }
    }
  }
  return info;
}

void checkFormatVersion(const Ctx &c, const json &root) {
  int64_t v = intMember(c, root, "format_version");
  if (v != kBundleFormatVersion)
    c.fail("bundle format_version " + std::to_string(v) + " is not supported by this runtime "
           "(it reads format_version " + std::to_string(kBundleFormatVersion) + ")");
}

std::string symbolicShape(const TensorInfo &t) {
  std::string s = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i) s += ", ";
    if (t.shape[i] >= 0) s += std::to_string(t.shape[i]);
    else s += t.dims[i].empty() ? "?" : t.dims[i];
  }
  return s + "]";
}

void loadWeights(BundleImpl &b, const std::string &path) {
  if (!fileExists(path)) throw Error(path + ": file is missing (every bundle has weights.bin)");
  b.weightsFile.open(path);
  const char *base = b.weightsFile.data();
  uint64_t size = b.weightsFile.size();
  if (size < 8)
    throw Error(path + ": truncated: " + std::to_string(size) +
                " bytes, shorter than the 8-byte header length");
  uint64_t headerLen = 0;
  for (int i = 0; i < 8; ++i)
    headerLen |= static_cast<uint64_t>(static_cast<unsigned char>(base[i])) << (8 * i);
  if (headerLen > size - 8)
    throw Error(path + ": header length " + std::to_string(headerLen) +
                " goes beyond the end of the file (" + std::to_string(size) + " bytes)");
  json header;
  try {
    header = json::parse(base + 8, base + 8 + headerLen);
  } catch (const json::parse_error &e) {
    throw Error(path + ": invalid JSON header: " + e.what());
  }
  Ctx c{path, "header"};
  if (!header.is_object()) c.fail("must be a JSON object, got " + jsonType(header));
  uint64_t dataStart = 8 + headerLen;
  uint64_t dataSize = size - dataStart;
  for (const auto &[name, entry] : header.items()) {
    if (name.rfind("__", 0) == 0) continue;  // __metadata__ and similar
    Ctx e = c.sub("'" + name + "'");
    WeightDesc w;
    w.name = name;
    w.dtype = dtypeMember(e, entry, "dtype");
    w.shape = intShape(e, member(e, entry, "shape"), /*allowDynamic=*/false);
    int64_t offset = intMember(e, entry, "offset");
    int64_t length = intMember(e, entry, "length");
    if (offset < 0 || length < 0) e.fail("negative offset or length");
    w.offset = static_cast<uint64_t>(offset);
    w.length = static_cast<uint64_t>(length);
    uint64_t expected = static_cast<uint64_t>(numElements(w.shape)) * dtypeSize(w.dtype);
    if (w.length != expected)
      e.fail("length " + std::to_string(w.length) + " does not match " +
             shapeToString(w.shape) + "x" + dtypeName(w.dtype) + " (" +
             std::to_string(expected) + " bytes)");
    if (w.offset > dataSize || w.length > dataSize - w.offset)
      e.fail("bytes [" + std::to_string(w.offset) + ", " + std::to_string(w.offset + w.length) +
             ") of the data section lie beyond the end of the file (data section is " +
             std::to_string(dataSize) + " bytes; the file is truncated)");
    if ((dataStart + w.offset) % kAlignment != 0)
      e.fail("data at file offset " + std::to_string(dataStart + w.offset) +
             " is not 64-byte aligned");
    w.data = base + dataStart + w.offset;
    b.weightBytes += w.length;
    b.weights.emplace(name, std::move(w));
  }
}

void loadManifest(BundleImpl &b, const std::string &path) {
  json m = readJsonFile(path);
  Ctx c{path, ""};
  if (!m.is_object()) c.fail("must be a JSON object, got " + jsonType(m));
  checkFormatVersion(c, m);
  b.formatVersion = static_cast<int>(m["format_version"].get<int64_t>());
  if (const json *v = optMember(c, m, "ds_version"); v && v->is_string())
    b.dsVersion = v->get<std::string>();
  if (const json *v = optMember(c, m, "producer"); v && v->is_string())
    b.producer = v->get<std::string>();
  const json &inputs = arrayMember(c, m, "inputs");
  for (size_t i = 0; i < inputs.size(); ++i)
    b.inputs.push_back(parseTensorInfo(c.sub("inputs[" + std::to_string(i) + "]"), inputs[i]));
  const json &outputs = arrayMember(c, m, "outputs");
  for (size_t i = 0; i < outputs.size(); ++i)
    b.outputs.push_back(
        parseTensorInfo(c.sub("outputs[" + std::to_string(i) + "]"), outputs[i]));
  std::set<std::string> names;
  for (const auto &t : b.inputs)
    if (!names.insert(t.name).second) c.fail("input name '" + t.name + "' appears twice");
}

void loadSteps(BundleImpl &b, const std::string &path) {
  json s = readJsonFile(path);
  Ctx c{path, ""};
  if (!s.is_object()) c.fail("must be a JSON object, got " + jsonType(s));
  checkFormatVersion(c, s);

  // Values: ids must be exactly 0..n-1 (in any order).
  const json &values = arrayMember(c, s, "values");
  b.values.resize(values.size());
  std::vector<bool> seen(values.size(), false);
  for (size_t k = 0; k < values.size(); ++k) {
    Ctx vc = c.sub("values[" + std::to_string(k) + "]");
    const json &v = values[k];
    int64_t id = intMember(vc, v, "id");
    if (id < 0 || id >= static_cast<int64_t>(values.size()))
      vc.fail("value id " + std::to_string(id) + " is out of range [0, " +
              std::to_string(values.size()) + ")");
    if (seen[id]) vc.fail("value id " + std::to_string(id) + " is defined twice");
    seen[id] = true;
    ValueDesc d;
    d.id = static_cast<int>(id);
    d.dtype = dtypeMember(vc, v, "dtype");
    d.shape = intShape(vc, member(vc, v, "shape"), /*allowDynamic=*/true);
    std::string def = stringMember(vc, v, "def");
    if (def == "input") {
      d.def = ValueDef::Input;
      d.inputIndex = static_cast<int>(intMember(vc, v, "index"));
      if (d.inputIndex < 0 || d.inputIndex >= static_cast<int>(b.inputs.size()))
        vc.fail("input index " + std::to_string(d.inputIndex) + " is out of range (the "
                "manifest has " + std::to_string(b.inputs.size()) + " inputs)");
    } else if (def == "weight") {
      d.def = ValueDef::Weight;
      d.weight = stringMember(vc, v, "weight");
    } else if (def == "step") {
      d.def = ValueDef::Step;
      d.step = static_cast<int>(intMember(vc, v, "step"));
    } else {
      vc.fail("unknown def '" + def + "' (expected input, weight or step)");
    }
    if (const json *o = optMember(vc, v, "offset")) {
      d.offset = asInt(vc, *o, "offset");
      if (d.offset < 0) vc.fail("negative offset " + std::to_string(d.offset));
    }
    if (const json *o = optMember(vc, v, "alias_of")) d.aliasOf = static_cast<int>(asInt(vc, *o, "alias_of"));
    if (const json *o = optMember(vc, v, "inplace_of")) d.inplaceOf = static_cast<int>(asInt(vc, *o, "inplace_of"));
    for (int ref : {d.aliasOf, d.inplaceOf})
      if (ref != -1 && (ref < 0 || ref >= static_cast<int>(values.size())))
        vc.fail("alias_of/inplace_of refers to value " + std::to_string(ref) +
                ", which is out of range [0, " + std::to_string(values.size()) + ")");
    b.values[id] = std::move(d);
  }

  auto checkId = [&](const Ctx &cc, int64_t id) {
    if (id < 0 || id >= static_cast<int64_t>(b.values.size()))
      cc.fail("value id " + std::to_string(id) + " is out of range [0, " +
              std::to_string(b.values.size()) + ")");
    return static_cast<int>(id);
  };

  // Steps.
  const json &steps = arrayMember(c, s, "steps");
  for (size_t k = 0; k < steps.size(); ++k) {
    Ctx sc = c.sub("steps[" + std::to_string(k) + "]");
    const json &j = steps[k];
    StepDesc st;
    st.index = static_cast<int>(k);
    st.kind = stringMember(sc, j, "kind");
    if (st.kind.empty()) sc.fail("empty kind");
    if (const json *n = optMember(sc, j, "name")) {
      if (!n->is_string()) sc.fail("field 'name' must be a string");
      st.name = n->get<std::string>();
    }
    for (const auto &i : arrayMember(sc, j, "inputs")) {
      int64_t id = asInt(sc, i, "inputs");
      st.inputs.push_back(id == -1 ? -1 : checkId(sc, id));
    }
    for (const auto &o : arrayMember(sc, j, "outputs")) st.outputs.push_back(checkId(sc, asInt(sc, o, "outputs")));
    if (const json *a = optMember(sc, j, "attrs")) {
      if (!a->is_object()) sc.fail("field 'attrs' must be an object, got " + jsonType(*a));
      st.attrs = *a;
    }
    b.steps.push_back(std::move(st));
  }

  // Graph inputs and outputs.
  for (const auto &i : arrayMember(c, s, "inputs")) b.inputIds.push_back(checkId(c.sub("inputs"), asInt(c, i, "inputs")));
  for (const auto &o : arrayMember(c, s, "outputs")) b.outputIds.push_back(checkId(c.sub("outputs"), asInt(c, o, "outputs")));

  if (const json *plan = optMember(c, s, "memory_plan")) {
    Ctx pc = c.sub("memory_plan");
    if (const json *st = optMember(pc, *plan, "static")) b.staticPlan = st->is_boolean() && st->get<bool>();
    if (const json *ab = optMember(pc, *plan, "arena_bytes")) {
      b.staticArenaBytes = asInt(pc, *ab, "arena_bytes");
      if (b.staticArenaBytes < 0) pc.fail("negative arena_bytes");
    }
    if (const json *al = optMember(pc, *plan, "alignment")) {
      int64_t a = asInt(pc, *al, "alignment");
      if (a <= 0 || kAlignment % static_cast<size_t>(a) != 0)
        pc.fail("alignment " + std::to_string(a) + " is not supported (64 or a divisor)");
    }
    if (b.staticPlan && b.staticArenaBytes < 0) pc.fail("a static plan needs 'arena_bytes'");
  }
}

std::string stepLabel(const StepDesc &st) {
  return "step " + std::to_string(st.index) + " (" + st.kind +
         (st.name.empty() ? "" : " '" + st.name + "'") + ")";
}

// Cross-file consistency: definitions, def-before-use, weights, manifest vs steps.
void validateGraph(BundleImpl &b, const std::string &stepsPath) {
  Ctx c{stepsPath, ""};
  int nsteps = static_cast<int>(b.steps.size());
  std::vector<int> definedBy(b.values.size(), -2);  // -2: not defined by any step
  for (const auto &v : b.values)
    if (v.def == ValueDef::Step && (v.step < 0 || v.step >= nsteps))
      c.fail("value " + std::to_string(v.id) + " is defined by step " + std::to_string(v.step) +
             ", which does not exist (" + std::to_string(nsteps) + " steps)");
  for (const auto &st : b.steps)
    for (int o : st.outputs) {
      const ValueDesc &v = b.value(o);
      if (v.def != ValueDef::Step || v.step != st.index)
        c.fail(stepLabel(st) + " lists value " + std::to_string(o) +
               " as an output, but that value's def is " +
               (v.def == ValueDef::Step ? "step " + std::to_string(v.step)
                                        : std::string(v.def == ValueDef::Input ? "input" : "weight")));
      if (definedBy[o] != -2)
        c.fail("value " + std::to_string(o) + " is an output of steps " +
               std::to_string(definedBy[o]) + " and " + std::to_string(st.index));
      definedBy[o] = st.index;
    }
  for (auto &v : b.values) {
    if (v.def == ValueDef::Step) {
      if (definedBy[v.id] != v.step)
        c.fail("value " + std::to_string(v.id) + " says it is defined by step " +
               std::to_string(v.step) + ", but that step does not list it as an output");
    } else if (v.def == ValueDef::Weight) {
      auto it = b.weights.find(v.weight);
      if (it == b.weights.end())
        c.fail("value " + std::to_string(v.id) + " refers to weight '" + v.weight +
               "', which weights.bin does not contain");
      const WeightDesc &w = it->second;
      if (w.dtype != v.dtype || w.shape != v.shape)
        c.fail("value " + std::to_string(v.id) + " is " + shapeToString(v.shape) + "x" +
               dtypeName(v.dtype) + " but weight '" + v.weight + "' is " +
               shapeToString(w.shape) + "x" + dtypeName(w.dtype));
      v.weightData = w.data;
    }
    if (v.aliasOf >= 0 && v.aliasOf == v.id) c.fail("value " + std::to_string(v.id) + " aliases itself");
  }
  // Def before use.
  for (const auto &st : b.steps)
    for (int in : st.inputs) {
      if (in < 0) continue;
      const ValueDesc &v = b.value(in);
      if (v.def == ValueDef::Step && v.step >= st.index)
        c.fail(stepLabel(st) + " reads value " + std::to_string(in) + ", which is defined by " +
               (v.step == st.index ? std::string("the same step") : "the later step " + std::to_string(v.step)));
      b.values[in].lastUse = std::max(b.values[in].lastUse, st.index);
    }

  // Manifest vs steps.json.
  if (b.inputIds.size() != b.inputs.size())
    c.fail("lists " + std::to_string(b.inputIds.size()) + " inputs but manifest.json lists " +
           std::to_string(b.inputs.size()));
  if (b.outputIds.size() != b.outputs.size())
    c.fail("lists " + std::to_string(b.outputIds.size()) + " outputs but manifest.json lists " +
           std::to_string(b.outputs.size()));
  auto checkInfo = [&](const TensorInfo &t, const ValueDesc &v, const char *what) {
    bool ok = t.dtype == v.dtype && t.shape.size() == v.shape.size();
    for (size_t d = 0; ok && d < t.shape.size(); ++d)
      if (t.shape[d] >= 0 && v.shape[d] >= 0 && t.shape[d] != v.shape[d]) ok = false;
    if (!ok)
      c.fail(std::string(what) + " '" + t.name + "' is " + shapeToString(t.shape) + "x" +
             dtypeName(t.dtype) + " in manifest.json but value " + std::to_string(v.id) +
             " is " + shapeToString(v.shape) + "x" + dtypeName(v.dtype));
  };
  for (size_t i = 0; i < b.inputIds.size(); ++i) {
    const ValueDesc &v = b.value(b.inputIds[i]);
    if (v.def != ValueDef::Input || v.inputIndex != static_cast<int>(i))
      c.fail("graph input " + std::to_string(i) + " is value " + std::to_string(v.id) +
             ", which is not defined as input " + std::to_string(i));
    checkInfo(b.inputs[i], v, "input");
  }
  for (const auto &v : b.values)
    if (v.def == ValueDef::Input &&
        (v.inputIndex >= static_cast<int>(b.inputIds.size()) || b.inputIds[v.inputIndex] != v.id))
      c.fail("value " + std::to_string(v.id) + " claims to be input " +
             std::to_string(v.inputIndex) + " but is not listed in 'inputs' at that position");
  for (size_t i = 0; i < b.outputIds.size(); ++i) {
    ValueDesc &v = b.values[b.outputIds[i]];
    checkInfo(b.outputs[i], v, "output");
    v.isOutput = true;
  }
  // Views: the reshape family aliases its first operand.
  for (const auto &st : b.steps) {
    if (!isViewKind(st.kind)) continue;
    if (st.inputs.empty() || st.inputs[0] < 0 || st.outputs.size() != 1)
      c.fail(stepLabel(st) + " is a view and needs a data operand and one result");
    const ValueDesc &out = b.value(st.outputs[0]);
    if (out.aliasOf >= 0 && out.aliasOf != st.inputs[0])
      c.fail("value " + std::to_string(out.id) + " of " + stepLabel(st) + " aliases value " +
             std::to_string(out.aliasOf) + " but the step reads value " + std::to_string(st.inputs[0]));
    if (b.value(st.inputs[0]).dtype != out.dtype)
      c.fail(stepLabel(st) + " is a view but changes dtype");
  }
  for (const auto &v : b.values) {
    if (v.aliasOf >= 0 && (v.def != ValueDef::Step || !isViewKind(b.steps[v.step].kind)))
      c.fail("value " + std::to_string(v.id) + " has alias_of but is not the result of a view "
             "step (reshape, squeeze, unsqueeze, flatten)");
    if (v.inplaceOf >= 0) {
      if (v.def != ValueDef::Step) c.fail("value " + std::to_string(v.id) + " has inplace_of but is not a step result");
      const auto &ins = b.steps[v.step].inputs;
      if (std::find(ins.begin(), ins.end(), v.inplaceOf) == ins.end())
        c.fail("value " + std::to_string(v.id) + " is inplace_of value " +
               std::to_string(v.inplaceOf) + ", which its step does not read");
    }
  }
}

}  // namespace

Bundle::Bundle() : impl_(std::make_unique<BundleImpl>()) {}
Bundle::~Bundle() = default;

std::shared_ptr<const Bundle> Bundle::load(const std::string &pathIn) {
  std::string path = pathIn;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!fileExists(path)) throw Error(path + ": bundle not found");
  if (!isDirectory(path))
    throw Error(path + ": not a bundle directory (a bundle is a directory NAME.dsb/ holding "
                       "manifest.json, steps.json and weights.bin)");
  std::shared_ptr<Bundle> bundle(new Bundle());
  BundleImpl &b = *bundle->impl_;
  b.path = path;
  try {
    loadManifest(b, path + "/manifest.json");
    loadSteps(b, path + "/steps.json");
    loadWeights(b, path + "/weights.bin");
    validateGraph(b, path + "/steps.json");
  } catch (const json::exception &e) {
    // Backstop: any JSON type error not caught by the helpers above.
    throw Error(path + ": malformed bundle: " + e.what());
  }
  return bundle;
}

const std::string &Bundle::path() const { return impl_->path; }
int Bundle::formatVersion() const { return impl_->formatVersion; }
const std::string &Bundle::dsVersion() const { return impl_->dsVersion; }
const std::vector<TensorInfo> &Bundle::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo> &Bundle::outputs() const { return impl_->outputs; }

std::string Bundle::describe() const {
  const BundleImpl &b = *impl_;
  std::ostringstream os;
  os << "bundle: " << b.path << "\n";
  os << "format_version: " << b.formatVersion << " (runtime reads " << kBundleFormatVersion
     << ")\n";
  os << "ds_version: " << (b.dsVersion.empty() ? "?" : b.dsVersion) << " (runtime "
     << DS_VERSION << ")\n";
  if (!b.producer.empty()) os << "producer: " << b.producer << "\n";
  os << "inputs: " << b.inputs.size() << "\n";
  for (size_t i = 0; i < b.inputs.size(); ++i)
    os << "  " << i << " " << b.inputs[i].name << ": " << dtypeName(b.inputs[i].dtype) << " "
       << symbolicShape(b.inputs[i]) << "\n";
  os << "outputs: " << b.outputs.size() << "\n";
  for (size_t i = 0; i < b.outputs.size(); ++i)
    os << "  " << i << " " << b.outputs[i].name << ": " << dtypeName(b.outputs[i].dtype) << " "
       << symbolicShape(b.outputs[i]) << "\n";
  std::map<std::string, int> byKind;
  for (const auto &st : b.steps) ++byKind[st.kind];
  os << "steps: " << b.steps.size() << "\n";
  for (const auto &[kind, n] : byKind) os << "  " << kind << ": " << n << "\n";
  os << "weights: " << b.weights.size() << " tensors, " << b.weightBytes << " bytes\n";
  if (b.staticPlan)
    os << "memory plan: static, arena " << b.staticArenaBytes << " bytes\n";
  else
    os << "memory plan: dynamic (planned per input shapes, cached for 16 bindings)\n";
  return os.str();
}

}  // namespace ds::rt
