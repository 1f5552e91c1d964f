# ConstantOfShape: the value attribute gives the element type (default float 0);
# static shapes fold to a splat, computed ones keep their known entries.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/computed.onnx | FileCheck %s --check-prefix=COMPUTED
# RUN: ds-opt %t/default.onnx | FileCheck %s --check-prefix=DEFAULT
# RUN: ds-opt %t/i32.onnx | FileCheck %s --check-prefix=I32
# RUN: ds-opt %t/bool20.onnx | FileCheck %s --check-prefix=BOOL
# RUN: ds-opt %t/scalar.onnx | FileCheck %s --check-prefix=SCALAR
# RUN: ds-opt %t/runtime.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: not ds-opt %t/negative.onnx 2>&1 | FileCheck %s --check-prefix=NEG
# RUN: not ds-opt %t/two_values.onnx 2>&1 | FileCheck %s --check-prefix=TWO
# RUN: not ds-opt %t/i32_shape.onnx 2>&1 | FileCheck %s --check-prefix=I32SHAPE
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


def val(t, v):
    return helper.make_tensor("v", t, [1], [v])


# ConstantOfShape with a computed shape.
# COMPUTED: ds.fill %{{.*}} {value = 1 : i64} : tensor<2xi64> -> tensor<?x4xi64>
emit("computed", model(
    [node("Shape", ["x"], ["sx"]), node("ConstantOfShape", ["sx"], ["y"], value=val(I, 1))],
    [value("x", F, ["a", 4])], [value("y", I, ["a", 4])]))
# The default value is a float 0; a static shape folds to a splat.
# DEFAULT-NOT: ds.fill
# DEFAULT: %[[C:.*]] = ds.constant dense<0.000000e+00> : tensor<2x3xf32>
# DEFAULT: return %[[C]]
one("default", "ConstantOfShape", ["s"], [], [("y", F, [2, 3])], [("s", np.array([2, 3], i64))])
# I32: %[[C:.*]] = ds.constant dense<-7> : tensor<4xi32>
one("i32", "ConstantOfShape", ["s"], [], [("y", TensorProto.INT32, [4])],
    [("s", np.array([4], i64))], value=val(TensorProto.INT32, -7))
# BOOL: %[[C:.*]] = ds.constant dense<true> : tensor<2x2xi1>
one("bool20", "ConstantOfShape", ["s"], [], [("y", TensorProto.BOOL, [2, 2])],
    [("s", np.array([2, 2], i64))], opset=20, value=val(TensorProto.BOOL, True))
# An empty shape gives a scalar.
# SCALAR: %[[C:.*]] = ds.constant dense<2.500000e+00> : tensor<f32>
one("scalar", "ConstantOfShape", ["s"], [], [("y", F, [])], [("s", np.zeros(0, i64))],
    value=val(F, 2.5))
# RUNTIME: ds.fill %arg0 {value = 0.000000e+00 : f32} : tensor<3xi64> -> tensor<?x?x?xf32>
one("runtime", "ConstantOfShape", ["s"], [("s", I, [3])], [("y", F, ["a", "b", "c"])])

# NEG: error: {{.*}}: node 'negative' (ConstantOfShape, ai.onnx opset 17): 'ds.fill' op shape entry -2 at index 1 is negative
one("negative", "ConstantOfShape", ["s"], [], [("y", F, [2, 2])],
    [("s", np.array([2, -2], i64))], check=False)
# TWO: error: {{.*}}: node 'two_values' (ConstantOfShape, ai.onnx opset 17): attribute 'value' must be a one-element tensor, got tensor<2xf32>
one("two_values", "ConstantOfShape", ["s"], [], [("y", F, [2])], [("s", np.array([2], i64))],
    check=False, value=helper.make_tensor("v", F, [2], [1, 2]))
# I32SHAPE: error: {{.*}}: node 'i32_shape' (ConstantOfShape, ai.onnx opset 17): input 'input' must be a 1-D int64 tensor, got tensor<1xi32>
one("i32_shape", "ConstantOfShape", ["s"], [("s", TensorProto.INT32, [1])], [("y", F, ["n"])],
    check=False)
