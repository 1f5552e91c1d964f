# RUN: %python %s %t
# RUN: ds-opt %t/sum.onnx | FileCheck %s --check-prefix=SUM
# RUN: ds-opt %t/mean.onnx | FileCheck %s --check-prefix=MEAN
# RUN: ds-opt %t/max.onnx | FileCheck %s --check-prefix=MAX
# RUN: ds-opt %t/min1.onnx | FileCheck %s --check-prefix=MIN1
from onnx_testing import *

ins = [value("a", TensorProto.FLOAT, [2, 3]), value("b", TensorProto.FLOAT, [3]),
       value("c", TensorProto.FLOAT, [1, 3])]
out = [value("y", TensorProto.FLOAT, [2, 3])]

# Variadic ops fold left over their inputs, broadcasting as they go.
# SUM: %[[S:.*]] = ds.binary add %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
# SUM: ds.binary add %[[S]], %arg2 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
emit("sum", model([node("Sum", ["a", "b", "c"], ["y"])], ins, out))
# Mean divides the sum by the input count.
# MEAN: %[[S:.*]] = ds.binary add
# MEAN: %[[T:.*]] = ds.binary add %[[S]]
# MEAN: %[[N:.*]] = ds.constant dense<3.000000e+00> : tensor<f32>
# MEAN: ds.binary div %[[T]], %[[N]]
emit("mean", model([node("Mean", ["a", "b", "c"], ["y"])], ins, out))
# MAX: ds.binary max
# MAX: ds.binary max
emit("max", model([node("Max", ["a", "b", "c"], ["y"])], ins, out))
# A single input passes through.
# MIN1-LABEL: func.func @main
# MIN1-NOT: ds.binary
# MIN1: return %arg0
emit("min1", model([node("Min", ["a"], ["y"])], ins[:1], out))
