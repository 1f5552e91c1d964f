# ai.onnx Attention with is_causal. ONNX shows key j to query i iff j <= i + past
# (top-left after the past); ds.attention's `causal` is bottom-right aligned
# (j <= i + kv_seq - q_seq). The import uses `causal` only when the query and new
# key lengths are static and equal, and builds the top-left mask otherwise.
# RUN: %python %s %t
# RUN: ds-opt %t/equal.onnx | FileCheck %s --check-prefix=EQUAL
# RUN: ds-opt %t/cross.onnx | FileCheck %s --check-prefix=CROSS
# RUN: ds-opt %t/cross_past.onnx | FileCheck %s --check-prefix=CPAST
# RUN: ds-opt %t/cross_float_mask.onnx | FileCheck %s --check-prefix=CFLOAT
# RUN: ds-opt %t/cross_bool_mask.onnx | FileCheck %s --check-prefix=CBOOL
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/dynamic_past.onnx | FileCheck %s --check-prefix=DPAST
# RUN: ds-opt %t/not_causal.onnx | FileCheck %s --check-prefix=NOTCAUSAL
# RUN: not ds-opt %t/long_mask.onnx 2>&1 | FileCheck %s --check-prefix=LONG
from onnx_testing import *

F, B = TensorProto.FLOAT, TensorProto.BOOL


def attention(name, q, k, v, mask=None, past=None, mask_type=F, opset=23, **attrs):
    inputs = [value("q", F, q), value("k", F, k), value("v", F, v)]
    names = ["q", "k", "v"]
    if mask is not None:
        inputs.append(value("m", mask_type, mask))
        names.append("m")
    if past is not None:
        if mask is None:
            names.append("")
        inputs += [value("pk", F, past[0]), value("pv", F, past[1])]
        names += ["pk", "pv"]
    outputs = ["y"] + (["present_k", "present_v"] if past is not None else [])
    emit(name, model([node("Attention", names, outputs, **attrs)], inputs,
                     [value(o, F, ["a", "b", "c", "d"]) for o in outputs], opset=opset))


# As many new keys as queries: the alignments agree, `causal` is kept.
# EQUAL-LABEL: func.func @main
# EQUAL-NOT: ds.compare
# EQUAL: ds.attention %arg0, %arg1, %arg2 {causal, scale = 0.353553385 : f32} : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
attention("equal", [1, 2, 3, 8], [1, 2, 3, 8], [1, 2, 3, 8], is_causal=1)

# 3 queries, 5 keys, no past: query i sees keys 0..i (a folded constant mask).
# CROSS-LABEL: func.func @main
# CROSS: %[[M:.*]] = ds.constant dense<{{\[\[}}true, false, false, false, false], [true, true, false, false, false], [true, true, true, false, false]]> : tensor<3x5xi1>
# CROSS: ds.attention %arg0, %arg1, %arg2, %[[M]] {scale = 0.353553385 : f32} : ({{.*}}, tensor<3x5xi1>) -> tensor<1x2x3x8xf32>
# CROSS-NOT: causal
attention("cross", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], is_causal=1)

# 2 queries, 3 new keys after a past of 2: query i sees keys 0..i+2.
# CPAST-LABEL: func.func @main
# CPAST: %[[K:.*]] = ds.concat %arg3, %arg1
# CPAST: %[[M:.*]] = ds.constant dense<{{\[\[}}true, true, true, false, false], [true, true, true, true, false]]> : tensor<2x5xi1>
# CPAST: ds.attention %arg0, %[[K]], %{{.*}}, %[[M]] {scale = 0.353553385 : f32}
# CPAST-NOT: causal
attention("cross_past", [1, 2, 2, 8], [1, 2, 3, 8], [1, 2, 3, 8],
          past=([1, 2, 2, 8], [1, 2, 2, 8]), is_causal=1)

# A float mask keeps its values where the causal mask allows and gets -inf elsewhere.
# CFLOAT-LABEL: func.func @main
# CFLOAT: %[[KEEP:.*]] = ds.constant dense<{{.*}}> : tensor<2x3xi1>
# CFLOAT: %[[NINF:.*]] = ds.constant dense<0xFF800000> : tensor<f32>
# CFLOAT: %[[M:.*]] = ds.select %[[KEEP]], %arg3, %[[NINF]] : (tensor<2x3xi1>, tensor<1x1x2x3xf32>, tensor<f32>) -> tensor<1x1x2x3xf32>
# CFLOAT: ds.attention %arg0, %arg1, %arg2, %[[M]] {scale = 1.000000e+00 : f32}
attention("cross_float_mask", [1, 2, 2, 8], [1, 2, 3, 8], [1, 2, 3, 8], mask=[1, 1, 2, 3],
          is_causal=1, scale=1.0)

