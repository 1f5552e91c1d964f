# RUN: %python %s %t
# RUN: ds-opt %t/broadcast.onnx | FileCheck %s --check-prefix=BCAST
# RUN: ds-opt %t/int.onnx | FileCheck %s --check-prefix=INT
# RUN: not ds-opt %t/mismatch.onnx 2>&1 | FileCheck %s --check-prefix=BAD
from onnx_testing import *

# Numpy broadcasting: [?, 1, 4] with [3, 1] gives [?, 3, 4].
# BCAST-LABEL: func.func @main
# BCAST: ds.binary prelu %arg0, %arg1 : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
emit("broadcast", model([node("PRelu", ["a", "b"], ["y"])],
                        [value("a", TensorProto.FLOAT, ["n", 1, 4]), value("b", TensorProto.FLOAT, [3, 1])],
                        [value("y", TensorProto.FLOAT, ["n", 3, 4])]))

# INT-LABEL: func.func @main
# INT: ds.binary prelu %arg0, %arg1 : (tensor<5xi64>, tensor<i64>) -> tensor<5xi64>
emit("int", model([node("PRelu", ["a", "b"], ["y"])],
                  [value("a", TensorProto.INT64, [5]), value("b", TensorProto.INT64, [])],
                  [value("y", TensorProto.INT64, [5])]))

# Shapes that do not broadcast are an error at the node, not a crash.
# BAD: node 'y' (PRelu, ai.onnx opset 17): 'ds.binary' op operand shapes do not broadcast: 2x3 and 4
emit("mismatch", model([node("PRelu", ["a", "b"], ["y"])],
                       [value("a", TensorProto.FLOAT, [2, 3]), value("b", TensorProto.FLOAT, [4])],
                       [value("y", TensorProto.FLOAT, None)]), check=False)
