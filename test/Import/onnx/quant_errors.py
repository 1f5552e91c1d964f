# Refusals of the quantization importers name the node and the offending attribute.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/precision.onnx 2>&1 | FileCheck %s --check-prefix=PRECISION
# RUN: not ds-opt %t/nbits_attrs.onnx 2>&1 | FileCheck %s --check-prefix=ATTRS
# RUN: not ds-opt %t/nbits_prepacked.onnx 2>&1 | FileCheck %s --check-prefix=PREPACKED
# RUN: not ds-opt %t/output_dtype.onnx 2>&1 | FileCheck %s --check-prefix=OUTDTYPE
from onnx_testing import *

# QuantizeLinear-23 divides in `precision`, which must name a float type.
# PRECISION: node 'q' (QuantizeLinear, ai.onnx opset 23): the division type i32 (scale or 'precision') must be a float type
emit("precision", model([node("QuantizeLinear", ["x", "s"], ["q"], precision=TensorProto.INT32)],
                        [value("x", TensorProto.FLOAT, [4])], [value("q", TensorProto.UINT8, [4])],
                        [tensor("s", np.float32(0.5))], opset=23), check=False)


def nbits(name, **attrs):
    k, n, block = 32, 8, 16
    weights = np.zeros((n, k // block, block // 2), dtype=np.uint8)
    scales = np.ones((n * (k // block),), dtype=np.float32)
    emit(name, model([node("MatMulNBits", ["a", "b", "s"], ["y"], domain="com.microsoft",
                           **attrs)],
                     [value("a", TensorProto.FLOAT, [2, k])], [value("y", TensorProto.FLOAT, [2, n])],
                     [tensor("b", weights), tensor("s", scales)],
                     extra_opsets=[("com.microsoft", 1)]), check=False)


# ATTRS: node 'y' (MatMulNBits, com.microsoft opset 1): attributes 'K', 'N' and 'block_size' are required
nbits("nbits_attrs", K=32, N=8)
# PREPACKED: node 'y' (MatMulNBits, com.microsoft opset 1): attribute 'weight_prepacked' = 1 (a device-specific layout) is not supported
nbits("nbits_prepacked", K=32, N=8, block_size=16, bits=4, weight_prepacked=1)

# QuantizeLinear-21: output_dtype and the zero point's type must agree.
# OUTDTYPE: node 'q' (QuantizeLinear, ai.onnx opset 21): attribute 'output_dtype' (i8) differs from the zero point's type ui8
emit("output_dtype", model([node("QuantizeLinear", ["x", "s", "z"], ["q"],
                                 output_dtype=TensorProto.INT8)],
                           [value("x", TensorProto.FLOAT, [4])], [value("q", TensorProto.INT8, [4])],
                           [tensor("s", np.float32(0.5)), tensor("z", np.uint8(3))], opset=21),
     check=False)
