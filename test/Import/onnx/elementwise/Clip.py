# RUN: %python %s %t
# RUN: ds-opt %t/inputs.onnx | FileCheck %s --check-prefix=INPUTS
# RUN: ds-opt %t/max_only.onnx | FileCheck %s --check-prefix=MAXONLY
# RUN: ds-opt %t/none.onnx | FileCheck %s --check-prefix=NONE
from onnx_testing import *

# Clip-11+: min and max are optional inputs; the result is min(max(x, lo), hi).
# INPUTS: %[[M:.*]] = ds.binary max %arg0, %arg1 : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
# INPUTS: ds.binary min %[[M]], %arg2
emit("inputs", model([node("Clip", ["x", "lo", "hi"], ["y"])],
                     [value("x", TensorProto.FLOAT, [3]), value("lo", TensorProto.FLOAT, []),
                      value("hi", TensorProto.FLOAT, [])],
                     [value("y", TensorProto.FLOAT, [3])]))
# An empty name skips min.
# MAXONLY-NOT: ds.binary max
# MAXONLY: ds.binary min %arg0, %arg1
emit("max_only", model([node("Clip", ["x", "", "hi"], ["y"])],
                       [value("x", TensorProto.FLOAT, [3]), value("hi", TensorProto.FLOAT, [])],
                       [value("y", TensorProto.FLOAT, [3])]))
# NONE-NOT: ds.binary
# NONE: return %arg0
emit("none", model([node("Clip", ["x"], ["y"])],
                   [value("x", TensorProto.FLOAT, [3])], [value("y", TensorProto.FLOAT, [3])]))
