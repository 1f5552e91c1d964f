# RUN: %python %s %t
# RUN: ds-opt %t/hardmax11.onnx | FileCheck %s --check-prefix=HM11
# RUN: ds-opt %t/hardmax11_static.onnx | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/hardmax11_last.onnx | FileCheck %s --check-prefix=LAST
# RUN: ds-opt %t/hardmax13.onnx | FileCheck %s --check-prefix=HM13
# RUN: not ds-opt %t/axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F = TensorProto.FLOAT

# Hardmax-11 over several trailing dims is the first maximum of the flattened dims:
# flatten, hardmax, and reshape back (to the runtime shape when it is dynamic).
# HM11-LABEL: func.func @main
# HM11: %[[F:.*]] = ds.flatten %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x12xf32>
# HM11: %[[H:.*]] = ds.hardmax %[[F]] {axis = 1 : i64} : tensor<?x12xf32> -> tensor<?x12xf32>
# HM11: %[[S:.*]] = ds.shape_of %arg0 {end = 3 : i64, start = 0 : i64} : tensor<?x3x4xf32> -> tensor<3xi64>
# HM11: ds.reshape %[[H]], %[[S]] : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
emit("hardmax11", model(
    [node("Hardmax", ["x"], ["y"])],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4])], opset=11))

# With a static shape the reshape target is a constant; axis 0 flattens everything.
# STATIC-LABEL: func.func @main
# STATIC: %[[F:.*]] = ds.flatten %arg0 {axis = 0 : i64} : tensor<2x3xf16> -> tensor<1x6xf16>
# STATIC: %[[H:.*]] = ds.hardmax %[[F]] {axis = 1 : i64} : tensor<1x6xf16> -> tensor<1x6xf16>
# STATIC: %[[S:.*]] = ds.constant dense<[2, 3]> : tensor<2xi64>
# STATIC: ds.reshape %[[H]], %[[S]] : (tensor<1x6xf16>, tensor<2xi64>) -> tensor<2x3xf16>
emit("hardmax11_static", model(
    [node("Hardmax", ["x"], ["y"], axis=0)],
    [value("x", TensorProto.FLOAT16, [2, 3])], [value("y", TensorProto.FLOAT16, [2, 3])],
    opset=11))

# The last axis, or unit dims after the axis, need no flattening.
# LAST-LABEL: func.func @main
# LAST: ds.hardmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# LAST: ds.hardmax %arg1 {axis = 1 : i64} : tensor<2x5x1x1xf32> -> tensor<2x5x1x1xf32>
# LAST-NOT: ds.flatten
emit("hardmax11_last", model(
    [node("Hardmax", ["x"], ["y"], axis=2), node("Hardmax", ["u"], ["z"])],
    [value("x", F, ["n", 3, 4]), value("u", F, [2, 5, 1, 1])],
    [value("y", F, ["n", 3, 4]), value("z", F, [2, 5, 1, 1])], opset=11))

# Hardmax-13 is ds.hardmax along one axis (default -1).
# HM13-LABEL: func.func @main
# HM13: ds.hardmax %arg0 {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# HM13: ds.hardmax %arg0 {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x3x4xf32>
# HM13-NOT: ds.flatten
emit("hardmax13", model(
    [node("Hardmax", ["x"], ["y"], axis=1), node("Hardmax", ["x"], ["z"])],
    [value("x", F, ["n", 3, 4])], [value("y", F, ["n", 3, 4]), value("z", F, ["n", 3, 4])],
    opset=13))

# AXIS: node 'y' (Hardmax, ai.onnx opset 11): attribute 'axis' = 2 is out of range for rank 2
emit("axis", model(
    [node("Hardmax", ["x"], ["y"], axis=2)],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])], opset=11), check=False)
