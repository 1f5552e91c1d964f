# Gather: negative axes and indices, scalar indices drop the axis, int32 indices,
# constant data folds, and entries of a partly dynamic shape vector fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/gather.onnx | FileCheck %s --check-prefix=GATHER
# RUN: ds-opt %t/scalar_index.onnx | FileCheck %s --check-prefix=SCALAR
# RUN: ds-opt %t/i32_indices11.onnx | FileCheck %s --check-prefix=I32
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/shape_entry.onnx | FileCheck %s --check-prefix=ENTRY
# RUN: ds-opt %t/shape_entry_dynamic.onnx | FileCheck %s --check-prefix=ENTRYDYN
# RUN: not ds-opt %t/oob.onnx 2>&1 | FileCheck %s --check-prefix=OOB
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


# Negative indices stay as they are (the op wraps them at run time).
# GATHER: ds.gather %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x5x8xf32>, tensor<2xi64>) -> tensor<?x2x8xf32>
one("gather", "Gather", ["x", "i"], [("x", F, ["n", 5, 8])], [("y", F, ["n", 2, 8])],
    [("i", np.array([-1, 0], i64))], axis=-2)
# An embedding lookup: [vocab, d] by [b, s] ids.
# SCALAR: ds.gather %arg0, %arg1 {axis = 0 : i64} : (tensor<100x16xf32>, tensor<?x?xi64>) -> tensor<?x?x16xf32>
one("scalar_index", "Gather", ["x", "i"], [("x", F, [100, 16]), ("i", I, ["b", "s"])],
    [("y", F, ["b", "s", 16])])
# I32: ds.gather %arg0, %arg1 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<i32>) -> tensor<3xf32>
one("i32_indices11", "Gather", ["x", "i"], [("x", F, [3, 4]), ("i", TensorProto.INT32, [])],
    [("y", F, [3])], opset=11, axis=1)
# FOLD-NOT: ds.gather
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[2, 1], [5, 4]]> : tensor<2x2xi64>
# FOLD: return %[[C]]
one("fold", "Gather", ["c", "i"], [], [("y", I, [2, 2])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3)), ("i", np.array([-1, 1], i64))], axis=1)
# A static entry of a dynamic shape vector: Shape -> Gather folds to the dim.
# ENTRY-NOT: ds.gather
# ENTRY: %[[C:.*]] = ds.constant dense<64> : tensor<i64>
# ENTRY: return %[[C]]
emit("shape_entry", model([node("Shape", ["x"], ["s"]), node("Gather", ["s", "i"], ["y"])],
                          [value("x", F, ["b", "n", 64])], [value("y", I, [])],
                          [tensor("i", i64(-1))]))
# A dynamic entry stays a gather of the shape.
# ENTRYDYN: %[[S:.*]] = ds.shape_of %arg0 {end = 3 : i64, start = 0 : i64} : tensor<?x?x64xf32> -> tensor<3xi64>
# ENTRYDYN: ds.gather %[[S]], %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
emit("shape_entry_dynamic", model(
    [node("Shape", ["x"], ["s"]), node("Gather", ["s", "i"], ["y"])],
    [value("x", F, ["b", "n", 64])], [value("y", I, [])], [tensor("i", i64(1))]))

# OOB: error: {{.*}}: node 'oob' (Gather, ai.onnx opset 17): 'ds.gather' op index 5 is out of range for dim 1 of size 5
one("oob", "Gather", ["x", "i"], [("x", F, [2, 5])], [("y", F, [2])],
    [("i", i64(5))], axis=1)
# AXIS: error: {{.*}}: node 'axis_range' (Gather, ai.onnx opset 13): axis -3 is out of range for rank 2
one("axis_range", "Gather", ["x", "i"], [("x", F, [2, 5]), ("i", I, [])], [("y", F, [2])],
    opset=13, check=False, axis=-3)
