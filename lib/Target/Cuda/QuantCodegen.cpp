//===- QuantCodegen.cpp - CUDA kernels of the quantization steps ----------===//
//
// quantize, dequantize, dynamic_quantize and matmul_nbits (docs/cuda.md, "Quantization
// kernels"; semantics: runtime/src/cpu/QuantKernels.cpp, templates: runtime/kernels/
// quant.cuh).
//
//   quantize / dequantize   a grid-stride loop over the data; each element finds its
//                           scale (and zero point) per tensor, per axis or per block
//                           along the axis (index arithmetic with constants baked in
//                           for static shapes, params.dims for dynamic ones), then
//                           divides / multiplies in the cpu's types and rounds as it does
//   dynamic_quantize        one block: min/max over the tensor, then the quantization
//   matmul_nbits            a dequantize-in-registers GEMV/GEMM (quant.cuh): blocks own
//                           column tiles of N and row tiles of M; the generator picks the
//                           chunk width, row tile and the operand types
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <numeric>

using namespace mlir::ds::cuda;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

constexpr int kBlock = 256;

bool isScalarLike(llvm::ArrayRef<int64_t> shape) {
  return shape.empty() || (shape.size() == 1 && shape[0] == 1);
}

bool isFloatDType(StringRef dtype) {
  const DTypeInfo *t = lookupDType(dtype);
  return t && (t->cls == Cls::F32 || t->cls == Cls::F64);
}

/// ds::ew load call of `dtype` at `index`, converted to the C type `to`.
std::string loadAs(const DTypeInfo &t, StringRef ptr, StringRef index, StringRef to) {
  std::string call = llvm::formatv("ds::ew::{0}({1}, {2})", t.load, ptr, index).str();
  return computeType(t.cls) == to ? call : llvm::formatv("{0}({1})", to, call).str();
}

/// Integer range of a quantized integer type (as the cpu's intRange).
bool intRange(StringRef dtype, int64_t &lo, int64_t &hi) {
  static const struct {
    StringRef name;
    int64_t lo, hi;
  } ranges[] = {{"i8", -128, 127},           {"ui8", 0, 255},
                {"i16", -32768, 32767},      {"ui16", 0, 65535},
                {"i32", INT32_MIN, INT32_MAX}, {"ui32", 0, UINT32_MAX}};
  for (const auto &r : ranges)
    if (r.name == dtype) {
      lo = r.lo;
      hi = r.hi;
      return true;
    }
  return false;
}

// ---- quantize / dequantize ------------------------------------------------------------------

/// How element e finds its scale, as C++ statements defining `si`.
struct ScaleLayout {
  std::string decls; // constants before the loop
  std::string index; // expression of the scale index of element `e`
  std::string text;  // for the header comment
};

