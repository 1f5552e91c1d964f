//===- ReductionCodegen.cpp - CUDA kernels of the reduction family --------===//
//
// reduce, arg_reduce, softmax, log_softmax, hardmax, layer_norm, rms_norm, cumsum and
// topk steps become one kernel each: a DS_KERNEL that computes where its thread works
// (ds::red::At: line, validity, thread of the line) and calls one template of
// runtime/kernels/reduction.cuh with the dtypes, the thread mapping and the line geometry
// baked in (docs/cuda.md, "Reduction kernels").
//
// Thread mapping per line (a line = the elements one result depends on):
//  - contiguous lines (the axis innermost, or only static size-1 dims after it): a warp
//    per line when the length is static and short, else a block per line (block size from
//    the static length; 512 for dynamic lengths), 16-byte vector loads where aligned, and
//    for the multi-pass kinds (softmax, norms) a register cache of the thread's elements
//    when the row fits (global memory read once);
//  - lines along an outer axis: a thread per line, neighbouring threads on neighbouring
//    addresses (coalesced), a sequential loop over the line;
//  - reduce over a set of axes that is neither a contiguous suffix nor one contiguous run:
//    index decomposition over the kept and reduced dims (a block per output when the
//    innermost remaining axis is reduced, else a thread per output).
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

/// Register cache limit (elements per thread) for the multi-pass row kernels, and the
/// packs per thread cached for rows of dynamic length.
constexpr int64_t kMaxCache = 26;
constexpr int kDynamicPacks = 3;

/// Traits struct of reduction.cuh for a dtype, and its compute type.
struct ElemType {
  std::string traits;
  std::string storage;
  std::string compute;
  bool isFloat = false;
  int vec = 1; // elements per 16-byte access (at most 8)
};

llvm::Expected<ElemType> elemType(StringRef dtype, StringRef what) {
  const DTypeInfo *info = lookupDType(dtype);
  if (!info)
    return fail(what + " has the unsupported dtype '" + dtype + "'");
  ElemType t;
  t.storage = info->storage.str();
  if (info->cls == Cls::F32 || info->cls == Cls::F64) {
    t.isFloat = true;
    t.compute = info->cls == Cls::F32 ? "float" : "double";
    std::string n = dtype.str();
    for (char &c : n)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t.traits = "ds::red::T_" + n;
  } else if (info->cls == Cls::Bool) {
    t.traits = "ds::red::T_i1";
    t.compute = "uint8_t";
  } else {
    t.traits = "ds::red::T_int<" + t.storage + ">";
    t.compute = t.storage;
  }
  t.vec = std::clamp<int>(16 / static_cast<int>(storageBytes(*info)), 1, 8);
  return t;
}

std::optional<int64_t> intAttr(const json::Object &attrs, StringRef name) {
  const json::Value *v = attrs.get(name);
  if (!v)
    return std::nullopt;
  if (auto b = v->getAsBoolean())
    return *b ? 1 : 0;
  return v->getAsInteger();
}

llvm::Expected<int64_t> requireInt(const json::Object &attrs, StringRef name,
                                   std::optional<int64_t> fallback) {
  if (!attrs.get(name)) {
    if (fallback)
      return *fallback;
    return fail("attribute '" + name + "' is missing");
  }
  if (auto v = intAttr(attrs, name))
    return *v;
  return fail("attribute '" + name + "' is not an integer");
}

bool boolAttr(const json::Object &attrs, StringRef name, bool fallback) {
  return intAttr(attrs, name).value_or(fallback ? 1 : 0) != 0;
}

llvm::Expected<int64_t> normalizedAxis(const StepInfo &step, std::optional<int64_t> fallback,
                                       StringRef name) {
  auto axis = requireInt(step.attrs, name, fallback);
  if (!axis)
    return axis.takeError();
  int64_t rank = static_cast<int64_t>(step.inputs[0].shape.size());
  if (*axis < -rank || *axis >= rank)
    return fail("attribute '" + name + "' = " + llvm::Twine(*axis) +
                " is out of range for input 0 of shape " + shapeText(step.inputs[0].shape));
  return *axis < 0 ? *axis + rank : *axis;
}

