//===- MovementCodegen.cpp - CUDA kernels of data-movement steps ----------===//
//
// transpose, concat, slice, split, expand, tile, pad and trilu steps (docs/cuda.md,
// "Data movement kernels"). They copy bits, so every kernel moves elements as unsigned
// integers of the storage size (1, 2, 4, 8 bytes) and one text serves every dtype of a
// size. Helpers live in runtime/kernels/movement.cuh.
//
// Shapes of the family:
//   gather    out[e] = in[src(e)] (or the pad value) with src(e) = base + sum over the
//             output dims of coord_d(o_d) * stride_d; transpose (innermost axis kept),
//             slice, expand, tile and pad. Static dims are collapsed at generation time
//             (size-1 dims dropped, neighbours merged where the source is contiguous
//             across them); the division chain uses constants. A vector path moves
//             16 bytes per thread when the innermost dim is a contiguous run.
//   tiled     transpose moving the innermost axis: 32 x 32 shared-memory tiles over the
//             two axes involved (coalesced reads and writes), the other dims as a batch.
//   segments  concat (per output element the input it comes from) and split (per input
//             element the output it goes to), one kernel for all operands.
//   trilu     per element keep or zero by column - row against k.
//
// Parameters that arrive as run-time tensors are read on the device from the operand
// (slice starts/axes/steps, pad pads, trilu k, the pad value); what the shapes already say
// is taken from the shapes (expand's target, tile's repeats, split's sizes, the slice
// counts, the end pads): the shape function validated the tensors at plan time.
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <limits>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

constexpr int kBlock = 256;
constexpr int kVectorBytes = 16;
constexpr int kTile = 32;

std::string lit(int64_t v) { return "int64_t(" + std::to_string(v) + ")"; }

/// The unsigned type of `bytes`-byte elements.
StringRef elemType(unsigned bytes) {
  switch (bytes) {
  case 1:
    return "uint8_t";
  case 2:
    return "uint16_t";
  case 4:
    return "uint32_t";
  default:
    return "uint64_t";
  }
}

llvm::Expected<unsigned> elemBytes(const OperandInfo &op) {
  const DTypeInfo *t = lookupDType(op.dtype);
  if (!t)
    return fail("unsupported dtype '" + op.dtype + "'");
  return storageBytes(*t);
}

/// The dtype of every data operand must have the size of the first one.
llvm::Expected<unsigned> sameBytes(llvm::ArrayRef<const OperandInfo *> ops) {
  std::optional<unsigned> bytes;
  for (const OperandInfo *op : ops) {
    if (!op->present)
      continue;
    auto b = elemBytes(*op);
    if (!b)
      return b.takeError();
    if (bytes && *bytes != *b)
      return fail("operands of " + llvm::Twine(*bytes) + " and " + llvm::Twine(*b) +
                  "-byte elements (" + op->dtype + ")");
    bytes = *b;
  }
  return bytes.value_or(1); // operand 0 is present (the arity checks)
}

/// The operand counts of a step (`operands` names them for the message).
llvm::Error arity(const StepInfo &step, size_t minIn, size_t maxIn, size_t minOut,
                  size_t maxOut, StringRef operands) {
  size_t in = step.inputs.size(), out = step.outputs.size();
  if (in < minIn || in > maxIn || out < minOut || out > maxOut)
    return fail(step.kind + " takes " + operands + "; the step has " + llvm::Twine(in) +
                " inputs and " + llvm::Twine(out) + " outputs");
  return llvm::Error::success();
}

/// The normalized integer attribute `axis`.
llvm::Expected<int64_t> axisAttr(const StepInfo &step, int64_t rank) {
  auto axis = step.attrs.getInteger("axis");
  if (!axis)
    return fail("the step needs the integer attribute 'axis'");
  if (*axis < -rank || *axis >= rank)
    return fail("axis " + llvm::Twine(*axis) + " is out of range for rank " + llvm::Twine(rank));
  return *axis < 0 ? *axis + rank : *axis;
}

llvm::Error needIndexTensor(const StepInfo &step, size_t i, StringRef what) {
  if (i >= step.inputs.size() || !step.inputs[i].present)
    return fail("the " + what + " operand is missing");
  if (step.inputs[i].dtype != "i64")
    return fail("the " + what + " operand is " + step.inputs[i].dtype + "; expected i64");
  return llvm::Error::success();
}

