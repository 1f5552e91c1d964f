# com.microsoft MultiHeadAttention, GroupQueryAttention and MoE.
# RUN: %python %s %t
# RUN: ds-opt %t/mha.onnx | FileCheck %s --check-prefix=MHA
# RUN: not ds-opt %t/mha_packed.onnx 2>&1 | FileCheck %s --check-prefix=PACKED
# RUN: ds-opt %t/gqa.onnx | FileCheck %s --check-prefix=GQA
# RUN: not ds-opt %t/gqa_past.onnx 2>&1 | FileCheck %s --check-prefix=GQAPAST
# RUN: ds-opt %t/moe.onnx | FileCheck %s --check-prefix=MOE
# RUN: ds-opt %t/moe_fused.onnx | FileCheck %s --check-prefix=FUSED
# RUN: not ds-opt %t/moe_relu.onnx 2>&1 | FileCheck %s --check-prefix=RELU
# RUN: not ds-opt %t/moe_interleaved.onnx 2>&1 | FileCheck %s --check-prefix=INTER
from onnx_testing import *

F, I32 = TensorProto.FLOAT, TensorProto.INT32
MS = [("com.microsoft", 1)]

# Causal MHA with a [batch, kv_seq] key padding mask turned into an additive mask.
# MHA-LABEL: func.func @main
# MHA: %[[KEEP:.*]] = ds.compare ne %arg3, {{.*}} : (tensor<2x4xi32>, tensor<i32>) -> tensor<2x4xi1>
# MHA: %[[ADD:.*]] = ds.select %[[KEEP]], {{.*}} -> tensor<2x4xf32>
# MHA: %[[M:.*]] = ds.reshape %[[ADD]], {{.*}} -> tensor<2x1x1x4xf32>
# MHA: ds.attention {{.*}}, %[[M]] {causal, scale = 0.353553385 : f32} : (tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x1x1x4xf32>) -> tensor<2x2x4x8xf32>
emit("mha", model(
    [node("MultiHeadAttention", ["q", "k", "v", "", "kpm"], ["y"], domain="com.microsoft",
          num_heads=2, unidirectional=1)],
    [value("q", F, [2, 4, 16]), value("k", F, [2, 4, 16]), value("v", F, [2, 4, 16]),
     value("kpm", I32, [2, 4])],
    [value("y", F, [2, 4, 16])], extra_opsets=MS), check=False)

# PACKED: node 'y' (MultiHeadAttention, com.microsoft opset 1): input 'query' of rank 5 (packed QKV) is not supported
emit("mha_packed", model(
    [node("MultiHeadAttention", ["q"], ["y"], domain="com.microsoft", num_heads=2)],
    [value("q", F, [2, 4, 2, 3, 8])], [value("y", F, [2, 4, 16])], extra_opsets=MS), check=False)

# GQA prompt: rotary on q and k at positions 0..S-1, a padding mask from seqlens_k,
# local window 3.
# GQA-LABEL: func.func @main
# GQA: %[[P:.*]] = ds.constant dense<{{\[\[}}0, 1, 2, 3]]> : tensor<1x4xi64>
# GQA: %[[Q:.*]] = ds.rope rotate_half %{{.*}}, %arg5, %arg6 positions %[[P]] : (tensor<1x4x4x8xf32>
# GQA: %[[K:.*]] = ds.rope rotate_half %{{.*}}, %arg5, %arg6 positions %[[P]] : (tensor<1x2x4x8xf32>
# GQA: %[[M:.*]] = ds.compare le {{.*}} -> tensor<1x1x1x4xi1>
# GQA: ds.attention %[[Q]], %[[K]], %{{.*}}, %[[M]] {causal, scale = 0.353553385 : f32, window = 3 : i64} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x1x4xi1>) -> tensor<1x4x4x8xf32>
emit("gqa", model(
    [node("GroupQueryAttention", ["q", "k", "v", "", "", "sl", "tl", "cos", "sin"], ["y"],
          domain="com.microsoft", num_heads=4, kv_num_heads=2, do_rotary=1, local_window_size=3)],
    [value("q", F, [1, 4, 32]), value("k", F, [1, 4, 16]), value("v", F, [1, 4, 16]),
     value("sl", I32, [1]), value("tl", I32, []), value("cos", F, [16, 4]), value("sin", F, [16, 4])],
    [value("y", F, [1, 4, 32])], extra_opsets=MS), check=False)

