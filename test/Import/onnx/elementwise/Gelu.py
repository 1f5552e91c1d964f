# RUN: %python %s %t
# RUN: ds-opt %t/erf.onnx | FileCheck %s --check-prefix=ERF
# RUN: ds-opt %t/tanh.onnx | FileCheck %s --check-prefix=TANH
# RUN: ds-opt %t/fast.onnx | FileCheck %s --check-prefix=FAST
# RUN: not ds-opt %t/bad.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not ds-opt %t/old.onnx 2>&1 | FileCheck %s --check-prefix=OLD
from onnx_testing import *

x = [value("x", TensorProto.FLOAT, [4])]
y = [value("y", TensorProto.FLOAT, [4])]
# ERF: ds.unary gelu %arg0
emit("erf", model([node("Gelu", ["x"], ["y"])], x, y, opset=20))
# TANH: ds.unary gelu_tanh %arg0
emit("tanh", model([node("Gelu", ["x"], ["y"], approximate="tanh")], x, y, opset=20))
# com.microsoft FastGelu adds its optional bias first.
# FAST: %[[B:.*]] = ds.binary add %arg0, %arg1
# FAST: ds.unary gelu_tanh %[[B]]
emit("fast", model([node("FastGelu", ["x", "b"], ["y"], domain="com.microsoft")],
                   x + [value("b", TensorProto.FLOAT, [4])], y,
                   extra_opsets=[("com.microsoft", 1)]), check=False)
# BAD: node 'y' (Gelu, ai.onnx opset 20): attribute 'approximate' must be 'none' or 'tanh', got 'fast'
emit("bad", model([node("Gelu", ["x"], ["y"], approximate="fast")], x, y, opset=20), check=False)
# Gelu exists from opset 20 only.
# OLD: Gelu (domain ai.onnx, opset 17): 'y'
emit("old", model([node("Gelu", ["x"], ["y"])], x, y, opset=17), check=False)
