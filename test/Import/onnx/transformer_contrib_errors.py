# Import errors of the com.microsoft transformer ops (MultiHeadAttention,
# GroupQueryAttention, MoE, RotaryEmbedding, the fused norms) and of ai.onnx
# RotaryEmbedding. Each case reaches one refusal; the full message is checked.
# RUN: %python %s %t
from onnx_testing import *

F, H16, I32, I64 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.INT32, TensorProto.INT64
MS = [("com.microsoft", 1)]


def ms(name, nodes, inputs, outputs, inits=()):
    emit(name, model(nodes, inputs, outputs, inits, extra_opsets=MS), check=False)


def y(shape=(2, 4, 16), elem=F):
    return [value("y", elem, list(shape))]


#===--- RotaryEmbedding ---------------------------------------------------===#

# RUN: not ds-opt %t/rope_rank2.onnx 2>&1 | FileCheck %s --check-prefix=ROPERANK
# ROPERANK: node 'y' (RotaryEmbedding, ai.onnx opset 23): the input must be 3-D [batch, seq, hidden] or 4-D [batch, heads, seq, head_size], got rank 2
emit("rope_rank2", model(
    [node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"], num_heads=2)],
    [value("x", F, [3, 16]), value("c", F, [8, 4]), value("s", F, [8, 4]),
     value("p", I64, [1, 3])], y([3, 16]), opset=23), check=False)

# RUN: not ds-opt %t/ms_rope_rank5.onnx 2>&1 | FileCheck %s --check-prefix=MSROPERANK
# MSROPERANK: node 'y' (RotaryEmbedding, com.microsoft opset 1): the input must be 3-D [batch, seq, hidden] or 4-D [batch, heads, seq, head_size], got rank 5
ms("ms_rope_rank5",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
   [value("x", F, [1, 2, 3, 1, 8]), value("p", I64, [1, 3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 2, 3, 1, 8]))

# RUN: not ds-opt %t/ms_rope_packed.onnx 2>&1 | FileCheck %s --check-prefix=MSROPEPACKED
# MSROPEPACKED: node 'y' (RotaryEmbedding, com.microsoft opset 1): attribute 'is_packed_batching' = 1 (ragged batches) is not supported
ms("ms_rope_packed",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft",
         is_packed_batching=1)],
   [value("x", F, [1, 2, 3, 8]), value("p", I64, [1, 3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 2, 3, 8]))

# RUN: not ds-opt %t/ms_rope_scale.onnx 2>&1 | FileCheck %s --check-prefix=MSROPESCALE
# MSROPESCALE: node 'y' (RotaryEmbedding, com.microsoft opset 1): attribute 'scale' = 5.000000e-01 is not supported
ms("ms_rope_scale",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft", scale=0.5)],
   [value("x", F, [1, 2, 3, 8]), value("p", I64, [1, 3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 2, 3, 8]))

# A 3-D input without num_heads: hidden 30 is not a multiple of 2 * width 4.
# RUN: not ds-opt %t/ms_rope_heads_uneven.onnx 2>&1 | FileCheck %s --check-prefix=MSROPEUNEVEN
# MSROPEUNEVEN: node 'y' (RotaryEmbedding, com.microsoft opset 1): without 'num_heads', the head count must follow from a static hidden size and cos_cache width; got hidden 30 and width 4
ms("ms_rope_heads_uneven",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
   [value("x", F, [1, 3, 30]), value("p", I64, [1, 3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 3, 30]))

# ... and a dynamic hidden size.
# RUN: not ds-opt %t/ms_rope_heads_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=MSROPEDYN
# MSROPEDYN: node 'y' (RotaryEmbedding, com.microsoft opset 1): without 'num_heads', the head count must follow from a static hidden size and cos_cache width; got hidden ? and width 4
ms("ms_rope_heads_dynamic",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
   [value("x", F, [1, 3, "hidden"]), value("p", I64, [1, 3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 3, "hidden"]))

# Near miss of both: hidden 32 with width 4 gives 4 heads, and a one-element
# position_ids (i32) is the offset of the first position.
# RUN: ds-opt %t/ms_rope_heads_derived.onnx | FileCheck %s --check-prefix=MSROPEOK
# MSROPEOK: %[[OFF:.*]] = ds.cast {{.*}} : tensor<i32> -> tensor<i64>
# MSROPEOK: ds.range %[[OFF]]
# MSROPEOK: ds.rope rotate_half {{.*}} : (tensor<1x4x3x8xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<1x?xi64>) -> tensor<1x4x3x8xf32>
ms("ms_rope_heads_derived",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
   [value("x", F, [1, 3, 32]), value("p", I32, [1]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 3, 32]))

# Hidden 32 gives 4 heads; the failure is the 1-D position_ids of 3 elements.
# RUN: not ds-opt %t/ms_rope_pos1d.onnx 2>&1 | FileCheck %s --check-prefix=MSROPEPOS
# MSROPEPOS: node 'y' (RotaryEmbedding, com.microsoft opset 1): a 1-D position_ids must have one element (the offset), got shape 3
ms("ms_rope_pos1d",
   [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
   [value("x", F, [1, 3, 32]), value("p", I64, [3]), value("c", F, [16, 4]),
    value("s", F, [16, 4])], y([1, 3, 32]))

#===--- Norms -------------------------------------------------------------===#

# RUN: not ds-opt %t/sln_inv_std.onnx 2>&1 | FileCheck %s --check-prefix=SLNINV
# SLNINV: node 'y' (SimplifiedLayerNormalization, ai.onnx opset 17): output 'inv_std_var' (a training output) is not supported
emit("sln_inv_std", model(
    [node("SimplifiedLayerNormalization", ["x", "w"], ["y", "inv"])],
    [value("x", F, [2, 8]), value("w", F, [8])],
    [value("y", F, [2, 8]), value("inv", F, [2, 1])]), check=False)

# RUN: not ds-opt %t/ms_sln_inv_std.onnx 2>&1 | FileCheck %s --check-prefix=MSSLNINV
# MSSLNINV: node 'y' (SimplifiedLayerNormalization, com.microsoft opset 1): output 'inv_std_var' (a training output) is not supported
ms("ms_sln_inv_std",
   [node("SimplifiedLayerNormalization", ["x", "w"], ["y", "inv"], domain="com.microsoft")],
   [value("x", F, [2, 8]), value("w", F, [8])],
   [value("y", F, [2, 8]), value("inv", F, [2, 1])])

# RUN: not ds-opt %t/skip_sln_mean.onnx 2>&1 | FileCheck %s --check-prefix=SKIPSMEAN
# SKIPSMEAN: node 'y' (SkipSimplifiedLayerNormalization, com.microsoft opset 1): outputs 'mean' and 'inv_std_var' (training outputs) are not supported
ms("skip_sln_mean",
   [node("SkipSimplifiedLayerNormalization", ["x", "skip", "g"], ["y", "mean"],
         domain="com.microsoft")],
   [value("x", F, [1, 2, 8]), value("skip", F, [1, 2, 8]), value("g", F, [8])],
   [value("y", F, [1, 2, 8]), value("mean", F, [1, 2, 1])])

# RUN: not ds-opt %t/skip_ln_mean.onnx 2>&1 | FileCheck %s --check-prefix=SKIPLNMEAN
# SKIPLNMEAN: node 'y' (SkipLayerNormalization, com.microsoft opset 1): outputs 'mean' and 'inv_std_var' (training outputs) are not supported
ms("skip_ln_mean",
   [node("SkipLayerNormalization", ["x", "skip", "g"], ["y", "mean"], domain="com.microsoft")],
   [value("x", F, [1, 2, 8]), value("skip", F, [1, 2, 8]), value("g", F, [8])],
   [value("y", F, [1, 2, 8]), value("mean", F, [1, 2, 1])])

#===--- MultiHeadAttention -------------------------------------------------===#
# Inputs: query, key, value, bias, key_padding_mask, attention_bias, past_key,
# past_value, past_sequence_length, cache_indirection.

QKV = [value("q", F, [2, 4, 16]), value("k", F, [2, 4, 16]), value("v", F, [2, 4, 16])]


def mha(name, inputs, extra, outputs=("y",), **attrs):
    attrs.setdefault("num_heads", 2)
    ms(name, [node("MultiHeadAttention", inputs, list(outputs), domain="com.microsoft",
                   **attrs)], extra, [value(o, F, [2, 4, 16]) for o in outputs if o])


# RUN: not ds-opt %t/mha_heads.onnx 2>&1 | FileCheck %s --check-prefix=MHAHEADS
# MHAHEADS: node 'y' (MultiHeadAttention, com.microsoft opset 1): attribute 'num_heads' must be positive, got 0
mha("mha_heads", ["q", "k", "v"], QKV, num_heads=0)

# RUN: not ds-opt %t/mha_past_seq.onnx 2>&1 | FileCheck %s --check-prefix=MHAPASTSEQ
# MHAPASTSEQ: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'past_sequence_length' (shared KV buffer) is not supported
mha("mha_past_seq", ["q", "k", "v", "", "", "", "", "", "psl"], QKV + [value("psl", I32, [1])])

# RUN: not ds-opt %t/mha_beam.onnx 2>&1 | FileCheck %s --check-prefix=MHABEAM
# MHABEAM: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'cache_indirection' (beam search) is not supported
mha("mha_beam", ["q", "k", "v", "", "", "", "", "", "", "ci"],
    QKV + [value("ci", I32, [2, 1, 8])])

# RUN: not ds-opt %t/mha_qk.onnx 2>&1 | FileCheck %s --check-prefix=MHAQK
# MHAQK: node 'y' (MultiHeadAttention, com.microsoft opset 1): output 'qk' is not supported
mha("mha_qk", ["q", "k", "v"], QKV, outputs=("y", "", "", "qk"))

# RUN: not ds-opt %t/mha_past_key_only.onnx 2>&1 | FileCheck %s --check-prefix=MHAPASTKEY
# MHAPASTKEY: node 'y' (MultiHeadAttention, com.microsoft opset 1): inputs 'past_key' and 'past_value' must be given together
mha("mha_past_key_only", ["q", "k", "v", "", "", "", "pk"], QKV + [value("pk", F, [2, 2, 3, 8])])

# RUN: not ds-opt %t/mha_query_only.onnx 2>&1 | FileCheck %s --check-prefix=MHAQONLY
# MHAQONLY: node 'y' (MultiHeadAttention, com.microsoft opset 1): inputs 'key' and 'value' are required (packed QKV in 'query' is not supported)
mha("mha_query_only", ["q"], QKV[:1])

# RUN: not ds-opt %t/mha_no_value.onnx 2>&1 | FileCheck %s --check-prefix=MHANOV
# MHANOV: node 'y' (MultiHeadAttention, com.microsoft opset 1): inputs 'key' and 'value' are required (packed QKV in 'query' is not supported)
mha("mha_no_value", ["q", "k"], QKV[:2])

# RUN: not ds-opt %t/mha_packed_kv.onnx 2>&1 | FileCheck %s --check-prefix=MHAPACKEDKV
# MHAPACKEDKV: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'key' of rank 5 (packed KV) is not supported
mha("mha_packed_kv", ["q", "k", "v"],
    [QKV[0], value("k", F, [2, 4, 2, 2, 8]), value("v", F, [2, 4, 2, 2, 8])])

# RUN: not ds-opt %t/mha_kv_ranks.onnx 2>&1 | FileCheck %s --check-prefix=MHAKVRANK
# MHAKVRANK: node 'y' (MultiHeadAttention, com.microsoft opset 1): inputs 'key' and 'value' must both be 3-D [batch, seq, hidden] or both 4-D [batch, heads, seq, head_size]
mha("mha_kv_ranks", ["q", "k", "v"], [QKV[0], QKV[1], value("v", F, [2, 2, 4, 8])])

# Same ranks, but 2-D.
# RUN: not ds-opt %t/mha_kv_2d.onnx 2>&1 | FileCheck %s --check-prefix=MHAKV2D
# MHAKV2D: node 'y' (MultiHeadAttention, com.microsoft opset 1): inputs 'key' and 'value' must both be 3-D [batch, seq, hidden] or both 4-D [batch, heads, seq, head_size]
mha("mha_kv_2d", ["q", "k", "v"], [QKV[0], value("k", F, [4, 16]), value("v", F, [4, 16])])

# Near miss: 4-D key/value without bias are used as they are.
# RUN: ds-opt %t/mha_kv_4d.onnx | FileCheck %s --check-prefix=MHAKV4D
# MHAKV4D: ds.attention %{{.*}}, %arg1, %arg2 {scale = 0.353553385 : f32} : (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>) -> tensor<2x2x4x8xf32>
mha("mha_kv_4d", ["q", "k", "v"],
    [QKV[0], value("k", F, [2, 2, 6, 8]), value("v", F, [2, 2, 6, 8])])

# RUN: not ds-opt %t/mha_bias_4d.onnx 2>&1 | FileCheck %s --check-prefix=MHABIAS4D
# MHABIAS4D: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'bias' with 4-D key/value is not supported
mha("mha_bias_4d", ["q", "k", "v", "b"],
    [QKV[0], value("k", F, [2, 2, 4, 8]), value("v", F, [2, 2, 4, 8]), value("b", F, [48])])

# RUN: not ds-opt %t/mha_bias_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=MHABIASDYN
# MHABIASDYN: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'bias' needs static hidden sizes of query, key, value
mha("mha_bias_dynamic", ["q", "k", "v", "b"],
    [QKV[0], QKV[1], value("v", F, [2, 4, "hv"]), value("b", F, ["nb"])])

# RUN: not ds-opt %t/mha_kpm_1d.onnx 2>&1 | FileCheck %s --check-prefix=MHAKPM1D
# MHAKPM1D: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'key_padding_mask' of shape 2 is not supported; use [batch, total_seq] or a static [batch, seq, total_seq]
mha("mha_kpm_1d", ["q", "k", "v", "", "m"], QKV + [value("m", I32, [2])])

# RUN: not ds-opt %t/mha_kpm_3d_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=MHAKPM3D
# MHAKPM3D: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'key_padding_mask' of shape 2x?x4 is not supported; use [batch, total_seq] or a static [batch, seq, total_seq]
mha("mha_kpm_3d_dynamic", ["q", "k", "v", "", "m"], QKV + [value("m", I32, [2, "s", 4])])

# Near miss: a static [batch, seq, total_seq] mask is taken.
# RUN: ds-opt %t/mha_kpm_3d.onnx | FileCheck %s --check-prefix=MHAKPM3DOK
# MHAKPM3DOK: %[[M:.*]] = ds.reshape {{.*}} : (tensor<2x4x4xf32>, tensor<4xi64>) -> tensor<2x1x4x4xf32>
# MHAKPM3DOK: ds.attention {{.*}}, %[[M]] {scale = 0.353553385 : f32}
mha("mha_kpm_3d", ["q", "k", "v", "", "m"], QKV + [value("m", I32, [2, 4, 4])])

# RUN: not ds-opt %t/mha_kpm_4d.onnx 2>&1 | FileCheck %s --check-prefix=MHAKPM4D
# MHAKPM4D: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'key_padding_mask' of shape 2x1x4x4 is not supported; use [batch, total_seq] or a static [batch, seq, total_seq]
mha("mha_kpm_4d", ["q", "k", "v", "", "m"], QKV + [value("m", I32, [2, 1, 4, 4])])

# RUN: not ds-opt %t/mha_kpm_short.onnx 2>&1 | FileCheck %s --check-prefix=MHAKPMSHORT
# MHAKPMSHORT: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'key_padding_mask/attention_bias' covers 2 of the 4 keys; padding a short mask is not supported
mha("mha_kpm_short", ["q", "k", "v", "", "m"], QKV + [value("m", I32, [2, 2])])

# RUN: not ds-opt %t/mha_causal_cross.onnx 2>&1 | FileCheck %s --check-prefix=MHACAUSAL
# MHACAUSAL: node 'y' (MultiHeadAttention, com.microsoft opset 1): causal attention with 4 queries and 6 new keys uses ONNX's upper-left aligned mask, which ds.attention (aligned for KV caches) does not express
mha("mha_causal_cross", ["q", "k", "v"],
    [QKV[0], value("k", F, [2, 6, 16]), value("v", F, [2, 6, 16])], unidirectional=1)

# RUN: not ds-opt %t/mha_scale_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=MHASCALE
# MHASCALE: node 'y' (MultiHeadAttention, com.microsoft opset 1): the default scale 1/sqrt(head_size) needs a static head size; the query head size is ?
mha("mha_scale_dynamic", ["q", "k", "v"],
    [value("q", F, [2, 4, "h"]), value("k", F, [2, 4, "h"]), value("v", F, [2, 4, "h"])])

#===--- GroupQueryAttention ------------------------------------------------===#
# Inputs (as the importer numbers them): query, key, value, past_key, past_value,
# seqlens_k, total_sequence_length, cos_cache, sin_cache, position_ids,
# attention_bias, head_sink, k_scale, v_scale, q_norm_weight, k_norm_weight,
# query_seqlens.

GQA = [value("q", F, [1, 4, 32]), value("k", F, [1, 4, 16]), value("v", F, [1, 4, 16]),
       value("sl", I32, [1]), value("tl", I32, [])]
GQA_IN = ["q", "k", "v", "", "", "sl", "tl"]


def gqa(name, inputs, extra=(), outputs=("y",), **attrs):
    attrs.setdefault("num_heads", 4)
    attrs.setdefault("kv_num_heads", 2)
    ms(name, [node("GroupQueryAttention", inputs, list(outputs), domain="com.microsoft",
                   **attrs)], GQA + list(extra),
       [value(o, F, [1, 4, 32]) for o in outputs if o])


def gqa_at(index, name):
    """GQA_IN with input `index` set to `name` (padding with absent inputs)."""
    ins = GQA_IN + [""] * (index + 1 - len(GQA_IN))
    ins[index] = name
    return ins


# RUN: not ds-opt %t/gqa_heads.onnx 2>&1 | FileCheck %s --check-prefix=GQAHEADS
# GQAHEADS: node 'y' (GroupQueryAttention, com.microsoft opset 1): attributes 'num_heads' and 'kv_num_heads' must be positive, got 4 and 0
gqa("gqa_heads", GQA_IN, kv_num_heads=0)

# RUN: not ds-opt %t/gqa_packed.onnx 2>&1 | FileCheck %s --check-prefix=GQAPACKED
# GQAPACKED: node 'y' (GroupQueryAttention, com.microsoft opset 1): packed QKV in input 'query' (no 'key'/'value') is not supported
gqa("gqa_packed", ["q", "", "", "", "", "sl", "tl"])

# RUN: not ds-opt %t/gqa_head_sink.onnx 2>&1 | FileCheck %s --check-prefix=GQASINK
# GQASINK: node 'y' (GroupQueryAttention, com.microsoft opset 1): smooth softmax ('head_sink' input or 'smooth_softmax' attribute) is not supported
gqa("gqa_head_sink", gqa_at(11, "hs"), [value("hs", F, [4])])

# RUN: not ds-opt %t/gqa_smooth.onnx 2>&1 | FileCheck %s --check-prefix=GQASMOOTH
# GQASMOOTH: node 'y' (GroupQueryAttention, com.microsoft opset 1): smooth softmax ('head_sink' input or 'smooth_softmax' attribute) is not supported
gqa("gqa_smooth", GQA_IN, smooth_softmax=1)

# RUN: not ds-opt %t/gqa_quant_type.onnx 2>&1 | FileCheck %s --check-prefix=GQAQUANT
# GQAQUANT: node 'y' (GroupQueryAttention, com.microsoft opset 1): a quantized KV cache (k_scale/v_scale, k_quant_type 'NONE', v_quant_type 'PER_TENSOR') is not supported
gqa("gqa_quant_type", GQA_IN, v_quant_type="PER_TENSOR")

# RUN: not ds-opt %t/gqa_k_scale.onnx 2>&1 | FileCheck %s --check-prefix=GQAKSCALE
# GQAKSCALE: node 'y' (GroupQueryAttention, com.microsoft opset 1): a quantized KV cache (k_scale/v_scale, k_quant_type 'NONE', v_quant_type 'NONE') is not supported
gqa("gqa_k_scale", gqa_at(12, "ks"), [value("ks", F, [1])])

# RUN: not ds-opt %t/gqa_chunked.onnx 2>&1 | FileCheck %s --check-prefix=GQACHUNKED
# GQACHUNKED: node 'y' (GroupQueryAttention, com.microsoft opset 1): input 'query_seqlens' (chunked prefill) is not supported
gqa("gqa_chunked", gqa_at(16, "qs"), [value("qs", I32, [1])])

# RUN: not ds-opt %t/gqa_qk_output.onnx 2>&1 | FileCheck %s --check-prefix=GQAQKOUT
# GQAQKOUT: node 'y' (GroupQueryAttention, com.microsoft opset 1): attribute 'qk_output' = 1 (output 'output_qk') is not supported
gqa("gqa_qk_output", GQA_IN, qk_output=1)

# The output alone, without the attribute.
# RUN: not ds-opt %t/gqa_qk_out_only.onnx 2>&1 | FileCheck %s --check-prefix=GQAQKOUTONLY
# GQAQKOUTONLY: node 'y' (GroupQueryAttention, com.microsoft opset 1): attribute 'qk_output' = 0 (output 'output_qk') is not supported
gqa("gqa_qk_out_only", GQA_IN, outputs=("y", "", "", "qk"))

# RUN: not ds-opt %t/gqa_q_norm_only.onnx 2>&1 | FileCheck %s --check-prefix=GQAQNORM
# GQAQNORM: node 'y' (GroupQueryAttention, com.microsoft opset 1): inputs 'q_norm_weight' and 'k_norm_weight' must be given together
gqa("gqa_q_norm_only", gqa_at(14, "qn"), [value("qn", F, [8])])

# RUN: not ds-opt %t/gqa_k_norm_only.onnx 2>&1 | FileCheck %s --check-prefix=GQAKNORM
# GQAKNORM: node 'y' (GroupQueryAttention, com.microsoft opset 1): inputs 'q_norm_weight' and 'k_norm_weight' must be given together
gqa("gqa_k_norm_only", gqa_at(15, "kn"), [value("kn", F, [8])])

# RUN: not ds-opt %t/gqa_4d.onnx 2>&1 | FileCheck %s --check-prefix=GQA4D
# GQA4D: node 'y' (GroupQueryAttention, com.microsoft opset 1): query, key and value must be 3-D [batch, seq, hidden]
gqa("gqa_4d", ["q4", "k", "v", "", "", "sl", "tl"], [value("q4", F, [1, 4, 4, 8])])

# RUN: not ds-opt %t/gqa_rotary_no_cache.onnx 2>&1 | FileCheck %s --check-prefix=GQAROTARY
# GQAROTARY: node 'y' (GroupQueryAttention, com.microsoft opset 1): do_rotary needs inputs 'cos_cache' and 'sin_cache'
gqa("gqa_rotary_no_cache", GQA_IN, do_rotary=1)

# Only the sin table.
# RUN: not ds-opt %t/gqa_rotary_no_cos.onnx 2>&1 | FileCheck %s --check-prefix=GQAROTARYCOS
# GQAROTARYCOS: node 'y' (GroupQueryAttention, com.microsoft opset 1): do_rotary needs inputs 'cos_cache' and 'sin_cache'
gqa("gqa_rotary_no_cos", gqa_at(8, "sin"), [value("sin", F, [16, 4])], do_rotary=1)

# RUN: not ds-opt %t/gqa_no_seqlens.onnx 2>&1 | FileCheck %s --check-prefix=GQASEQLENS
# GQASEQLENS: node 'y' (GroupQueryAttention, com.microsoft opset 1): input 'seqlens_k' is required
gqa("gqa_no_seqlens", ["q", "k", "v", "", "", "", "tl"])

# RUN: not ds-opt %t/gqa_causal_cross.onnx 2>&1 | FileCheck %s --check-prefix=GQACAUSAL
# GQACAUSAL: node 'y' (GroupQueryAttention, com.microsoft opset 1): causal attention with 4 queries and 6 new keys uses ONNX's upper-left aligned mask, which ds.attention (aligned for KV caches) does not express
gqa("gqa_causal_cross", ["q", "k6", "v6", "", "", "sl", "tl"],
    [value("k6", F, [1, 6, 16]), value("v6", F, [1, 6, 16])])

#===--- MoE ---------------------------------------------------------------===#
# Inputs: input, router_probs, fc1_experts_weights, fc1_experts_bias,
# fc2_experts_weights, fc2_experts_bias, fc3_experts_weights, fc3_experts_bias.

E, HID, INTER = 4, 8, 6
w = lambda *s: np.random.default_rng(0).standard_normal(s).astype(np.float32)
FC1, FC2, FC3 = tensor("fc1", w(E, INTER, HID)), tensor("fc2", w(E, HID, INTER)), \
    tensor("fc3", w(E, INTER, HID))
FC1_FUSED = tensor("fc1", w(E, 2 * INTER, HID))


def moe(name, inputs, x=(5, HID), router=F, inits=(FC1, FC2, FC3), extra=(), **attrs):
    attrs.setdefault("activation_type", "swiglu")
    ms(name, [node("MoE", inputs, ["y"], domain="com.microsoft", **attrs)],
       [value("x", F, list(x)), value("r", router, [5, E])] + list(extra),
       [value("y", F, list(x))], list(inits))


SEPARATE = ["x", "r", "fc1", "", "fc2", "", "fc3"]
FUSED = ["x", "r", "fc1", "", "fc2"]

# RUN: not ds-opt %t/moe_sparse_mixer.onnx 2>&1 | FileCheck %s --check-prefix=MOESPARSE
# MOESPARSE: node 'y' (MoE, com.microsoft opset 1): attribute 'use_sparse_mixer' = 1 is not supported
moe("moe_sparse_mixer", SEPARATE, use_sparse_mixer=1)

# RUN: not ds-opt %t/moe_alpha.onnx 2>&1 | FileCheck %s --check-prefix=MOEALPHA
# MOEALPHA: node 'y' (MoE, com.microsoft opset 1): swiglu with activation_alpha = 1.702000e+00, activation_beta = 0.000000e+00 is not supported; ds.moe uses silu(gate) * up
moe("moe_alpha", SEPARATE, activation_alpha=1.702)

# RUN: not ds-opt %t/moe_beta.onnx 2>&1 | FileCheck %s --check-prefix=MOEBETA
# MOEBETA: node 'y' (MoE, com.microsoft opset 1): swiglu with activation_alpha = 1.000000e+00, activation_beta = 1.000000e+00 is not supported; ds.moe uses silu(gate) * up
moe("moe_beta", SEPARATE, activation_beta=1.0)

# RUN: not ds-opt %t/moe_limit.onnx 2>&1 | FileCheck %s --check-prefix=MOELIMIT
# MOELIMIT: node 'y' (MoE, com.microsoft opset 1): swiglu with activation_alpha = 1.000000e+00, activation_beta = 0.000000e+00, swiglu_limit is not supported; ds.moe uses silu(gate) * up
moe("moe_limit", SEPARATE, swiglu_limit=7.0)

# RUN: not ds-opt %t/moe_bias.onnx 2>&1 | FileCheck %s --check-prefix=MOEBIAS
# MOEBIAS: node 'y' (MoE, com.microsoft opset 1): input 'fc2_experts_bias' is not supported (ds.moe experts have no biases)
moe("moe_bias", ["x", "r", "fc1", "", "fc2", "b2", "fc3"],
    inits=(FC1, FC2, FC3, tensor("b2", w(E, HID))))

# RUN: not ds-opt %t/moe_interleaved.onnx 2>&1 | FileCheck %s --check-prefix=MOEINTER
# MOEINTER: node 'y' (MoE, com.microsoft opset 1): attribute 'swiglu_fusion' = 1 (gate and up interleaved in fc1) is not supported; ds.moe takes [gate | up] (swiglu_fusion = 2)
moe("moe_interleaved", FUSED, inits=(FC1_FUSED, FC2), swiglu_fusion=1)

# RUN: not ds-opt %t/moe_fusion3.onnx 2>&1 | FileCheck %s --check-prefix=MOEFUSION3
# MOEFUSION3: node 'y' (MoE, com.microsoft opset 1): attribute 'swiglu_fusion' = 3 is not valid
moe("moe_fusion3", FUSED, inits=(FC1_FUSED, FC2), swiglu_fusion=3)

# RUN: not ds-opt %t/moe_no_fc3.onnx 2>&1 | FileCheck %s --check-prefix=MOENOFC3
# MOENOFC3: node 'y' (MoE, com.microsoft opset 1): swiglu_fusion = 0 needs input 'fc3_experts_weights' (the up projection)
moe("moe_no_fc3", FUSED, inits=(FC1, FC2))

# RUN: not ds-opt %t/moe_fused_fc3.onnx 2>&1 | FileCheck %s --check-prefix=MOEFUSEDFC3
# MOEFUSEDFC3: node 'y' (MoE, com.microsoft opset 1): input 'fc3_experts_weights' is not used with swiglu_fusion = 2
moe("moe_fused_fc3", SEPARATE, inits=(FC1_FUSED, FC2, FC3), swiglu_fusion=2)

# RUN: not ds-opt %t/moe_rank4.onnx 2>&1 | FileCheck %s --check-prefix=MOERANK
# MOERANK: node 'y' (MoE, com.microsoft opset 1): input 'input' must be 2-D [tokens, hidden] or 3-D [batch, seq, hidden], got shape 1x1x5x8
moe("moe_rank4", SEPARATE, x=(1, 1, 5, HID))

# RUN: not ds-opt %t/moe_rank1.onnx 2>&1 | FileCheck %s --check-prefix=MOERANK1
# MOERANK1: node 'y' (MoE, com.microsoft opset 1): input 'input' must be 2-D [tokens, hidden] or 3-D [batch, seq, hidden], got shape 8
moe("moe_rank1", SEPARATE, x=(HID,))

# RUN: not ds-opt %t/moe_hidden_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=MOEHIDDEN
# MOEHIDDEN: node 'y' (MoE, com.microsoft opset 1): a 3-D input needs a static hidden size
moe("moe_hidden_dynamic", SEPARATE, x=(1, 5, "h"))

# RUN: not ds-opt %t/moe_router_type.onnx 2>&1 | FileCheck %s --check-prefix=MOEROUTER
# MOEROUTER: node 'y' (MoE, com.microsoft opset 1): router_probs element type f16 differs from input's f32
moe("moe_router_type", SEPARATE, router=H16)
