//===- DsTransformerOps.td - attention, rope, moe --------------*- tablegen -*-===//

#ifndef DS_TRANSFORMER_OPS_TD
#define DS_TRANSFORMER_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

def DS_AttentionOp : DS_InferOp<"attention", [Pure]> {
  let summary = "Scaled dot-product attention (MHA, GQA/MQA, MLA head dims)";
  let description = [{
    Layout is heads-first ("BNSH"):

    - `query`  `[B, Hq, Sq, Dqk]`
    - `key`    `[B, Hkv, Skv, Dqk]`
    - `value`  `[B, Hkv, Skv, Dv]`
    - `output` `[B, Hq, Sq, Dv]`, the element type of `query`.

    `Hq` is a multiple of `Hkv`: query head `h` reads key/value head
    `h / (Hq / Hkv)` (each kv head serves a contiguous group of query heads, as
    `repeat_interleave` over the head axis gives; MQA is `Hkv = 1`). `Dqk` and `Dv`
    may differ (MLA: 192 and 128). For query `i` and key `j`:

    ```
    s[i, j] = scale * dot(query[i], key[j])
    s[i, j] = softcap * tanh(s[i, j] / softcap)        if softcap is set
    s[i, j] = s[i, j] + mask[i, j]                     float mask (additive)
    s[i, j] = -inf unless mask[i, j]                   i1 mask (true = keep)
    s[i, j] = -inf if causal and j > i + (Skv - Sq)
    s[i, j] = -inf if window is set and j < i + (Skv - Sq) - window
    output[i] = sum_j softmax_j(s[i, :]) * value[j]
    ```

    `Skv - Sq` is the past length: with a KV cache of `P` tokens and `Sq` new ones,
    `Skv = P + Sq`, and causal query `i` sees the cache and the new keys up to
    itself (the bottom-right aligned causal mask). A top-left aligned causal mask
    (ONNX Attention with fewer or more new keys than queries) is not an attribute:
    importers pass it as an explicit i1 `mask`. `window` is the left window:
    each query sees itself and at most `window` keys before it (a model's
    "sliding_window" of `W` keys including itself is `window = W - 1`). The
    optional `mask` broadcasts (numpy rules) to `[B, Hq, Sq, Skv]`; a float mask
    may use any float type. Softmax and accumulation are computed in fp32. A query
    whose keys are all masked gives NaN.

    Example (GQA, 8 query heads over 2 kv heads, with a KV cache):
    ```mlir
    %o = ds.attention %q, %k, %v {causal, scale = 1.250000e-01 : f32}
        : (tensor<1x8x4x64xf16>, tensor<1x2x20x64xf16>, tensor<1x2x20x64xf16>)
        -> tensor<1x8x4x64xf16>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$query, DS_FloatTensor:$key,
                       DS_FloatTensor:$value, Optional<DS_Tensor>:$mask,
                       F32Attr:$scale, UnitAttr:$causal,
                       OptionalAttr<I64Attr>:$window,
                       OptionalAttr<F32Attr>:$softcap);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? attr-dict `:` `(` type($query) `,`
    type($key) `,` type($value) (`,` type($mask)^)? `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def DS_RopeOp : DS_InferOp<"rope", [Pure]> {
  let summary = "Rotary position embedding of the first rotary_dim features";
  let description = [{
    `input` is heads-first `[B, H, S, D]` (the layout of `ds.attention`); the
    output has its type. The first `R = rotary_dim` features (default: all `D`,
    `R` even) are rotated; features `[R, D)` pass through.

    The tables `cos` and `sin` have the same type and width `W`, which is either
    `R / 2` (one angle per rotated pair, the ONNX form) or `R` (one value per
    feature, the Hugging Face form `emb = concat(freqs, freqs)`). Their rows are
    found by position:

    - without `position_ids`: `cos` is `[S, W]` or `[B, S, W]` (dims may be 1 and
      broadcast); row `(b, s)` serves token `s` of batch `b` for every head.
    - with `position_ids` (integers, `[B, S]`, dims may be 1): `cos` is a table
      `[P, W]` and token `(b, s)` uses row `position_ids[b, s]`.

    With `c = cos` row and `n = sin` row of a token, and `x` its features:

    ```
    rotate_half, W = R/2:  for i < R/2, pair (x[i], x[i + R/2]):
        y[i]       = x[i] * c[i] - x[i + R/2] * n[i]
        y[i + R/2] = x[i + R/2] * c[i] + x[i] * n[i]
    rotate_half, W = R:  y = x * c + rotate_half(x) * n over the first R features,
        rotate_half(x) = concat(-x[R/2:R], x[0:R/2])
    interleaved, W = R/2:  for i < R/2, pair (x[2i], x[2i+1]):
        y[2i]   = x[2i] * c[i] - x[2i+1] * n[i]
        y[2i+1] = x[2i+1] * c[i] + x[2i] * n[i]
    interleaved, W = R:  the same with c[2i], n[2i] for y[2i] and c[2i+1],
        n[2i+1] for y[2i+1]
    ```

    Example:
    ```mlir
    %y = ds.rope rotate_half %x, %cos, %sin
        : (tensor<1x8x?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<1x8x?x64xf32>
    %z = ds.rope interleaved %x, %cos, %sin positions %pos {rotary_dim = 32 : i64}
        : (tensor<1x8x4x64xf32>, tensor<4096x16xf32>, tensor<4096x16xf32>, tensor<1x4xi64>)
        -> tensor<1x8x4x64xf32>
    ```
  }];
  let arguments = (ins DS_RopeStyle:$style, DS_FloatTensor:$input,
                       DS_FloatTensor:$cos, DS_FloatTensor:$sin,
                       Optional<DS_IndexTensor>:$position_ids,
                       OptionalAttr<I64Attr>:$rotary_dim);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $style $input `,` $cos `,` $sin (`positions` $position_ids^)? attr-dict `:` `(`
    type($input) `,` type($cos) `,` type($sin) (`,` type($position_ids)^)? `)` `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def DS_MoeOp : DS_InferOp<"moe", [Pure, AttrSizedOperandSegments]> {
  let summary = "Mixture-of-experts feed-forward: routing, routed and shared experts";
  let description = [{
    `hidden` is `[T..., H]` (one or more token dims) and `router_logits` is
    `[T..., E]` with the same token dims (the router matmul `x * W_g^T` comes
    before this op). Experts are gated MLPs stacked over `E`, weights in `x * W`
    orientation:

    - `gate(%wg) up(%wu)`: `wg`, `wu` are `[E, H, I]`; or `gate(%wgu)` alone:
      `[E, H, 2I]` holding gate in `[0, I)` and up in `[I, 2I)` of the last dim.
    - `down(%wd)`: `[E, I, H]`.
    - `bias(%b)`: optional correction bias `[E]` (DeepSeek-V3).
    - `shared(%sg, %su, %sd)`: optional shared expert `[H, Is]`, `[H, Is]`,
      `[Is, H]`; several shared experts are one with their intermediate dims
      concatenated.

    The gating function is printed first, then `group_score` and `activation`
    when they differ from `max` and `silu`. Per token (router math in fp32):

    ```
    p = softmax(logits) (gating softmax) or sigmoid(logits) (gating sigmoid)
    c = p + b if the bias is given, else p        # c is used ONLY to choose
    if n_group > 1:                               # group-limited routing
      split the E experts into n_group groups of E / n_group consecutive experts;
      group score = max of c in the group (group_score max) or sum of the two
      largest c in it (group_score top2_sum); keep the topk_group best groups and
      treat c of experts in other groups as -inf
    chosen = the top_k experts by c (ties: lower index first)
    w_e = p_e for e in chosen                     # p, never p + b
    if norm_topk_prob: w_e = w_e / sum(w over chosen)
    w_e = w_e * routed_scaling_factor
    expert_e(x) = (act(x * wg[e]) * (x * wu[e])) * wd[e]
    y = sum over chosen of w_e * expert_e(x) + shared(x)
    ```

    where `shared(x) = (act(x * sg) * (x * su)) * sd` and `act` is `activation`.
    DeepSeek-V2 (softmax, group score max) applies routed_scaling_factor only
    when it does not normalize: express that with factor 1.0 and norm_topk_prob.

    Example (DeepSeek-V3 routing):
    ```mlir
    %y = ds.moe sigmoid group_score top2_sum %x, %logits gate(%wg) up(%wu) down(%wd)
        bias(%b) shared(%sg, %su, %sd)
        {top_k = 8 : i64, n_group = 8 : i64, topk_group = 4 : i64, norm_topk_prob,
         routed_scaling_factor = 2.500000e+00 : f32}
        : (tensor<?x7168xbf16>, tensor<?x256xf32>, tensor<256x7168x2048xbf16>,
           tensor<256x7168x2048xbf16>, tensor<256x2048x7168xbf16>, tensor<256xf32>,
           tensor<7168x2048xbf16>, tensor<7168x2048xbf16>, tensor<2048x7168xbf16>)
        -> tensor<?x7168xbf16>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$hidden, DS_FloatTensor:$router_logits,
                       DS_FloatTensor:$gate_weight, Optional<DS_FloatTensor>:$up_weight,
                       DS_FloatTensor:$down_weight,
                       Optional<DS_FloatTensor>:$correction_bias,
                       Optional<DS_FloatTensor>:$shared_gate,
                       Optional<DS_FloatTensor>:$shared_up,
                       Optional<DS_FloatTensor>:$shared_down,
                       I64Attr:$top_k,
                       DefaultValuedAttr<DS_GatingFn, "GatingFn::softmax">:$gating,
                       DefaultValuedAttr<I64Attr, "1">:$n_group,
                       DefaultValuedAttr<I64Attr, "1">:$topk_group,
                       DefaultValuedAttr<DS_GroupScoreFn, "GroupScoreFn::max">:$group_score,
                       UnitAttr:$norm_topk_prob,
                       DefaultValuedAttr<F32Attr, "1.0f">:$routed_scaling_factor,
                       DefaultValuedAttr<DS_ActivationFn, "ActivationFn::silu">:$activation);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $gating (`group_score` $group_score^)? (`activation` $activation^)?
    $hidden `,` $router_logits `gate` `(` $gate_weight `)` (`up` `(` $up_weight^ `)`)?
    `down` `(` $down_weight `)` (`bias` `(` $correction_bias^ `)`)?
    (`shared` `(` $shared_gate^ `,` $shared_up `,` $shared_down `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DS_TRANSFORMER_OPS_TD