# GQAPAST: inputs 'past_key'/'past_value' (in-place KV cache indexed by seqlens_k) are not supported yet
emit("gqa_past", model(
    [node("GroupQueryAttention", ["q", "k", "v", "pk", "pv", "sl", "tl"], ["y"],
          domain="com.microsoft", num_heads=4, kv_num_heads=2)],
    [value("q", F, [1, 1, 32]), value("k", F, [1, 1, 16]), value("v", F, [1, 1, 16]),
     value("pk", F, [1, 2, 8, 8]), value("pv", F, [1, 2, 8, 8]),
     value("sl", I32, [1]), value("tl", I32, [])],
    [value("y", F, [1, 1, 32])], extra_opsets=MS), check=False)

E, H, I = 4, 8, 6
w = lambda *s: np.random.default_rng(0).standard_normal(s).astype(np.float32)

# Separate gate (fc1) and up (fc3); onnxruntime's [E, out, in] weights are transposed.
# MOE-LABEL: func.func @main
# MOE: %[[G:.*]] = ds.transpose {{.*}} {perm = array<i64: 0, 2, 1>} : tensor<4x6x8xf32> -> tensor<4x8x6xf32>
# MOE: %[[D:.*]] = ds.transpose {{.*}} {perm = array<i64: 0, 2, 1>} : tensor<4x8x6xf32> -> tensor<4x6x8xf32>
# MOE: %[[U:.*]] = ds.transpose {{.*}} {perm = array<i64: 0, 2, 1>} : tensor<4x6x8xf32> -> tensor<4x8x6xf32>
# MOE: ds.moe softmax %arg0, %arg1 gate(%[[G]]) up(%[[U]]) down(%[[D]]) {norm_topk_prob, top_k = 2 : i64} : (tensor<5x8xf32>, tensor<5x4xf32>, tensor<4x8x6xf32>, tensor<4x8x6xf32>, tensor<4x6x8xf32>) -> tensor<5x8xf32>
emit("moe", model(
    [node("MoE", ["x", "r", "fc1", "", "fc2", "", "fc3"], ["y"], domain="com.microsoft",
          k=2, activation_type="swiglu", normalize_routing_weights=1)],
    [value("x", F, [5, H]), value("r", F, [5, E])], [value("y", F, [5, H])],
    [tensor("fc1", w(E, I, H)), tensor("fc2", w(E, H, I)), tensor("fc3", w(E, I, H))],
    extra_opsets=MS), check=False)

# Fused [gate | up] and a 3-D input, flattened to tokens and reshaped back.
# FUSED-LABEL: func.func @main
# FUSED: ds.reshape %arg0, {{.*}} -> tensor<6x8xf32>
# FUSED: %[[Y:.*]] = ds.moe softmax {{.*}} gate(%{{.*}}) down(%{{.*}}) {top_k = 1 : i64} : (tensor<6x8xf32>, tensor<6x4xf32>, tensor<4x8x12xf32>, tensor<4x6x8xf32>) -> tensor<6x8xf32>
# FUSED: ds.reshape %[[Y]], {{.*}} -> tensor<2x3x8xf32>
emit("moe_fused", model(
    [node("MoE", ["x", "r", "fc1", "", "fc2"], ["y"], domain="com.microsoft",
          activation_type="swiglu", swiglu_fusion=2)],
    [value("x", F, [2, 3, H]), value("r", F, [6, E])], [value("y", F, [2, 3, H])],
    [tensor("fc1", w(E, 2 * I, H)), tensor("fc2", w(E, H, I))], extra_opsets=MS), check=False)

# RELU: attribute 'activation_type' = 'relu' is not supported: ds.moe experts are gated ('swiglu')
emit("moe_relu", model(
    [node("MoE", ["x", "r", "fc1", "", "fc2"], ["y"], domain="com.microsoft")],
    [value("x", F, [5, H]), value("r", F, [5, E])], [value("y", F, [5, H])],
    [tensor("fc1", w(E, I, H)), tensor("fc2", w(E, H, I))], extra_opsets=MS), check=False)

# INTER: attribute 'swiglu_fusion' = 1 (gate and up interleaved in fc1) is not supported
emit("moe_interleaved", model(
    [node("MoE", ["x", "r", "fc1", "", "fc2"], ["y"], domain="com.microsoft",
          activation_type="swiglu", swiglu_fusion=1)],
    [value("x", F, [5, H]), value("r", F, [5, E])], [value("y", F, [5, H])],
    [tensor("fc1", w(E, 2 * I, H)), tensor("fc2", w(E, H, I))], extra_opsets=MS), check=False)
