# Shape: the whole shape before opset 15, start/end (negative, clamped) from 15;
# static dims fold to a constant.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/shape13.onnx | FileCheck %s --check-prefix=SHAPE13
# RUN: ds-opt %t/shape15.onnx | FileCheck %s --check-prefix=SHAPE15
# RUN: ds-opt %t/shape15_static.onnx | FileCheck %s --check-prefix=SHAPE15S
# RUN: ds-opt %t/static.onnx | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/scalar.onnx | FileCheck %s --check-prefix=SCALAR
# RUN: ds-opt %t/empty_range.onnx | FileCheck %s --check-prefix=EMPTY
# RUN: ds-opt %t/bf16_21.onnx | FileCheck %s --check-prefix=BF16
# RUN: not ds-opt %t/end_before_consumer.onnx 2>&1 | FileCheck %s --check-prefix=CONSUMER
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# SHAPE13: ds.shape_of %arg0 {end = 3 : i64, start = 0 : i64} : tensor<?x4x?xf32> -> tensor<3xi64>
one("shape13", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [3])], opset=13)
# Shape-15 start/end: negative ones count from the back and clamp.
# SHAPE15: ds.shape_of %arg0 {end = 3 : i64, start = 1 : i64} : tensor<?x4x?xf32> -> tensor<2xi64>
one("shape15", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [2])], opset=15,
    start=-2, end=10)
# The dims read are static: a constant.
# SHAPE15S-NOT: ds.shape_of
# SHAPE15S: %[[C:.*]] = ds.constant dense<4> : tensor<1xi64>
# SHAPE15S: return %[[C]]
one("shape15_static", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [1])], opset=15,
    start=1, end=2)
# STATIC-NOT: ds.shape_of
# STATIC: %[[C:.*]] = ds.constant dense<[2, 3]> : tensor<2xi64>
# STATIC: return %[[C]]
one("static", "Shape", ["x"], [("x", I, [2, 3])], [("s", I, [2])])
# SCALAR: %[[C:.*]] = ds.constant dense<> : tensor<0xi64>
# SCALAR: return %[[C]]
one("scalar", "Shape", ["x"], [("x", F, [])], [("s", I, [0])])
# start past end gives an empty shape, not an error.
# EMPTY: %[[C:.*]] = ds.constant dense<> : tensor<0xi64>
# EMPTY: return %[[C]]
one("empty_range", "Shape", ["x"], [("x", F, ["a", "b"])], [("s", I, [0])], opset=19,
    start=-1, end=-2)
# BF16: ds.shape_of %arg0 {end = 2 : i64, start = 0 : i64} : tensor<?x8xbf16> -> tensor<2xi64>
one("bf16_21", "Shape", ["x"], [("x", TensorProto.BFLOAT16, ["a", 8])], [("s", I, [2])],
    opset=21)
# A Shape slice that is too short for the Reshape consuming it is reported there.
# CONSUMER: error: {{.*}}: node 'r' (Reshape, ai.onnx opset 15): 'ds.reshape' op input of 12 elements (3x4) cannot be reshaped to 4 (4 elements)
emit("end_before_consumer", model(
    [node("Shape", ["x"], ["s"], start=1), node("Reshape", ["x", "s"], ["r"])],
    [value("x", F, [3, 4])], [value("r", F, [4])], opset=15))
