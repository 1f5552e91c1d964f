"""Deterministic random weights, keyed by Hugging Face parameter names.

All matrices are stored in the PyTorch nn.Linear orientation [out_features, in_features]; the ONNX
builder transposes them into [in, out] MatMul initializers (as the TorchScript exporter's constant
folding does) and the numpy reference multiplies by ``W.T``.
"""

from __future__ import annotations

import numpy as np

from .config import ModelConfig

F32 = np.float32


class _Init:
    def __init__(self, cfg: ModelConfig):
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.w: dict[str, np.ndarray] = {}

    def normal(self, name: str, shape, std: float) -> None:
        self.w[name] = (self.rng.standard_normal(shape) * std).astype(F32)

    def linear(self, name: str, out_f: int, in_f: int) -> None:
        self.normal(name + ".weight", (out_f, in_f), self.cfg.init_std)

    def norm(self, name: str, n: int) -> None:
        self.w[name + ".weight"] = (1.0 + self.rng.standard_normal(n) * self.cfg.norm_std).astype(F32)

    def swiglu(self, prefix: str, hidden: int, inter: int) -> None:
        self.linear(prefix + ".gate_proj", inter, hidden)
        self.linear(prefix + ".up_proj", inter, hidden)
        self.linear(prefix + ".down_proj", hidden, inter)


def rope_inv_freq(cfg: ModelConfig) -> np.ndarray:
    d = cfg.rope_dim
    exponent = np.arange(0, d, 2, dtype=np.int64).astype(F32) / F32(d)
    return (F32(1.0) / (F32(cfg.rope_theta) ** exponent)).astype(F32)


def make_weights(cfg: ModelConfig) -> dict[str, np.ndarray]:
    """Returns {hf_parameter_name: float32 array}; same seed, same arrays."""
    ini = _Init(cfg)
    H = cfg.hidden_size
    ini.normal("model.embed_tokens.weight", (cfg.vocab_size, H), cfg.init_std)
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}"
        ini.norm(p + ".input_layernorm", H)
        a = p + ".self_attn"
        if cfg.arch == "llama":
            d, nq, nkv = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
            ini.linear(a + ".q_proj", nq * d, H)
            ini.linear(a + ".k_proj", nkv * d, H)
            ini.linear(a + ".v_proj", nkv * d, H)
            ini.linear(a + ".o_proj", H, nq * d)
        else:
            nh = cfg.num_attention_heads
            if cfg.q_lora_rank is None:
                ini.linear(a + ".q_proj", nh * cfg.qk_head_dim, H)
            else:
                ini.linear(a + ".q_a_proj", cfg.q_lora_rank, H)
                ini.norm(a + ".q_a_layernorm", cfg.q_lora_rank)
                ini.linear(a + ".q_b_proj", nh * cfg.qk_head_dim, cfg.q_lora_rank)
            ini.linear(a + ".kv_a_proj_with_mqa", cfg.kv_lora_rank + cfg.qk_rope_head_dim, H)
            ini.norm(a + ".kv_a_layernorm", cfg.kv_lora_rank)
            ini.linear(a + ".kv_b_proj", nh * (cfg.qk_nope_head_dim + cfg.v_head_dim), cfg.kv_lora_rank)
            ini.linear(a + ".o_proj", H, nh * cfg.v_head_dim)
        ini.norm(p + ".post_attention_layernorm", H)
        m = p + ".mlp"
        if cfg.is_moe_layer(i):
            E = cfg.n_routed_experts
            ini.normal(m + ".gate.weight", (E, H), cfg.router_std)
            if cfg.topk_method == "noaux_tc":
                ini.w[m + ".gate.e_score_correction_bias"] = ini.rng.uniform(
                    -cfg.bias_range, cfg.bias_range, E
                ).astype(F32)
            for e in range(E):
                ini.swiglu(f"{m}.experts.{e}", H, cfg.moe_intermediate_size)
            if cfg.n_shared_experts:
                ini.swiglu(m + ".shared_experts", H, cfg.moe_intermediate_size * cfg.n_shared_experts)
        else:
            ini.swiglu(m, H, cfg.intermediate_size)
    ini.norm("model.norm", H)
    ini.linear("lm_head", cfg.vocab_size, H)
    w = ini.w
    w["model.rotary_emb.inv_freq"] = rope_inv_freq(cfg)
    return w
