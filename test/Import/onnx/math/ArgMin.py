# RUN: %python %s %t
# RUN: ds-opt %t/defaults.onnx | FileCheck %s --check-prefix=DEF
# RUN: ds-opt %t/attrs.onnx | FileCheck %s --check-prefix=ATTRS
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# ArgMin-11 defaults: axis 0, keepdims 1, the first index; the result is i64.
# DEF-LABEL: func.func @main
# DEF: ds.arg_reduce argmin %arg0 {axis = 0 : i64, keep_dims} : tensor<?x10xf32> -> tensor<1x10xi64>
# DEF-NOT: select_last_index
emit("defaults", model(
    [node("ArgMin", ["x"], ["y"])],
    [value("x", F, ["n", 10])], [value("y", I64, [1, 10])], opset=11))

# keepdims = 0 with a negative axis; select_last_index (new in ArgMin-12).
# ATTRS-LABEL: func.func @main
# ATTRS: ds.arg_reduce argmin %arg0 {axis = -1 : i64} : tensor<?x10xf32> -> tensor<?xi64>
# ATTRS: ds.arg_reduce argmin %arg0 {axis = 1 : i64, keep_dims, select_last_index} : tensor<?x10xf32> -> tensor<?x1xi64>
# ATTRS: ds.arg_reduce argmin %arg0 {axis = 0 : i64, select_last_index} : tensor<?x10xf32> -> tensor<10xi64>
emit("attrs", model(
    [node("ArgMin", ["x"], ["y"], axis=-1, keepdims=0),
     node("ArgMin", ["x"], ["z"], axis=1, select_last_index=1),
     node("ArgMin", ["x"], ["w"], keepdims=0, select_last_index=1)],
    [value("x", F, ["n", 10])],
    [value("y", I64, ["n"]), value("z", I64, ["n", 1]), value("w", I64, [10])], opset=12))

# Integer and bf16 (from ArgMin-13) inputs.
# DTYPE-LABEL: func.func @main
# DTYPE: ds.arg_reduce argmin %arg0 {axis = 1 : i64} : tensor<2x3xi32> -> tensor<2xi64>
# DTYPE: ds.arg_reduce argmin %arg1 {axis = 1 : i64} : tensor<2x3xbf16> -> tensor<2xi64>
# DTYPE: ds.arg_reduce argmin %arg2 {axis = 1 : i64} : tensor<2x3xui8> -> tensor<2xi64>
emit("dtypes", model(
    [node("ArgMin", ["a"], ["ya"], axis=1, keepdims=0),
     node("ArgMin", ["b"], ["yb"], axis=1, keepdims=0),
     node("ArgMin", ["c"], ["yc"], axis=1, keepdims=0)],
    [value("a", TensorProto.INT32, [2, 3]), value("b", TensorProto.BFLOAT16, [2, 3]),
     value("c", TensorProto.UINT8, [2, 3])],
    [value("ya", I64, [2]), value("yb", I64, [2]), value("yc", I64, [2])], opset=13))

# A constant input folds: [[1, 5], [3, 2]] along axis 0.
# FOLD-LABEL: func.func @main
# FOLD: %[[C:.*]] = ds.constant dense<[0, 1]> : tensor<2xi64>
# Ties with select_last_index: [[2, 2], [1, 1]] along axis 1 gives the last index.
# FOLD: %[[L:.*]] = ds.constant dense<1> : tensor<2xi64>
# FOLD-NOT: ds.arg_reduce
# FOLD: return %[[C]], %[[L]]
emit("fold", model(
    [node("ArgMin", ["c"], ["y"], keepdims=0),
     node("ArgMin", ["t"], ["z"], axis=1, keepdims=0, select_last_index=1)],
    [], [value("y", I64, [2]), value("z", I64, [2])],
    [tensor("c", np.array([[1, 5], [3, 2]], np.int64)),
     tensor("t", np.array([[2, 2], [1, 1]], np.int64))], opset=13))

# AXIS: node 'y' (ArgMin, ai.onnx opset 13): 'ds.arg_reduce' op axis 2 is out of range for rank 2
emit("axis", model(
    [node("ArgMin", ["x"], ["y"], axis=2)],
    [value("x", F, [2, 3])], [value("y", I64, [2, 3, 1])], opset=13), check=False)
