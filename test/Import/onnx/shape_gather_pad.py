# Gather/scatter families, Expand, Tile and Pad at the opsets where their forms differ.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/gather.onnx | FileCheck %s --check-prefix=GATHER
# RUN: not ds-opt %t/gather_oob.onnx 2>&1 | FileCheck %s --check-prefix=GATHEROOB
# RUN: ds-opt %t/gather_elements.onnx | FileCheck %s --check-prefix=GELEM
# RUN: ds-opt %t/gather_nd.onnx | FileCheck %s --check-prefix=GND
# RUN: ds-opt %t/scatter_elements11.onnx | FileCheck %s --check-prefix=SCE11
# RUN: ds-opt %t/scatter_elements16.onnx | FileCheck %s --check-prefix=SCE16
# RUN: not ds-opt %t/scatter_elements16_max.onnx 2>&1 | FileCheck %s --check-prefix=SCE16MAX
# RUN: ds-opt %t/scatter_elements18_max.onnx | FileCheck %s --check-prefix=SCE18MAX
# RUN: ds-opt %t/scatter_nd18.onnx | FileCheck %s --check-prefix=SCND
# RUN: ds-opt %t/expand.onnx | FileCheck %s --check-prefix=EXPAND
# RUN: ds-opt %t/expand_dynamic.onnx | FileCheck %s --check-prefix=EXPANDDYN
# RUN: ds-opt %t/expand_dynamic.onnx --input-shape=x:3x1,n:scalar | FileCheck %s --check-prefix=EXPANDDYN
# RUN: not ds-opt %t/expand_bad.onnx 2>&1 | FileCheck %s --check-prefix=EXPANDBAD
# RUN: ds-opt %t/tile.onnx | FileCheck %s --check-prefix=TILE
# RUN: ds-opt %t/pad11.onnx | FileCheck %s --check-prefix=PAD11
# RUN: ds-opt %t/pad11_vector_value.onnx | FileCheck %s --check-prefix=PADVEC
# RUN: ds-opt %t/pad18_axes.onnx | FileCheck %s --check-prefix=PAD18
# RUN: not ds-opt %t/pad18_wrap.onnx 2>&1 | FileCheck %s --check-prefix=PAD18WRAP
# RUN: ds-opt %t/pad19_wrap.onnx | FileCheck %s --check-prefix=PAD19
from onnx_testing import *

F = TensorProto.FLOAT
I = TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# Negative indices stay as they are (the op wraps them at run time).
# GATHER: ds.gather %arg0, %{{.*}} {axis = 1 : i64} : (tensor<?x5x8xf32>, tensor<2xi64>) -> tensor<?x2x8xf32>
one("gather", "Gather", ["x", "i"], [("x", F, ["n", 5, 8])], [("y", F, ["n", 2, 8])],
    [("i", np.array([-1, 0], i64))], axis=-2)
# GATHEROOB: error: {{.*}}: 'ds.gather' op index 5 is out of range for dim 1 of size 5
one("gather_oob", "Gather", ["x", "i"], [("x", F, [2, 5])], [("y", F, [2])],
    [("i", i64(5))], axis=1)

# GELEM: ds.gather_elements %arg0, %arg1 {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
one("gather_elements", "GatherElements", ["x", "i"], [("x", F, [4, 8]), ("i", I, [4, 2])],
    [("y", F, [4, 2])], axis=1)
# GND: ds.gather_nd %arg0, %arg1 {batch_dims = 1 : i64} : (tensor<2x4x8xf32>, tensor<2x3x1xi64>) -> tensor<2x3x8xf32>
one("gather_nd", "GatherND", ["x", "i"], [("x", F, [2, 4, 8]), ("i", I, [2, 3, 1])],
    [("y", F, [2, 3, 8])], batch_dims=1)

SC_IN = [("x", F, [4, 8]), ("i", I, [4, 2]), ("u", F, [4, 2])]
# Before opset 16 there is no reduction.
# SCE11: ds.scatter_elements none %arg0, %arg1, %arg2 {axis = 1 : i64}
one("scatter_elements11", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=11, axis=-1)
# SCE16: ds.scatter_elements add %arg0, %arg1, %arg2 {axis = 0 : i64}
one("scatter_elements16", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=16, reduction="add")
# max and min come with opset 18.
# SCE16MAX: error: {{.*}}: attribute 'reduction' is 'max'; opset 16 allows none, add, mul
one("scatter_elements16_max", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=16, check=False, reduction="max")
# SCE18MAX: ds.scatter_elements max
one("scatter_elements18_max", "ScatterElements", ["x", "i", "u"], SC_IN, [("y", F, [4, 8])],
    opset=18, reduction="max")
