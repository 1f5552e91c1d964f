# RUN: %python %s %t
# RUN: ds-opt %t/attr.onnx | FileCheck %s --check-prefix=ATTR
# RUN: ds-opt %t/input.onnx | FileCheck %s --check-prefix=INPUT
# RUN: ds-opt %t/noop.onnx | FileCheck %s --check-prefix=NOOP
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: not ds-opt %t/axes_input.onnx 2>&1 | FileCheck %s --check-prefix=AXESIN
# RUN: not ds-opt %t/axes_range.onnx 2>&1 | FileCheck %s --check-prefix=RANGE
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# ReduceSumSquare: the sum of squares.
# Before opset 18 (here 17, the last such version) axes is an attribute;
# keepdims defaults to 1 and absent axes reduce every dim.
# ATTR-LABEL: func.func @main
# ATTR: ds.reduce sum_square %arg0 {axes = array<i64: 1>, keep_dims} : tensor<?x4x8xf32> -> tensor<?x1x8xf32>
# ATTR: ds.reduce sum_square %arg0 {axes = array<i64: 0, -1>} : tensor<?x4x8xf32> -> tensor<4xf32>
# ATTR: ds.reduce sum_square %arg0 {axes = array<i64: 0, 1, 2>, keep_dims} : tensor<?x4x8xf32> -> tensor<1x1x1xf32>
emit("attr", model(
    [node("ReduceSumSquare", ["x"], ["y"], axes=[1]),
     node("ReduceSumSquare", ["x"], ["z"], axes=[0, -1], keepdims=0),
     node("ReduceSumSquare", ["x"], ["w"])],
    [value("x", F, ["n", 4, 8])],
    [value("y", F, ["n", 1, 8]), value("z", F, [4]), value("w", F, [1, 1, 1])],
    opset=17))

# ReduceSumSquare-18: axes is an optional constant input; absent or empty, every dim.
# INPUT-LABEL: func.func @main
# INPUT: ds.reduce sum_square %arg0 {axes = array<i64: -1>, keep_dims} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
# INPUT: ds.reduce sum_square %arg0 {axes = array<i64: 0, 1, 2>} : tensor<?x4x8xf32> -> tensor<f32>
# INPUT: ds.reduce sum_square %arg0 {axes = array<i64: 0, 1, 2>, keep_dims} : tensor<?x4x8xf32> -> tensor<1x1x1xf32>
emit("input", model(
    [node("ReduceSumSquare", ["x", "axes"], ["y"]),
     node("ReduceSumSquare", ["x"], ["z"], keepdims=0),
     node("ReduceSumSquare", ["x", "empty"], ["w"])],
    [value("x", F, ["n", 4, 8])],
    [value("y", F, ["n", 4, 1]), value("z", F, []), value("w", F, [1, 1, 1])],
    [tensor("axes", np.array([-1], np.int64)), tensor("empty", np.zeros((0,), np.int64))],
    opset=18))

# noop_with_empty_axes = 1 without axes reduces nothing, but still applies the
# element function: ds.reduce with empty axes.
# NOOP-LABEL: func.func @main
# NOOP-SAME: (%[[X:.*]]: tensor<?x4xf32>
# NOOP: %[[A:.*]] = ds.reduce sum_square %[[X]] {axes = array<i64>, keep_dims} : tensor<?x4xf32> -> tensor<?x4xf32>
# NOOP: %[[B:.*]] = ds.reduce sum_square %[[X]] {axes = array<i64>, keep_dims} : tensor<?x4xf32> -> tensor<?x4xf32>
# NOOP: %[[R:.*]] = ds.reduce sum_square %[[X]] {axes = array<i64: 0>, keep_dims} : tensor<?x4xf32> -> tensor<1x4xf32>
# NOOP: return %[[A]], %[[B]], %[[R]]
emit("noop", model(
    [node("ReduceSumSquare", ["x"], ["y"], noop_with_empty_axes=1),
     node("ReduceSumSquare", ["x", "empty"], ["z"], noop_with_empty_axes=1),
     node("ReduceSumSquare", ["x", "zero"], ["w"], noop_with_empty_axes=1)],
    [value("x", F, ["n", 4])],
    [value("y", F, ["n", 4]), value("z", F, ["n", 4]), value("w", F, [1, 4])],
    [tensor("empty", np.zeros((0,), np.int64)), tensor("zero", np.array([0], np.int64))],
    opset=18))

# Integer and half-precision element types keep their type.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.reduce sum_square %arg0 {axes = array<i64: 1>} : tensor<2x3xi32> -> tensor<2xi32>
# DTYPE: ds.reduce sum_square %arg1 {axes = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
# DTYPE: ds.reduce sum_square %arg2 {axes = array<i64: 1>} : tensor<2x3xbf16> -> tensor<2xbf16>
emit("dtypes", model(
    [node("ReduceSumSquare", ["a", "one"], ["ya"], keepdims=0),
     node("ReduceSumSquare", ["b", "one"], ["yb"], keepdims=0),
     node("ReduceSumSquare", ["c", "one"], ["yc"], keepdims=0)],
    [value("a", TensorProto.INT32, [2, 3]), value("b", I64, [2, 3]),
     value("c", TensorProto.BFLOAT16, [2, 3])],
    [value("ya", TensorProto.INT32, [2]), value("yb", I64, [2]),
     value("yc", TensorProto.BFLOAT16, [2])],
    [tensor("one", np.array([1], np.int64))], opset=18))

# AXESIN: node 'y' (ReduceSumSquare, ai.onnx opset 18): input #1 ('axes', axes) must be a constant, or computable from static shapes
emit("axes_input", model(
    [node("ReduceSumSquare", ["x", "axes"], ["y"])],
    [value("x", F, [2, 3]), value("axes", I64, [1])], [value("y", F, [2, 1])], opset=18))

# RANGE: node 'y' (ReduceSumSquare, ai.onnx opset 13): axes [0, 2] are out of range for rank 2
emit("axes_range", model(
    [node("ReduceSumSquare", ["x"], ["y"], axes=[0, 2])],
    [value("x", F, [2, 3])], [value("y", F, [1, 1])], opset=13), check=False)
