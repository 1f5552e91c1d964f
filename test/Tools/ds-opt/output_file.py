# -o writes the output only when everything succeeded.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/ok.onnx -o %t/ok.mlir
# RUN: FileCheck %s --input-file=%t/ok.mlir
# RUN: not ds-opt %t/bad.onnx -o %t/bad.mlir
# RUN: not test -e %t/bad.mlir
# A failing pass after a good import leaves nothing behind either.
# RUN: not ds-opt %t/ok.onnx --pass-pipeline='builtin.module(no-such-pass)' -o %t/pass.mlir
# RUN: not test -e %t/pass.mlir
from onnx_testing import *

# CHECK: ds.unary relu
emit("ok", model([node("Relu", ["x"], ["y"])],
                 [value("x", TensorProto.FLOAT, [2])], [value("y", TensorProto.FLOAT, [2])]))
emit("bad", model([node("Relu", ["x"], ["y"]), node("NoSuchOp", ["y"], ["z"])],
                  [value("x", TensorProto.FLOAT, [2])], [value("z", TensorProto.FLOAT, [2])]),
     check=False)
