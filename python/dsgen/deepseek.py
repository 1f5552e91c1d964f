"""DeepSeek-style decoder: MLA attention and MoE FFN (configs ``deepseek_v2_lite``, ``deepseek_v3``).

MLA export form (HF DeepseekV3Attention, eager; the V2 remote code computes the same thing):
  q = q_proj(x)                                   (q_lora_rank None, V2-Lite)
    | q_b_proj(RMSNorm(q_a_proj(x)))              (V3)
  q -> Reshape [b, s, -1, d_nope+d_rope] -> Transpose(0,2,1,3) -> Split [d_nope, d_rope] (axis -1)
  kv_a_proj_with_mqa(x) -> Split [kv_lora_rank, d_rope] -> (c_kv, k_pe)
  kv_b_proj(RMSNorm(c_kv)) -> Reshape [b, s, -1, d_nope+d_v] -> Transpose -> Split [d_nope, d_v]
  k_pe -> Reshape [b, 1, s, d_rope]   (ONE head shared by all heads)
  RoPE on q_pe, k_pe: interleave permutation Reshape [b,h,s,d/2,2] -> Transpose(0,1,2,4,3) ->
    Reshape [b,h,s,d], then x*cos + rotate_half(x)*sin
  k_pe -> Expand [b, n_heads, s, 1]; query = Concat(q_nope, q_pe); key = Concat(k_nope, k_pe)
  attention_core as llama (scale = (d_nope+d_rope)^-0.5, no YaRN mscale), o_proj on n_heads*d_v

MoE export form (dense-equivalent, see moe()).
"""

from __future__ import annotations

import numpy as np
import onnx

from .builder import BOOL, FLOAT, GraphBuilder
from .common import apply_rope, attention_core, build_decoder, linear, rms_norm, swiglu
from .config import ModelConfig


def mla_attention(b: GraphBuilder, cfg: ModelConfig, x: str, mask: str, cos: str, sin: str) -> str:
    dn, dr, dv = cfg.qk_nope_head_dim, cfg.qk_rope_head_dim, cfg.v_head_dim
    bsz, seq = b.dim(x, 0), b.dim(x, 1)

    if cfg.q_lora_rank is None:
        q = linear(b, x, "q_proj")
    else:
        q = linear(b, x, "q_a_proj")
        with b.scope("q_a_layernorm"):
            q = rms_norm(b, q, cfg.rms_norm_eps)
        q = linear(b, q, "q_b_proj")
    q = b.op("Transpose", b.reshape(q, [bsz, seq, -1, dn + dr]), perm=[0, 2, 1, 3])
    q_pass, q_rot = b.split(q, [dn, dr], axis=-1)

    compressed = linear(b, x, "kv_a_proj_with_mqa")
    c_kv, k_rot = b.split(compressed, [cfg.kv_lora_rank, dr], axis=-1)
    with b.scope("kv_a_layernorm"):
        c_kv = rms_norm(b, c_kv, cfg.rms_norm_eps)
    kv = linear(b, c_kv, "kv_b_proj")
    kv = b.op("Transpose", b.reshape(kv, [bsz, seq, -1, dn + dv]), perm=[0, 2, 1, 3])
    k_pass, v = b.split(kv, [dn, dv], axis=-1)
    k_rot = b.reshape(k_rot, [bsz, 1, seq, dr])

    cos4, sin4 = b.unsqueeze(cos, [1]), b.unsqueeze(sin, [1])
    q_rot = apply_rope(b, q_rot, cos4, sin4, dr, cfg.rope_interleave)
    k_rot = apply_rope(b, k_rot, cos4, sin4, dr, cfg.rope_interleave)
    # k_rot.expand(*k_pass.shape[:-1], -1)
    k_rot = b.op("Expand", k_rot,
                 b.shape_vec([b.dim(k_pass, 0), b.dim(k_pass, 1), b.dim(k_pass, 2), 1]))
    query = b.op("Concat", q_pass, q_rot, axis=-1)
    key = b.op("Concat", k_pass, k_rot, axis=-1)

    out = attention_core(b, query, key, v, mask, cfg.softmax_scale)
    out = b.reshape(out, [bsz, seq, -1])
    return linear(b, out, "o_proj")


