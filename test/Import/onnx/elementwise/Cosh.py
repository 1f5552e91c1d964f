# RUN: %python %s %t
# RUN: ds-opt %t/f32.onnx -mlir-print-debuginfo | FileCheck %s --check-prefix=F32
# RUN: ds-opt %t/f16.onnx | FileCheck %s --check-prefix=F16
from onnx_testing import *

# ONNX Cosh maps to ds.unary cosh and keeps shape and element type; the location is
# the node name.
# F32-LABEL: func.func @main
# F32: %[[Y:.*]] = ds.unary cosh %arg0 : tensor<?x3xf32> -> tensor<?x3xf32> loc(#[[LOC:.*]])
# F32: return %[[Y]]
# F32: #[[LOC]] = loc("my_cosh")
emit("f32", model([node("Cosh", ["x"], ["y"], name="my_cosh")],
                  [value("x", TensorProto.FLOAT, ["n", 3])],
                  [value("y", TensorProto.FLOAT, ["n", 3])]))

# F16-LABEL: func.func @main
# F16: ds.unary cosh %arg0 : tensor<2x3xf16> -> tensor<2x3xf16>
emit("f16", model([node("Cosh", ["x"], ["y"])],
                  [value("x", TensorProto.FLOAT16, [2, 3])],
                  [value("y", TensorProto.FLOAT16, [2, 3])]))
