# RUN: %python %s %t
# RUN: ds-opt %t/logsoftmax11.onnx | FileCheck %s --check-prefix=LSM11
# RUN: ds-opt %t/logsoftmax11_last.onnx | FileCheck %s --check-prefix=LAST
# RUN: ds-opt %t/logsoftmax13.onnx | FileCheck %s --check-prefix=LSM13
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F = TensorProto.FLOAT

# LogSoftmax-11 over several dims (axis 0 of a 2-D input): x - max - log(sum(exp)).
# LSM11-LABEL: func.func @main
# LSM11: %[[M:.*]] = ds.reduce max %arg0 {axes = array<i64: 0, 1>, keep_dims} : tensor<2x3xf32> -> tensor<1x1xf32>
# LSM11: %[[D:.*]] = ds.binary sub %arg0, %[[M]] : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
# LSM11: %[[E:.*]] = ds.unary exp %[[D]] : tensor<2x3xf32> -> tensor<2x3xf32>
# LSM11: %[[S:.*]] = ds.reduce sum %[[E]] {axes = array<i64: 0, 1>, keep_dims} : tensor<2x3xf32> -> tensor<1x1xf32>
# LSM11: %[[L:.*]] = ds.unary log %[[S]] : tensor<1x1xf32> -> tensor<1x1xf32>
# LSM11: ds.binary sub %[[D]], %[[L]] : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
# LSM11-NOT: ds.log_softmax
emit("logsoftmax11", model(
    [node("LogSoftmax", ["x"], ["y"], axis=0)],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])], opset=11))

# The default axis 1 of LogSoftmax-11 is the last axis of a 2-D input.
# LAST-LABEL: func.func @main
# LAST: ds.log_softmax %arg0 {axis = 1 : i64} : tensor<?x10xf16> -> tensor<?x10xf16>
# LAST-NOT: ds.reduce
emit("logsoftmax11_last", model(
    [node("LogSoftmax", ["x"], ["y"])],
    [value("x", TensorProto.FLOAT16, ["n", 10])], [value("y", TensorProto.FLOAT16, ["n", 10])],
    opset=11))

# LogSoftmax-13: one axis, default -1.
# LSM13-LABEL: func.func @main
# LSM13: ds.log_softmax %arg0 {axis = 0 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
# LSM13: ds.log_softmax %arg0 {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
# LSM13-NOT: ds.reduce
emit("logsoftmax13", model(
    [node("LogSoftmax", ["x"], ["y"], axis=0), node("LogSoftmax", ["x"], ["z"])],
    [value("x", F, [2, 3])], [value("y", F, [2, 3]), value("z", F, [2, 3])], opset=13))

# Along a dim of size 1 the result is zeros.
# FOLD-LABEL: func.func @main
# FOLD: %[[Z:.*]] = ds.constant dense<0.000000e+00> : tensor<3x1xf32>
# FOLD-NOT: ds.log_softmax
# FOLD: return %[[Z]]
emit("fold", model(
    [node("LogSoftmax", ["x"], ["y"])],
    [value("x", F, [3, 1])], [value("y", F, [3, 1])], opset=13))

# AXIS: node 'y' (LogSoftmax, ai.onnx opset 13): attribute 'axis' = -3 is out of range for rank 2
emit("axis", model(
    [node("LogSoftmax", ["x"], ["y"], axis=-3)],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])], opset=13), check=False)
