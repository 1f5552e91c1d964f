# An imported module survives a bytecode round trip, resource blobs included.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/m.onnx --emit-bytecode -o %t/m.mlirbc
# RUN: ds-opt %t/m.mlirbc | FileCheck %s
# RUN: ds-opt %t/m.onnx | ds-opt | FileCheck %s
from onnx_testing import *

# CHECK: %[[W:.*]] = ds.constant dense_resource<w> : tensor<32x32xf32>
# CHECK: ds.binary mul %arg0, %[[W]]
# CHECK: dialect_resources
# CHECK: w: "0x40000000
emit("m", model([node("Mul", ["x", "w"], ["y"])],
                [value("x", TensorProto.FLOAT, [32, 32])], [value("y", TensorProto.FLOAT, [32, 32])],
                [tensor("w", np.arange(32 * 32, dtype=np.float32).reshape(32, 32))]))
