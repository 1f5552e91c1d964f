# RUN: %python %s %t
# RUN: ds-opt %t/topk.onnx | FileCheck %s --check-prefix=TOPK
# RUN: ds-opt %t/topk_shape_k.onnx | FileCheck %s --check-prefix=SHAPEK
# RUN: ds-opt %t/dtypes.onnx | FileCheck %s --check-prefix=DTYPE
# RUN: not ds-opt %t/topk_dynamic_k.onnx 2>&1 | FileCheck %s --check-prefix=DYNK
# RUN: not ds-opt %t/topk_k_large.onnx 2>&1 | FileCheck %s --check-prefix=LARGEK
# RUN: not ds-opt %t/topk_k_values.onnx 2>&1 | FileCheck %s --check-prefix=KVALUES
# RUN: not ds-opt %t/topk_k_negative.onnx 2>&1 | FileCheck %s --check-prefix=KNEG
from onnx_testing import *

F = TensorProto.FLOAT
I64 = TensorProto.INT64

# TopK-11 with a constant K: defaults (axis -1, largest, sorted) are not printed;
# smallest and unsorted along axis 0; a dynamic axis dim becomes K.
# TOPK-LABEL: func.func @main
# TOPK: ds.topk %arg0 {k = 8 : i64} : tensor<?x256xf32> -> (tensor<?x8xf32>, tensor<?x8xi64>)
# TOPK: ds.topk %arg0 {axis = 0 : i64, k = 2 : i64, largest = false, sorted = false} : tensor<?x256xf32> -> (tensor<2x256xf32>, tensor<2x256xi64>)
# TOPK: ds.topk %arg1 {k = 2 : i64} : tensor<3x?xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
emit("topk", model(
    [node("TopK", ["x", "k8"], ["v", "i"]),
     node("TopK", ["x", "k2"], ["v2", "i2"], axis=0, largest=0, sorted=0),
     node("TopK", ["d", "k2"], ["v3", "i3"])],
    [value("x", F, ["n", 256]), value("d", F, [3, "m"])],
    [value("v", F, ["n", 8]), value("i", I64, ["n", 8]),
     value("v2", F, [2, 256]), value("i2", I64, [2, 256]),
     value("v3", F, [3, 2]), value("i3", I64, [3, 2])],
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

# Integer inputs, and bf16 (new in TopK-24).
# DTYPE-LABEL: func.func @main
# DTYPE: ds.topk %arg0 {k = 1 : i64, largest = false} : tensor<5xi32> -> (tensor<1xi32>, tensor<1xi64>)
# DTYPE: ds.topk %arg1 {k = 1 : i64} : tensor<2x5xbf16> -> (tensor<2x1xbf16>, tensor<2x1xi64>)
emit("dtypes", model(
    [node("TopK", ["a", "k1"], ["va", "ia"], largest=0),
     node("TopK", ["b", "k1"], ["vb", "ib"])],
    [value("a", TensorProto.INT32, [5]), value("b", TensorProto.BFLOAT16, [2, 5])],
    [value("va", TensorProto.INT32, [1]), value("ia", I64, [1]),
     value("vb", TensorProto.BFLOAT16, [2, 1]), value("ib", I64, [2, 1])],
    [tensor("k1", np.array([1], np.int64))], opset=24))

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

# KVALUES: node 'v' (TopK, ai.onnx opset 11): input 'K' must hold one value, got [1, 2]
emit("topk_k_values", model(
    [node("TopK", ["x", "k"], ["v", "i"])],
    [value("x", F, [2, 3])], [value("v", F, None), value("i", I64, None)],
    [tensor("k", np.array([1, 2], np.int64))], opset=11), check=False)

# KNEG: node 'v' (TopK, ai.onnx opset 11): 'ds.topk' op k must be non-negative, got -1
emit("topk_k_negative", model(
    [node("TopK", ["x", "k"], ["v", "i"])],
    [value("x", F, [2, 3])], [value("v", F, None), value("i", I64, None)],
    [tensor("k", np.array([-1], np.int64))], opset=11), check=False)
