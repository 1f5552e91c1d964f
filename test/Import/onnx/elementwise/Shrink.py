# RUN: %python %s %t
# RUN: ds-opt %t/attrs.onnx | FileCheck %s --check-prefix=ATTRS
# RUN: ds-opt %t/defaults.onnx | FileCheck %s --check-prefix=DEFAULTS
from onnx_testing import *

# The ONNX attributes become the function's parameters.
# ATTRS-LABEL: func.func @main
# ATTRS: ds.unary shrink %arg0 {alpha = 1.500000e+00 : f32, beta = 2.500000e-01 : f32} : tensor<4xf32> -> tensor<4xf32>
emit("attrs", model([node("Shrink", ["x"], ["y"], lambd=1.5, bias=0.25)],
                    [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]))

# Absent attributes take the ONNX defaults.
# DEFAULTS-LABEL: func.func @main
# DEFAULTS: ds.unary shrink %arg0 {alpha = 5.000000e-01 : f32, beta = 0.000000e+00 : f32} : tensor<4xf32> -> tensor<4xf32>
emit("defaults", model([node("Shrink", ["x"], ["y"])],
                       [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]))
