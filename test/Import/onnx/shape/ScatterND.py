# ScatterND: index tuples address slices of the data; reduction from opset 16, max
# and min from 18; constants fold unless a slice is written twice without a
# reduction.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/scatter_nd11.onnx | FileCheck %s --check-prefix=SCND11
# RUN: ds-opt %t/scatter_nd16.onnx | FileCheck %s --check-prefix=SCND16
# RUN: ds-opt %t/scatter_nd18.onnx | FileCheck %s --check-prefix=SCND18
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_mul.onnx | FileCheck %s --check-prefix=FOLDMUL
# RUN: ds-opt %t/repeated_no_fold.onnx | FileCheck %s --check-prefix=NOFOLD
# RUN: not ds-opt %t/scatter_nd16_min.onnx 2>&1 | FileCheck %s --check-prefix=MIN16
# RUN: not ds-opt %t/updates_shape.onnx 2>&1 | FileCheck %s --check-prefix=UPDATES
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


SC_IN = [("x", F, [4, 8]), ("i", I, [2, 1]), ("u", F, [2, 8])]
# SCND11: ds.scatter_nd none %arg0, %arg1, %arg2 : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
one("scatter_nd11", "ScatterND", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])], opset=11)
# SCND16: ds.scatter_nd mul %arg0, %arg1, %arg2 : (tensor<?x8xf32>, tensor<?x2xi64>, tensor<?xf32>) -> tensor<?x8xf32>
one("scatter_nd16", "ScatterND", ["x", "i", "u"],
    [("x", F, ["n", 8]), ("i", I, ["k", 2]), ("u", F, ["k"])], [("y", F, ["n", 8])],
    opset=16, reduction="mul")
# SCND18: ds.scatter_nd min %arg0, %arg1, %arg2 : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
one("scatter_nd18", "ScatterND", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=18, reduction="min")

# Rows -1 and 0 of a 3x2 constant are replaced.
# FOLD-NOT: ds.scatter_nd
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[7, 8], [2, 3], [5, 6]]> : tensor<3x2xi64>
# FOLD: return %[[C]]
one("fold", "ScatterND", ["c", "i", "u"], [], [("y", I, [3, 2])],
    [("c", np.arange(6, dtype=i64).reshape(3, 2)), ("i", np.array([[-1], [0]], i64)),
     ("u", np.array([[5, 6], [7, 8]], i64))], opset=13)
# One element written twice, combined by mul.
# FOLDMUL-NOT: ds.scatter_nd
# FOLDMUL: %[[C:.*]] = ds.constant dense<{{\[}}[1, 2], [3, 24]]> : tensor<2x2xi32>
# FOLDMUL: return %[[C]]
one("fold_mul", "ScatterND", ["c", "i", "u"], [], [("y", TensorProto.INT32, [2, 2])],
    [("c", np.arange(1, 5, dtype=np.int32).reshape(2, 2)), ("i", np.array([[1, 1], [1, 1]], i64)),
     ("u", np.array([2, 3], np.int32))], opset=16, reduction="mul")
# Without a reduction the order of repeated writes is undefined: no fold.
# NOFOLD: ds.scatter_nd none %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x2xi32>, tensor<2x2xi64>, tensor<2xi32>) -> tensor<2x2xi32>
one("repeated_no_fold", "ScatterND", ["c", "i", "u"], [], [("y", TensorProto.INT32, [2, 2])],
    [("c", np.arange(1, 5, dtype=np.int32).reshape(2, 2)), ("i", np.array([[1, 1], [1, 1]], i64)),
     ("u", np.array([2, 3], np.int32))], opset=16)

# MIN16: error: {{.*}}: node 'scatter_nd16_min' (ScatterND, ai.onnx opset 16): attribute 'reduction' is 'min'; opset 16 allows none, add, mul
one("scatter_nd16_min", "ScatterND", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=16, check=False, reduction="min")
# UPDATES: error: {{.*}}: node 'updates_shape' (ScatterND, ai.onnx opset 17): 'ds.scatter_nd' op updates have shape 2x4 but indices and data need 2x8
one("updates_shape", "ScatterND", ["x", "i", "u"],
    [("x", F, [4, 8]), ("i", I, [2, 1]), ("u", F, [2, 4])], [("y", F, [4, 8])], check=False)
# LONG: error: {{.*}}: node 'tuple_too_long' (ScatterND, ai.onnx opset 17): 'ds.scatter_nd' op index tuples of length 3 exceed the data rank 2
one("tuple_too_long", "ScatterND", ["x", "i", "u"],
    [("x", F, [4, 8]), ("i", I, [2, 3]), ("u", F, [2])], [("y", F, [4, 8])], check=False)