llvm::Error expectOperands(const StepInfo &step, size_t minIn, size_t maxIn, size_t outs) {
  if (step.inputs.size() < minIn || step.inputs.size() > maxIn || step.outputs.size() != outs)
    return fail(step.kind + " expects " + llvm::Twine(minIn) +
                (minIn == maxIn ? "" : " to " + std::to_string(maxIn)) + " inputs and " +
                llvm::Twine(outs) + " outputs, got " + llvm::Twine(step.inputs.size()) +
                " and " + llvm::Twine(step.outputs.size()));
  for (size_t i = 0; i < minIn; ++i)
    if (!step.inputs[i].present)
      return fail("input " + llvm::Twine(i) + " is absent");
  for (const OperandInfo &o : step.outputs)
    if (!o.present)
      return fail("an output is absent");
  return llvm::Error::success();
}

/// A line along `axis` of operand 0: [outer, n, inner].
struct LineShape {
  std::string n, inner;
  std::optional<int64_t> staticN;
  bool contig = true; // inner is statically 1
};

LineShape lineShape(const OperandDims &dims, int64_t axis) {
  const OperandInfo &in = dims.operand(0);
  LineShape s;
  s.n = dims.dim(0, axis);
  if (in.shape[axis] >= 0)
    s.staticN = in.shape[axis];
  s.inner = dims.product(0, axis + 1, in.shape.size());
  for (size_t d = axis + 1; d < in.shape.size(); ++d)
    s.contig = s.contig && in.shape[d] == 1;
  return s;
}

/// Threads per block and per line for a contiguous row of (static or dynamic) length.
struct Mapping {
  int block = 256;
  int w = 256;
  int cache = 0; // packs per thread in the register cache (0: re-read global memory)
};

Mapping rowMapping(std::optional<int64_t> n, int vec, bool wantCache) {
  Mapping m;
  if (!n) {
    m.block = m.w = 512;
    m.cache = wantCache ? kDynamicPacks : 0;
    return m;
  }
  if (*n <= 256) {
    m.block = 256;
    m.w = 32;
  } else {
    m.block = m.w = *n <= 4096 ? 256 : (*n <= 16384 ? 512 : 1024);
  }
  int64_t packs = std::max<int64_t>((*n / vec + m.w - 1) / m.w, 1);
  m.cache = wantCache && packs * vec + 2 <= kMaxCache ? static_cast<int>(packs) : 0;
  return m;
}

std::string cast(StringRef type, size_t index, bool isConst) {
  return llvm::formatv("static_cast<{0}{1} *>(params.ptr[{2}])", isConst ? "const " : "", type,
                       index)
      .str();
}

std::string header(const StepInfo &step) {
  std::string s = "#include \"ds_device.cuh\"\n#include \"reduction.cuh\"\n// " +
                  step.kind.str() + ":";
  for (const OperandInfo &in : step.inputs)
    s += " " + (in.present ? in.dtype + shapeText(in.shape) : std::string("-"));
  s += " ->";
  for (const OperandInfo &out : step.outputs)
    s += " " + out.dtype + shapeText(out.shape);
  return s + "\n";
}

LaunchConfig rowsLaunch(int block, int w, int64_t axis) {
  LaunchConfig launch;
  launch.block = {block, 1, 1};
  launch.of = "rows";
  launch.operand = 0;
  launch.axis = axis;
  launch.perBlock = block / w;
  return launch;
}

LaunchConfig columnsLaunch(int block, int64_t axis, size_t rank) {
  LaunchConfig launch;
  launch.block = {block, 1, 1};
  launch.tiles.push_back({0, 0, axis, 1});
  launch.tiles.push_back({0, axis + 1, static_cast<int64_t>(rank), block});
  return launch;
}

LaunchConfig numelLaunch(int block, int perBlock, int64_t operand) {
  LaunchConfig launch;
  launch.block = {block, 1, 1};
  launch.of = "numel";
  launch.operand = operand;
  launch.perBlock = perBlock;
  return launch;
}

std::string kernelOpen(int block) {
  return llvm::formatv("DS_KERNEL_BOUNDS(@KERNEL@, {0}) {{\n", block).str();
}

