# Shape-like operands of the wrong rank are errors at the node, never a crash (type
# inference runs before the op's own constraints are checked). Found by mutating the
# ONNX node tests' graph input shapes.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/reshape.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE
# RUN: not ds-opt %t/pad.onnx 2>&1 | FileCheck %s --check-prefix=PAD
# RUN: not ds-opt %t/expand.onnx 2>&1 | FileCheck %s --check-prefix=EXPAND
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64

# RESHAPE: node 'y' (Reshape, ai.onnx opset 17): 'ds.reshape' op shape operand must have a static length, got 'tensor<i64>'
emit("reshape", model([node("Reshape", ["x", "s"], ["y"])],
                      [value("x", F, [2, 3]), value("s", I, [])], [value("y", F, None)]),
     check=False)
# PAD: node 'y' (Pad, ai.onnx opset 17): 'ds.pad' op operand #1 must be 1D tensor of 64-bit signless integer values, but got 'tensor<i64>'
emit("pad", model([node("Pad", ["x", "p"], ["y"])],
                  [value("x", F, [2, 3]), value("p", I, [])], [value("y", F, None)]),
     check=False)
# EXPAND: node 'y' (Expand, ai.onnx opset 17): 'ds.expand' op shape operand must have a static length, got 'tensor<i64>'
emit("expand", model([node("Expand", ["x", "s"], ["y"])],
                     [value("x", F, [1, 3]), value("s", I, [])], [value("y", F, None)]),
     check=False)
