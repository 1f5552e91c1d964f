# Trilu: upper (default) or lower triangle of the last two dims, shifted by an
# optional k (rank 0, or a one-element 1-D tensor); constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/lower_k.onnx | FileCheck %s --check-prefix=LOWER
# RUN: ds-opt %t/upper_default.onnx | FileCheck %s --check-prefix=UPPER
# RUN: ds-opt %t/k_vector.onnx | FileCheck %s --check-prefix=KVEC
# RUN: ds-opt %t/runtime_k.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_lower.onnx | FileCheck %s --check-prefix=FOLDLOWER
# RUN: not ds-opt %t/rank1.onnx 2>&1 | FileCheck %s --check-prefix=RANK
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# LOWER: ds.trilu %arg0, %{{.*}} {upper = false} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
one("lower_k", "Trilu", ["x", "k"], [("x", F, ["a", "b"])], [("y", F, ["a", "b"])],
    [("k", i64(-1))], opset=14, upper=0)
# UPPER: ds.trilu %arg0 : (tensor<2x?x?xi64>) -> tensor<2x?x?xi64>
one("upper_default", "Trilu", ["x"], [("x", I, [2, "a", "b"])], [("y", I, [2, "a", "b"])],
    opset=14)
# A one-element 1-D k becomes rank 0.
# KVEC: %[[K:.*]] = ds.constant dense<1> : tensor<i64>
# KVEC: ds.trilu %arg0, %[[K]] : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
one("k_vector", "Trilu", ["x", "k"], [("x", F, [4, 4])], [("y", F, [4, 4])],
    [("k", np.array([1], i64))], opset=14, check=False)
# RUNTIME: ds.trilu %arg0, %arg1 {upper = false} : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
one("runtime_k", "Trilu", ["x", "k"], [("x", F, [4, 4]), ("k", I, [])], [("y", F, [4, 4])],
    opset=14, upper=0)
# FOLD-NOT: ds.trilu
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[1, 2, 3], [0, 5, 6], [0, 0, 9]]> : tensor<3x3xi64>
# FOLD: return %[[C]]
one("fold", "Trilu", ["c"], [], [("y", I, [3, 3])],
    [("c", np.arange(1, 10, dtype=i64).reshape(3, 3))], opset=14)
# The causal mask: lower triangle with k = 0 of a constant of ones.
# FOLDLOWER-NOT: ds.trilu
# FOLDLOWER: %[[C:.*]] = ds.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
# FOLDLOWER: return %[[C]]
one("fold_lower", "Trilu", ["c"], [], [("y", F, [2, 2])],
    [("c", np.ones((2, 2), np.float32))], opset=14, upper=0)

# RANK: error: {{.*}}: node 'rank1' (Trilu, ai.onnx opset 14): 'ds.trilu' op input must have rank >= 2, got 1
one("rank1", "Trilu", ["x"], [("x", F, [4])], [("y", F, [4])], opset=14, check=False)
