# RUN: %python %s %t
# RUN: ds-opt %t/matmul.onnx | FileCheck %s --check-prefix=MM
# RUN: ds-opt %t/matmul_1d.onnx | FileCheck %s --check-prefix=MV
# RUN: ds-opt %t/gemm_linear.onnx | FileCheck %s --check-prefix=LIN
# RUN: ds-opt %t/gemm_general.onnx | FileCheck %s --check-prefix=GEMM
# RUN: ds-opt %t/gemm_rank1_c.onnx | FileCheck %s --check-prefix=GEMMC
# RUN: ds-opt %t/einsum.onnx | FileCheck %s --check-prefix=EIN
# RUN: ds-opt %t/einsum_one.onnx | FileCheck %s --check-prefix=EIN1
# RUN: not ds-opt %t/einsum_three.onnx 2>&1 | FileCheck %s --check-prefix=EIN3
# RUN: not ds-opt %t/einsum_bad.onnx 2>&1 | FileCheck %s --check-prefix=EINBAD
# RUN: not ds-opt %t/einsum_k2.onnx 2>&1 | FileCheck %s --check-prefix=EINK2
# RUN: not ds-opt %t/matmul_k.onnx 2>&1 | FileCheck %s --check-prefix=MMK
from onnx_testing import *

F = TensorProto.FLOAT

# Batched MatMul with a shared 2-D weight; dynamic dims stay dynamic.
# MM-LABEL: func.func @main
# MM: ds.matmul %{{.*}}, %{{.*}} : (tensor<?x?x16xf32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
# MM: ds.matmul %{{.*}}, %{{.*}} : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
emit("matmul", model(
    [node("MatMul", ["x", "w"], ["y"]), node("MatMul", ["a", "b"], ["z"])],
    [value("x", F, ["b", "s", 16]), value("a", F, [2, 1, 3, 4]), value("b", F, [5, 4, 6])],
    [value("y", F, ["b", "s", 8]), value("z", F, [2, 5, 3, 6])],
    [tensor("w", np.ones((16, 8), np.float32))]))

# 1-D operands follow numpy: vector @ matrix, matrix @ vector, vector @ vector.
# MV-LABEL: func.func @main
# MV: %[[R:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 0>} : tensor<4xf32> -> tensor<1x4xf32>
# MV: %[[M:.*]] = ds.matmul %[[R]], %arg1 : (tensor<1x4xf32>, tensor<2x4x3xf32>) -> tensor<2x1x3xf32>
# MV: ds.squeeze %[[M]] {axes = array<i64: 1>} : tensor<2x1x3xf32> -> tensor<2x3xf32>
# MV: %[[C:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 1>} : tensor<4xf32> -> tensor<4x1xf32>
# MV: %[[M2:.*]] = ds.matmul %arg2, %[[C]] : (tensor<5x4xf32>, tensor<4x1xf32>) -> tensor<5x1xf32>
# MV: ds.squeeze %[[M2]] {axes = array<i64: 1>} : tensor<5x1xf32> -> tensor<5xf32>
# MV: ds.matmul %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
# MV: ds.squeeze %{{.*}} {axes = array<i64: 0, 1>} : tensor<1x1xf32> -> tensor<f32>
emit("matmul_1d", model(
    [node("MatMul", ["v", "m"], ["y"]), node("MatMul", ["n", "v"], ["z"]),
     node("MatMul", ["v", "v"], ["d"])],
    [value("v", F, [4]), value("m", F, [2, 4, 3]), value("n", F, [5, 4])],
    [value("y", F, [2, 3]), value("z", F, [5]), value("d", F, [])]))

# Gemm as a dense layer: transB with a [N] bias, and without C.
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
# GEMM: %[[A:.*]] = ds.binary mul %[[M]], %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
# GEMM: %[[C:.*]] = ds.binary mul %arg2, %{{.*}} : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
# GEMM: ds.binary add %[[A]], %[[C]] : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
emit("gemm_general", model(
    [node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5, beta=2.0, transA=1)],
    [value("a", F, [16, 4]), value("b", F, [16, 8]), value("c", F, [1, 8])],
    [value("y", F, [4, 8])], opset=13))

# A 1-D C of size 1 broadcasts: not a bias of ds.linear.
# GEMMC-LABEL: func.func @main
# GEMMC: ds.matmul
# GEMMC: ds.binary add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<1xf32>) -> tensor<4x8xf32>
# GEMMC-NOT: ds.linear
emit("gemm_rank1_c", model(
    [node("Gemm", ["a", "b", "c"], ["y"])],
    [value("a", F, [4, 16]), value("b", F, [16, 8]), value("c", F, [1])],
    [value("y", F, [4, 8])]))

