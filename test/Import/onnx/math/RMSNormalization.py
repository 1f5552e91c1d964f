# RUN: %python %s %t
# RUN: ds-opt %t/rms_norm.onnx | FileCheck %s --check-prefix=RMS
# RUN: ds-opt %t/rms_norm_types.onnx | FileCheck %s --check-prefix=TYPES
# RUN: not ds-opt %t/rms_norm_stash.onnx 2>&1 | FileCheck %s --check-prefix=STASH
# RUN: not ds-opt %t/rms_norm_stash_int.onnx 2>&1 | FileCheck %s --check-prefix=STASHINT
# RUN: not ds-opt %t/rms_norm_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F = TensorProto.FLOAT
BF = TensorProto.BFLOAT16

# RMSNormalization-23 maps onto ds.rms_norm, with ONNX's default epsilon 1e-5 (the
# op's own default is 1e-6) and axis.
# RMS-LABEL: func.func @main
# RMS: ds.rms_norm %arg0, %{{.*}} {epsilon = 9.99999974E-6 : f32} : (tensor<?x?x64xbf16>, tensor<64xbf16>) -> tensor<?x?x64xbf16>
# RMS: ds.rms_norm %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x?x64xbf16>, tensor<1x64xbf16>) -> tensor<?x?x64xbf16>
emit("rms_norm", model(
    [node("RMSNormalization", ["x", "w"], ["y"]),
     node("RMSNormalization", ["x", "w2"], ["z"], axis=1, epsilon=1e-6)],
    [value("x", BF, ["b", "s", 64])],
    [value("y", BF, ["b", "s", 64]), value("z", BF, ["b", "s", 64])],
    [helper.make_tensor("w", BF, [64], np.ones(64, np.float32)),
     helper.make_tensor("w2", BF, [1, 64], np.ones(64, np.float32))],
    opset=23))

# f32 and f16 inputs; a stash type equal to the input's (f16) is accepted.
# TYPES-LABEL: func.func @main
# TYPES: ds.rms_norm %arg0, %arg1 {axis = -2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x?x8xf32>, tensor<8xf32>) -> tensor<2x?x8xf32>
# TYPES: ds.rms_norm %arg2, %arg3 {epsilon = 9.99999974E-6 : f32} : (tensor<4x8xf16>, tensor<8xf16>) -> tensor<4x8xf16>
emit("rms_norm_types", model(
    [node("RMSNormalization", ["x", "w"], ["y"], axis=-2),
     node("RMSNormalization", ["h", "hw"], ["z"], stash_type=TensorProto.FLOAT16)],
    [value("x", F, [2, "n", 8]), value("w", F, [8]), value("h", TensorProto.FLOAT16, [4, 8]),
     value("hw", TensorProto.FLOAT16, [8])],
    [value("y", F, [2, "n", 8]), value("z", TensorProto.FLOAT16, [4, 8])], opset=23))

# STASH: node 'y' (RMSNormalization, ai.onnx opset 23): attribute 'stash_type' = DOUBLE is not supported for f32 inputs (ds.rms_norm computes in f32, or f64 for f64 inputs)
emit("rms_norm_stash", model(
    [node("RMSNormalization", ["x", "w"], ["y"], stash_type=TensorProto.DOUBLE)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))], opset=23), check=False)

# STASHINT: node 'y' (RMSNormalization, ai.onnx opset 23): attribute 'stash_type' must name a floating-point type, got INT64
emit("rms_norm_stash_int", model(
    [node("RMSNormalization", ["x", "w"], ["y"], stash_type=TensorProto.INT64)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))], opset=23), check=False)

# AXIS: node 'y' (RMSNormalization, ai.onnx opset 23): 'ds.rms_norm' op axis 2 is out of range for rank 2
emit("rms_norm_axis", model(
    [node("RMSNormalization", ["x", "w"], ["y"], axis=2)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))], opset=23), check=False)