// ---- reduce ------------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateReduce(const StepInfo &step) {
  if (llvm::Error e = expectOperands(step, 1, 1, 1))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  if (step.outputs[0].dtype != in.dtype)
    return fail("output 0 has dtype " + step.outputs[0].dtype + ", input 0 " + in.dtype);
  StringRef fnName = step.attrs.getString("fn").value_or("");
  int fn = llvm::StringSwitch<int>(fnName)
               .Case("sum", 0)
               .Case("mean", 1)
               .Case("max", 2)
               .Case("min", 3)
               .Case("prod", 4)
               .Case("l1", 5)
               .Case("l2", 6)
               .Case("sum_square", 7)
               .Case("log_sum", 8)
               .Case("log_sum_exp", 9)
               .Default(-1);
  if (fn < 0)
    return fail("unknown reduction fn '" + fnName + "'");
  bool needsFloat = fn == 6 || fn == 8 || fn == 9;
  if (needsFloat && !et->isFloat)
    return fail("reduction '" + fnName + "' needs floating-point elements, got " + in.dtype);
  if (in.dtype == "i1" && fn != 2 && fn != 3)
    return fail("reduction '" + fnName + "' is not defined on i1 elements");
  size_t rank = in.shape.size();
  SmallVector<bool> reduced(rank, false);
  if (const json::Array *axes = step.attrs.getArray("axes")) {
    for (const json::Value &v : *axes) {
      std::optional<int64_t> a = v.getAsInteger();
      if (!a || *a < -static_cast<int64_t>(rank) || *a >= static_cast<int64_t>(rank))
        return fail("axis " + llvm::formatv("{0}", v).str() + " of 'axes' is out of range for " +
                    shapeText(in.shape));
      int64_t axis = *a < 0 ? *a + rank : *a;
      if (reduced[axis])
        return fail("axis " + llvm::Twine(*a) + " of 'axes' is repeated");
      reduced[axis] = true;
    }
  }
  // Axes that matter (static size-1 dims do not), and where the reduced ones sit.
  SmallVector<size_t> live;
  for (size_t d = 0; d < rank; ++d)
    if (in.shape[d] != 1)
      live.push_back(d);
  SmallVector<size_t> red, kept;
  for (size_t d : live)
    (reduced[d] ? red : kept).push_back(d);
  bool suffix = red.empty() || llvm::all_of(kept, [&](size_t k) { return k < red.front(); });
  bool oneRun = !red.empty() && red.back() - red.front() + 1 ==
                                    static_cast<size_t>(llvm::count_if(live, [&](size_t d) {
                                      return d >= red.front() && d <= red.back();
                                    }));
  // A run of reduced live axes must not enclose kept live axes.
  for (size_t d : kept)
    if (!red.empty() && d > red.front() && d < red.back())
      oneRun = false;

  std::string count = "int64_t(1)";
  {
    SmallVector<std::string> parts;
    int64_t constant = 1;
    for (size_t d = 0; d < rank; ++d)
      if (reduced[d]) {
        if (in.shape[d] >= 0)
          constant *= in.shape[d];
        else
          parts.push_back(dims.dim(0, d));
      }
    count = "int64_t(" + std::to_string(constant) + ")";
    for (const std::string &p : parts)
      count += " * " + p;
  }
  std::optional<int64_t> staticCount;
  if (llvm::all_of(red, [&](size_t d) { return in.shape[d] >= 0; })) {
    int64_t c = 1;
    for (size_t d = 0; d < rank; ++d)
      if (reduced[d])
        c *= std::max<int64_t>(in.shape[d], 0);
    staticCount = c;
  }
  size_t outIndex = step.inputs.size();
  std::string lines = dims.product(outIndex, 0, step.outputs[0].shape.size());

  static const char *kFns[] = {"SUM", "MEAN", "MAX", "MIN", "PROD",
                               "L1",  "L2",   "SUM_SQUARE", "LOG_SUM", "LOG_SUM_EXP"};
  std::string rule = et->isFloat ? llvm::formatv("ds::red::FloatRule<ds::red::{0}, {1}>",
                                                 kFns[fn], et->compute)
                                       .str()
                                 : llvm::formatv("ds::red::IntRule<ds::red::{0}, {1}>",
                                                 kFns[fn], et->compute)
                                       .str();
  std::string text = header(step);
  std::string geometry;
  int block = 256, w = 1, vec = 1;
  bool contig = false;
  std::string mode;
  if (suffix) {
    // Each output reduces one contiguous row of `count` elements.
    Mapping m = rowMapping(red.empty() ? std::optional<int64_t>(1) : staticCount, et->vec, false);
    block = m.block;
    w = red.empty() ? 1 : m.w;
    contig = !red.empty();
    vec = contig ? et->vec : 1;
    geometry = "ds::red::Lines{" + count + ", int64_t(1)}";
    mode = red.empty() ? "no reduced dims: one element per output"
                       : "contiguous rows: " + std::string(w == 32 ? "a warp" : "a block") +
                             " per output";
  } else if (oneRun) {
    // Reduced dims [first, last] followed by kept dims: a thread per output.
    std::string inner = dims.product(0, red.back() + 1, rank);
    geometry = "ds::red::Lines{" + count + ", " + inner + "}";
    mode = "one run of reduced dims before kept dims: a thread per output";
  } else {
    // General: decompose the output index over the kept dims, the reduction index over the
    // reduced dims.
    size_t nk = std::max<size_t>(kept.size(), 1), nr = std::max<size_t>(red.size(), 1);
    text += llvm::formatv("struct @KERNEL@_G {{\n  int64_t n;\n  int64_t kd[{0}], ks[{0}], "
                          "rd[{1}], rs[{1}];\n",
                          nk, nr)
                .str();
    text += "  DS_DEVICE int64_t base(int64_t l) const {\n    int64_t o = 0;\n"
            "    for (int k = " +
            std::to_string(nk) +
            " - 1; k >= 0; --k) {\n      o += (l % kd[k]) * ks[k];\n      l /= kd[k];\n"
            "    }\n    return o;\n  }\n";
    text += "  DS_DEVICE int64_t off(int64_t j) const {\n    int64_t o = 0;\n"
            "    for (int k = " +
            std::to_string(nr) +
            " - 1; k >= 0; --k) {\n      o += (j % rd[k]) * rs[k];\n      j /= rd[k];\n"
            "    }\n    return o;\n  }\n};\n";
    SmallVector<std::string> kd, ks, rd, rs;
    for (size_t d : kept) {
      kd.push_back(dims.dim(0, d));
      ks.push_back(dims.product(0, d + 1, rank));
    }
    for (size_t d : red) {
      rd.push_back(dims.dim(0, d));
      rs.push_back(dims.product(0, d + 1, rank));
    }
    if (kd.empty()) {
      kd.push_back("int64_t(1)");
      ks.push_back("int64_t(0)");
    }
    geometry = "@KERNEL@_G{" + count + ", " + arrayText(kd) + ", " + arrayText(ks) + ", " +
               arrayText(rd) + ", " + arrayText(rs) + "}";
    bool innerReduced = reduced[live.back()];
    if (innerReduced)
      w = block = 256;
    mode = innerReduced ? "general axes, innermost reduced: a block per output"
                        : "general axes: a thread per output";
  }
  text += "// " + mode + "\n" + kernelOpen(block);
  text += "  using S = " + et->storage + ";\n";
  text += "  const auto g = " + geometry + ";\n";
  text += llvm::formatv("  const ds::red::At at = ds::red::rows_at<{0}, {1}>({2});\n", block, w,
                        lines)
              .str();
  if (fn == 9)
    text += llvm::formatv("  ds::red::logsumexp_lines<{0}, {1}, {2}, {3}, {4}>(", et->traits,
                          block, w, vec, contig ? "true" : "false")
                .str();
  else
    text += llvm::formatv("  ds::red::reduce_lines<{0}, {1}, {2}, {3}, {4}, {5}>(", et->traits,
                          rule, block, w, vec, contig ? "true" : "false")
                .str();
  text += cast("S", 0, true) + ", " + cast("S", 1, false) + ", at, g);\n}\n";
  return finishKernel("reduce_" + fnName.str(), text, numelLaunch(block, block / w, outIndex));
}

