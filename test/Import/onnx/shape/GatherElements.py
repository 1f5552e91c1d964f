# GatherElements: indices of the data's rank give the result shape; negative axes and
# indices; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/gather_elements.onnx | FileCheck %s --check-prefix=GELEM
# RUN: ds-opt %t/negative_axis11.onnx | FileCheck %s --check-prefix=NEG
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/rank.onnx 2>&1 | FileCheck %s --check-prefix=RANK
# RUN: not ds-opt %t/oob.onnx 2>&1 | FileCheck %s --check-prefix=OOB
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# GELEM: ds.gather_elements %arg0, %arg1 {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
one("gather_elements", "GatherElements", ["x", "i"], [("x", F, [4, 8]), ("i", I, [4, 2])],
    [("y", F, [4, 2])], axis=1)
# NEG: ds.gather_elements %arg0, %arg1 {axis = 1 : i64} : (tensor<?x8xi64>, tensor<?x3xi32>) -> tensor<?x3xi64>
one("negative_axis11", "GatherElements", ["x", "i"],
    [("x", I, ["n", 8]), ("i", TensorProto.INT32, ["n", 3])], [("y", I, ["n", 3])],
    opset=11, axis=-1)
# out[i][j] = c[i][idx[i][j]], with -1 the last column.
# FOLD-NOT: ds.gather_elements
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[2, 0], [3, 5]]> : tensor<2x2xi64>
# FOLD: return %[[C]]
one("fold", "GatherElements", ["c", "i"], [], [("y", I, [2, 2])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3)), ("i", np.array([[-1, 0], [0, 2]], i64))],
    axis=1)

# RANK: error: {{.*}}: node 'rank' (GatherElements, ai.onnx opset 17): 'ds.gather_elements' op indices have rank 1 but data has rank 2
one("rank", "GatherElements", ["x", "i"], [("x", F, [4, 8]), ("i", I, [2])],
    [("y", F, [2])], check=False)
# OOB: error: {{.*}}: node 'oob' (GatherElements, ai.onnx opset 17): 'ds.gather_elements' op index -4 is out of range for dim 0 of size 3
one("oob", "GatherElements", ["x", "i"], [("x", F, [3, 2])], [("y", F, [1, 2])],
    [("i", np.array([[0, -4]], i64))])
