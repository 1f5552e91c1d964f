# RUN: %python %s %t
# RUN: ds-opt %t/ok.onnx | FileCheck %s
# RUN: ds-opt %t/bitwise.onnx | FileCheck %s --check-prefix=BITWISE
from onnx_testing import *

# CHECK-LABEL: func.func @main
# CHECK: ds.unary not %arg0 : tensor<3xi1> -> tensor<3xi1>
emit("ok", model([node("Not", ["x"], ["y"])],
                 [value("x", TensorProto.BOOL, [3])], [value("y", TensorProto.BOOL, [3])]))

# BITWISE-LABEL: func.func @main
# BITWISE: ds.unary bitwise_not %arg0 : tensor<3xi32> -> tensor<3xi32>
emit("bitwise", model([node("BitwiseNot", ["x"], ["y"])],
                      [value("x", TensorProto.INT32, [3])], [value("y", TensorProto.INT32, [3])],
                      opset=18))
