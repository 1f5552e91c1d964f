# RUN: %python %s %t
# RUN: ds-opt %t/left.onnx | FileCheck %s --check-prefix=LEFT
# RUN: ds-opt %t/right.onnx | FileCheck %s --check-prefix=RIGHT
# RUN: not ds-opt %t/bad.onnx 2>&1 | FileCheck %s --check-prefix=BAD
from onnx_testing import *


def case(name, direction, check=True):
    emit(name, model([node("BitShift", ["a", "b"], ["y"], direction=direction)],
                     [value("a", TensorProto.UINT32, [3]), value("b", TensorProto.UINT32, [3])],
                     [value("y", TensorProto.UINT32, [3])]), check=check)


# LEFT: ds.binary shift_left %arg0, %arg1 : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xui32>
case("left", "LEFT")
# RIGHT: ds.binary shift_right
case("right", "RIGHT")
# BAD: node 'y' (BitShift, ai.onnx opset 17): attribute 'direction' must be LEFT or RIGHT, got 'UP'
case("bad", "UP", check=False)
