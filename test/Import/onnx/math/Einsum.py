# RUN: %python %s %t
# RUN: ds-opt %t/einsum.onnx | FileCheck %s --check-prefix=EIN
# RUN: ds-opt %t/einsum_one.onnx | FileCheck %s --check-prefix=EIN1
# RUN: ds-opt %t/vector.onnx | FileCheck %s --check-prefix=VEC
# RUN: ds-opt %t/general.onnx | FileCheck %s --check-prefix=GEN
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: not ds-opt %t/einsum_three.onnx 2>&1 | FileCheck %s --check-prefix=EIN3
# RUN: not ds-opt %t/einsum_bad.onnx 2>&1 | FileCheck %s --check-prefix=EINBAD
# RUN: not ds-opt %t/batch_diagonal.onnx 2>&1 | FileCheck %s --check-prefix=DIAG
# RUN: not ds-opt %t/terms.onnx 2>&1 | FileCheck %s --check-prefix=TERMS
# RUN: not ds-opt %t/rank.onnx 2>&1 | FileCheck %s --check-prefix=RANK
# RUN: not ds-opt %t/result_index.onnx 2>&1 | FileCheck %s --check-prefix=RESIDX
# RUN: not ds-opt %t/result_index_one.onnx 2>&1 | FileCheck %s --check-prefix=RESIDX1
# RUN: not ds-opt %t/character.onnx 2>&1 | FileCheck %s --check-prefix=CHAR
# RUN: not ds-opt %t/ellipses.onnx 2>&1 | FileCheck %s --check-prefix=DOTS
from onnx_testing import *

F = TensorProto.FLOAT


def einsum(name, equation, shapes, opset=17):
    """One Einsum node over inputs x0, x1, ... of the given shapes."""
    ins = [value("x%d" % i, F, s) for i, s in enumerate(shapes)]
    emit(name, model([node("Einsum", [v.name for v in ins], ["y"], equation=equation)],
                     ins, [value("y", F, None)], opset=opset), check=False)


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
# EIN-NOT: ds.reduce
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
# The implicit result of 'ji' is the letters in order: a transpose too.
# EIN1: ds.transpose %arg0 {perm = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<4x3xf32>
emit("einsum_one", model(
    [node("Einsum", ["a"], ["t"], equation="ij->ji"),
     node("Einsum", ["b"], ["r"], equation="bij->jb"),
     node("Einsum", ["a"], ["u"], equation="ji")],
    [value("a", F, [3, 4]), value("b", F, [2, 3, 4])],
    [value("t", F, [4, 3]), value("r", F, [4, 2]), value("u", F, [4, 3])]))

