# RUN: %python %s %t
# RUN: ds-opt %t/cumsum.onnx | FileCheck %s --check-prefix=CUMSUM
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/cumsum_axis.onnx 2>&1 | FileCheck %s --check-prefix=CAXIS
# RUN: not ds-opt %t/axis_values.onnx 2>&1 | FileCheck %s --check-prefix=VALUES
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=RANGE
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# CumSum with a constant axis (a scalar or a 1-element tensor, i32 or i64);
# exclusive and reverse default to 0.
# CUMSUM-LABEL: func.func @main
# CUMSUM: ds.cumsum %arg0 {axis = 1 : i64} : tensor<2x?xi64> -> tensor<2x?xi64>
# CUMSUM: ds.cumsum %arg0 {axis = -1 : i64, exclusive, reverse} : tensor<2x?xi64> -> tensor<2x?xi64>
# CUMSUM: ds.cumsum %arg0 {axis = 0 : i64, exclusive} : tensor<2x?xi64> -> tensor<2x?xi64>
# CUMSUM-NOT: reverse
emit("cumsum", model(
    [node("CumSum", ["x", "ax"], ["y"]),
     node("CumSum", ["x", "neg"], ["z"], exclusive=1, reverse=1),
     node("CumSum", ["x", "zero"], ["w"], exclusive=1, reverse=0)],
    [value("x", I64, [2, "n"])],
    [value("y", I64, [2, "n"]), value("z", I64, [2, "n"]), value("w", I64, [2, "n"])],
    [tensor("ax", np.array(1, np.int32)), tensor("neg", np.array([-1], np.int64)),
     tensor("zero", np.array(0, np.int64))],
    opset=14))

# CumSum-11 types (f32, f64, i32) and bf16 / f16 from CumSum-14.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.cumsum %arg0 {axis = 0 : i64} : tensor<4xf32> -> tensor<4xf32>
# DTYPE: ds.cumsum %arg1 {axis = 0 : i64, reverse} : tensor<4xf64> -> tensor<4xf64>
# DTYPE: ds.cumsum %arg2 {axis = 0 : i64} : tensor<4xi32> -> tensor<4xi32>
emit("dtypes", model(
    [node("CumSum", ["a", "zero"], ["ya"]), node("CumSum", ["b", "zero"], ["yb"], reverse=1),
     node("CumSum", ["c", "zero"], ["yc"])],
    [value("a", F, [4]), value("b", TensorProto.DOUBLE, [4]), value("c", TensorProto.INT32, [4])],
    [value("ya", F, [4]), value("yb", TensorProto.DOUBLE, [4]),
     value("yc", TensorProto.INT32, [4])],
    [tensor("zero", np.array(0, np.int32))], opset=11))

# A constant input folds, also exclusive and reversed: [1, 2, 3, 4].
# FOLD-LABEL: func.func @main
# FOLD-DAG: %[[A:.*]] = ds.constant dense<[1, 3, 6, 10]> : tensor<4xi64>
# FOLD-DAG: %[[B:.*]] = ds.constant dense<[9, 7, 4, 0]> : tensor<4xi64>
# FOLD-NOT: ds.cumsum
# FOLD: return %[[A]], %[[B]]
emit("fold", model(
    [node("CumSum", ["c", "zero"], ["y"]),
     node("CumSum", ["c", "zero"], ["z"], exclusive=1, reverse=1)],
    [], [value("y", I64, [4]), value("z", I64, [4])],
    [tensor("c", np.array([1, 2, 3, 4], np.int64)), tensor("zero", np.array(0, np.int64))],
    opset=14))

# CAXIS: node 'y' (CumSum, ai.onnx opset 14): input #1 ('axis', axis) must be a constant, or computable from static shapes
emit("cumsum_axis", model(
    [node("CumSum", ["x", "axis"], ["y"])],
    [value("x", F, [2, 3]), value("axis", I64, [])], [value("y", F, [2, 3])], opset=14))

# VALUES: node 'y' (CumSum, ai.onnx opset 14): input 'axis' must hold one value, got [1, 0]
emit("axis_values", model(
    [node("CumSum", ["x", "a"], ["y"])],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])],
    [tensor("a", np.array([1, 0], np.int64))], opset=14), check=False)

# RANGE: node 'y' (CumSum, ai.onnx opset 14): 'ds.cumsum' op axis 2 is out of range for rank 2
emit("axis_range", model(
    [node("CumSum", ["x", "a"], ["y"])],
    [value("x", F, [2, 3])], [value("y", F, [2, 3])],
    [tensor("a", np.array(2, np.int64))], opset=14), check=False)
