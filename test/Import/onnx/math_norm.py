# RUN: %python %s %t
# RUN: ds-opt %t/layer_norm.onnx | FileCheck %s --check-prefix=LN
# RUN: ds-opt %t/layer_norm_stats.onnx | FileCheck %s --check-prefix=STATS
# RUN: ds-opt %t/rms_norm.onnx | FileCheck %s --check-prefix=RMS
# RUN: not ds-opt %t/layer_norm_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
# RUN: not ds-opt %t/rms_norm_stash.onnx 2>&1 | FileCheck %s --check-prefix=STASH
from onnx_testing import *

F = TensorProto.FLOAT
H = TensorProto.FLOAT16

# LayerNormalization-17 with and without bias.
# LN-LABEL: func.func @main
# Default attributes (axis = -1, epsilon = 1e-5) are not printed.
# LN: ds.layer_norm %arg0, %{{.*}}, %{{.*}} : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
# LN: ds.layer_norm %arg0, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<?x?x64xf32>, tensor<1x64xf32>) -> tensor<?x?x64xf32>
emit("layer_norm", model(
    [node("LayerNormalization", ["x", "w", "b"], ["y"]),
     node("LayerNormalization", ["x", "w2"], ["z"], axis=1, epsilon=1e-3)],
    [value("x", F, ["b", "s", 64])], [value("y", F, ["b", "s", 64]), value("z", F, ["b", "s", 64])],
    [tensor("w", np.ones(64, np.float32)), tensor("b", np.zeros(64, np.float32)),
     tensor("w2", np.ones((1, 64), np.float32))]))

# The Mean and InvStdDev outputs, in the stash type (f32 for an f16 input).
# STATS-LABEL: func.func @main
# STATS: %[[Y:.*]] = ds.layer_norm %arg0, %{{.*}} :
# STATS: %[[X:.*]] = ds.cast %arg0 : tensor<?x8xf16> -> tensor<?x8xf32>
# STATS: %[[MEAN:.*]] = ds.reduce mean %[[X]] {axes = array<i64: 1>, keep_dims} : tensor<?x8xf32> -> tensor<?x1xf32>
# STATS: %[[D:.*]] = ds.binary sub %[[X]], %[[MEAN]]
# STATS: %[[SQ:.*]] = ds.binary mul %[[D]], %[[D]]
# STATS: %[[VAR:.*]] = ds.reduce mean %[[SQ]] {axes = array<i64: 1>, keep_dims}
# STATS: %[[E:.*]] = ds.binary add %[[VAR]], %{{.*}} : (tensor<?x1xf32>, tensor<f32>)
# STATS: %[[INV:.*]] = ds.unary rsqrt %[[E]]
# STATS: return %[[Y]], %[[MEAN]], %[[INV]] : tensor<?x8xf16>, tensor<?x1xf32>, tensor<?x1xf32>
emit("layer_norm_stats", model(
    [node("LayerNormalization", ["x", "w"], ["y", "mean", "inv"])],
    [value("x", H, ["b", 8])],
    [value("y", H, ["b", 8]), value("mean", F, ["b", 1]), value("inv", F, ["b", 1])],
    [tensor("w", np.ones(8, np.float16))]))

# RMSNormalization-23 maps onto ds.rms_norm, with ONNX's default epsilon 1e-5 (the
# op's own default is 1e-6) and axis.
# RMS-LABEL: func.func @main
# RMS: ds.rms_norm %arg0, %{{.*}} {epsilon = 9.99999974E-6 : f32} : (tensor<?x?x64xbf16>, tensor<64xbf16>) -> tensor<?x?x64xbf16>
# RMS: ds.rms_norm %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x?x64xbf16>, tensor<1x64xbf16>) -> tensor<?x?x64xbf16>
emit("rms_norm", model(
    [node("RMSNormalization", ["x", "w"], ["y"]),
     node("RMSNormalization", ["x", "w2"], ["z"], axis=1, epsilon=1e-6)],
    [value("x", TensorProto.BFLOAT16, ["b", "s", 64])],
    [value("y", TensorProto.BFLOAT16, ["b", "s", 64]),
     value("z", TensorProto.BFLOAT16, ["b", "s", 64])],
    [helper.make_tensor("w", TensorProto.BFLOAT16, [64], np.ones(64, np.float32)),
     helper.make_tensor("w2", TensorProto.BFLOAT16, [1, 64], np.ones(64, np.float32))],
    opset=23))

# AXIS: node 'y' (LayerNormalization, ai.onnx opset 17): attribute 'axis' = 2 is out of range for rank 2
emit("layer_norm_axis", model(
    [node("LayerNormalization", ["x", "w"], ["y", "mean"], axis=2)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8]), value("mean", F, [2, 1])],
    [tensor("w", np.ones(8, np.float32))]), check=False)

# STASH: node 'y' (RMSNormalization, ai.onnx opset 23): attribute 'stash_type' = DOUBLE is not supported (ds.rms_norm computes in f32)
emit("rms_norm_stash", model(
    [node("RMSNormalization", ["x", "w"], ["y"], stash_type=TensorProto.DOUBLE)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))], opset=23), check=False)