// ---- arg_reduce ----------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateArgReduce(const StepInfo &step) {
  if (llvm::Error e = expectOperands(step, 1, 1, 1))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  if (in.dtype == "i1")
    return fail("arg_reduce is not defined on i1 elements");
  if (step.outputs[0].dtype != "i64")
    return fail("output 0 must be i64, got " + step.outputs[0].dtype);
  StringRef fn = step.attrs.getString("fn").value_or("");
  if (fn != "argmax" && fn != "argmin")
    return fail("unknown fn '" + fn + "' (expected argmax or argmin)");
  auto axis = normalizedAxis(step, 0, "axis");
  if (!axis)
    return axis.takeError();
  bool last = boolAttr(step.attrs, "select_last_index", false);
  LineShape ls = lineShape(dims, *axis);
  std::string text = header(step);
  std::string args = cast(et->storage, 0, true) + ", " + cast("int64_t", 1, false) +
                     ", at, g, " + (fn == "argmax" ? "true" : "false") + ", " +
                     (last ? "true" : "false") + ");\n}\n";
  if (ls.contig) {
    Mapping m = rowMapping(ls.staticN, et->vec, false);
    text += "// contiguous rows\n" + kernelOpen(m.block);
    text += "  const ds::red::Lines g{" + ls.n + ", int64_t(1)};\n";
    text += llvm::formatv("  const ds::red::At at = ds::red::rows_at<{0}, {1}>({2});\n", m.block,
                          m.w, dims.product(0, 0, *axis))
                .str();
    text += llvm::formatv("  ds::red::arg_lines<{0}, {1}, {2}, {3}, true>(", et->traits, m.block,
                          m.w, et->vec)
                .str() +
            args;
    return finishKernel("arg_reduce_" + fn.str(), text, rowsLaunch(m.block, m.w, *axis));
  }
  text += "// lines along an outer axis: a thread per line\n" + kernelOpen(256);
  text += "  const ds::red::Lines g{" + ls.n + ", " + ls.inner + "};\n";
  text += "  const ds::red::At at = ds::red::columns_at<256>(g.inner);\n";
  text += llvm::formatv("  ds::red::arg_lines<{0}, 256, 1, 1, false>(", et->traits).str() + args;
  return finishKernel("arg_reduce_" + fn.str(), text,
                      columnsLaunch(256, *axis, in.shape.size()));
}