# Vector forms are matrix products with a unit row or column, squeezed again:
# 'i,i' (implicit scalar result), 'ij,j->i', 'i,ij->j', 'bi,bi->b'.
# VEC-LABEL: func.func @main
# VEC: %[[R:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 0>} : tensor<5xf32> -> tensor<1x5xf32>
# VEC: %[[C:.*]] = ds.unsqueeze %arg1 {axes = array<i64: 1>} : tensor<5xf32> -> tensor<5x1xf32>
# VEC: %[[D:.*]] = ds.matmul %[[R]], %[[C]] : (tensor<1x5xf32>, tensor<5x1xf32>) -> tensor<1x1xf32>
# VEC: ds.squeeze %[[D]] {axes = array<i64: 0, 1>} : tensor<1x1xf32> -> tensor<f32>
# VEC: %[[C2:.*]] = ds.unsqueeze %arg1 {axes = array<i64: 1>} : tensor<5xf32> -> tensor<5x1xf32>
# VEC: %[[MV:.*]] = ds.matmul %arg2, %[[C2]] : (tensor<3x5xf32>, tensor<5x1xf32>) -> tensor<3x1xf32>
# VEC: ds.squeeze %[[MV]] {axes = array<i64: 1>} : tensor<3x1xf32> -> tensor<3xf32>
# VEC: %[[R2:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 0>} : tensor<5xf32> -> tensor<1x5xf32>
# VEC: %[[VM:.*]] = ds.matmul %[[R2]], %arg3 : (tensor<1x5xf32>, tensor<5x4xf32>) -> tensor<1x4xf32>
# VEC: ds.squeeze %[[VM]] {axes = array<i64: 0>} : tensor<1x4xf32> -> tensor<4xf32>
# VEC: %[[BR:.*]] = ds.unsqueeze %arg4 {axes = array<i64: 1>} : tensor<2x5xf32> -> tensor<2x1x5xf32>
# VEC: %[[BC:.*]] = ds.unsqueeze %arg4 {axes = array<i64: 2>} : tensor<2x5xf32> -> tensor<2x5x1xf32>
# VEC: %[[BD:.*]] = ds.matmul %[[BR]], %[[BC]] : (tensor<2x1x5xf32>, tensor<2x5x1xf32>) -> tensor<2x1x1xf32>
# VEC: ds.squeeze %[[BD]] {axes = array<i64: 1, 2>} : tensor<2x1x1xf32> -> tensor<2xf32>
# The vector on the left of a row-major matrix: 'j,ij->i' transposes the matrix.
# VEC: %[[R3:.*]] = ds.unsqueeze %arg1 {axes = array<i64: 0>} : tensor<5xf32> -> tensor<1x5xf32>
# VEC: %[[T:.*]] = ds.matmul %[[R3]], %arg2 {transpose_b} : (tensor<1x5xf32>, tensor<3x5xf32>) -> tensor<1x3xf32>
# VEC: ds.squeeze %[[T]] {axes = array<i64: 0>} : tensor<1x3xf32> -> tensor<3xf32>
# VEC-NOT: ds.reduce
emit("vector", model(
    [node("Einsum", ["u", "v"], ["dot"], equation="i,i"),
     node("Einsum", ["m", "v"], ["mv"], equation="ij,j->i"),
     node("Einsum", ["u", "n"], ["vm"], equation="i,ij->j"),
     node("Einsum", ["b", "b"], ["bd"], equation="bi,bi->b"),
     node("Einsum", ["v", "m"], ["vt"], equation="j,ij->i")],
    [value("u", F, [5]), value("v", F, [5]), value("m", F, [3, 5]), value("n", F, [5, 4]),
     value("b", F, [2, 5])],
    [value("dot", F, []), value("mv", F, [3]), value("vm", F, [4]), value("bd", F, [2]),
     value("vt", F, [3])], opset=12))

# Other two-operand forms: a broadcast product and a sum over the contracted
# indices (none for an outer product, two for 'ij,ij->' and 'bij,bij->b'). An index
# summed in one operand only is summed there first.
# GEN-LABEL: func.func @main
# GEN: %[[U:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 1>} : tensor<3xf32> -> tensor<3x1xf32>
# GEN: %[[V:.*]] = ds.unsqueeze %arg1 {axes = array<i64: 0>} : tensor<4xf32> -> tensor<1x4xf32>
# GEN: ds.binary mul %[[U]], %[[V]] : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
# GEN: %[[P:.*]] = ds.binary mul %arg2, %arg2 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
# GEN: ds.reduce sum %[[P]] {axes = array<i64: 0, 1>} : tensor<3x4xf32> -> tensor<f32>
# GEN: %[[P2:.*]] = ds.binary mul %arg3, %arg3 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
# GEN: ds.reduce sum %[[P2]] {axes = array<i64: 1, 2>} : tensor<2x3x4xf32> -> tensor<2xf32>
# GEN: %[[S:.*]] = ds.reduce sum %arg4 {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<3xf32>
# GEN: %[[SR:.*]] = ds.unsqueeze %[[S]] {axes = array<i64: 0>} : tensor<3xf32> -> tensor<1x3xf32>
# GEN: %[[SM:.*]] = ds.matmul %[[SR]], %arg5 : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
# GEN: ds.squeeze %[[SM]] {axes = array<i64: 0>} : tensor<1x4xf32> -> tensor<4xf32>
# A batch index of one operand ('ai,bij->abj') broadcasts in the matmul; the result
# is transposed into place.
# GEN: %[[BM:.*]] = ds.matmul %arg4, %arg3 : (tensor<2x3xf32>, tensor<2x3x4xf32>) -> tensor<2x2x4xf32>
# GEN: ds.transpose %[[BM]] {perm = array<i64: 1, 0, 2>} : tensor<2x2x4xf32> -> tensor<2x2x4xf32>
# Batch indices of both operands ('cai,bij->cabj') do not fit one matmul: each
# operand is transposed to the result order, unsqueezed, and multiplied.
# GEN: %[[A:.*]] = ds.unsqueeze %arg6 {axes = array<i64: 2, 3>} : tensor<2x5x3xf32> -> tensor<2x5x1x1x3xf32>
# GEN: %[[BT:.*]] = ds.transpose %arg3 {perm = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
# GEN: %[[B:.*]] = ds.unsqueeze %[[BT]] {axes = array<i64: 0, 1>} : tensor<2x4x3xf32> -> tensor<1x1x2x4x3xf32>
# GEN: %[[AB:.*]] = ds.binary mul %[[A]], %[[B]] : (tensor<2x5x1x1x3xf32>, tensor<1x1x2x4x3xf32>) -> tensor<2x5x2x4x3xf32>
# GEN: ds.reduce sum %[[AB]] {axes = array<i64: 4>} : tensor<2x5x2x4x3xf32> -> tensor<2x5x2x4xf32>
# GEN-NOT: ds.matmul
emit("general", model(
    [node("Einsum", ["u", "v"], ["outer"], equation="i,j->ij"),
     node("Einsum", ["m", "m"], ["fro"], equation="ij,ij->"),
     node("Einsum", ["t", "t"], ["bt"], equation="bij,bij->b"),
     node("Einsum", ["a", "n"], ["cs"], equation="ij,jk->k"),
     node("Einsum", ["a", "t"], ["ab"], equation="ai,bij->abj"),
     node("Einsum", ["c", "t"], ["cb"], equation="cai,bij->cabj")],
    [value("u", F, [3]), value("v", F, [4]), value("m", F, [3, 4]), value("t", F, [2, 3, 4]),
     value("a", F, [2, 3]), value("n", F, [3, 4]), value("c", F, [2, 5, 3])],
    [value("outer", F, [3, 4]), value("fro", F, []), value("bt", F, [2]),
     value("cs", F, [4]), value("ab", F, [2, 2, 4]), value("cb", F, [2, 5, 2, 4])]))

