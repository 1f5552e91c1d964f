# Size: the element count as a rank-0 i64; static shapes fold, dynamic dims are read
# at run time and multiplied with the static ones.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/size.onnx | FileCheck %s --check-prefix=SIZE
# RUN: ds-opt %t/size.onnx --input-shape=x:2x3x4 | FileCheck %s --check-prefix=SIZES
# RUN: ds-opt %t/one_dynamic.onnx | FileCheck %s --check-prefix=ONEDYN
# RUN: ds-opt %t/static13.onnx | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/scalar.onnx | FileCheck %s --check-prefix=SCALAR
# RUN: ds-opt %t/empty.onnx | FileCheck %s --check-prefix=EMPTY
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# Size multiplies the dynamic dims read at run time with the static ones.
# SIZE: %[[S:.*]] = ds.shape_of %arg0
# SIZE: %[[A:.*]] = ds.gather %[[S]], %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
# SIZE: %[[B:.*]] = ds.gather %[[S]]
# SIZE: %[[AB:.*]] = ds.binary mul %[[A]], %[[B]]
# SIZE: %[[N:.*]] = ds.binary mul %[[AB]], %{{.*}}
# SIZE: return %[[N]]
# SIZES: %[[C:.*]] = ds.constant dense<24> : tensor<i64>
# SIZES: return %[[C]]
one("size", "Size", ["x"], [("x", F, ["a", 3, "b"])], [("s", I, [])])
# One dynamic dim of size-1 neighbours: no multiplication at all.
# ONEDYN: %[[S:.*]] = ds.shape_of %arg0 {end = 3 : i64, start = 0 : i64} : tensor<1x?x1xf32> -> tensor<3xi64>
# ONEDYN: %[[A:.*]] = ds.gather %[[S]], %{{.*}} {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
# ONEDYN-NOT: ds.binary
# ONEDYN: return %[[A]]
one("one_dynamic", "Size", ["x"], [("x", F, [1, "n", 1])], [("s", I, [])])
# STATIC: %[[C:.*]] = ds.constant dense<30> : tensor<i64>
# STATIC: return %[[C]]
one("static13", "Size", ["x"], [("x", TensorProto.BFLOAT16, [5, 6])], [("s", I, [])], opset=13)
# SCALAR: %[[C:.*]] = ds.constant dense<1> : tensor<i64>
# SCALAR: return %[[C]]
one("scalar", "Size", ["x"], [("x", I, [])], [("s", I, [])], opset=21)
# A zero dim makes the count 0 (near miss: not 1 from a skipped dim).
# EMPTY: %[[C:.*]] = ds.constant dense<0> : tensor<i64>
# EMPTY: return %[[C]]
one("empty", "Size", ["x"], [("x", F, [4, 0])], [("s", I, [])])
