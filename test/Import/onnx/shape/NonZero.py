# NonZero: [rank, count] indices; the count is known only at run time, so even a
# constant input stays an op.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/nonzero.onnx | FileCheck %s --check-prefix=NONZERO
# RUN: ds-opt %t/bool9.onnx | FileCheck %s --check-prefix=BOOL
# RUN: ds-opt %t/scalar.onnx | FileCheck %s --check-prefix=SCALAR
# RUN: ds-opt %t/constant.onnx | FileCheck %s --check-prefix=CONSTANT
# RUN: not ds-opt %t/consumer.onnx 2>&1 | FileCheck %s --check-prefix=CONSUMER
from onnx_testing import *

F, I = TensorProto.FLOAT, TensorProto.INT64
i64 = np.int64


def one(name, op, inputs, ins, outs, inits=(), opset=17, check=True, **attrs):
    outputs = [o[0] for o in outs]
    emit(name, model([node(op, inputs, outputs, name=name, **attrs)],
                     [value(n, t, s) for n, t, s in ins],
                     [value(n, t, s) for n, t, s in outs],
                     [tensor(n, v) for n, v in inits], opset=opset), check=check)


# NONZERO: ds.nonzero %arg0 : tensor<3x?xf32> -> tensor<2x?xi64>
one("nonzero", "NonZero", ["x"], [("x", F, [3, "b"])], [("y", I, [2, "n"])])
# BOOL: ds.nonzero %arg0 : tensor<?x?x?xi1> -> tensor<3x?xi64>
one("bool9", "NonZero", ["x"], [("x", TensorProto.BOOL, ["a", "b", "c"])], [("y", I, [3, "n"])],
    opset=11)
# SCALAR: ds.nonzero %arg0 : tensor<i32> -> tensor<0x?xi64>
one("scalar", "NonZero", ["x"], [("x", TensorProto.INT32, [])], [("y", I, [0, "n"])], opset=13)
# CONSTANT: %[[C:.*]] = ds.constant dense<[0, 3, 0, 1]> : tensor<4xi64>
# CONSTANT: ds.nonzero %[[C]] : tensor<4xi64> -> tensor<1x?xi64>
one("constant", "NonZero", ["c"], [], [("y", I, [1, "n"])], [("c", np.array([0, 3, 0, 1], i64))])
# The count is dynamic: GatherND, which needs a static tuple length, cannot take the
# indices without the Transpose that exporters put in between.
# CONSUMER: error: {{.*}}: node 'g' (GatherND, ai.onnx opset 17): 'ds.gather_nd' op the last dim of indices must be static, got 'tensor<2x?xi64>'
emit("consumer", model(
    [node("NonZero", ["x"], ["nz"]), node("GatherND", ["d", "nz"], ["g"])],
    [value("x", F, [2, 3]), value("d", F, [4])], [value("g", F, None)]), check=False)
