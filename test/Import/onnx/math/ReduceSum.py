# RUN: %python %s %t
# RUN: ds-opt %t/sum11.onnx | FileCheck %s --check-prefix=SUM11
# RUN: ds-opt %t/sum13.onnx | FileCheck %s --check-prefix=SUM13
# RUN: ds-opt %t/sum13_noop.onnx | FileCheck %s --check-prefix=NOOP
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/axes_input.onnx 2>&1 | FileCheck %s --check-prefix=AXESIN
# RUN: not ds-opt %t/axes_range11.onnx 2>&1 | FileCheck %s --check-prefix=RANGE11
# RUN: not ds-opt %t/axes_range13.onnx 2>&1 | FileCheck %s --check-prefix=RANGE13
# RUN: not ds-opt %t/bool.onnx 2>&1 | FileCheck %s --check-prefix=BOOL
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# ReduceSum-11: axes attribute; absent axes reduce everything; keepdims defaults to 1.
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
# SUM13: ds.reduce sum %arg0 {axes = array<i64: 0, 1, 2>} : tensor<?x4x8xf32> -> tensor<f32>
emit("sum13", model(
    [node("ReduceSum", ["x", "axes"], ["y"]), node("ReduceSum", ["x"], ["z"], keepdims=0),
     node("ReduceSum", ["x", "empty"], ["w"], keepdims=0)],
    [value("x", F, ["n", 4, 8])],
    [value("y", F, ["n", 4, 1]), value("z", F, []), value("w", F, [])],
    [tensor("axes", np.array([-1], np.int64)), tensor("empty", np.zeros((0,), np.int64))],
    opset=13))

# noop_with_empty_axes: without axes (absent or empty) ReduceSum is the identity;
# with axes it reduces as usual.
# NOOP-LABEL: func.func @main
# NOOP-SAME: (%[[X:.*]]: tensor<?x4xf32>
# NOOP: %[[S:.*]] = ds.reduce sum %[[X]] {axes = array<i64: 1>, keep_dims} : tensor<?x4xf32> -> tensor<?x1xf32>
# NOOP: return %[[X]], %[[X]], %[[S]]
emit("sum13_noop", model(
    [node("ReduceSum", ["x"], ["y"], noop_with_empty_axes=1),
     node("ReduceSum", ["x", "empty"], ["z"], noop_with_empty_axes=1),
     node("ReduceSum", ["x", "one"], ["w"], noop_with_empty_axes=1)],
    [value("x", F, ["n", 4])],
    [value("y", F, ["n", 4]), value("z", F, ["n", 4]), value("w", F, ["n", 1])],
    [tensor("empty", np.zeros((0,), np.int64)), tensor("one", np.array([1], np.int64))],
    opset=13))

# Integer and half-precision sums keep their element type.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.reduce sum %arg0 {axes = array<i64: 0>, keep_dims} : tensor<?x3xi64> -> tensor<1x3xi64>
# DTYPE: ds.reduce sum %arg1 {axes = array<i64: 0>} : tensor<2x3xi32> -> tensor<3xi32>
# DTYPE: ds.reduce sum %arg2 {axes = array<i64: 1>, keep_dims} : tensor<2x3xbf16> -> tensor<2x1xbf16>
emit("dtypes", model(
    [node("ReduceSum", ["a", "zero"], ["ya"]),
     node("ReduceSum", ["b", "zero"], ["yb"], keepdims=0),
     node("ReduceSum", ["c", "one"], ["yc"])],
    [value("a", I64, ["n", 3]), value("b", TensorProto.INT32, [2, 3]),
     value("c", TensorProto.BFLOAT16, [2, 3])],
    [value("ya", I64, [1, 3]), value("yb", TensorProto.INT32, [3]),
     value("yc", TensorProto.BFLOAT16, [2, 1])],
    [tensor("zero", np.array([0], np.int64)), tensor("one", np.array([1], np.int64))],
    opset=13))

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

# AXESIN: node 'y' (ReduceSum, ai.onnx opset 13): input #1 ('axes', axes) must be a constant, or computable from static shapes
emit("axes_input", model(
    [node("ReduceSum", ["x", "axes"], ["y"])],
    [value("x", F, [2, 3]), value("axes", I64, [1])], [value("y", F, [2, 1])], opset=13))

# An axis out of range, in the attribute form (ReduceSum-11) and the input form.
# RANGE11: node 'y' (ReduceSum, ai.onnx opset 11): axes [0, 2] are out of range for rank 2
emit("axes_range11", model(
    [node("ReduceSum", ["x"], ["y"], axes=[0, 2])],
    [value("x", F, [2, 3])], [value("y", F, [1, 1])], opset=11), check=False)

# RANGE13: node 'y' (ReduceSum, ai.onnx opset 13): axes [-3] are out of range for rank 2
emit("axes_range13", model(
    [node("ReduceSum", ["x", "axes"], ["y"])],
    [value("x", F, [2, 3])], [value("y", F, [1, 1])],
    [tensor("axes", np.array([-3], np.int64))], opset=13), check=False)

# BOOL: node 'y' (ReduceSum, ai.onnx opset 13): 'ds.reduce' op 'sum' is not defined on i1 elements
emit("bool", model(
    [node("ReduceSum", ["x"], ["y"], keepdims=0)],
    [value("x", TensorProto.BOOL, [2, 3])], [value("y", TensorProto.BOOL, [])], opset=13),
    check=False)
