# ScatterElements (and Scatter-11, its deprecated name): reduction from opset 16, max
# and min from 18; negative axes; constants fold unless indices repeat without a
# reduction.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/scatter_elements11.onnx | FileCheck %s --check-prefix=SCE11
# RUN: ds-opt %t/scatter11.onnx | FileCheck %s --check-prefix=SCATTER
# RUN: ds-opt %t/scatter_elements16.onnx | FileCheck %s --check-prefix=SCE16
# RUN: ds-opt %t/scatter_elements18_max.onnx | FileCheck %s --check-prefix=SCE18MAX
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_add.onnx | FileCheck %s --check-prefix=FOLDADD
# RUN: ds-opt %t/repeated_no_fold.onnx | FileCheck %s --check-prefix=NOFOLD
# RUN: not ds-opt %t/scatter_elements16_max.onnx 2>&1 | FileCheck %s --check-prefix=SCE16MAX
# RUN: not ds-opt %t/updates_shape.onnx 2>&1 | FileCheck %s --check-prefix=UPDATES
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


SC_IN = [("x", F, [4, 8]), ("i", I, [4, 2]), ("u", F, [4, 2])]
# Before opset 16 there is no reduction.
# SCE11: ds.scatter_elements none %arg0, %arg1, %arg2 {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x8xf32>
one("scatter_elements11", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=11, axis=-1)
# SCATTER: ds.scatter_elements none %arg0, %arg1, %arg2 {axis = 0 : i64} : (tensor<?x8xf32>, tensor<?x2xi32>, tensor<?x2xf32>) -> tensor<?x8xf32>
one("scatter11", "Scatter", ["x", "i", "u"],
    [("x", F, ["n", 8]), ("i", TensorProto.INT32, ["k", 2]), ("u", F, ["k", 2])],
    [("y", F, ["n", 8])], opset=11, check=False)
# SCE16: ds.scatter_elements add %arg0, %arg1, %arg2 {axis = 0 : i64}
one("scatter_elements16", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=16, reduction="add")
# SCE18MAX: ds.scatter_elements max %arg0, %arg1, %arg2 {axis = 0 : i64}
one("scatter_elements18_max", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=18, reduction="max")

# c[i][idx[i][j]] = u[i][j].
# FOLD-NOT: ds.scatter_elements
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[0, 10, 2], [3, 4, 40]]> : tensor<2x3xi64>
# FOLD: return %[[C]]
one("fold", "ScatterElements", ["c", "i", "u"], [], [("y", I, [2, 3])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3)), ("i", np.array([[1], [-1]], i64)),
     ("u", np.array([[10], [40]], i64))], opset=13, axis=1)
# Repeated indices combine by the reduction.
# FOLDADD-NOT: ds.scatter_elements
# FOLDADD: %[[C:.*]] = ds.constant dense<[1.000000e+00, 6.000000e+00, 1.000000e+00]> : tensor<3xf32>
# FOLDADD: return %[[C]]
one("fold_add", "ScatterElements", ["c", "i", "u"], [], [("y", F, [3])],
    [("c", np.ones(3, np.float32)), ("i", np.array([1, 1], i64)),
     ("u", np.array([2, 3], np.float32))], opset=18, reduction="add")
# Without a reduction the order of repeated writes is undefined: no fold.
# NOFOLD: ds.scatter_elements none %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
one("repeated_no_fold", "ScatterElements", ["c", "i", "u"], [], [("y", F, [3])],
    [("c", np.ones(3, np.float32)), ("i", np.array([1, 1], i64)),
     ("u", np.array([2, 3], np.float32))], opset=18)

# max and min come with opset 18.
# SCE16MAX: error: {{.*}}: node 'scatter_elements16_max' (ScatterElements, ai.onnx opset 16): attribute 'reduction' is 'max'; opset 16 allows none, add, mul
one("scatter_elements16_max", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=16, check=False, reduction="max")
# UPDATES: error: {{.*}}: node 'updates_shape' (ScatterElements, ai.onnx opset 17): 'ds.scatter_elements' op updates shape 4x3 differs from indices shape 4x2
one("updates_shape", "ScatterElements", ["x", "i", "u"],
    [("x", F, [4, 8]), ("i", I, [4, 2]), ("u", F, [4, 3])], [("y", F, [4, 8])], check=False)
# AXIS: error: {{.*}}: node 'axis_range' (ScatterElements, ai.onnx opset 17): axis 2 is out of range for rank 2
one("axis_range", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    check=False, axis=2)
