# RUN: %python %s %t
# RUN: ds-opt %t/softmax11.onnx | FileCheck %s --check-prefix=SM11
# RUN: ds-opt %t/softmax13.onnx | FileCheck %s --check-prefix=SM13
# RUN: ds-opt %t/softmax11_last.onnx | FileCheck %s --check-prefix=LAST
# RUN: ds-opt %t/logsoftmax11.onnx | FileCheck %s --check-prefix=LSM11
# RUN: ds-opt %t/logsoftmax13.onnx | FileCheck %s --check-prefix=LSM13
# RUN: ds-opt %t/hardmax.onnx | FileCheck %s --check-prefix=HM
# RUN: ds-opt %t/hardmax13.onnx | FileCheck %s --check-prefix=HM13
# RUN: not ds-opt %t/softmax_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F = TensorProto.FLOAT

# Softmax-11 with the default axis 1 on a 3-D input normalizes over dims 1 and 2
# together (the 2-D coercion): a reduce-based formulation.
# SM11-LABEL: func.func @main
# SM11: %[[M:.*]] = ds.reduce max %arg0 {axes = array<i64: 1, 2>, keep_dims} : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
# SM11: %[[D:.*]] = ds.binary sub %arg0, %[[M]]
# SM11: %[[E:.*]] = ds.unary exp %[[D]]
# SM11: %[[S:.*]] = ds.reduce sum %[[E]] {axes = array<i64: 1, 2>, keep_dims}
# SM11: ds.binary div %[[E]], %[[S]] : (tensor<?x3x4xf32>, tensor<?x1x1xf32>) -> tensor<?x3x4xf32>
# SM11-NOT: ds.softmax
emit("softmax11", model(
    [node("Softmax", ["x"], ["y"])],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4])], opset=11))

# Softmax-13 normalizes along the one axis.
# SM13-LABEL: func.func @main
# SM13: ds.softmax %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# SM13: ds.softmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
emit("softmax13", model(
    [node("Softmax", ["x"], ["y"], axis=1), node("Softmax", ["x"], ["z"])],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4]), value("z", F, ["n", 3, 4])],
    opset=13))

# Before 13, the old and new semantics agree on the last axis, and when the dims
# after the axis are 1.
# LAST-LABEL: func.func @main
# LAST: ds.softmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32>
# LAST: ds.softmax %arg1 {axis = 1 : i64} : tensor<2x5x1xf32>
# LAST-NOT: ds.reduce
emit("softmax11_last", model(
    [node("Softmax", ["x"], ["y"], axis=-1), node("Softmax", ["u"], ["z"], axis=1)],
    [value("x", F, ["n", 3, 4]), value("u", F, [2, 5, 1])],
    [value("y", F, ["n", 3, 4]), value("z", F, [2, 5, 1])], opset=11))

# LSM11-LABEL: func.func @main
# LSM11: %[[M:.*]] = ds.reduce max %arg0 {axes = array<i64: 0, 1>, keep_dims} : tensor<2x3xf32> -> tensor<1x1xf32>
# LSM11: %[[D:.*]] = ds.binary sub %arg0, %[[M]]
# LSM11: %[[E:.*]] = ds.unary exp %[[D]]
# LSM11: %[[S:.*]] = ds.reduce sum %[[E]]
# LSM11: %[[L:.*]] = ds.unary log %[[S]]
# LSM11: ds.binary sub %[[D]], %[[L]]
emit("logsoftmax11", model(
    [node("LogSoftmax", ["x"], ["y"], axis=0)],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])], opset=11))

# LSM13-LABEL: func.func @main
# LSM13: ds.log_softmax %arg0 {axis = 0 : i64} : tensor<2x3xf32>
# LSM13-NOT: ds.reduce
emit("logsoftmax13", model(
    [node("LogSoftmax", ["x"], ["y"], axis=0)],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])], opset=13))

# Hardmax-11 over several trailing dims flattens; Hardmax-13 is ds.hardmax.
# HM-LABEL: func.func @main
# HM: %[[F:.*]] = ds.flatten %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x12xf32>
# HM: %[[H:.*]] = ds.hardmax %[[F]] {axis = 1 : i64} : tensor<?x12xf32> -> tensor<?x12xf32>
# HM: %[[S:.*]] = ds.shape_of %arg0
# HM: ds.reshape %[[H]], %[[S]] : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
emit("hardmax", model(
    [node("Hardmax", ["x"], ["y"])],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4])], opset=11))

# HM13-LABEL: func.func @main
# HM13: ds.hardmax %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# HM13-NOT: ds.flatten
emit("hardmax13", model(
    [node("Hardmax", ["x"], ["y"], axis=1)],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4])], opset=13))

# AXIS: node 'y' (Softmax, ai.onnx opset 13): attribute 'axis' = 3 is out of range for rank 3
emit("softmax_axis", model(
    [node("Softmax", ["x"], ["y"], axis=3)],
    [value("x", F, [2, 3, 4])], [value("y", F, [2, 3, 4])], opset=13), check=False)
