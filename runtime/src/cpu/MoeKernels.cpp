// cpu backend: mixture-of-experts feed-forward.
//
// Routing runs per token in f32. Then only the chosen experts run: each expert gathers
// the rows of its tokens, runs its gate/up and down products on them as GEMMs, and the
// results are added back into the token rows weighted by the routing weights. The shared
// expert runs on all tokens at once.
#include "cpu/Gemm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ds::rt::cpu {
namespace {

enum Operand { kHidden, kLogits, kGate, kUp, kDown, kBias, kSharedGate, kSharedUp, kSharedDown };

bool present(const KernelContext &ctx, int i) {
  return static_cast<int>(ctx.inputs.size()) > i && ctx.inputs[i].present;
}
bool present(const ShapeContext &ctx, int i) {
  return static_cast<int>(ctx.inputs.size()) > i && ctx.inputs[i].present;
}

struct MoeDims {
  int64_t tokens, hidden, experts, inter, sharedInter = 0;
  bool fusedGateUp;
};

template <class Ctx>
MoeDims moeDims(const Ctx &ctx) {
  const char *names[] = {"hidden", "router_logits", "gate weight", "up weight", "down weight",
                         "correction bias", "shared gate", "shared up", "shared down"};
  for (int i = 0; i < 9; ++i)
    if (present(ctx, i) && !isFloat(ctx.inputs[i].dtype))
      ctx.fail(std::string(names[i]) + " must have a float element type, got " +
               dtypeName(ctx.inputs[i].dtype));
  const Shape &x = ctx.inputs[kHidden].shape, &logits = ctx.inputs[kLogits].shape;
  const Shape &gate = ctx.inputs[kGate].shape, &down = ctx.inputs[kDown].shape;
  if (x.size() < 2)
    ctx.fail("hidden must be [tokens..., hidden], got shape " + shapeToString(x));
  if (logits.size() != x.size() || !std::equal(x.begin(), x.end() - 1, logits.begin()))
    ctx.fail("router_logits of shape " + shapeToString(logits) +
             " must be [tokens..., experts] with the token dims of hidden " + shapeToString(x));
  MoeDims d;
  d.hidden = x.back();
  d.experts = logits.back();
  d.tokens = numElements(Shape(x.begin(), x.end() - 1));
  d.fusedGateUp = !present(ctx, kUp);
  if (gate.size() != 3 || down.size() != 3)
    ctx.fail("gate weight " + shapeToString(gate) + " and down weight " + shapeToString(down) +
             " must be 3-D [experts, ...]");
  d.inter = d.fusedGateUp ? gate[2] / 2 : gate[2];
  if (d.fusedGateUp && gate[2] % 2 != 0)
    ctx.fail("fused gate/up weight has odd last dim " + std::to_string(gate[2]));
  Shape expectGate{d.experts, d.hidden, d.fusedGateUp ? 2 * d.inter : d.inter};
  Shape expectDown{d.experts, d.inter, d.hidden};
  if (gate != expectGate || down != expectDown)
    ctx.fail("gate weight " + shapeToString(gate) + " / down weight " + shapeToString(down) +
             " must be " + shapeToString(expectGate) + " / " + shapeToString(expectDown) +
             " for " + std::to_string(d.experts) + " experts and hidden size " +
             std::to_string(d.hidden));
  if (!d.fusedGateUp && ctx.inputs[kUp].shape != Shape{d.experts, d.hidden, d.inter})
    ctx.fail("up weight of shape " + shapeToString(ctx.inputs[kUp].shape) + " must be " +
             shapeToString({d.experts, d.hidden, d.inter}));
  if (present(ctx, kBias) && ctx.inputs[kBias].shape != Shape{d.experts})
    ctx.fail("correction bias of shape " + shapeToString(ctx.inputs[kBias].shape) +
             " must be [" + std::to_string(d.experts) + "]");
  bool sg = present(ctx, kSharedGate), su = present(ctx, kSharedUp), sd = present(ctx, kSharedDown);
  if (sg != su || sg != sd) ctx.fail("shared expert needs gate, up and down weights together");
  if (sg) {
    const Shape &g = ctx.inputs[kSharedGate].shape, &u = ctx.inputs[kSharedUp].shape,
                &dn = ctx.inputs[kSharedDown].shape;
    d.sharedInter = g.size() == 2 ? g[1] : -1;
    if (g.size() != 2 || g[0] != d.hidden || u != g || dn != Shape{g[1], d.hidden})
      ctx.fail("shared expert weights " + shapeToString(g) + ", " + shapeToString(u) + ", " +
               shapeToString(dn) + " must be [hidden, inter], [hidden, inter], [inter, hidden] "
               "with hidden " + std::to_string(d.hidden));
  }
  int64_t topK = attrInt(ctx.step, "top_k");
  int64_t nGroup = attrInt(ctx.step, "n_group", 1), topkGroup = attrInt(ctx.step, "topk_group", 1);
  if (topK < 1 || topK > d.experts)
    ctx.fail("top_k " + std::to_string(topK) + " must be in [1, num_experts " +
             std::to_string(d.experts) + "]");
  if (nGroup < 1 || d.experts % nGroup != 0)
    ctx.fail("n_group " + std::to_string(nGroup) + " must be positive and divide num_experts " +
             std::to_string(d.experts));
  if (topkGroup < 1 || topkGroup > nGroup)
    ctx.fail("topk_group " + std::to_string(topkGroup) + " must be in [1, n_group " +
             std::to_string(nGroup) + "]");
  if (topK > topkGroup * (d.experts / nGroup))
    ctx.fail("top_k " + std::to_string(topK) + " exceeds the experts of the kept groups");
  std::string gating = attrString(ctx.step, "gating", "softmax");
  if (gating != "softmax" && gating != "sigmoid")
    ctx.fail("gating must be 'softmax' or 'sigmoid', got '" + gating + "'");
  std::string groupScore = attrString(ctx.step, "group_score", "max");
  if (groupScore != "max" && groupScore != "top2_sum")
    ctx.fail("group_score must be 'max' or 'top2_sum', got '" + groupScore + "'");
  if (groupScore == "top2_sum" && nGroup > 1 && d.experts / nGroup < 2)
    ctx.fail("group score top2_sum needs at least 2 experts per group");
  std::string act = attrString(ctx.step, "activation", "silu");
  if (act != "silu" && act != "gelu" && act != "gelu_tanh" && act != "relu")
    ctx.fail("activation must be silu, gelu, gelu_tanh or relu, got '" + act + "'");
  return d;
}

void moeShape(ShapeContext &ctx) {
  moeDims(ctx);
  ctx.outputShapes = {ctx.inputs[kHidden].shape};
}

enum class Act { Silu, Gelu, GeluTanh, Relu };

inline float activate(Act act, float g) {
  switch (act) {
  case Act::Silu: return g / (1.f + std::exp(-g));
  case Act::Gelu: return 0.5f * g * (1.f + std::erf(g * 0.70710678118654752f));
  case Act::GeluTanh:
    return 0.5f * g * (1.f + std::tanh(0.7978845608028654f * (g + 0.044715f * g * g * g)));
  case Act::Relu: return g > 0.f ? g : 0.f;
  }
  return g;
}

struct Routing {
  int64_t topK, nGroup, topkGroup;
  bool sigmoid, top2Sum, normalize;
  float scaling;
};

// The chosen experts and weights of one token (logits row `l`, bias `b` or null).
void routeToken(const Routing &r, int64_t experts, const float *l, const float *b,
                std::vector<float> &p, std::vector<float> &c, std::vector<int64_t> &order,
                int64_t *chosen, float *weights) {
  if (r.sigmoid) {
    for (int64_t e = 0; e < experts; ++e) p[e] = 1.f / (1.f + std::exp(-l[e]));
  } else {
    float mx = *std::max_element(l, l + experts);
    float sum = 0;
    for (int64_t e = 0; e < experts; ++e) sum += p[e] = std::exp(l[e] - mx);
    for (int64_t e = 0; e < experts; ++e) p[e] /= sum;
  }
  for (int64_t e = 0; e < experts; ++e) c[e] = b ? p[e] + b[e] : p[e];
  if (r.nGroup > 1) {
    int64_t per = experts / r.nGroup;
    std::vector<float> groupScore(r.nGroup);
    for (int64_t g = 0; g < r.nGroup; ++g) {
      const float *cg = c.data() + g * per;
      if (r.top2Sum) {
        float first = -INFINITY, second = -INFINITY;
        for (int64_t i = 0; i < per; ++i) {
          if (cg[i] > first) {
            second = first;
            first = cg[i];
          } else if (cg[i] > second) {
            second = cg[i];
          }
        }
        groupScore[g] = first + second;
      } else {
        groupScore[g] = *std::max_element(cg, cg + per);
      }
    }
    std::vector<int64_t> groups(r.nGroup);
    std::iota(groups.begin(), groups.end(), 0);
    std::stable_sort(groups.begin(), groups.end(), [&](int64_t a, int64_t bb) {
      return groupScore[a] > groupScore[bb];
    });
    for (int64_t i = r.topkGroup; i < r.nGroup; ++i)
      std::fill(c.begin() + groups[i] * per, c.begin() + (groups[i] + 1) * per, -INFINITY);
  }
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + r.topK, order.end(),
                    [&](int64_t a, int64_t bb) { return c[a] > c[bb] || (c[a] == c[bb] && a < bb); });
  float sum = 0;
  for (int64_t i = 0; i < r.topK; ++i) {
    chosen[i] = order[i];
    weights[i] = p[order[i]];
    sum += weights[i];
  }
  for (int64_t i = 0; i < r.topK; ++i) {
    if (r.normalize) weights[i] /= sum;
    weights[i] *= r.scaling;
  }
}

