# RUN: %python %s %t
# RUN: ds-opt %t/sum11.onnx | FileCheck %s --check-prefix=SUM11
# RUN: ds-opt %t/sum13.onnx | FileCheck %s --check-prefix=SUM13
# RUN: ds-opt %t/sum13_noop.onnx | FileCheck %s --check-prefix=NOOP
# RUN: ds-opt %t/mean17.onnx | FileCheck %s --check-prefix=MEAN17
# RUN: ds-opt %t/mean18.onnx | FileCheck %s --check-prefix=MEAN18
# RUN: ds-opt %t/others.onnx | FileCheck %s --check-prefix=OTHERS
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/argmax.onnx | FileCheck %s --check-prefix=ARG
# RUN: not ds-opt %t/axes_input.onnx 2>&1 | FileCheck %s --check-prefix=AXESIN
# RUN: not ds-opt %t/axes_range.onnx 2>&1 | FileCheck %s --check-prefix=RANGE
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# ReduceSum-11: axes attribute; absent axes reduce everything.
# SUM11-LABEL: func.func @main
# SUM11: ds.reduce sum %arg0 {axes = array<i64: 1>} : tensor<?x4x8xf32> -> tensor<?x8xf32>
# SUM11: ds.reduce sum %arg0 {axes = array<i64: 0, 1, 2>, keep_dims} : tensor<?x4x8xf32> -> tensor<1x1x1xf32>
emit("sum11", model(
    [node("ReduceSum", ["x"], ["y"], axes=[1], keepdims=0), node("ReduceSum", ["x"], ["z"])],
    [value("x", F, ["n", 4, 8])], [value("y", F, ["n", 8]), value("z", F, [1, 1, 1])],
    opset=11))

# ReduceSum-13: axes input (constant); empty axes reduce everything by default.
# SUM13-LABEL: func.func @main
# SUM13: ds.reduce sum %arg0 {axes = array<i64: -1>, keep_dims} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
# SUM13: ds.reduce sum %arg0 {axes = array<i64: 0, 1, 2>} : tensor<?x4x8xf32> -> tensor<f32>
emit("sum13", model(
    [node("ReduceSum", ["x", "axes"], ["y"]), node("ReduceSum", ["x"], ["z"], keepdims=0)],
    [value("x", F, ["n", 4, 8])], [value("y", F, ["n", 4, 1]), value("z", F, [])],
    [tensor("axes", np.array([-1], np.int64))], opset=13))

# noop_with_empty_axes: ReduceSum is the identity, ReduceSumSquare squares.
# NOOP-LABEL: func.func @main
# NOOP-SAME: (%[[X:.*]]: tensor<?x4xf32>
# NOOP: %[[SQ:.*]] = ds.reduce sum_square %[[X]] {axes = array<i64>, keep_dims} : tensor<?x4xf32> -> tensor<?x4xf32>
# NOOP: return %[[X]], %[[SQ]]
emit("sum13_noop", model(
    [node("ReduceSum", ["x"], ["y"], noop_with_empty_axes=1),
     node("ReduceSumSquare", ["x", "empty"], ["z"], noop_with_empty_axes=1)],
    [value("x", F, ["n", 4])], [value("y", F, ["n", 4]), value("z", F, ["n", 4])],
    [tensor("empty", np.zeros((0,), np.int64))], opset=18))

# ReduceMean-17 takes axes as an attribute, -18 as an input.
# MEAN17-LABEL: func.func @main
# MEAN17: ds.reduce mean %arg0 {axes = array<i64: 0, 2>, keep_dims} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
emit("mean17", model(
    [node("ReduceMean", ["x"], ["y"], axes=[0, 2])],
    [value("x", F, [2, 3, 4])], [value("y", F, [1, 3, 1])], opset=17))

# MEAN18-LABEL: func.func @main
# MEAN18: ds.reduce mean %arg0 {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
emit("mean18", model(
    [node("ReduceMean", ["x", "axes"], ["y"], keepdims=0)],
    [value("x", F, [2, 3, 4])], [value("y", F, [3])],
    [tensor("axes", np.array([0, 2], np.int64))], opset=18))

# Every other reduction, old (attribute) form.
# OTHERS-LABEL: func.func @main
# OTHERS: ds.reduce max %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce min %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce prod %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce l1 %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce l2 %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce sum_square %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce log_sum %arg0 {axes = array<i64: 1>, keep_dims}
# OTHERS: ds.reduce log_sum_exp %arg0 {axes = array<i64: 1>, keep_dims} : tensor<2x5xf32> -> tensor<2x1xf32>
ops = ["ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
       "ReduceLogSum", "ReduceLogSumExp"]
emit("others", model(
    [node(op, ["x"], ["y%d" % i], axes=[1]) for i, op in enumerate(ops)],
    [value("x", F, [2, 5])], [value("y%d" % i, F, [2, 1]) for i in range(len(ops))],
    opset=17))

# A reduction of a constant folds during import.
# FOLD-LABEL: func.func @main
# FOLD: %[[C:.*]] = ds.constant dense<[4, 6]> : tensor<2xi64>
# FOLD-NOT: ds.reduce
# FOLD: return %[[C]]
emit("fold", model(
    [node("ReduceSum", ["c", "axes"], ["y"], keepdims=0)],
    [], [value("y", I64, [2])],
    [tensor("c", np.array([[1, 2], [3, 4]], np.int64)), tensor("axes", np.array([0], np.int64))],
    opset=13))

# ArgMax / ArgMin with keepdims and select_last_index.
# ARG-LABEL: func.func @main
# ARG: ds.arg_reduce argmax %arg0 {axis = -1 : i64} : tensor<?x10xf32> -> tensor<?xi64>
# ARG: ds.arg_reduce argmin %arg0 {axis = 0 : i64, keep_dims, select_last_index} : tensor<?x10xf32> -> tensor<1x10xi64>
emit("argmax", model(
    [node("ArgMax", ["x"], ["y"], axis=-1, keepdims=0),
     node("ArgMin", ["x"], ["z"], select_last_index=1)],
    [value("x", F, ["n", 10])], [value("y", I64, ["n"]), value("z", I64, [1, 10])],
    opset=13))

# AXESIN: node 'y' (ReduceMax, ai.onnx opset 18): input #1 ('axes', axes) must be a constant
emit("axes_input", model(
    [node("ReduceMax", ["x", "axes"], ["y"])],
    [value("x", F, [2, 3]), value("axes", I64, [1])], [value("y", F, [2, 1])], opset=18))

# RANGE: node 'y' (ReduceL1, ai.onnx opset 13): axes [0, 2] are out of range for rank 2
emit("axes_range", model(
    [node("ReduceL1", ["x"], ["y"], axes=[0, 2])],
    [value("x", F, [2, 3])], [value("y", F, [1, 1])], opset=13), check=False)
