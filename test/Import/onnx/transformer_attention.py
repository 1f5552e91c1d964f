# ai.onnx Attention (opset 23, 24) -> ds.attention, with 3-D inputs split into heads.
# Causal alignment: `causal` when the query and new key lengths are static and
# equal, an explicit top-left mask otherwise (see transformer_attention_causal.py).
# RUN: %python %s %t
# RUN: ds-opt %t/bool_mask_4d.onnx | FileCheck %s --check-prefix=BOOL
# RUN: ds-opt %t/float_mask_past.onnx | FileCheck %s --check-prefix=PAST
# RUN: ds-opt %t/softcap.onnx | FileCheck %s --check-prefix=SOFTCAP
# RUN: not ds-opt %t/no_heads.onnx 2>&1 | FileCheck %s --check-prefix=NOHEADS
# RUN: not ds-opt %t/bad_gqa.onnx 2>&1 | FileCheck %s --check-prefix=BADGQA
# RUN: not ds-opt %t/past_key_only.onnx 2>&1 | FileCheck %s --check-prefix=PASTONLY
from onnx_testing import *

F, B = TensorProto.FLOAT, TensorProto.BOOL

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

# The verifier's message surfaces as the node's error.
# BADGQA: node 'y' (Attention, ai.onnx opset 23): {{.*}}'ds.attention' op query heads 3 are not a multiple of key/value heads 2
emit("bad_gqa", model(
    [node("Attention", ["q", "k", "v"], ["y"])],
    [value("q", F, [1, 3, 4, 8]), value("k", F, [1, 2, 4, 8]), value("v", F, [1, 2, 4, 8])],
    [value("y", F, [1, 3, 4, 8])], opset=23), check=False)

# PASTONLY: node 'y' (Attention, ai.onnx opset 23): inputs 'past_key' and 'past_value' must be given together
emit("past_key_only", model(
    [node("Attention", ["q", "k", "v", "", "pk"], ["y"])],
    [value("q", F, [1, 2, 3, 8]), value("k", F, [1, 2, 3, 8]), value("v", F, [1, 2, 3, 8]),
     value("pk", F, [1, 2, 2, 8])],
    [value("y", F, [1, 2, 3, 8])], opset=23), check=False)