// ---- softmax / log_softmax / hardmax ---------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateSoftmaxLike(const StepInfo &step) {
  if (llvm::Error e = expectOperands(step, 1, 1, 1))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  auto eo = elemType(step.outputs[0].dtype, "output 0");
  if (!eo)
    return eo.takeError();
  if (!et->isFloat)
    return fail("operand 0 must have a floating-point type, got " + in.dtype);
  if (in.shape.empty())
    return fail("input 0 has rank 0");
  auto axis = normalizedAxis(step, -1, "axis");
  if (!axis)
    return axis.takeError();
  std::string kind = step.kind == "softmax"       ? "SOFTMAX"
                     : step.kind == "log_softmax" ? "LOG_SOFTMAX"
                                                  : "HARDMAX";
  bool hard = kind == "HARDMAX";
  LineShape ls = lineShape(dims, *axis);
  std::string text = header(step);
  std::string args = cast(et->storage, 0, true) + ", " + cast(eo->storage, 1, false) +
                     ", at, g);\n}\n";
  if (ls.contig) {
    Mapping m = rowMapping(ls.staticN, et->vec, !hard);
    text += llvm::formatv("// contiguous rows, register cache of {0} packs per thread\n", m.cache).str() +
            kernelOpen(m.block);
    text += "  const ds::red::Lines g{" + ls.n + ", int64_t(1)};\n";
    text += llvm::formatv("  const ds::red::At at = ds::red::rows_at<{0}, {1}>({2});\n", m.block,
                          m.w, dims.product(0, 0, *axis))
                .str();
    text += llvm::formatv("  ds::red::softmax_lines<{0}, {1}, ds::red::{2}, {3}, {4}, {5}, true, "
                          "{6}>(",
                          et->traits, eo->traits, kind, m.block, m.w, et->vec, m.cache)
                .str() +
            args;
    return finishKernel(step.kind, text, rowsLaunch(m.block, m.w, *axis));
  }
  text += "// lines along an outer axis: a thread per line\n" + kernelOpen(256);
  text += "  const ds::red::Lines g{" + ls.n + ", " + ls.inner + "};\n";
  text += "  const ds::red::At at = ds::red::columns_at<256>(g.inner);\n";
  text += llvm::formatv("  ds::red::softmax_lines<{0}, {1}, ds::red::{2}, 256, 1, 1, false, 0>(",
                        et->traits, eo->traits, kind)
              .str() +
          args;
  return finishKernel(step.kind, text, columnsLaunch(256, *axis, in.shape.size()));
}