llvm::Expected<int64_t> normalizeAxis(int64_t axis, int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank)
    return fail(what + " " + llvm::Twine(axis) + " is out of range for rank " +
                llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

std::optional<int64_t> staticValue(const std::string &expr) {
  StringRef s(expr);
  if (!s.consume_front("int64_t(") || !s.consume_back(")"))
    return std::nullopt;
  int64_t v;
  if (s.getAsInteger(10, v))
    return std::nullopt;
  return v;
}

/// "a * b" with constants folded (both int64_t expressions).
std::string mulExpr(const std::string &a, const std::string &b) {
  auto ca = staticValue(a), cb = staticValue(b);
  if (ca && cb)
    return lit(*ca * *cb);
  if ((ca && *ca == 0) || (cb && *cb == 0))
    return lit(0);
  if (ca && *ca == 1)
    return b;
  if (cb && *cb == 1)
    return a;
  return "(" + a + " * " + b + ")";
}

/// Row-major strides of operand `i` as expressions.
SmallVector<std::string> stridesOf(const OperandDims &dims, size_t i) {
  size_t rank = dims.operand(i).shape.size();
  SmallVector<std::string> strides(rank);
  for (size_t d = 0; d < rank; ++d)
    strides[d] = dims.product(i, d + 1, rank);
  return strides;
}

// ---- the gather family ------------------------------------------------------------------

/// One output dim of a gather: its size, the source stride, and how the coordinate `o`
/// becomes the source coordinate (`coord` uses `o`; empty: `o` itself).
struct LoopDim {
  std::string size;
  std::string stride;
  std::string coord;   // expression in `o` (int64_t); empty = o
  bool canPad = false; // coord may be -1: the element is the pad value
};

struct GatherPlan {
  unsigned bytes = 4;
  size_t inOperand = 0, outOperand = 1;
  SmallVector<LoopDim> dims; // outer to inner
  SmallVector<std::string> prologue;
  std::string base = "int64_t(0)";
  std::string padValue; // expression of the pad value (a T), when a dim can pad
  std::string comment;
};

/// Static collapse: drops dims of static size 1 whose coordinate is 0 at 0 (every kind
/// but pad) and merges neighbours whose source is contiguous across them.
void collapse(GatherPlan &plan) {
  SmallVector<LoopDim> out;
  for (const LoopDim &d : plan.dims) {
    auto size = staticValue(d.size);
    if (size && *size == 1 && !d.canPad)
      continue;
    if (!out.empty() && d.coord.empty() && out.back().coord.empty() && !d.canPad &&
        !out.back().canPad) {
      auto outerSize = staticValue(out.back().size), outerStride = staticValue(out.back().stride),
           stride = staticValue(d.stride);
      if (size && outerSize && outerStride && stride && *outerStride == *stride * *size) {
        out.back().size = lit(*outerSize * *size);
        out.back().stride = d.stride;
        continue;
      }
    }
    out.push_back(d);
  }
  plan.dims = std::move(out);
}

/// Largest element count that a kernel traverses, when static.
bool fitsU32(const OperandDims &dims, size_t i) {
  const OperandInfo &op = dims.operand(i);
  return isStatic(op.shape) && numel(op.shape) <= int64_t(UINT32_MAX);
}

/// The opening of every kernel text.
void header(llvm::raw_ostream &os, StringRef what, const StepInfo &step) {
  os << "// " << what << " kernel (generated by ds; docs/cuda.md \"Data movement kernels\").\n";
  for (auto [i, in] : llvm::enumerate(step.inputs))
    os << llvm::formatv("//   input {0}: {1}\n", i,
                        in.present ? in.dtype + " " + shapeText(in.shape) : "absent");
  for (auto [k, out] : llvm::enumerate(step.outputs))
    os << llvm::formatv("//   output {0}: {1} {2}\n", k, out.dtype, shapeText(out.shape));
  os << "#include \"ds_device.cuh\"\n#include \"movement.cuh\"\n\n";
}

/// Emits `body` (statements over the index type I of the division chain) with a 32-bit I
/// when the traversed count `n` allows it: once when the shapes are static, else twice
/// behind a run-time test (NVRTC takes no lambdas in device code, so the text repeats).
void emitBody(llvm::raw_ostream &os, bool staticU32, StringRef body) {
  if (staticU32) {
    os << "  {\n    using I = uint32_t;\n" << body << "  }\n";
    return;
  }
  os << "  if (n <= int64_t(0xffffffff)) {\n    using I = uint32_t;\n"
     << body << "  } else {\n    using I = int64_t;\n" << body << "  }\n";
}

/// A step whose traversed operand has a static 0 dim moves nothing (its grid is empty):
/// a kernel without a body, so no division by a constant 0 is compiled.
std::optional<GeneratedKernel> emptyKernel(const StepInfo &step, const OperandDims &dims,
                                           size_t operand, StringRef base) {
  if (!llvm::is_contained(dims.operand(operand).shape, 0))
    return std::nullopt;
  std::string text;
  llvm::raw_string_ostream os(text);
  header(os, "Movement (empty: a static 0 dim)", step);
  os << "DS_KERNEL(" << kKernelNamePlaceholder << ") {}\n";
  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = kBlock;
  launch.of = "numel";
  launch.operand = operand;
  return finishKernel(base, text, launch);
}

/// Emits the statements that compute `src` (and `pad`) for output element `e`.
void emitSourceIndex(llvm::raw_ostream &os, const GatherPlan &plan, StringRef indent,
                     bool anyPad) {
  os << indent << "int64_t src = base;\n";
  if (anyPad)
    os << indent << "bool pad = false;\n";
  if (plan.dims.empty())
    return;
  os << indent << "I rest = I(e);\n";
  for (size_t k = plan.dims.size(); k-- > 0;) {
    const LoopDim &d = plan.dims[k];
    os << indent << "{\n";
    if (k > 0)
      os << indent << "  const I q = rest / I(dim" << k << ");\n"
         << indent << "  const int64_t o = int64_t(rest - q * I(dim" << k << "));\n"
         << indent << "  rest = q;\n";
    else
      os << indent << "  const int64_t o = int64_t(rest);\n";
    std::string coord = d.coord.empty() ? "o" : d.coord;
    if (d.canPad) {
      os << indent << "  const int64_t c = " << coord << ";\n"
         << indent << "  pad = pad || c < 0;\n"
         << indent << "  src += c * stride" << k << ";\n";
    } else {
      os << indent << "  src += " << coord << " * stride" << k << ";\n";
    }
    os << indent << "}\n";
  }
}

GeneratedKernel emitGather(const StepInfo &step, const OperandDims &dims, GatherPlan plan,
                           StringRef base) {
  if (auto empty = emptyKernel(step, dims, plan.outOperand, base))
    return *empty;
  collapse(plan);
  const unsigned bytes = plan.bytes;
  const int V = kVectorBytes / bytes;
  StringRef T = elemType(bytes);
  const OperandInfo &out = dims.operand(plan.outOperand);
  const bool staticOut = isStatic(out.shape);
  bool anyPad = llvm::any_of(plan.dims, [](const LoopDim &d) { return d.canPad; });
  // Vector path: the innermost dim is a contiguous run (stride 1) or a splat (stride 0)
  // of the source whose length V divides.
  std::optional<int64_t> innerStride, innerSize;
  bool vectorize = false;
  if (!plan.dims.empty() && !anyPad && plan.dims.back().coord.empty()) {
    innerStride = staticValue(plan.dims.back().stride);
    innerSize = staticValue(plan.dims.back().size);
    bool splat = innerStride && *innerStride == 0;
    vectorize = (!staticOut || numel(out.shape) >= int64_t(kBlock) * V) &&
                (!innerSize || *innerSize % V == 0) &&
                (!innerStride || *innerStride == 1 || splat);
  }
  bool splat = vectorize && innerStride && *innerStride == 0;

  std::string text;
  llvm::raw_string_ostream os(text);
  header(os, plan.comment, step);
  os << "DS_KERNEL(" << kKernelNamePlaceholder << ") {\n";
  os << llvm::formatv("  const {0} *in = static_cast<const {0} *>(params.ptr[{1}]);\n", T,
                      plan.inOperand);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[{1}]);\n", T,
                      plan.outOperand);
  os << "  const int64_t n = " << dims.product(plan.outOperand, 0, out.shape.size()) << ";\n";
  for (const std::string &line : plan.prologue)
    os << "  " << line << "\n";
  os << "  const int64_t base = " << plan.base << ";\n";
  for (auto [k, d] : llvm::enumerate(plan.dims)) // the outermost size only bounds `rest`
    os << "  const int64_t " << (k ? "dim" + std::to_string(k) + " = " + d.size + ", " : "")
       << "stride" << k << " = " << d.stride << ";\n";
  if (anyPad)
    os << "  const " << T << " value = " << plan.padValue << ";\n";
  os << "  const int64_t thread = ds::mv::global_thread(), threads = ds::mv::grid_threads();\n";
  const size_t bodyStart = text.size(); // the body is cut out and emitted by emitBody
  os << "    int64_t begin = 0;\n";
  if (vectorize) {
    size_t inner = plan.dims.size() - 1;
    std::string cond = "n >= " + std::to_string(V);
    if (!innerSize)
      cond += " && " + plan.dims.back().size + " % " + std::to_string(V) + " == 0";
    if (!innerStride)
      cond += " && stride" + std::to_string(inner) + " == 1";
    cond += llvm::formatv(" && ds::mv::aligned<{0}>(out)", V).str();
    if (!splat)
      cond += llvm::formatv(" && ds::mv::aligned<{0}>(in)", V).str();
    os << "    if (" << cond << ") {\n";
    os << "      // " << (splat ? "Each thread writes V copies of one source element."
                                : "Runs of V source elements: one 16-byte access when aligned.")
       << "\n";
    os << "      for (int64_t e = thread * " << V << "; e < n; e += threads * " << V << ") {\n";
    emitSourceIndex(os, plan, "        ", false);
    os << llvm::formatv("        ds::mv::Vec<{0}, {1}> p;\n", T, V);
    if (splat) {
      os << "        const " << T << " v = in[src];\n";
      os << "#pragma unroll\n        for (int k = 0; k < " << V << "; ++k) p.v[k] = v;\n";
    } else {
      os << llvm::formatv("        if (src % {0} == 0) p = ds::mv::load_vec<{0}>(in, src);\n",
                          V);
      os << "        else {\n#pragma unroll\n          for (int k = 0; k < " << V
         << "; ++k) p.v[k] = in[src + k];\n        }\n";
    }
    os << llvm::formatv("        ds::mv::store_vec<{0}>(out, e, p);\n", V);
    os << "      }\n";
    os << "      begin = n;\n";
    os << "    }\n";
  }
  os << "    for (int64_t e = begin + thread; e < n; e += threads) {\n";
  emitSourceIndex(os, plan, "      ", anyPad);
  if (anyPad)
    os << "      out[e] = pad ? value : in[src];\n";
  else
    os << "      out[e] = in[src];\n";
  os << "    }\n";
  std::string body = text.substr(bodyStart);
  text.resize(bodyStart);
  emitBody(os, staticOut && fitsU32(dims, plan.outOperand), body);
  os << "}\n";

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = vectorize ? int64_t(kBlock) * V : kBlock;
  launch.of = "numel";
  launch.operand = plan.outOperand;
  return finishKernel(base, text, launch);
}