# Matmul-like Einsum equations.
# EIN-LABEL: func.func @main
# EIN: ds.matmul %arg0, %arg1 {transpose_b} : (tensor<2x4x5x8xf32>, tensor<2x4x6x8xf32>) -> tensor<2x4x5x6xf32>
# EIN: ds.matmul %arg2, %arg3 : (tensor<3x5x8xf32>, tensor<3x8x6xf32>) -> tensor<3x5x6xf32>
# EIN: ds.matmul %arg4, %arg5 : (tensor<5x8xf32>, tensor<8x6xf32>) -> tensor<5x6xf32>
# EIN: ds.matmul %arg6, %arg7 : (tensor<7x2x5x8xf32>, tensor<2x8x6xf32>) -> tensor<7x2x5x6xf32>
# EIN: %[[TA:.*]] = ds.transpose %arg8 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x5x4x8xf32> -> tensor<2x4x5x8xf32>
# EIN: %[[TB:.*]] = ds.transpose %arg9 {perm = array<i64: 0, 2, 1, 3>} : tensor<2x6x4x8xf32> -> tensor<2x4x6x8xf32>
# EIN: ds.matmul %[[TA]], %[[TB]] {transpose_b} : (tensor<2x4x5x8xf32>, tensor<2x4x6x8xf32>) -> tensor<2x4x5x6xf32>
# The result transposed ('ki') swaps the operands instead.
# EIN: ds.matmul %arg5, %arg4 {transpose_a, transpose_b} : (tensor<8x6xf32>, tensor<5x8xf32>) -> tensor<6x5xf32>
emit("einsum", model(
    [node("Einsum", ["q", "k"], ["s"], equation="bhid,bhjd->bhij"),
     node("Einsum", ["a", "b"], ["c"], equation="bij,bjk->bik"),
     node("Einsum", ["m", "n"], ["p"], equation="ij,jk"),
     node("Einsum", ["e", "f"], ["g"], equation="...ij,...jk->...ik"),
     node("Einsum", ["q2", "k2"], ["s2"], equation="bshd,bthd->bhst"),
     node("Einsum", ["m", "n"], ["pt"], equation="ij,jk->ki")],
    [value("q", F, [2, 4, 5, 8]), value("k", F, [2, 4, 6, 8]),
     value("a", F, [3, 5, 8]), value("b", F, [3, 8, 6]),
     value("m", F, [5, 8]), value("n", F, [8, 6]),
     value("e", F, [7, 2, 5, 8]), value("f", F, [2, 8, 6]),
     value("q2", F, [2, 5, 4, 8]), value("k2", F, [2, 6, 4, 8])],
    [value("s", F, [2, 4, 5, 6]), value("c", F, [3, 5, 6]), value("p", F, [5, 6]),
     value("g", F, [7, 2, 5, 6]), value("s2", F, [2, 4, 5, 6]), value("pt", F, [6, 5])]))

# One operand: a transpose, and a sum over the dropped indices.
# EIN1-LABEL: func.func @main
# EIN1: ds.transpose %arg0 {perm = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<4x3xf32>
# EIN1: %[[S:.*]] = ds.reduce sum %arg1 {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
# EIN1: ds.transpose %[[S]] {perm = array<i64: 1, 0>} : tensor<2x4xf32> -> tensor<4x2xf32>
emit("einsum_one", model(
    [node("Einsum", ["a"], ["t"], equation="ij->ji"),
     node("Einsum", ["b"], ["r"], equation="bij->jb")],
    [value("a", F, [3, 4]), value("b", F, [2, 3, 4])],
    [value("t", F, [4, 3]), value("r", F, [4, 2])]))

# EIN3: Einsum equation 'ij,jk,kl->il' is not supported: it has 3 operand term(s), not 2
emit("einsum_three", model(
    [node("Einsum", ["a", "b", "c"], ["y"], equation="ij,jk,kl->il")],
    [value("a", F, [2, 3]), value("b", F, [3, 4]), value("c", F, [4, 5])],
    [value("y", F, [2, 5])]))

# EINBAD: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ii->i' is not supported: term 'ii' repeats the index 'i' (diagonals are not supported)
emit("einsum_bad", model(
    [node("Einsum", ["a"], ["y"], equation="ii->i")],
    [value("a", F, [3, 3])], [value("y", F, [3])]))

# EINK2: Einsum equation 'bij,bij->b' is not supported: 2 contracted indices (needs exactly 1)
emit("einsum_k2", model(
    [node("Einsum", ["a", "b"], ["y"], equation="bij,bij->b")],
    [value("a", F, [2, 3, 4]), value("b", F, [2, 3, 4])], [value("y", F, [2])]))

# MMK: node 'y' (MatMul, ai.onnx opset 17): 'ds.matmul' op contraction dims differ: lhs 2x3 has K = 3, rhs 4x5 has K = 4
emit("matmul_k", model(
    [node("MatMul", ["a", "b"], ["y"])],
    [value("a", F, [2, 3]), value("b", F, [4, 5])], [value("y", F, [2, 5])]), check=False)