// rows x hidden (f32) through a gated MLP: gate/up [H, I] views (row stride ldgu), down
// [I, H]. Result rows x H into `y`.
void gatedMlp(int64_t rows, int64_t hidden, int64_t inter, const float *x, const MatView &gate,
              const MatView &up, const MatView &down, Act act, std::vector<float> &g,
              std::vector<float> &u, float *y, ThreadPool &pool) {
  GemmOptions options;
  options.pool = &pool;
  g.resize(static_cast<size_t>(rows * inter));
  u.resize(static_cast<size_t>(rows * inter));
  MatView xv = MatView::rowMajor(x, DType::F32, hidden);
  gemmF32(rows, inter, hidden, xv, gate, g.data(), inter, options);
  gemmF32(rows, inter, hidden, xv, up, u.data(), inter, options);
  for (int64_t i = 0; i < rows * inter; ++i) g[i] = activate(act, g[i]) * u[i];
  gemmF32(rows, hidden, inter, MatView::rowMajor(g.data(), DType::F32, inter), down, y, hidden,
          options);
}

void moeRun(KernelContext &ctx) {
  MoeDims d = moeDims(ctx);
  const TensorView &out = ctx.outputs[0];
  if (out.numel() == 0) return;
  const TensorView &xt = ctx.inputs[kHidden];
  Routing r;
  r.topK = attrInt(ctx.step, "top_k");
  r.nGroup = attrInt(ctx.step, "n_group", 1);
  r.topkGroup = attrInt(ctx.step, "topk_group", 1);
  r.sigmoid = attrString(ctx.step, "gating", "softmax") == "sigmoid";
  r.top2Sum = attrString(ctx.step, "group_score", "max") == "top2_sum";
  r.normalize = attrBool(ctx.step, "norm_topk_prob");
  r.scaling = static_cast<float>(attrFloat(ctx.step, "routed_scaling_factor", 1.0));
  std::string actName = attrString(ctx.step, "activation", "silu");
  Act act = actName == "silu" ? Act::Silu
            : actName == "gelu" ? Act::Gelu
            : actName == "gelu_tanh" ? Act::GeluTanh
                                     : Act::Relu;
  const int64_t T = d.tokens, H = d.hidden, E = d.experts, I = d.inter;

  // Hidden rows and routing inputs in f32.
  std::vector<float> x(static_cast<size_t>(T * H)), logits(static_cast<size_t>(T * E)), bias;
  loadRowF32(xt.data, xt.dtype, 0, T * H, x.data());
  loadRowF32(ctx.inputs[kLogits].data, ctx.inputs[kLogits].dtype, 0, T * E, logits.data());
  if (present(ctx, kBias)) {
    bias.resize(E);
    loadRowF32(ctx.inputs[kBias].data, ctx.inputs[kBias].dtype, 0, E, bias.data());
  }

  // Route every token (parallel: independent rows).
  std::vector<int64_t> chosen(static_cast<size_t>(T * r.topK));
  std::vector<float> weights(static_cast<size_t>(T * r.topK));
  ctx.pool.parallelFor(T, 16, [&](int64_t begin, int64_t end) {
    std::vector<float> p(E), c(E);
    std::vector<int64_t> order(E);
    for (int64_t t = begin; t < end; ++t)
      routeToken(r, E, logits.data() + t * E, bias.empty() ? nullptr : bias.data(), p, c, order,
                 chosen.data() + t * r.topK, weights.data() + t * r.topK);
  });

  // Tokens per expert, in token order (deterministic sums).
  std::vector<std::vector<std::pair<int64_t, float>>> assigned(E);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < r.topK; ++i)
      assigned[chosen[t * r.topK + i]].push_back({t, weights[t * r.topK + i]});

  std::vector<float> y(static_cast<size_t>(T * H), 0.f);
  std::vector<float> gathered, expertOut, g, u;
  const TensorView &wg = ctx.inputs[kGate], &wd = ctx.inputs[kDown];
  int64_t gateCols = d.fusedGateUp ? 2 * I : I;
  for (int64_t e = 0; e < E; ++e) {
    const auto &list = assigned[e];
    if (list.empty()) continue;
    int64_t rows = static_cast<int64_t>(list.size());
    gathered.resize(static_cast<size_t>(rows * H));
    for (int64_t i = 0; i < rows; ++i)
      std::copy(x.begin() + list[i].first * H, x.begin() + (list[i].first + 1) * H,
                gathered.begin() + i * H);
    MatView gate = MatView::rowMajor(wg.data, wg.dtype, gateCols).offset(e * H * gateCols);
    MatView up = d.fusedGateUp
                     ? gate.offset(I)
                     : MatView::rowMajor(ctx.inputs[kUp].data, ctx.inputs[kUp].dtype, I)
                           .offset(e * H * I);
    MatView down = MatView::rowMajor(wd.data, wd.dtype, H).offset(e * I * H);
    expertOut.resize(static_cast<size_t>(rows * H));
    gatedMlp(rows, H, I, gathered.data(), gate, up, down, act, g, u, expertOut.data(), ctx.pool);
    for (int64_t i = 0; i < rows; ++i) {
      float w = list[i].second;
      float *dst = y.data() + list[i].first * H;
      const float *src = expertOut.data() + i * H;
      for (int64_t j = 0; j < H; ++j) dst[j] += w * src[j];
    }
  }

  if (present(ctx, kSharedGate)) {
    const TensorView &sg = ctx.inputs[kSharedGate], &su = ctx.inputs[kSharedUp],
                     &sd = ctx.inputs[kSharedDown];
    int64_t Is = d.sharedInter;
    expertOut.resize(static_cast<size_t>(T * H));
    gatedMlp(T, H, Is, x.data(), MatView::rowMajor(sg.data, sg.dtype, Is),
             MatView::rowMajor(su.data, su.dtype, Is), MatView::rowMajor(sd.data, sd.dtype, H), act,
             g, u, expertOut.data(), ctx.pool);
    for (int64_t i = 0; i < T * H; ++i) y[i] += expertOut[i];
  }
  storeRowF32(out.data, out.dtype, 0, T * H, y.data());
}

}  // namespace

void registerCpuMoeKernels(KernelRegistry &registry) {
  registry.add("moe", {moeShape, moeRun});
}

}  // namespace ds::rt::cpu