// ---- transpose ----------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateTranspose(const StepInfo &step) {
  if (auto e = arity(step, 1, 1, 1, 1, "1 input and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  const OperandInfo &in = step.inputs[0];
  int64_t rank = in.shape.size();
  const json::Array *permAttr = step.attrs.getArray("perm");
  if (!permAttr || int64_t(permAttr->size()) != rank)
    return fail("perm must list one entry per dim of rank " + llvm::Twine(rank));
  SmallVector<int64_t> perm;
  SmallVector<bool> seen(rank, false);
  for (const json::Value &v : *permAttr) {
    auto p = v.getAsInteger();
    if (!p)
      return fail("perm entries must be integers");
    auto axis = normalizeAxis(*p, rank, "perm entry");
    if (!axis)
      return axis.takeError();
    if (seen[*axis])
      return fail("perm is not a permutation");
    seen[*axis] = true;
    perm.push_back(*axis);
  }
  if (step.outputs[0].shape.size() != size_t(rank))
    return fail("the output rank differs from the input rank");

  // Groups: runs of output dims whose input axes are consecutive (they stay adjacent),
  // ignoring input dims of static size 1. Each keeps its range of input axes and of
  // output axes.
  struct Group {
    int64_t inBegin, inEnd, outBegin, outEnd;
  };
  SmallVector<Group> groups;
  int64_t lastAxis = -2;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t a = perm[d];
    if (in.shape[a] == 1)
      continue;
    // The input axes strictly between the previous one and this one are all size 1.
    bool adjacent = !groups.empty() && a > lastAxis;
    for (int64_t b = lastAxis + 1; adjacent && b < a; ++b)
      adjacent = in.shape[b] == 1;
    if (adjacent) {
      groups.back().inEnd = a + 1;
      groups.back().outEnd = d + 1;
    } else {
      groups.push_back({a, a + 1, d, d + 1});
    }
    lastAxis = a;
  }
  // Sizes and source strides of the groups in output order.
  SmallVector<std::string> size, srcStride, dstStride(groups.size());
  for (const Group &g : groups) {
    size.push_back(dims.product(0, g.inBegin, g.inEnd));
    srcStride.push_back(dims.product(0, g.inEnd, rank));
  }
  for (size_t k = groups.size(); k-- > 0;)
    dstStride[k] = k + 1 == groups.size() ? lit(1) : mulExpr(dstStride[k + 1], size[k + 1]);
  // The group holding the input's innermost (non-unit) axis.
  int64_t innerIn = -1;
  for (size_t k = 0; k < groups.size(); ++k)
    if (innerIn < 0 || groups[k].inBegin > groups[innerIn].inBegin)
      innerIn = k;

  if (groups.size() < 2 || innerIn == int64_t(groups.size()) - 1) {
    GatherPlan plan;
    plan.bytes = *bytes;
    plan.comment = "Transpose (innermost axis kept: strided copy of contiguous runs)";
    for (size_t k = 0; k < groups.size(); ++k)
      plan.dims.push_back({size[k], srcStride[k], "", false});
    return emitGather(step, dims, std::move(plan), "transpose");
  }

  if (auto empty = emptyKernel(step, dims, 1, "transpose"))
    return *empty;
  // Tiled: q = the group contiguous in the source, c = the last output group.
  size_t q = innerIn, c = groups.size() - 1;
  SmallVector<size_t> batch;
  for (size_t k = 0; k < groups.size(); ++k)
    if (k != q && k != c)
      batch.push_back(k);
  StringRef T = elemType(*bytes);
  std::string text;
  llvm::raw_string_ostream os(text);
  header(os, "Transpose (innermost axis moves: 32x32 shared-memory tiles)", step);
  os << "DS_KERNEL_BOUNDS(" << kKernelNamePlaceholder << ", 256) {\n";
  os << llvm::formatv("  const {0} *in = static_cast<const {0} *>(params.ptr[0]);\n", T);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[1]);\n", T);
  os << llvm::formatv("  DS_SHARED {0} tile[{1}][{2}];\n", T, kTile, kTile + 1);
  os << "  const int64_t nq = " << size[q] << ", nc = " << size[c] << ";\n";
  os << "  const int64_t dq = " << dstStride[q] << ", sc = " << srcStride[c] << ";\n";
  os << llvm::formatv("  const int64_t tq = (nq + {0}) / {1}, tc = (nc + {0}) / {1};\n",
                      kTile - 1, kTile);
  std::string tiles = "tq * tc";
  for (auto [j, k] : llvm::enumerate(batch)) {
    os << "  const int64_t bdim" << j << " = " << size[k] << ", bsrc" << j << " = "
       << srcStride[k] << ", bdst" << j << " = " << dstStride[k] << ";\n";
    tiles += " * bdim" + std::to_string(j);
  }
  os << "  const int64_t tiles = " << tiles << ";\n";
  os << "  // Every thread of the block walks the same tiles (the barriers stay uniform).\n";
  os << "  for (int64_t t = ds::block_idx_x(); t < tiles; t += ds::grid_dim_x()) {\n";
  os << "    int64_t rest = t;\n";
  os << "    const int64_t ct = rest % tc;\n    rest /= tc;\n";
  os << "    const int64_t qt = rest % tq;\n    rest /= tq;\n";
  os << "    int64_t so = 0, dof = 0;\n";
  for (size_t j = batch.size(); j-- > 0;) {
    if (j > 0)
      os << "    {\n      const int64_t o = rest % bdim" << j << ";\n      rest /= bdim" << j
         << ";\n";
    else
      os << "    {\n      const int64_t o = rest;\n";
    os << "      so += o * bsrc" << j << ";\n      dof += o * bdst" << j << ";\n    }\n";
  }
  os << llvm::formatv("    ds::mv::transpose_tile<{0}, {1}>(tile, in + so, out + dof, nq, nc, "
                      "dq, sc, qt * {0}, ct * {0});\n",
                      kTile, kTile + 1);
  os << "  }\n}\n";

  LaunchConfig launch;
  launch.block = {kTile, kBlock / kTile, 1};
  // Grid: one block per tile, from the output's dims (a group is a range of them).
  auto range = [&](size_t k, int64_t per) {
    return std::array<int64_t, 4>{1, groups[k].outBegin, groups[k].outEnd, per};
  };
  for (size_t k : batch)
    launch.tiles.push_back(range(k, 1));
  launch.tiles.push_back(range(q, kTile));
  launch.tiles.push_back(range(c, kTile));
  return finishKernel("transpose", text, launch);
}

