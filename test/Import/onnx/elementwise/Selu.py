# RUN: %python %s %t
# RUN: ds-opt %t/attrs.onnx | FileCheck %s --check-prefix=ATTRS
# RUN: ds-opt %t/defaults.onnx | FileCheck %s --check-prefix=DEFAULTS
from onnx_testing import *

# The ONNX attributes become the function's parameters.
# ATTRS-LABEL: func.func @main
# ATTRS: ds.unary selu %arg0 {alpha = 1.500000e+00 : f32, beta = 2.000000e+00 : f32} : tensor<4xf32> -> tensor<4xf32>
emit("attrs", model([node("Selu", ["x"], ["y"], alpha=1.5, gamma=2.0)],
                    [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]))

# Absent attributes take the ONNX defaults.
# DEFAULTS-LABEL: func.func @main
# DEFAULTS: ds.unary selu %arg0 {alpha = 1.67326319 : f32, beta = 1.05070102 : f32} : tensor<4xf32> -> tensor<4xf32>
emit("defaults", model([node("Selu", ["x"], ["y"])],
                       [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]))
