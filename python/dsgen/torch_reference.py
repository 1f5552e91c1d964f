"""PyTorch port of reference.py's forward pass: the same weights, the same math, in torch ops.

It is the PyTorch-eager peer of the GPU model benchmarks (bench/gpu_models.py) and must match
the numpy reference (test/python/test_torch_reference.py). Imports only torch, numpy and the
config / weights modules (no onnx), so it runs on a GPU machine without the compiler's Python
packages:

    model = TorchReference(cfg, make_weights(cfg), device="cuda")
    logits = model(input_ids, attention_mask)        # torch tensors on the device, [B, S, V]

Like reference.py, experts run only on the tokens routed to them, so MoE layers synchronize
with the host once per expert (what an eager Hugging Face MoE does too).
"""

from __future__ import annotations

import numpy as np
import torch

from .config import ModelConfig


def rms_norm(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    var = torch.mean(x * x, dim=-1, keepdim=True)
    return w * (x / torch.sqrt(var + eps))


def linear(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return x @ w.T


def swiglu(x: torch.Tensor, W: dict, prefix: str) -> torch.Tensor:
    g = linear(x, W[prefix + ".gate_proj.weight"])
    u = linear(x, W[prefix + ".up_proj.weight"])
    return linear(g * torch.sigmoid(g) * u, W[prefix + ".down_proj.weight"])


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[B, 1, S, S]: finfo.min where key j > query i or key j is padding, else 0."""
    B, S = attention_mask.shape
    pos = torch.arange(S, device=attention_mask.device)
    blocked = (pos[None, :] > pos[:, None])[None, None] | (attention_mask[:, None, None, :] == 0)
    zero = torch.zeros((), dtype=dtype, device=attention_mask.device)
    return torch.where(blocked, torch.finfo(dtype).min, zero)


def rope_tables(inv_freq: torch.Tensor, seq: int) -> tuple[torch.Tensor, torch.Tensor]:
    freqs = torch.arange(seq, dtype=inv_freq.dtype, device=inv_freq.device)[:, None] * inv_freq[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    return torch.cos(emb), torch.sin(emb)  # [S, d]


def rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, interleave: bool) -> torch.Tensor:
    """x [B, h, S, d]; rotate-half RoPE, optionally after the DeepSeek interleave permutation."""
    d = x.shape[-1]
    if interleave:
        x = torch.cat([x[..., 0::2], x[..., 1::2]], dim=-1)
    rot = torch.cat([-x[..., d // 2:], x[..., : d // 2]], dim=-1)
    return x * cos + rot * sin


def attend(q, k, v, mask, scale):
    """q [B,h,S,dq], k [B,h,S,dq], v [B,h,S,dv] -> [B, S, h*dv]."""
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale + mask
    out = torch.matmul(torch.softmax(scores, dim=-1), v)
    B, h, S, dv = out.shape
    return out.transpose(1, 2).reshape(B, S, h * dv)


def gqa_attention(cfg: ModelConfig, W: dict, p: str, x, mask, cos, sin):
    B, S, _ = x.shape
    d, nq, nkv = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
    q = linear(x, W[p + ".q_proj.weight"]).reshape(B, S, nq, d).transpose(1, 2)
    k = linear(x, W[p + ".k_proj.weight"]).reshape(B, S, nkv, d).transpose(1, 2)
    v = linear(x, W[p + ".v_proj.weight"]).reshape(B, S, nkv, d).transpose(1, 2)
    q, k = rope(q, cos, sin, False), rope(k, cos, sin, False)
    group = nq // nkv
    k = torch.repeat_interleave(k, group, dim=1)  # query head i uses kv head i // group
    v = torch.repeat_interleave(v, group, dim=1)
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
    q = q.reshape(B, S, nh, dn + dr).transpose(1, 2)
    q_nope, q_pe = q[..., :dn], q[..., dn:]

    kva = linear(x, W[p + ".kv_a_proj_with_mqa.weight"])
    c_kv, k_pe = kva[..., : cfg.kv_lora_rank], kva[..., cfg.kv_lora_rank:]
    c_kv = rms_norm(c_kv, W[p + ".kv_a_layernorm.weight"], eps)
    kv = linear(c_kv, W[p + ".kv_b_proj.weight"]).reshape(B, S, nh, dn + dv).transpose(1, 2)
    k_nope, v = kv[..., :dn], kv[..., dn:]

    q_pe = rope(q_pe, cos, sin, cfg.rope_interleave)
    k_pe = rope(k_pe[:, None], cos, sin, cfg.rope_interleave)  # one head [B, 1, S, dr]
    query = torch.cat([q_nope, q_pe], dim=-1)
    key = torch.cat([k_nope, k_pe.expand(B, nh, S, dr)], dim=-1)
    return linear(attend(query, key, v, mask, cfg.softmax_scale), W[p + ".o_proj.weight"])


def _top(scores: torch.Tensor, k: int) -> torch.Tensor:
    # numpy's argsort(-x, kind="stable"): descending, ties by lower index.
    return torch.sort(-scores, dim=-1, stable=True).indices[:, :k]


def route(cfg: ModelConfig, W: dict, p: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x [T, H] -> (expert indices [T, k], weights [T, k])."""
    E, k = cfg.n_routed_experts, cfg.num_experts_per_tok
    logits = linear(x, W[p + ".gate.weight"])
    T = x.shape[0]
    if cfg.scoring_func == "softmax":
        scores = torch.softmax(logits, dim=-1)
    else:
        scores = torch.sigmoid(logits)
    if cfg.topk_method == "greedy":
        idx = _top(scores, k)
    else:
        choice = scores + W[p + ".gate.e_score_correction_bias"][None]
        G = cfg.n_group
        per_group = choice.reshape(T, G, E // G)
        group_scores = torch.sort(per_group, dim=-1).values[..., -2:].sum(dim=-1)
        top_groups = _top(group_scores, cfg.topk_group)
        allowed = torch.zeros((T, G), dtype=torch.bool, device=x.device)
        allowed.scatter_(1, top_groups, True)
        allowed = torch.repeat_interleave(allowed, E // G, dim=1)
        masked = torch.where(allowed, choice, torch.zeros((), dtype=choice.dtype, device=x.device))
        idx = _top(masked, k)
    w = torch.gather(scores, 1, idx)
    if cfg.norm_topk_prob:
        w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
    return idx, w * cfg.routed_scaling_factor


def moe(cfg: ModelConfig, W: dict, p: str, x: torch.Tensor) -> torch.Tensor:
    B, S, H = x.shape
    flat = x.reshape(-1, H)
    idx, w = route(cfg, W, p, flat)
    out = torch.zeros_like(flat)
    for e in range(cfg.n_routed_experts):
        tok, slot = torch.nonzero(idx == e, as_tuple=True)
        if tok.numel():
            out.index_add_(0, tok, w[tok, slot][:, None] * swiglu(flat[tok], W, f"{p}.experts.{e}"))
    out = out.reshape(B, S, H)
    if cfg.n_shared_experts:
        out = out + swiglu(x, W, p + ".shared_experts")
    return out


def forward(cfg: ModelConfig, W: dict, input_ids: torch.Tensor,
            attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Logits [B, S, vocab] for int64 input_ids [B, S]; W: name -> torch tensor on one device."""
    B, S = input_ids.shape
    if attention_mask is None:
        attention_mask = torch.ones((B, S), dtype=torch.int64, device=input_ids.device)
    dtype = W["model.embed_tokens.weight"].dtype
    mask = additive_mask(attention_mask, dtype)
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


def to_torch(weights: dict[str, np.ndarray], device="cpu", dtype=torch.float32) -> dict:
    """make_weights(cfg) -> the same arrays as torch tensors (floats in `dtype`) on `device`."""
    return {name: torch.from_numpy(np.ascontiguousarray(a)).to(device=device, dtype=dtype)
            for name, a in weights.items()}


class TorchReference:
    """The model on a device: weights uploaded once, forward under torch.inference_mode()."""

    def __init__(self, cfg: ModelConfig, weights: dict[str, np.ndarray], device="cpu",
                 dtype=torch.float32):
        self.cfg = cfg
        self.device = torch.device(device)
        self.weights = to_torch(weights, self.device, dtype)

    def __call__(self, input_ids, attention_mask=None) -> torch.Tensor:
        ids = torch.as_tensor(input_ids, dtype=torch.int64, device=self.device)
        mask = None if attention_mask is None else torch.as_tensor(
            attention_mask, dtype=torch.int64, device=self.device)
        with torch.inference_mode():
            return forward(self.cfg, self.weights, ids, mask)