def router(b: GraphBuilder, cfg: ModelConfig, x: str) -> tuple[str, str]:
    """Gate (scope ``mlp.gate``). Returns (topk_indices [T, k] int64, topk_weights [T, k] fp32).

    softmax/greedy (DeepSeek-V2 MoEGate):
      logits = F.linear(x.float(), W) ; p = softmax(logits) ; w, idx = topk(p, k, sorted=False)
      w = w * routed_scaling_factor            (norm_topk_prob False)
    sigmoid/noaux_tc (DeepseekV3TopkRouter + DeepseekV3MoE.route_tokens_to_experts):
      p = sigmoid(logits) ; c = p + e_score_correction_bias
      group_scores = c.view(-1, n_group, E/n_group).topk(2)[0].sum(-1)
      group_idx = topk(group_scores, topk_group, sorted=False)[1]
      group_mask = zeros_like(group_scores).scatter_(1, group_idx, 1)
      score_mask = group_mask.unsqueeze(-1).expand(-1, n_group, E/n_group).reshape(-1, E)
      c = c.masked_fill(~score_mask.bool(), 0.0) ; idx = topk(c, k, sorted=False)[1]
      w = p.gather(1, idx) ; w /= w.sum(-1, keepdim=True) + 1e-20 ; w *= routed_scaling_factor
    """
    H, E, k = cfg.hidden_size, cfg.n_routed_experts, cfg.num_experts_per_tok
    h = b.op("Cast", b.reshape(x, [-1, H]), to=FLOAT)
    logits = b.op("MatMul", h, b.weight("weight", transpose=True))

    if cfg.scoring_func == "softmax":
        scores = b.op("Softmax", logits, axis=-1)
    elif cfg.scoring_func == "sigmoid":
        scores = b.op("Sigmoid", logits)
    else:
        raise ValueError(cfg.scoring_func)

    if cfg.topk_method == "greedy":
        weights, idx = b.op("TopK", scores, b.i64([k]), axis=-1, largest=1, sorted=0, outputs=2)
    elif cfg.topk_method == "noaux_tc":
        G, gsize = cfg.n_group, E // cfg.n_group
        choice = b.op("Add", scores, b.unsqueeze(b.weight("e_score_correction_bias"), [0]))
        grouped = b.reshape(choice, [-1, G, gsize])
        top2, _ = b.op("TopK", grouped, b.i64([2]), axis=-1, largest=1, sorted=1, outputs=2)
        group_scores = b.reduce("ReduceSum", top2, [-1], keepdims=0)
        _, group_idx = b.op("TopK", group_scores, b.i64([cfg.topk_group]), axis=-1, largest=1,
                            sorted=0, outputs=2)
        zeros = b.op("ConstantOfShape", b.op("Shape", group_scores),
                     value=onnx.numpy_helper.from_array(np.array([0.0], np.float32)))
        ones = b.op("Expand", b.f32(1.0), b.op("Shape", group_idx))
        group_mask = b.op("ScatterElements", zeros, group_idx, ones, axis=1)
        score_mask = b.op("Expand", b.unsqueeze(group_mask, [-1]),
                          b.shape_vec([b.dim(group_mask, 0), G, gsize]))
        score_mask = b.reshape(score_mask, [-1, E])
        drop = b.op("Not", b.op("Cast", score_mask, to=BOOL))
        masked = b.op("Where", drop, b.f32(0.0), choice)
        _, idx = b.op("TopK", masked, b.i64([k]), axis=-1, largest=1, sorted=0, outputs=2)
        weights = b.op("GatherElements", scores, idx, axis=1)
    else:
        raise ValueError(cfg.topk_method)

    if cfg.norm_topk_prob:
        denom = b.op("Add", b.reduce("ReduceSum", weights, [-1], keepdims=1), b.f32(1e-20))
        weights = b.op("Div", weights, denom)
    weights = b.op("Mul", weights, b.f32(cfg.routed_scaling_factor))
    return idx, weights


def moe(b: GraphBuilder, cfg: ModelConfig, x: str) -> str:
    """MoE FFN (scope ``mlp``), dense-equivalent form.

    routing = zeros[T, E].scatter(1, topk_idx, topk_w)          (ConstantOfShape + ScatterElements)
    experts = stack([expert_e(x_flat) for e in range(E)], 1)    (Unsqueeze(1) each + Concat axis 1)
    y = (experts * routing.unsqueeze(-1)).sum(1).view(orig_shape) + shared_experts(x)
    """
    H, E = cfg.hidden_size, cfg.n_routed_experts
    with b.scope("gate"):
        idx, weights = router(b, cfg, x)
    flat = b.reshape(x, [-1, H])
    outs = []
    for e in range(E):
        with b.scope(f"experts.{e}"):
            outs.append(b.unsqueeze(swiglu(b, flat), [1]))
    stacked = b.op("Concat", *outs, axis=1)
    zeros = b.op("ConstantOfShape", b.shape_vec([b.dim(flat, 0), E]),
                 value=onnx.numpy_helper.from_array(np.array([0.0], np.float32)))
    routing = b.op("ScatterElements", zeros, idx, weights, axis=1)
    y = b.op("Mul", stacked, b.unsqueeze(routing, [-1]))
    y = b.reduce("ReduceSum", y, [1], keepdims=0)
    y = b.op("Reshape", y, b.op("Shape", x))
    if cfg.n_shared_experts:
        with b.scope("shared_experts"):
            shared = swiglu(b, x)
        y = b.op("Add", y, shared)
    return y


def deepseek_mlp(b: GraphBuilder, cfg: ModelConfig, layer: int, x: str) -> str:
    return moe(b, cfg, x) if cfg.is_moe_layer(layer) else swiglu(b, x)


def build_deepseek(cfg: ModelConfig, weights: dict, opset: int) -> onnx.ModelProto:
    assert cfg.arch == "deepseek"
    assert cfg.n_routed_experts % cfg.n_group == 0
    assert cfg.num_experts_per_tok <= cfg.topk_group * (cfg.n_routed_experts // cfg.n_group)
    return build_decoder(cfg, weights, opset, mla_attention, deepseek_mlp)
