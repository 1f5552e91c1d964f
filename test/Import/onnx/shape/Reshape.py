# Reshape: 0 copies a dim (allowzero from opset 14 makes it a zero dim), -1 is
# inferred, computed shapes keep their known entries, constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/copy_infer.onnx | FileCheck %s --check-prefix=COPY
# RUN: ds-opt %t/allowzero14.onnx | FileCheck %s --check-prefix=AZ14
# RUN: ds-opt %t/copyzero13.onnx | FileCheck %s --check-prefix=AZ13
# RUN: ds-opt %t/flatten_all.onnx | FileCheck %s --check-prefix=ALL
# RUN: ds-opt %t/runtime_shape.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/bf16_21.onnx | FileCheck %s --check-prefix=BF16
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/two_infer.onnx 2>&1 | FileCheck %s --check-prefix=TWOINFER
# RUN: not ds-opt %t/allowzero_infer.onnx 2>&1 | FileCheck %s --check-prefix=AZINFER
# RUN: not ds-opt %t/count.onnx 2>&1 | FileCheck %s --check-prefix=COUNT
# RUN: not ds-opt %t/below_minus_one.onnx 2>&1 | FileCheck %s --check-prefix=NEG
# RUN: not ds-opt %t/not_multiple.onnx 2>&1 | FileCheck %s --check-prefix=NOTMUL
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# COPY-LABEL: func.func @main
# COPY: %[[S:.*]] = ds.constant dense<[0, 2, -1]> : tensor<3xi64>
# COPY: ds.reshape %arg0, %[[S]] : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
one("copy_infer", "Reshape", ["x", "s"], [("x", F, ["n", 6])], [("y", F, ["n", 2, 3])],
    [("s", np.array([0, 2, -1], i64))])

# allowzero=1 from opset 14: a 0 is a zero-size dim.
# AZ14: ds.reshape %arg0, %{{.*}} {allow_zero = true} : (tensor<0x6xf32>, tensor<2xi64>) -> tensor<6x0xf32>
one("allowzero14", "Reshape", ["x", "s"], [("x", F, [0, 6])], [("y", F, [6, 0])],
    [("s", np.array([6, 0], i64))], opset=14, allowzero=1)
# Before opset 14 there is no allowzero: 0 copies the input dim.
# AZ13-NOT: allow_zero
# AZ13: ds.reshape %arg0, %{{.*}} : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x3x2xf32>
one("copyzero13", "Reshape", ["x", "s"], [("x", F, ["n", 6])], [("y", F, ["n", 3, 2])],
    [("s", np.array([0, 3, 2], i64))], opset=13)

# A lone -1 over static dims is their product.
# ALL: ds.reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<24xf32>
one("flatten_all", "Reshape", ["x", "s"], [("x", F, [2, 3, 4])], [("y", F, [24])],
    [("s", np.array([-1], i64))])

# A shape known only at run time: only the rank is known.
# RUNTIME: ds.reshape %arg0, %arg1 : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
one("runtime_shape", "Reshape", ["x", "s"], [("x", F, [2, 3, 4]), ("s", I, [3])],
    [("y", F, ["a", "b", "c"])])

# Reshape-21 admits more element types; bf16 passes through.
# BF16: ds.reshape %arg0, %{{.*}} : (tensor<?x8xbf16>, tensor<3xi64>) -> tensor<?x2x4xbf16>
one("bf16_21", "Reshape", ["x", "s"], [("x", TensorProto.BFLOAT16, ["n", 8])],
    [("y", TensorProto.BFLOAT16, ["n", 2, 4])], [("s", np.array([0, 2, 4], i64))], opset=21)

# A constant input folds to a constant of the new shape.
# FOLD-NOT: ds.reshape
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[0, 1, 2], [3, 4, 5]]> : tensor<2x3xi64>
# FOLD: return %[[C]]
emit("fold", model([node("Reshape", ["c", "s"], ["y"])], [], [value("y", I, [2, 3])],
                   [tensor("c", np.arange(6, dtype=i64)), tensor("s", np.array([2, -1], i64))]))

# TWOINFER: error: {{.*}}: node 'two_infer' (Reshape, ai.onnx opset 17): shape [-1, -1] has more than one -1
one("two_infer", "Reshape", ["x", "s"], [("x", F, [4, 6])], [("y", F, [4, 6])],
    [("s", np.array([-1, -1], i64))])
# AZINFER: error: {{.*}}: node 'allowzero_infer' (Reshape, ai.onnx opset 14): shape [0, -1] has both 0 and -1, which allowzero=1 forbids
one("allowzero_infer", "Reshape", ["x", "s"], [("x", F, [4, 6])], [("y", F, [4, 6])],
    [("s", np.array([0, -1], i64))], opset=14, allowzero=1)
# COUNT: error: {{.*}}: node 'count' (Reshape, ai.onnx opset 17): 'ds.reshape' op input of 24 elements (4x6) cannot be reshaped to 5x5 (25 elements)
one("count", "Reshape", ["x", "s"], [("x", F, [4, 6])], [("y", F, [5, 5])],
    [("s", np.array([5, 5], i64))])
# NEG: error: {{.*}}: node 'below_minus_one' (Reshape, ai.onnx opset 17): 'ds.reshape' op shape entry -2 at index 1 is invalid (must be >= -1)
one("below_minus_one", "Reshape", ["x", "s"], [("x", F, [4, 6])], [("y", F, [4, 6])],
    [("s", np.array([4, -2], i64))], check=False)
# NOTMUL: error: {{.*}}: node 'not_multiple' (Reshape, ai.onnx opset 17): 'ds.reshape' op cannot infer the -1 dim of shape [5, -1]: 24 input elements are not a multiple of 5
one("not_multiple", "Reshape", ["x", "s"], [("x", F, [4, 6])], [("y", F, [5, 5])],
    [("s", np.array([5, -1], i64))], check=False)
