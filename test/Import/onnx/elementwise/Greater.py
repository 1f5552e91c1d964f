# RUN: %python %s %t
# RUN: ds-opt %t/f.onnx | FileCheck %s --check-prefix=F
# RUN: ds-opt %t/i.onnx | FileCheck %s --check-prefix=I
from onnx_testing import *

# Comparisons give i1 of the broadcast shape.
# F-LABEL: func.func @main
# F: ds.compare gt %arg0, %arg1 : (tensor<2x?xf32>, tensor<1xf32>) -> tensor<2x?xi1>
emit("f", model([node("Greater", ["a", "b"], ["y"])],
                [value("a", TensorProto.FLOAT, [2, "n"]), value("b", TensorProto.FLOAT, [1])],
                [value("y", TensorProto.BOOL, [2, "n"])]))

# I-LABEL: func.func @main
# I: ds.compare gt %arg0, %arg1 : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
emit("i", model([node("Greater", ["a", "b"], ["y"])],
                [value("a", TensorProto.INT64, [3]), value("b", TensorProto.INT64, [3])],
                [value("y", TensorProto.BOOL, [3])]))
