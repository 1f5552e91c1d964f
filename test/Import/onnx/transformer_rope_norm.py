# RotaryEmbedding (ai.onnx 23, com.microsoft) -> ds.rope; onnxruntime's fused norms.
# RUN: %python %s %t
# RUN: ds-opt %t/rope_4d_positions.onnx | FileCheck %s --check-prefix=ROPE4
# RUN: ds-opt %t/rope_3d.onnx | FileCheck %s --check-prefix=ROPE3
# RUN: ds-opt %t/ms_rope_offset.onnx | FileCheck %s --check-prefix=MSROPE
# RUN: not ds-opt %t/rope_no_heads.onnx 2>&1 | FileCheck %s --check-prefix=NOHEADS
# RUN: ds-opt %t/simplified_ln.onnx | FileCheck %s --check-prefix=SLN
# RUN: ds-opt %t/skip_simplified.onnx | FileCheck %s --check-prefix=SKIPS
# RUN: ds-opt %t/skip_ln.onnx | FileCheck %s --check-prefix=SKIPLN
# RUN: not ds-opt %t/skip_inv_std.onnx 2>&1 | FileCheck %s --check-prefix=INVSTD
from onnx_testing import *

F, I64 = TensorProto.FLOAT, TensorProto.INT64
MS = [("com.microsoft", 1)]

# ROPE4-LABEL: func.func @main
# ROPE4: ds.rope interleaved %arg0, %arg1, %arg2 positions %arg3 {rotary_dim = 8 : i64} : (tensor<1x2x3x16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<1x3xi64>) -> tensor<1x2x3x16xf32>
emit("rope_4d_positions", model(
    [node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"], interleaved=1, rotary_embedding_dim=8)],
    [value("x", F, [1, 2, 3, 16]), value("c", F, [32, 4]), value("s", F, [32, 4]),
     value("p", I64, [1, 3])],
    [value("y", F, [1, 2, 3, 16])], opset=23))

# ROPE3-LABEL: func.func @main
# ROPE3: %[[X:.*]] = ds.transpose {{.*}} -> tensor<2x4x3x8xf32>
# ROPE3: %[[R:.*]] = ds.rope rotate_half %[[X]], %arg1, %arg2 : (tensor<2x4x3x8xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x4x3x8xf32>
# ROPE3: ds.transpose %[[R]]
# ROPE3: ds.reshape {{.*}} -> tensor<2x3x32xf32>
emit("rope_3d", model(
    [node("RotaryEmbedding", ["x", "c", "s"], ["y"], num_heads=4)],
    [value("x", F, [2, 3, 32]), value("c", F, [2, 3, 4]), value("s", F, [2, 3, 4])],
    [value("y", F, [2, 3, 32])], opset=23))

# The com.microsoft form takes (input, position_ids, cos, sin); a one-element
# position_ids is the offset of the first token: positions 5, 6, 7.
# MSROPE-LABEL: func.func @main
# MSROPE: %[[P:.*]] = ds.constant dense<{{\[\[}}5, 6, 7]]> : tensor<1x3xi64>
# MSROPE: ds.rope rotate_half %arg0, %arg1, %arg2 positions %[[P]] : (tensor<1x2x3x8xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<1x3xi64>)
emit("ms_rope_offset", model(
    [node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain="com.microsoft")],
    [value("x", F, [1, 2, 3, 8]), value("c", F, [16, 4]), value("s", F, [16, 4])],
    [value("y", F, [1, 2, 3, 8])], [tensor("p", np.array([5], dtype=np.int64))],
    extra_opsets=MS), check=False)

# NOHEADS: node 'y' (RotaryEmbedding, ai.onnx opset 23): a 3-D input needs a positive attribute 'num_heads'
emit("rope_no_heads", model(
    [node("RotaryEmbedding", ["x", "c", "s"], ["y"])],
    [value("x", F, [2, 3, 32]), value("c", F, [2, 3, 4]), value("s", F, [2, 3, 4])],
    [value("y", F, [2, 3, 32])], opset=23), check=False)

# SLN-LABEL: func.func @main
# SLN: ds.rms_norm %arg0, %arg1 {epsilon = 9.99999974E-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
emit("simplified_ln", model(
    [node("SimplifiedLayerNormalization", ["x", "w"], ["y"])],
    [value("x", F, [2, 8]), value("w", F, [8])], [value("y", F, [2, 8])]), check=False)

# Skip + bias, then RMS norm; output 3 is the sum.
# SKIPS-LABEL: func.func @main
# SKIPS: %[[A:.*]] = ds.binary add %arg0, %arg1
# SKIPS: %[[S:.*]] = ds.binary add %[[A]], %arg3
# SKIPS: %[[Y:.*]] = ds.rms_norm %[[S]], %arg2 :
# SKIPS: return %[[Y]], %[[S]]
emit("skip_simplified", model(
    [node("SkipSimplifiedLayerNormalization", ["x", "skip", "g", "b"], ["y", "", "", "sum"],
          domain="com.microsoft", epsilon=1e-6)],
    [value("x", F, [1, 2, 8]), value("skip", F, [1, 2, 8]), value("g", F, [8]), value("b", F, [8])],
    [value("y", F, [1, 2, 8]), value("sum", F, [1, 2, 8])], extra_opsets=MS), check=False)

# SKIPLN-LABEL: func.func @main
# SKIPLN: %[[A:.*]] = ds.binary add %arg0, %arg1
# SKIPLN-NEXT: ds.layer_norm %[[A]], %arg2, %arg3 {epsilon = 9.99999996E-13 : f32}
emit("skip_ln", model(
    [node("SkipLayerNormalization", ["x", "skip", "g", "beta"], ["y"], domain="com.microsoft")],
    [value("x", F, [1, 2, 8]), value("skip", F, [1, 2, 8]), value("g", F, [8]), value("beta", F, [8])],
    [value("y", F, [1, 2, 8])], extra_opsets=MS), check=False)

# INVSTD: outputs 'mean' and 'inv_std_var' (training outputs) are not supported
emit("skip_inv_std", model(
    [node("SkipLayerNormalization", ["x", "skip", "g"], ["y", "", "inv"], domain="com.microsoft")],
    [value("x", F, [1, 2, 8]), value("skip", F, [1, 2, 8]), value("g", F, [8])],
    [value("y", F, [1, 2, 8]), value("inv", F, [1, 2, 1])], extra_opsets=MS), check=False)
