# ai.onnx Attention output 'qk_matmul_output', decomposed next to ds.attention:
# (Q * sqrt(scale)) · (K * sqrt(scale))ᵀ with kv heads repeated for grouped queries,
# then by qk_matmul_output_mode 0: as is, 1: softcapped, 2: + the whole mask,
# 3: softmax of that (in softmax_precision when given).
# RUN: %python %s %t
# RUN: ds-opt %t/mode0.onnx | FileCheck %s --check-prefix=MODE0
# RUN: ds-opt %t/mode0_softcap.onnx | FileCheck %s --check-prefix=MODE0CAP
# RUN: ds-opt %t/mode1.onnx | FileCheck %s --check-prefix=MODE1
# RUN: ds-opt %t/mode2_causal.onnx | FileCheck %s --check-prefix=MODE2
# RUN: ds-opt %t/mode2_bool.onnx | FileCheck %s --check-prefix=MODE2BOOL
# RUN: ds-opt %t/mode3_precision.onnx | FileCheck %s --check-prefix=MODE3
# RUN: ds-opt %t/gqa.onnx | FileCheck %s --check-prefix=GQA
# RUN: ds-opt %t/gqa_dynamic_heads.onnx | FileCheck %s --check-prefix=DYNHEADS
# RUN: not ds-opt %t/bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=BADMODE
# RUN: not ds-opt %t/bad_precision.onnx 2>&1 | FileCheck %s --check-prefix=BADPREC
from onnx_testing import *

F, B = TensorProto.FLOAT, TensorProto.BOOL


def attention(name, q, k, v, mask=None, mask_type=F, check=True, **attrs):
    inputs = [value("q", F, q), value("k", F, k), value("v", F, v)]
    names = ["q", "k", "v"]
    if mask is not None:
        inputs.append(value("m", mask_type, mask))
        names.append("m")
    emit(name, model([node("Attention", names, ["y", "", "", "qk"], **attrs)], inputs,
                     [value("y", F, ["a", "b", "c", "d"]), value("qk", F, ["a", "b", "c", "d"])],
                     opset=23), check=check)


# Mode 0 (default): the scaled product only; the main output is still ds.attention.
# scale 0.25 -> each side times 0.5.
# MODE0-LABEL: func.func @main
# MODE0: %[[Y:.*]] = ds.attention %arg0, %arg1, %arg2 {scale = 2.500000e-01 : f32}
# MODE0: %[[H:.*]] = ds.constant dense<5.000000e-01> : tensor<f32>
# MODE0: %[[Q:.*]] = ds.binary mul %arg0, %[[H]]
# MODE0: %[[K:.*]] = ds.binary mul %arg1, %[[H]]
# MODE0: %[[S:.*]] = ds.matmul %[[Q]], %[[K]] {transpose_b} : (tensor<1x2x3x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x3x5xf32>
# MODE0-NEXT: return %[[Y]], %[[S]]
attention("mode0", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], scale=0.25)

# Mode 0 is before the softcap (the operator text; onnxruntime agrees).
# MODE0CAP-LABEL: func.func @main
# MODE0CAP: ds.attention {{.*}}softcap = 3.000000e+00
# MODE0CAP: %[[S:.*]] = ds.matmul
# MODE0CAP-NOT: tanh
# MODE0CAP: return %{{.*}}, %[[S]]
attention("mode0_softcap", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], softcap=3.0)

# Mode 1: softcap * tanh(s / softcap); the mask is not added.
# MODE1-LABEL: func.func @main
# MODE1: %[[S:.*]] = ds.matmul
# MODE1: %[[CAP:.*]] = ds.constant dense<3.000000e+00> : tensor<f32>
# MODE1: %[[D:.*]] = ds.binary div %[[S]], %[[CAP]]
# MODE1: %[[T:.*]] = ds.unary tanh %[[D]]
# MODE1: %[[C:.*]] = ds.binary mul %[[T]], %[[CAP]]
# MODE1-NOT: add
# MODE1: return %{{.*}}, %[[C]]
attention("mode1", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[3, 5], softcap=3.0,
          qk_matmul_output_mode=1)

# Mode 2 includes the causal mask even when ds.attention takes `causal` (equal
# lengths): the float mask restricted by the causal keep mask is added.
# MODE2-LABEL: func.func @main
# MODE2: %[[KEEP:.*]] = ds.constant dense<{{\[\[}}true, false, false], [true, true, false], [true, true, true]]> : tensor<3x3xi1>
# MODE2: %[[Y:.*]] = ds.attention %arg0, %arg1, %arg2, %arg3 {causal, scale = 0.353553385 : f32}
# MODE2: %[[M:.*]] = ds.select %[[KEEP]], %arg3, %{{.*}} : (tensor<3x3xi1>, tensor<3x3xf32>, tensor<f32>) -> tensor<3x3xf32>
# MODE2: %[[S:.*]] = ds.matmul
# MODE2: %[[B:.*]] = ds.binary add %[[S]], %[[M]] : (tensor<1x2x3x3xf32>, tensor<3x3xf32>) -> tensor<1x2x3x3xf32>
# MODE2: return %[[Y]], %[[B]]
attention("mode2_causal", [1, 2, 3, 8], [1, 2, 3, 8], [1, 2, 3, 8], mask=[3, 3], is_causal=1,
          qk_matmul_output_mode=2)