# SCND: ds.scatter_nd min %arg0, %arg1, %arg2 : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
one("scatter_nd18", "ScatterND", ["x", "i", "u"],
    [("x", F, [4, 8]), ("i", I, [2, 1]), ("u", F, [2, 8])], [("y", F, [4, 8])],
    opset=18, reduction="min")

# Expand: an entry 1 keeps the input dim; the result rank may grow.
# EXPAND: ds.expand %arg0, %{{.*}} : (tensor<?x1xf32>, tensor<3xi64>) -> tensor<2x?x6xf32>
one("expand", "Expand", ["x", "s"], [("x", F, ["n", 1])], [("y", F, [2, "n", 6])],
    [("s", np.array([2, 1, 6], i64))])
# A shape computed from another input's value: static where the IR knows it.
# EXPANDDYN: ds.expand %arg0, %{{.*}} : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x?xf32>
emit("expand_dynamic", model(
    [node("Unsqueeze", ["n", "ax"], ["un"]),
     node("Concat", ["one", "un"], ["shape"], axis=0),
     node("Expand", ["x", "shape"], ["y"])],
    [value("x", F, [3, 1]), value("n", I, [])], [value("y", F, [3, "m"])],
    [tensor("ax", np.array([0], i64)), tensor("one", np.array([1], i64))], opset=13))
# EXPANDBAD: error: {{.*}}: 'ds.expand' op cannot expand 3 to 2x4
one("expand_bad", "Expand", ["x", "s"], [("x", F, [3])], [("y", F, [2, 4])],
    [("s", np.array([2, 4], i64))], check=False)

# TILE: ds.tile %arg0, %{{.*}} : (tensor<2x?xf32>, tensor<2xi64>) -> tensor<6x?xf32>
one("tile", "Tile", ["x", "r"], [("x", F, [2, "n"])], [("y", F, [6, "m"])],
    [("r", np.array([3, 2], i64))])

# Pad-11: pads and constant_value inputs.
# PAD11: ds.pad constant %arg0, %{{.*}}, %{{.*}} : (tensor<2x?xf32>, tensor<4xi64>, tensor<f32>) -> tensor<5x?xf32>
one("pad11", "Pad", ["x", "p", "v"], [("x", F, [2, "n"])], [("y", F, [5, "m"])],
    [("p", np.array([1, 0, 2, 1], i64)), ("v", np.float32(-1))], opset=11)
# Some exporters give the value as a one-element 1-D tensor: it becomes rank 0.
# PADVEC: %[[V:.*]] = ds.constant dense<2.000000e+00> : tensor<f32>
# PADVEC: ds.pad constant %arg0, %{{.*}}, %[[V]] : (tensor<3xf32>, tensor<2xi64>, tensor<f32>) -> tensor<5xf32>
one("pad11_vector_value", "Pad", ["x", "p", "v"], [("x", F, [3])], [("y", F, [5])],
    [("p", np.array([1, 1], i64)), ("v", np.array([2], np.float32))], opset=11, check=False)
# Pad-18 adds axes (negative ones count from the back); reflect ignores the value.
# PAD18: ds.pad reflect %arg0, %{{.*}} {axes = array<i64: 1>} : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x11xf32>
one("pad18_axes", "Pad", ["x", "p", "", "a"], [("x", F, [2, 8])], [("y", F, [2, 11])],
    [("p", np.array([1, 2], i64)), ("a", np.array([-1], i64))], opset=18, mode="reflect")
# wrap comes with opset 19.
# PAD18WRAP: error: {{.*}}: attribute 'mode' is 'wrap'; opset 18 allows constant, reflect and edge
one("pad18_wrap", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 0, 1], i64))], opset=18, check=False, mode="wrap")
# PAD19: ds.pad wrap %arg0, %{{.*}} : (tensor<2x8xf32>, tensor<4xi64>) -> tensor<2x10xf32>
one("pad19_wrap", "Pad", ["x", "p"], [("x", F, [2, 8])], [("y", F, [2, 10])],
    [("p", np.array([0, 1, 0, 1], i64))], opset=19, mode="wrap")
