# RUN: %python %s %t
# RUN: ds-opt %t/gemm_linear.onnx | FileCheck %s --check-prefix=LIN
# RUN: ds-opt %t/gemm_general.onnx | FileCheck %s --check-prefix=GEMM
# RUN: ds-opt %t/gemm_rank1_c.onnx | FileCheck %s --check-prefix=GEMMC
# RUN: ds-opt %t/gemm_beta0.onnx | FileCheck %s --check-prefix=BETA0
# RUN: ds-opt %t/gemm_dynamic_n.onnx | FileCheck %s --check-prefix=DYNN
# RUN: ds-opt %t/gemm_bf16.onnx | FileCheck %s --check-prefix=BF16
# RUN: not ds-opt %t/gemm_rank3.onnx 2>&1 | FileCheck %s --check-prefix=RANK
# RUN: not ds-opt %t/gemm_k.onnx 2>&1 | FileCheck %s --check-prefix=K
from onnx_testing import *

F = TensorProto.FLOAT

# Gemm as a dense layer: transB with a [N] bias, and without C (Gemm-11 makes C
# optional).
# LIN-LABEL: func.func @main
# LIN: ds.linear %arg0, %{{.*}}, %{{.*}} {transpose_w} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
# LIN: ds.linear %arg0, %{{.*}} : (tensor<?x16xf32>, tensor<16x8xf32>) -> tensor<?x8xf32>
# LIN-NOT: ds.matmul
emit("gemm_linear", model(
    [node("Gemm", ["x", "wt", "bias"], ["y"], transB=1), node("Gemm", ["x", "w"], ["z"])],
    [value("x", F, ["b", 16])], [value("y", F, ["b", 8]), value("z", F, ["b", 8])],
    [tensor("wt", np.ones((8, 16), np.float32)), tensor("w", np.ones((16, 8), np.float32)),
     tensor("bias", np.arange(8, dtype=np.float32))], opset=11))

# alpha, beta, transA and a 2-D C: matmul, then scale and add.
# GEMM-LABEL: func.func @main
# GEMM: %[[M:.*]] = ds.matmul %arg0, %arg1 {transpose_a} : (tensor<16x4xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
# GEMM: %[[ALPHA:.*]] = ds.constant dense<5.000000e-01> : tensor<f32>
# GEMM: %[[A:.*]] = ds.binary mul %[[M]], %[[ALPHA]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
# GEMM: %[[BETA:.*]] = ds.constant dense<2.000000e+00> : tensor<f32>
# GEMM: %[[C:.*]] = ds.binary mul %arg2, %[[BETA]] : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
# GEMM: ds.binary add %[[A]], %[[C]] : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
emit("gemm_general", model(
    [node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5, beta=2.0, transA=1)],
    [value("a", F, [16, 4]), value("b", F, [16, 8]), value("c", F, [1, 8])],
    [value("y", F, [4, 8])], opset=13))

# A 1-D C of size 1 broadcasts: not a bias of ds.linear; nor is a scalar C.
# GEMMC-LABEL: func.func @main
# GEMMC: %[[M:.*]] = ds.matmul %arg0, %arg1 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
# GEMMC: ds.binary add %[[M]], %arg2 : (tensor<4x8xf32>, tensor<1xf32>) -> tensor<4x8xf32>
# GEMMC: %[[M2:.*]] = ds.matmul %arg0, %arg1 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
# GEMMC: ds.binary add %[[M2]], %arg3 : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
# GEMMC-NOT: ds.linear
emit("gemm_rank1_c", model(
    [node("Gemm", ["a", "b", "c"], ["y"]), node("Gemm", ["a", "b", "s"], ["z"])],
    [value("a", F, [4, 16]), value("b", F, [16, 8]), value("c", F, [1]), value("s", F, [])],
    [value("y", F, [4, 8]), value("z", F, [4, 8])]))

# beta = 0 drops C; transB without a bias is still a dense layer when alpha = 1,
# but alpha != 1 with transB is a transposed matmul and a scale.
# BETA0-LABEL: func.func @main
# BETA0: %[[M:.*]] = ds.matmul %arg0, %arg1 {transpose_b} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
# BETA0-NEXT: %[[S:.*]] = ds.constant dense<2.000000e+00> : tensor<f32>
# BETA0-NEXT: %[[Y:.*]] = ds.binary mul %[[M]], %[[S]]
# BETA0-NOT: ds.binary add
# BETA0: return %[[Y]]
emit("gemm_beta0", model(
    [node("Gemm", ["a", "b", "c"], ["y"], alpha=2.0, beta=0.0, transB=1)],
    [value("a", F, [4, 16]), value("b", F, [8, 16]), value("c", F, [4, 8])],
    [value("y", F, [4, 8])]))

# A dynamic N cannot be proven to match a 1-D C: matmul and a broadcast add.
# DYNN-LABEL: func.func @main
# DYNN: %[[M:.*]] = ds.matmul %arg0, %arg1 : (tensor<?x16xf32>, tensor<16x?xf32>) -> tensor<?x?xf32>
# DYNN: ds.binary add %[[M]], %arg2 : (tensor<?x?xf32>, tensor<8xf32>) -> tensor<?x8xf32>
# DYNN-NOT: ds.linear
emit("gemm_dynamic_n", model(
    [node("Gemm", ["a", "b", "c"], ["y"])],
    [value("a", F, ["m", 16]), value("b", F, [16, "n"]), value("c", F, [8])],
    [value("y", F, ["m", 8])]))

# Gemm-13 accepts bf16.
# BF16-LABEL: func.func @main
# BF16: ds.linear %arg0, %arg1, %arg2 {transpose_w} : (tensor<2x4xbf16>, tensor<3x4xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
emit("gemm_bf16", model(
    [node("Gemm", ["a", "w", "b"], ["y"], transB=1)],
    [value("a", TensorProto.BFLOAT16, [2, 4]), value("w", TensorProto.BFLOAT16, [3, 4]),
     value("b", TensorProto.BFLOAT16, [3])],
    [value("y", TensorProto.BFLOAT16, [2, 3])], opset=13))

# RANK: node 'y' (Gemm, ai.onnx opset 17): Gemm needs 2-D A and B, got ranks 3 and 2
emit("gemm_rank3", model(
    [node("Gemm", ["a", "b"], ["y"])],
    [value("a", F, [2, 4, 16]), value("b", F, [16, 8])], [value("y", F, None)]), check=False)

# K: node 'y' (Gemm, ai.onnx opset 17): 'ds.matmul' op contraction dims differ: lhs 4x16 (transposed) has K = 4, rhs 16x8 has K = 16
emit("gemm_k", model(
    [node("Gemm", ["a", "b"], ["y"], transA=1, alpha=3.0)],
    [value("a", F, [4, 16]), value("b", F, [16, 8])], [value("y", F, None)]), check=False)