# Dynamic dims, spaces in the equation, and an ellipsis broadcast against a vector.
# DYN-LABEL: func.func @main
# DYN: ds.matmul %arg0, %arg1 {transpose_b} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x?xf32>
# DYN: %[[C:.*]] = ds.unsqueeze %arg2 {axes = array<i64: 1>} : tensor<64xf32> -> tensor<64x1xf32>
# DYN: %[[M:.*]] = ds.matmul %arg0, %[[C]] : (tensor<?x?x64xf32>, tensor<64x1xf32>) -> tensor<?x?x1xf32>
# DYN: ds.squeeze %[[M]] {axes = array<i64: 2>} : tensor<?x?x1xf32> -> tensor<?x?xf32>
emit("dynamic", model(
    [node("Einsum", ["q", "k"], ["s"], equation="bid, bjd -> bij"),
     node("Einsum", ["q", "w"], ["p"], equation="...d,d->...")],
    [value("q", F, ["b", "s", 64]), value("k", F, ["b", "t", 64]), value("w", F, [64])],
    [value("s", F, ["b", "s", "t"]), value("p", F, ["b", "s"])]))

# EIN3: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ij,jk,kl->il' is not supported: it has 3 operands; ds imports Einsum with one or two operands and no index repeated within a term
einsum("einsum_three", "ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]])

# EINBAD: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ii->i' is not supported: term 'ii' repeats the index 'i' (diagonals are not supported)
einsum("einsum_bad", "ii->i", [[3, 3]])

# The ONNX node test test_einsum_batch_diagonal (spaces are dropped from terms).
# DIAG: node 'y' (Einsum, ai.onnx opset 12): Einsum equation '...ii ->...i' is not supported: term '...ii' repeats the index 'i' (diagonals are not supported)
einsum("batch_diagonal", "...ii ->...i", [[3, 5, 5]], opset=12)

# TERMS: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ij,jk->ik' has 2 operand term(s) for 1 input(s)
einsum("terms", "ij,jk->ik", [[2, 3]])

# RANK: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ij,jk->ik' is not supported: term 'jk' does not match an operand of rank 3
einsum("rank", "ij,jk->ik", [[2, 3], [3, 4, 5]])

# RESIDX: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ij,jk->iz' is not supported: index 'z' of the result is in no operand
einsum("result_index", "ij,jk->iz", [[2, 3], [3, 4]])

# RESIDX1: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'ij->ik' is not supported: an index of the result is not in the operand
einsum("result_index_one", "ij->ik", [[2, 3]])

# CHAR: node 'y' (Einsum, ai.onnx opset 17): Einsum equation 'i.j,jk' is not supported: term 'i.j' has the character '.'
einsum("character", "i.j,jk", [[2, 3], [3, 4]])

# DOTS: node 'y' (Einsum, ai.onnx opset 17): Einsum equation '...i...->i' is not supported: term '...i...' has more than one ellipsis
einsum("ellipses", "...i...->i", [[2, 3, 4]])