# A boolean mask is and-ed with the causal one.
# CBOOL-LABEL: func.func @main
# CBOOL: %[[KEEP:.*]] = ds.constant dense<{{.*}}> : tensor<2x3xi1>
# CBOOL: %[[M:.*]] = ds.binary and %arg3, %[[KEEP]] : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
# CBOOL: ds.attention %arg0, %arg1, %arg2, %[[M]]
attention("cross_bool_mask", [1, 2, 2, 8], [1, 2, 3, 8], [1, 2, 3, 8], mask=[2, 3],
          mask_type=B, is_causal=1)

# Dynamic lengths (here 3-D GQA inputs) may differ, so the mask is computed at run
# time from the sequence lengths.
# DYN-LABEL: func.func @main
# DYN: %[[Q:.*]] = ds.transpose {{.*}} -> tensor<?x4x?x8xf32>
# DYN: %[[K:.*]] = ds.transpose {{.*}} -> tensor<?x2x?x8xf32>
# DYN: %[[V:.*]] = ds.transpose {{.*}} -> tensor<?x2x?x8xf32>
# DYN: %[[SQ:.*]] = ds.shape_of %[[Q]] {end = 3 : i64, start = 2 : i64}
# DYN: %[[ROWS:.*]] = ds.range {{.*}} -> tensor<?xi64>
# DYN: %[[SK:.*]] = ds.shape_of %[[K]] {end = 3 : i64, start = 2 : i64}
# DYN: %[[COLS:.*]] = ds.range {{.*}} -> tensor<?xi64>
# DYN: %[[C:.*]] = ds.reshape %[[COLS]], {{.*}} -> tensor<1x?xi64>
# DYN: %[[R:.*]] = ds.reshape {{.*}} -> tensor<?x1xi64>
# DYN: %[[KEEP:.*]] = ds.compare le %[[C]], %[[R]] : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi1>
# DYN: %[[A:.*]] = ds.attention %[[Q]], %[[K]], %[[V]], %[[KEEP]] {scale = 0.353553385 : f32} : (tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x?xi1>) -> tensor<?x4x?x8xf32>
# DYN-NOT: causal
emit("dynamic", model(
    [node("Attention", ["q", "k", "v"], ["y"], is_causal=1, q_num_heads=4, kv_num_heads=2)],
    [value("q", F, ["b", "s", 32]), value("k", F, ["b", "s", 16]), value("v", F, ["b", "s", 16])],
    [value("y", F, ["b", "s", 32])], opset=23))

# With a dynamic past, the query positions start at the past length.
# DPAST-LABEL: func.func @main
# DPAST: %[[P:.*]] = ds.shape_of %arg3 {end = 3 : i64, start = 2 : i64}
# DPAST: %[[P0:.*]] = ds.reshape %[[P]]
# DPAST: %[[END:.*]] = ds.binary add %[[P0]], %{{.*}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
# DPAST: ds.range %[[P0]], %[[END]], %{{.*}}
# DPAST: ds.compare le
# DPAST: ds.attention {{.*}} : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<?x?xi1>)
# DPAST-NOT: causal
attention("dynamic_past", [1, 2, "s", 8], [1, 2, "s", 8], [1, 2, "s", 8],
          past=([1, 2, "p", 8], [1, 2, "p", 8]), is_causal=1, scale=0.5)

# Near miss: is_causal = 0 with different lengths builds no mask.
# NOTCAUSAL-LABEL: func.func @main
# NOTCAUSAL-NOT: ds.compare
# NOTCAUSAL: ds.attention %arg0, %arg1, %arg2 {scale = 0.353553385 : f32}
attention("not_causal", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], is_causal=0)

# A mask longer than the keys is an error (a shorter one is padded, see
# transformer_attention_mask.py).
# LONG: node 'y' (Attention, ai.onnx opset 23): input 'attn_mask' covers 6 keys but there are 5 (past and new)
attention("long_mask", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[3, 6], is_causal=1)
