# Shape, Size, Range, ConstantOfShape, Constant (every value form), Trilu, NonZero,
# OneHot and EyeLike.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/shape13.onnx | FileCheck %s --check-prefix=SHAPE13
# RUN: ds-opt %t/shape15.onnx | FileCheck %s --check-prefix=SHAPE15
# RUN: ds-opt %t/shape15_static.onnx | FileCheck %s --check-prefix=SHAPE15S
# RUN: ds-opt %t/size.onnx | FileCheck %s --check-prefix=SIZE
# RUN: ds-opt %t/size.onnx --input-shape=x:2x3x4 | FileCheck %s --check-prefix=SIZES
# RUN: ds-opt %t/range.onnx | FileCheck %s --check-prefix=RANGE
# RUN: ds-opt %t/range_dynamic.onnx | FileCheck %s --check-prefix=RANGEDYN
# RUN: ds-opt %t/range_dynamic.onnx --input-shape=x:3x7 | FileCheck %s --check-prefix=RANGEST
# RUN: ds-opt %t/cos.onnx | FileCheck %s --check-prefix=COS
# RUN: ds-opt %t/cos_default.onnx | FileCheck %s --check-prefix=COSDEF
# RUN: ds-opt %t/constants.onnx | FileCheck %s --check-prefix=CONST
# RUN: not ds-opt %t/constant_string.onnx 2>&1 | FileCheck %s --check-prefix=CSTRING
# RUN: not ds-opt %t/constant_strings.onnx 2>&1 | FileCheck %s --check-prefix=CSTRINGS
# RUN: not ds-opt %t/constant_sparse.onnx 2>&1 | FileCheck %s --check-prefix=CSPARSE
# RUN: ds-opt %t/trilu.onnx | FileCheck %s --check-prefix=TRILU
# RUN: ds-opt %t/nonzero.onnx | FileCheck %s --check-prefix=NONZERO
# RUN: ds-opt %t/onehot.onnx | FileCheck %s --check-prefix=ONEHOT
# RUN: ds-opt %t/eyelike.onnx | FileCheck %s --check-prefix=EYE
# RUN: ds-opt %t/eyelike_dynamic.onnx | FileCheck %s --check-prefix=EYEDYN
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


# SHAPE13: ds.shape_of %arg0 {end = 3 : i64, start = 0 : i64} : tensor<?x4x?xf32> -> tensor<3xi64>
one("shape13", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [3])], opset=13)
# Shape-15 start/end: negative ones count from the back and clamp.
# SHAPE15: ds.shape_of %arg0 {end = 3 : i64, start = 1 : i64} : tensor<?x4x?xf32> -> tensor<2xi64>
one("shape15", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [2])], opset=15,
    start=-2, end=10)
# The dims read are static: a constant.
# SHAPE15S: %[[C:.*]] = ds.constant dense<4> : tensor<1xi64>
# SHAPE15S: return %[[C]]
one("shape15_static", "Shape", ["x"], [("x", F, ["a", 4, "b"])], [("s", I, [1])], opset=15,
    start=1, end=2)

# Size multiplies the dynamic dims read at run time with the static ones.
# SIZE: %[[S:.*]] = ds.shape_of %arg0
# SIZE: %[[A:.*]] = ds.gather %[[S]], %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
# SIZE: %[[B:.*]] = ds.gather %[[S]]
# SIZE: %[[AB:.*]] = ds.binary mul %[[A]], %[[B]]
# SIZE: ds.binary mul %[[AB]], %{{.*}}
# SIZES: %[[C:.*]] = ds.constant dense<24> : tensor<i64>
# SIZES: return %[[C]]
one("size", "Size", ["x"], [("x", F, ["a", 3, "b"])], [("s", I, [])])

# RANGE: %[[R:.*]] = ds.constant dense<[5, 3, 1]> : tensor<3xi64>
# RANGE: return %[[R]]
one("range", "Range", ["s", "l", "d"], [], [("y", I, [3])],
    [("s", i64(5)), ("l", i64(0)), ("d", i64(-2))])
# torch.arange(x.shape[1]): dynamic unless the dim is known.
# RANGEDYN: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
# RANGEST: ds.constant dense<[0, 1, 2, 3, 4, 5, 6]> : tensor<7xi64>
# RANGEST-NOT: ds.range
emit("range_dynamic", model(
    [node("Shape", ["x"], ["sx"]), node("Gather", ["sx", "one"], ["n"], axis=0),
     node("Range", ["zero", "n", "one"], ["y"])],
    [value("x", F, ["a", "b"])], [value("y", I, ["b"])],
    [tensor("zero", i64(0)), tensor("one", i64(1))]))