llvm::Expected<ScaleLayout> scaleLayout(const StepInfo &step, const OperandDims &dims) {
  const OperandInfo &data = step.inputs[0], &scale = step.inputs[1];
  int64_t blockSize = step.attrs.getInteger("block_size").value_or(0);
  if (blockSize < 0)
    return fail("block_size must be non-negative, got " + llvm::Twine(blockSize));
  ScaleLayout l;
  bool scaleDynamic = scale.shape.size() == 1 && scale.shape[0] < 0;
  if (blockSize == 0 && isScalarLike(scale.shape)) {
    l.index = "int64_t(0)";
    l.text = "per tensor";
    return l;
  }
  int64_t rank = data.shape.size();
  int64_t axis = step.attrs.getInteger("axis").value_or(1);
  if (axis < -rank || axis >= rank)
    return fail("axis " + llvm::Twine(axis) + " is out of range for rank " + llvm::Twine(rank));
  if (axis < 0)
    axis += rank;
  std::string dim = dims.dim(0, axis), inner = dims.product(0, axis + 1, rank);
  if (blockSize == 0) {
    if (scale.shape.size() != 1)
      return fail("per-axis scale of shape " + shapeText(scale.shape) + " must be [" +
                  shapeText({data.shape[axis]}) + "] (input dim " + llvm::Twine(axis) + ")");
    if (scale.shape[0] >= 0 && data.shape[axis] >= 0 && scale.shape[0] != data.shape[axis])
      return fail("per-axis scale of shape " + shapeText(scale.shape) +
                  " does not match input dim " + llvm::Twine(axis) + " of " +
                  shapeText(data.shape));
    // A scale of dynamic size that is [1] at run time is a per-tensor scale: dim 1 makes
    // the per-axis index 0.
    if (scaleDynamic)
      dim = "(" + dims.dim(1, 0) + " == 1 ? int64_t(1) : " + dim + ")";
    l.decls = "  const int64_t dim = " + dim + ", inner = " + inner + ";\n";
    l.index = "ds::quant::axis_index(e, inner, dim)";
    l.text = "per axis " + std::to_string(axis);
    return l;
  }
  if (scale.shape.size() != data.shape.size())
    return fail("blocked scale of shape " + shapeText(scale.shape) + " must have the rank of " +
                shapeText(data.shape));
  for (int64_t d = 0; d < rank; ++d) {
    int64_t want = data.shape[d] < 0 ? -1
                   : d == axis       ? (data.shape[d] + blockSize - 1) / blockSize
                                     : data.shape[d];
    if (want >= 0 && scale.shape[d] >= 0 && want != scale.shape[d])
      return fail("blocked scale of shape " + shapeText(scale.shape) + " does not match input " +
                  shapeText(data.shape) + ", axis " + llvm::Twine(axis) + ", block_size " +
                  llvm::Twine(blockSize));
  }
  l.decls = llvm::formatv("  const int64_t dim = {0}, inner = {1}, block = {2};\n"
                          "  const int64_t blocks = (dim + block - 1) / block;\n",
                          dim, inner, intLiteral(blockSize))
                .str();
  l.index = "ds::quant::blocked_index(e, inner, dim, block, blocks)";
  l.text = llvm::formatv("blocks of {0} along axis {1}", blockSize, axis).str();
  return l;
}

