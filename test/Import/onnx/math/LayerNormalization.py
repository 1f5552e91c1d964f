# RUN: %python %s %t
# RUN: ds-opt %t/layer_norm.onnx | FileCheck %s --check-prefix=LN
# RUN: ds-opt %t/layer_norm_stats.onnx | FileCheck %s --check-prefix=STATS
# RUN: ds-opt %t/layer_norm_mean.onnx | FileCheck %s --check-prefix=YMEAN
# RUN: ds-opt %t/layer_norm_inv.onnx | FileCheck %s --check-prefix=YINV
# RUN: not ds-opt %t/layer_norm_axis.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
# RUN: not ds-opt %t/layer_norm_stash.onnx 2>&1 | FileCheck %s --check-prefix=STASH
# RUN: not ds-opt %t/layer_norm_stash64.onnx 2>&1 | FileCheck %s --check-prefix=STASH64
# RUN: not ds-opt %t/layer_norm_scale.onnx 2>&1 | FileCheck %s --check-prefix=SCALE
from onnx_testing import *

F = TensorProto.FLOAT
H = TensorProto.FLOAT16

# LayerNormalization-17 with and without bias.
# LN-LABEL: func.func @main
# Default attributes (axis = -1, epsilon = 1e-5) are not printed.
# LN: ds.layer_norm %arg0, %{{.*}}, %{{.*}} : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
# LN: ds.layer_norm %arg0, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<?x?x64xf32>, tensor<1x64xf32>) -> tensor<?x?x64xf32>
# A bf16 input keeps its type.
# LN: ds.layer_norm %arg1, %arg2 {axis = -2 : i64} : (tensor<2x3x8xbf16>, tensor<3x8xbf16>) -> tensor<2x3x8xbf16>
emit("layer_norm", model(
    [node("LayerNormalization", ["x", "w", "b"], ["y"]),
     node("LayerNormalization", ["x", "w2"], ["z"], axis=1, epsilon=1e-3),
     node("LayerNormalization", ["h", "hw"], ["u"], axis=-2)],
    [value("x", F, ["b", "s", 64]), value("h", TensorProto.BFLOAT16, [2, 3, 8]),
     value("hw", TensorProto.BFLOAT16, [3, 8])],
    [value("y", F, ["b", "s", 64]), value("z", F, ["b", "s", 64]),
     value("u", TensorProto.BFLOAT16, [2, 3, 8])],
    [tensor("w", np.ones(64, np.float32)), tensor("b", np.zeros(64, np.float32)),
     tensor("w2", np.ones((1, 64), np.float32))]))

# The Mean and InvStdDev outputs, in the stash type (f32 for an f16 input).
# STATS-LABEL: func.func @main
# STATS: %[[Y:.*]] = ds.layer_norm %arg0, %{{.*}} : (tensor<?x8xf16>, tensor<8xf16>) -> tensor<?x8xf16>
# STATS: %[[X:.*]] = ds.cast %arg0 : tensor<?x8xf16> -> tensor<?x8xf32>
# STATS: %[[MEAN:.*]] = ds.reduce mean %[[X]] {axes = array<i64: 1>, keep_dims} : tensor<?x8xf32> -> tensor<?x1xf32>
# STATS: %[[D:.*]] = ds.binary sub %[[X]], %[[MEAN]] : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
# STATS: %[[SQ:.*]] = ds.binary mul %[[D]], %[[D]] : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
# STATS: %[[VAR:.*]] = ds.reduce mean %[[SQ]] {axes = array<i64: 1>, keep_dims} : tensor<?x8xf32> -> tensor<?x1xf32>
# STATS: %[[EPS:.*]] = ds.constant dense<9.99999974E-6> : tensor<f32>
# STATS: %[[E:.*]] = ds.binary add %[[VAR]], %[[EPS]] : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32>
# STATS: %[[INV:.*]] = ds.unary rsqrt %[[E]] : tensor<?x1xf32> -> tensor<?x1xf32>
# STATS: return %[[Y]], %[[MEAN]], %[[INV]] : tensor<?x8xf16>, tensor<?x1xf32>, tensor<?x1xf32>
emit("layer_norm_stats", model(
    [node("LayerNormalization", ["x", "w"], ["y", "mean", "inv"])],
    [value("x", H, ["b", 8])],
    [value("y", H, ["b", 8]), value("mean", F, ["b", 1]), value("inv", F, ["b", 1])],
    [tensor("w", np.ones(8, np.float16))]))

