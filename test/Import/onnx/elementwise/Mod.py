# RUN: %python %s %t
# RUN: ds-opt %t/int.onnx | FileCheck %s --check-prefix=INT
# RUN: ds-opt %t/fmod.onnx | FileCheck %s --check-prefix=FMOD
# RUN: not ds-opt %t/float_mod.onnx 2>&1 | FileCheck %s --check-prefix=BAD
from onnx_testing import *

# Integer Mod follows the divisor's sign (Python); fmod=1 the dividend's (C).
# INT: ds.binary mod %arg0, %arg1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
emit("int", model([node("Mod", ["a", "b"], ["y"])],
                  [value("a", TensorProto.INT32, [4]), value("b", TensorProto.INT32, [4])],
                  [value("y", TensorProto.INT32, [4])]))
# FMOD: ds.binary fmod %arg0, %arg1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
emit("fmod", model([node("Mod", ["a", "b"], ["y"], fmod=1)],
                   [value("a", TensorProto.FLOAT, [4]), value("b", TensorProto.FLOAT, [4])],
                   [value("y", TensorProto.FLOAT, [4])]))
# BAD: node 'y' (Mod, ai.onnx opset 17): fmod=0 is only defined for integer inputs, got f32
emit("float_mod", model([node("Mod", ["a", "b"], ["y"])],
                        [value("a", TensorProto.FLOAT, [4]), value("b", TensorProto.FLOAT, [4])],
                        [value("y", TensorProto.FLOAT, [4])]), check=False)
