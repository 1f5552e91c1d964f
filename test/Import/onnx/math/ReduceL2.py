# RUN: %python %s %t
# RUN: ds-opt %t/attr.onnx | FileCheck %s --check-prefix=ATTR
# RUN: ds-opt %t/input.onnx | FileCheck %s --check-prefix=INPUT
# RUN: ds-opt %t/noop.onnx | FileCheck %s --check-prefix=NOOP
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: not ds-opt %t/axes_input.onnx 2>&1 | FileCheck %s --check-prefix=AXESIN
# RUN: not ds-opt %t/axes_range.onnx 2>&1 | FileCheck %s --check-prefix=RANGE
# RUN: not ds-opt %t/int.onnx 2>&1 | FileCheck %s --check-prefix=INT
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# ReduceL2: the square root of the sum of squares.
# Before opset 18 (here 17, the last such version) axes is an attribute;
# keepdims defaults to 1 and absent axes reduce every dim.
# ATTR-LABEL: func.func @main
# ATTR: ds.reduce l2 %arg0 {axes = array<i64: 1>, keep_dims} : tensor<?x4x8xf32> -> tensor<?x1x8xf32>
# ATTR: ds.reduce l2 %arg0 {axes = array<i64: 0, -1>} : tensor<?x4x8xf32> -> tensor<4xf32>
# ATTR: ds.reduce l2 %arg0 {axes = array<i64: 0, 1, 2>, keep_dims} : tensor<?x4x8xf32> -> tensor<1x1x1xf32>
emit("attr", model(
    [node("ReduceL2", ["x"], ["y"], axes=[1]),
     node("ReduceL2", ["x"], ["z"], axes=[0, -1], keepdims=0),
     node("ReduceL2", ["x"], ["w"])],
    [value("x", F, ["n", 4, 8])],
    [value("y", F, ["n", 1, 8]), value("z", F, [4]), value("w", F, [1, 1, 1])],
    opset=17))

# ReduceL2-18: axes is an optional constant input; absent or empty, every dim.
# INPUT-LABEL: func.func @main
# INPUT: ds.reduce l2 %arg0 {axes = array<i64: -1>, keep_dims} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
# INPUT: ds.reduce l2 %arg0 {axes = array<i64: 0, 1, 2>} : tensor<?x4x8xf32> -> tensor<f32>
# INPUT: ds.reduce l2 %arg0 {axes = array<i64: 0, 1, 2>, keep_dims} : tensor<?x4x8xf32> -> tensor<1x1x1xf32>
emit("input", model(
    [node("ReduceL2", ["x", "axes"], ["y"]),
     node("ReduceL2", ["x"], ["z"], keepdims=0),
     node("ReduceL2", ["x", "empty"], ["w"])],
    [value("x", F, ["n", 4, 8])],
    [value("y", F, ["n", 4, 1]), value("z", F, []), value("w", F, [1, 1, 1])],
    [tensor("axes", np.array([-1], np.int64)), tensor("empty", np.zeros((0,), np.int64))],
    opset=18))

# noop_with_empty_axes = 1 without axes reduces nothing, but still applies the
# element function: ds.reduce with empty axes.
# NOOP-LABEL: func.func @main
# NOOP-SAME: (%[[X:.*]]: tensor<?x4xf32>
# NOOP: %[[A:.*]] = ds.reduce l2 %[[X]] {axes = array<i64>, keep_dims} : tensor<?x4xf32> -> tensor<?x4xf32>
# NOOP: %[[B:.*]] = ds.reduce l2 %[[X]] {axes = array<i64>, keep_dims} : tensor<?x4xf32> -> tensor<?x4xf32>
# NOOP: %[[R:.*]] = ds.reduce l2 %[[X]] {axes = array<i64: 0>, keep_dims} : tensor<?x4xf32> -> tensor<1x4xf32>
# NOOP: return %[[A]], %[[B]], %[[R]]
emit("noop", model(
    [node("ReduceL2", ["x"], ["y"], noop_with_empty_axes=1),
     node("ReduceL2", ["x", "empty"], ["z"], noop_with_empty_axes=1),
     node("ReduceL2", ["x", "zero"], ["w"], noop_with_empty_axes=1)],
    [value("x", F, ["n", 4])],
    [value("y", F, ["n", 4]), value("z", F, ["n", 4]), value("w", F, [1, 4])],
    [tensor("empty", np.zeros((0,), np.int64)), tensor("zero", np.array([0], np.int64))],
    opset=18))

# Floating-point element types keep their type (opset 11 reads axes alike).
# DTYPE-LABEL: func.func @main
# DTYPE: ds.reduce l2 %arg0 {axes = array<i64: 1>} : tensor<2x3xf16> -> tensor<2xf16>
# DTYPE: ds.reduce l2 %arg1 {axes = array<i64: 1>} : tensor<2x3xbf16> -> tensor<2xbf16>
# DTYPE: ds.reduce l2 %arg2 {axes = array<i64: 1>} : tensor<2x3xf64> -> tensor<2xf64>
emit("dtypes", model(
    [node("ReduceL2", ["a"], ["ya"], axes=[1], keepdims=0),
     node("ReduceL2", ["b"], ["yb"], axes=[1], keepdims=0),
     node("ReduceL2", ["c"], ["yc"], axes=[1], keepdims=0)],
    [value("a", TensorProto.FLOAT16, [2, 3]), value("b", TensorProto.BFLOAT16, [2, 3]),
     value("c", TensorProto.DOUBLE, [2, 3])],
    [value("ya", TensorProto.FLOAT16, [2]), value("yb", TensorProto.BFLOAT16, [2]),
     value("yc", TensorProto.DOUBLE, [2])], opset=11))

# AXESIN: node 'y' (ReduceL2, ai.onnx opset 18): input #1 ('axes', axes) must be a constant, or computable from static shapes
emit("axes_input", model(
    [node("ReduceL2", ["x", "axes"], ["y"])],
    [value("x", F, [2, 3]), value("axes", I64, [1])], [value("y", F, [2, 1])], opset=18))

# RANGE: node 'y' (ReduceL2, ai.onnx opset 13): axes [0, 2] are out of range for rank 2
emit("axes_range", model(
    [node("ReduceL2", ["x"], ["y"], axes=[0, 2])],
    [value("x", F, [2, 3])], [value("y", F, [1, 1])], opset=13), check=False)

# ONNX allows integer inputs, ds.reduce l2 does not.
# INT: node 'y' (ReduceL2, ai.onnx opset 18): 'ds.reduce' op 'l2' needs floating-point elements, got 'i32'
emit("int", model(
    [node("ReduceL2", ["x"], ["y"], keepdims=0)],
    [value("x", TensorProto.INT32, [2, 3])], [value("y", TensorProto.INT32, [])],
    opset=18))
