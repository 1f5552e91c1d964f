# Pad: pads and constant_value inputs (11), axes (18), wrap mode (19); negative pads
# crop; the value is only used in constant mode; constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/pad11.onnx | FileCheck %s --check-prefix=PAD11
# RUN: ds-opt %t/pad11_vector_value.onnx | FileCheck %s --check-prefix=PADVEC
# RUN: ds-opt %t/pad13_no_value.onnx | FileCheck %s --check-prefix=NOVALUE
# RUN: ds-opt %t/pad13_edge_crop.onnx | FileCheck %s --check-prefix=EDGE
# RUN: ds-opt %t/pad18_axes.onnx | FileCheck %s --check-prefix=PAD18
# RUN: ds-opt %t/pad19_wrap.onnx | FileCheck %s --check-prefix=PAD19
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_reflect.onnx | FileCheck %s --check-prefix=FOLDREFLECT
# RUN: not ds-opt %t/pad18_wrap.onnx 2>&1 | FileCheck %s --check-prefix=PAD18WRAP
# RUN: not ds-opt %t/bad_mode.onnx 2>&1 | FileCheck %s --check-prefix=MODE
# RUN: not ds-opt %t/pads_length.onnx 2>&1 | FileCheck %s --check-prefix=LEN
# RUN: not ds-opt %t/negative_size.onnx 2>&1 | FileCheck %s --check-prefix=NEGSIZE
# RUN: not ds-opt %t/value_not_scalar.onnx 2>&1 | FileCheck %s --check-prefix=VALUE
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# PAD11: ds.pad constant %arg0, %{{.*}}, %{{.*}} : (tensor<2x?xf32>, tensor<4xi64>, tensor<f32>) -> tensor<5x?xf32>
one("pad11", "Pad", ["x", "p", "v"], [("x", F, [2, "n"])], [("y", F, [5, "m"])],
    [("p", np.array([1, 0, 2, 1], i64)), ("v", np.float32(-1))], opset=11)
# Some exporters give the value as a one-element 1-D tensor: it becomes rank 0.
# PADVEC: %[[V:.*]] = ds.constant dense<2.000000e+00> : tensor<f32>
# PADVEC: ds.pad constant %arg0, %{{.*}}, %[[V]] : (tensor<3xf32>, tensor<2xi64>, tensor<f32>) -> tensor<5xf32>
one("pad11_vector_value", "Pad", ["x", "p", "v"], [("x", F, [3])], [("y", F, [5])],
    [("p", np.array([1, 1], i64)), ("v", np.array([2], np.float32))], opset=11, check=False)
# Without a value the op has none (the default is 0).
# NOVALUE: ds.pad constant %arg0, %{{.*}} : (tensor<3xi32>, tensor<2xi64>) -> tensor<6xi32>
one("pad13_no_value", "Pad", ["x", "p"], [("x", TensorProto.INT32, [3])],
    [("y", TensorProto.INT32, [6])], [("p", np.array([1, 2], i64))], opset=13)
# Negative pads crop; edge mode drops the value.
# EDGE: ds.pad edge %arg0, %{{.*}} : (tensor<4x5xf32>, tensor<4xi64>) -> tensor<3x7xf32>
one("pad13_edge_crop", "Pad", ["x", "p", "v"], [("x", F, [4, 5])], [("y", F, [3, 7])],
    [("p", np.array([-1, 1, 0, 1], i64)), ("v", np.float32(3))], opset=13, mode="edge")
# Pad-18 adds axes (negative ones count from the back); reflect ignores the value.
# PAD18: ds.pad reflect %arg0, %{{.*}} {axes = array<i64: 1>} : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x11xf32>
one("pad18_axes", "Pad", ["x", "p", "", "a"], [("x", F, [2, 8])], [("y", F, [2, 11])],
    [("p", np.array([1, 2], i64)), ("a", np.array([-1], i64))], opset=18, mode="reflect")
# PAD19: ds.pad wrap %arg0, %{{.*}} : (tensor<2x8xf32>, tensor<4xi64>) -> tensor<2x10xf32>
one("pad19_wrap", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 0, 1], i64))], opset=19, mode="wrap")
# FOLD-NOT: ds.pad
# FOLD: %[[C:.*]] = ds.constant dense<[9, 1, 2, 9, 9]> : tensor<5xi64>
# FOLD: return %[[C]]
one("fold", "Pad", ["c", "p", "v"], [], [("y", I, [5])],
    [("c", np.array([1, 2], i64)), ("p", np.array([1, 2], i64)), ("v", i64(9))])
# FOLDREFLECT-NOT: ds.pad
# FOLDREFLECT: %[[C:.*]] = ds.constant dense<[3, 2, 1, 2, 3, 2]> : tensor<6xi64>
# FOLDREFLECT: return %[[C]]
one("fold_reflect", "Pad", ["c", "p"], [], [("y", I, [6])],
    [("c", np.array([1, 2, 3], i64)), ("p", np.array([2, 1], i64))], mode="reflect")

# wrap comes with opset 19.
# PAD18WRAP: error: {{.*}}: node 'pad18_wrap' (Pad, ai.onnx opset 18): attribute 'mode' is 'wrap'; opset 18 allows constant, reflect and edge
one("pad18_wrap", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 0, 1], i64))], opset=18, check=False, mode="wrap")
# MODE: error: {{.*}}: node 'bad_mode' (Pad, ai.onnx opset 19): attribute 'mode' is 'mirror'; opset 19 allows constant, reflect and edge, wrap
one("bad_mode", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 0, 1], i64))], opset=19, check=False, mode="mirror")
# LEN: error: {{.*}}: node 'pads_length' (Pad, ai.onnx opset 17): 'ds.pad' op pads has 3 entries but 2 axes need 4
one("pads_length", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 1], i64))], check=False)
# NEGSIZE: error: {{.*}}: node 'negative_size' (Pad, ai.onnx opset 17): 'ds.pad' op padding dim 0 of size 2 by -2 and -1 gives a negative size
one("negative_size", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 8])],
    [("p", np.array([-2, 0, -1, 0], i64))], check=False)
# VALUE: error: {{.*}}: node 'value_not_scalar' (Pad, ai.onnx opset 17): input 'constant_value' must be a scalar, got tensor<2xf32>
one("value_not_scalar", "Pad", ["x", "p", "v"], [("x", F, [3])], [("y", F, [5])],
    [("p", np.array([1, 1], i64)), ("v", np.array([1, 2], np.float32))], check=False)
