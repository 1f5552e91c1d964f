//===- IndexingCodegen.cpp - CUDA kernels of indexing and generator steps -===//
//
// One kernel per step of kind gather, gather_elements, gather_nd, scatter_elements,
// scatter_nd, range, fill, one_hot, eye_like, nonzero or shape_of (docs/cuda.md,
// "Indexing and generator kernels"). The generated kernel computes the dims it needs
// (constants for static dims, params.dims reads for dynamic ones) and calls the device
// functions of runtime/kernels/indexing.cuh:
//
//   gather, gather_nd        rows copied with the widest aligned unit (16-byte vector
//                            accesses for embedding rows), one index read per unit
//   gather_elements          one thread per output element, index decomposition
//   scatter_*                one thread per destination element: copies data and
//                            applies the updates that hit it in index order (exactly
//                            the cpu's sequential order, no atomics)
//   nonzero                  one block, chunked block-wide prefix sum
//   range, fill, one_hot,    one thread per output element (fill: 16-byte stores)
//   eye_like, shape_of
//
// Semantics are the cpu's (runtime/src/cpu/GatherKernels.cpp, ShapeGenerators.cpp,
// ShapeKernels.cpp), including the storage conversions of storeFromDouble /
// storeFromInt; an index out of range, an error on the cpu, makes a gather write zeros
// and a scatter skip the update (kernels cannot fail).
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <functional>
#include <cmath>
#include <limits>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

constexpr int kBlock = 256;
constexpr llvm::StringLiteral kPrelude = "#include \"ds_device.cuh\"\n"
                                         "#include \"indexing.cuh\"\n\n";