llvm::Expected<GeneratedKernel> generateQuantOrDequant(const StepInfo &step, bool quantize) {
  StringRef what = quantize ? "quantize" : "dequantize";
  if (step.inputs.size() < 2 || step.inputs.size() > 3 || step.outputs.size() != 1 ||
      !step.inputs[0].present || !step.inputs[1].present)
    return fail(what + " needs inputs (data, scale[, zero_point]) and one output");
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &data = step.inputs[0], &scale = step.inputs[1], &out = step.outputs[0];
  bool hasZp = step.inputs.size() == 3 && step.inputs[2].present;
  const DTypeInfo *dataT = lookupDType(data.dtype), *scaleT = lookupDType(scale.dtype),
                  *outT = lookupDType(out.dtype);
  const DTypeInfo *zpT = hasZp ? lookupDType(step.inputs[2].dtype) : nullptr;
  if (!dataT || !scaleT || !outT || (hasZp && !zpT))
    return fail("unsupported element types " + data.dtype + ", " + scale.dtype +
                (hasZp ? ", " + step.inputs[2].dtype : std::string()) + " -> " + out.dtype);
  if (!isFloatDType(scale.dtype))
    return fail("scale must be a float, got " + scale.dtype);
  if (hasZp) {
    StringRef quantSide = quantize ? out.dtype : data.dtype;
    if (step.inputs[2].dtype != quantSide)
      return fail("zero_point element type " + step.inputs[2].dtype + " differs from " +
                  quantSide);
    const auto &zp = step.inputs[2].shape;
    if (!(isScalarLike(zp) && isScalarLike(scale.shape)) && zp.size() != scale.shape.size())
      return fail("zero_point shape " + shapeText(zp) + " differs from scale shape " +
                  shapeText(scale.shape));
  }
  auto layout = scaleLayout(step, dims);
  if (!layout)
    return layout.takeError();

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// " << (quantize ? "Quantize" : "Dequantize")
     << " kernel (generated by ds; docs/cuda.md \"Quantization kernels\").\n";
  os << llvm::formatv("//   {0} {1} -> {2}, scale {3} {4} ({5}){6}\n", data.dtype,
                      shapeText(data.shape), out.dtype, scale.dtype, shapeText(scale.shape),
                      layout->text, hasZp ? ", zero point " + step.inputs[2].dtype : "");
  os << "#include \"ds_device.cuh\"\n#include \"elementwise.cuh\"\n#include \"quant.cuh\"\n\n";
  os << "DS_KERNEL(" << kKernelNamePlaceholder << ") {\n";
  os << llvm::formatv("  const {0} *x = static_cast<const {0} *>(params.ptr[0]);\n",
                      dataT->storage);
  os << llvm::formatv("  const {0} *scale = static_cast<const {0} *>(params.ptr[1]);\n",
                      scaleT->storage);
  if (hasZp)
    os << llvm::formatv("  const {0} *zp = static_cast<const {0} *>(params.ptr[2]);\n",
                        zpT->storage);
  os << llvm::formatv("  {0} *y = static_cast<{0} *>(params.ptr[{1}]);\n", outT->storage,
                      step.inputs.size());
  os << "  const int64_t n = " << dims.product(0, 0, data.shape.size()) << ";\n";
  os << layout->decls;
  // The per-element work as a lambda over (source, index) -> (destination, index), so the
  // vector path runs it on packs and the scalar loop on the tensors. A per-tensor scale
  // and zero point are loaded once.
  bool perTensor = layout->text == "per tensor";
  std::string hoisted, body;
  llvm::raw_string_ostream hs(hoisted), bs(body);
  auto scaleValue = [&](StringRef ct) {
    if (!perTensor)
      return loadAs(*scaleT, "scale", "si", ct);
    hs << "  const " << ct << " s0 = " << loadAs(*scaleT, "scale", "0", ct) << ";\n";
    return std::string("s0");
  };
  auto zpValue = [&](StringRef ct) {
    if (!perTensor)
      return loadAs(*zpT, "zp", "si", ct);
    hs << "  const " << ct << " z0 = " << loadAs(*zpT, "zp", "0", ct) << ";\n";
    return std::string("z0");
  };
  if (!perTensor)
    bs << "    const int64_t si = " << layout->index << ";\n";
  if (quantize) {
    if (!isFloatDType(data.dtype))
      return fail("input must be a float, got " + data.dtype);
    int64_t lo = 0, hi = 0;
    bool isIntOut = intRange(out.dtype, lo, hi);
    bool isF8 = out.dtype == "f8E4M3FN" || out.dtype == "f8E5M2";
    if (!isIntOut && !isF8)
      return fail("result type " + out.dtype +
                  " is not a quantized type (i8, ui8, i16, ui16, i32, ui32, f8E4M3FN, f8E5M2)");
    // The division runs in the scale's type (f16/bf16: rounded there after each step).
    bool f64 = scale.dtype == "f64";
    StringRef ct = f64 ? "double" : "float";
    bs << "    const " << ct << " s = " << scaleValue(ct) << ";\n";
    if (f64) {
      bs << "    const double q = " << loadAs(*dataT, "xp", "xi", "double") << " / s;\n";
    } else {
      std::string xv = loadAs(*dataT, "xp", "xi", "float");
      if (scale.dtype == "f16")
        bs << "    const float q = ds::quant::round_f16(ds::quant::round_f16(" << xv
           << ") / s);\n";
      else if (scale.dtype == "bf16")
        bs << "    const float q = ds::quant::round_bf16(ds::quant::round_bf16(" << xv
           << ") / s);\n";
      else
        bs << "    const float q = " << xv << " / s;\n";
    }
    if (isIntOut) {
      std::string z = hasZp ? zpValue("int64_t") : "int64_t(0)";
      bs << "    ds::ew::store(yp, yi, ds::quant::quantize_int(q, " << z << ", "
         << intLiteral(lo) << ", " << intLiteral(hi) << "));\n";
    } else {
      bool saturate = step.attrs.getBoolean("saturate").value_or(true);
      // q + zero point in the division type, then f32 (the cpu adds in f64: the same
      // rounding for f32-valued operands, and -0 + 0 = +0 either way).
      std::string z = hasZp ? zpValue(ct) : (f64 ? "0.0" : "0.0f");
      bs << "    const float v = float(q + " << z << ");\n";
      bs << llvm::formatv("    yp[yi] = ds::ew::{0}_store(v, {1});\n",
                          out.dtype == "f8E4M3FN" ? "f8e4m3fn" : "f8e5m2",
                          saturate ? "true" : "false");
    }
  } else {
    if (!isFloatDType(out.dtype))
      return fail("result type " + out.dtype + " must be a float type");
    bool floatIn = dataT->cls == Cls::F32 || dataT->cls == Cls::F64;
    if (!floatIn && !isInt(dataT->cls))
      return fail("input type " + data.dtype + " cannot be dequantized");
    bool f64 = out.dtype == "f64";
    StringRef ct = f64 ? "double" : "float";
    // centered = q - z: exact in int64 for integers; for f8 the f32 (or f64) difference
    // is the correctly rounded exact difference, as the cpu's f64 one rounded to f32.
    std::string centered;
    if (floatIn) {
      centered = loadAs(*dataT, "xp", "xi", ct);
      if (hasZp)
        centered += " - " + zpValue(ct);
    } else {
      centered = loadAs(*dataT, "xp", "xi", "int64_t");
      if (hasZp)
        centered += " - " + zpValue("int64_t");
      centered = ct.str() + "(" + centered + ")";
    }
    bs << "    const " << ct << " c = " << centered << ";\n";
    bs << "    const " << ct << " v = c * " << scaleValue(ct) << ";\n";
    if (out.dtype == "f8E4M3FN" || out.dtype == "f8E5M2")
      bs << llvm::formatv("    yp[yi] = ds::ew::{0}_store(float(v), true);\n",
                          out.dtype == "f8E4M3FN" ? "f8e4m3fn" : "f8e5m2");
    else
      bs << "    ds::ew::" << outT->store << "(yp, yi, v);\n";
  }
  os << hoisted;
  os << llvm::formatv("  auto one = [&](const {0} *xp, int64_t xi, {1} *yp, int64_t yi, "
                      "int64_t e) {{\n",
                      dataT->storage, outT->storage);
  if (perTensor)
    os << "    (void)e;\n";
  os << body << "  };\n";
  os << "  const int64_t thread = int64_t(ds::block_idx_x()) * ds::block_dim_x() + "
        "ds::thread_idx_x();\n";
  os << "  const int64_t threads = int64_t(ds::grid_dim_x()) * ds::block_dim_x();\n";
  os << "  int64_t begin = 0;\n";
  // Vector path: V consecutive elements per thread, 16-byte accesses of the wider side.
  unsigned widest = std::max(storageBytes(*dataT), storageBytes(*outT));
  int64_t vec = std::min<int64_t>(8, 16 / widest);
  bool vectorize = vec > 1 && (!isStatic(data.shape) || numel(data.shape) >= kBlock * vec);
  if (vectorize) {
    os << llvm::formatv(
        "  if (n >= {0} && ds::ew::aligned_for<{0}>(x) && ds::ew::aligned_for<{0}>(y)) {{\n"
        "    const int64_t vectors = n / {0} * {0};\n"
        "    for (int64_t e = thread * {0}; e < vectors; e += threads * {0}) {{\n"
        "      const ds::ew::Pack<{1}, {0}> p = ds::ew::load_pack<{0}>(x, e);\n"
        "      ds::ew::Pack<{2}, {0}> r;\n"
        "#pragma unroll\n"
        "      for (int v = 0; v < {0}; ++v)\n"
        "        one(p.v, v, r.v, v, e + v);\n"
        "      ds::ew::store_pack<{0}>(y, e, r);\n"
        "    }\n"
        "    begin = vectors;\n"
        "  }\n",
        vec, dataT->storage, outT->storage);
  }
  os << "  for (int64_t e = begin + thread; e < n; e += threads)\n";
  os << "    one(x, e, y, e, e);\n";
  os << "}\n";

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = vectorize ? kBlock * vec : kBlock;
  launch.of = "numel";
  launch.operand = step.inputs.size();
  return finishKernel(what, text, launch);
}

} // namespace

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateQuantizeKernel(const StepInfo &step) {
  return generateQuantOrDequant(step, /*quantize=*/true);
}

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateDequantizeKernel(const StepInfo &step) {
  return generateQuantOrDequant(step, /*quantize=*/false);
}