// ---- layer_norm / rms_norm -------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateNorm(const StepInfo &step) {
  bool layer = step.kind == "layer_norm";
  if (llvm::Error e = expectOperands(step, 2, layer ? 3 : 2, 1))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  auto eo = elemType(step.outputs[0].dtype, "output 0");
  if (!eo)
    return eo.takeError();
  auto es = elemType(step.inputs[1].dtype, "scale (input 1)");
  if (!es)
    return es.takeError();
  bool hasBias = layer && step.inputs.size() > 2 && step.inputs[2].present;
  llvm::Expected<ElemType> eb =
      hasBias ? elemType(step.inputs[2].dtype, "bias (input 2)") : llvm::Expected<ElemType>(*es);
  if (!eb)
    return eb.takeError();
  if (!et->isFloat || !es->isFloat || !eb->isFloat)
    return fail(step.kind + " needs floating-point operands");
  if (in.shape.empty())
    return fail("input 0 has rank 0");
  auto axis = normalizedAxis(step, -1, "axis");
  if (!axis)
    return axis.takeError();
  size_t rank = in.shape.size(), trailing = rank - *axis;
  std::optional<double> eps = layer ? 1e-5 : 1e-6;
  if (const json::Value *v = step.attrs.get("epsilon"))
    eps = jsonFloat(*v);
  if (!eps)
    return fail("attribute 'epsilon' is not a number");
  Cls cls = et->compute == "float" ? Cls::F32 : Cls::F64;

  std::optional<int64_t> staticN;
  if (llvm::all_of(llvm::ArrayRef<int64_t>(in.shape).drop_front(*axis),
                   [](int64_t d) { return d >= 0; }))
    staticN = numel(llvm::ArrayRef<int64_t>(in.shape).drop_front(*axis));
  std::string n = dims.product(0, *axis, rank);
  Mapping m = rowMapping(staticN, et->vec, true);

  std::string body;
  // The element of parameter operand `i` for element j of the row (cpu: same layout when
  // it has as many elements as the row, else broadcast over the normalized dims).
  auto paramIndex = [&](size_t i, StringRef name) -> std::string {
    const OperandInfo &p = step.inputs[i];
    if (p.shape.size() > trailing)
      return "";
    if (p.shape.empty())
      return "  const auto " + name.str() + " = [](int64_t) { return int64_t(0); };\n";
    if (staticN && isStatic(p.shape) && numel(p.shape) == *staticN)
      return "  const auto " + name.str() + " = [](int64_t j) { return j; };\n";
    SmallVector<std::string> td, pd;
    for (size_t d = *axis; d < rank; ++d)
      td.push_back(dims.dim(0, d));
    for (size_t d = 0; d < p.shape.size(); ++d)
      pd.push_back(dims.dim(i, d));
    std::string s = name.str();
    std::string out;
    out += llvm::formatv("  const int64_t {0}_td[{1}] = {2};\n", s, trailing, arrayText(td));
    out += llvm::formatv("  const int64_t {0}_pd[{1}] = {2};\n", s, p.shape.size(), arrayText(pd));
    out += llvm::formatv("  int64_t {0}_st[{1}];\n  ds::ew::broadcast_strides<{1}, {2}>({0}_pd, "
                         "{0}_st);\n",
                         s, trailing, p.shape.size());
    out += llvm::formatv("  const bool {0}_full = {1} == n;\n", s, dims.product(i, 0, p.shape.size()));
    out += llvm::formatv("  const auto {0} = [&](int64_t j) {{ return {0}_full ? j : "
                         "ds::ew::broadcast_index<int64_t, {1}>(j, {0}_td, {0}_st); };\n",
                         s, trailing);
    return out;
  };
  std::string scaleIndex = paramIndex(1, "scale_index");
  if (scaleIndex.empty())
    return fail("scale (input 1) of shape " + shapeText(step.inputs[1].shape) +
                " has more dims than the normalized dims of " + shapeText(in.shape));
  std::string biasIndex = hasBias ? paramIndex(2, "bias_index")
                                  : "  const auto bias_index = [](int64_t j) { return j; };\n";
  if (biasIndex.empty())
    return fail("bias (input 2) of shape " + shapeText(step.inputs[2].shape) +
                " has more dims than the normalized dims of " + shapeText(in.shape));

  std::string text = header(step);
  text += llvm::formatv("// rows of {0}: {1} threads per row, register cache of {2} packs per thread\n",
                        staticN ? std::to_string(*staticN) : std::string("?"), m.w, m.cache)
              .str();
  text += kernelOpen(m.block);
  text += "  const int64_t n = " + n + ";\n" + scaleIndex + biasIndex;
  text += llvm::formatv("  const ds::red::At at = ds::red::rows_at<{0}, {1}>({2});\n", m.block,
                        m.w, dims.product(0, 0, *axis))
              .str();
  size_t outIndex = step.inputs.size();
  text += llvm::formatv("  ds::red::norm_rows<{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}>(",
                        et->traits, eo->traits, es->traits, eb->traits, layer ? "true" : "false",
                        m.block, m.w, et->vec, m.cache)
              .str();
  text += cast(et->storage, 0, true) + ", " + cast(es->storage, 1, true) + ", " +
          (hasBias ? cast(eb->storage, 2, true)
                   : "static_cast<const " + eb->storage + " *>(nullptr)") +
          ", " + cast(eo->storage, outIndex, false) + ", at, n, " + floatLiteral(*eps, cls) +
          ", scale_index, bias_index);\n}\n";
  return finishKernel(step.kind, text, rowsLaunch(m.block, m.w, *axis));
}

