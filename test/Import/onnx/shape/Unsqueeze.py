# Unsqueeze: axes as an attribute (11) or an input (13 and later); axes are positions
# in the result and may be negative or unsorted; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/unsqueeze11.onnx | FileCheck %s --check-prefix=UNSQ11
# RUN: ds-opt %t/unsqueeze13.onnx | FileCheck %s --check-prefix=UNSQ13
# RUN: ds-opt %t/unsorted.onnx | FileCheck %s --check-prefix=UNSORTED
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
# RUN: not ds-opt %t/no_axes.onnx 2>&1 | FileCheck %s --check-prefix=NOAXES
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


# UNSQ11: ds.unsqueeze %arg0 {axes = array<i64: 0, 3>} : tensor<?x4xf32> -> tensor<1x?x4x1xf32>
one("unsqueeze11", "Unsqueeze", ["x"], [("x", F, ["n", 4])], [("y", F, [1, "n", 4, 1])],
    opset=11, axes=[0, -1])
# UNSQ13: ds.unsqueeze %arg0 {axes = array<i64: 1>} : tensor<?x4xf32> -> tensor<?x1x4xf32>
one("unsqueeze13", "Unsqueeze", ["x", "a"], [("x", F, ["n", 4])], [("y", F, ["n", 1, 4])],
    [("a", np.array([-2], i64))], opset=13)
# Axes are sorted after normalizing.
# UNSORTED: ds.unsqueeze %arg0 {axes = array<i64: 0, 2>} : tensor<3xi64> -> tensor<1x3x1xi64>
one("unsorted", "Unsqueeze", ["x", "a"], [("x", I, [3])], [("y", I, [1, 3, 1])],
    [("a", np.array([2, 0], i64))], opset=21)
# The scalar -> [1] step of PyTorch shape sub-graphs folds.
# FOLD-NOT: ds.unsqueeze
# FOLD: %[[C:.*]] = ds.constant dense<5> : tensor<1xi64>
# FOLD: return %[[C]]
one("fold", "Unsqueeze", ["c", "a"], [], [("y", I, [1])],
    [("c", i64(5)), ("a", np.array([0], i64))], opset=13)

# AXIS: error: {{.*}}: node 'axis_range' (Unsqueeze, ai.onnx opset 13): axis 3 is out of range for rank 3
one("axis_range", "Unsqueeze", ["x", "a"], [("x", F, ["n", 4])], [("y", F, ["n", 4, 1])],
    [("a", np.array([3], i64))], opset=13, check=False)
# NOAXES: error: {{.*}}: node 'no_axes' (Unsqueeze, ai.onnx opset 13): needs 'axes'
one("no_axes", "Unsqueeze", ["x"], [("x", F, [4])], [("y", F, [1, 4])], opset=13,
    check=False)
# REPEAT: error: {{.*}}: node 'repeated' (Unsqueeze, ai.onnx opset 11): axis -3 is repeated in axes [0, -3]
one("repeated", "Unsqueeze", ["x"], [("x", F, [4])], [("y", F, [1, 1, 4])], opset=11,
    check=False, axes=[0, -3])
