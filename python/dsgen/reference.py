"""Numpy reference forward pass (fp32) for every config, written directly from the math.

It takes the same weights as the ONNX builder (``make_weights(cfg)``, HF orientation [out, in]) and
is deliberately NOT a transcription of the ONNX graph: experts are only run on the tokens routed to
them, k_pe is broadcast by numpy, the mask is built with index comparisons, and so on.
"""

from __future__ import annotations

import numpy as np

from .config import ModelConfig

F32 = np.float32
FLOAT_MIN = np.finfo(np.float32).min


def rms_norm(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    x = x.astype(F32)
    var = np.mean(x * x, axis=-1, keepdims=True)
    return (w * (x / np.sqrt(var + F32(eps)))).astype(F32)


def linear(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (x @ w.T).astype(F32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (F32(1.0) / (F32(1.0) + np.exp(-x))).astype(F32)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(F32)


def swiglu(x: np.ndarray, W: dict, prefix: str) -> np.ndarray:
    g = linear(x, W[prefix + ".gate_proj.weight"])
    u = linear(x, W[prefix + ".up_proj.weight"])
    return linear(g * sigmoid(g) * u, W[prefix + ".down_proj.weight"])


def additive_mask(attention_mask: np.ndarray) -> np.ndarray:
    """[B, 1, S, S]: finfo.min where key j > query i or key j is padding, else 0."""
    B, S = attention_mask.shape
    i = np.arange(S)[:, None]
    j = np.arange(S)[None, :]
    blocked = (j > i)[None, None] | (attention_mask[:, None, None, :] == 0)
    return np.where(blocked, FLOAT_MIN, F32(0.0)).astype(F32)


def rope_tables(inv_freq: np.ndarray, seq: int) -> tuple[np.ndarray, np.ndarray]:
    freqs = np.arange(seq, dtype=F32)[:, None] * inv_freq[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    return np.cos(emb).astype(F32), np.sin(emb).astype(F32)  # [S, d]


def rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray, interleave: bool) -> np.ndarray:
    """x [B, h, S, d]; rotate-half RoPE, optionally after the DeepSeek interleave permutation."""
    d = x.shape[-1]
    if interleave:
        # pairs (x[2i], x[2i+1]) -> halves: new[i] = x[2i], new[d/2 + i] = x[2i + 1]
        x = np.concatenate([x[..., 0::2], x[..., 1::2]], axis=-1)
    rot = np.concatenate([-x[..., d // 2:], x[..., : d // 2]], axis=-1)
    return (x * cos + rot * sin).astype(F32)


def attend(q, k, v, mask, scale):
    """q [B,h,S,dq], k [B,h,S,dq], v [B,h,S,dv] -> [B, S, h*dv]."""
    scores = np.einsum("bhqd,bhkd->bhqk", q, k).astype(F32) * F32(scale) + mask
    out = np.einsum("bhqk,bhkd->bhqd", softmax(scores), v).astype(F32)
    B, h, S, dv = out.shape
    return out.transpose(0, 2, 1, 3).reshape(B, S, h * dv)


def gqa_attention(cfg: ModelConfig, W: dict, p: str, x, mask, cos, sin):
    B, S, _ = x.shape
    d, nq, nkv = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
    q = linear(x, W[p + ".q_proj.weight"]).reshape(B, S, nq, d).transpose(0, 2, 1, 3)
    k = linear(x, W[p + ".k_proj.weight"]).reshape(B, S, nkv, d).transpose(0, 2, 1, 3)
    v = linear(x, W[p + ".v_proj.weight"]).reshape(B, S, nkv, d).transpose(0, 2, 1, 3)
    q, k = rope(q, cos, sin, False), rope(k, cos, sin, False)
    group = nq // nkv
    k = np.repeat(k, group, axis=1)  # query head i uses kv head i // group
    v = np.repeat(v, group, axis=1)
    return linear(attend(q, k, v, mask, cfg.softmax_scale), W[p + ".o_proj.weight"])


def mla_attention(cfg: ModelConfig, W: dict, p: str, x, mask, cos, sin):
    B, S, _ = x.shape
    nh, dn, dr, dv = cfg.num_attention_heads, cfg.qk_nope_head_dim, cfg.qk_rope_head_dim, cfg.v_head_dim
    eps = cfg.rms_norm_eps
    if cfg.q_lora_rank is None:
        q = linear(x, W[p + ".q_proj.weight"])
    else:
        c_q = rms_norm(linear(x, W[p + ".q_a_proj.weight"]), W[p + ".q_a_layernorm.weight"], eps)
        q = linear(c_q, W[p + ".q_b_proj.weight"])
    q = q.reshape(B, S, nh, dn + dr).transpose(0, 2, 1, 3)
    q_nope, q_pe = q[..., :dn], q[..., dn:]

    kva = linear(x, W[p + ".kv_a_proj_with_mqa.weight"])
    c_kv, k_pe = kva[..., : cfg.kv_lora_rank], kva[..., cfg.kv_lora_rank:]
    c_kv = rms_norm(c_kv, W[p + ".kv_a_layernorm.weight"], eps)
    kv = linear(c_kv, W[p + ".kv_b_proj.weight"]).reshape(B, S, nh, dn + dv).transpose(0, 2, 1, 3)
    k_nope, v = kv[..., :dn], kv[..., dn:]

    q_pe = rope(q_pe, cos, sin, cfg.rope_interleave)
    k_pe = rope(k_pe[:, None], cos, sin, cfg.rope_interleave)  # one head [B, 1, S, dr]
    query = np.concatenate([q_nope, q_pe], axis=-1)
    key = np.concatenate([k_nope, np.broadcast_to(k_pe, (B, nh, S, dr))], axis=-1)
    return linear(attend(query, key, v, mask, cfg.softmax_scale), W[p + ".o_proj.weight"])


def route(cfg: ModelConfig, W: dict, p: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x [T, H] -> (expert indices [T, k], weights [T, k])."""
    E, k = cfg.n_routed_experts, cfg.num_experts_per_tok
    logits = linear(x, W[p + ".gate.weight"])
    T = x.shape[0]
    rows = np.arange(T)[:, None]
    if cfg.scoring_func == "softmax":
        scores = softmax(logits)
    else:
        scores = sigmoid(logits)
    if cfg.topk_method == "greedy":
        idx = np.argsort(-scores, axis=-1, kind="stable")[:, :k]
    else:
        choice = (scores + W[p + ".gate.e_score_correction_bias"][None]).astype(F32)
        G = cfg.n_group
        per_group = choice.reshape(T, G, E // G)
        group_scores = np.sort(per_group, axis=-1)[..., -2:].sum(axis=-1)
        top_groups = np.argsort(-group_scores, axis=-1, kind="stable")[:, : cfg.topk_group]
        allowed = np.zeros((T, G), dtype=bool)
        allowed[rows, top_groups] = True
        allowed = np.repeat(allowed, E // G, axis=1)
        masked = np.where(allowed, choice, F32(0.0))
        idx = np.argsort(-masked, axis=-1, kind="stable")[:, :k]
    w = scores[rows, idx]
    if cfg.norm_topk_prob:
        w = w / (w.sum(axis=-1, keepdims=True) + F32(1e-20))
    w = (w * F32(cfg.routed_scaling_factor)).astype(F32)
    return idx, w


def moe(cfg: ModelConfig, W: dict, p: str, x: np.ndarray) -> np.ndarray:
    B, S, H = x.shape
    flat = x.reshape(-1, H)
    idx, w = route(cfg, W, p, flat)
    out = np.zeros_like(flat)
    for e in range(cfg.n_routed_experts):
        tok, slot = np.nonzero(idx == e)
        if tok.size:
            out[tok] += w[tok, slot][:, None] * swiglu(flat[tok], W, f"{p}.experts.{e}")
    out = out.reshape(B, S, H)
    if cfg.n_shared_experts:
        out = out + swiglu(x, W, p + ".shared_experts")
    return out.astype(F32)


def forward(cfg: ModelConfig, W: dict, input_ids: np.ndarray,
            attention_mask: np.ndarray | None = None) -> np.ndarray:
    """Logits [B, S, vocab] (fp32) for int64 input_ids [B, S] and attention_mask [B, S]."""
    input_ids = np.asarray(input_ids, dtype=np.int64)
    B, S = input_ids.shape
    if attention_mask is None:
        attention_mask = np.ones((B, S), np.int64)
    mask = additive_mask(np.asarray(attention_mask))
    cos, sin = rope_tables(W["model.rotary_emb.inv_freq"], S)
    attention = gqa_attention if cfg.arch == "llama" else mla_attention
    eps = cfg.rms_norm_eps

    x = W["model.embed_tokens.weight"][input_ids]
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        h = rms_norm(x, W[p + ".input_layernorm.weight"], eps)
        x = x + attention(cfg, W, p + ".self_attn", h, mask, cos, sin)
        h = rms_norm(x, W[p + ".post_attention_layernorm.weight"], eps)
        if cfg.is_moe_layer(i):
            x = x + moe(cfg, W, p + ".mlp", h)
        else:
            x = x + swiglu(h, W, p + ".mlp")
    x = rms_norm(x, W["model.norm.weight"], eps)
    return linear(x, W["lm_head.weight"])
