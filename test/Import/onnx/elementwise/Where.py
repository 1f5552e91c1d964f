# RUN: %python %s %t
# RUN: ds-opt %t/ok.onnx | FileCheck %s
# RUN: not ds-opt %t/types.onnx 2>&1 | FileCheck %s --check-prefix=BAD
from onnx_testing import *

# CHECK: ds.select %arg0, %arg1, %arg2 : (tensor<?x1xi1>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32>
emit("ok", model([node("Where", ["c", "a", "b"], ["y"])],
                 [value("c", TensorProto.BOOL, ["n", 1]), value("a", TensorProto.FLOAT, [4]),
                  value("b", TensorProto.FLOAT, [])],
                 [value("y", TensorProto.FLOAT, ["n", 4])]))
# BAD: node 'y' (Where, ai.onnx opset 17): 'ds.select' op branches have different element types: 'f32' and 'f16'
emit("types", model([node("Where", ["c", "a", "b"], ["y"])],
                    [value("c", TensorProto.BOOL, [4]), value("a", TensorProto.FLOAT, [4]),
                     value("b", TensorProto.FLOAT16, [4])],
                    [value("y", TensorProto.FLOAT, [4])]), check=False)
