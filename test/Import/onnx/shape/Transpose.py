# Transpose: default perm reverses the dims; constants fold; transposes of transposes
# compose.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/default_perm.onnx | FileCheck %s --check-prefix=DEFAULT
# RUN: ds-opt %t/perm.onnx | FileCheck %s --check-prefix=PERM
# RUN: ds-opt %t/int64_21.onnx | FileCheck %s --check-prefix=I64
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/compose.onnx | FileCheck %s --check-prefix=COMPOSE
# RUN: not ds-opt %t/not_perm.onnx 2>&1 | FileCheck %s --check-prefix=NOTPERM
# RUN: not ds-opt %t/short_perm.onnx 2>&1 | FileCheck %s --check-prefix=SHORT
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# Without perm the dims reverse.
# DEFAULT: ds.transpose %arg0 {perm = array<i64: 2, 1, 0>} : tensor<2x3x?xf32> -> tensor<?x3x2xf32>
one("default_perm", "Transpose", ["x"], [("x", F, [2, 3, "n"])], [("y", F, ["n", 3, 2])])

# The attention head split: [b, s, h, d] -> [b, h, s, d].
# PERM: ds.transpose %arg0 {perm = array<i64: 0, 2, 1, 3>} : tensor<?x?x4x16xf32> -> tensor<?x4x?x16xf32>
one("perm", "Transpose", ["x"], [("x", F, ["b", "s", 4, 16])], [("y", F, ["b", 4, "s", 16])],
    perm=[0, 2, 1, 3])

# I64: ds.transpose %arg0 {perm = array<i64: 1, 0>} : tensor<3x?xi64> -> tensor<?x3xi64>
one("int64_21", "Transpose", ["x"], [("x", I, [3, "n"])], [("y", I, ["n", 3])], opset=21,
    perm=[1, 0])

# FOLD-NOT: ds.transpose
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[0, 3], [1, 4], [2, 5]]> : tensor<3x2xi64>
# FOLD: return %[[C]]
emit("fold", model([node("Transpose", ["c"], ["y"])], [], [value("y", I, [3, 2])],
                   [tensor("c", np.arange(6, dtype=i64).reshape(2, 3))]))

# Two transposes become one with the composed permutation.
# COMPOSE: ds.transpose %arg0 {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
# COMPOSE-NOT: ds.transpose
emit("compose", model([node("Transpose", ["x"], ["t"], perm=[1, 0, 2]),
                       node("Transpose", ["t"], ["y"], perm=[0, 2, 1])],
                      [value("x", F, [2, 3, 4])], [value("y", F, [3, 4, 2])]))

# NOTPERM: error: {{.*}}: node 'not_perm' (Transpose, ai.onnx opset 17): 'ds.transpose' op perm [0, 0] is not a permutation of [0, 2)
one("not_perm", "Transpose", ["x"], [("x", F, [2, 3])], [("y", F, [2, 2])], check=False,
    perm=[0, 0])
# SHORT: error: {{.*}}: node 'short_perm' (Transpose, ai.onnx opset 17): 'ds.transpose' op perm has 2 entries but the input has rank 3
one("short_perm", "Transpose", ["x"], [("x", F, [2, 3, 4])], [("y", F, [3, 2])], check=False,
    perm=[1, 0])