# ConstantOfShape with a computed shape; the value gives the element type.
# COS: ds.fill %{{.*}} {value = 1 : i64} : tensor<2xi64> -> tensor<?x4xi64>
emit("cos", model(
    [node("Shape", ["x"], ["sx"]), node("ConstantOfShape", ["sx"], ["y"],
                                        value=helper.make_tensor("v", I, [1], [1]))],
    [value("x", F, ["a", 4])], [value("y", I, ["a", 4])]))
# The default value is a float 0; a static shape folds to a splat.
# COSDEF: %[[C:.*]] = ds.constant dense<0.000000e+00> : tensor<2x3xf32>
# COSDEF: return %[[C]]
one("cos_default", "ConstantOfShape", ["s"], [], [("y", F, [2, 3])],
    [("s", np.array([2, 3], i64))])

# CONST-DAG: ds.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
# CONST-DAG: ds.constant dense<2.500000e+00> : tensor<f32>
# CONST-DAG: ds.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
# CONST-DAG: ds.constant dense<7> : tensor<i64>
# CONST-DAG: ds.constant dense<[8, 9]> : tensor<2xi64>
emit("constants", model(
    [node("Constant", [], ["a"], value=helper.make_tensor("t", F, [2], [1, 2])),
     node("Constant", [], ["b"], value_float=2.5),
     node("Constant", [], ["c"], value_floats=[3.0, 4.0]),
     node("Constant", [], ["d"], value_int=7),
     node("Constant", [], ["e"], value_ints=[8, 9])],
    [], [value("a", F, [2]), value("b", F, []), value("c", F, [2]), value("d", I, []),
         value("e", I, [2])]))
# CSTRING: error: {{.*}}: node 'constant_string' (Constant, ai.onnx opset 17): attribute 'value_string' is not supported: ds has no string tensors
one("constant_string", "Constant", [], [], [("y", TensorProto.STRING, [])], value_string="hi")
# CSTRINGS: error: {{.*}}: attribute 'value_strings' is not supported: ds has no string tensors
one("constant_strings", "Constant", [], [], [("y", TensorProto.STRING, [2])],
    value_strings=["a", "b"])
# CSPARSE: error: {{.*}}: attribute 'sparse_value' is not supported: ds has no sparse tensors
one("constant_sparse", "Constant", [], [], [("y", F, [4])], check=False,
    sparse_value=helper.make_sparse_tensor(
        helper.make_tensor("v", F, [1], [1.0]), helper.make_tensor("i", I, [1], [2]), [4]))

# TRILU: ds.trilu %arg0, %{{.*}} {upper = false} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
one("trilu", "Trilu", ["x", "k"], [("x", F, ["a", "b"])], [("y", F, ["a", "b"])],
    [("k", i64(-1))], opset=14, upper=0)
# NONZERO: ds.nonzero %arg0 : tensor<3x?xf32> -> tensor<2x?xi64>
one("nonzero", "NonZero", ["x"], [("x", F, [3, "b"])], [("y", I, [2, "n"])])
# A float depth becomes an i64 count.
# ONEHOT: %[[D:.*]] = ds.constant dense<5> : tensor<i64>
# ONEHOT: ds.one_hot %arg0, %[[D]], %{{.*}} {axis = 0 : i64} : (tensor<?xi64>, tensor<i64>, tensor<2xf32>) -> tensor<5x?xf32>
one("onehot", "OneHot", ["i", "d", "v"], [("i", I, ["n"])], [("y", F, [5, "n"])],
    [("d", np.float32(5.0)), ("v", np.array([0, 1], np.float32))], axis=0)
# EYE: ds.constant dense<{{\[}}[0, 1, 0], [0, 0, 1]]> : tensor<2x3xi64>
one("eyelike", "EyeLike", ["x"], [("x", F, [2, 3])], [("y", I, [2, 3])], k=1, dtype=I)
# EYEDYN: ds.eye_like %arg0 {dtype = f32} : tensor<?x3xf32> -> tensor<?x3xf32>
one("eyelike_dynamic", "EyeLike", ["x"], [("x", F, ["a", 3])], [("y", F, ["a", 3])])