// ---- cumsum -----------------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateCumsum(const StepInfo &step) {
  if (llvm::Error e = expectOperands(step, 1, 1, 1))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  if (in.dtype == "i1")
    return fail("cumsum is not defined on i1 elements");
  if (in.shape.empty())
    return fail("input 0 has rank 0");
  auto axis = normalizedAxis(step, std::nullopt, "axis");
  if (!axis)
    return axis.takeError();
  bool exclusive = boolAttr(step.attrs, "exclusive", false);
  bool reverse = boolAttr(step.attrs, "reverse", false);
  LineShape ls = lineShape(dims, *axis);
  std::string text = header(step);
  std::string flags = std::string(exclusive ? "true" : "false") + ", " +
                      (reverse ? "true" : "false") + ");\n}\n";
  std::string ptrs = cast(et->storage, 0, true) + ", " + cast(et->storage, 1, false);
  if (ls.contig) {
    // A warp per short row, a block per long or dynamic one; 4 elements per thread.
    int block = 256, w = ls.staticN && *ls.staticN <= 128 ? 32 : 256;
    text += "// contiguous rows: a scan by " + std::to_string(w) + " threads\n" +
            kernelOpen(block);
    text += llvm::formatv("  const ds::red::At at = ds::red::rows_at<{0}, {1}>({2});\n", block, w,
                          dims.product(0, 0, *axis))
                .str();
    text += llvm::formatv("  ds::red::cumsum_rows<{0}, {1}, {2}, 4>(", et->traits, block, w)
                .str() +
            ptrs + ", at, " + ls.n + ", " + flags;
    return finishKernel("cumsum", text, rowsLaunch(block, w, *axis));
  }
  text += "// lines along an outer axis: a thread per line, sequential\n" + kernelOpen(256);
  text += "  const ds::red::Lines g{" + ls.n + ", " + ls.inner + "};\n";
  text += "  const ds::red::At at = ds::red::columns_at<256>(g.inner);\n";
  text += llvm::formatv("  ds::red::cumsum_lines_seq<{0}>(", et->traits).str() + ptrs +
          ", at, g, " + flags;
  return finishKernel("cumsum", text, columnsLaunch(256, *axis, in.shape.size()));
}

