# Initializers are checked before any node is imported; every bad one is reported,
# named as an initializer (not as the node that happens to use it first).
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/raw_size.onnx -o %t/raw_size.mlir 2>&1 | FileCheck %s --check-prefix=RAW --match-full-lines
# RUN: not test -e %t/raw_size.mlir
# RUN: not ds-opt %t/typed_count.onnx -o %t/typed_count.mlir 2>&1 | FileCheck %s --check-prefix=TYPED --match-full-lines
# RUN: not test -e %t/typed_count.mlir
# RUN: not ds-opt %t/int4_count.onnx -o %t/int4_count.mlir 2>&1 | FileCheck %s --check-prefix=INT4 --match-full-lines
# RUN: not test -e %t/int4_count.mlir
# RUN: not ds-opt %t/neg_dim.onnx -o %t/neg_dim.mlir 2>&1 | FileCheck %s --check-prefix=NEG --match-full-lines
# RUN: not test -e %t/neg_dim.mlir
# RUN: not ds-opt %t/overflow.onnx -o %t/overflow.mlir 2>&1 | FileCheck %s --check-prefix=OVF --match-full-lines
# RUN: not test -e %t/overflow.mlir
# RUN: not ds-opt %t/string.onnx -o %t/string.mlir 2>&1 | FileCheck %s --check-prefix=STRING --match-full-lines
# RUN: not test -e %t/string.mlir
# RUN: not ds-opt %t/several.onnx -o %t/several.mlir 2>&1 | FileCheck %s --check-prefix=SEVERAL --match-full-lines
# RUN: not test -e %t/several.mlir
# RUN: not ds-opt %t/attr_tensor.onnx -o %t/attr_tensor.mlir 2>&1 | FileCheck %s --check-prefix=ATTRT --match-full-lines
# RUN: not test -e %t/attr_tensor.mlir
from onnx_testing import *

F = TensorProto.FLOAT


def add_model(*inits, shape=(4,)):
    return model([node("Add", ["x", "w"], ["y"], name="add")],
                 [value("x", F, list(shape))], [value("y", F, list(shape))], list(inits))


# RAW: ds-opt: error: {{.*}}raw_size.onnx: initializer 'w': the FLOAT tensor of shape [4] needs 16 bytes of raw data but has 10
# RAW-NOT: error
w = tensor("w", np.arange(4, dtype=np.float32))
w.raw_data = w.raw_data[:10]
emit("raw_size", add_model(w), check=False)

# TYPED: ds-opt: error: {{.*}}typed_count.onnx: initializer 'w': the FLOAT tensor of shape [2, 2] needs 4 entries in float_data but has 3
w = onnx.TensorProto(name="w", data_type=F, dims=[2, 2], float_data=[1.0, 2.0, 3.0])
emit("typed_count", add_model(w, shape=(2, 2)), check=False)

# 4-bit values pack two per int32_data entry: 5 values need 3 entries.
# INT4: ds-opt: error: {{.*}}int4_count.onnx: initializer 'q': the INT4 tensor of shape [5] needs 3 entries in int32_data but has 5 (two 4-bit values per entry)
q = onnx.TensorProto(name="q", data_type=TensorProto.INT4, dims=[5], int32_data=[1, 2, 3, 4, 5])
emit("int4_count", add_model(tensor("w", np.ones(4, np.float32)), q), check=False)

# NEG: ds-opt: error: {{.*}}neg_dim.onnx: initializer 'w' has a negative dim -1 in dims [2, -1]
w = tensor("w", np.arange(4, dtype=np.float32))
w.dims[:] = [2, -1]
emit("neg_dim", add_model(w), check=False)

# OVF: ds-opt: error: {{.*}}overflow.onnx: initializer 'w' has dims [4294967296, 4294967296, 4] whose product overflows (more than 2^48 elements)
w = tensor("w", np.arange(4, dtype=np.float32))
w.dims[:] = [1 << 32, 1 << 32, 4]
emit("overflow", add_model(w), check=False)

# STRING: ds-opt: error: {{.*}}string.onnx: initializer 's' has unsupported element type STRING
s = helper.make_tensor("s", TensorProto.STRING, [1], [b"abc"])
emit("string", add_model(tensor("w", np.ones(4, np.float32)), s), check=False)

# All bad initializers at once, even an unused one.
# SEVERAL: ds-opt: error: {{.*}}several.onnx: initializer 'w': the FLOAT tensor of shape [4] needs 16 bytes of raw data but has 4
# SEVERAL-NEXT: ds-opt: error: {{.*}}several.onnx: initializer 'unused': the INT64 tensor of shape [3] needs 24 bytes of raw data but has 0
w = tensor("w", np.arange(4, dtype=np.float32))
w.raw_data = w.raw_data[:4]
u = tensor("unused", np.arange(3, dtype=np.int64))
u.raw_data = b""
emit("several", add_model(w, u), check=False)

# A tensor attribute is checked like an initializer and names its node.
# ATTRT: ds-opt: error: {{.*}}attr_tensor.onnx: node 'c' (Constant, ai.onnx opset 17): attribute 'value': the FLOAT tensor of shape [3] needs 12 bytes of raw data but has 8
v = tensor("value", np.arange(3, dtype=np.float32))
v.raw_data = v.raw_data[:8]
emit("attr_tensor", model([node("Constant", [], ["c"], name="c", value=v),
                           node("Add", ["x", "c"], ["y"])],
                          [value("x", F, [3])], [value("y", F, [3])]), check=False)
