# --bind-input specializes a graph input to a constant from a serialized TensorProto:
# the input leaves the signature and what depends on it folds.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/m.onnx --bind-input=shape=@%t/shape.pb | FileCheck %s
# RUN: ds-opt %t/m.onnx | FileCheck %s --check-prefix=FREE
# RUN: not ds-opt %t/m.onnx --bind-input=nope=@%t/shape.pb 2>&1 | FileCheck %s --check-prefix=NAME
# RUN: not ds-opt %t/m.onnx --bind-input=shape=@%t/f32.pb 2>&1 | FileCheck %s --check-prefix=TYPE
# RUN: not ds-opt %t/m.onnx --bind-input=shape=@%t/garbage.pb 2>&1 | FileCheck %s --check-prefix=FILE
# RUN: not ds-opt %t/m.onnx --bind-input=shape 2>&1 | FileCheck %s --check-prefix=SPEC
import os
from onnx_testing import *

# CHECK-LABEL: func.func @main(%arg0: tensor<6xf32> {ds.dims = [""], ds.name = "x"}) -> (tensor<2x3xf32>
# CHECK-NOT: shape =
# FREE-LABEL: func.func @main(%arg0: tensor<6xf32> {{.*}}, %arg1: tensor<2xi64> {{.*}}ds.name = "shape"
# NAME: error: {{.*}}: --bind-input names 'nope', which is not a graph input of the model
# TYPE: error: {{.*}}: --bind-input shape: the tensor in '{{.*}}f32.pb' is FLOAT of rank 1 but the input is INT64 of rank 1
# FILE: error: {{.*}}: --bind-input shape: '{{.*}}garbage.pb' cannot be read as a serialized ONNX TensorProto
# SPEC: error: --bind-input expects NAME=@FILE.pb (a serialized ONNX TensorProto), got 'shape'
emit("m", model([node("Reshape", ["x", "shape"], ["y"])],
                [value("x", TensorProto.FLOAT, [6]), value("shape", TensorProto.INT64, [2])],
                [value("y", TensorProto.FLOAT, [2, 3])]))
d = out_dir()
with open(os.path.join(d, "shape.pb"), "wb") as f:
    f.write(tensor("shape", np.array([2, 3], dtype=np.int64)).SerializeToString())
with open(os.path.join(d, "garbage.pb"), "wb") as f:
    f.write(b"\xff\xff\xff\xff")
with open(os.path.join(d, "f32.pb"), "wb") as f:
    f.write(tensor("shape", np.array([2, 3], dtype=np.float32)).SerializeToString())
