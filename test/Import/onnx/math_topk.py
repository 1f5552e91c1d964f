# RUN: %python %s %t
# RUN: ds-opt %t/topk.onnx | FileCheck %s --check-prefix=TOPK
# RUN: ds-opt %t/topk_shape_k.onnx | FileCheck %s --check-prefix=SHAPEK
# RUN: ds-opt %t/cumsum.onnx | FileCheck %s --check-prefix=CUMSUM
# RUN: not ds-opt %t/topk_dynamic_k.onnx 2>&1 | FileCheck %s --check-prefix=DYNK
# RUN: not ds-opt %t/topk_k_large.onnx 2>&1 | FileCheck %s --check-prefix=LARGEK
# RUN: not ds-opt %t/cumsum_axis.onnx 2>&1 | FileCheck %s --check-prefix=CAXIS
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# TopK-11 with a constant K, smallest and unsorted; TopK-10 has neither attribute.
# TOPK-LABEL: func.func @main
# TOPK: ds.topk %arg0 {k = 8 : i64} : tensor<?x256xf32> -> (tensor<?x8xf32>, tensor<?x8xi64>)
# TOPK: ds.topk %arg0 {axis = 0 : i64, k = 2 : i64, largest = false, sorted = false} : tensor<?x256xf32> -> (tensor<2x256xf32>, tensor<2x256xi64>)
emit("topk", model(
    [node("TopK", ["x", "k8"], ["v", "i"]),
     node("TopK", ["x", "k2"], ["v2", "i2"], axis=0, largest=0, sorted=0)],
    [value("x", F, ["n", 256])],
    [value("v", F, ["n", 8]), value("i", I64, ["n", 8]),
     value("v2", F, [2, 256]), value("i2", I64, [2, 256])],
    [tensor("k8", np.array([8], np.int64)), tensor("k2", np.array([2], np.int64))],
    opset=11))

# K computed from a static shape folds to a constant first (Shape -> Gather).
# SHAPEK-LABEL: func.func @main
# SHAPEK: ds.topk %arg0 {k = 4 : i64} : tensor<3x4xf32> -> (tensor<3x4xf32>, tensor<3x4xi64>)
emit("topk_shape_k", model(
    [node("Shape", ["x"], ["s"]), node("Gather", ["s", "one"], ["k"]),
     node("Unsqueeze", ["k", "zero"], ["k1"]),
     node("TopK", ["x", "k1"], ["v", "i"])],
    [value("x", F, [3, 4])], [value("v", F, [3, 4]), value("i", I64, [3, 4])],
    [tensor("one", np.array(1, np.int64)), tensor("zero", np.array([0], np.int64))],
    opset=13))

# CumSum with a constant axis; exclusive and reverse.
# CUMSUM-LABEL: func.func @main
# CUMSUM: ds.cumsum %arg0 {axis = 1 : i64} : tensor<2x?xi64> -> tensor<2x?xi64>
# CUMSUM: ds.cumsum %arg0 {axis = -1 : i64, exclusive, reverse} : tensor<2x?xi64> -> tensor<2x?xi64>
emit("cumsum", model(
    [node("CumSum", ["x", "ax"], ["y"]),
     node("CumSum", ["x", "neg"], ["z"], exclusive=1, reverse=1)],
    [value("x", I64, [2, "n"])], [value("y", I64, [2, "n"]), value("z", I64, [2, "n"])],
    [tensor("ax", np.array(1, np.int32)), tensor("neg", np.array([-1], np.int64))],
    opset=14))

# DYNK: node 'v' (TopK, ai.onnx opset 11): input #1 ('k', K) must be a constant, or computable from static shapes
emit("topk_dynamic_k", model(
    [node("TopK", ["x", "k"], ["v", "i"])],
    [value("x", F, [2, 8]), value("k", I64, [1])],
    [value("v", F, [2, None]), value("i", I64, [2, None])], opset=11))

# LARGEK: node 'v' (TopK, ai.onnx opset 11): 'ds.topk' op k = 9 exceeds the size 8 of axis -1
emit("topk_k_large", model(
    [node("TopK", ["x", "k"], ["v", "i"])],
    [value("x", F, [2, 8])], [value("v", F, [2, 9]), value("i", I64, [2, 9])],
    [tensor("k", np.array([9], np.int64))], opset=11), check=False)

# CAXIS: node 'y' (CumSum, ai.onnx opset 14): input #1 ('axis', axis) must be a constant
emit("cumsum_axis", model(
    [node("CumSum", ["x", "axis"], ["y"])],
    [value("x", F, [2, 3]), value("axis", I64, [])], [value("y", F, [2, 3])], opset=14))
