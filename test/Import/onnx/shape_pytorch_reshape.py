# The shape sub-graph PyTorch exports for `x.view(b, s, 4, 16)` and `y.view(*y.shape[:2], -1)`:
# Shape -> Gather -> Unsqueeze -> Concat -> Reshape. With dynamic dims it imports to a
# reshape whose computed shape keeps the static entries (?x?x4x16); with --input-shape
# fixing every dim the whole sub-graph folds and the reshapes are static.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/view.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/view.onnx --input-shape=x:2x5x64 | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/view.onnx --input-shape=x:?x5x64 | FileCheck %s --check-prefix=HALF
# RUN: ds-opt %t/view.onnx --ds-fold-shapes --canonicalize | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/expand.onnx | FileCheck %s --check-prefix=EXPDYN
# RUN: ds-opt %t/expand.onnx --input-shape=x:3x5 | FileCheck %s --check-prefix=EXPSTATIC
from onnx_testing import *

# DYN-LABEL: func.func @main
# DYN-SAME: (%[[X:.*]]: tensor<?x?x64xf32>
# DYN-SAME: -> (tensor<?x?x4x16xf32> {ds.dims = ["batch", "seq", "", ""], ds.name = "y"}, tensor<?x?x64xf32> {{{.*}}ds.name = "z"})
# DYN-DAG: %[[SX:.*]] = ds.shape_of %[[X]] {end = 3 : i64, start = 0 : i64}
# DYN-DAG: %[[G0:.*]] = ds.gather %[[SX]], %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
# DYN-DAG: %[[U0:.*]] = ds.unsqueeze %[[G0]] {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
# DYN: %[[SHAPE:.*]] = ds.concat %[[U0]], %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
# DYN: %[[Y:.*]] = ds.reshape %[[X]], %[[SHAPE]] : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
# The -1 next to y's own leading dims is inferred as 64.
# DYN: %[[SY:.*]] = ds.shape_of %[[Y]]
# DYN: ds.slice %[[SY]]
# DYN: %[[Z:.*]] = ds.reshape %[[Y]], %{{.*}} : (tensor<?x?x4x16xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
# DYN: return %[[Y]], %[[Z]]

# STATIC-LABEL: func.func @main
# STATIC-SAME: (%[[X:.*]]: tensor<2x5x64xf32>
# STATIC-NOT: ds.shape_of
# STATIC-NOT: ds.gather
# STATIC-NOT: ds.concat
# STATIC: %[[S1:.*]] = ds.constant dense<[2, 5, 4, 16]> : tensor<4xi64>
# STATIC: %[[Y:.*]] = ds.reshape %[[X]], %[[S1]] : (tensor<2x5x64xf32>, tensor<4xi64>) -> tensor<2x5x4x16xf32>
# The second reshape undoes the first: reshape(reshape(x)) folds to x.
# STATIC-NOT: ds.reshape
# STATIC: return %[[Y]], %[[X]] : tensor<2x5x4x16xf32>, tensor<2x5x64xf32>

# Only the batch dim dynamic: the gathered seq entry folds to 5.
# HALF-LABEL: func.func @main
# HALF: ds.reshape {{.*}} -> tensor<?x5x4x16xf32>
# HALF: ds.reshape {{.*}} -> tensor<?x5x64xf32>
i64 = np.int64
emit("view", model(
    [node("Shape", ["x"], ["sx"]),
     node("Gather", ["sx", "i0"], ["d0"], axis=0),
     node("Gather", ["sx", "i1"], ["d1"], axis=0),
     node("Unsqueeze", ["d0", "ax0"], ["u0"]),
     node("Unsqueeze", ["d1", "ax0"], ["u1"]),
     node("Concat", ["u0", "u1", "c4", "c16"], ["shape"], axis=0),
     node("Reshape", ["x", "shape"], ["y"]),
     node("Shape", ["y"], ["sy"]),
     node("Slice", ["sy", "st", "en"], ["lead"]),
     node("Concat", ["lead", "m1"], ["shape2"], axis=0),
     node("Reshape", ["y", "shape2"], ["z"])],
    [value("x", TensorProto.FLOAT, ["batch", "seq", 64])],
    [value("y", TensorProto.FLOAT, ["batch", "seq", 4, 16]),
     value("z", TensorProto.FLOAT, ["batch", "seq", 64])],
    [tensor("i0", i64(0)), tensor("i1", i64(1)), tensor("ax0", np.array([0], i64)),
     tensor("c4", np.array([4], i64)), tensor("c16", np.array([16], i64)),
     tensor("st", np.array([0], i64)), tensor("en", np.array([2], i64)),
     tensor("m1", np.array([-1], i64))], opset=17))

# `w.expand(x.shape[0], -1, -1)`: torch replaces the -1 entries with 1 through
# Equal/Where on the shape tensor before Expand.
# EXPDYN-LABEL: func.func @main
# EXPDYN: ds.compare eq
# EXPDYN: ds.select
# EXPDYN: ds.expand %{{.*}}, %{{.*}} : (tensor<1x4x8xf32>, tensor<3xi64>) -> tensor<?x4x8xf32>
# EXPSTATIC-LABEL: func.func @main
# EXPSTATIC-NOT: ds.compare
# EXPSTATIC-NOT: ds.select
# EXPSTATIC: %[[S:.*]] = ds.constant dense<[3, 1, 1]> : tensor<3xi64>
# EXPSTATIC: ds.expand %{{.*}}, %[[S]] : (tensor<1x4x8xf32>, tensor<3xi64>) -> tensor<3x4x8xf32>
emit("expand", model(
    [node("Shape", ["x"], ["sx"]),
     node("Gather", ["sx", "i0"], ["b"], axis=0),
     node("Unsqueeze", ["b", "ax0"], ["ub"]),
     node("Concat", ["ub", "m1", "m1"], ["shape"], axis=0),
     node("Equal", ["shape", "m1"], ["isneg"]),
     node("ConstantOfShape", ["three"], ["ones"],
          value=helper.make_tensor("one", TensorProto.INT64, [1], [1])),
     node("Where", ["isneg", "ones", "shape"], ["fixed"]),
     node("Expand", ["w", "fixed"], ["y"])],
    [value("x", TensorProto.FLOAT, ["batch", "seq"])],
    [value("y", TensorProto.FLOAT, ["batch", 4, 8])],
    [tensor("i0", i64(0)), tensor("ax0", np.array([0], i64)),
     tensor("m1", np.array([-1], i64)), tensor("three", np.array([3], i64)),
     tensor("w", np.ones((1, 4, 8), np.float32))], opset=17))
