# Reshape, Transpose, Flatten, Concat, Slice, Split, Squeeze, Unsqueeze at the opsets
# where their forms differ.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/reshape.onnx | FileCheck %s --check-prefix=RESHAPE
# RUN: ds-opt %t/reshape_allowzero14.onnx | FileCheck %s --check-prefix=AZ14
# RUN: ds-opt %t/reshape_copyzero13.onnx | FileCheck %s --check-prefix=AZ13
# RUN: not ds-opt %t/reshape_two_infer.onnx 2>&1 | FileCheck %s --check-prefix=TWOINFER
# RUN: not ds-opt %t/reshape_allowzero_infer.onnx 2>&1 | FileCheck %s --check-prefix=AZINFER
# RUN: not ds-opt %t/reshape_count.onnx 2>&1 | FileCheck %s --check-prefix=COUNT
# RUN: ds-opt %t/transpose.onnx | FileCheck %s --check-prefix=TRANSPOSE
# RUN: ds-opt %t/flatten.onnx | FileCheck %s --check-prefix=FLATTEN
# RUN: ds-opt %t/concat.onnx | FileCheck %s --check-prefix=CONCAT
# RUN: ds-opt %t/slice.onnx | FileCheck %s --check-prefix=SLICE
# RUN: ds-opt %t/slice_defaults.onnx | FileCheck %s --check-prefix=SLICEDEF
# RUN: ds-opt %t/split11.onnx | FileCheck %s --check-prefix=SPLIT11
# RUN: ds-opt %t/split13.onnx | FileCheck %s --check-prefix=SPLIT13
# RUN: ds-opt %t/split13_equal.onnx | FileCheck %s --check-prefix=SPLIT13EQ
# RUN: ds-opt %t/split18.onnx | FileCheck %s --check-prefix=SPLIT18
# RUN: not ds-opt %t/split18_missing.onnx 2>&1 | FileCheck %s --check-prefix=SPLIT18MISS
# RUN: not ds-opt %t/split_sum.onnx 2>&1 | FileCheck %s --check-prefix=SPLITSUM
# RUN: ds-opt %t/squeeze11.onnx | FileCheck %s --check-prefix=SQ11
# RUN: ds-opt %t/squeeze13.onnx | FileCheck %s --check-prefix=SQ13
# RUN: ds-opt %t/squeeze_all.onnx | FileCheck %s --check-prefix=SQALL
# RUN: not ds-opt %t/squeeze_all_dynamic.onnx 2>&1 | FileCheck %s --check-prefix=SQALLDYN
# RUN: not ds-opt %t/squeeze_not_one.onnx 2>&1 | FileCheck %s --check-prefix=SQNOT1
# RUN: ds-opt %t/unsqueeze11.onnx | FileCheck %s --check-prefix=UNSQ11
# RUN: ds-opt %t/unsqueeze13.onnx | FileCheck %s --check-prefix=UNSQ13
# RUN: not ds-opt %t/unsqueeze_axis.onnx 2>&1 | FileCheck %s --check-prefix=UNSQAXIS
from onnx_testing import *

F = TensorProto.FLOAT
i64 = np.int64


