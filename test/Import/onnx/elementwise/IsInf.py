# RUN: %python %s %t
# RUN: ds-opt %t/both.onnx | FileCheck %s --check-prefix=BOTH
# RUN: ds-opt %t/pos.onnx | FileCheck %s --check-prefix=POS
# RUN: ds-opt %t/neg.onnx | FileCheck %s --check-prefix=NEG
# RUN: ds-opt %t/none.onnx | FileCheck %s --check-prefix=NONE
# RUN: ds-opt %t/nan.onnx | FileCheck %s --check-prefix=NAN
from onnx_testing import *


def case(name, **attrs):
    emit(name, model([node("IsInf", ["x"], ["y"], **attrs)],
                     [value("x", TensorProto.FLOAT, ["n"])], [value("y", TensorProto.BOOL, ["n"])]))


# BOTH: ds.unary is_inf %arg0 : tensor<?xf32> -> tensor<?xi1>
case("both")
# One sign only: compare with that infinity.
# POS: %[[INF:.*]] = ds.constant dense<0x7F800000> : tensor<f32>
# POS: ds.compare eq %arg0, %[[INF]]
case("pos", detect_negative=0)
# NEG: %[[INF:.*]] = ds.constant dense<0xFF800000> : tensor<f32>
# NEG: ds.compare eq %arg0, %[[INF]]
case("neg", detect_positive=0)
# Neither sign: nothing is less than -inf, so the mask is all false (NaN too).
# NONE: %[[INF:.*]] = ds.constant dense<0xFF800000> : tensor<f32>
# NONE: ds.compare lt %arg0, %[[INF]] : (tensor<?xf32>, tensor<f32>) -> tensor<?xi1>
case("none", detect_positive=0, detect_negative=0)

# NAN: ds.unary is_nan %arg0 : tensor<?xf32> -> tensor<?xi1>
emit("nan", model([node("IsNaN", ["x"], ["y"])],
                  [value("x", TensorProto.FLOAT, ["n"])], [value("y", TensorProto.BOOL, ["n"])]))
