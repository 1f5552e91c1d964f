"""Pieces shared by all configs, written in the op forms torch.onnx.export (TorchScript) produces
for the Hugging Face modeling code (LlamaModel / DeepseekV3Model, eager attention, no KV cache).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import onnx

from .builder import BOOL, FLOAT, INT64, GraphBuilder
from .config import ModelConfig

FLOAT_MIN = float(np.finfo(np.float32).min)  # torch.finfo(torch.float32).min


def rms_norm(b: GraphBuilder, x: str, eps: float) -> str:
    """HF LlamaRMSNorm / DeepseekV3RMSNorm; the weight is ``<scope>.weight``.

    hidden_states.to(float32); variance = pow(2).mean(-1, keepdim=True);
    hidden_states * rsqrt(variance + eps); weight * hidden_states   (rsqrt -> Sqrt + Reciprocal)
    """
    x32 = b.op("Cast", x, to=FLOAT)
    sq = b.op("Pow", x32, b.f32(2.0))
    var = b.reduce("ReduceMean", sq, [-1], keepdims=1)
    var = b.op("Add", var, b.f32(eps))
    inv = b.op("Reciprocal", b.op("Sqrt", var))
    y = b.op("Mul", x32, inv)
    return b.op("Mul", b.weight("weight"), y)


def linear(b: GraphBuilder, x: str, module: str) -> str:
    """nn.Linear: MatMul by the transposed weight ([in, out] initializer), then Add(bias, .)."""
    with b.scope(module):
        y = b.op("MatMul", x, b.weight("weight", transpose=True))
        if b.has_weight("bias"):
            y = b.op("Add", b.weight("bias"), y)
    return y


def silu(b: GraphBuilder, x: str) -> str:
    return b.op("Mul", x, b.op("Sigmoid", x))


def swiglu(b: GraphBuilder, x: str) -> str:
    """HF LlamaMLP / DeepseekV3MLP: down_proj(act_fn(gate_proj(x)) * up_proj(x))."""
    g = silu(b, linear(b, x, "gate_proj"))
    u = linear(b, x, "up_proj")
    return linear(b, b.op("Mul", g, u), "down_proj")


def positions(b: GraphBuilder, input_ids: str) -> tuple[str, str]:
    """cache_position = arange(0, seq); position_ids = cache_position.unsqueeze(0) -> [1, seq]."""
    with b.scope("model"):
        seq = b.dim(input_ids, 1)
        cache_position = b.op("Range", b.i64(0), seq, b.i64(1))
        position_ids = b.unsqueeze(cache_position, [0])
    return cache_position, position_ids


def causal_mask(b: GraphBuilder, input_ids: str, attention_mask: str, cache_position: str) -> str:
    """HF _prepare_4d_causal_attention_mask_with_cache_position, no cache; [batch, 1, seq, seq].

    opset >= 14: full((seq, tgt), min) -> triu(diagonal=1) -> *= (arange(tgt) > cache_position)
    opset <  14: where(arange(tgt) > cache_position, min, 0)  (Trilu does not exist yet)
    then [None, None].expand(batch, 1, -1, -1); padding: (mask + attention_mask[:, None, None, :]) == 0
    -> masked_fill(min).
    """
    with b.scope("model"):
        bsz = b.dim(input_ids, 0)
        seq = b.dim(input_ids, 1)
        tgt = b.dim(attention_mask, 1)
        arange = b.op("Range", b.i64(0), tgt, b.i64(1))
        later = b.op("Greater", arange, b.reshape(cache_position, [-1, 1]))
        if b.opset >= 14:
            full = b.op(
                "ConstantOfShape", b.shape_vec([seq, tgt]),
                value=onnx.numpy_helper.from_array(np.array([FLOAT_MIN], np.float32)),
            )
            mask = b.op("Trilu", full, b.i64(1), upper=1)
            mask = b.op("Mul", mask, b.op("Cast", later, to=FLOAT))
        else:
            mask = b.op("Where", later, b.f32(FLOAT_MIN), b.f32(0.0))
        mask = b.unsqueeze(mask, [0, 1])
        mask = b.op("Expand", mask, b.shape_vec([bsz, 1, 1, 1]))
        am = b.unsqueeze(b.op("Cast", attention_mask, to=FLOAT), [1, 2])
        head = b.slice(mask, [0], b.unsqueeze(tgt, [0]), [3])
        padding = b.op("Equal", b.op("Add", head, am), b.f32(0.0))
        return b.op("Where", padding, b.f32(FLOAT_MIN), head)


def rotary_embedding(b: GraphBuilder, position_ids: str) -> tuple[str, str]:
    """HF LlamaRotaryEmbedding.forward: cos, sin of shape [1, seq, rope_dim].

    inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1) @
    position_ids[:, None, :].float() -> transpose(1, 2) -> cat((freqs, freqs), -1) -> cos/sin
    (* attention_scaling = 1.0) -> .to(x.dtype)
    """
    with b.scope("model", "rotary_emb"):
        inv = b.unsqueeze(b.unsqueeze(b.weight("inv_freq"), [0]), [2])
        inv = b.op("Cast", inv, to=FLOAT)
        inv = b.op("Expand", inv, b.shape_vec([b.dim(position_ids, 0), 1, 1]))
        pos = b.op("Cast", b.unsqueeze(position_ids, [1]), to=FLOAT)
        freqs = b.op("Transpose", b.op("MatMul", inv, pos), perm=[0, 2, 1])
        emb = b.op("Concat", freqs, freqs, axis=-1)
        cos = b.op("Mul", b.op("Cos", emb), b.f32(1.0))
        sin = b.op("Mul", b.op("Sin", emb), b.f32(1.0))
        return b.op("Cast", cos, to=FLOAT), b.op("Cast", sin, to=FLOAT)


def rotate_half(b: GraphBuilder, x: str, d: int) -> str:
    """cat((-x[..., d/2:], x[..., :d/2]), -1) with the (static) head dim folded to constants."""
    x1 = b.slice(x, [0], [d // 2], [-1])
    x2 = b.slice(x, [d // 2], [np.iinfo(np.int64).max], [-1])
    return b.op("Concat", b.op("Neg", x2), x1, axis=-1)


def apply_rope(b: GraphBuilder, x: str, cos4: str, sin4: str, d: int, interleave: bool) -> str:
    """x * cos + rotate_half(x) * sin; x is [b, h, s, d], cos4/sin4 are cos.unsqueeze(1).

    interleave (HF DeepSeek apply_rotary_pos_emb_interleave): first
    x.view(b, h, s, d // 2, 2).transpose(4, 3).reshape(b, h, s, d).
    """
    if interleave:
        bsz, heads, seq = b.dim(x, 0), b.dim(x, 1), b.dim(x, 2)
        x = b.reshape(x, [bsz, heads, seq, d // 2, 2])
        x = b.op("Transpose", x, perm=[0, 1, 2, 4, 3])
        x = b.reshape(x, [bsz, heads, seq, d])
    return b.op("Add", b.op("Mul", x, cos4), b.op("Mul", rotate_half(b, x, d), sin4))


def attention_core(b: GraphBuilder, q: str, k: str, v: str, mask: str, scale: float) -> str:
    """HF eager_attention_forward; q,k,v [b, h, s, d]; returns [b, s, h, d_v]."""
    scores = b.op("MatMul", q, b.op("Transpose", k, perm=[0, 1, 3, 2]))
    scores = b.op("Mul", scores, b.f32(scale))
    # causal_mask = attention_mask[:, :, :, : key_states.shape[-2]]
    m = b.slice(mask, [0], b.unsqueeze(b.dim(k, 2), [0]), [3])
    scores = b.op("Add", scores, m)
    probs = b.op("Cast", b.op("Softmax", scores, axis=-1), to=FLOAT)
    out = b.op("MatMul", probs, v)
    return b.op("Transpose", out, perm=[0, 2, 1, 3])


AttnFn = Callable[[GraphBuilder, ModelConfig, str, str, str, str], str]
MlpFn = Callable[[GraphBuilder, ModelConfig, int, str], str]


def build_decoder(cfg: ModelConfig, weights: dict, opset: int, attention: AttnFn,
                  mlp: MlpFn) -> onnx.ModelProto:
    """Embedding, mask, rotary, decoder layers (pre-norm residual), final norm, lm_head."""
    b = GraphBuilder(opset, weights)
    input_ids = b.add_input("input_ids", INT64, ["batch", "sequence"])
    attention_mask = b.add_input("attention_mask", INT64, ["batch", "sequence"])

    with b.scope("model", "embed_tokens"):
        x = b.op("Gather", b.weight("weight"), input_ids, axis=0)
    cache_position, position_ids = positions(b, input_ids)
    mask = causal_mask(b, input_ids, attention_mask, cache_position)
    cos, sin = rotary_embedding(b, position_ids)

    for i in range(cfg.num_hidden_layers):
        with b.scope("model", f"layers.{i}"):
            residual = x
            with b.scope("input_layernorm"):
                h = rms_norm(b, x, cfg.rms_norm_eps)
            with b.scope("self_attn"):
                h = attention(b, cfg, h, mask, cos, sin)
            x = b.op("Add", residual, h)
            residual = x
            with b.scope("post_attention_layernorm"):
                h = rms_norm(b, x, cfg.rms_norm_eps)
            with b.scope("mlp"):
                h = mlp(b, cfg, i, h)
            x = b.op("Add", residual, h)

    with b.scope("model", "norm"):
        x = rms_norm(b, x, cfg.rms_norm_eps)
    with b.scope("lm_head"):
        b.op("MatMul", x, b.weight("weight", transpose=True), out_names=["logits"])
    b.add_output("logits", FLOAT, ["batch", "sequence", cfg.vocab_size])

    return b.make_model(metadata={
        "dsgen.config": cfg.name,
        "dsgen.config_json": cfg.to_json(),
        "dsgen.export_form": cfg.export_form,
    })


__all__ = [
    "BOOL", "FLOAT", "INT64", "FLOAT_MIN", "rms_norm", "linear", "silu", "swiglu", "positions",
    "causal_mask", "rotary_embedding", "rotate_half", "apply_rope", "attention_core",
    "build_decoder",
]
