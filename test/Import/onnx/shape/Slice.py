# Slice: negative starts/ends/steps, INT_MAX ends, int32 inputs, default axes and
# steps, negative axes, bounds known only at run time, constant folding.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/negative_steps.onnx | FileCheck %s --check-prefix=SLICE
# RUN: ds-opt %t/defaults.onnx | FileCheck %s --check-prefix=DEFAULTS
# RUN: ds-opt %t/negative_axis.onnx | FileCheck %s --check-prefix=NEGAXIS
# RUN: ds-opt %t/whole_dynamic.onnx | FileCheck %s --check-prefix=WHOLE
# RUN: ds-opt %t/from_one.onnx | FileCheck %s --check-prefix=FROMONE
# RUN: ds-opt %t/runtime_bounds.onnx | FileCheck %s --check-prefix=RUNTIME
# RUN: ds-opt %t/runtime_axes.onnx | FileCheck %s --check-prefix=RTAXES
# RUN: ds-opt %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not ds-opt %t/zero_step.onnx 2>&1 | FileCheck %s --check-prefix=ZERO
# RUN: not ds-opt %t/repeated_axis.onnx 2>&1 | FileCheck %s --check-prefix=REPEAT
# RUN: not ds-opt %t/float_starts.onnx 2>&1 | FileCheck %s --check-prefix=FLOAT
# RUN: not ds-opt %t/starts_2d.onnx 2>&1 | FileCheck %s --check-prefix=STARTS2D
# RUN: not ds-opt %t/dynamic_length.onnx 2>&1 | FileCheck %s --check-prefix=DYNLEN
# RUN: not ds-opt %t/dynamic_length_steps.onnx 2>&1 | FileCheck %s --check-prefix=DYNSTEPS
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64, i32 = np.int64, np.int32


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# Negative steps, INT32_MAX ends and int32 inputs (cast to i64 and folded).
# SLICE: %[[S:.*]] = ds.constant dense<[-1, 0]> : tensor<2xi64>
# SLICE: ds.slice %arg0, %[[S]], {{.*}} : (tensor<10x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<8x3xf32>
one("negative_steps", "Slice", ["x", "st", "en", "ax", "sp"], [("x", F, [10, 6])],
    [("y", F, [8, 3])],
    [("st", np.array([-1, 0], i32)), ("en", np.array([-9, 2**31 - 1], i32)),
     ("ax", np.array([0, 1], i32)), ("sp", np.array([-1, 2], i32))])

# Default axes [0, n) and steps 1; ends past the dim clamp.
# DEFAULTS: %[[AX:.*]] = ds.constant dense<[0, 1]> : tensor<2xi64>
# DEFAULTS: %[[SP:.*]] = ds.constant dense<1> : tensor<2xi64>
# DEFAULTS: ds.slice %arg0, %{{.*}}, %{{.*}}, %[[AX]], %[[SP]] {{.*}} -> tensor<2x?xf32>
one("defaults", "Slice", ["x", "st", "en"], [("x", F, [4, "n"])], [("y", F, [2, "m"])],
    [("st", np.array([2, 1], i64)), ("en", np.array([100, 3], i64))])

# Negative axes are normalized; opset 11 has the same form.
# NEGAXIS: %[[AX:.*]] = ds.constant dense<2> : tensor<1xi64>
# NEGAXIS: ds.slice %arg0, %{{.*}}, %{{.*}}, %[[AX]], %{{.*}} : {{.*}} -> tensor<?x4x3xf32>
one("negative_axis", "Slice", ["x", "st", "en", "ax"], [("x", F, ["n", 4, 8])],
    [("y", F, ["n", 4, 3])],
    [("st", np.array([1], i64)), ("en", np.array([-4], i64)), ("ax", np.array([-1], i64))],
    opset=11)

# [0:INT64_MAX] of a dynamic dim is the whole dim: the slice folds away.
# WHOLE-NOT: ds.slice
# WHOLE: return %arg0
one("whole_dynamic", "Slice", ["x", "st", "en", "ax"], [("x", F, ["n", 5])],
    [("y", F, ["n", 5])],
    [("st", np.array([0], i64)), ("en", np.array([2**63 - 1], i64)), ("ax", np.array([0], i64))])
