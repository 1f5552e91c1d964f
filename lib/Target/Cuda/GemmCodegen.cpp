//===- GemmCodegen.cpp - CUDA kernels of matmul and linear steps ----------===//
//
// A `matmul` (numpy semantics: batch dims broadcast, 1-D operands promoted, optional
// transposes) or `linear` (x[..., K] times a 2-D weight, optionally transposed, plus an
// optional bias[N]) step, with or without a fused epilogue (docs/bundle.md "Epilogues"),
// becomes one kernel:
//
//   K_epilogue(r0, r1, ..., res0, ...)  the epilogue program (register 0 = the product),
//                                       emitted by the elementwise program emitter
//   struct K_cfg                        the product's geometry (sizes, strides, batch
//                                       offsets) and `store`: bias, product rounding,
//                                       epilogue, store in the output dtype
//   DS_KERNEL(K)                        ds::gemm::mma_gemm (bf16/f16 inputs, tensor cores)
//                                       or ds::gemm::simt_gemm (f32, f64, integers, f8)
//
// Templates: runtime/kernels/gemm.cuh. Launch: the "tiles" rule batch x ceil(M / BM) x
// ceil(N / BN). Static dims are literals, dynamic ones params.dims reads.
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

/// Tile configurations (gemm.cuh templates).
struct TileConfig {
  int bm, bn, warpsM, warpsN; // mma kernel; the SIMT kernel is 64 x 64 with 256 threads
  int threads() const { return 32 * warpsM * warpsN; }
};

/// `(d == 1 ? 0 : stride)` for a broadcastable dim, folded when d is static.
std::string broadcastStride(int64_t staticDim, const std::string &dim, const std::string &stride) {
  if (staticDim == 1)
    return "int64_t(0)";
  if (staticDim >= 0)
    return stride;
  return "(" + dim + " == 1 ? int64_t(0) : " + stride + ")";
}

