# Tile: one repeat per dim; repeats known at run time give dynamic dims; a repeat of 1
# keeps a dynamic dim; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/tile.onnx | FileCheck %s --check-prefix=TILE
# RUN: ds-opt %t/runtime_repeats.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/ones.onnx | FileCheck %s --check-prefix=ONES
# RUN: not ds-opt %t/negative.onnx 2>&1 | FileCheck %s --check-prefix=NEG
# RUN: not ds-opt %t/length.onnx 2>&1 | FileCheck %s --check-prefix=LEN
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# TILE: ds.tile %arg0, %{{.*}} : (tensor<2x?xf32>, tensor<2xi64>) -> tensor<6x?xf32>
one("tile", "Tile", ["x", "r"], [("x", F, [2, "n"])], [("y", F, [6, "m"])],
    [("r", np.array([3, 2], i64))])
# RUNTIME: ds.tile %arg0, %arg1 : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<?x?xi32>
one("runtime_repeats", "Tile", ["x", "r"], [("x", TensorProto.INT32, [2, 3]), ("r", I, [2])],
    [("y", TensorProto.INT32, ["a", "b"])], opset=13)
# FOLD-NOT: ds.tile
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[1, 2, 1, 2], [1, 2, 1, 2]]> : tensor<2x4xi64>
# FOLD: return %[[C]]
one("fold", "Tile", ["c", "r"], [], [("y", I, [2, 4])],
    [("c", np.array([[1, 2]], i64)), ("r", np.array([2, 2], i64))])
# All repeats 1 with a static input: the input itself.
# ONES-NOT: ds.tile
# ONES: return %arg0
one("ones", "Tile", ["x", "r"], [("x", F, [2, 3])], [("y", F, [2, 3])],
    [("r", np.array([1, 1], i64))])

# NEG: error: {{.*}}: node 'negative' (Tile, ai.onnx opset 17): 'ds.tile' op repeat -1 at index 1 is negative
one("negative", "Tile", ["x", "r"], [("x", F, [2, 3])], [("y", F, [2, 3])],
    [("r", np.array([1, -1], i64))], check=False)
# LEN: error: {{.*}}: node 'length' (Tile, ai.onnx opset 17): 'ds.tile' op repeats has 1 entries for an input of rank 2
one("length", "Tile", ["x", "r"], [("x", F, [2, 3])], [("y", F, [4, 3])],
    [("r", np.array([2], i64))], check=False)
