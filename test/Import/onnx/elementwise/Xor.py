# RUN: %python %s %t
# RUN: ds-opt %t/ok.onnx | FileCheck %s
from onnx_testing import *

# CHECK-LABEL: func.func @main
# CHECK: ds.binary xor %arg0, %arg1 : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
emit("ok", model([node("Xor", ["a", "b"], ["y"])],
                 [value("a", TensorProto.BOOL, [2, 3]), value("b", TensorProto.BOOL, [3])],
                 [value("y", TensorProto.BOOL, [2, 3])]))
