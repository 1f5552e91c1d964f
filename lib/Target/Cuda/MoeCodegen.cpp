//===- MoeCodegen.cpp - CUDA kernels of moe steps -------------------------===//
//
// A `moe` step (docs/bundle.md; semantics runtime/src/cpu/MoeKernels.cpp) becomes one
// kernel over runtime/kernels/moe.cuh: blocks own tokens (grid = tokens, grid-stride),
// route in the block and run only the chosen experts' gated MLPs plus the shared expert.
// The generator fixes everything static: operand dtypes (as moe.cuh dtype tags), E, H,
// I, the shared intermediate size, the attrs, the vector width of each product (16-byte
// loads where row lengths and column offsets allow), the thread layout of each GEMV and
// the dynamic shared memory layout (the intermediate dim is chunked so any size fits).
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::StringRef;

namespace {

enum Operand { kHidden, kLogits, kGate, kUp, kDown, kBias, kSharedGate, kSharedUp, kSharedDown };
const char *const kNames[] = {"hidden",          "router_logits", "gate weight",
                              "up weight",       "down weight",   "correction bias",
                              "shared gate",     "shared up",     "shared down"};

/// Dynamic shared memory the kernel may use by default (beyond it only when the token
/// buffers need it): a few blocks per SM stay resident.
constexpr int64_t kSharedTarget = 96 * 1024;
/// The opt-in maximum of sm_80 / sm_90 (227 KiB).
constexpr int64_t kSharedMax = 227 * 1024;
/// The largest intermediate chunk (floats of h kept in shared memory).
constexpr int64_t kMaxChunk = 4096;

/// The moe.cuh dtype tag of a float storage dtype, or empty.
StringRef dtypeTag(StringRef dtype) {
  return llvm::StringSwitch<StringRef>(dtype)
      .Case("f32", "ds::moe::F32")
      .Case("f64", "ds::moe::F64")
      .Case("f16", "ds::moe::F16")
      .Case("bf16", "ds::moe::BF16")
      .Case("f8E4M3FN", "ds::moe::F8E4M3FN")
      .Case("f8E5M2", "ds::moe::F8E5M2")
      .Default("");
}

/// Elements per 16-byte load (at most 8: the accumulators per thread).
int64_t vectorWidth(StringRef dtype) {
  const DTypeInfo *t = lookupDType(dtype);
  return std::min<int64_t>(8, 16 / storageBytes(*t));
}

int64_t nextPow2(int64_t v) {
  int64_t p = 1;
  while (p < v)
    p *= 2;
  return p;
}

/// Column threads of a GEMV over `cols` columns, V per thread, in a block of `nt`.
int64_t columnThreads(int64_t cols, int64_t v, int64_t nt) {
  return std::min(nt, nextPow2(std::max<int64_t>(1, (cols + v - 1) / v)));
}

std::string shapeOf(const OperandInfo &op) { return shapeText(op.shape); }

} // namespace