// ---- slice, expand, tile, pad -------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateSlice(const StepInfo &step) {
  if (auto e = arity(step, 5, 5, 1, 1, "5 inputs (data, starts, ends, axes, steps) and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  static const char *const names[] = {"starts", "ends", "axes", "steps"};
  for (size_t i = 1; i < 5; ++i) {
    if (auto e = needIndexTensor(step, i, names[i - 1]))
      return std::move(e);
    if (step.inputs[i].shape.size() != 1)
      return fail(llvm::Twine("the ") + names[i - 1] + " operand must be 1-D");
  }
  size_t rank = step.inputs[0].shape.size();
  if (step.outputs[0].shape.size() != rank)
    return fail("the output rank differs from the input rank");
  GatherPlan plan;
  plan.bytes = *bytes;
  plan.outOperand = 5;
  plan.comment = "Slice (starts and steps read from their operands)";
  if (rank > 0) {
    SmallVector<std::string> inDims, outDims;
    for (size_t d = 0; d < rank; ++d) {
      inDims.push_back(dims.dim(0, d));
      outDims.push_back(dims.dim(5, d));
    }
    std::string R = std::to_string(rank);
    plan.prologue = {
        "const int64_t in_dims[" + R + "] = " + arrayText(inDims) + ";",
        "const int64_t out_dims[" + R + "] = " + arrayText(outDims) + ";",
        "int64_t start[" + R + "], step[" + R + "];",
        "ds::mv::slice_params(static_cast<const int64_t *>(params.ptr[1]), "
        "static_cast<const int64_t *>(params.ptr[2]), static_cast<const int64_t *>(params.ptr[3]), "
        "static_cast<const int64_t *>(params.ptr[4]), " +
            dims.dim(1, 0) + ", in_dims, out_dims, start, step);",
    };
    SmallVector<std::string> strides = stridesOf(dims, 0), terms;
    for (size_t d = 0; d < rank; ++d) {
      std::string s = "step[" + std::to_string(d) + "]";
      plan.dims.push_back({dims.dim(5, d), mulExpr(s, strides[d]), "", false});
      terms.push_back(mulExpr("start[" + std::to_string(d) + "]", strides[d]));
    }
    plan.base = llvm::join(terms, " + ");
  }
  return emitGather(step, dims, std::move(plan), "slice");
}

llvm::Expected<GeneratedKernel> generateExpand(const StepInfo &step) {
  if (auto e = arity(step, 2, 2, 1, 1, "2 inputs (input, shape) and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  const OperandInfo &in = step.inputs[0], &out = step.outputs[0];
  size_t rank = out.shape.size(), inRank = in.shape.size();
  if (inRank > rank)
    return fail("the input rank exceeds the output rank");
  GatherPlan plan;
  plan.bytes = *bytes;
  plan.outOperand = 2;
  plan.comment = "Expand (broadcast: stride 0 on the expanded dims)";
  SmallVector<std::string> strides = stridesOf(dims, 0);
  size_t lead = rank - inRank;
  for (size_t d = 0; d < rank; ++d) {
    std::string stride = lit(0);
    if (d >= lead) {
      size_t i = d - lead;
      if (in.shape[i] < 0) // dynamic: 1 at run time broadcasts
        stride = "(" + dims.dim(0, i) + " == 1 ? int64_t(0) : " + strides[i] + ")";
      else if (in.shape[i] != 1)
        stride = strides[i];
    }
    plan.dims.push_back({dims.dim(2, d), stride, "", false});
  }
  return emitGather(step, dims, std::move(plan), "expand");
}

llvm::Expected<GeneratedKernel> generateTile(const StepInfo &step) {
  if (auto e = arity(step, 2, 2, 1, 1, "2 inputs (input, repeats) and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  const OperandInfo &in = step.inputs[0], &out = step.outputs[0];
  size_t rank = in.shape.size();
  if (out.shape.size() != rank)
    return fail("the output rank differs from the input rank");
  GatherPlan plan;
  plan.bytes = *bytes;
  plan.outOperand = 2;
  plan.comment = "Tile (source coordinate = output coordinate mod input dim)";
  SmallVector<std::string> strides = stridesOf(dims, 0);
  for (size_t d = 0; d < rank; ++d) {
    // The repeats follow from the shapes: out = in * repeats.
    std::string coord = "(o % " + dims.dim(0, d) + ")", stride = strides[d];
    if (in.shape[d] == 1) {
      coord.clear();
      stride = lit(0);
    } else if (in.shape[d] >= 0 && in.shape[d] == out.shape[d]) {
      coord.clear();
    }
    plan.dims.push_back({dims.dim(2, d), stride, coord, false});
  }
  return emitGather(step, dims, std::move(plan), "tile");
}

llvm::Expected<GeneratedKernel> generatePad(const StepInfo &step) {
  if (auto e = arity(step, 2, 3, 1, 1, "2 or 3 inputs (input, pads, value) and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  if (auto e = needIndexTensor(step, 1, "pads"))
    return std::move(e);
  bool hasValue = step.inputs.size() == 3 && step.inputs[2].present;
  if (hasValue && step.inputs[2].dtype != step.inputs[0].dtype)
    return fail("the pad value is " + step.inputs[2].dtype + " but the data is " +
                step.inputs[0].dtype);
  StringRef mode = step.attrs.getString("mode").value_or("constant");
  int modeId = llvm::StringSwitch<int>(mode)
                   .Case("constant", 0)
                   .Case("reflect", 1)
                   .Case("edge", 2)
                   .Case("wrap", 3)
                   .Default(-1);
  if (modeId < 0)
    return fail("unknown pad mode '" + mode + "' (expected constant, reflect, edge or wrap)");
  const OperandInfo &in = step.inputs[0];
  int64_t rank = in.shape.size();
  size_t outOperand = step.inputs.size();
  if (int64_t(step.outputs[0].shape.size()) != rank)
    return fail("the output rank differs from the input rank");
  SmallVector<int64_t> axes;
  if (const json::Array *a = step.attrs.getArray("axes")) {
    for (const json::Value &v : *a) {
      auto axis = v.getAsInteger();
      if (!axis)
        return fail("axes entries must be integers");
      auto n = normalizeAxis(*axis, rank, "axis");
      if (!n)
        return n.takeError();
      axes.push_back(*n);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  const OperandInfo &pads = step.inputs[1];
  if (pads.shape.size() != 1 || (pads.shape[0] >= 0 && pads.shape[0] != int64_t(2 * axes.size())))
    return fail("pads must have " + llvm::Twine(2 * axes.size()) + " entries");

  GatherPlan plan;
  plan.bytes = *bytes;
  plan.outOperand = outOperand;
  plan.comment = ("Pad, " + mode + " mode (begin pads read from the pads operand)").str();
  StringRef T = elemType(*bytes);
  plan.padValue = hasValue ? ("static_cast<const " + T + " *>(params.ptr[2])[0]").str()
                           : (T + "(0)").str();
  plan.prologue.push_back("const int64_t *pads = static_cast<const int64_t *>(params.ptr[1]);");
  SmallVector<std::string> strides = stridesOf(dims, 0);
  for (int64_t d = 0; d < rank; ++d) {
    // Begin pad: the sum of the entries naming this axis (as the cpu adds them); the
    // end pad follows from the shapes. Negative pads crop (onnxruntime's semantics).
    SmallVector<std::string> terms;
    for (auto [i, a] : llvm::enumerate(axes))
      if (a == d)
        terms.push_back("pads[" + std::to_string(i) + "]");
    std::string D = std::to_string(d);
    std::string b = terms.empty() ? "int64_t(0)" : llvm::join(terms, " + ");
    plan.prologue.push_back("const int64_t pb" + D + " = " + b + ", pe" + D + " = " +
                            dims.dim(outOperand, d) + " - " + dims.dim(0, d) + " - pb" + D +
                            ";");
    plan.prologue.push_back("const int64_t crop" + D + " = pb" + D + " < 0 ? -pb" + D +
                            " : 0, add" + D + " = pb" + D + " > 0 ? pb" + D + " : 0;");
    plan.prologue.push_back("const int64_t kept" + D + " = " + dims.dim(0, d) + " - crop" + D +
                            " - (pe" + D + " < 0 ? -pe" + D + " : 0);");
    std::string coord = llvm::formatv("ds::mv::pad_source<{0}>(o, add{1}, crop{1}, kept{1})",
                                      modeId, D);
    plan.dims.push_back({dims.dim(outOperand, d), strides[d], coord, true});
  }
  return emitGather(step, dims, std::move(plan), "pad");
}

// ---- concat and split ---------------------------------------------------------------------

/// Segments along the flattened [outer, W] view: part k covers columns
/// [offset_k, offset_k + w_k) of the whole (W = sum of w_k).
GeneratedKernel emitSegments(const StepInfo &step, const OperandDims &dims, bool isConcat,
                             unsigned bytes, int64_t axis) {
  const int V = kVectorBytes / bytes;
  StringRef T = elemType(bytes);
  size_t whole = isConcat ? step.inputs.size() : 0; // the operand of the whole tensor
  if (auto empty = emptyKernel(step, dims, whole, isConcat ? "concat" : "split"))
    return *empty;
  SmallVector<size_t> parts;
  if (isConcat)
    for (size_t i = 0; i < step.inputs.size(); ++i)
      parts.push_back(i);
  else
    for (size_t k = 0; k < step.outputs.size(); ++k)
      parts.push_back(step.inputs.size() + k);
  const OperandInfo &w = dims.operand(whole);
  size_t rank = w.shape.size();

  SmallVector<std::string> widths;
  for (size_t p : parts)
    widths.push_back(dims.product(p, axis, rank));
  std::string W = dims.product(whole, axis, rank);
  bool staticAll = dims.allStatic();
  const bool staticWhole = isStatic(w.shape);
  // Vector path: every width a multiple of V (then a pack never straddles two parts).
  bool vectorize = !staticWhole || numel(w.shape) >= int64_t(kBlock) * V;
  for (const std::string &width : widths)
    if (auto c = staticValue(width); c && *c % V != 0)
      vectorize = false;

  std::string text;
  llvm::raw_string_ostream os(text);
  header(os, isConcat ? "Concat (per output element, the input it comes from)"
                      : "Split (per input element, the output it goes to)",
         step);
  os << "DS_KERNEL(" << kKernelNamePlaceholder << ") {\n";
  os << llvm::formatv("  {0}{1} *whole = static_cast<{0}{1} *>(params.ptr[{2}]);\n",
                      isConcat ? "" : "const ", T, whole);
  for (auto [j, p] : llvm::enumerate(parts))
    os << llvm::formatv("  {0}{1} *part{2} = static_cast<{0}{1} *>(params.ptr[{3}]);\n",
                        isConcat ? "const " : "", T, j, p);
  os << "  const int64_t n = " << dims.product(whole, 0, rank) << ";\n";
  os << "  const int64_t W = " << W << ";\n";
  for (auto [j, width] : llvm::enumerate(widths))
    os << "  const int64_t w" << j << " = " << width << ", end" << j << " = "
       << (j ? "end" + std::to_string(j - 1) + " + " : "") << "w" << j << ";\n";
  os << "  const int64_t thread = ds::mv::global_thread(), threads = ds::mv::grid_threads();\n";
  // The part of column c (unrolled compare chain; empty parts are never chosen).
  auto locate = [&](StringRef indent) {
    os << indent << "int64_t width = w0, offset = 0;\n";
    os << indent << T << " *ptr = nullptr;\n";
    for (size_t j = 0; j < parts.size(); ++j) {
      std::string cast =
          isConcat ? ("const_cast<" + T + " *>(part" + std::to_string(j) + ")").str()
                   : "part" + std::to_string(j);
      std::string set = llvm::formatv("{{ ptr = {0}; width = w{1}; offset = end{1} - w{1}; }",
                                      cast, j);
      if (j + 1 == parts.size())
        os << indent << (j ? "else " : "") << set << "\n";
      else
        os << indent << (j ? "else " : "") << "if (c < end" << j << ") " << set << "\n";
    }
  };
  const size_t bodyStart = text.size(); // the body is cut out and emitted by emitBody
  os << "    int64_t begin = 0;\n";
  if (vectorize) {
    SmallVector<std::string> cond = {"n >= " + std::to_string(V)};
    for (auto [j, width] : llvm::enumerate(widths))
      if (!staticValue(width))
        cond.push_back("w" + std::to_string(j) + " % " + std::to_string(V) + " == 0");
    cond.push_back(llvm::formatv("ds::mv::aligned<{0}>(whole)", V));
    for (size_t j = 0; j < parts.size(); ++j)
      cond.push_back(llvm::formatv("ds::mv::aligned<{0}>(part{1})", V, j));
    os << "    if (" << llvm::join(cond, " && ") << ") {\n";
    os << "      for (int64_t e = thread * " << V << "; e < n; e += threads * " << V << ") {\n";
    os << "        const I row = I(e) / I(W);\n        const int64_t c = int64_t(I(e) - row * I(W));\n";
    locate("        ");
    os << "        const int64_t at = int64_t(row) * width + (c - offset);\n";
    if (isConcat)
      os << llvm::formatv("        ds::mv::store_vec<{0}>(whole, e, ds::mv::load_vec<{0}>(ptr, at));\n", V);
    else
      os << llvm::formatv("        ds::mv::store_vec<{0}>(ptr, at, ds::mv::load_vec<{0}>(whole, e));\n", V);
    os << "      }\n      begin = n;\n    }\n";
  }
  os << "    for (int64_t e = begin + thread; e < n; e += threads) {\n";
  os << "      const I row = I(e) / I(W);\n      const int64_t c = int64_t(I(e) - row * I(W));\n";
  locate("      ");
  os << "      const int64_t at = int64_t(row) * width + (c - offset);\n";
  if (isConcat)
    os << "      whole[e] = ptr[at];\n";
  else
    os << "      ptr[at] = whole[e];\n";
  os << "    }\n";
  std::string body = text.substr(bodyStart);
  text.resize(bodyStart);
  os << "  if (W == 0) return;\n";
  emitBody(os, staticWhole && fitsU32(dims, whole), body);
  os << "}\n";
  (void)staticAll;

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = vectorize ? int64_t(kBlock) * V : kBlock;
  launch.of = "numel";
  launch.operand = whole;
  return finishKernel(isConcat ? "concat" : "split", text, launch);
}

llvm::Expected<GeneratedKernel> generateConcat(const StepInfo &step) {
  if (auto e = arity(step, 1, kMaxOperands, 1, 1, "inputs and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  SmallVector<const OperandInfo *> ops;
  for (const OperandInfo &in : step.inputs)
    ops.push_back(&in);
  ops.push_back(&step.outputs[0]);
  auto bytes = sameBytes(ops);
  if (!bytes)
    return bytes.takeError();
  int64_t rank = step.outputs[0].shape.size();
  for (const OperandInfo &in : step.inputs)
    if (!in.present || int64_t(in.shape.size()) != rank)
      return fail("every operand must have the rank " + llvm::Twine(rank));
  if (rank == 0)
    return fail("the operands have rank 0");
  auto axis = axisAttr(step, rank);
  if (!axis)
    return axis.takeError();
  return emitSegments(step, dims, true, *bytes, *axis);
}

llvm::Expected<GeneratedKernel> generateSplit(const StepInfo &step) {
  if (auto e = arity(step, 1, 2, 1, kMaxOperands, "1 or 2 inputs (input, sizes) and outputs"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  SmallVector<const OperandInfo *> ops = {&step.inputs[0]};
  for (const OperandInfo &out : step.outputs)
    ops.push_back(&out);
  auto bytes = sameBytes(ops);
  if (!bytes)
    return bytes.takeError();
  int64_t rank = step.inputs[0].shape.size();
  for (const OperandInfo &out : step.outputs)
    if (int64_t(out.shape.size()) != rank)
      return fail("every operand must have the rank " + llvm::Twine(rank));
  if (rank == 0)
    return fail("the operands have rank 0");
  auto axis = axisAttr(step, rank);
  if (!axis)
    return axis.takeError();
  // The sizes operand is not read: the output shapes carry the sizes.
  return emitSegments(step, dims, false, *bytes, *axis);
}

// ---- trilu ------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> generateTrilu(const StepInfo &step) {
  if (auto e = arity(step, 1, 2, 1, 1, "1 or 2 inputs (input, k) and 1 output"))
    return std::move(e);
  OperandDims dims(step);
  if (auto e = dims.checkLimits())
    return std::move(e);
  auto bytes = sameBytes({&step.inputs[0], &step.outputs[0]});
  if (!bytes)
    return bytes.takeError();
  bool hasK = step.inputs.size() == 2 && step.inputs[1].present;
  if (hasK) {
    if (step.inputs[1].dtype != "i64")
      return fail("k is " + step.inputs[1].dtype + "; expected i64");
    if (!isStatic(step.inputs[1].shape) || numel(step.inputs[1].shape) != 1)
      return fail("k must have one element, got " + shapeText(step.inputs[1].shape));
  }
  const OperandInfo &in = step.inputs[0];
  size_t rank = in.shape.size();
  if (rank < 2)
    return fail("input must have rank >= 2, got " + llvm::Twine(rank));
  if (auto empty = emptyKernel(step, dims, 0, "trilu"))
    return *empty;
  auto upperAttr = step.attrs.getBoolean("upper");
  bool upper = upperAttr.value_or(true);
  const int V = kVectorBytes / *bytes;
  StringRef T = elemType(*bytes);
  size_t outOperand = step.inputs.size();
  std::string cols = dims.dim(0, rank - 1);
  auto colsStatic = staticValue(cols);
  bool vectorize = (!isStatic(in.shape) || numel(in.shape) >= int64_t(kBlock) * V) &&
                   (!colsStatic || *colsStatic % V == 0);

  std::string text;
  llvm::raw_string_ostream os(text);
  header(os, upper ? "Trilu, upper (keeps column - row >= k)" : "Trilu, lower (keeps column - row <= k)", step);
  os << "DS_KERNEL(" << kKernelNamePlaceholder << ") {\n";
  os << llvm::formatv("  const {0} *in = static_cast<const {0} *>(params.ptr[0]);\n", T);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[{1}]);\n", T, outOperand);
  os << "  const int64_t n = " << dims.product(0, 0, rank) << ";\n";
  os << "  const int64_t rows = " << dims.dim(0, rank - 2) << ", cols = " << cols << ";\n";
  os << "  const int64_t k = "
     << (hasK ? "static_cast<const int64_t *>(params.ptr[1])[0]" : "int64_t(0)") << ";\n";
  os << "  const int64_t thread = ds::mv::global_thread(), threads = ds::mv::grid_threads();\n";
  std::string keep = upper ? "(j - i >= k)" : "(j - i <= k)";
  const size_t bodyStart = text.size(); // the body is cut out and emitted by emitBody
  os << "    int64_t begin = 0;\n";
  if (vectorize) {
    std::string cond = "n >= " + std::to_string(V);
    if (!colsStatic)
      cond += " && cols % " + std::to_string(V) + " == 0";
    os << llvm::formatv("    if ({0} && ds::mv::aligned<{1}>(in) && ds::mv::aligned<{1}>(out)) {{\n",
                        cond, V);
    os << "      for (int64_t e = thread * " << V << "; e < n; e += threads * " << V << ") {\n";
    os << "        const I r = I(e) / I(cols);\n";
    os << "        const int64_t j0 = int64_t(I(e) - r * I(cols)), i = int64_t(r % I(rows));\n";
    os << llvm::formatv("        ds::mv::Vec<{0}, {1}> p = ds::mv::load_vec<{1}>(in, e);\n", T, V);
    os << "#pragma unroll\n";
    os << "        for (int v = 0; v < " << V << "; ++v) {\n";
    os << "          const int64_t j = j0 + v;\n";
    os << "          if (!" << keep << ") p.v[v] = " << T << "(0);\n";
    os << "        }\n";
    os << llvm::formatv("        ds::mv::store_vec<{0}>(out, e, p);\n", V);
    os << "      }\n      begin = n;\n    }\n";
  }
  os << "    for (int64_t e = begin + thread; e < n; e += threads) {\n";
  os << "      const I r = I(e) / I(cols);\n";
  os << "      const int64_t j = int64_t(I(e) - r * I(cols)), i = int64_t(r % I(rows));\n";
  os << "      out[e] = " << keep << " ? in[e] : " << T << "(0);\n";
  os << "    }\n";
  std::string body = text.substr(bodyStart);
  text.resize(bodyStart);
  os << "  if (n == 0) return;\n";
  emitBody(os, isStatic(in.shape) && fitsU32(dims, 0), body);
  os << "}\n";

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = vectorize ? int64_t(kBlock) * V : kBlock;
  launch.of = "numel";
  launch.operand = outOperand;
  return finishKernel("trilu", text, launch);
}

} // namespace

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateMovementKernel(const StepInfo &step) {
  StringRef kind = step.kind;
  if (kind == "transpose")
    return generateTranspose(step);
  if (kind == "concat")
    return generateConcat(step);
  if (kind == "slice")
    return generateSlice(step);
  if (kind == "split")
    return generateSplit(step);
  if (kind == "expand")
    return generateExpand(step);
  if (kind == "tile")
    return generateTile(step);
  if (kind == "pad")
    return generatePad(step);
  if (kind == "trilu")
    return generateTrilu(step);
  llvm_unreachable("generateMovementKernel is registered for the movement kinds only");
}
