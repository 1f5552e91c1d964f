# Squeeze: axes as an attribute (11) or an input (13 and later), negative axes, no
# axes (every static 1), constant folding.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/squeeze11.onnx | FileCheck %s --check-prefix=SQ11
# RUN: ds-opt %t/squeeze13.onnx | FileCheck %s --check-prefix=SQ13
# RUN: ds-opt %t/squeeze21.onnx | FileCheck %s --check-prefix=SQ21
# RUN: ds-opt %t/all.onnx | FileCheck %s --check-prefix=ALL
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/all_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=ALLDYN
# RUN: not ds-opt %t/not_one.onnx 2>&1 | FileCheck %s --check-prefix=NOT1
# RUN: not ds-opt %t/runtime_axes.onnx 2>&1 | FileCheck %s --check-prefix=RTAXES
# RUN: not ds-opt %t/repeated.onnx 2>&1 | FileCheck %s --check-prefix=REPEAT
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# SQ11: ds.squeeze %arg0 {axes = array<i64: 2>} : tensor<?x3x1xf32> -> tensor<?x3xf32>
one("squeeze11", "Squeeze", ["x"], [("x", F, ["n", 3, 1])], [("y", F, ["n", 3])], opset=11,
    axes=[-1])
# SQ13: ds.squeeze %arg0 {axes = array<i64: 0>} : tensor<1x?xf32> -> tensor<?xf32>
one("squeeze13", "Squeeze", ["x", "a"], [("x", F, [1, "n"])], [("y", F, ["n"])],
    [("a", np.array([0], i64))], opset=13)
# A dynamic dim may be squeezed (it must be 1 at run time).
# SQ21: ds.squeeze %arg0 {axes = array<i64: 0, 2>} : tensor<?x4x1xi64> -> tensor<4xi64>
one("squeeze21", "Squeeze", ["x", "a"], [("x", I, ["n", 4, 1])], [("y", I, [4])],
    [("a", np.array([0, -1], i64))], opset=21)
# Without axes every static 1 goes.
# ALL: ds.squeeze %arg0 {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
one("all", "Squeeze", ["x"], [("x", F, [1, 3, 1])], [("y", F, [3])], opset=13)
# FOLD-NOT: ds.squeeze
# FOLD: %[[C:.*]] = ds.constant dense<[7, 8]> : tensor<2xi64>
# FOLD: return %[[C]]
one("fold", "Squeeze", ["c", "a"], [], [("y", I, [2])],
    [("c", np.array([[7, 8]], i64)), ("a", np.array([0], i64))], opset=13)

# ALLDYN: error: {{.*}}: node 'all_dynamic' (Squeeze, ai.onnx opset 13): without 'axes' every dim must be static to know which are 1; input has shape 1x?
one("all_dynamic", "Squeeze", ["x"], [("x", F, [1, "n"])], [("y", F, ["n"])], opset=13)
# NOT1: error: {{.*}}: node 'not_one' (Squeeze, ai.onnx opset 13): 'ds.squeeze' op cannot squeeze dim 1 of size 3
one("not_one", "Squeeze", ["x", "a"], [("x", F, [1, 3])], [("y", F, [1])],
    [("a", np.array([1], i64))], opset=13)
# RTAXES: error: {{.*}}: node 'runtime_axes' (Squeeze, ai.onnx opset 13): input #1 ('a', axes) must be a constant, or computable from static shapes
one("runtime_axes", "Squeeze", ["x", "a"], [("x", F, [1, 3]), ("a", I, [1])], [("y", F, [3])],
    opset=13)
# REPEAT: error: {{.*}}: node 'repeated' (Squeeze, ai.onnx opset 11): axis -2 is repeated in axes [0, -2]
one("repeated", "Squeeze", ["x"], [("x", F, [1, 1])], [("y", F, [])], opset=11, check=False,
    axes=[0, -2])
