//===- AttentionCodegen.cpp - attention and rope kernels -------------------===//
//
// `attention` and `rope` steps (docs/cuda.md, "Attention and RoPE kernels"): the
// generated text fixes dtypes, head dims and attributes as template arguments of the
// templates in runtime/kernels/attention.cuh and rope.cuh, and fills the runtime sizes
// (static ones as constants, dynamic ones from params.dims).
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::StringRef;

namespace {

/// Storage C type of a float tensor as the attention/rope templates take it.
std::optional<StringRef> floatStorage(StringRef dtype) {
  if (dtype == "f32")
    return StringRef("float");
  if (dtype == "f16")
    return StringRef("ds::f16");
  if (dtype == "bf16")
    return StringRef("ds::bf16");
  if (dtype == "f64")
    return StringRef("double");
  return std::nullopt;
}

std::optional<int64_t> optionalInt(const json::Object &attrs, StringRef name) {
  const json::Value *v = attrs.get(name);
  if (!v || v->getAsNull())
    return std::nullopt;
  return v->getAsInteger();
}

std::optional<double> optionalFloat(const json::Object &attrs, StringRef name) {
  const json::Value *v = attrs.get(name);
  if (!v || v->getAsNull())
    return std::nullopt;
  return jsonFloat(*v);
}

// Attention geometry (attention.cuh): NW warps of R rows each; KT = 32 * NSUB keys per
// staged K/V tile, the largest NSUB whose shared memory stays under kSharedTarget (two
// or more blocks per H100 SM).
constexpr int kWarps = 4;
constexpr int kRows = 8;
constexpr int64_t kSharedTarget = 100 * 1024;
constexpr int64_t kSharedMax = 227 * 1024;
constexpr int64_t kMaxHeadDim = 256;

int64_t attentionShared(int nsub, int64_t dk, int64_t dv, int64_t elem) {
  int64_t kt = 32 * nsub;
  int64_t kv = kt * (dk + 1) + kt * dv;
  int64_t merge = int64_t(kWarps) * kRows * (dv + 2);
  return ((kv > merge ? kv : merge) + int64_t(kWarps) * kRows * dk +
          int64_t(kWarps) * kRows * 32) *
         elem;
}

// The tensor-core path (attention.cuh MmaConfig): 4 warps of 16 rows, 64-key tiles of
// 16-bit K and V plus the Q rows in shared memory, rows padded by 8 elements; the output
// accumulator takes dv / 2 registers per lane, so wider values go SIMT.
constexpr int kMmaRows = 64;
constexpr int64_t kMmaMaxDv = 128;
int64_t mmaShared(int64_t dk, int64_t dv) {
  int64_t kv = 64 * ((dk + 8) + (dv + 8)) * 2;
  int64_t merge = int64_t(kWarps) * 16 * (dv + 2) * 4;
  return (kv > merge ? kv : merge) + int64_t(kWarps) * 16 * (dk + 8) * 2;
}

} // namespace

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateAttentionKernel(const StepInfo &step) {
  if (step.inputs.size() < 3 || step.inputs.size() > 4 || step.outputs.size() != 1)
    return fail("attention expects query, key, value, an optional mask and one output; got " +
                llvm::Twine(step.inputs.size()) + " inputs and " +
                llvm::Twine(step.outputs.size()) + " outputs");
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &q = step.inputs[0], &k = step.inputs[1], &v = step.inputs[2];
  const OperandInfo &out = step.outputs[0];
  const char *names[] = {"query", "key", "value"};
  for (int i = 0; i < 3; ++i)
    if (!step.inputs[i].present || step.inputs[i].shape.size() != 4)
      return fail(llvm::Twine(names[i]) + " must be present and 4-D, got " +
                  shapeText(step.inputs[i].shape));
  if (out.shape.size() != 4)
    return fail("the output must be 4-D, got " + shapeText(out.shape));
  std::optional<StringRef> storage = floatStorage(q.dtype);
  if (!storage)
    return fail("query element type '" + q.dtype + "' is not f32, f16, bf16 or f64");
  if (k.dtype != q.dtype || v.dtype != q.dtype || out.dtype != q.dtype)
    return fail("query, key, value and output element types differ: " + q.dtype + ", " +
                k.dtype + ", " + v.dtype + ", " + out.dtype);
  int64_t dk = q.shape[3], dv = v.shape[3];
  if (dk < 0 || dv < 0 || k.shape[3] < 0)
    return beyondLimits("the head dims must be static, got query " + shapeText(q.shape) +
                        " and value " + shapeText(v.shape));
  if (k.shape[3] != dk)
    return fail("query and key head dims differ: " + llvm::Twine(dk) + " and " +
                llvm::Twine(k.shape[3]));
  if (dk == 0 || dv == 0 || dk > kMaxHeadDim || dv > kMaxHeadDim)
    return beyondLimits("head dims " + llvm::Twine(dk) + " and " + llvm::Twine(dv) +
                        " are outside the kernel's 1.." + llvm::Twine(kMaxHeadDim));
  if (q.shape[1] >= 0 && k.shape[1] > 0 && q.shape[1] % k.shape[1] != 0)
    return fail("query heads " + llvm::Twine(q.shape[1]) +
                " are not a multiple of key/value heads " + llvm::Twine(k.shape[1]));

  bool hasMask = step.inputs.size() > 3 && step.inputs[3].present;
  std::string maskType = "uint8_t", maskKind = "ds::attn::kNoMask";
  if (hasMask) {
    const OperandInfo &mask = step.inputs[3];
    if (mask.shape.size() > 4)
      return fail("the mask has rank " + llvm::Twine(mask.shape.size()) + "; at most 4");
    if (mask.dtype == "i1") {
      maskKind = "ds::attn::kBoolMask";
    } else if (auto m = floatStorage(mask.dtype)) {
      maskType = m->str();
      maskKind = "ds::attn::kFloatMask";
    } else {
      return fail("mask element type '" + mask.dtype +
                  "' is not i1 or a float type (f32, f16, bf16, f64)");
    }
  }

  const json::Object &attrs = step.attrs;
  std::optional<double> scale = attrs.get("scale") ? jsonFloat(*attrs.get("scale")) : std::nullopt;
  if (!scale)
    return fail("attribute 'scale' is missing or not a number");
  std::optional<bool> causal = attrs.getBoolean("causal");
  if (attrs.get("causal") && !causal)
    return fail("attribute 'causal' is not a boolean");
  std::optional<int64_t> window = optionalInt(attrs, "window");
  if (attrs.get("window") && !attrs.get("window")->getAsNull() && !window)
    return fail("attribute 'window' is not an integer");
  if (window && *window < 0)
    return fail("attribute 'window' must be non-negative, got " + llvm::Twine(*window));
  std::optional<double> softcap = optionalFloat(attrs, "softcap");
  if (attrs.get("softcap") && !attrs.get("softcap")->getAsNull() && !softcap)
    return fail("attribute 'softcap' is not a number");
  if (softcap && !(*softcap > 0 && std::isfinite(*softcap)))
    return fail("attribute 'softcap' must be positive and finite");

  bool f64 = q.dtype == "f64";
  Cls cls = f64 ? Cls::F64 : Cls::F32;
  // f16 / bf16 with head dims the mma tiles divide: tensor cores (attention_mma); the
  // rest: SIMT in f32 / f64 (attention_simt).
  bool mma = (q.dtype == "f16" || q.dtype == "bf16") && dk % 16 == 0 && dv % 8 == 0 &&
             dv <= kMmaMaxDv;
  int64_t elem = f64 ? 8 : 4;
  int nsub = 0;
  int64_t shared = 0;
  if (mma) {
    shared = mmaShared(dk, dv);
  } else {
    for (int n : {4, 2, 1})
      if (attentionShared(n, dk, dv, elem) <= kSharedTarget) {
        nsub = n;
        break;
      }
    if (!nsub && attentionShared(1, dk, dv, elem) <= kSharedMax)
      nsub = 1;
    if (!nsub)
      return beyondLimits("head dims " + llvm::Twine(dk) + " and " + llvm::Twine(dv) +
                          " need more shared memory than a block has");
    shared = attentionShared(nsub, dk, dv, elem);
  }

  size_t maskIndex = 3, outIndex = step.inputs.size();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// attention: query " << shapeText(q.shape) << " key " << shapeText(k.shape)
     << " value " << shapeText(v.shape) << " " << q.dtype;
  if (hasMask)
    os << ", mask " << shapeText(step.inputs[3].shape) << " " << step.inputs[3].dtype;
  os << (causal.value_or(false) ? ", causal" : "") << "\n";
  os << "#include \"ds_device.cuh\"\n#include \"attention.cuh\"\n\n";
  // No __launch_bounds__: with it ptxas caps these kernels at 128 registers and spills.
  os << "DS_KERNEL(@KERNEL@) {\n";
  os << "  ds::attn::Dims d;\n";
  os << "  d.batch = " << dims.dim(0, 0) << ";\n";
  os << "  d.q_heads = " << dims.dim(0, 1) << ";\n";
  os << "  d.kv_heads = " << dims.dim(1, 1) << ";\n";
  os << "  d.q_seq = " << dims.dim(0, 2) << ";\n";
  os << "  d.kv_seq = " << dims.dim(1, 2) << ";\n";
  if (hasMask) {
    size_t rank = step.inputs[3].shape.size();
    llvm::SmallVector<std::string> md;
    for (size_t a = 0; a < 4; ++a)
      md.push_back(a + rank < 4 ? "int64_t(1)" : dims.dim(maskIndex, a + rank - 4));
    os << "  const int64_t md[4] = " << arrayText(md) << ";\n";
    os << "  ds::attn::mask_strides(md, d);\n";
  } else {
    os << "  d.mask_stride[0] = d.mask_stride[1] = d.mask_stride[2] = d.mask_stride[3] = 0;\n";
  }
  if (mma)
    os << llvm::formatv("  using C = ds::attn::MmaConfig<{0}, {1}, {2}, {3}, {4}, {5}, {6}, "
                        "{7}>;\n",
                        *storage, maskType, dk, dv, causal.value_or(false) ? "true" : "false",
                        window ? "true" : "false", softcap ? "true" : "false", maskKind);
  else
    os << llvm::formatv("  using C = ds::attn::Config<{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, "
                        "{8}, {9}, {10}, {11}>;\n",
                        *storage, computeType(cls), maskType, dk, dv, kWarps, kRows, nsub,
                        causal.value_or(false) ? "true" : "false", window ? "true" : "false",
                        softcap ? "true" : "false", maskKind);
  os << "  static_assert(C::SHARED_BYTES == " << shared << ", \"launch shared_bytes\");\n";
  os << "  ds::attn::attention_" << (mma ? "mma" : "simt")
     << "<C>(params.ptr[0], params.ptr[1], params.ptr[2], "
     << (hasMask ? "params.ptr[" + std::to_string(maskIndex) + "]" : std::string("nullptr"))
     << ", params.ptr[" << outIndex << "], d, " << floatLiteral(*scale, cls) << ", "
     << intLiteral(window.value_or(0)) << ", " << floatLiteral(softcap.value_or(1.0), cls)
     << ");\n}\n";

  LaunchConfig launch;
  launch.block = {kWarps * 32, 1, 1};
  launch.sharedBytes = shared;
  // batch x q heads x ceil(Sq / (NW * R)) blocks (see attention.cuh).
  launch.tiles = {{0, 0, 2, 1}, {0, 2, 3, mma ? kMmaRows : kWarps * kRows}};
  return finishKernel("attention", text, launch);
}

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateRopeKernel(const StepInfo &step) {
  if (step.inputs.size() < 3 || step.inputs.size() > 4 || step.outputs.size() != 1)
    return fail("rope expects input, cos, sin, optional position_ids and one output; got " +
                llvm::Twine(step.inputs.size()) + " inputs and " +
                llvm::Twine(step.outputs.size()) + " outputs");
  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);
  const OperandInfo &x = step.inputs[0], &cs = step.inputs[1], &sn = step.inputs[2];
  const OperandInfo &out = step.outputs[0];
  if (x.shape.size() != 4)
    return fail("the input must be 4-D [batch, heads, seq, head_dim], got " +
                shapeText(x.shape));
  std::optional<StringRef> sx = floatStorage(x.dtype), sc = floatStorage(cs.dtype);
  if (!sx)
    return fail("input element type '" + x.dtype + "' is not f32, f16, bf16 or f64");
  if (out.dtype != x.dtype)
    return fail("output element type '" + out.dtype + "' differs from the input's '" +
                x.dtype + "'");
  if (!sc || sn.dtype != cs.dtype)
    return fail("cos/sin element types '" + cs.dtype + "', '" + sn.dtype +
                "' must be one float type (f32, f16, bf16, f64)");
  if (cs.shape.empty() || cs.shape.size() > 3 || cs.shape.size() != sn.shape.size())
    return fail("cos/sin of shapes " + shapeText(cs.shape) + ", " + shapeText(sn.shape) +
                " must be [seq, width], [batch, seq, width] or a [positions, width] table");
  StringRef style = step.attrs.getString("style").value_or("rotate_half");
  if (style != "rotate_half" && style != "interleaved")
    return fail("attribute 'style' must be 'rotate_half' or 'interleaved', got '" + style + "'");
  bool interleaved = style == "interleaved";
  int64_t width = cs.shape.back();
  std::optional<int64_t> rotary = optionalInt(step.attrs, "rotary_dim");
  if (!rotary)
    rotary = x.shape[3];
  if (*rotary < 0 || width < 0)
    return beyondLimits("the rotary dim and the cos/sin width must be static, got input " +
                        shapeText(x.shape) + " and cos " + shapeText(cs.shape));
  if (*rotary <= 0 || *rotary % 2 != 0 || (x.shape[3] >= 0 && *rotary > x.shape[3]))
    return fail("rotary dim " + llvm::Twine(*rotary) +
                " must be positive, even and at most the head dim");
  if (width != *rotary / 2 && width != *rotary)
    return fail("cos/sin width " + llvm::Twine(width) + " must be half the rotary dim or the "
                "rotary dim " + llvm::Twine(*rotary));

  bool positions = step.inputs.size() > 3 && step.inputs[3].present;
  std::string posType = "int64_t";
  if (positions) {
    const OperandInfo &p = step.inputs[3];
    if (p.dtype == "i32")
      posType = "int32_t";
    else if (p.dtype != "i64")
      return fail("position_ids element type '" + p.dtype + "' is not i32 or i64");
    if (p.shape.size() != 2)
      return fail("position_ids must be 2-D, got " + shapeText(p.shape));
    if (cs.shape.size() != 2)
      return fail("with position_ids, cos/sin must be 2-D tables, got " + shapeText(cs.shape));
  } else if (cs.shape.size() < 2) {
    return fail("cos/sin of shape " + shapeText(cs.shape) +
                " must be [seq, width] or [batch, seq, width]");
  }

  bool f64 = x.dtype == "f64";
  Cls cls = f64 ? Cls::F64 : Cls::F32;
  // V pairs per thread: the widest whose x and table accesses stay within 16 bytes and
  // divide the half rotary dim (so every access of a row stays aligned).
  auto bytes = [](StringRef s) { return s == "double" ? 8 : s == "float" ? 4 : 2; };
  int64_t half = *rotary / 2;
  int vec = 1;
  for (int cand : {8, 4, 2}) {
    int xElems = interleaved ? 2 * cand : cand;
    int tElems = interleaved && width == *rotary ? 2 * cand : cand;
    if (half % cand == 0 && xElems * bytes(*sx) <= 16 && tElems * bytes(*sc) <= 16) {
      vec = cand;
      break;
    }
  }

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// rope " << style << ": input " << shapeText(x.shape) << " " << x.dtype << ", cos "
     << shapeText(cs.shape) << " " << cs.dtype << (positions ? ", position_ids" : "")
     << ", rotary " << *rotary << "\n";
  os << "#include \"ds_device.cuh\"\n#include \"rope.cuh\"\n\n";
  os << "DS_KERNEL_BOUNDS(@KERNEL@, 256) {\n";
  os << "  ds::rope::Dims d;\n";
  os << "  d.batch = " << dims.dim(0, 0) << ";\n";
  os << "  d.heads = " << dims.dim(0, 1) << ";\n";
  os << "  d.seq = " << dims.dim(0, 2) << ";\n";
  os << "  d.dim = " << dims.dim(0, 3) << ";\n";
  size_t leadOperand = positions ? 3 : 1;
  size_t leadRank = positions ? 2 : cs.shape.size() - 1;
  llvm::SmallVector<std::string> ld;
  for (size_t a = 0; a < 2; ++a)
    ld.push_back(a + leadRank < 2 ? "int64_t(1)" : dims.dim(leadOperand, a + leadRank - 2));
  os << "  const int64_t ld[2] = " << arrayText(ld) << ";\n";
  os << "  ds::rope::lead_strides(ld, d);\n";
  os << "  d.table_rows = " << dims.dim(1, cs.shape.size() - 2) << ";\n";
  os << llvm::formatv("  using C = ds::rope::Config<{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}>;\n",
                      *sx, *sc, posType, computeType(cls), *rotary, width,
                      interleaved ? "true" : "false", positions ? "true" : "false");
  os << "  ds::rope::rope<C, " << vec << ">(params.ptr[0], params.ptr[1], params.ptr[2], "
     << (positions ? "params.ptr[3]" : "nullptr") << ", params.ptr[" << step.inputs.size()
     << "], d);\n}\n";

  LaunchConfig launch;
  launch.block = {256, 1, 1};
  launch.perBlock = 256 * 2 * vec;
  launch.of = "numel";
  launch.operand = step.inputs.size();
  return finishKernel(interleaved ? "rope_interleaved" : "rope_rotate_half", text, launch);
}
