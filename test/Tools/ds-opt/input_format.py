# --input-format=onnx imports a model whatever its file name; auto only imports .onnx.
# RUN: rm -rf %t && %python %s %t
# RUN: cp %t/m.onnx %t/model.bin
# RUN: ds-opt --input-format=onnx %t/model.bin | FileCheck %s
# RUN: not ds-opt %t/model.bin 2>&1 | FileCheck %s --check-prefix=AUTO
from onnx_testing import *

# CHECK: ds.unary sigmoid
# AUTO: error
emit("m", model([node("Sigmoid", ["x"], ["y"])],
                [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])]))
