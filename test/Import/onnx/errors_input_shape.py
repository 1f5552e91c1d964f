# --input-shape errors: a bad spec, a bad dim, a rank that differs from the model's,
# a static dim that conflicts, and a name that is not a graph input.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/m.onnx --input-shape=x4x8 -o %t/spec.mlir 2>&1 | FileCheck %s --check-prefix=SPEC --match-full-lines
# RUN: not test -e %t/spec.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x: -o %t/empty.mlir 2>&1 | FileCheck %s --check-prefix=EMPTY --match-full-lines
# RUN: not test -e %t/empty.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x:2xk -o %t/dim.mlir 2>&1 | FileCheck %s --check-prefix=DIM --match-full-lines
# RUN: not test -e %t/dim.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x:2x-4 -o %t/negdim.mlir 2>&1 | FileCheck %s --check-prefix=NEGDIM --match-full-lines
# RUN: not test -e %t/negdim.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x:2x4x1 -o %t/rank.mlir 2>&1 | FileCheck %s --check-prefix=RANK --match-full-lines
# RUN: not test -e %t/rank.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x:3x5 -o %t/conflict.mlir 2>&1 | FileCheck %s --check-prefix=CONFLICT --match-full-lines
# RUN: not test -e %t/conflict.mlir
# RUN: not ds-opt %t/m.onnx --input-shape=x:3x4,z:1 -o %t/name.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN --match-full-lines
# RUN: not test -e %t/name.mlir
# Near misses: a dynamic dim fixed, a static dim repeated, '?' kept dynamic.
# RUN: ds-opt %t/m.onnx --input-shape=x:3x4 | FileCheck %s --check-prefix=OK
# RUN: ds-opt %t/m.onnx --input-shape=x:?x4 | FileCheck %s --check-prefix=DYN
from onnx_testing import *

# SPEC: ds-opt: error: --input-shape expects NAME:D0xD1x... (for example input_ids:1x128), got 'x4x8'
# EMPTY: ds-opt: error: --input-shape expects NAME:D0xD1x... (for example input_ids:1x128), got 'x:'
# DIM: ds-opt: error: --input-shape: dim 'k' of 'x' is not a non-negative integer or '?'
# NEGDIM: ds-opt: error: --input-shape: dim '-4' of 'x' is not a non-negative integer or '?'
# RANK: ds-opt: error: {{.*}}m.onnx: --input-shape gives 'x' rank 3 but the model declares rank 2
# CONFLICT: ds-opt: error: {{.*}}m.onnx: --input-shape gives dim 1 of 'x' as 5 but the model fixes it to 4
# UNKNOWN: ds-opt: error: {{.*}}m.onnx: --input-shape names 'z', which is not a graph input of the model (inputs: 'x')
# OK: func.func @main(%{{.*}}: tensor<3x4xf32> {{.*}}) -> (tensor<3x4xf32>
# DYN: func.func @main(%{{.*}}: tensor<?x4xf32> {{.*}}) -> (tensor<?x4xf32>
emit("m", model([node("Relu", ["x"], ["y"])],
                [value("x", TensorProto.FLOAT, ["batch", 4])],
                [value("y", TensorProto.FLOAT, ["batch", 4])]))
