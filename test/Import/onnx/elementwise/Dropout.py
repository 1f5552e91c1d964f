# RUN: %python %s %t
# RUN: ds-opt %t/plain.onnx | FileCheck %s --check-prefix=PLAIN
# RUN: ds-opt %t/mask.onnx | FileCheck %s --check-prefix=MASK
# RUN: not ds-opt %t/training.onnx 2>&1 | FileCheck %s --check-prefix=TRAIN
# RUN: ds-opt %t/identity.onnx | FileCheck %s --check-prefix=IDENT
# RUN: ds-opt %t/dynamic_mask.onnx | FileCheck %s --check-prefix=DYNMASK
# RUN: not ds-opt %t/runtime_training.onnx 2>&1 | FileCheck %s --check-prefix=RUNTIME
from onnx_testing import *

# Inference dropout passes the data through.
# PLAIN-NOT: ds.binary
# PLAIN: return %arg0
emit("plain", model([node("Dropout", ["x", "r"], ["y"])],
                    [value("x", TensorProto.FLOAT, [2, 2])], [value("y", TensorProto.FLOAT, [2, 2])],
                    [tensor("r", np.float32(0.5))]))
# The optional mask is all true.
# MASK: %[[M:.*]] = ds.constant dense<true> : tensor<2x2xi1>
# MASK: return %arg0, %[[M]]
emit("mask", model([node("Dropout", ["x"], ["y", "m"])],
                   [value("x", TensorProto.FLOAT, [2, 2])],
                   [value("y", TensorProto.FLOAT, [2, 2]), value("m", TensorProto.BOOL, [2, 2])]))
# TRAIN: node 'y' (Dropout, ai.onnx opset 17): training_mode is true; ds compiles inference graphs only
emit("training", model([node("Dropout", ["x", "r", "t"], ["y"])],
                       [value("x", TensorProto.FLOAT, [2, 2])], [value("y", TensorProto.FLOAT, [2, 2])],
                       [tensor("r", np.float32(0.5)), tensor("t", np.bool_(True))]))
# IDENT: return %arg0
emit("identity", model([node("Identity", ["x"], ["y"])],
                       [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])]))

# With dynamic dims the mask is a fill of the data's shape.
# DYNMASK: %[[S:.*]] = ds.shape_of %arg0 {end = 2 : i64, start = 0 : i64} : tensor<?x2xf32> -> tensor<2xi64>
# DYNMASK: %[[M:.*]] = ds.fill %[[S]] {value = true} : tensor<2xi64> -> tensor<?x2xi1>
# DYNMASK: return %arg0, %[[M]]
emit("dynamic_mask", model([node("Dropout", ["x"], ["y", "m"])],
                           [value("x", TensorProto.FLOAT, ["n", 2])],
                           [value("y", TensorProto.FLOAT, ["n", 2]),
                            value("m", TensorProto.BOOL, ["n", 2])]))
# RUNTIME: node 'y' (Dropout, ai.onnx opset 17): input 'training_mode' must be a constant false for inference
emit("runtime_training", model([node("Dropout", ["x", "r", "t"], ["y"])],
                               [value("x", TensorProto.FLOAT, [2]),
                                value("t", TensorProto.BOOL, [])],
                               [value("y", TensorProto.FLOAT, [2])],
                               [tensor("r", np.float32(0.5))]))