# Only (Y, Mean): no InvStdDev is built; axis 0 reduces every dim; the statistics
# of an f32 input are f32.
# YMEAN-LABEL: func.func @main
# YMEAN: %[[Y:.*]] = ds.layer_norm %arg0, %{{.*}} {axis = 0 : i64} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
# YMEAN-NOT: ds.cast
# YMEAN: %[[MEAN:.*]] = ds.reduce mean %arg0 {axes = array<i64: 0, 1>, keep_dims} : tensor<2x8xf32> -> tensor<1x1xf32>
# YMEAN-NOT: rsqrt
# YMEAN: return %[[Y]], %[[MEAN]] : tensor<2x8xf32>, tensor<1x1xf32>
emit("layer_norm_mean", model(
    [node("LayerNormalization", ["x", "w"], ["y", "mean"], axis=0)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8]), value("mean", F, [1, 1])],
    [tensor("w", np.ones((2, 8), np.float32))]))

# A double stash type for an f32 input would be narrowed by ds.layer_norm: refused.
# STASH64: node 'y' (LayerNormalization, ai.onnx opset 17): attribute 'stash_type' = DOUBLE is not supported for f32 inputs (ds.layer_norm computes in f32, or f64 for f64 inputs)
emit("layer_norm_stash64", model(
    [node("LayerNormalization", ["x", "w"], ["y"], stash_type=TensorProto.DOUBLE)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))]))

# Only (Y, -, InvStdDev): the mean is computed for the variance but not returned.
# YINV-LABEL: func.func @main
# YINV: %[[Y:.*]] = ds.layer_norm %arg0, %{{.*}} {epsilon = 1.000000e-01 : f32}
# YINV-NOT: ds.cast
# YINV: %[[MEAN:.*]] = ds.reduce mean %arg0 {axes = array<i64: 1>, keep_dims} : tensor<3x4xf32> -> tensor<3x1xf32>
# YINV: %[[EPS:.*]] = ds.constant dense<1.000000e-01> : tensor<f32>
# YINV: %[[INV:.*]] = ds.unary rsqrt
# YINV: return %[[Y]], %[[INV]] : tensor<3x4xf32>, tensor<3x1xf32>
emit("layer_norm_inv", model(
    [node("LayerNormalization", ["x", "w"], ["y", "", "inv"], epsilon=0.1)],
    [value("x", F, [3, 4])], [value("y", F, [3, 4]), value("inv", F, [3, 1])],
    [tensor("w", np.ones(4, np.float32))]))

# AXIS: node 'y' (LayerNormalization, ai.onnx opset 17): attribute 'axis' = 2 is out of range for rank 2
emit("layer_norm_axis", model(
    [node("LayerNormalization", ["x", "w"], ["y", "mean"], axis=2)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8]), value("mean", F, [2, 1])],
    [tensor("w", np.ones(8, np.float32))]), check=False)

# STASH: node 'y' (LayerNormalization, ai.onnx opset 17): attribute 'stash_type' must name a floating-point type, got INT32
emit("layer_norm_stash", model(
    [node("LayerNormalization", ["x", "w"], ["y"], stash_type=TensorProto.INT32)],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(8, np.float32))]), check=False)

# SCALE: node 'y' (LayerNormalization, ai.onnx opset 17): 'ds.layer_norm' op scale of shape 4 does not broadcast to the normalized dims 8
emit("layer_norm_scale", model(
    [node("LayerNormalization", ["x", "w"], ["y"])],
    [value("x", F, [2, 8])], [value("y", F, [2, 8])],
    [tensor("w", np.ones(4, np.float32))]), check=False)