# [1:INT64_MAX] is not.
# FROMONE: ds.slice {{.*}} -> tensor<?x5xf32>
one("from_one", "Slice", ["x", "st", "en", "ax"], [("x", F, ["n", 5])], [("y", F, ["m", 5])],
    [("st", np.array([1], i64)), ("en", np.array([2**63 - 1], i64)), ("ax", np.array([0], i64))])

# Bounds known only at run time give a dynamic dim on that axis only.
# RUNTIME: ds.slice %arg0, %arg1, %arg2, %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x?xf32>
one("runtime_bounds", "Slice", ["x", "st", "en", "ax"],
    [("x", F, [4, 8]), ("st", I, [1]), ("en", I, [1])], [("y", F, [4, "k"])],
    [("ax", np.array([1], i64))])
# Axes known only at run time make every dim dynamic.
# RTAXES: ds.slice %arg0, %{{.*}}, %{{.*}}, %arg1, %{{.*}} : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
one("runtime_axes", "Slice", ["x", "st", "en", "ax", "sp"],
    [("x", F, [4, 8]), ("ax", I, [1])], [("y", F, ["a", "b"])],
    [("st", np.array([1], i64)), ("en", np.array([3], i64)), ("sp", np.array([1], i64))])

# Slices of constants fold (the tail of a shape vector, reversed).
# FOLD-NOT: ds.slice
# FOLD: %[[C:.*]] = ds.constant dense<[16, 4]> : tensor<2xi64>
# FOLD: return %[[C]]
one("fold", "Slice", ["c", "st", "en", "ax", "sp"], [], [("y", I, [2])],
    [("c", np.array([2, 3, 4, 16], i64)), ("st", np.array([-1], i64)),
     ("en", np.array([1], i64)), ("ax", np.array([0], i64)), ("sp", np.array([-1], i64))])

# ZERO: error: {{.*}}: node 'zero_step' (Slice, ai.onnx opset 17): 'ds.slice' op step at index 0 is 0
one("zero_step", "Slice", ["x", "st", "en", "ax", "sp"], [("x", F, [4])], [("y", F, [2])],
    [("st", np.array([0], i64)), ("en", np.array([2], i64)), ("ax", np.array([0], i64)),
     ("sp", np.array([0], i64))])
# REPEAT: error: {{.*}}: node 'repeated_axis' (Slice, ai.onnx opset 17): axis -2 is repeated in axes [0, -2]
one("repeated_axis", "Slice", ["x", "st", "en", "ax"], [("x", F, [4, 4])], [("y", F, [2, 4])],
    [("st", np.array([0, 0], i64)), ("en", np.array([2, 2], i64)),
     ("ax", np.array([0, -2], i64))])
# FLOAT: error: {{.*}}: node 'float_starts' (Slice, ai.onnx opset 17): input 'starts' must be an integer tensor, got tensor<1xf32>
one("float_starts", "Slice", ["x", "st", "en"], [("x", F, [4])], [("y", F, [2])],
    [("st", np.array([0], np.float32)), ("en", np.array([2], i64))], check=False)
# STARTS2D: error: {{.*}}: node 'starts_2d' (Slice, ai.onnx opset 17): input 'starts' must be 1-D, got tensor<1x1xi64>
one("starts_2d", "Slice", ["x", "st", "en"], [("x", F, [4])], [("y", F, [2])],
    [("st", np.array([[0]], i64)), ("en", np.array([2], i64))], check=False)
# Without axes (or steps) their length must come from a static 'starts' length.
# DYNLEN: error: {{.*}}: node 'dynamic_length' (Slice, ai.onnx opset 17): 'starts' has a dynamic length and no 'axes' are given
one("dynamic_length", "Slice", ["x", "st", "en"], [("x", F, [4]), ("st", I, ["n"]), ("en", I, ["n"])],
    [("y", F, ["m"])])
# DYNSTEPS: error: {{.*}}: node 'dynamic_length_steps' (Slice, ai.onnx opset 17): 'starts' has a dynamic length and no 'steps' are given
one("dynamic_length_steps", "Slice", ["x", "st", "en", "ax"],
    [("x", F, [4]), ("st", I, ["n"]), ("en", I, ["n"]), ("ax", I, ["n"])], [("y", F, ["m"])])
