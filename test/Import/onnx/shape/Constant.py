# Constant: every value form (value, value_float(s), value_int(s)); string and sparse
# values are errors.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/constants.onnx | FileCheck %s --check-prefix=CONST
# RUN: ds-opt %t/typed.onnx | FileCheck %s --check-prefix=TYPED
# RUN: ds-opt %t/constant11.onnx | FileCheck %s --check-prefix=C11
# RUN: not ds-opt %t/constant_string.onnx 2>&1 | FileCheck %s --check-prefix=CSTRING
# RUN: not ds-opt %t/constant_strings.onnx 2>&1 | FileCheck %s --check-prefix=CSTRINGS
# RUN: not ds-opt %t/constant_sparse.onnx 2>&1 | FileCheck %s --check-prefix=CSPARSE
# RUN: not ds-opt %t/constant_none.onnx 2>&1 | FileCheck %s --check-prefix=CNONE
# RUN: not ds-opt %t/value_float_kind.onnx 2>&1 | FileCheck %s --check-prefix=CKIND
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


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
# Tensor values keep their element type and shape.
# TYPED-DAG: ds.constant dense<{{\[}}[1, -2]]> : tensor<1x2xi32>
# TYPED-DAG: ds.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xbf16>
# TYPED-DAG: ds.constant dense<[true, false]> : tensor<2xi1>
# TYPED-DAG: ds.constant dense<-3> : tensor<i8>
emit("typed", model(
    [node("Constant", [], ["a"], value=numpy_helper.from_array(np.array([[1, -2]], np.int32), "t")),
     node("Constant", [], ["b"], value=helper.make_tensor("t", TensorProto.BFLOAT16, [2], [1.5, -2.0])),
     node("Constant", [], ["c"], value=numpy_helper.from_array(np.array([True, False]), "t")),
     node("Constant", [], ["d"], value=numpy_helper.from_array(np.array(-3, np.int8), "t"))],
    [], [value("a", TensorProto.INT32, [1, 2]), value("b", TensorProto.BFLOAT16, [2]),
         value("c", TensorProto.BOOL, [2]), value("d", TensorProto.INT8, [])], opset=21))
# Constant-11 has only value (and sparse_value).
# C11: %[[C:.*]] = ds.constant dense<[4, 5]> : tensor<2xi64>
# C11: return %[[C]]
one("constant11", "Constant", [], [], [("y", I, [2])], opset=11,
    value=numpy_helper.from_array(np.array([4, 5], i64), "t"))

# CSTRING: error: {{.*}}: node 'constant_string' (Constant, ai.onnx opset 17): attribute 'value_string' is not supported: ds has no string tensors
one("constant_string", "Constant", [], [], [("y", TensorProto.STRING, [])], value_string="hi")
# CSTRINGS: error: {{.*}}: node 'constant_strings' (Constant, ai.onnx opset 17): attribute 'value_strings' is not supported: ds has no string tensors
one("constant_strings", "Constant", [], [], [("y", TensorProto.STRING, [2])],
    value_strings=["a", "b"])
# CSPARSE: error: {{.*}}: node 'constant_sparse' (Constant, ai.onnx opset 17): attribute 'sparse_value' is not supported: ds has no sparse tensors
one("constant_sparse", "Constant", [], [], [("y", F, [4])], check=False,
    sparse_value=helper.make_sparse_tensor(
        helper.make_tensor("v", F, [1], [1.0]), helper.make_tensor("i", I, [1], [2]), [4]))
# CNONE: error: {{.*}}: node 'constant_none' (Constant, ai.onnx opset 17): needs one of the attributes value, value_float(s), value_int(s)
one("constant_none", "Constant", [], [], [("y", F, [4])], check=False)
# An attribute 'value' that is not a tensor (a float here).
# CKIND: error: {{.*}}: node 'value_float_kind' (Constant, ai.onnx opset 17): attribute 'value' must be a tensor
one("value_float_kind", "Constant", [], [], [("y", F, [])], check=False, value=2.5)
