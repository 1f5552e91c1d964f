# RUN: %python %s %t
# RUN: ds-opt %t/softmax11.onnx | FileCheck %s --check-prefix=SM11
# RUN: ds-opt %t/softmax11_last.onnx | FileCheck %s --check-prefix=LAST
# RUN: ds-opt %t/softmax13.onnx | FileCheck %s --check-prefix=SM13
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: not ds-opt %t/softmax_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
# RUN: not ds-opt %t/softmax11_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS11
# RUN: not ds-opt %t/int.onnx 2>&1 | FileCheck %s --check-prefix=INT
from onnx_testing import *

F = TensorProto.FLOAT

# Softmax-11 with the default axis 1 on a 3-D input normalizes over dims 1 and 2
# together (the 2-D coercion): a reduce-based formulation. Unit dims do not count,
# so [2, 1, ?] from axis 1 is a softmax along the dynamic axis 2.
# SM11-LABEL: func.func @main
# SM11: %[[M:.*]] = ds.reduce max %arg0 {axes = array<i64: 1, 2>, keep_dims} : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
# SM11: %[[D:.*]] = ds.binary sub %arg0, %[[M]] : (tensor<?x3x4xf32>, tensor<?x1x1xf32>) -> tensor<?x3x4xf32>
# SM11: %[[E:.*]] = ds.unary exp %[[D]] : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# SM11: %[[S:.*]] = ds.reduce sum %[[E]] {axes = array<i64: 1, 2>, keep_dims} : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
# SM11: ds.binary div %[[E]], %[[S]] : (tensor<?x3x4xf32>, tensor<?x1x1xf32>) -> tensor<?x3x4xf32>
# SM11: ds.softmax %arg1 {axis = 2 : i64} : tensor<2x1x?xf32> -> tensor<2x1x?xf32>
# A dynamic dim may be more than 1: [2, ?, 4] from axis 1 needs the reductions.
# SM11: ds.reduce max %arg2 {axes = array<i64: 1, 2>, keep_dims} : tensor<2x?x4xf32> -> tensor<2x1x1xf32>
emit("softmax11", model(
    [node("Softmax", ["x"], ["y"]), node("Softmax", ["u"], ["z"]),
     node("Softmax", ["r"], ["q"])],
    [value("x", F, ["n", 3, 4]), value("u", F, [2, 1, "m"]), value("r", F, [2, "k", 4])],
    [value("y", F, ["n", 3, 4]), value("z", F, [2, 1, "m"]), value("q", F, [2, "k", 4])],
    opset=11))

# Before 13, the old and new semantics agree on the last axis (also as a negative
# axis or the default axis 1 of a 2-D input), and when the dims after the axis are 1.
# LAST-LABEL: func.func @main
# LAST: ds.softmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# LAST: ds.softmax %arg1 {axis = 1 : i64} : tensor<2x5x1xf32> -> tensor<2x5x1xf32>
# LAST: ds.softmax %arg2 {axis = 1 : i64} : tensor<?x7xf32> -> tensor<?x7xf32>
# LAST-NOT: ds.reduce
emit("softmax11_last", model(
    [node("Softmax", ["x"], ["y"], axis=-1), node("Softmax", ["u"], ["z"], axis=1),
     node("Softmax", ["v"], ["w"])],
    [value("x", F, ["n", 3, 4]), value("u", F, [2, 5, 1]), value("v", F, ["n", 7])],
    [value("y", F, ["n", 3, 4]), value("z", F, [2, 5, 1]), value("w", F, ["n", 7])], opset=11))

# Softmax-13 normalizes along the one axis; the default axis is -1 (printed as the
# normalized axis).
# SM13-LABEL: func.func @main
# SM13: ds.softmax %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# SM13: ds.softmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# SM13: ds.softmax %arg0 {axis = 0 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# SM13-NOT: ds.reduce
emit("softmax13", model(
    [node("Softmax", ["x"], ["y"], axis=1), node("Softmax", ["x"], ["z"]),
     node("Softmax", ["x"], ["w"], axis=-3)],
    [value("x", F, ["n", 3, 4])],
    [value("y", F, ["n", 3, 4]), value("z", F, ["n", 3, 4]), value("w", F, ["n", 3, 4])],
    opset=13))

# f16, bf16 and f64 keep their type.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.softmax %arg0 {axis = 1 : i64} : tensor<2x8xf16> -> tensor<2x8xf16>
# DTYPE: ds.softmax %arg1 {axis = 1 : i64} : tensor<2x8xbf16> -> tensor<2x8xbf16>
# DTYPE: ds.softmax %arg2 {axis = 1 : i64} : tensor<2x8xf64> -> tensor<2x8xf64>
emit("dtypes", model(
    [node("Softmax", ["a"], ["ya"]), node("Softmax", ["b"], ["yb"]),
     node("Softmax", ["c"], ["yc"])],
    [value("a", TensorProto.FLOAT16, [2, 8]), value("b", TensorProto.BFLOAT16, [2, 8]),
     value("c", TensorProto.DOUBLE, [2, 8])],
    [value("ya", TensorProto.FLOAT16, [2, 8]), value("yb", TensorProto.BFLOAT16, [2, 8]),
     value("yc", TensorProto.DOUBLE, [2, 8])], opset=13))

# AXIS: node 'y' (Softmax, ai.onnx opset 13): attribute 'axis' = 3 is out of range for rank 3
emit("softmax_axis", model(
    [node("Softmax", ["x"], ["y"], axis=3)],
    [value("x", F, [2, 3, 4])], [value("y", F, [2, 3, 4])], opset=13), check=False)

# AXIS11: node 'y' (Softmax, ai.onnx opset 11): attribute 'axis' = -4 is out of range for rank 3
emit("softmax11_axis", model(
    [node("Softmax", ["x"], ["y"], axis=-4)],
    [value("x", F, [2, 3, 4])], [value("y", F, [2, 3, 4])], opset=11), check=False)

# An integer input is not a softmax operand.
# INT: node 'y' (Softmax, ai.onnx opset 13): 'ds.softmax' op operand #0 must be
emit("int", model(
    [node("Softmax", ["x"], ["y"])],
    [value("x", TensorProto.INT32, [2, 3])], [value("y", TensorProto.INT32, [2, 3])],
    opset=13), check=False)
