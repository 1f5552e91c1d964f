# Split: sizes as an attribute (11), as an input (13), num_outputs (18); equal and
# uneven splits; negative axes; constant folding.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/split11.onnx | FileCheck %s --check-prefix=SPLIT11
# RUN: ds-opt %t/split11_equal.onnx | FileCheck %s --check-prefix=SPLIT11EQ
# RUN: ds-opt %t/split13.onnx | FileCheck %s --check-prefix=SPLIT13
# RUN: ds-opt %t/split13_equal.onnx | FileCheck %s --check-prefix=SPLIT13EQ
# RUN: ds-opt %t/split13_dynamic.onnx | FileCheck %s --check-prefix=SPLIT13DYN
# RUN: ds-opt %t/split18.onnx | FileCheck %s --check-prefix=SPLIT18
# RUN: ds-opt %t/split18_sizes.onnx | FileCheck %s --check-prefix=SPLIT18S
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/split18_missing.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
# RUN: not ds-opt %t/split18_both.onnx 2>&1 | FileCheck %s --check-prefix=BOTH
# RUN: not ds-opt %t/split18_count.onnx 2>&1 | FileCheck %s --check-prefix=COUNT
# RUN: not ds-opt %t/split_entries.onnx 2>&1 | FileCheck %s --check-prefix=ENTRIES
# RUN: not ds-opt %t/split_sum.onnx 2>&1 | FileCheck %s --check-prefix=SUM
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


def outs(*shapes, t=F):
    return [(f"y{i}", t, s) for i, s in enumerate(shapes)]


# Split-11 takes sizes as an attribute.
# SPLIT11: %[[SZ:.*]] = ds.constant dense<[2, 4]> : tensor<2xi64>
# SPLIT11: ds.split %arg0, %[[SZ]] {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<3x6xf32>, tensor<2xi64>) -> (tensor<3x2xf32>, tensor<3x4xf32>)
one("split11", "Split", ["x"], [("x", F, [3, 6])], outs([3, 2], [3, 4]), opset=11, axis=1,
    split=[2, 4])
# Without sizes the split is even; negative axes count from the back.
# SPLIT11EQ: ds.split %arg0 {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<?x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
one("split11_equal", "Split", ["x"], [("x", F, ["n", 6])], outs(["n", 3], ["n", 3]), opset=11,
    axis=-1)
# Split-13 takes them as an input.
# SPLIT13: ds.split %arg0, %{{.*}} {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<6xf32>, tensor<2xi64>) -> (tensor<1xf32>, tensor<5xf32>)
one("split13", "Split", ["x", "s"], [("x", F, [6])], outs([1], [5]),
    [("s", np.array([1, 5], i64))], opset=13)
# SPLIT13EQ: ds.split %arg0 {axis = 0 : i64, num_outputs = 3 : i64} : (tensor<6xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
one("split13_equal", "Split", ["x"], [("x", F, [6])], outs([2], [2], [2]), opset=13)
# Constant sizes give static pieces of a dynamic dim.
# SPLIT13DYN: ds.split %arg0, %{{.*}} {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<2x?xf32>, tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2x5xf32>)
one("split13_dynamic", "Split", ["x", "s"], [("x", F, [2, "n"])], outs([2, 3], [2, 5]),
    [("s", np.array([3, 5], i64))], opset=13, axis=1)
# Split-18 num_outputs with an uneven last chunk.
# SPLIT18: ds.split %arg0 {axis = 0 : i64, num_outputs = 3 : i64} : (tensor<7xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>)
one("split18", "Split", ["x"], [("x", F, [7])], outs([3], [3], [1]), opset=18, num_outputs=3)
# SPLIT18S: ds.split %arg0, %{{.*}} {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<7xf32>, tensor<2xi64>) -> (tensor<4xf32>, tensor<3xf32>)
one("split18_sizes", "Split", ["x", "s"], [("x", F, [7])], outs([4], [3]),
    [("s", np.array([4, 3], i64))], opset=18)

# Splits of a constant fold into constants.
# FOLD-NOT: ds.split
# FOLD-DAG: %[[A:.*]] = ds.constant dense<{{\[}}[0], [2]]> : tensor<2x1xi64>
# FOLD-DAG: %[[B:.*]] = ds.constant dense<{{\[}}[1], [3]]> : tensor<2x1xi64>
# FOLD: return %[[A]], %[[B]]
emit("fold", model([node("Split", ["c"], ["y0", "y1"], axis=1, num_outputs=2)], [],
                   [value("y0", I, [2, 1]), value("y1", I, [2, 1])],
                   [tensor("c", np.arange(4, dtype=i64).reshape(2, 2))], opset=18))

# MISSING: error: {{.*}}: node 'split18_missing' (Split, ai.onnx opset 18): needs the 'split' input or the 'num_outputs' attribute
one("split18_missing", "Split", ["x"], [("x", F, [6])], outs([3], [3]), opset=18, check=False)
# BOTH: error: {{.*}}: node 'split18_both' (Split, ai.onnx opset 18): gives both the 'split' input and the 'num_outputs' attribute
one("split18_both", "Split", ["x", "s"], [("x", F, [6])], outs([3], [3]),
    [("s", np.array([3, 3], i64))], opset=18, check=False, num_outputs=2)
# COUNT: error: {{.*}}: node 'split18_count' (Split, ai.onnx opset 18): attribute 'num_outputs' is 3 but the node has 2 outputs
one("split18_count", "Split", ["x"], [("x", F, [6])], outs([3], [3]), opset=18, check=False,
    num_outputs=3)
# ENTRIES: error: {{.*}}: node 'split_entries' (Split, ai.onnx opset 13): 'split' has 3 entries but the node has 2 outputs
one("split_entries", "Split", ["x", "s"], [("x", F, [6])], outs([3], [3]),
    [("s", np.array([2, 2, 2], i64))], opset=13, check=False)
# SUM: error: {{.*}}: node 'split_sum' (Split, ai.onnx opset 13): 'ds.split' op sizes [2, 2] add up to 4 but dim 0 has size 6
one("split_sum", "Split", ["x", "s"], [("x", F, [6])], outs([2], [2]),
    [("s", np.array([2, 2], i64))], opset=13)
