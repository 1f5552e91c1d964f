# Flatten: axis in [-rank, rank], 0 gives a leading 1; dynamic dims make their side
# dynamic; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/negative_axis.onnx | FileCheck %s --check-prefix=NEG
# RUN: ds-opt %t/axis0.onnx | FileCheck %s --check-prefix=AXIS0
# RUN: ds-opt %t/axis_rank.onnx | FileCheck %s --check-prefix=AXISR
# RUN: ds-opt %t/default_axis11.onnx | FileCheck %s --check-prefix=DEFAULT
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=RANGE
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# NEG: ds.flatten %arg0 {axis = 1 : i64} : tensor<?x4x16xf32> -> tensor<?x64xf32>
one("negative_axis", "Flatten", ["x"], [("x", F, ["n", 4, 16])], [("y", F, ["n", 64])],
    axis=-2)
# AXIS0: ds.flatten %arg0 {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
one("axis0", "Flatten", ["x"], [("x", F, [2, 3, 4])], [("y", F, [1, 24])], axis=0)
# AXISR: ds.flatten %arg0 {axis = 3 : i64} : tensor<2x?x4xf32> -> tensor<?x1xf32>
one("axis_rank", "Flatten", ["x"], [("x", F, [2, "n", 4])], [("y", F, ["m", 1])], axis=3)
# DEFAULT: ds.flatten %arg0 {axis = 1 : i64} : tensor<5x2x?xi64> -> tensor<5x?xi64>
one("default_axis11", "Flatten", ["x"], [("x", I, [5, 2, "n"])], [("y", I, [5, "m"])],
    opset=11)
# FOLD-NOT: ds.flatten
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[0, 1, 2, 3, 4, 5]]> : tensor<1x6xi64>
# FOLD: return %[[C]]
one("fold", "Flatten", ["c"], [], [("y", I, [1, 6])],
    [("c", np.arange(6, dtype=i64).reshape(2, 3))], axis=0)
# RANGE: error: {{.*}}: node 'axis_range' (Flatten, ai.onnx opset 17): axis -4 is out of range [-3, 3]
one("axis_range", "Flatten", ["x"], [("x", F, [2, 3, 4])], [("y", F, [1, 24])], check=False,
    axis=-4)
