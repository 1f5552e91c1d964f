# ai.onnx Attention (opset 23, 24) -> ds.attention, with 3-D inputs split into heads.
# RUN: %python %s %t
# RUN: ds-opt %t/gqa_3d.onnx | FileCheck %s --check-prefix=GQA
# RUN: ds-opt %t/bool_mask_4d.onnx | FileCheck %s --check-prefix=BOOL
# RUN: ds-opt %t/float_mask_past.onnx | FileCheck %s --check-prefix=PAST
# RUN: ds-opt %t/softcap.onnx | FileCheck %s --check-prefix=SOFTCAP
# RUN: not ds-opt %t/no_heads.onnx 2>&1 | FileCheck %s --check-prefix=NOHEADS
# RUN: not ds-opt %t/qk_output.onnx 2>&1 | FileCheck %s --check-prefix=QKOUT
# RUN: not ds-opt %t/causal_cross.onnx 2>&1 | FileCheck %s --check-prefix=CROSS
# RUN: not ds-opt %t/nonpad.onnx 2>&1 | FileCheck %s --check-prefix=NONPAD
# RUN: not ds-opt %t/short_mask.onnx 2>&1 | FileCheck %s --check-prefix=SHORT
# RUN: not ds-opt %t/bad_gqa.onnx 2>&1 | FileCheck %s --check-prefix=BADGQA
from onnx_testing import *

F, B = TensorProto.FLOAT, TensorProto.BOOL

# Grouped-query attention on 3-D inputs, 4 query heads over 2 kv heads of size 8, causal, default scale 1/sqrt(8).
# GQA-LABEL: func.func @main
# GQA: %[[S:.*]] = ds.constant dense<[0, 0, 4, -1]> : tensor<4xi64>
# GQA: %[[R:.*]] = ds.reshape %arg0, %[[S]] {{.*}} -> tensor<?x?x4x8xf32>
# GQA: %[[Q:.*]] = ds.transpose %[[R]] {perm = array<i64: 0, 2, 1, 3>} : tensor<?x?x4x8xf32> -> tensor<?x4x?x8xf32>
# GQA: ds.constant dense<[0, 0, 2, -1]>
# GQA: %[[K:.*]] = ds.transpose {{.*}} -> tensor<?x2x?x8xf32>
# GQA: %[[V:.*]] = ds.transpose {{.*}} -> tensor<?x2x?x8xf32>
# GQA: %[[A:.*]] = ds.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 0.353553385 : f32} : (tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>) -> tensor<?x4x?x8xf32>
# GQA: %[[T:.*]] = ds.transpose %[[A]] {perm = array<i64: 0, 2, 1, 3>}
# GQA: ds.constant dense<[0, 0, 32]> : tensor<3xi64>
# GQA: %[[Y:.*]] = ds.reshape %[[T]], {{.*}} -> tensor<?x?x32xf32>
# GQA: return %[[Y]]
emit("gqa_3d", model(
    [node("Attention", ["q", "k", "v"], ["y"], is_causal=1, q_num_heads=4, kv_num_heads=2)],
    [value("q", F, ["b", "s", 32]), value("k", F, ["b", "s", 16]), value("v", F, ["b", "s", 16])],
    [value("y", F, ["b", "s", 32])], opset=23))

# 4-D MHA with a boolean [Sq, Skv] mask and an explicit scale; not causal.
# BOOL-LABEL: func.func @main
# BOOL-NOT: ds.reshape
# BOOL: ds.attention %arg0, %arg1, %arg2, %arg3 {scale = 5.000000e-01 : f32} : (tensor<2x4x3x8xf32>, tensor<2x4x5x8xf32>, tensor<2x4x5x16xf32>, tensor<3x5xi1>) -> tensor<2x4x3x16xf32>
# BOOL-NOT: causal
emit("bool_mask_4d", model(
    [node("Attention", ["q", "k", "v", "m"], ["y"], scale=0.5)],
    [value("q", F, [2, 4, 3, 8]), value("k", F, [2, 4, 5, 8]), value("v", F, [2, 4, 5, 16]),
     value("m", B, [3, 5])],
    [value("y", F, [2, 4, 3, 16])], opset=23))