/// The unsigned C type of an element of `bytes` bytes (gathers move bits).
StringRef bitsType(unsigned bytes) {
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

llvm::Expected<const DTypeInfo *> dtypeOf(const OperandInfo &op, StringRef what) {
  if (const DTypeInfo *t = lookupDType(op.dtype))
    return t;
  return fail(what + " has the unsupported dtype '" + op.dtype + "'");
}

/// Index operands: any integer dtype (the cpu reads them as int64).
llvm::Expected<StringRef> indexType(const OperandInfo &op) {
  const DTypeInfo *t = lookupDType(op.dtype);
  if (!t || !isInt(t->cls))
    return fail("indices must be an integer tensor, got '" + op.dtype + "'");
  return t->storage;
}

llvm::Error checkArity(const StepInfo &step, size_t inputs, size_t outputs) {
  if (step.inputs.size() != inputs || step.outputs.size() != outputs)
    return fail(step.kind + " needs " + llvm::Twine(inputs) + " inputs and " +
                llvm::Twine(outputs) + " output(s), got " + llvm::Twine(step.inputs.size()) +
                " and " + llvm::Twine(step.outputs.size()));
  for (const OperandInfo &op : step.inputs)
    if (!op.present)
      return fail(step.kind + " has an absent operand");
  return llvm::Error::success();
}

llvm::Expected<int64_t> intAttr(const StepInfo &step, StringRef name,
                                std::optional<int64_t> fallback = std::nullopt) {
  if (auto v = step.attrs.getInteger(name))
    return *v;
  if (fallback)
    return *fallback;
  return fail(step.kind + " has no integer attribute '" + name + "'");
}

llvm::Expected<int64_t> axisAttr(const StepInfo &step, int64_t rank, StringRef name = "axis",
                                 std::optional<int64_t> fallback = std::nullopt) {
  auto axis = intAttr(step, name, fallback);
  if (!axis)
    return axis.takeError();
  if (*axis < -rank || *axis >= rank)
    return fail(name + " " + llvm::Twine(*axis) + " is out of range for rank " +
                llvm::Twine(rank));
  return *axis < 0 ? *axis + rank : *axis;
}

/// "const int64_t name[N] = {...};" over dims [begin, end) of operand i (a one-element
/// dummy when empty, so templates can take the array by reference).
std::string dimArray(const OperandDims &od, StringRef name, size_t i, size_t begin,
                     size_t end) {
  SmallVector<std::string> items;
  for (size_t a = begin; a < end; ++a)
    items.push_back(od.dim(i, a));
  if (items.empty())
    items.push_back("int64_t(1)");
  return llvm::formatv("  const int64_t {0}[{1}] = {2};\n", name, items.size(),
                       arrayText(items));
}

/// The strides of operand i's dims [begin, end) within the product of [begin, rank).
std::string strideArray(const OperandDims &od, StringRef name, size_t i, size_t begin,
                        size_t end, size_t rank) {
  SmallVector<std::string> items;
  for (size_t a = begin; a < end; ++a)
    items.push_back(od.product(i, a + 1, rank));
  if (items.empty())
    items.push_back("int64_t(1)");
  return llvm::formatv("  const int64_t {0}[{1}] = {2};\n", name, items.size(),
                       arrayText(items));
}

// ---- constants as the cpu stores them -----------------------------------------------------

/// An expression of `t`'s storage type holding what the cpu's storeFromDouble(v) stores.
std::string storeFromDouble(const DTypeInfo &t, double v);

/// An expression of `t`'s storage type holding what the cpu's storeFromInt(v) stores.
std::string storeFromInt(const DTypeInfo &t, int64_t v) {
  if (t.name == "i1")
    return v != 0 ? "uint8_t(1)" : "uint8_t(0)";
  if (isInt(t.cls))
    return "(" + t.storage.str() + ")" + intLiteral(v);
  return storeFromDouble(t, static_cast<double>(v));
}

std::string storeFromDouble(const DTypeInfo &t, double v) {
  std::string f32 = floatLiteral(v, Cls::F32);
  if (t.name == "f32")
    return f32;
  if (t.name == "f64")
    return floatLiteral(v, Cls::F64);
  if (t.name == "f16")
    return "ds::ew::f16_store(" + f32 + ")";
  if (t.name == "bf16")
    return "ds::ew::bf16_store(" + f32 + ")";
  if (t.name == "f8E4M3FN")
    return "ds::ew::f8e4m3fn_store(" + f32 + ", true)";
  if (t.name == "f8E5M2")
    return "ds::ew::f8e5m2_store(" + f32 + ", true)";
  if (t.name == "i1")
    return v != 0 ? "uint8_t(1)" : "uint8_t(0)";
  // static_cast<int64_t>(double): x86-64 gives INT64_MIN for NaN and out-of-range values.
  int64_t i = std::numeric_limits<int64_t>::min();
  if (v >= -9223372036854775808.0 && v < 9223372036854775808.0)
    i = static_cast<int64_t>(v);
  return storeFromInt(t, i);
}

/// Statement storing the double `v` (an expression) into `p[i]` as storeFromDouble does.
std::string storeDoubleStmt(const DTypeInfo &t, StringRef p, StringRef i, StringRef v) {
  StringRef n = t.name;
  if (n == "f32")
    return llvm::formatv("{0}[{1}] = (float)({2});", p, i, v);
  if (n == "f64")
    return llvm::formatv("{0}[{1}] = {2};", p, i, v);
  if (n == "f16" || n == "bf16")
    return llvm::formatv("{0}[{1}] = ds::ew::{3}_store((float)({2}));", p, i, v, n);
  if (n == "f8E4M3FN")
    return llvm::formatv("{0}[{1}] = ds::ew::f8e4m3fn_store((float)({2}), true);", p, i, v);
  if (n == "f8E5M2")
    return llvm::formatv("{0}[{1}] = ds::ew::f8e5m2_store((float)({2}), true);", p, i, v);
  if (n == "i1")
    return llvm::formatv("{0}[{1}] = ({2}) != 0;", p, i, v);
  return llvm::formatv("{0}[{1}] = ({3})ds::ix::double_to_int64({2});", p, i, v, t.storage);
}

/// Statement storing the int64 `v` into `p[i]` as storeFromInt does.
std::string storeIntStmt(const DTypeInfo &t, StringRef p, StringRef i, StringRef v) {
  if (t.name == "i1")
    return llvm::formatv("{0}[{1}] = ({2}) != 0;", p, i, v);
  if (isInt(t.cls))
    return llvm::formatv("{0}[{1}] = ({3})({2});", p, i, v, t.storage);
  return storeDoubleStmt(t, p, i, ("(double)(" + v + ")").str());
}

/// Expression loading element 0 of `p` as the cpu's loadAsDouble.
std::string loadDouble(const DTypeInfo &t, StringRef p) {
  if (t.name == "i1")
    return ("(" + p + "[0] != 0 ? 1.0 : 0.0)").str();
  if (isInt(t.cls))
    return ("(double)" + p + "[0]").str();
  return ("(double)ds::ew::" + t.load + "(" + p + ", 0)").str();
}

/// Expression loading element k of `p` as the cpu's loadAsInt.
std::string loadInt(const DTypeInfo &t, StringRef p, StringRef k) {
  if (t.name == "i1")
    return llvm::formatv("int64_t({0}[{1}] != 0)", p, k);
  if (isInt(t.cls))
    return llvm::formatv("(int64_t){0}[{1}]", p, k);
  return llvm::formatv("ds::ix::double_to_int64((double)ds::ew::{0}({1}, {2}))", t.load, p, k);
}

LaunchConfig numelLaunch(size_t operand, int64_t perBlock = kBlock) {
  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = perBlock;
  launch.of = "numel";
  launch.operand = operand;
  return launch;
}

/// Elements per thread so that one pass moves 16 bytes per thread.
int64_t perBlockFor(unsigned elemBytes) { return kBlock * std::max(1u, 16u / elemBytes); }

// ---- gathers ------------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> genGather(const StepInfo &step) {
  if (auto e = checkArity(step, 2, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &idx = step.inputs[1];
  auto dt = dtypeOf(data, "data");
  if (!dt)
    return dt.takeError();
  auto it = indexType(idx);
  if (!it)
    return it.takeError();
  size_t rank = data.shape.size();
  if (rank == 0)
    return fail("cannot gather from a rank-0 tensor");
  auto axis = axisAttr(step, rank);
  if (!axis)
    return axis.takeError();
  unsigned elem = storageBytes(**dt);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t outer = " << od.product(0, 0, *axis) << ";\n";
  os << "  const int64_t dim = " << od.dim(0, *axis) << ";\n";
  os << "  const int64_t inner = " << od.product(0, *axis + 1, rank) << ";\n";
  os << "  const int64_t count = " << od.product(1, 0, idx.shape.size()) << ";\n";
  os << "  const int64_t row_bytes = inner * " << elem << ";\n";
  os << "  const " << *it << " *idx = static_cast<const " << *it << " *>(params.ptr[1]);\n";
  os << "  // Output row (o, j) is data row o * dim + indices[j].\n";
  os << "  ds::ix::copy_rows(params.ptr[0], params.ptr[2], outer * count, row_bytes,\n"
        "                    [&](int64_t r) -> int64_t {\n";
  if (*axis == 0) // outer = 1: the row is the index (an embedding lookup)
    os << "                      const int64_t v = ds::ix::norm_index(idx, r, dim);\n"
          "                      return v < 0 ? int64_t(-1) : v * row_bytes;\n";
  else
    os << "                      const int64_t o = r / count, j = r - o * count;\n"
          "                      const int64_t v = ds::ix::norm_index(idx, j, dim);\n"
          "                      return v < 0 ? int64_t(-1) : (o * dim + v) * row_bytes;\n";
  os << "                    });\n";
  os << "}\n";
  return finishKernel("gather", text, numelLaunch(2, perBlockFor(elem)));
}

llvm::Expected<GeneratedKernel> genGatherElements(const StepInfo &step) {
  if (auto e = checkArity(step, 2, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &idx = step.inputs[1];
  auto dt = dtypeOf(data, "data");
  if (!dt)
    return dt.takeError();
  auto it = indexType(idx);
  if (!it)
    return it.takeError();
  size_t rank = data.shape.size();
  if (rank == 0 || idx.shape.size() != rank)
    return fail("gather_elements needs data of rank >= 1 and indices of its rank, got " +
                shapeText(data.shape) + " and " + shapeText(idx.shape));
  auto axis = axisAttr(step, rank);
  if (!axis)
    return axis.takeError();
  StringRef t = bitsType(storageBytes(**dt));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << dimArray(od, "idims", 1, 0, rank);
  os << strideArray(od, "dstr", 0, 0, rank, rank);
  os << llvm::formatv("  ds::ix::gather_elements<{0}>(static_cast<const {1} *>(params.ptr[0]), "
                      "static_cast<const {2} *>(params.ptr[1]), static_cast<{1} *>(params.ptr[2]), "
                      "idims, dstr, {3}, {4});\n",
                      rank, t, *it, *axis, od.dim(0, *axis));
  os << "}\n";
  return finishKernel("gather_elements", text, numelLaunch(2));
}

llvm::Expected<GeneratedKernel> genGatherNd(const StepInfo &step) {
  if (auto e = checkArity(step, 2, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &idx = step.inputs[1];
  auto dt = dtypeOf(data, "data");
  if (!dt)
    return dt.takeError();
  auto it = indexType(idx);
  if (!it)
    return it.takeError();
  auto batch = intAttr(step, "batch_dims", 0);
  if (!batch)
    return batch.takeError();
  int64_t r = data.shape.size(), q = idx.shape.size(), b = *batch;
  if (q < 1 || idx.shape.back() < 0)
    return fail("gather_nd needs indices with a static last dim, got " + shapeText(idx.shape));
  int64_t m = idx.shape.back();
  if (b < 0 || b >= std::min(q, r) || m < 1 || b + m > r)
    return fail("gather_nd: index tuples of length " + llvm::Twine(m) + " with batch_dims " +
                llvm::Twine(b) + " do not fit data " + shapeText(data.shape) + " and indices " +
                shapeText(idx.shape));
  unsigned elem = storageBytes(**dt);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t batches = " << od.product(0, 0, b) << ";\n";
  os << "  const int64_t tuples = " << od.product(1, b, q - 1) << ";\n";
  os << "  const int64_t slice_len = " << od.product(0, b + m, r) << ";\n";
  os << "  const int64_t batch_stride = " << od.product(0, b, r) << ";\n";
  os << dimArray(od, "ddims", 0, b, b + m);
  os << strideArray(od, "dstr", 0, b, b + m, r);
  os << "  const " << *it << " *idx = static_cast<const " << *it << " *>(params.ptr[1]);\n";
  os << "  // Output row t is the slice at tuple t's offset within batch t / tuples.\n";
  os << "  ds::ix::copy_rows(params.ptr[0], params.ptr[2], batches * tuples, slice_len * "
     << elem << ",\n"
     << "                    [&](int64_t t) -> int64_t {\n"
     << "                      const int64_t off = ds::ix::tuple_offset<" << m
     << ">(idx, t, ddims, dstr);\n"
     << "                      return off < 0 ? int64_t(-1) : ((t / tuples) * batch_stride + "
        "off) * "
     << elem << ";\n"
     << "                    });\n";
  os << "  (void)batches;\n}\n";
  return finishKernel("gather_nd", text, numelLaunch(2, perBlockFor(elem)));
}

// ---- scatters -----------------------------------------------------------------------------

/// The `K_op` struct of a scatter kernel (see indexing.cuh): storage type and the
/// combination of one update into the accumulator, rounded back to storage like the cpu.
llvm::Expected<std::string> scatterOp(const StepInfo &step, const DTypeInfo &t, bool &none) {
  std::optional<StringRef> red = step.attrs.getString("reduction");
  StringRef r = red.value_or("none");
  none = r == "none";
  StringRef code = llvm::StringSwitch<StringRef>(r)
                       .Case("add", "ds::ix::kAdd")
                       .Case("mul", "ds::ix::kMul")
                       .Case("max", "ds::ix::kMax")
                       .Case("min", "ds::ix::kMin")
                       .Default("");
  if (!none && code.empty())
    return fail("unknown reduction '" + r + "' (expected none, add, mul, max or min)");
  std::string body;
  if (none) {
    body = "return upd;";
  } else if (t.cls == Cls::Bool) {
    body = llvm::formatv("return ds::ix::combine_bool<{0}>(acc != 0, upd != 0) ? 1 : 0;", code);
  } else if (t.cls == Cls::I64) {
    body = llvm::formatv("return ({1})ds::ix::combine_int<{0}>(acc, upd);", code, t.storage);
  } else if (t.cls == Cls::U64) {
    body = llvm::formatv("return ({1})ds::ix::combine<{0}, uint64_t>(acc, upd);", code,
                         t.storage);
  } else {
    // Storage <-> compute conversions on values (f16/bf16/f8 through float; f8 stores
    // saturate like the cpu's storeFromDouble).
    std::function<std::string(const std::string &)> load = [](const std::string &x) {
      return x;
    };
    std::function<std::string(const std::string &)> store = load;
    if (t.name == "f16" || t.name == "bf16" || t.name.starts_with("f8")) {
      std::string fn = "ds::ew::" + t.name.lower();
      std::string sat = t.name.starts_with("f8") ? ", true" : "";
      load = [fn](const std::string &x) { return fn + "_load(" + x + ")"; };
      store = [fn, sat](const std::string &x) { return fn + "_store(" + x + sat + ")"; };
    }
    std::string v = llvm::formatv("ds::ix::combine<{0}, {1}>({2}, {3})", code,
                                  computeType(t.cls), load("acc"), load("upd"));
    body = "return " + store(v) + ";";
  }
  return llvm::formatv("struct @KERNEL@_op {{\n"
                       "  using S = {0};\n"
                       "  static DS_DEVICE S apply(S acc, S upd) {{ {1} }\n"
                       "};\n\n",
                       t.storage, body)
      .str();
}

llvm::Error checkScatterTypes(const StepInfo &step) {
  if (step.inputs[2].dtype != step.inputs[0].dtype ||
      step.outputs[0].dtype != step.inputs[0].dtype)
    return fail("updates (" + step.inputs[2].dtype + ") and output (" + step.outputs[0].dtype +
                ") must have the data's dtype (" + step.inputs[0].dtype + ")");
  return llvm::Error::success();
}

llvm::Expected<GeneratedKernel> genScatterElements(const StepInfo &step) {
  if (auto e = checkArity(step, 3, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  if (auto e = checkScatterTypes(step))
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &idx = step.inputs[1];
  auto dt = dtypeOf(data, "data");
  if (!dt)
    return dt.takeError();
  auto it = indexType(idx);
  if (!it)
    return it.takeError();
  size_t rank = data.shape.size();
  if (rank == 0 || idx.shape.size() != rank || step.inputs[2].shape.size() != rank)
    return fail("scatter_elements needs data of rank >= 1 and indices and updates of its "
                "rank, got " +
                shapeText(data.shape) + ", " + shapeText(idx.shape) + ", " +
                shapeText(step.inputs[2].shape));
  auto axis = axisAttr(step, rank);
  if (!axis)
    return axis.takeError();
  bool none = false;
  auto op = scatterOp(step, **dt, none);
  if (!op)
    return op.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << *op << "DS_KERNEL(@KERNEL@) {\n";
  os << "  using S = @KERNEL@_op::S;\n";
  os << dimArray(od, "ddims", 0, 0, rank);
  os << dimArray(od, "idims", 1, 0, rank);
  os << llvm::formatv(
      "  ds::ix::scatter_elements<@KERNEL@_op, {0}, {1}>(static_cast<const S *>(params.ptr[0]), "
      "static_cast<const {2} *>(params.ptr[1]), static_cast<const S *>(params.ptr[2]), "
      "static_cast<S *>(params.ptr[3]), ddims, idims, {3});\n",
      none ? "true" : "false", rank, *it, *axis);
  os << "}\n";
  return finishKernel("scatter_elements", text, numelLaunch(3));
}

llvm::Expected<GeneratedKernel> genScatterNd(const StepInfo &step) {
  if (auto e = checkArity(step, 3, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  if (auto e = checkScatterTypes(step))
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &idx = step.inputs[1];
  auto dt = dtypeOf(data, "data");
  if (!dt)
    return dt.takeError();
  auto it = indexType(idx);
  if (!it)
    return it.takeError();
  int64_t r = data.shape.size(), q = idx.shape.size();
  if (q < 1 || idx.shape.back() < 0)
    return fail("scatter_nd needs indices with a static last dim, got " + shapeText(idx.shape));
  int64_t m = idx.shape.back();
  if (m > r)
    return fail("scatter_nd: index tuples of length " + llvm::Twine(m) + " exceed data " +
                shapeText(data.shape));
  bool none = false;
  auto op = scatterOp(step, **dt, none);
  if (!op)
    return op.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  // Block size = ds::ix::kTupleTile (the shared tuple-offset tile).
  os << kPrelude << *op << "DS_KERNEL(@KERNEL@) {\n";
  os << "  using S = @KERNEL@_op::S;\n";
  os << "  const int64_t n = " << od.product(0, 0, r) << ";\n";
  os << "  const int64_t tuples = " << od.product(1, 0, q - 1) << ";\n";
  os << "  const int64_t slice_len = " << od.product(0, m, r) << ";\n";
  os << dimArray(od, "ddims", 0, 0, m);
  os << strideArray(od, "dstr", 0, 0, m, r);
  os << llvm::formatv(
      "  ds::ix::scatter_nd<@KERNEL@_op, {0}, {1}>(static_cast<const S *>(params.ptr[0]), "
      "static_cast<const {2} *>(params.ptr[1]), static_cast<const S *>(params.ptr[2]), "
      "static_cast<S *>(params.ptr[3]), n, tuples, slice_len, ddims, dstr);\n",
      none ? "true" : "false", m, *it);
  os << "}\n";
  return finishKernel("scatter_nd", text, numelLaunch(3));
}

// ---- generators ---------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> genRange(const StepInfo &step) {
  if (auto e = checkArity(step, 3, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &out = step.outputs[0];
  auto ot = dtypeOf(out, "output");
  if (!ot)
    return ot.takeError();
  auto st = dtypeOf(step.inputs[0], "start");
  if (!st)
    return st.takeError();
  auto dlt = dtypeOf(step.inputs[2], "delta");
  if (!dlt)
    return dlt.takeError();
  if (out.shape.size() != 1)
    return fail("range output must have rank 1, got " + shapeText(out.shape));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t n = " << od.dim(3, 0) << ";\n";
  os << llvm::formatv("  const {0} *start = static_cast<const {0} *>(params.ptr[0]);\n",
                      (*st)->storage);
  os << llvm::formatv("  const {0} *delta = static_cast<const {0} *>(params.ptr[2]);\n",
                      (*dlt)->storage);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[3]);\n", (*ot)->storage);
  if (isFloat((*ot)->cls)) {
    // start + i * delta in double, rounded to the dtype (the cpu's formula).
    os << "  const double s = " << loadDouble(**st, "start") << ", d = "
       << loadDouble(**dlt, "delta") << ";\n";
    os << "  for (int64_t i = ds::ix::global_thread(); i < n; i += ds::ix::grid_threads())\n";
    os << "    " << storeDoubleStmt(**ot, "out", "i", "ds::ix::range_value(s, i, d)") << "\n";
  } else {
    os << "  const uint64_t s = (uint64_t)" << loadInt(**st, "start", "0")
       << ", d = (uint64_t)" << loadInt(**dlt, "delta", "0") << ";\n";
    os << "  for (int64_t i = ds::ix::global_thread(); i < n; i += ds::ix::grid_threads())\n";
    os << "    " << storeIntStmt(**ot, "out", "i", "(int64_t)(s + (uint64_t)i * d)") << "\n";
  }
  os << "}\n";
  return finishKernel("range", text, numelLaunch(3));
}

/// The fill value as the cpu's fillValue stores it (an expression of the storage type).
llvm::Expected<std::string> fillValue(const StepInfo &step, const DTypeInfo &t) {
  const json::Value *v = step.attrs.get("value");
  if (!v)
    return fail("fill has no attribute 'value'");
  if (const json::Object *o = v->getAsObject()) {
    const json::Array *values = o->getArray("values");
    if (!values || values->size() != 1)
      return fail("attribute 'value' must hold one value");
    v = &(*values)[0];
  } else if (const json::Array *a = v->getAsArray()) {
    if (a->size() != 1)
      return fail("attribute 'value' must hold one value");
    v = &(*a)[0];
  }
  if (auto b = v->getAsBoolean())
    return storeFromInt(t, *b ? 1 : 0);
  if (!isFloat(t.cls) && t.cls != Cls::Bool) {
    if (auto i = v->getAsInteger())
      return storeFromInt(t, *i);
    if (auto u = v->getAsUINT64())
      return storeFromInt(t, static_cast<int64_t>(*u));
  }
  if (auto d = jsonFloat(*v))
    return storeFromDouble(t, *d);
  return fail("attribute 'value' is not a number");
}

llvm::Expected<GeneratedKernel> genFill(const StepInfo &step) {
  if (auto e = checkArity(step, 1, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &out = step.outputs[0];
  auto ot = dtypeOf(out, "output");
  if (!ot)
    return ot.takeError();
  auto value = fillValue(step, **ot);
  if (!value)
    return value.takeError();
  StringRef s = (*ot)->storage;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t n = " << od.product(1, 0, out.shape.size()) << ";\n";
  os << llvm::formatv("  ds::ix::fill<{0}>(static_cast<{0} *>(params.ptr[1]), n, ({0})({1}));\n",
                      s, *value);
  os << "}\n";
  return finishKernel("fill", text, numelLaunch(1, perBlockFor(storageBytes(**ot))));
}

llvm::Expected<GeneratedKernel> genOneHot(const StepInfo &step) {
  if (auto e = checkArity(step, 3, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &idx = step.inputs[0], &out = step.outputs[0];
  auto ot = dtypeOf(out, "output");
  if (!ot)
    return ot.takeError();
  auto it = dtypeOf(idx, "indices");
  if (!it)
    return it.takeError();
  if (step.inputs[2].dtype != out.dtype)
    return fail("values (" + step.inputs[2].dtype + ") must have the output's dtype (" +
                out.dtype + ")");
  size_t rank = out.shape.size();
  if (rank != idx.shape.size() + 1)
    return fail("one_hot output " + shapeText(out.shape) + " must have one dim more than "
                "indices " + shapeText(idx.shape));
  auto axis = axisAttr(step, rank, "axis", -1);
  if (!axis)
    return axis.takeError();
  StringRef s = (*ot)->storage;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t depth = " << od.dim(3, *axis) << ";\n";
  os << "  const int64_t inner = " << od.product(0, *axis, idx.shape.size()) << ";\n";
  os << "  const int64_t n = " << od.product(3, 0, rank) << ";\n";
  os << llvm::formatv("  const {0} *idx = static_cast<const {0} *>(params.ptr[0]);\n",
                      (*it)->storage);
  os << llvm::formatv("  const {0} *values = static_cast<const {0} *>(params.ptr[2]);\n", s);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[3]);\n", s);
  os << llvm::formatv("  const {0} off = values[0], on = values[1];\n", s);
  os << "  for (int64_t e = ds::ix::global_thread(); e < n; e += ds::ix::grid_threads()) {\n";
  os << "    const int64_t i = e % inner, r = e / inner, hot = r % depth, o = r / depth;\n";
  os << "    int64_t v = " << loadInt(**it, "idx", "o * inner + i") << ";\n";
  os << "    // Indices in [-depth, depth) are hot; others leave an all-off row.\n";
  os << "    if (v < 0 && v >= -depth) v += depth;\n";
  os << "    out[e] = v == hot ? on : off;\n";
  os << "  }\n}\n";
  return finishKernel("one_hot", text, numelLaunch(3));
}

llvm::Expected<GeneratedKernel> genEyeLike(const StepInfo &step) {
  if (auto e = checkArity(step, 1, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &out = step.outputs[0];
  auto ot = dtypeOf(out, "output");
  if (!ot)
    return ot.takeError();
  if (out.shape.size() != 2)
    return fail("eye_like output must have rank 2, got " + shapeText(out.shape));
  auto k = intAttr(step, "k", 0);
  if (!k)
    return k.takeError();
  StringRef s = (*ot)->storage;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t rows = " << od.dim(1, 0) << ", cols = " << od.dim(1, 1) << ";\n";
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[1]);\n", s);
  os << llvm::formatv("  const {0} one = ({0})({1}), zero = ({0})0;\n", s,
                      storeFromDouble(**ot, 1.0));
  os << "  for (int64_t e = ds::ix::global_thread(); e < rows * cols; e += "
        "ds::ix::grid_threads()) {\n";
  os << "    const int64_t i = e / cols, j = e - i * cols;\n";
  os << "    out[e] = j - i == " << intLiteral(*k) << " ? one : zero;\n";
  os << "  }\n}\n";
  return finishKernel("eye_like", text, numelLaunch(1));
}

llvm::Expected<GeneratedKernel> genNonzero(const StepInfo &step) {
  if (auto e = checkArity(step, 1, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0], &out = step.outputs[0];
  auto t = dtypeOf(in, "input");
  if (!t)
    return t.takeError();
  if (out.dtype != "i64" || out.shape.size() != 2)
    return fail("nonzero output must be a rank-2 i64 tensor, got " + out.dtype + " " +
                shapeText(out.shape));
  size_t rank = in.shape.size();
  // Floats compare by value (-0 is zero, NaN is not), integers by their bits.
  std::string test = isFloat((*t)->cls)
                         ? llvm::formatv("ds::ew::{0}(in, i) != 0", (*t)->load).str()
                         : std::string("in[i] != 0");
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << dimArray(od, "dims", 0, 0, rank);
  os << "  const int64_t n = " << od.product(0, 0, rank) << ";\n";
  os << "  const int64_t count = " << od.dim(1, 1) << ";\n";
  os << llvm::formatv("  const {0} *in = static_cast<const {0} *>(params.ptr[0]);\n",
                      (*t)->storage);
  os << "  ds::ix::nonzero<" << rank
     << ">(dims, n, static_cast<int64_t *>(params.ptr[1]), count,\n"
     << "                     [&](int64_t i) -> bool { return " << test << "; });\n";
  os << "}\n";
  // One block: the prefix sum runs over the whole input in chunks.
  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = 1;
  launch.of = "rows";
  launch.operand = 1;
  launch.axis = 0;
  return finishKernel("nonzero", text, launch);
}

llvm::Expected<GeneratedKernel> genShapeOf(const StepInfo &step) {
  if (auto e = checkArity(step, 1, 1))
    return std::move(e);
  OperandDims od(step);
  if (auto e = od.checkLimits())
    return std::move(e);
  const OperandInfo &in = step.inputs[0], &out = step.outputs[0];
  auto ot = dtypeOf(out, "output");
  if (!ot)
    return ot.takeError();
  int64_t rank = in.shape.size();
  auto clampDim = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  auto start = intAttr(step, "start", 0);
  if (!start)
    return start.takeError();
  auto end = intAttr(step, "end", rank);
  if (!end)
    return end.takeError();
  int64_t b = clampDim(*start), e = std::max(clampDim(*end), b);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kPrelude << "DS_KERNEL(@KERNEL@) {\n";
  os << dimArray(od, "dims", 0, b, e);
  os << llvm::formatv("  {0} *out = static_cast<{0} *>(params.ptr[1]);\n", (*ot)->storage);
  os << "  for (int64_t i = ds::ix::global_thread(); i < " << (e - b)
     << "; i += ds::ix::grid_threads())\n";
  os << "    " << storeIntStmt(**ot, "out", "i", "dims[i]") << "\n";
  os << "}\n";
  LaunchConfig launch = numelLaunch(1, 64);
  launch.block = {64, 1, 1};
  return finishKernel("shape_of", text, launch);
}

} // namespace

namespace mlir::ds::cuda {

llvm::Expected<GeneratedKernel> generateIndexingKernel(const StepInfo &step) {
  if (step.kind == "gather")
    return genGather(step);
  if (step.kind == "gather_elements")
    return genGatherElements(step);
  if (step.kind == "gather_nd")
    return genGatherNd(step);
  if (step.kind == "scatter_elements")
    return genScatterElements(step);
  if (step.kind == "scatter_nd")
    return genScatterNd(step);
  if (step.kind == "range")
    return genRange(step);
  if (step.kind == "fill")
    return genFill(step);
  if (step.kind == "one_hot")
    return genOneHot(step);
  if (step.kind == "eye_like")
    return genEyeLike(step);
  if (step.kind == "nonzero")
    return genNonzero(step);
  if (step.kind == "shape_of")
    return genShapeOf(step);
  llvm_unreachable("kernelGenerators() routes only the indexing kinds here");
}

} // namespace mlir::ds::cuda
