"""Model configurations for the generator.

Every config is a frozen dataclass instance. The fields follow the names of the Hugging Face
configs (LlamaConfig, DeepseekV2Config, DeepseekV3Config) so that the graphs can be compared with
the modeling code; sizes are tiny so that every file stays well under 2 MB.

The ``export_form`` text of each config says which ONNX op patterns the graph uses; the same text
is written into the model's metadata (key ``dsgen.export_form``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ModelConfig:
    name: str
    arch: str  # "llama" (GQA attention, dense FFN) or "deepseek" (MLA attention, MoE FFN)
    export_form: str

    vocab_size: int = 128
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    intermediate_size: int = 128  # dense SwiGLU FFN

    # Llama attention (GQA). head_dim * num_attention_heads == hidden_size here.
    num_key_value_heads: int = 4
    head_dim: int = 16

    # MLA attention (DeepSeek). q_lora_rank None: q = x W_q (V2-Lite); else RMSNorm(x W_qa) W_qb.
    q_lora_rank: Optional[int] = None
    kv_lora_rank: int = 32
    qk_nope_head_dim: int = 16
    qk_rope_head_dim: int = 8
    v_head_dim: int = 16
    # HF DeepseekV2/V3 permute q_pe/k_pe from interleaved pairs to halves before rotate_half:
    # view(b, h, s, d/2, 2).transpose(4, 3).reshape(b, h, s, d).
    rope_interleave: bool = True

    # MoE (DeepSeek). Layers [0, first_k_dense_replace) use the dense SwiGLU FFN.
    first_k_dense_replace: int = 1
    n_routed_experts: int = 8
    num_experts_per_tok: int = 2
    n_shared_experts: int = 1  # shared experts form ONE SwiGLU of width moe_intermediate_size * n
    moe_intermediate_size: int = 32
    scoring_func: str = "softmax"  # "softmax" (V2) or "sigmoid" (V3)
    topk_method: str = "greedy"  # "greedy" (V2-Lite) or "noaux_tc" (V3: bias + group-limited)
    n_group: int = 1
    topk_group: int = 1
    norm_topk_prob: bool = False
    routed_scaling_factor: float = 1.0

    # Random weights.
    seed: int = 0
    init_std: float = 0.02  # embeddings and linear layers
    router_std: float = 0.02  # router (gate) weight
    norm_std: float = 0.1  # RMSNorm weights are 1 + N(0, norm_std)
    bias_range: float = 0.05  # V3 e_score_correction_bias ~ U(-r, r)

    @property
    def qk_head_dim(self) -> int:
        return self.qk_nope_head_dim + self.qk_rope_head_dim

    @property
    def rope_dim(self) -> int:
        """Width of the rotary embedding (cos/sin last dim)."""
        return self.head_dim if self.arch == "llama" else self.qk_rope_head_dim

    @property
    def softmax_scale(self) -> float:
        d = self.head_dim if self.arch == "llama" else self.qk_head_dim
        return float(d) ** -0.5

    def is_moe_layer(self, i: int) -> bool:
        return self.arch == "deepseek" and i >= self.first_k_dense_replace

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


LLAMA_GQA = ModelConfig(
    name="llama_gqa",
    arch="llama",
    export_form=(
        "Llama decoder (HF LlamaForCausalLM, eager attention, TorchScript-exporter style): "
        "Gather embedding; additive causal+padding mask (ConstantOfShape(finfo.min)->Trilu(k=1)->"
        "Mul(Cast(Greater(Range, cache_position)))->Unsqueeze->Expand, padding via Add/Equal(0)/Where; "
        "opset<14: Where(Greater(Range, cache_position), min, 0)); RMSNorm Cast->Pow->ReduceMean->Add->"
        "Sqrt->Reciprocal->Mul->Mul(weight); Linear = MatMul by [in,out] initializer; heads by "
        "Shape/Gather/Unsqueeze/Concat/Reshape + Transpose; RoPE cos/sin from inv_freq MatMul positions, "
        "Concat, Cos, Sin; rotate_half = Slice/Slice/Neg/Concat; GQA repeat_kv = Unsqueeze->Expand->"
        "Reshape; scores MatMul(q, Transpose(k))->Mul(scale)->Add(mask slice)->Softmax(-1)->MatMul(v); "
        "SwiGLU FFN Sigmoid*Mul (silu) * up -> down."
    ),
    vocab_size=128,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,
    intermediate_size=128,
    rms_norm_eps=1e-6,
    seed=1,
    init_std=0.08,
)

DEEPSEEK_V2_LITE = ModelConfig(
    name="deepseek_v2_lite",
    arch="deepseek",
    export_form=(
        "DeepSeek-V2-Lite style: MLA with q = x W_q (no q low-rank); kv_a_proj_with_mqa -> Split "
        "[kv_lora_rank, d_rope] -> RMSNorm(c_kv) -> kv_b_proj -> Reshape heads -> Split [d_nope, d_v]; "
        "k_pe Reshape to ONE head, RoPE with interleave permutation (Reshape [b,h,s,d/2,2]->Transpose->"
        "Reshape) then rotate_half, Expand to all heads; query/key = Concat(nope, pe); d_v != d_nope+d_rope. "
        "Layer 0 dense SwiGLU, layer 1 MoE in dense-equivalent form: router MatMul in fp32 -> Softmax -> "
        "TopK(k, sorted=0) greedy -> Mul(routed_scaling_factor=1.0) (no renormalization); every expert "
        "computed on all tokens, outputs Unsqueeze(1)+Concat -> [T,E,H]; top-k weights ScatterElements "
        "into zeros [T,E] (ConstantOfShape), Unsqueeze(-1)*experts -> ReduceSum(axis 1); plus 2 shared "
        "experts as one SwiGLU of width 2*moe_intermediate_size. Mask/RMSNorm/Linear forms as llama_gqa."
    ),
    vocab_size=256,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=128,
    q_lora_rank=None,
    kv_lora_rank=32,
    qk_nope_head_dim=16,
    qk_rope_head_dim=8,
    v_head_dim=16,
    first_k_dense_replace=1,
    n_routed_experts=8,
    num_experts_per_tok=2,
    n_shared_experts=2,
    moe_intermediate_size=32,
    scoring_func="softmax",
    topk_method="greedy",
    norm_topk_prob=False,
    routed_scaling_factor=1.0,
    seed=2,
    init_std=0.08,
    router_std=0.3,
)

DEEPSEEK_V3 = ModelConfig(
    name="deepseek_v3",
    arch="deepseek",
    export_form=(
        "DeepSeek-V3 style: MLA with q low-rank q_b_proj(RMSNorm(q_a_proj(x))); kv path, interleaved "
        "RoPE and k_pe broadcast as deepseek_v2_lite. Layer 0 dense SwiGLU, layers 1-2 MoE (dense-"
        "equivalent form): router MatMul in fp32 -> Sigmoid; choice = scores + e_score_correction_bias; "
        "Reshape [T, n_group, E/n_group] -> TopK(2) values -> ReduceSum(-1) group scores -> "
        "TopK(topk_group, sorted=0) indices -> ScatterElements(ConstantOfShape 0, idx, Expand(1)) group "
        "mask -> Unsqueeze(-1)->Expand->Reshape [T,E] -> Cast(bool)->Not->Where(0.0) masked fill -> "
        "TopK(top_k, sorted=0) indices -> GatherElements(sigmoid scores) -> ReduceSum+1e-20, Div "
        "(norm_topk_prob) -> Mul(routed_scaling_factor 2.5); ScatterElements into [T,E], experts stacked "
        "via Unsqueeze+Concat, Mul + ReduceSum; plus 1 shared expert."
    ),
    vocab_size=256,
    hidden_size=64,
    num_hidden_layers=3,
    num_attention_heads=4,
    intermediate_size=128,
    q_lora_rank=48,
    kv_lora_rank=32,
    qk_nope_head_dim=16,
    qk_rope_head_dim=8,
    v_head_dim=16,
    first_k_dense_replace=1,
    n_routed_experts=16,
    num_experts_per_tok=4,
    n_shared_experts=1,
    moe_intermediate_size=32,
    scoring_func="sigmoid",
    topk_method="noaux_tc",
    n_group=4,
    topk_group=2,
    norm_topk_prob=True,
    routed_scaling_factor=2.5,
    seed=3,
    init_std=0.08,
    router_std=0.3,
)

CONFIGS: dict[str, ModelConfig] = {c.name: c for c in (LLAMA_GQA, DEEPSEEK_V2_LITE, DEEPSEEK_V3)}