// ---- topk -------------------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateTopk(const StepInfo &step) {
  if (llvm::Error e = expectOperands(step, 1, 1, 2))
    return std::move(e);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0];
  auto et = elemType(in.dtype, "input 0");
  if (!et)
    return et.takeError();
  if (in.dtype == "i1")
    return fail("topk is not defined on i1 elements");
  if (step.outputs[0].dtype != in.dtype || step.outputs[1].dtype != "i64")
    return fail("topk outputs must be " + in.dtype + " and i64, got " + step.outputs[0].dtype +
                " and " + step.outputs[1].dtype);
  if (in.shape.empty())
    return fail("input 0 has rank 0");
  auto axis = normalizedAxis(step, -1, "axis");
  if (!axis)
    return axis.takeError();
  auto k = requireInt(step.attrs, "k", std::nullopt);
  if (!k)
    return k.takeError();
  if (*k < 0 || (in.shape[*axis] >= 0 && *k > in.shape[*axis]))
    return fail("k = " + llvm::Twine(*k) + " is out of range for axis " + llvm::Twine(*axis) +
                " of " + shapeText(in.shape));
  bool largest = boolAttr(step.attrs, "largest", true);
  LineShape ls = lineShape(dims, *axis);
  // Bitonic sort in shared memory for lines up to P elements (P from the static length;
  // 1024 for dynamic lengths, longer lines select k times).
  int64_t p = 1024;
  if (ls.staticN) {
    p = 1;
    while (p < *ls.staticN)
      p <<= 1;
    if (p > 2048)
      p = 0;
  }
  int block = static_cast<int>(std::clamp<int64_t>(p / 2, 32, 256));
  block = (block + 31) / 32 * 32;
  std::string text = header(step);
  if (p > 0)
    text += llvm::formatv("// a block per line: bitonic sort of lines up to {0} elements, {1} "
                          "selection rounds for longer ones\n",
                          p, *k)
                .str();
  else
    text += llvm::formatv("// a block per line: {0} selection rounds\n", *k).str();
  text += kernelOpen(block);
  text += "  const ds::red::Lines g{" + ls.n + ", " + ls.inner + "};\n";
  text += "  const ds::red::At at{int64_t(ds::block_idx_x()), true, int(ds::thread_linear())};\n";
  text += llvm::formatv("  ds::red::topk_lines<{0}, {1}, {2}>(", et->traits, block, p).str();
  text += cast(et->storage, 0, true) + ", " + cast(et->storage, 1, false) + ", " +
          cast("int64_t", 2, false) + ", at, g, " + intLiteral(*k) + ", " +
          (largest ? "true" : "false") + ");\n}\n";
  LaunchConfig launch;
  launch.block = {block, 1, 1};
  launch.tiles.push_back({0, 0, *axis, 1});
  launch.tiles.push_back({0, *axis + 1, static_cast<int64_t>(in.shape.size()), 1});
  return finishKernel("topk", text, launch);
}

} // namespace

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateReductionKernel(const StepInfo &step) {
  if (step.kind == "reduce")
    return generateReduce(step);
  if (step.kind == "arg_reduce")
    return generateArgReduce(step);
  if (step.kind == "softmax" || step.kind == "log_softmax" || step.kind == "hardmax")
    return generateSoftmaxLike(step);
  if (step.kind == "layer_norm" || step.kind == "rms_norm")
    return generateNorm(step);
  if (step.kind == "cumsum")
    return generateCumsum(step);
  if (step.kind == "topk")
    return generateTopk(step);
  llvm_unreachable("kernelGenerators() routes only the reduction kinds here");
}
