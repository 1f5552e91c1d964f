"""Llama-style decoder with GQA attention (config ``llama_gqa``).

Export form (HF LlamaAttention, eager):
  q/k/v = MatMul(x, W^T) -> Reshape [b, s, -1, d] (Shape/Gather/Unsqueeze/Concat) -> Transpose(0,2,1,3)
  RoPE rotate-half on q and k: q*cos + Concat(Neg(Slice hi), Slice lo)*sin, cos = Unsqueeze(cos, 1)
  repeat_kv: Unsqueeze(2) -> Expand [b, n_kv, n_rep, s, d] -> Reshape [b, n_kv*n_rep, s, d]
  MatMul(q, Transpose(k)) -> Mul(scale) -> Add(mask) -> Softmax(-1) -> Cast -> MatMul(v)
  -> Transpose(0,2,1,3) -> Reshape [b, s, -1] -> o_proj MatMul
FFN: dense SwiGLU in every layer.
"""

from __future__ import annotations

import onnx

from .builder import GraphBuilder
from .common import apply_rope, attention_core, build_decoder, linear, swiglu
from .config import ModelConfig


def repeat_kv(b: GraphBuilder, x: str, n_kv: int, n_rep: int, d: int) -> str:
    if n_rep == 1:
        return x
    bsz, seq = b.dim(x, 0), b.dim(x, 2)
    x = b.unsqueeze(x, [2])
    x = b.op("Expand", x, b.shape_vec([bsz, n_kv, n_rep, seq, d]))
    return b.reshape(x, [bsz, n_kv * n_rep, seq, d])


def gqa_attention(b: GraphBuilder, cfg: ModelConfig, x: str, mask: str, cos: str, sin: str) -> str:
    d, nq, nkv = cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
    bsz, seq = b.dim(x, 0), b.dim(x, 1)

    def heads(module: str) -> str:
        y = linear(b, x, module)
        y = b.reshape(y, [bsz, seq, -1, d])
        return b.op("Transpose", y, perm=[0, 2, 1, 3])

    q, k, v = heads("q_proj"), heads("k_proj"), heads("v_proj")
    cos4, sin4 = b.unsqueeze(cos, [1]), b.unsqueeze(sin, [1])
    q = apply_rope(b, q, cos4, sin4, d, interleave=False)
    k = apply_rope(b, k, cos4, sin4, d, interleave=False)
    k = repeat_kv(b, k, nkv, nq // nkv, d)
    v = repeat_kv(b, v, nkv, nq // nkv, d)
    out = attention_core(b, q, k, v, mask, cfg.softmax_scale)
    out = b.reshape(out, [bsz, seq, -1])
    return linear(b, out, "o_proj")


def dense_mlp(b: GraphBuilder, cfg: ModelConfig, layer: int, x: str) -> str:
    return swiglu(b, x)


def build_llama(cfg: ModelConfig, weights: dict, opset: int) -> onnx.ModelProto:
    assert cfg.arch == "llama"
    assert cfg.num_attention_heads % cfg.num_key_value_heads == 0
    return build_decoder(cfg, weights, opset, gqa_attention, dense_mlp)