# A boolean mask sets -inf where it is false.
# MODE2BOOL-LABEL: func.func @main
# MODE2BOOL: %[[S:.*]] = ds.matmul
# MODE2BOOL: %[[NINF:.*]] = ds.constant dense<0xFF800000> : tensor<f32>
# MODE2BOOL: %[[B:.*]] = ds.select %arg3, %[[S]], %[[NINF]] : (tensor<3x5xi1>, tensor<1x2x3x5xf32>, tensor<f32>) -> tensor<1x2x3x5xf32>
# MODE2BOOL: return %{{.*}}, %[[B]]
attention("mode2_bool", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[3, 5], mask_type=B,
          qk_matmul_output_mode=2)

# Mode 3 with softmax_precision = DOUBLE: softmax in f64, the result back in f32.
# MODE3-LABEL: func.func @main
# MODE3: %[[B:.*]] = ds.binary add
# MODE3: %[[W:.*]] = ds.cast %[[B]] : tensor<1x2x3x5xf32> -> tensor<1x2x3x5xf64>
# MODE3: %[[P:.*]] = ds.softmax %[[W]] : tensor<1x2x3x5xf64> -> tensor<1x2x3x5xf64>
# MODE3: %[[N:.*]] = ds.cast %[[P]] : tensor<1x2x3x5xf64> -> tensor<1x2x3x5xf32>
# MODE3: return %{{.*}}, %[[N]]
attention("mode3_precision", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[3, 5],
          qk_matmul_output_mode=3, softmax_precision=TensorProto.DOUBLE)

# Grouped queries (6 over 2 kv heads): query heads [B, 2, 3, Sq, D] against the kv
# heads [B, 2, 1, T, D], so query head h meets kv head h / 3 as in ds.attention.
# GQA-LABEL: func.func @main
# GQA: %[[Y:.*]] = ds.attention
# GQA: %[[Q:.*]] = ds.binary mul %arg0
# GQA: %[[K:.*]] = ds.binary mul %arg1
# GQA: %[[SHAPE:.*]] = ds.constant dense<[1, 2, 3, 3, 8]> : tensor<5xi64>
# GQA: %[[Q5:.*]] = ds.reshape %[[Q]], %[[SHAPE]] {{.*}} -> tensor<1x2x3x3x8xf32>
# GQA: %[[K5:.*]] = ds.unsqueeze %[[K]] {axes = array<i64: 2>} : tensor<1x2x5x8xf32> -> tensor<1x2x1x5x8xf32>
# GQA: %[[S5:.*]] = ds.matmul %[[Q5]], %[[K5]] {transpose_b} : (tensor<1x2x3x3x8xf32>, tensor<1x2x1x5x8xf32>) -> tensor<1x2x3x3x5xf32>
# GQA: %[[OUT:.*]] = ds.constant dense<[1, 6, 3, 5]> : tensor<4xi64>
# GQA: %[[S:.*]] = ds.reshape %[[S5]], %[[OUT]] {{.*}} -> tensor<1x6x3x5xf32>
# GQA: return %[[Y]], %[[S]]
attention("gqa", [1, 6, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8])

# Dynamic head counts: the group size is the reshape's -1, the kv head count is
# read at run time.
# DYNHEADS-LABEL: func.func @main
# DYNHEADS: %[[KH:.*]] = ds.shape_of %{{.*}} {end = 2 : i64, start = 1 : i64} : tensor<1x?x5x8xf32> -> tensor<1xi64>
# DYNHEADS: %[[SHAPE:.*]] = ds.concat %{{.*}}, %[[KH]], %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64}
# DYNHEADS: ds.reshape %{{.*}}, %[[SHAPE]] {{.*}} -> tensor<1x?x?x3x8xf32>
# DYNHEADS: ds.matmul {{.*}} -> tensor<1x?x?x3x5xf32>
# DYNHEADS: ds.reshape {{.*}} -> tensor<1x?x3x5xf32>
attention("gqa_dynamic_heads", [1, "h", 3, 8], [1, "g", 5, 8], [1, "g", 5, 8])

# BADMODE: node 'y' (Attention, ai.onnx opset 23): attribute 'qk_matmul_output_mode' = 4 is not valid (0 to 3)
attention("bad_mode", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], qk_matmul_output_mode=4)

# BADPREC: node 'y' (Attention, ai.onnx opset 23): attribute 'softmax_precision' = 7 is not a floating-point type
attention("bad_precision", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], check=False,
          qk_matmul_output_mode=3, softmax_precision=TensorProto.INT64)
