# RUN: %python %s %t
# RUN: ds-opt %t/add_relu.onnx | FileCheck %s --check-prefix=ADD
# RUN: ds-opt %t/clip.onnx | FileCheck %s --check-prefix=CLIP
# RUN: ds-opt %t/cast.onnx | FileCheck %s --check-prefix=CAST
from onnx_testing import *

# ADD-LABEL: func.func @main
# ADD-SAME: (%[[X:.*]]: tensor<?x4xf32> {ds.dims = ["batch", ""], ds.name = "x"})
# ADD-SAME: -> (tensor<?x4xf32> {ds.dims = ["batch", ""], ds.name = "y"})
# ADD: %[[W:.*]] = ds.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf32>
# ADD: %[[A:.*]] = ds.binary add %[[X]], %[[W]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
# ADD: %[[R:.*]] = ds.unary relu %[[A]] : tensor<?x4xf32> -> tensor<?x4xf32>
# ADD: return %[[R]]
emit("add_relu", model(
    [node("Add", ["x", "w"], ["a"]), node("Relu", ["a"], ["y"])],
    [value("x", TensorProto.FLOAT, ["batch", 4])],
    [value("y", TensorProto.FLOAT, ["batch", 4])],
    [tensor("w", np.arange(4, dtype=np.float32))]))

# Clip-11 takes min and max as optional inputs: max(x, lo) then min(., hi).
# CLIP-LABEL: func.func @main
# CLIP: %[[LO:.*]] = ds.constant dense<-1.000000e+00> : tensor<f32>
# CLIP: %[[HI:.*]] = ds.constant dense<1.000000e+00> : tensor<f32>
# CLIP: %[[M:.*]] = ds.binary max %{{.*}}, %[[LO]]
# CLIP: ds.binary min %[[M]], %[[HI]]
emit("clip", model(
    [node("Clip", ["x", "lo", "hi"], ["y"])],
    [value("x", TensorProto.FLOAT, [3])], [value("y", TensorProto.FLOAT, [3])],
    [tensor("lo", np.float32(-1)), tensor("hi", np.float32(1))], opset=13))

# CAST-LABEL: func.func @main
# CAST: ds.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xbf16>
emit("cast", model(
    [node("Cast", ["x"], ["y"], to=TensorProto.BFLOAT16)],
    [value("x", TensorProto.FLOAT, [2, 3])], [value("y", TensorProto.BFLOAT16, [2, 3])]))
