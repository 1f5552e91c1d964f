# RUN: %python %s %t
# RUN: ds-opt %t/matmul.onnx | FileCheck %s --check-prefix=MM
# RUN: ds-opt %t/matmul_1d.onnx | FileCheck %s --check-prefix=MV
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: ds-opt %t/opset11.onnx | FileCheck %s --check-prefix=OLD
# RUN: not ds-opt %t/matmul_k.onnx 2>&1 | FileCheck %s --check-prefix=MMK
# RUN: not ds-opt %t/scalar.onnx 2>&1 | FileCheck %s --check-prefix=SCALAR
# RUN: not ds-opt %t/batch.onnx 2>&1 | FileCheck %s --check-prefix=BATCH
from onnx_testing import *

F = TensorProto.FLOAT

# Batched MatMul with a shared 2-D weight; dynamic dims stay dynamic, batch dims
# broadcast as in numpy.
# MM-LABEL: func.func @main
# MM: ds.matmul %arg0, %{{.*}} : (tensor<?x?x16xf32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
# MM: ds.matmul %arg1, %arg2 : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
# A dynamic K matches any K.
# MM: ds.matmul %arg3, %{{.*}} : (tensor<3x?xf32>, tensor<16x8xf32>) -> tensor<3x8xf32>
# MM-NOT: transpose
emit("matmul", model(
    [node("MatMul", ["x", "w"], ["y"]), node("MatMul", ["a", "b"], ["z"]),
     node("MatMul", ["d", "w"], ["u"])],
    [value("x", F, ["b", "s", 16]), value("a", F, [2, 1, 3, 4]), value("b", F, [5, 4, 6]),
     value("d", F, [3, "k"])],
    [value("y", F, ["b", "s", 8]), value("z", F, [2, 5, 3, 6]), value("u", F, [3, 8])],
    [tensor("w", np.ones((16, 8), np.float32))]))

# 1-D operands follow numpy: vector @ matrix, matrix @ vector, vector @ vector.
# MV-LABEL: func.func @main
# MV: %[[R:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 0>} : tensor<4xf32> -> tensor<1x4xf32>
# MV: %[[M:.*]] = ds.matmul %[[R]], %arg1 : (tensor<1x4xf32>, tensor<2x4x3xf32>) -> tensor<2x1x3xf32>
# MV: ds.squeeze %[[M]] {axes = array<i64: 1>} : tensor<2x1x3xf32> -> tensor<2x3xf32>
# MV: %[[C:.*]] = ds.unsqueeze %arg0 {axes = array<i64: 1>} : tensor<4xf32> -> tensor<4x1xf32>
# MV: %[[M2:.*]] = ds.matmul %arg2, %[[C]] : (tensor<5x4xf32>, tensor<4x1xf32>) -> tensor<5x1xf32>
# MV: ds.squeeze %[[M2]] {axes = array<i64: 1>} : tensor<5x1xf32> -> tensor<5xf32>
# MV: ds.matmul %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
# MV: ds.squeeze %{{.*}} {axes = array<i64: 0, 1>} : tensor<1x1xf32> -> tensor<f32>
emit("matmul_1d", model(
    [node("MatMul", ["v", "m"], ["y"]), node("MatMul", ["n", "v"], ["z"]),
     node("MatMul", ["v", "v"], ["d"])],
    [value("v", F, [4]), value("m", F, [2, 4, 3]), value("n", F, [5, 4])],
    [value("y", F, [2, 3]), value("z", F, [5]), value("d", F, [])]))

# MatMul-13 element types: bf16, f16, i32 and i64 keep their type.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.matmul %arg0, %arg0 : (tensor<4x4xbf16>, tensor<4x4xbf16>) -> tensor<4x4xbf16>
# DTYPE: ds.matmul %arg1, %arg1 : (tensor<?x4x4xf16>, tensor<?x4x4xf16>) -> tensor<?x4x4xf16>
# DTYPE: ds.matmul %arg2, %arg2 : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi32>
# DTYPE: ds.matmul %arg3, %arg3 : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi64>
emit("dtypes", model(
    [node("MatMul", ["a", "a"], ["ya"]), node("MatMul", ["b", "b"], ["yb"]),
     node("MatMul", ["c", "c"], ["yc"]), node("MatMul", ["d", "d"], ["yd"])],
    [value("a", TensorProto.BFLOAT16, [4, 4]), value("b", TensorProto.FLOAT16, ["n", 4, 4]),
     value("c", TensorProto.INT32, [4, 4]), value("d", TensorProto.INT64, [4, 4])],
    [value("ya", TensorProto.BFLOAT16, [4, 4]), value("yb", TensorProto.FLOAT16, ["n", 4, 4]),
     value("yc", TensorProto.INT32, [4, 4]), value("yd", TensorProto.INT64, [4, 4])],
    opset=13))

# MatMul-9 (imported from opset 11) has the same semantics.
# OLD-LABEL: func.func @main
# OLD: ds.matmul %arg0, %arg1 : (tensor<?x3xf64>, tensor<3x2xf64>) -> tensor<?x2xf64>
emit("opset11", model(
    [node("MatMul", ["a", "b"], ["y"])],
    [value("a", TensorProto.DOUBLE, ["n", 3]), value("b", TensorProto.DOUBLE, [3, 2])],
    [value("y", TensorProto.DOUBLE, ["n", 2])], opset=11))

# MMK: node 'y' (MatMul, ai.onnx opset 17): 'ds.matmul' op contraction dims differ: lhs 2x3 has K = 3, rhs 4x5 has K = 4
emit("matmul_k", model(
    [node("MatMul", ["a", "b"], ["y"])],
    [value("a", F, [2, 3]), value("b", F, [4, 5])], [value("y", F, [2, 5])]), check=False)

# SCALAR: node 'y' (MatMul, ai.onnx opset 17): MatMul operands must have rank >= 1, got ranks 0 and 2
emit("scalar", model(
    [node("MatMul", ["a", "b"], ["y"])],
    [value("a", F, []), value("b", F, [4, 5])], [value("y", F, None)]), check=False)

# BATCH: node 'y' (MatMul, ai.onnx opset 17): 'ds.matmul' op batch dims do not broadcast: lhs 2x3x4 and rhs 5x4x6
emit("batch", model(
    [node("MatMul", ["a", "b"], ["y"])],
    [value("a", F, [2, 3, 4]), value("b", F, [5, 4, 6])], [value("y", F, None)]), check=False)
