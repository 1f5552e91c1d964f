# GatherND: index tuples into the leading data dims, batch_dims from opset 12,
# negative indices, constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/batch_dims.onnx | FileCheck %s --check-prefix=BATCH
# RUN: ds-opt %t/gather_nd11.onnx | FileCheck %s --check-prefix=GND11
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_batch.onnx | FileCheck %s --check-prefix=FOLDB
# RUN: ds-opt %t/oob_no_fold.onnx | FileCheck %s --check-prefix=NOFOLD
# RUN: not ds-opt %t/batch_too_big.onnx 2>&1 | FileCheck %s --check-prefix=BIGBATCH
# RUN: not ds-opt %t/tuple_too_long.onnx 2>&1 | FileCheck %s --check-prefix=LONG
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# BATCH: ds.gather_nd %arg0, %arg1 {batch_dims = 1 : i64} : (tensor<2x4x8xf32>, tensor<2x3x1xi64>) -> tensor<2x3x8xf32>
one("batch_dims", "GatherND", ["x", "i"], [("x", F, [2, 4, 8]), ("i", I, [2, 3, 1])],
    [("y", F, [2, 3, 8])], batch_dims=1)
# GatherND-11 has no batch_dims.
# GND11: ds.gather_nd %arg0, %arg1 : (tensor<4x8x2xf32>, tensor<5x2xi64>) -> tensor<5x2xf32>
one("gather_nd11", "GatherND", ["x", "i"], [("x", F, [4, 8, 2]), ("i", I, [5, 2])],
    [("y", F, [5, 2])], opset=11)
# DYN: ds.gather_nd %arg0, %arg1 : (tensor<?x8xi32>, tensor<?x1xi64>) -> tensor<?x8xi32>
one("dynamic", "GatherND", ["x", "i"], [("x", TensorProto.INT32, ["n", 8]), ("i", I, ["k", 1])],
    [("y", TensorProto.INT32, ["k", 8])], opset=13)
# out[k] = c[idx[k][0], idx[k][1]], negative indices from the back.
# FOLD-NOT: ds.gather_nd
# FOLD: %[[C:.*]] = ds.constant dense<[5, 1, 3]> : tensor<3xi64>
# FOLD: return %[[C]]
one("fold", "GatherND", ["c", "i"], [], [("y", I, [3])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3)),
     ("i", np.array([[1, 2], [0, 1], [-1, -3]], i64))])
# With a batch dim: out[b] = c[b, idx[b][0]] (rows of the trailing dim).
# FOLDB-NOT: ds.gather_nd
# FOLDB: %[[C:.*]] = ds.constant dense<{{\[}}[2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00]]> : tensor<2x2xf32>
# FOLDB: return %[[C]]
one("fold_batch", "GatherND", ["c", "i"], [], [("y", F, [2, 2])],
    [("c", np.arange(8, dtype=np.float32).reshape(2, 2, 2)), ("i", np.array([[1], [0]], i64))],
    batch_dims=1)
# An index out of range does not fold (it is an error at run time).
# NOFOLD: ds.gather_nd %{{.*}}, %{{.*}} : (tensor<2x3xi64>, tensor<1x2xi64>) -> tensor<1xi64>
one("oob_no_fold", "GatherND", ["c", "i"], [], [("y", I, [1])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3)), ("i", np.array([[0, 3]], i64))])

# BIGBATCH: error: {{.*}}: node 'batch_too_big' (GatherND, ai.onnx opset 17): 'ds.gather_nd' op batch_dims 2 must be less than the ranks of data (2) and indices (3)
one("batch_too_big", "GatherND", ["x", "i"], [("x", F, [2, 4]), ("i", I, [2, 4, 1])],
    [("y", F, [2, 4])], check=False, batch_dims=2)
# LONG: error: {{.*}}: node 'tuple_too_long' (GatherND, ai.onnx opset 17): 'ds.gather_nd' op index tuples of length 3 do not fit data of rank 2 after 0 batch dims
one("tuple_too_long", "GatherND", ["x", "i"], [("x", F, [2, 4]), ("i", I, [5, 3])],
    [("y", F, [5])], check=False)
