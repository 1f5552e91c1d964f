# Expand: numpy broadcast of the input's shape and the shape operand; an entry 1 keeps
# the input dim and the result rank may grow; computed shapes keep their known
# entries; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/expand.onnx | FileCheck %s --check-prefix=EXPAND
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/dynamic.onnx --input-shape=x:3x1,n:scalar | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/runtime_shape.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/same.onnx | FileCheck %s --check-prefix=SAME
# RUN: not ds-opt %t/bad.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not ds-opt %t/negative.onnx 2>&1 | FileCheck %s --check-prefix=NEG
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# EXPAND: ds.expand %arg0, %{{.*}} : (tensor<?x1xf32>, tensor<3xi64>) -> tensor<2x?x6xf32>
one("expand", "Expand", ["x", "s"], [("x", F, ["n", 1])], [("y", F, [2, "n", 6])],
    [("s", np.array([2, 1, 6], i64))])
# A shape computed from another input's value: static where the IR knows it.
# DYN: ds.expand %arg0, %{{.*}} : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
emit("dynamic", model(
    [node("Unsqueeze", ["n", "ax"], ["un"]),
     node("Concat", ["one", "un"], ["shape"], axis=0),
     node("Expand", ["x", "shape"], ["y"])],
    [value("x", F, [3, 1]), value("n", I, [])], [value("y", F, [3, "m"])],
    [tensor("ax", np.array([0], i64)), tensor("one", np.array([1], i64))], opset=13))
# A shape known only at run time: its length gives the rank, and a static input dim
# other than 1 survives any valid broadcast.
# RUNTIME: ds.expand %arg0, %arg1 : (tensor<4xi64>, tensor<2xi64>) -> tensor<?x4xi64>
one("runtime_shape", "Expand", ["x", "s"], [("x", I, [4]), ("s", I, [2])],
    [("y", I, ["a", 4])], opset=11)
# FOLD-NOT: ds.expand
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[1, 2], [1, 2], [1, 2]]> : tensor<3x2xi64>
# FOLD: return %[[C]]
one("fold", "Expand", ["c", "s"], [], [("y", I, [3, 2])],
    [("c", np.array([1, 2], i64)), ("s", np.array([3, 1], i64))])
# Expanding to ones keeps the input.
# SAME-NOT: ds.expand
# SAME: return %arg0
one("same", "Expand", ["x", "s"], [("x", F, [2, 3])], [("y", F, [2, 3])],
    [("s", np.array([1, 1], i64))])

# BAD: error: {{.*}}: node 'bad' (Expand, ai.onnx opset 17): 'ds.expand' op cannot expand 3 to 2x4
one("bad", "Expand", ["x", "s"], [("x", F, [3])], [("y", F, [2, 4])],
    [("s", np.array([2, 4], i64))], check=False)
# NEG: error: {{.*}}: node 'negative' (Expand, ai.onnx opset 17): 'ds.expand' op shape entry -1 at index 0 is negative
one("negative", "Expand", ["x", "s"], [("x", F, [3])], [("y", F, [3])],
    [("s", np.array([-1], i64))], check=False)
