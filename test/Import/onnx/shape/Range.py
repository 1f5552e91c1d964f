# Range: constant operands fold (integer and float, negative deltas, empty ranges);
# a limit read from a shape is dynamic unless the dim is known.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/range.onnx | FileCheck %s --check-prefix=RANGE
# RUN: ds-opt %t/float.onnx | FileCheck %s --check-prefix=FLOAT
# RUN: ds-opt %t/empty.onnx | FileCheck %s --check-prefix=EMPTY
# RUN: ds-opt %t/i32.onnx | FileCheck %s --check-prefix=I32
# RUN: ds-opt %t/f16_27.onnx | FileCheck %s --check-prefix=F16
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/dynamic.onnx --input-shape=x:3x7 | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/runtime.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: not ds-opt %t/zero_delta.onnx 2>&1 | FileCheck %s --check-prefix=ZERO
# RUN: not ds-opt %t/stash0.onnx 2>&1 | FileCheck %s --check-prefix=STASH
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# RANGE-NOT: ds.range
# RANGE: %[[R:.*]] = ds.constant dense<[5, 3, 1]> : tensor<3xi64>
# RANGE: return %[[R]]
one("range", "Range", ["s", "l", "d"], [], [("y", I, [3])],
    [("s", i64(5)), ("l", i64(0)), ("d", i64(-2))])
# FLOAT: %[[R:.*]] = ds.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
# FLOAT: return %[[R]]
one("float", "Range", ["s", "l", "d"], [], [("y", F, [3])],
    [("s", np.float32(0)), ("l", np.float32(1.2)), ("d", np.float32(0.5))])
# A limit behind the start with a positive delta: empty.
# EMPTY: %[[R:.*]] = ds.constant dense<> : tensor<0xi64>
# EMPTY: return %[[R]]
one("empty", "Range", ["s", "l", "d"], [], [("y", I, [0])],
    [("s", i64(4)), ("l", i64(1)), ("d", i64(1))])
# I32: %[[R:.*]] = ds.constant dense<[3, 6]> : tensor<2xi32>
one("i32", "Range", ["s", "l", "d"], [], [("y", TensorProto.INT32, [2])],
    [("s", np.int32(3)), ("l", np.int32(9)), ("d", np.int32(3))], opset=11)
# Range-27 admits float16 (computed in float, the default stash_type).
# F16: %[[R:.*]] = ds.constant dense<[1.000000e+00, 1.250000e+00]> : tensor<2xf16>
one("f16_27", "Range", ["s", "l", "d"], [], [("y", TensorProto.FLOAT16, [2])],
    [("s", np.float16(1)), ("l", np.float16(1.5)), ("d", np.float16(0.25))], opset=27)

# torch.arange(x.shape[1]): dynamic unless the dim is known.
# DYN: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
# STATIC-NOT: ds.range
# STATIC: ds.constant dense<[0, 1, 2, 3, 4, 5, 6]> : tensor<7xi64>
emit("dynamic", model(
    [node("Shape", ["x"], ["sx"]), node("Gather", ["sx", "one"], ["n"], axis=0),
     node("Range", ["zero", "n", "one"], ["y"])],
    [value("x", F, ["a", "b"])], [value("y", I, ["b"])],
    [tensor("zero", i64(0)), tensor("one", i64(1))]))
# RUNTIME: ds.range %arg0, %arg1, %arg2 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
one("runtime", "Range", ["s", "l", "d"], [("s", F, []), ("l", F, []), ("d", F, [])],
    [("y", F, ["n"])])

# ZERO: error: {{.*}}: node 'zero_delta' (Range, ai.onnx opset 17): 'ds.range' op delta is 0
one("zero_delta", "Range", ["s", "l", "d"], [], [("y", I, ["n"])],
    [("s", i64(0)), ("l", i64(4)), ("d", i64(0))])
# STASH: error: {{.*}}: node 'stash0' (Range, ai.onnx opset 27): attribute 'stash_type' is 0; ds computes float16 and bfloat16 ranges in float (stash_type 1)
one("stash0", "Range", ["s", "l", "d"],
    [("s", TensorProto.FLOAT16, []), ("l", TensorProto.FLOAT16, []), ("d", TensorProto.FLOAT16, [])],
    [("y", TensorProto.FLOAT16, ["n"])], opset=27, stash_type=0)