// ---- dynamic_quantize ---------------------------------------------------------------------

llvm::Expected<GeneratedKernel>
mlir::ds::cuda::generateDynamicQuantizeKernel(const StepInfo &step) {
  if (step.inputs.size() != 1 || step.outputs.size() != 3)
    return fail("dynamic_quantize needs one input and three outputs");
  if (step.inputs[0].dtype != "f32")
    return fail("input must be f32, got " + step.inputs[0].dtype);
  if (step.outputs[0].dtype != "ui8" || step.outputs[1].dtype != "f32" ||
      step.outputs[2].dtype != "ui8")
    return fail("outputs must be ui8, f32, ui8, got " + step.outputs[0].dtype + ", " +
                step.outputs[1].dtype + ", " + step.outputs[2].dtype);
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &x = step.inputs[0];
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// DynamicQuantizeLinear kernel (generated by ds; docs/cuda.md \"Quantization "
        "kernels\").\n";
  os << "//   f32 " << shapeText(x.shape)
     << " -> ui8, scale, zero point; one block: min/max, then the quantization\n";
  os << "#include \"ds_device.cuh\"\n#include \"elementwise.cuh\"\n#include \"quant.cuh\"\n\n";
  os << "DS_KERNEL_BOUNDS(" << kKernelNamePlaceholder << ", 1024) {\n";
  os << "  ds::quant::dynamic_quantize(static_cast<const float *>(params.ptr[0]),\n"
        "                             static_cast<uint8_t *>(params.ptr[1]),\n"
        "                             static_cast<float *>(params.ptr[2]),\n"
        "                             static_cast<uint8_t *>(params.ptr[3]), "
     << dims.product(0, 0, x.shape.size()) << ");\n";
  os << "}\n";
  LaunchConfig launch;
  launch.block = {1024, 1, 1};
  // One block: the scale output has one element (also for an empty input, whose scale
  // and zero point are still written).
  launch.perBlock = 1;
  launch.of = "numel";
  launch.operand = 2;
  return finishKernel("dynamic_quantize", text, launch);
}

