# RUN: %python %s %t
# RUN: ds-opt %t/ok.onnx | FileCheck %s
from onnx_testing import *

# CHECK-LABEL: func.func @main
# CHECK: ds.binary bitwise_and %arg0, %arg1 : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
emit("ok", model([node("BitwiseAnd", ["a", "b"], ["y"])],
                 [value("a", TensorProto.UINT8, [4]), value("b", TensorProto.UINT8, [4])],
                 [value("y", TensorProto.UINT8, [4])], opset=18))
