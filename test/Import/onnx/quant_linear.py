# QuantizeLinear / DequantizeLinear across opsets, DynamicQuantizeLinear, MatMulNBits.
# RUN: %python %s %t
# RUN: ds-opt %t/q11.onnx | FileCheck %s --check-prefix=Q11
# RUN: ds-opt %t/q13_axis.onnx | FileCheck %s --check-prefix=Q13
# RUN: ds-opt %t/q21_blocked.onnx | FileCheck %s --check-prefix=Q21
# RUN: ds-opt %t/dq23.onnx | FileCheck %s --check-prefix=DQ23
# RUN: ds-opt %t/dyn.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/nbits.onnx | FileCheck %s --check-prefix=NBITS
# RUN: not ds-opt %t/bad_blocks.onnx 2>&1 | FileCheck %s --check-prefix=BADBLOCKS
# RUN: not ds-opt %t/nbits_gidx.onnx 2>&1 | FileCheck %s --check-prefix=GIDX
from onnx_testing import *

F = TensorProto.FLOAT

# Opset 11 (before axis existed): per-tensor, no zero point: uint8 output.
# Q11-LABEL: func.func @main
# Q11: ds.quantize %arg0, %{{.*}} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xui8>
emit("q11", model(
    [node("QuantizeLinear", ["x", "s"], ["y"])],
    [value("x", F, [2, 4])], [value("y", TensorProto.UINT8, [2, 4])],
    [tensor("s", np.float32(0.5))], opset=11))

# Opset 13: per-axis int8 along axis 0 (negative axis kept as given).
# Q13-LABEL: func.func @main
# Q13: ds.quantize %arg0, %{{.*}}, %{{.*}} {axis = -2 : i64} : (tensor<2x4xf32>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x4xi8>
emit("q13_axis", model(
    [node("QuantizeLinear", ["x", "s", "zp"], ["y"], axis=-2)],
    [value("x", F, [2, 4])], [value("y", TensorProto.INT8, [2, 4])],
    [tensor("s", np.array([0.5, 0.25], np.float32)), tensor("zp", np.array([1, -1], np.int8))],
    opset=13))

# Opset 21: blocks of 2 along axis 1, output type from output_dtype (int4).
# Q21-LABEL: func.func @main
# Q21: ds.quantize %arg0, %{{.*}} {block_size = 2 : i64} : (tensor<2x4xf32>, tensor<2x2xf32>) -> tensor<2x4xi4>
emit("q21_blocked", model(
    [node("QuantizeLinear", ["x", "s"], ["y"], block_size=2, output_dtype=TensorProto.INT4)],
    [value("x", F, [2, 4])], [value("y", TensorProto.INT4, [2, 4])],
    [tensor("s", np.ones((2, 2), np.float32))], opset=21))

# Opset 23: output_dtype overrides the scale's type.
# DQ23-LABEL: func.func @main
# DQ23: ds.dequantize %arg0, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x4xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x4xf16>
emit("dq23", model(
    [node("DequantizeLinear", ["x", "s", "zp"], ["y"], axis=0, output_dtype=TensorProto.FLOAT16)],
    [value("x", TensorProto.UINT8, [2, 4])], [value("y", TensorProto.FLOAT16, [2, 4])],
    [tensor("s", np.array([0.5, 0.25], np.float32)), tensor("zp", np.array([3, 4], np.uint8))],
    opset=23))

# DYN-LABEL: func.func @main
# DYN: %{{.*}}, %{{.*}}, %{{.*}} = ds.dynamic_quantize %arg0 : tensor<?x4xf32> -> (tensor<?x4xui8>, tensor<f32>, tensor<ui8>)
emit("dyn", model(
    [node("DynamicQuantizeLinear", ["x"], ["y", "s", "zp"])],
    [value("x", F, ["n", 4])],
    [value("y", TensorProto.UINT8, ["n", 4]), value("s", F, []), value("zp", TensorProto.UINT8, [])],
    opset=13))

# MatMulNBits: K = 64, N = 8, 4 bits, blocks of 32: weight [8, 2, 16], packed zero
# points [8, 1], bias [8].
# NBITS-LABEL: func.func @main
# NBITS: ds.matmul_nbits %arg0, %{{.*}}, %{{.*}} zero_points(%{{.*}} : tensor<8x1xui8>) bias(%{{.*}} : tensor<8xf32>) {block_size = 32 : i64, k = 64 : i64, n = 8 : i64} : (tensor<?x64xf32>, tensor<8x2x16xui8>, tensor<8x2xf32>) -> tensor<?x8xf32>
emit("nbits", model(
    [node("MatMulNBits", ["a", "b", "s", "zp", "", "bias"], ["y"], domain="com.microsoft",
          K=64, N=8, bits=4, block_size=32)],
    [value("a", F, ["m", 64])], [value("y", F, ["m", 8])],
    [tensor("b", np.zeros((8, 2, 16), np.uint8)), tensor("s", np.ones((8, 2), np.float32)),
     tensor("zp", np.full((8, 1), 0x88, np.uint8)), tensor("bias", np.zeros(8, np.float32))],
    extra_opsets=[("com.microsoft", 1)]), check=False)

# The op verifier reports a scale that does not match the blocks.
# BADBLOCKS: node 'y' (DequantizeLinear, ai.onnx opset 21): {{.*}}blocked scale of shape 2x3 must be 2x2 (input 2x4, axis 1, block_size 2)
emit("bad_blocks", model(
    [node("DequantizeLinear", ["x", "s"], ["y"], block_size=2)],
    [value("x", TensorProto.INT8, [2, 4])], [value("y", F, [2, 4])],
    [tensor("s", np.ones((2, 3), np.float32))], opset=21), check=False)

# GIDX: node 'y' (MatMulNBits, com.microsoft opset 1): input 'g_idx' (deprecated act-order groups) is not supported
emit("nbits_gidx", model(
    [node("MatMulNBits", ["a", "b", "s", "", "g"], ["y"], domain="com.microsoft",
          K=64, N=8, block_size=32)],
    [value("a", F, [1, 64])], [value("y", F, [1, 8])],
    [tensor("b", np.zeros((8, 2, 16), np.uint8)), tensor("s", np.ones((8, 2), np.float32)),
     tensor("g", np.zeros(64, np.int32))], extra_opsets=[("com.microsoft", 1)]), check=False)
