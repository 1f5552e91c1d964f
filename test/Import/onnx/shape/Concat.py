# Concat: negative axes, dims fixed by other inputs, shape vectors that fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/negative_axis.onnx | FileCheck %s --check-prefix=NEG
# RUN: ds-opt %t/dynamic_axis.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/i32_11.onnx | FileCheck %s --check-prefix=I32
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/single.onnx | FileCheck %s --check-prefix=SINGLE
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
# RUN: not ds-opt %t/mismatch.onnx 2>&1 | FileCheck %s --check-prefix=MISMATCH
# RUN: not ds-opt %t/rank.onnx 2>&1 | FileCheck %s --check-prefix=RANK
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# The other input fixes the dynamic non-axis dim.
# NEG: ds.concat %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
one("negative_axis", "Concat", ["x", "c"], [("x", F, ["n", 2])], [("y", F, ["n", 5])],
    [("c", np.ones((1, 3), np.float32))], axis=-1)

# A dynamic dim along the axis makes the sum dynamic.
# DYN: ds.concat %arg0, %arg1, %arg2 {axis = 0 : i64} : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<3x?xf32>) -> tensor<?x4xf32>
one("dynamic_axis", "Concat", ["a", "b", "c"],
    [("a", F, ["n", 4]), ("b", F, [2, 4]), ("c", F, [3, "m"])], [("y", F, ["k", 4])], axis=0)

# I32: ds.concat %arg0, %arg1 {axis = 0 : i64} : (tensor<2xi32>, tensor<3xi32>) -> tensor<5xi32>
one("i32_11", "Concat", ["a", "b"], [("a", TensorProto.INT32, [2]), ("b", TensorProto.INT32, [3])],
    [("y", TensorProto.INT32, [5])], opset=11, axis=0)

# Shape vectors of constants fold.
# FOLD-NOT: ds.concat
# FOLD: %[[C:.*]] = ds.constant dense<[2, -1, 4, 16]> : tensor<4xi64>
# FOLD: return %[[C]]
one("fold", "Concat", ["a", "b", "c"], [], [("y", I, [4])],
    [("a", np.array([2, -1], i64)), ("b", np.array([4], i64)), ("c", np.array([16], i64))],
    axis=0)

# One input of the result type is the input itself.
# SINGLE-NOT: ds.concat
# SINGLE: return %arg0
one("single", "Concat", ["a"], [("a", F, [2, 3])], [("y", F, [2, 3])], axis=1)

# AXIS: error: {{.*}}: node 'axis_range' (Concat, ai.onnx opset 17): axis 2 is out of range for rank 2
one("axis_range", "Concat", ["a", "b"], [("a", F, [2, 3]), ("b", F, [2, 3])],
    [("y", F, [2, 6])], check=False, axis=2)
# MISMATCH: error: {{.*}}: node 'mismatch' (Concat, ai.onnx opset 17): 'ds.concat' op input #1 has shape 3x3, which differs from input #0 (2x3) in dim 0 (axis is 1)
one("mismatch", "Concat", ["a", "b"], [("a", F, [2, 3]), ("b", F, [3, 3])],
    [("y", F, [2, 6])], check=False, axis=1)
# RANK: error: {{.*}}: node 'rank' (Concat, ai.onnx opset 17): 'ds.concat' op input #1 has rank 1 but input #0 has rank 2
one("rank", "Concat", ["a", "b"], [("a", F, [2, 3]), ("b", F, [3])],
    [("y", F, [2, 6])], check=False, axis=0)