bool boolAttr(const json::Object &attrs, StringRef name) {
  const json::Value *v = attrs.get(name);
  if (!v)
    return false;
  if (auto b = v->getAsBoolean())
    return *b;
  if (auto i = v->getAsInteger())
    return *i != 0;
  return false;
}

} // namespace

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateGemmKernel(const StepInfo &step) {
  const bool isLinear = step.kind == "linear"; // else matmul (the generator table's kinds)
  const size_t numProduct = isLinear ? 3 : 2; // the product's operands (ODS order)
  if (step.inputs.size() < 2)
    return fail(step.kind + " needs at least 2 inputs, got " + llvm::Twine(step.inputs.size()));
  if (step.outputs.empty())
    return fail(step.kind + " needs an output");
  const size_t numIn = step.inputs.size();
  const size_t firstExtra = std::min(numProduct, numIn);
  int64_t numOperands = numIn + step.outputs.size();
  if (numOperands > kMaxOperands)
    return beyondLimits("the step has " + llvm::Twine(numOperands) +
                        " operands; a kernel takes at most " + llvm::Twine(kMaxOperands) +
                        " (DS_MAX_OPERANDS)");
  for (size_t i = 0; i < 2; ++i)
    if (!step.inputs[i].present)
      return fail("input " + llvm::Twine(i) + " is absent");
  OperandDims od(step);
  if (llvm::Error e = od.checkLimits())
    return std::move(e);

  const OperandInfo &lhs = step.inputs[0], &rhs = step.inputs[1];
  const OperandInfo &out0 = step.outputs[0];
  const size_t outIdx = numIn; // operand index of output 0
  const int64_t lr = lhs.shape.size(), rr = rhs.shape.size();
  if (lr < 1 || rr < 1)
    return fail("operands must have rank >= 1, got " + shapeText(lhs.shape) + " and " +
                shapeText(rhs.shape));

  // ---- geometry -------------------------------------------------------------------------
  std::string M, N, K, sam, sak, sbk, sbn;
  SmallVector<std::array<int64_t, 4>> tiles; // {operand, begin, end, per}; per filled below
  enum TileRole { Batch, Rows, Cols };
  SmallVector<TileRole> tileRoles;
  int64_t batchRank = 0;                      // broadcast batch dims (output dims [0, R))
  SmallVector<std::string> aBatchStride, bBatchStride;
  bool lhsVector = false, rhsVector = false;
  std::optional<int64_t> staticM; // for the tile choice
  auto staticProduct = [&](const OperandInfo &o, int64_t begin, int64_t end) {
    std::optional<int64_t> p = 1;
    for (int64_t a = begin; a < end; ++a)
      p = o.shape[a] < 0 || !p ? std::nullopt : std::optional<int64_t>(*p * o.shape[a]);
    return p;
  };
  if (isLinear) {
    if (rr != 2)
      return fail("the weight must be 2-D, got " + shapeText(rhs.shape));
    bool transW = boolAttr(step.attrs, "transpose_w");
    K = od.dim(0, lr - 1);
    M = od.product(0, 0, lr - 1);
    staticM = staticProduct(lhs, 0, lr - 1);
    N = od.dim(1, transW ? 0 : 1);
    sam = K;
    sak = "int64_t(1)";
    sbk = transW ? "int64_t(1)" : N;
    sbn = transW ? K : "int64_t(1)";
    int64_t wk = rhs.shape[transW ? 1 : 0], xk = lhs.shape[lr - 1];
    if (wk >= 0 && xk >= 0 && wk != xk)
      return fail("input " + shapeText(lhs.shape) + " has K = " + llvm::Twine(xk) +
                  " but the weight " + shapeText(rhs.shape) + " has K = " + llvm::Twine(wk));
    tiles.push_back({0, 0, lr - 1, 0});
    tileRoles.push_back(Rows);
    tiles.push_back({1, transW ? 0 : 1, transW ? 1 : 2, 0});
    tileRoles.push_back(Cols);
  } else {
    lhsVector = lr == 1;
    rhsVector = rr == 1;
    bool transA = !lhsVector && boolAttr(step.attrs, "transpose_a");
    bool transB = !rhsVector && boolAttr(step.attrs, "transpose_b");
    int64_t lb = lhsVector ? 0 : lr - 2, rb = rhsVector ? 0 : rr - 2;
    // A weight shared by every batch (rhs batch dims all 1) and a plain lhs: one product
    // with batch * M rows (the batch dims are then the lhs's own).
    bool fold = !lhsVector && !transA && llvm::all_of(llvm::ArrayRef<int64_t>(rhs.shape).take_front(rb),
                                                      [](int64_t d) { return d == 1; });
    if (lhsVector) {
      M = "int64_t(1)";
      staticM = 1;
      K = od.dim(0, 0);
      sam = "int64_t(0)";
      sak = "int64_t(1)";
    } else {
      M = od.dim(0, transA ? lr - 1 : lr - 2);
      staticM = lhs.shape[transA ? lr - 1 : lr - 2] >= 0
                    ? std::optional<int64_t>(lhs.shape[transA ? lr - 1 : lr - 2])
                    : std::nullopt;
      K = od.dim(0, transA ? lr - 2 : lr - 1);
      sam = transA ? "int64_t(1)" : K;
      sak = transA ? M : "int64_t(1)";
    }
    if (rhsVector) {
      N = "int64_t(1)";
      sbk = "int64_t(1)";
      sbn = "int64_t(0)";
    } else {
      N = od.dim(1, transB ? rr - 2 : rr - 1);
      sbk = transB ? "int64_t(1)" : N;
      sbn = transB ? od.dim(1, rr - 1) : "int64_t(1)";
    }
    int64_t ka = lhs.shape[lhsVector ? 0 : (transA ? lr - 2 : lr - 1)];
    int64_t kb = rhs.shape[rhsVector ? 0 : (transB ? rr - 1 : rr - 2)];
    if (ka >= 0 && kb >= 0 && ka != kb)
      return fail("contraction dims differ: lhs " + shapeText(lhs.shape) + " has K = " +
                  llvm::Twine(ka) + ", rhs " + shapeText(rhs.shape) + " has K = " +
                  llvm::Twine(kb));
    if (fold) {
      M = od.product(0, 0, lr - 1);
      staticM = staticProduct(lhs, 0, lr - 1);
      tiles.push_back({0, 0, lr - 1, 0});
      tileRoles.push_back(Rows);
    } else {
      batchRank = std::max(lb, rb);
      if ((int64_t)out0.shape.size() < batchRank)
        return fail("output " + shapeText(out0.shape) + " has fewer dims than the batch");
      if (batchRank > 0) {
        tiles.push_back({(int64_t)outIdx, 0, batchRank, 1});
        tileRoles.push_back(Batch);
      }
      // Batch strides of each operand over the broadcast batch dims (0 where it
      // broadcasts), in elements; the matrix size is the product of its last dims.
      for (int64_t d = 0; d < batchRank; ++d) {
        int64_t ia = d - (batchRank - lb), ib = d - (batchRank - rb);
        aBatchStride.push_back(ia < 0 ? "int64_t(0)"
                                      : broadcastStride(lhs.shape[ia], od.dim(0, ia),
                                                        od.product(0, ia + 1, lr)));
        bBatchStride.push_back(ib < 0 ? "int64_t(0)"
                                      : broadcastStride(rhs.shape[ib], od.dim(1, ib),
                                                        od.product(1, ib + 1, rr)));
      }
      if (!lhsVector) {
        int64_t mAxis = transA ? lr - 1 : lr - 2;
        tiles.push_back({0, mAxis, mAxis + 1, 0});
        tileRoles.push_back(Rows);
      }
    }
    if (!rhsVector) {
      int64_t nAxis = transB ? rr - 2 : rr - 1;
      tiles.push_back({1, nAxis, nAxis + 1, 0});
      tileRoles.push_back(Cols);
    }
  }

  // ---- dtypes and the kernel choice ------------------------------------------------------
  const DTypeInfo *ta = lookupDType(lhs.dtype), *tb = lookupDType(rhs.dtype);
  if (!ta || !tb)
    return fail("unsupported operand dtypes " + lhs.dtype + " and " + rhs.dtype);
  const json::Object *epilogue = step.attrs.getObject("epilogue");
  if (!epilogue && step.attrs.get("epilogue"))
    return fail("attribute 'epilogue' is not an object");
  std::string productName = out0.dtype;
  if (epilogue) {
    if (const json::Value *pd = epilogue->get("product_dtype")) {
      auto s = pd->getAsString();
      if (!s)
        return fail("epilogue: 'product_dtype' is not a dtype name");
      productName = s->str();
    } else {
      productName = lhs.dtype; // the cpu's fallback
    }
  } else if (step.outputs.size() != 1) {
    return fail(step.kind + " without an epilogue has one output, got " +
                llvm::Twine(step.outputs.size()));
  }
  const DTypeInfo *tp = lookupDType(productName);
  if (!tp)
    return fail("unsupported product dtype '" + productName + "'");
  if (tp->cls == Cls::Bool)
    return fail("a product of dtype i1 is not supported");
  if (isInt(tp->cls) && (!isInt(ta->cls) || !isInt(tb->cls)))
    return fail("an integer product needs integer operands, got " + lhs.dtype + " and " +
                rhs.dtype);
  if (ta->cls == Cls::Bool || tb->cls == Cls::Bool)
    return fail("i1 operands are not supported");
  const bool mma = tp->cls == Cls::F32 && lhs.dtype == rhs.dtype &&
                   (lhs.dtype == "bf16" || lhs.dtype == "f16");
  const StringRef acc = computeType(tp->cls);
  TileConfig cfg{64, 64, 0, 0}; // SIMT: 64 x 64, 256 threads
  int threads = 256;
  if (mma) {
    // Decode-like static M gets short tiles (more blocks over N); otherwise 128 x 128.
    if (staticM && *staticM <= 16)
      cfg = {16, 64, 1, 4};
    else if (staticM && *staticM <= 64)
      cfg = {64, 64, 2, 2};
    else
      cfg = {128, 128, 2, 4};
    threads = cfg.threads();
  }
  for (auto [t, role] : llvm::zip(tiles, tileRoles))
    t[3] = role == Batch ? 1 : role == Rows ? cfg.bm : cfg.bn;
  if (tiles.empty())
    tiles.push_back({(int64_t)outIdx, 0, 0, 1}); // one block (a vector . vector product)

  // ---- bias and epilogue --------------------------------------------------------------------
  const OperandInfo *bias = isLinear && numIn > 2 && step.inputs[2].present ? &step.inputs[2]
                                                                          : nullptr;
  const DTypeInfo *tbias = bias ? lookupDType(bias->dtype) : nullptr;
  if (bias && (!tbias || bias->shape.size() != 1))
    return fail("bias must be a 1-D tensor of a supported dtype, got " + bias->dtype + " " +
                shapeText(bias->shape));
  std::string programText;
  SmallVector<OperandInfo> programInputs;
  if (epilogue) {
    programInputs.push_back(OperandInfo{productName, out0.shape, true});
    for (size_t i = firstExtra; i < numIn; ++i)
      programInputs.push_back(step.inputs[i]);
    auto text = emitProgramFunction(
        StepInfo{"elementwise", *epilogue, programInputs, step.outputs},
        std::string(kKernelNamePlaceholder) + "_epilogue");
    if (!text)
      return fail("epilogue: " + llvm::toString(text.takeError()));
    programText = std::move(*text);
  }
  // Output dtypes are known here: output 0's is the product's without an epilogue, and
  // the program emitter checked every result register against its output's.
  for (const OperandInfo &out : step.outputs)
    if (out.shape.size() != out0.shape.size())
      return fail("the outputs have different ranks");

  // ---- text -----------------------------------------------------------------------------
  std::string text;
  llvm::raw_string_ostream os(text);
  const std::string kn = kKernelNamePlaceholder.str();
  os << "// " << (isLinear ? "Linear" : "Matmul")
     << " kernel (generated by ds; docs/cuda.md \"GEMM kernels\"): "
     << (mma ? llvm::formatv("tensor cores ({0}), tile {1}x{2}x32, {3}x{4} warps", lhs.dtype,
                             cfg.bm, cfg.bn, cfg.warpsM, cfg.warpsN)
                   .str()
             : ("SIMT " + acc + ", tile 64x64x16").str())
     << ".\n";
  for (auto [i, in] : llvm::enumerate(step.inputs))
    if (in.present)
      os << llvm::formatv("//   input {0}: {1} {2}\n", i, in.dtype, shapeText(in.shape));
  for (auto [k, out] : llvm::enumerate(step.outputs))
    os << llvm::formatv("//   output {0}: {1} {2}\n", k, out.dtype, shapeText(out.shape));
  os << "#include \"ds_device.cuh\"\n#include \"elementwise.cuh\"\n#include \"gemm.cuh\"\n\n";
  if (epilogue)
    os << programText << "\n";

  // Output dims (for extra-input indexing) as expressions.
  const int64_t outRank = out0.shape.size();
  SmallVector<std::string> outDims;
  for (int64_t d = 0; d < outRank; ++d)
    outDims.push_back(od.dim(outIdx, d));

  os << "struct " << kn << "_cfg {\n";
  os << "  const ds::KernelParams &params;\n";
  os << "  int64_t m, n, k, batches, sam, sak, sbk, sbn;\n";
  if (batchRank > 0)
    os << "  int64_t bdims[" << batchRank << "], astr[" << batchRank << "], bstr["
       << batchRank << "];\n";
  // Extra inputs: how each is indexed from the output element e (and the product's col).
  enum class X { One, Full, Col, Bcast, Dynamic };
  SmallVector<X> xs;
  SmallVector<SmallVector<int64_t>> xStrides;
  for (size_t i = firstExtra; i < numIn; ++i) {
    const OperandInfo &x = step.inputs[i];
    if ((int64_t)x.shape.size() > outRank)
      return fail("epilogue input " + llvm::Twine(i) + " " + shapeText(x.shape) +
                  " has a higher rank than the output " + shapeText(out0.shape));
    SmallVector<int64_t> strides(outRank, 0);
    X kind;
    if (!isStatic(x.shape)) {
      kind = X::Dynamic;
    } else {
      int64_t stride = 1;
      for (size_t a = 0; a < x.shape.size(); ++a) {
        size_t d = x.shape.size() - 1 - a, o = outRank - 1 - a;
        strides[o] = x.shape[d] == 1 ? 0 : stride;
        stride *= x.shape[d];
      }
      bool fullStatic = isStatic(out0.shape) && numel(x.shape) == numel(out0.shape);
      bool onlyLast = outRank > 0 && strides[outRank - 1] == 1 &&
                      llvm::all_of(llvm::ArrayRef<int64_t>(strides).drop_back(),
                                   [](int64_t s) { return s == 0; });
      if (numel(x.shape) == 1)
        kind = X::One;
      else if (fullStatic)
        kind = X::Full;
      else if (onlyLast && !rhsVector)
        kind = X::Col;
      else
        kind = X::Bcast;
    }
    xs.push_back(kind);
    xStrides.push_back(strides);
    if (kind == X::Bcast)
      os << "  int64_t xstr" << i << "[" << outRank << "];\n";
    if (kind == X::Dynamic)
      os << "  int64_t xstr" << i << "[" << outRank << "];\n  bool xfull" << i << ";\n";
  }
  bool anyBcast = llvm::any_of(xs, [](X k) { return k == X::Bcast || k == X::Dynamic; });
  if (anyBcast && outRank > 0)
    os << "  int64_t odims[" << outRank << "];\n";

  // Constructor.
  os << "  DS_DEVICE explicit " << kn << "_cfg(const ds::KernelParams &p) : params(p) {\n";
  os << "    m = " << M << ";\n    n = " << N << ";\n    k = " << K << ";\n";
  os << "    sam = " << sam << ";\n    sak = " << sak << ";\n    sbk = " << sbk
     << ";\n    sbn = " << sbn << ";\n";
  if (batchRank > 0) {
    SmallVector<std::string> bd;
    for (int64_t d = 0; d < batchRank; ++d) {
      os << "    bdims[" << d << "] = " << od.dim(outIdx, d) << ";\n";
      os << "    astr[" << d << "] = " << aBatchStride[d] << ";\n";
      os << "    bstr[" << d << "] = " << bBatchStride[d] << ";\n";
      bd.push_back("bdims[" + std::to_string(d) + "]");
    }
    os << "    batches = " << llvm::join(bd, " * ") << ";\n";
  } else {
    os << "    batches = 1;\n";
  }
  if (anyBcast && outRank > 0)
    for (int64_t d = 0; d < outRank; ++d)
      os << "    odims[" << d << "] = " << outDims[d] << ";\n";
  for (auto [j, kind] : llvm::enumerate(xs)) {
    size_t i = firstExtra + j;
    if (kind == X::Bcast) {
      for (int64_t d = 0; d < outRank; ++d)
        os << "    xstr" << i << "[" << d << "] = " << xStrides[j][d] << ";\n";
    } else if (kind == X::Dynamic) {
      const OperandInfo &x = step.inputs[i];
      SmallVector<std::string> shape;
      for (size_t d = 0; d < x.shape.size(); ++d)
        shape.push_back(od.dim(i, d));
      if (outRank > 0) {
        os << "    const int64_t xshape" << i << "[" << std::max<size_t>(x.shape.size(), 1)
           << "] = " << arrayText(shape.empty() ? SmallVector<std::string>{"int64_t(1)"} : shape)
           << ";\n";
        os << "    ds::ew::broadcast_strides(xshape" << i << ", xstr" << i << ");\n";
      }
      SmallVector<std::string> od2(outDims.begin(), outDims.end());
      os << "    xfull" << i << " = ("
         << (shape.empty() ? std::string("int64_t(1)") : llvm::join(shape, " * ")) << ") == ("
         << (od2.empty() ? std::string("int64_t(1)") : llvm::join(od2, " * ")) << ");\n";
    }
  }
  os << "  }\n";

  // Operand pointers.
  auto ptrType = [&](const DTypeInfo *t) { return t->storage.str(); };
  os << llvm::formatv("  DS_DEVICE const {0} *a(int64_t batch) const {{\n"
                      "    return static_cast<const {0} *>(params.ptr[0]){1};\n  }\n",
                      ptrType(ta), batchRank ? " + ds::gemm::batch_offset(batch, bdims, astr)" : "");
  os << llvm::formatv("  DS_DEVICE const {0} *b(int64_t batch) const {{\n"
                      "    return static_cast<const {0} *>(params.ptr[1]){1};\n  }\n",
                      ptrType(tb), batchRank ? " + ds::gemm::batch_offset(batch, bdims, bstr)" : "");
  if (!mma) {
    os << llvm::formatv("  DS_DEVICE {0} load_a(const {1} *p, int64_t i) const {{ return "
                        "{0}(ds::ew::{2}(p, i)); }\n",
                        acc, ptrType(ta), ta->load);
    os << llvm::formatv("  DS_DEVICE {0} load_b(const {1} *p, int64_t i) const {{ return "
                        "{0}(ds::ew::{2}(p, i)); }\n",
                        acc, ptrType(tb), tb->load);
  }

  // The store: bias, product rounding, epilogue, output dtype.
  os << "  DS_DEVICE void store(int64_t b, int64_t row, int64_t col, " << acc
     << " v) const {\n";
  os << "    const int64_t e = (b * m + row) * n + col;\n";
  if (bias)
    os << llvm::formatv("    v = ds::gemm::add<{0}>({0}(ds::ew::{1}(static_cast<const {2} *>("
                        "params.ptr[2]), col)), v);\n",
                        acc, tbias->load, tbias->storage);
  if (!epilogue) {
    const DTypeInfo *to = lookupDType(out0.dtype);
    os << llvm::formatv("    ds::ew::{0}(static_cast<{1} *>(params.ptr[{2}]), e, v);\n",
                        to->store, to->storage, outIdx);
  } else {
    // Register 0: the product in product_dtype (the cpu stores it in that dtype first).
    std::string r0 = "v";
    if (tp->cls == Cls::F32 && tp->name != "f32") {
      if (tp->name == "bf16")
        r0 = "ds::ew::round_bf16(v)";
      else if (tp->name == "f16")
        r0 = "ds::ew::round_f16(v)";
      else if (tp->name == "f8E4M3FN")
        r0 = "ds::ew::round_f8e4m3fn(v, true)";
      else
        r0 = "ds::ew::round_f8e5m2(v, true)";
    } else if (!tp->wrap.empty()) {
      r0 = ("ds::ew::" + tp->wrap + "(v)").str();
    }
    os << "    const " << acc << " r0 = " << r0 << ";\n";
    for (auto [j, kind] : llvm::enumerate(xs)) {
      size_t i = firstExtra + j;
      const DTypeInfo *tx = lookupDType(step.inputs[i].dtype);
      std::string index;
      switch (kind) {
      case X::One:
        index = "0";
        break;
      case X::Full:
        index = "e";
        break;
      case X::Col:
        index = "col";
        break;
      case X::Bcast:
        index = outRank ? "ds::ew::broadcast_index<int64_t>(e, odims, xstr" + std::to_string(i) + ")"
                        : "0";
        break;
      case X::Dynamic:
        index = outRank ? "(xfull" + std::to_string(i) +
                              " ? e : ds::ew::broadcast_index<int64_t>(e, odims, xstr" +
                              std::to_string(i) + "))"
                        : "0";
        break;
      }
      os << llvm::formatv("    const {0} x{1} = ds::ew::{2}(static_cast<const {3} *>(params.ptr[{1}]), {4});\n",
                          computeType(tx->cls), i, tx->load, tx->storage, index);
    }
    for (auto [k, out] : llvm::enumerate(step.outputs))
      os << "    " << computeType(lookupDType(out.dtype)->cls) << " res" << k << ";\n";
    os << "    " << kn << "_epilogue(r0";
    for (size_t j = 0; j < xs.size(); ++j)
      os << ", x" << firstExtra + j;
    for (size_t k = 0; k < step.outputs.size(); ++k)
      os << ", res" << k;
    os << ");\n";
    for (auto [k, out] : llvm::enumerate(step.outputs)) {
      const DTypeInfo *to = lookupDType(out.dtype);
      os << llvm::formatv("    ds::ew::{0}(static_cast<{1} *>(params.ptr[{2}]), e, res{3});\n",
                          to->store, to->storage, outIdx + k, k);
    }
  }
  os << "  }\n};\n\n";

  os << "DS_KERNEL_BOUNDS(" << kn << ", " << threads << ") {\n";
  os << "  const " << kn << "_cfg cfg(params);\n";
  if (mma)
    os << llvm::formatv("  ds::gemm::mma_gemm<{0}, {1}, {2}, {3}, {4}>(cfg);\n", cfg.bm,
                        cfg.bn, cfg.warpsM, cfg.warpsN, lhs.dtype == "f16" ? "true" : "false");
  else
    os << "  ds::gemm::simt_gemm<" << acc << ">(cfg);\n";
  os << "}\n";

  LaunchConfig launch;
  launch.block = {threads, 1, 1};
  launch.tiles = tiles;
  StringRef base = step.attrs.getString("kernel_name").value_or(step.kind);
  return finishKernel(base, text, launch);
}