llvm::Expected<GeneratedKernel>
mlir::ds::cuda::generateMoeKernel(const StepInfo &step) {
  if (step.inputs.size() != 9 || step.outputs.size() != 1)
    return fail("a moe step takes 9 inputs (absent ones as -1) and 1 output, got " +
                llvm::Twine(step.inputs.size()) + " and " + llvm::Twine(step.outputs.size()));
  auto has = [&](int i) { return step.inputs[i].present; };
  for (int i : {kHidden, kLogits, kGate, kDown})
    if (!has(i))
      return fail(llvm::Twine("the ") + kNames[i] + " operand is required");
  bool sg = has(kSharedGate), su = has(kSharedUp), sd = has(kSharedDown);
  if (sg != su || sg != sd)
    return fail("shared expert needs gate, up and down weights together");
  const bool shared = sg, fused = !has(kUp), bias = has(kBias);
  for (int i = 0; i < 9; ++i)
    if (has(i) && dtypeTag(step.inputs[i].dtype).empty())
      return fail(llvm::Twine(kNames[i]) + " must have a float element type, got " +
                  step.inputs[i].dtype);
  const OperandInfo &out = step.outputs[0];
  if (dtypeTag(out.dtype).empty())
    return fail("the output must have a float element type, got " + out.dtype);

  // Sizes come from the weights, which must be static (E, H, I are baked in).
  const OperandInfo &x = step.inputs[kHidden], &logits = step.inputs[kLogits];
  const OperandInfo &gate = step.inputs[kGate], &down = step.inputs[kDown];
  for (int i = 2; i < 9; ++i)
    if (has(i) && !isStatic(step.inputs[i].shape))
      return beyondLimits(llvm::Twine("the moe kernel needs static weight shapes; ") +
                          kNames[i] + " is " + shapeOf(step.inputs[i]));
  if (gate.shape.size() != 3 || down.shape.size() != 3)
    return fail("gate weight " + shapeOf(gate) + " and down weight " + shapeOf(down) +
                " must be 3-D [experts, ...]");
  const int64_t E = gate.shape[0], H = gate.shape[1];
  if (fused && gate.shape[2] % 2 != 0)
    return fail("fused gate/up weight has odd last dim " + llvm::Twine(gate.shape[2]));
  const int64_t I = fused ? gate.shape[2] / 2 : gate.shape[2];
  if (down.shape != llvm::ArrayRef<int64_t>{E, I, H})
    return fail("down weight " + shapeOf(down) + " must be " + shapeText({E, I, H}) +
                " for gate weight " + shapeOf(gate));
  if (!fused && step.inputs[kUp].shape != llvm::ArrayRef<int64_t>{E, H, I})
    return fail("up weight " + shapeOf(step.inputs[kUp]) + " must be " + shapeText({E, H, I}));
  const size_t rank = x.shape.size();
  if (rank < 2 || logits.shape.size() != rank || out.shape.size() != rank)
    return fail("hidden " + shapeOf(x) + ", router_logits " + shapeOf(logits) +
                " and output " + shapeOf(out) + " must be [tokens..., hidden / experts]");
  auto fits = [](int64_t d, int64_t want) { return d < 0 || d == want; };
  if (!fits(x.shape.back(), H) || !fits(logits.shape.back(), E) || !fits(out.shape.back(), H))
    return fail("hidden " + shapeOf(x) + ", router_logits " + shapeOf(logits) +
                " and output " + shapeOf(out) + " do not match " + llvm::Twine(E) +
                " experts of hidden size " + llvm::Twine(H));
  if (bias && step.inputs[kBias].shape != llvm::ArrayRef<int64_t>{E})
    return fail("correction bias " + shapeOf(step.inputs[kBias]) + " must be [" +
                llvm::Twine(E) + "]");
  int64_t IS = 0;
  if (shared) {
    const OperandInfo &g = step.inputs[kSharedGate], &u = step.inputs[kSharedUp],
                      &dn = step.inputs[kSharedDown];
    IS = g.shape.size() == 2 ? g.shape[1] : -1;
    if (g.shape.size() != 2 || g.shape[0] != H || u.shape != g.shape ||
        dn.shape != llvm::ArrayRef<int64_t>{IS, H})
      return fail("shared expert weights " + shapeOf(g) + ", " + shapeOf(u) + ", " +
                  shapeOf(dn) + " must be [hidden, inter], [hidden, inter], [inter, hidden] "
                  "with hidden " + llvm::Twine(H));
  }

  // Attributes, checked as the cpu checks them.
  std::optional<int64_t> topK = step.attrs.getInteger("top_k");
  if (!topK)
    return fail("attribute 'top_k' is missing");
  const int64_t nGroup = step.attrs.getInteger("n_group").value_or(1);
  const int64_t topkGroup = step.attrs.getInteger("topk_group").value_or(1);
  const StringRef gating = step.attrs.getString("gating").value_or("softmax");
  const StringRef groupScore = step.attrs.getString("group_score").value_or("max");
  const StringRef activation = step.attrs.getString("activation").value_or("silu");
  const bool normalize = step.attrs.getBoolean("norm_topk_prob").value_or(false);
  double scaling = 1.0;
  if (const json::Value *v = step.attrs.get("routed_scaling_factor")) {
    std::optional<double> d = jsonFloat(*v);
    if (!d)
      return fail("attribute 'routed_scaling_factor' is not a number");
    scaling = *d;
  }
  if (*topK < 1 || *topK > E)
    return fail("top_k " + llvm::Twine(*topK) + " must be in [1, num_experts " +
                llvm::Twine(E) + "]");
  if (nGroup < 1 || E % nGroup != 0)
    return fail("n_group " + llvm::Twine(nGroup) + " must be positive and divide num_experts " +
                llvm::Twine(E));
  if (topkGroup < 1 || topkGroup > nGroup)
    return fail("topk_group " + llvm::Twine(topkGroup) + " must be in [1, n_group " +
                llvm::Twine(nGroup) + "]");
  if (*topK > topkGroup * (E / nGroup))
    return fail("top_k " + llvm::Twine(*topK) + " exceeds the experts of the kept groups");
  if (gating != "softmax" && gating != "sigmoid")
    return fail("gating must be 'softmax' or 'sigmoid', got '" + gating + "'");
  if (groupScore != "max" && groupScore != "top2_sum")
    return fail("group_score must be 'max' or 'top2_sum', got '" + groupScore + "'");
  if (groupScore == "top2_sum" && nGroup > 1 && E / nGroup < 2)
    return fail("group score top2_sum needs at least 2 experts per group");
  int act = llvm::StringSwitch<int>(activation)
                .Case("silu", 0)
                .Case("gelu", 1)
                .Case("gelu_tanh", 2)
                .Case("relu", 3)
                .Default(-1);
  if (act < 0)
    return fail("activation must be silu, gelu, gelu_tanh or relu, got '" + activation + "'");

  OperandDims dims(step);
  if (llvm::Error e = dims.checkLimits())
    return std::move(e);

  // Vector widths: a product loads V columns per row as one access when every row length
  // and column offset it touches is a multiple of V (pointers are checked at run time).
  auto width = [](std::initializer_list<StringRef> dtypes,
                  std::initializer_list<int64_t> multiplesOf) {
    int64_t v = 8;
    for (StringRef d : dtypes)
      v = std::min(v, vectorWidth(d));
    for (int64_t m : multiplesOf)
      if (m % v != 0)
        return int64_t(1);
    return v;
  };
  StringRef upType = fused ? gate.dtype : step.inputs[kUp].dtype;
  const int64_t VA = width({gate.dtype, upType}, {fused ? 2 * I : I, I});
  const int64_t VB = width({down.dtype}, {H});
  const int64_t VSA = shared ? width({step.inputs[kSharedGate].dtype,
                                      step.inputs[kSharedUp].dtype}, {IS})
                             : 1;
  const int64_t VSB = shared ? width({step.inputs[kSharedDown].dtype}, {H}) : 1;

  // Threads: 256 when a product has that many column groups, else 128.
  const int64_t colGroups = std::max({(I + VA - 1) / VA, (H + VB - 1) / VB,
                                      (IS + VSA - 1) / VSA, (H + VSB - 1) / VSB});
  const int64_t NT = colGroups >= 256 ? 256 : 128;

  // Shared memory (floats): x[H], y[H], h[IC], red[...], p[E], c[E], group scores,
  // weights[top_k], experts[top_k], scratch[32]. IC (a multiple of 8, so of every V) is
  // the largest chunk of the intermediate dim that fits.
  const int64_t imax = std::max(I, IS);
  auto redFloats = [&](int64_t ic) {
    int64_t r = 0;
    auto gemv = [&](int64_t cols, int64_t v, int64_t perColumn) {
      int64_t ct = columnThreads(cols, v, NT);
      if (ct < NT)
        r = std::max(r, perColumn * NT * v);
    };
    gemv(std::min(I, ic), VA, 2);
    gemv(H, VB, 1);
    if (shared) {
      gemv(std::min(IS, ic), VSA, 2);
      gemv(H, VSB, 1);
    }
    return r;
  };
  const int64_t fixedFloats = 2 * H + 2 * E + nGroup + 2 * *topK + 32;
  auto bytesFor = [&](int64_t ic) { return 4 * (fixedFloats + ic + redFloats(ic)); };
  int64_t ic = std::min(imax, kMaxChunk);
  for (int64_t limit : {kSharedTarget, kSharedMax}) {
    while (ic > 8 && bytesFor(ic) > limit)
      ic = std::max<int64_t>(8, (ic / 2) / 8 * 8);
    if (bytesFor(ic) <= limit)
      break;
  }
  if (bytesFor(ic) > kSharedMax)
    return beyondLimits("the moe kernel needs " + llvm::Twine(bytesFor(ic)) +
                        " bytes of shared memory for hidden size " + llvm::Twine(H) + ", " +
                        llvm::Twine(E) + " experts and top_k " + llvm::Twine(*topK) +
                        "; a block has at most " + llvm::Twine(kSharedMax));
  int64_t off = 0;
  auto take = [&](int64_t n) {
    int64_t at = off;
    off += n;
    return at;
  };
  const int64_t offX = take(H), offY = take(H), offH = take(ic), offRed = take(redFloats(ic));
  const int64_t offP = take(E), offC = take(E), offG = take(nGroup), offW = take(*topK);
  const int64_t offE = take(*topK), offScratch = take(32);

  auto tag = [&](int i) -> StringRef {
    return has(i) ? dtypeTag(step.inputs[i].dtype) : StringRef("ds::moe::F32");
  };
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// moe: " << E << " experts, hidden " << H << ", intermediate " << I
     << (fused ? " (fused gate/up)" : "") << ", top_k " << *topK << ", " << gating;
  if (nGroup > 1)
    os << ", " << nGroup << " groups keep " << topkGroup << " by " << groupScore;
  if (bias)
    os << ", correction bias";
  if (shared)
    os << ", shared expert " << IS;
  os << "\n#include \"ds_device.cuh\"\n#include \"moe.cuh\"\n\n";
  os << "struct @KERNEL@_cfg {\n";
  os << "  using TX = " << tag(kHidden) << ";\n  using TL = " << tag(kLogits)
     << ";\n  using TG = " << tag(kGate) << ";\n  using TU = " << (fused ? tag(kGate) : tag(kUp))
     << ";\n  using TD = " << tag(kDown) << ";\n  using TB = " << tag(kBias)
     << ";\n  using TSG = " << tag(kSharedGate) << ";\n  using TSU = " << tag(kSharedUp)
     << ";\n  using TSD = " << tag(kSharedDown) << ";\n  using TY = " << dtypeTag(out.dtype)
     << ";\n";
  os << llvm::formatv("  static constexpr int NT = {0};\n"
                      "  static constexpr int64_t E = {1}, H = {2}, I = {3}, IS = {4}, IC = {5};\n"
                      "  static constexpr int64_t TOP_K = {6}, N_GROUP = {7}, TOPK_GROUP = {8};\n",
                      NT, E, H, I, IS, ic, *topK, nGroup, topkGroup);
  os << "  static constexpr bool SIGMOID = " << (gating == "sigmoid" ? "true" : "false")
     << ", TOP2_SUM = " << (groupScore == "top2_sum" ? "true" : "false")
     << ", NORMALIZE = " << (normalize ? "true" : "false")
     << ", HAS_BIAS = " << (bias ? "true" : "false") << ", FUSED = " << (fused ? "true" : "false")
     << ", SHARED = " << (shared ? "true" : "false") << ";\n";
  os << "  static constexpr int ACT = " << act << ";  // " << activation << "\n";
  os << "  static constexpr float SCALING = " << floatLiteral(scaling, Cls::F32) << ";\n";
  os << "  // Vector widths and column threads of the products (gate/up, down; shared).\n";
  os << llvm::formatv("  static constexpr int VA = {0}, VB = {1}, VSA = {2}, VSB = {3};\n", VA,
                      VB, VSA, VSB);
  os << llvm::formatv("  static constexpr int CTA = {0}, CTB = {1}, CTSA = {2}, CTSB = {3};\n",
                      columnThreads(std::min(I, ic), VA, NT), columnThreads(H, VB, NT),
                      shared ? columnThreads(std::min(IS, ic), VSA, NT) : NT,
                      shared ? columnThreads(H, VSB, NT) : NT);
  os << "  static constexpr bool ANY_VEC = " << (VA * VB * VSA * VSB > 1 ? "true" : "false")
     << ";\n";
  os << "  // Dynamic shared memory, in floats (" << 4 * off << " bytes).\n";
  os << llvm::formatv("  static constexpr int64_t OFF_X = {0}, OFF_Y = {1}, OFF_H = {2}, "
                      "OFF_RED = {3}, OFF_P = {4}, OFF_C = {5}, OFF_G = {6}, OFF_W = {7}, "
                      "OFF_E = {8}, OFF_SCRATCH = {9};\n",
                      offX, offY, offH, offRed, offP, offC, offG, offW, offE, offScratch);
  os << "};\n\n";
  // No __launch_bounds__: with it ptxas caps the registers at 64 and spills (sm_80, sm_90a).
  os << "DS_KERNEL(@KERNEL@) {\n";
  os << "  const int64_t tokens = " << dims.product(kHidden, 0, rank - 1) << ";\n";
  os << "  ds::moe::kernel<@KERNEL@_cfg>(params, tokens);\n";
  os << "}\n";

  LaunchConfig launch;
  launch.block = {NT, 1, 1};
  launch.sharedBytes = 4 * off;
  launch.perBlock = 1;
  launch.of = "rows";
  launch.operand = kHidden;
  launch.axis = static_cast<int64_t>(rank - 1);
  return finishKernel("moe", text, launch);
}
