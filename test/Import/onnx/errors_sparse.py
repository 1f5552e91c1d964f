# Sparse initializers are refused by name.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/sparse.onnx 2>&1 | FileCheck %s
from onnx_testing import *

# CHECK: error: {{.*}}sparse.onnx: sparse initializers are not supported (first: 'w')
m = model([node("Add", ["x", "w"], ["y"])],
          [value("x", TensorProto.FLOAT, [4])], [value("y", TensorProto.FLOAT, [4])])
values = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
indices = helper.make_tensor("w_idx", TensorProto.INT64, [1], [2])
m.graph.sparse_initializer.append(helper.make_sparse_tensor(values, indices, [4]))
emit("sparse", m, check=False)
