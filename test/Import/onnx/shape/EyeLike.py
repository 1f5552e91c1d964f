# EyeLike: ones on the diagonal shifted by k, element type from dtype (default: the
# input's); static shapes fold to a constant.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/static_k.onnx | FileCheck %s --check-prefix=EYE
# RUN: ds-opt %t/negative_k.onnx | FileCheck %s --check-prefix=NEGK
# RUN: ds-opt %t/dynamic.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/input_type22.onnx | FileCheck %s --check-prefix=INTYPE
# RUN: ds-opt %t/k_outside.onnx | FileCheck %s --check-prefix=OUTSIDE
# RUN: not ds-opt %t/rank3.onnx 2>&1 | FileCheck %s --check-prefix=RANK
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# EYE-NOT: ds.eye_like
# EYE: %[[C:.*]] = ds.constant dense<{{\[}}[0, 1, 0], [0, 0, 1]]> : tensor<2x3xi64>
# EYE: return %[[C]]
one("static_k", "EyeLike", ["x"], [("x", F, [2, 3])], [("y", I, [2, 3])], k=1, dtype=I)
# NEGK: %[[C:.*]] = ds.constant dense<{{\[}}[0.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<3x2xf32>
one("negative_k", "EyeLike", ["x"], [("x", F, [3, 2])], [("y", F, [3, 2])], k=-1)
# DYN: ds.eye_like %arg0 {dtype = f32} : tensor<?x3xf32> -> tensor<?x3xf32>
one("dynamic", "EyeLike", ["x"], [("x", F, ["a", 3])], [("y", F, ["a", 3])])
# Without dtype the input's element type is used.
# INTYPE: ds.eye_like %arg0 {dtype = bf16, k = 2 : i64} : tensor<?x?xbf16> -> tensor<?x?xbf16>
one("input_type22", "EyeLike", ["x"], [("x", TensorProto.BFLOAT16, ["a", "b"])],
    [("y", TensorProto.BFLOAT16, ["a", "b"])], opset=22, k=2)
# A diagonal outside the matrix gives all zeros (near miss: not an error).
# OUTSIDE: %[[C:.*]] = ds.constant dense<0> : tensor<2x2xi32>
one("k_outside", "EyeLike", ["x"], [("x", TensorProto.INT32, [2, 2])],
    [("y", TensorProto.INT32, [2, 2])], k=5)

# RANK: error: {{.*}}: node 'rank3' (EyeLike, ai.onnx opset 17): 'ds.eye_like' op input must have rank 2, got 3
one("rank3", "EyeLike", ["x"], [("x", F, [2, 2, 2])], [("y", F, [2, 2, 2])], check=False)
