# RUN: %python %s %t
# RUN: ds-opt %t/cast.onnx | FileCheck %s --check-prefix=CAST
# RUN: ds-opt %t/f8.onnx | FileCheck %s --check-prefix=F8
# RUN: ds-opt %t/same.onnx | FileCheck %s --check-prefix=SAME
# RUN: ds-opt %t/like.onnx | FileCheck %s --check-prefix=LIKE
# RUN: not ds-opt %t/string.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not ds-opt %t/no_to.onnx 2>&1 | FileCheck %s --check-prefix=NOTO
from onnx_testing import *

# CAST: ds.cast %arg0 : tensor<?x3xf32> -> tensor<?x3xi64>
emit("cast", model([node("Cast", ["x"], ["y"], to=TensorProto.INT64)],
                   [value("x", TensorProto.FLOAT, ["n", 3])], [value("y", TensorProto.INT64, ["n", 3])]))
# Cast-19 to f8 saturates by default; saturate=0 keeps NaN/inf semantics.
# F8: ds.cast %arg0 {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
emit("f8", model([node("Cast", ["x"], ["y"], to=TensorProto.FLOAT8E4M3FN, saturate=0)],
                 [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT8E4M3FN, [4])],
                 opset=19))
# A cast to the same type disappears.
# SAME-NOT: ds.cast
# SAME: return %arg0
emit("same", model([node("Cast", ["x"], ["y"], to=TensorProto.FLOAT)],
                   [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]))
# LIKE: ds.cast %arg0 : tensor<4xf32> -> tensor<4xbf16>
emit("like", model([node("CastLike", ["x", "t"], ["y"])],
                   [value("x", TensorProto.FLOAT, [4]), value("t", TensorProto.BFLOAT16, [1])],
                   [value("y", TensorProto.BFLOAT16, [4])]))
# BAD: node 'y' (Cast, ai.onnx opset 17): attribute 'to' names STRING, which ds does not support
emit("string", model([node("Cast", ["x"], ["y"], to=TensorProto.STRING)],
                     [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.STRING, [4])]),
     check=False)
# NOTO: node 'y' (Cast, ai.onnx opset 17): needs the attribute 'to'
emit("no_to", model([node("Cast", ["x"], ["y"])],
                    [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])]),
     check=False)