# KV cache: past (2 tokens) + new (3 tokens) keys, causal, float mask; present outputs.
# PAST-LABEL: func.func @main
# PAST: %[[K:.*]] = ds.concat %arg4, %arg1 {axis = 2 : i64} : (tensor<1x2x2x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x5x8xf32>
# PAST: %[[V:.*]] = ds.concat %arg5, %arg2 {axis = 2 : i64} : (tensor<1x2x2x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x5x8xf32>
# PAST: %[[Y:.*]] = ds.attention %arg0, %[[K]], %[[V]], %arg3 {causal, scale = 0.353553385 : f32} : (tensor<1x6x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x1x3x5xf32>)
# PAST: return %[[Y]], %[[K]], %[[V]]
emit("float_mask_past", model(
    [node("Attention", ["q", "k", "v", "m", "pk", "pv"], ["y", "present_k", "present_v"], is_causal=1)],
    [value("q", F, [1, 6, 3, 8]), value("k", F, [1, 2, 3, 8]), value("v", F, [1, 2, 3, 8]),
     value("m", F, [1, 1, 3, 5]), value("pk", F, [1, 2, 2, 8]), value("pv", F, [1, 2, 2, 8])],
    [value("y", F, [1, 6, 3, 8]), value("present_k", F, [1, 2, 5, 8]),
     value("present_v", F, [1, 2, 5, 8])], opset=23))

# SOFTCAP-LABEL: func.func @main
# SOFTCAP: ds.attention {{.*}} {scale = 1.250000e-01 : f32, softcap = 3.000000e+01 : f32}
emit("softcap", model(
    [node("Attention", ["q", "k", "v"], ["y"], softcap=30.0, scale=0.125)],
    [value("q", F, [1, 2, 4, 8]), value("k", F, [1, 2, 4, 8]), value("v", F, [1, 2, 4, 8])],
    [value("y", F, [1, 2, 4, 8])], opset=23))

# NOHEADS: node 'y' (Attention, ai.onnx opset 23): 3-D Q, K and V need positive attributes 'q_num_heads' and 'kv_num_heads'
emit("no_heads", model(
    [node("Attention", ["q", "k", "v"], ["y"])],
    [value("q", F, [1, 4, 32]), value("k", F, [1, 4, 32]), value("v", F, [1, 4, 32])],
    [value("y", F, [1, 4, 32])], opset=23), check=False)

# QKOUT: output 'qk_matmul_output' (qk_matmul_output_mode = 1) is not supported
emit("qk_output", model(
    [node("Attention", ["q", "k", "v"], ["y", "", "", "qk"], qk_matmul_output_mode=1)],
    [value("q", F, [1, 2, 4, 8]), value("k", F, [1, 2, 4, 8]), value("v", F, [1, 2, 4, 8])],
    [value("y", F, [1, 2, 4, 8]), value("qk", F, [1, 2, 4, 4])], opset=23))

# Without a past, ONNX aligns the causal mask top-left; ds.attention cannot say that.
# CROSS: causal attention with 3 queries and 5 new keys uses ONNX's upper-left aligned mask
emit("causal_cross", model(
    [node("Attention", ["q", "k", "v"], ["y"], is_causal=1)],
    [value("q", F, [1, 2, 3, 8]), value("k", F, [1, 2, 5, 8]), value("v", F, [1, 2, 5, 8])],
    [value("y", F, [1, 2, 3, 8])], opset=23))

# NONPAD: node 'y' (Attention, ai.onnx opset 24): input 'nonpad_kv_seqlen' is not supported yet
emit("nonpad", model(
    [node("Attention", ["q", "k", "v", "", "", "", "n"], ["y"])],
    [value("q", F, [1, 2, 3, 8]), value("k", F, [1, 2, 5, 8]), value("v", F, [1, 2, 5, 8]),
     value("n", TensorProto.INT64, [1])],
    [value("y", F, [1, 2, 3, 8])], opset=24))

# SHORT: input 'attn_mask' covers 4 of the 5 keys; padding a short mask is not supported
emit("short_mask", model(
    [node("Attention", ["q", "k", "v", "m"], ["y"])],
    [value("q", F, [1, 2, 3, 8]), value("k", F, [1, 2, 5, 8]), value("v", F, [1, 2, 5, 8]),
     value("m", F, [3, 4])],
    [value("y", F, [1, 2, 3, 8])], opset=23))

# The verifier's message surfaces as the node's error.
# BADGQA: node 'y' (Attention, ai.onnx opset 23): {{.*}}'ds.attention' op query heads 3 are not a multiple of key/value heads 2
emit("bad_gqa", model(
    [node("Attention", ["q", "k", "v"], ["y"])],
    [value("q", F, [1, 3, 4, 8]), value("k", F, [1, 2, 4, 8]), value("v", F, [1, 2, 4, 8])],
    [value("y", F, [1, 3, 4, 8])], opset=23), check=False)
