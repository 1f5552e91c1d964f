# Every op's location is its ONNX node name; unnamed nodes get OpType_<node index>.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/m.onnx -mlir-print-debuginfo | FileCheck %s
from onnx_testing import *
import onnx

# CHECK: ds.unary exp %arg0 {{.*}} loc(#[[A:[a-z0-9]+]])
# CHECK: ds.unary tanh {{.*}} loc(#[[B:[a-z0-9]+]])
# CHECK-DAG: #[[A]] = loc("/model/layers.0/Exp")
# CHECK-DAG: #[[B]] = loc("Tanh_1")
m = model([node("Exp", ["x"], ["e"], name="/model/layers.0/Exp"),
           onnx.helper.make_node("Tanh", ["e"], ["y"])],
          [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])])
emit("m", m)
