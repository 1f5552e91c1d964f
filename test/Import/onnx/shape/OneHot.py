# OneHot: depth of any numeric type (float depths truncated, as in ONNX), indices of
# any numeric type, axis default -1 and negative axes, constants fold.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/float_depth.onnx | FileCheck %s --check-prefix=FLOATDEPTH
# RUN: ds-opt %t/default_axis.onnx | FileCheck %s --check-prefix=DEFAULT
# RUN: ds-opt %t/int32_depth9.onnx | FileCheck %s --check-prefix=I32
# RUN: ds-opt %t/float_indices.onnx | FileCheck %s --check-prefix=FIDX
# RUN: ds-opt %t/runtime_depth.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: ds-opt %t/fold_axis0.onnx | FileCheck %s --check-prefix=FOLD0
# RUN: not ds-opt %t/zero_depth.onnx 2>&1 | FileCheck %s --check-prefix=ZERO
# RUN: not ds-opt %t/values_shape.onnx 2>&1 | FileCheck %s --check-prefix=VALUES
# RUN: not ds-opt %t/axis_range.onnx 2>&1 | FileCheck %s --check-prefix=AXIS
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


ONOFF = ("v", np.array([0, 1], np.float32))
# A float depth becomes an i64 count (5.7 truncates to 5).
# FLOATDEPTH: %[[D:.*]] = ds.constant dense<5> : tensor<i64>
# FLOATDEPTH: ds.one_hot %arg0, %[[D]], %{{.*}} {axis = 0 : i64} : (tensor<?xi64>, tensor<i64>, tensor<2xf32>) -> tensor<5x?xf32>
one("float_depth", "OneHot", ["i", "d", "v"], [("i", I, ["n"])], [("y", F, [5, "n"])],
    [("d", np.float32(5.7)), ONOFF], axis=0)
# DEFAULT: ds.one_hot %arg0, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x?xi64>, tensor<i64>, tensor<2xf32>) -> tensor<2x?x8xf32>
one("default_axis", "OneHot", ["i", "d", "v"], [("i", I, [2, "n"])], [("y", F, [2, "n", 8])],
    [("d", i64(8)), ONOFF])
# An int32 depth is cast to i64 (and folded); a one-element 1-D depth is fine.
# I32: ds.one_hot %arg0, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<3xi32>, tensor<1xi64>, tensor<2xi64>) -> tensor<3x4xi64>
one("int32_depth9", "OneHot", ["i", "d", "v"], [("i", TensorProto.INT32, [3])],
    [("y", I, [3, 4])], [("d", np.array([4], np.int32)), ("v", np.array([0, 1], i64))],
    opset=11, axis=-1)
# Float indices are cast to i64.
# FIDX: %[[I:.*]] = ds.cast %arg0 : tensor<3xf32> -> tensor<3xi64>
# FIDX: ds.one_hot %[[I]], %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x4xf32>
one("float_indices", "OneHot", ["i", "d", "v"], [("i", F, [3])], [("y", F, [3, 4])],
    [("d", i64(4)), ONOFF])
# RUNTIME: ds.one_hot %arg0, %arg1, %{{.*}} {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x?xf32>
one("runtime_depth", "OneHot", ["i", "d", "v"], [("i", I, [3]), ("d", I, [])],
    [("y", F, [3, "n"])], [ONOFF])

# Constant indices fold: -1 is the last class, 3 is out of range (all off).
# FOLD-NOT: ds.one_hot
# FOLD: %[[C:.*]] = ds.constant dense<{{\[}}[5, 9, 5], [5, 5, 9], [5, 5, 5]]> : tensor<3x3xi64>
# FOLD: return %[[C]]
one("fold", "OneHot", ["i", "d", "v"], [], [("y", I, [3, 3])],
    [("i", np.array([1, -1, 3], i64)), ("d", i64(3)), ("v", np.array([5, 9], i64))])
# FOLD0-NOT: ds.one_hot
# FOLD0: %[[C:.*]] = ds.constant dense<{{\[}}[0.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
# FOLD0: return %[[C]]
one("fold_axis0", "OneHot", ["i", "d", "v"], [], [("y", F, [2, 2])],
    [("i", np.array([1, 0], np.int32)), ("d", np.float32(2)), ONOFF], axis=0)

# ZERO: error: {{.*}}: node 'zero_depth' (OneHot, ai.onnx opset 17): 'ds.one_hot' op depth 0 must be positive
one("zero_depth", "OneHot", ["i", "d", "v"], [("i", I, [3])], [("y", F, [3, 0])],
    [("d", i64(0)), ONOFF])
# VALUES: error: {{.*}}: node 'values_shape' (OneHot, ai.onnx opset 17): 'ds.one_hot' op values must be a 1-D tensor of [off, on], got 'tensor<3xf32>'
one("values_shape", "OneHot", ["i", "d", "v"], [("i", I, [3])], [("y", F, [3, 4])],
    [("d", i64(4)), ("v", np.array([0, 1, 2], np.float32))], check=False)
# AXIS: error: {{.*}}: node 'axis_range' (OneHot, ai.onnx opset 17): axis 2 is out of range for rank 2
one("axis_range", "OneHot", ["i", "d", "v"], [("i", I, [3])], [("y", F, [3, 4])],
    [("d", i64(4)), ONOFF], check=False, axis=2)