// ---- matmul_nbits -------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateMatmulNBitsKernel(const StepInfo &step) {
  enum { kInput, kWeight, kScales, kZeroPoints, kBias };
  if (step.inputs.size() < 3 || step.inputs.size() > 5 || step.outputs.size() != 1)
    return fail("matmul_nbits needs inputs (input, weight, scales[, zero_points[, bias]]) and "
                "one output");
  auto k = step.attrs.getInteger("k"), n = step.attrs.getInteger("n"),
       blockSize = step.attrs.getInteger("block_size");
  int64_t bits = step.attrs.getInteger("bits").value_or(4);
  if (!k || !n || !blockSize)
    return fail("attributes 'k', 'n' and 'block_size' are required");
  if (bits != 2 && bits != 4 && bits != 8)
    return fail("bits must be 2, 4 or 8, got " + llvm::Twine(bits));
  if (*blockSize < 8 || (*blockSize & (*blockSize - 1)) != 0)
    return fail("block_size must be a power of two >= 8, got " + llvm::Twine(*blockSize));
  if (*k <= 0 || *n <= 0)
    return fail("K and N must be positive, got K = " + llvm::Twine(*k) + ", N = " +
                llvm::Twine(*n));
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  int64_t blocks = (*k + *blockSize - 1) / *blockSize, blob = *blockSize * bits / 8;
  const OperandInfo &x = step.inputs[kInput], &w = step.inputs[kWeight],
                    &s = step.inputs[kScales], &out = step.outputs[0];
  auto present = [&](int i) {
    return static_cast<int>(step.inputs.size()) > i && step.inputs[i].present;
  };
  const DTypeInfo *xT = lookupDType(x.dtype), *sT = lookupDType(s.dtype),
                  *oT = lookupDType(out.dtype);
  if (!xT || !isFloatDType(x.dtype) || x.shape.empty() ||
      (x.shape.back() >= 0 && x.shape.back() != *k))
    return fail("input of shape " + shapeText(x.shape) + " (" + x.dtype +
                ") must be a float tensor ending in K = " + llvm::Twine(*k));
  if (w.dtype != "ui8" || w.shape.size() != 3 ||
      (isStatic(w.shape) && (w.shape[0] != *n || w.shape[1] != blocks || w.shape[2] != blob)))
    return fail("weight of shape " + shapeText(w.shape) + " (" + w.dtype +
                ") must be ui8 [N, n_blocks, blob] = " + shapeText({*n, blocks, blob}));
  if (!sT || !isFloatDType(s.dtype))
    return fail("scales must be a float tensor, got " + s.dtype);
  if (!oT || !isFloatDType(out.dtype))
    return fail("output must be a float tensor, got " + out.dtype);
  int zpKind = 0;
  const DTypeInfo *zT = lookupDType("ui8");
  if (present(kZeroPoints)) {
    const OperandInfo &zp = step.inputs[kZeroPoints];
    zT = lookupDType(zp.dtype);
    if (zp.dtype == "ui8")
      zpKind = 1;
    else if (zT && isFloatDType(zp.dtype))
      zpKind = 2;
    else
      return fail("zero_points element type " + zp.dtype + " must be ui8 (packed) or a float type");
  }
  const DTypeInfo *bT = lookupDType("f32");
  if (present(kBias)) {
    bT = lookupDType(step.inputs[kBias].dtype);
    if (!bT || !isFloatDType(step.inputs[kBias].dtype))
      return fail("bias must be a float tensor, got " + step.inputs[kBias].dtype);
  }

  // Chunk: the widest load (<= 16 bytes) that divides a block's blob, so a lane's chunk
  // has one scale and zero point.
  int64_t chunkBytes = std::gcd<int64_t>(blob, 16);
  // Row tile: the static M when small, else 8 rows (4 for 2 bits, whose K tile is
  // twice as long), keeping the staged x tile under 48 KiB of static shared memory.
  int64_t rowTileMax = bits == 2 && chunkBytes == 16 ? 4 : 8;
  int64_t m = isStatic(x.shape) ? numel(llvm::ArrayRef<int64_t>(x.shape).drop_back()) : -1;
  int64_t rowTile = rowTileMax;
  if (m >= 0)
    for (int64_t t : {1, 2, 4, 8})
      if (t >= m || t == rowTileMax) {
        rowTile = std::min(t, rowTileMax);
        break;
      }
  constexpr int64_t colsPerWarp = 2, cols = 8 * colsPerWarp;

  auto loader = [](StringRef fn, StringRef storage, const DTypeInfo &t) {
    return llvm::formatv("  static DS_DEVICE float {0}(const {1} *p, int64_t i) {{ return {2}; }\n",
                         fn, storage, loadAs(t, "p", "i", "float"))
        .str();
  };
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// MatMulNBits kernel (generated by ds; docs/cuda.md \"Quantization kernels\").\n";
  os << llvm::formatv("//   {0} {1} x W[N={2}, K={3}] ({4} bits, blocks of {5}{6}{7}) -> {8} "
                      "{9}\n",
                      x.dtype, shapeText(x.shape), *n, *k, bits, *blockSize,
                      zpKind == 1   ? ", packed zero points"
                      : zpKind == 2 ? ", float zero points"
                                    : "",
                      present(kBias) ? ", bias" : "", out.dtype, shapeText(out.shape));
  os << llvm::formatv("//   chunk {0} bytes per lane, row tile {1}, {2} columns per block\n",
                      chunkBytes, rowTile, cols);
  os << "#include \"ds_device.cuh\"\n#include \"elementwise.cuh\"\n#include \"quant.cuh\"\n\n";
  os << "struct " << kKernelNamePlaceholder << "_cfg {\n";
  os << llvm::formatv("  static constexpr int kBits = {0};\n", bits);
  os << llvm::formatv("  static constexpr int64_t kK = {0}, kN = {1}, kBlockSize = {2}, "
                      "kBlocks = {3};\n",
                      *k, *n, *blockSize, blocks);
  os << llvm::formatv("  static constexpr int kZeroPoints = {0};\n", zpKind);
  os << llvm::formatv("  static constexpr bool kBias = {0};\n", present(kBias) ? "true" : "false");
  os << llvm::formatv("  static constexpr int kChunkBytes = {0}, kRowTile = {1}, "
                      "kColsPerWarp = {2};\n",
                      chunkBytes, rowTile, colsPerWarp);
  os << llvm::formatv("  static constexpr int kOutput = {0};\n", step.inputs.size());
  os << "  using XS = " << xT->storage << ";\n";
  os << "  using SS = " << sT->storage << ";\n";
  os << "  using ZS = " << zT->storage << ";\n";
  os << "  using BS = " << bT->storage << ";\n";
  os << "  using OS = " << oT->storage << ";\n";
  os << loader("load_x", xT->storage, *xT);
  os << loader("load_scale", sT->storage, *sT);
  os << loader("load_zp", zT->storage, *zT);
  os << loader("load_bias", bT->storage, *bT);
  std::string storeValue = oT->cls == Cls::F64 ? "double(v)" : "v";
  if (out.dtype == "f8E4M3FN" || out.dtype == "f8E5M2")
    os << llvm::formatv("  static DS_DEVICE void store_out(OS *p, int64_t i, float v) {{ "
                        "p[i] = ds::ew::{0}_store(v, true); }\n",
                        out.dtype == "f8E4M3FN" ? "f8e4m3fn" : "f8e5m2");
  else
    os << llvm::formatv("  static DS_DEVICE void store_out(OS *p, int64_t i, float v) {{ "
                        "ds::ew::{0}(p, i, {1}); }\n",
                        oT->store, storeValue);
  os << "};\n\n";
  os << "DS_KERNEL_BOUNDS(" << kKernelNamePlaceholder << ", " << kBlock << ") {\n";
  os << "  ds::quant::matmul_nbits<" << kKernelNamePlaceholder << "_cfg>(params, "
     << dims.product(0, 0, x.shape.size() - 1) << ");\n";
  os << "}\n";

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  int64_t outOperand = step.inputs.size();
  int64_t rank = out.shape.size();
  // Row tiles (slowest) x column tiles; the kernel decomposes the block index.
  launch.tiles = {{0, 0, static_cast<int64_t>(x.shape.size()) - 1, rowTile},
                  {outOperand, rank - 1, rank, cols}};
  return finishKernel("matmul_nbits", text, launch);
}