def one(name, op, inputs, shape_in, outputs_shapes, inits=(), opset=17, check=True, **attrs):
    outs = [f"y{i}" for i in range(len(outputs_shapes))]
    emit(name, model([node(op, ["x"] + inputs, outs, name=name, **attrs)],
                     [value("x", F, shape_in)],
                     [value(o, F, s) for o, s in zip(outs, outputs_shapes)],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# RESHAPE-LABEL: func.func @main
# RESHAPE: ds.reshape %arg0, %{{.*}} : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
one("reshape", "Reshape", ["s"], ["n", 6], [["n", 2, 3]], [("s", np.array([0, 2, -1], i64))])

# allowzero=1 from opset 14: a 0 is a zero-size dim.
# AZ14: ds.reshape %arg0, %{{.*}} {allow_zero = true} : (tensor<0x6xf32>, tensor<2xi64>) -> tensor<6x0xf32>
one("reshape_allowzero14", "Reshape", ["s"], [0, 6], [[6, 0]],
    [("s", np.array([6, 0], i64))], opset=14, allowzero=1)
# Before opset 14 there is no allowzero: 0 copies the input dim.
# AZ13: ds.reshape %arg0, %{{.*}} : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x3x2xf32>
one("reshape_copyzero13", "Reshape", ["s"], ["n", 6], [["n", 3, 2]],
    [("s", np.array([0, 3, 2], i64))], opset=13)

# TWOINFER: error: {{.*}}reshape_two_infer.onnx: node 'reshape_two_infer' (Reshape, ai.onnx opset 17): shape [-1, -1] has more than one -1
one("reshape_two_infer", "Reshape", ["s"], [4, 6], [[4, 6]],
    [("s", np.array([-1, -1], i64))])
# AZINFER: error: {{.*}}: shape [0, -1] has both 0 and -1, which allowzero=1 forbids
one("reshape_allowzero_infer", "Reshape", ["s"], [4, 6], [[4, 6]],
    [("s", np.array([0, -1], i64))], opset=14, allowzero=1)
# COUNT: error: {{.*}}: 'ds.reshape' op input of 24 elements (4x6) cannot be reshaped to 5x5 (25 elements)
one("reshape_count", "Reshape", ["s"], [4, 6], [[5, 5]], [("s", np.array([5, 5], i64))])

# Without perm the dims reverse.
# TRANSPOSE: ds.transpose %arg0 {perm = array<i64: 2, 1, 0>} : tensor<2x3x?xf32> -> tensor<?x3x2xf32>
one("transpose", "Transpose", [], [2, 3, "n"], [["n", 3, 2]])

# FLATTEN: ds.flatten %arg0 {axis = 1 : i64} : tensor<?x4x16xf32> -> tensor<?x64xf32>
one("flatten", "Flatten", [], ["n", 4, 16], [["n", 64]], axis=-2)

# The other input fixes the dynamic non-axis dim.
# CONCAT: ds.concat %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
one("concat", "Concat", ["c"], ["n", 2], [["n", 5]], [("c", np.ones((1, 3), np.float32))], axis=-1)

# Negative steps, INT64 bounds and int32 inputs.
# SLICE: %[[S:.*]] = ds.constant dense<[-1, 0]> : tensor<2xi64>
# SLICE: ds.slice %arg0, %[[S]], {{.*}} : (tensor<10x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<8x3xf32>
one("slice", "Slice", ["st", "en", "ax", "sp"], [10, 6], [[8, 3]],
    [("st", np.array([-1, 0], np.int32)), ("en", np.array([-9, 2**31 - 1], np.int32)),
     ("ax", np.array([0, 1], np.int32)), ("sp", np.array([-1, 2], np.int32))])
# Default axes [0, n) and steps 1; ends past the dim clamp.
# SLICEDEF: %[[AX:.*]] = ds.constant dense<[0, 1]> : tensor<2xi64>
# SLICEDEF: %[[SP:.*]] = ds.constant dense<1> : tensor<2xi64>
# SLICEDEF: ds.slice %arg0, %{{.*}}, %{{.*}}, %[[AX]], %[[SP]] {{.*}} -> tensor<2x?xf32>
one("slice_defaults", "Slice", ["st", "en"], [4, "n"], [[2, "m"]],
    [("st", np.array([2, 1], i64)), ("en", np.array([100, 3], i64))])

# Split-11 takes sizes as an attribute.
# SPLIT11: %[[SZ:.*]] = ds.constant dense<[2, 4]> : tensor<2xi64>
# SPLIT11: ds.split %arg0, %[[SZ]] {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<3x6xf32>, tensor<2xi64>) -> (tensor<3x2xf32>, tensor<3x4xf32>)
one("split11", "Split", [], [3, 6], [[3, 2], [3, 4]], opset=11, axis=1, split=[2, 4])
# Split-13 takes them as an input.
# SPLIT13: ds.split %arg0, %{{.*}} {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<6xf32>, tensor<2xi64>) -> (tensor<1xf32>, tensor<5xf32>)
one("split13", "Split", ["s"], [6], [[1], [5]], [("s", np.array([1, 5], i64))], opset=13)
# SPLIT13EQ: ds.split %arg0 {axis = 0 : i64, num_outputs = 3 : i64} : (tensor<6xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
one("split13_equal", "Split", [], [6], [[2], [2], [2]], opset=13)
# Split-18 num_outputs with an uneven last chunk.
# SPLIT18: ds.split %arg0 {axis = 0 : i64, num_outputs = 3 : i64} : (tensor<7xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>)
one("split18", "Split", [], [7], [[3], [3], [1]], opset=18, num_outputs=3)
# SPLIT18MISS: error: {{.*}}: needs the 'split' input or the 'num_outputs' attribute
one("split18_missing", "Split", [], [6], [[3], [3]], opset=18, check=False)
# SPLITSUM: error: {{.*}}: 'ds.split' op sizes [2, 2] add up to 4 but dim 0 has size 6
one("split_sum", "Split", ["s"], [6], [[2], [2]], [("s", np.array([2, 2], i64))], opset=13)

# SQ11: ds.squeeze %arg0 {axes = array<i64: 2>} : tensor<?x3x1xf32> -> tensor<?x3xf32>
one("squeeze11", "Squeeze", [], ["n", 3, 1], [["n", 3]], opset=11, axes=[-1])
# SQ13: ds.squeeze %arg0 {axes = array<i64: 0>} : tensor<1x?xf32> -> tensor<?xf32>
one("squeeze13", "Squeeze", ["a"], [1, "n"], [["n"]], [("a", np.array([0], i64))], opset=13)
# Without axes every static 1 goes.
# SQALL: ds.squeeze %arg0 {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
one("squeeze_all", "Squeeze", [], [1, 3, 1], [[3]], opset=13)
# SQALLDYN: error: {{.*}}: without 'axes' every dim must be static to know which are 1; input has shape 1x?
one("squeeze_all_dynamic", "Squeeze", [], [1, "n"], [["n"]], opset=13)
# SQNOT1: error: {{.*}}: 'ds.squeeze' op cannot squeeze dim 1 of size 3
one("squeeze_not_one", "Squeeze", ["a"], [1, 3], [[1]], [("a", np.array([1], i64))], opset=13)

# Unsqueeze axes count in the result rank; negative ones from the back.
# UNSQ11: ds.unsqueeze %arg0 {axes = array<i64: 0, 3>} : tensor<?x4xf32> -> tensor<1x?x4x1xf32>
one("unsqueeze11", "Unsqueeze", [], ["n", 4], [[1, "n", 4, 1]], opset=11, axes=[0, -1])
# UNSQ13: ds.unsqueeze %arg0 {axes = array<i64: 1>} : tensor<?x4xf32> -> tensor<?x1x4xf32>
one("unsqueeze13", "Unsqueeze", ["a"], ["n", 4], [["n", 1, 4]], [("a", np.array([-2], i64))], opset=13)
# UNSQAXIS: error: {{.*}}: axis 3 is out of range for rank 3
one("unsqueeze_axis", "Unsqueeze", ["a"], ["n", 4], [["n", 4, 1]], [("a", np.array([3], i64))], opset=13, check=False)
