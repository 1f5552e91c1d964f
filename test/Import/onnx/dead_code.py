# Nothing unused survives import: unused initializers are never materialized, and
# constants or nodes that folding leaves without users are erased.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/m.onnx | FileCheck %s
from onnx_testing import *

# The shape folded to a constant; the Shape, ReduceProd and Exp nodes and the unused
# initializer are gone.
# CHECK-LABEL: func.func @main
# CHECK-NEXT: %[[C:.*]] = ds.constant dense<6> : tensor<1xi64>
# CHECK-NEXT: %[[R:.*]] = ds.reshape %arg0, %[[C]] : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
# CHECK-NEXT: return %[[R]]
emit("m", model(
    [node("Shape", ["x"], ["s"]),
     node("ReduceProd", ["s"], ["n"], keepdims=1),
     node("Reshape", ["x", "n"], ["y"]),
     node("Exp", ["x"], ["unused"])],
    [value("x", TensorProto.FLOAT, [2, 3])], [value("y", TensorProto.FLOAT, [6])],
    [tensor("never_used", np.ones(64, np.float32))], opset=17))
